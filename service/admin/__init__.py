"""Django admin of the service app (workspace-scoped). Django's admin autodiscovery imports
this package, so it imports the modules that register."""

from . import cases, setup  # noqa: F401
