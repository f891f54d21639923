"""PostgreSQL backend that tells the database which workspace the code is in.

Before each statement an execute wrapper makes the connection's settings `app.workspace_id`
and `app.rls_bypass` match the scope (workspaces.db.state.rls_target); the row-level security
policies (workspaces.db.policies) read them. The last values are cached per connection, so a
`set_config` round trip happens only when the scope changes. Settings are session-level
(`set_config(..., false)`): Django runs outside atomic blocks in autocommit and querysets are
lazy, so a per-transaction setting would not cover a statement that runs after the
transaction or outside one. They are still transactional in PostgreSQL (a rollback undoes a
`set_config` made in the transaction), so the cache is dropped on rollback and on rollback to
a savepoint, and on every new connection.
"""

from django.db.backends.postgresql import base

from workspaces.db.state import rls_target

# Transaction control runs even when the transaction is aborted, where no other statement may.
_CONTROL_PREFIXES = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")
SYNC_SQL = (
    "SELECT set_config('app.workspace_id', %s, false), set_config('app.rls_bypass', %s, false)"
)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rls_applied: tuple[str, str] | None = None
        self.execute_wrappers.append(self._rls_sync)

    def rls_sync(self) -> None:
        """Make the connection's settings match the scope now (one round trip if they differ).
        Code that uses psycopg or libpq directly (COPY) calls it first. Its own client-side
        cursor: the statement's may be a server-side one, which would only DECLARE it."""
        target = rls_target()
        if target == self.rls_applied:
            return
        self.ensure_connection()
        with self.connection.cursor() as cursor:
            cursor.execute(SYNC_SQL, target)
        self.rls_applied = target

    def _rls_sync(self, execute, sql, params, many, context):
        if not str(sql).lstrip()[:9].upper().startswith(_CONTROL_PREFIXES):
            self.rls_sync()
        return execute(sql, params, many, context)

    def get_new_connection(self, conn_params):
        self.rls_applied = None
        return super().get_new_connection(conn_params)

    def _rollback(self):
        self.rls_applied = None
        return super()._rollback()

    def _savepoint_rollback(self, sid):
        self.rls_applied = None
        return super()._savepoint_rollback(sid)

    def _close(self):
        self.rls_applied = None
        return super()._close()
