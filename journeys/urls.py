"""The journeys pages under /w/<slug>/journeys/: one module of patterns per part of the app."""

from django.urls import path

from . import urls_builder, urls_engine, urls_steps
from .views import index

app_name = "journeys"
urlpatterns = [
    path("", index.index, name="index"),
    *urls_engine.urlpatterns,
    *urls_steps.urlpatterns,
    *urls_builder.urlpatterns,
]
