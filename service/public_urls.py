"""Public endpoints of service outside any workspace (the workspace is authenticated by its
inbound secret)."""

from django.urls import path

from .views.inbound_endpoint import inbound_mail

urlpatterns = [
    path("inbound/mail/<slug:slug>/", inbound_mail, name="service_inbound_mail"),
]
