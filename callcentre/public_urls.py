"""Public callcentre endpoints (no login; the workspace comes from the URL and the request is
authenticated by its signature)."""

from django.urls import path

from .views.telephony_endpoint import telephony_events

urlpatterns: list = [
    path("telephony/<slug:slug>/events/", telephony_events, name="callcentre_telephony_events"),
]
