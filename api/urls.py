"""The API key pages under /w/<slug>/api-keys/ (the API itself is under /api/, api.api_urls)."""

from django.urls import path

from .views import keys

app_name = "api"
urlpatterns = [
    path("", keys.keys, name="keys"),
    path("new/", keys.key_new, name="key_new"),
    path("created/", keys.key_created, name="key_created"),
    path("<int:pk>/revoke/", keys.key_revoke, name="key_revoke"),
]
