from django.urls import path

from . import health

# Public endpoints outside any workspace. Those that act on a workspace get it from a signed
# token, never from a session.
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
