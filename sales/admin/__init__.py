"""Django admin of the sales app, one module per concept. Django's admin autodiscovery imports
this package, so it imports the modules that register (like models/, it is not empty)."""

from . import catalog, pipeline  # noqa: F401
