"""The warehouse tables, one module per source app (`warehouse/tables/<app>.py`), each with a
`register()` that calls `warehouse.registry.register_table` for its tables. A new app adds its
module to MODULES."""

import importlib

MODULES: tuple[str, ...] = ("common", "contacts", "touchpoints", "sales", "marketing", "service")


def register() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}").register()
