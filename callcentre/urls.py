"""The callcentre pages under /w/<slug>/callcentre/: one module of patterns per part of the app."""

from django.urls import path

from . import urls_calls, urls_kpis, urls_planning, urls_quality
from .views import index

app_name = "callcentre"
urlpatterns = [
    path("", index.index, name="index"),
    *urls_calls.urlpatterns,
    *urls_kpis.urlpatterns,
    *urls_planning.urlpatterns,
    *urls_quality.urlpatterns,
]
