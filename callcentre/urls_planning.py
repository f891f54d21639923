"""The planning pages of callcentre (included by callcentre/urls.py under the app's namespace)."""

from django.urls import path

from .views import planning

urlpatterns: list = [
    path("planning/", planning.planning, name="planning"),
    path("planning/forecasts/", planning.forecast_create, name="forecast_create"),
    path("planning/forecasts/<int:pk>/delete/", planning.forecast_delete, name="forecast_delete"),
]
