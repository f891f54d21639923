"""The scoring pages under /w/<slug>/scoring/: one module of patterns per part of the app."""

from django.urls import path

from . import urls_rules
from .views import index

app_name = "scoring"
urlpatterns = [
    path("", index.index, name="index"),
    *urls_rules.urlpatterns,
]
