"""The API key pages under /w/<slug>/api-keys/ (the API itself is under /api/, api.api_urls)."""

app_name = "api"
urlpatterns: list = []
