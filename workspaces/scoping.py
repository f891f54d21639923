"""The workspace scope (DESIGN.md §4, fence 2), built on django-scopes.

`workspace_scope(ws)` enters the scope for a request, task or command. Outside a scope every
workspace-owned default manager raises `ScopeError`. `scopes_disabled()` (re-exported) is the
greppable escape hatch for the rare global work.
"""

from contextlib import contextmanager

from django.db import models
from django_scopes import ScopeError, get_scope, scope, scopes_disabled

__all__ = [
    "ScopeError",
    "current_workspace_id",
    "is_workspace_owned",
    "scopes_disabled",
    "workspace_scope",
    "workspace_scope_unless_scoped",
]


@contextmanager
def workspace_scope(workspace):
    """Enter the scope of one workspace (a Workspace or its id). ValueError for None: in
    django-scopes a scope of None filters nothing, which would open every workspace."""
    workspace_id = getattr(workspace, "pk", workspace)
    if workspace_id is None:
        raise ValueError("workspace_scope needs a saved workspace or its id, not None.")
    with scope(workspace=workspace_id):
        yield


@contextmanager
def workspace_scope_unless_scoped(workspace):
    """For the global writers (change log, audit log): outside any scope (sign-in, sign-up,
    beat work) enter the scope of the workspace the row is written for, so row-level security
    checks the row against it; inside a scope, or inside `scopes_disabled()`, change nothing
    (a write for another workspace inside a scope stays refused)."""
    state = get_scope()
    if state.get("_enabled", True) and current_workspace_id() is None:
        with workspace_scope(workspace):
            yield
    else:
        yield


def current_workspace_id():
    """The id of the workspace in scope, or None."""
    value = get_scope().get("workspace")
    return getattr(value, "pk", value)


def is_workspace_owned(model: type[models.Model]) -> bool:
    """Whether a model carries `workspace` and the fail-closed manager."""
    return hasattr(model, "all_workspaces") and any(
        f.name == "workspace" for f in model._meta.get_fields()
    )
