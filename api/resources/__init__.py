"""The API's resources, one module per source app (`api/resources/<app>.py`), each with a
`register()` that adds its viewsets to `api.registry`. A new app adds its module to MODULES."""

import importlib

MODULES: tuple[str, ...] = (
    "contacts",
    "touchpoints",
    "sales",
    "activities",
    "catalog",
    "service",
    "marketing",
)


def register() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}").register()
