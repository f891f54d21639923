from django.urls import path

from . import account_views, health

# Public endpoints outside any workspace. Those that act on a workspace get it from a signed
# token, never from a session.
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(
        "invite/confirm/<str:token>/",
        account_views.invitation_owner_confirm_view,
        name="invitation_owner_confirm",
    ),
    path("invite/<str:token>/", account_views.invitation_accept_view, name="invitation_accept"),
]
