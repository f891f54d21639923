"""Public scoring endpoints (no login; the workspace comes from the URL's secret or a signed
token)."""

urlpatterns: list = []
