"""What the database should see for the current scope (django-scopes' state).

| scope state                                   | app.workspace_id | app.rls_bypass |
|-----------------------------------------------|------------------|----------------|
| `workspace_scope(ws)` (scopes enabled)        | str(ws.pk)       | off            |
| `scopes_disabled()` (the greppable escape)    | ''               | on             |
| neither                                       | ''               | off (sees nothing) |
"""

from contextvars import ContextVar

from django_scopes import get_scope

# Set only by the test harness (tests/conftest.py): True while a test body (not a request or
# a task it starts) runs, so fixtures written outside any scope pass the policy. Production
# code never sets it; its default is the real rule.
test_body_bypass: ContextVar[bool] = ContextVar("test_body_bypass", default=False)


def rls_target() -> tuple[str, str]:
    """(app.workspace_id, app.rls_bypass) for the current context, both strings: the workspace
    id ('' for none) and 'on' / 'off'."""
    state = get_scope()
    if not state.get("_enabled", True) or test_body_bypass.get():
        return "", "on"
    workspace = state.get("workspace")
    workspace_id = getattr(workspace, "pk", workspace)
    if workspace_id is None:
        return "", "off"
    return str(int(workspace_id)), "off"


def scope_active() -> bool:
    """Whether the database policy is told a workspace or an explicit bypass (the SQL guard's
    question: is this statement fenced by the scope?)."""
    workspace_id, bypass = rls_target()
    return bool(workspace_id) or bypass == "on"


def rls_sync(connection) -> None:
    """Before a statement that bypasses Django's cursor (psycopg's own cursor, libpq COPY):
    bring the connection's row-level security settings in step with the scope. Nothing on
    other backends than workspaces.db.postgresql."""
    sync = getattr(connection, "rls_sync", None)
    if sync is not None:
        sync()
