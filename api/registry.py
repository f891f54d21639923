"""The API's resources: every app's `api/resources/<app>.py` registers its viewsets here
(`register_resource`), and `api.api_urls` routes them under /api/v1/<prefix>/."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    prefix: str  # the URL part under /api/v1/, e.g. "contacts"
    viewset: type  # a DRF viewset (usually api.viewsets.WorkspaceModelViewSet)
    basename: str  # URL names "api-<basename>-list" / "-detail"


RESOURCES: dict[str, Resource] = {}


def register_resource(prefix: str, viewset: type, basename: str) -> None:
    """Route `viewset` at /api/v1/<prefix>/. ValueError for a prefix or basename registered
    before (each is defined once, by the app that owns it)."""
    if prefix in RESOURCES:
        raise ValueError(f"API resource {prefix!r} is registered already")
    if any(r.basename == basename for r in RESOURCES.values()):
        raise ValueError(f"API basename {basename!r} is registered already")
    RESOURCES[prefix] = Resource(prefix=prefix, viewset=viewset, basename=basename)


def resource_list() -> list[Resource]:
    """The registered resources, by prefix."""
    return sorted(RESOURCES.values(), key=lambda r: r.prefix)
