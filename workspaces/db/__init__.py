"""Fence 4 of DESIGN.md §4: PostgreSQL row-level security.

- `postgresql/`: the database backend (ENGINE `workspaces.db.postgresql`) that keeps each
  connection's `app.workspace_id` / `app.rls_bypass` settings in step with the scope.
- `policies`: the idempotent SQL that enables, forces and defines the policy on every table
  with a `workspace_id` column, and the grants of the application role.
- `staging`: COPY into a table under row-level security (through a TEMP staging table).
- `guard`: a test-time check that no product statement reads a workspace-owned table without
  a workspace condition or scope.
"""
