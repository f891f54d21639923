"""The REST API: /api/v1/ (the registered resources, api.registry), /api/schema/ (OpenAPI 3)
and /api/docs/ (Swagger UI, every asset served locally by drf-spectacular-sidecar; its start
script is a separate file, `?script`, so the Content Security Policy needs no inline script)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from .registry import resource_list

router = SimpleRouter()
for resource in resource_list():
    router.register(resource.prefix, resource.viewset, basename=resource.basename)

_public = {"authentication_classes": [], "permission_classes": [AllowAny], "throttle_classes": []}

urlpatterns = [
    path("v1/", include((router.urls, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(**_public), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", **_public),
        name="api-docs",
    ),
]
