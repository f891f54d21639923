"""Pages of email to case under /w/<slug>/service/mail/ (included by service.urls)."""

from django.urls import path

from .views import inbound

urlpatterns = [
    path("", inbound.mail_settings, name="mail_settings"),
    path("inbound/<int:pk>/raw/", inbound.inbound_raw, name="inbound_raw"),
]
