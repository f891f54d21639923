"""The warehouse pages under /w/<slug>/warehouse/."""

from django.urls import path

from .views import status

app_name = "warehouse"
urlpatterns = [
    path("", status.status, name="status"),
]
