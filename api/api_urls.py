"""The REST API: /api/v1/ (resources), /api/schema/ (OpenAPI 3), /api/docs/ (browsable docs)."""

urlpatterns: list = []
