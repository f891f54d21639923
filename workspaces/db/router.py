"""Reads of analyses, reports, KPIs and exports on a PostgreSQL read replica (docs/SCALING.md).

With `DATABASE_REPLICA_URL` set, settings add a second database alias `replica` (the same
row-level security backend, workspaces.db.postgresql, so every statement on it carries the
scope's `app.workspace_id` like one on `default`) and install `ReplicaRouter`. Without it
there is no alias, no router, and everything runs on `default` as before.

What reads from the replica is chosen where the code knows a read is an analysis, not by
model: a view decorated with `replica_reads` (or code inside `with replica_reading():`) sends
its ORM reads to the replica. Everything else, and every write, goes to `default`. Once the
context wrote (any `db_for_write`), its later reads stay on `default` too (read-your-writes:
a replica lags the primary by its replay delay). Raw cursors (`connection.cursor()`) are
always `default`'s.

Not routed here on purpose: the warehouse export (warehouse.services.export) takes its
window's upper bound from the sequence on `default`; reading the window's rows from a lagging
replica would skip rows below that bound and advance the watermark past them.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections, router

REPLICA = "replica"

# (reads may go to the replica, this context wrote): set by replica_reading / replica_reads.
_reading: ContextVar[bool] = ContextVar("replica_reading", default=False)
_wrote: ContextVar[bool] = ContextVar("replica_context_wrote", default=False)


def replica_configured() -> bool:
    """Whether a `replica` database alias exists and this router is installed (both from
    DATABASE_REPLICA_URL)."""
    return REPLICA in connections.settings and any(
        isinstance(each, ReplicaRouter) for each in router.routers
    )


def replica_alias() -> str:
    """`replica` when configured, else `default`: for reads known not to depend on the
    context's own writes (an export's rows, after its job row or audit row was written)."""
    return REPLICA if replica_configured() else DEFAULT_DB_ALIAS


def read_alias() -> str:
    """The alias analysis reads should use now: `replica` inside `replica_reading()` when one
    is configured and the context has not written, else `default`."""
    if _reading.get() and not _wrote.get() and replica_configured():
        return REPLICA
    return DEFAULT_DB_ALIAS


@contextlib.contextmanager
def replica_reading() -> Iterator[None]:
    """Inside: ORM reads go to the replica until the first write (then to `default`)."""
    reading, wrote = _reading.set(True), _wrote.set(False)
    try:
        yield
    finally:
        _wrote.reset(wrote)
        _reading.reset(reading)


def replica_reads(view):
    """View decorator (under `workspace_view`): the view's ORM reads go to the replica, as
    `replica_reading()`. A streamed response's iterator runs after the view returns, outside
    it: such views pin their querysets with `.using(replica_alias())`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reading():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Django database router: reads to `read_alias()`, writes to `default`, migrations only
    on `default` (the replica follows by streaming replication)."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        if _reading.get():
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two connections

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
