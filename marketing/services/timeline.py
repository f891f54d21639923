"""The marketing entries of the customer history, written in bulk for a batch of sends.

`timeline_record_many` does for many contacts at once what touchpoints.services
.interaction_record does for one (the same columns, a sequence number from the workspace's
change sequence), with two or three queries per batch instead of several per row: a campaign
of 100,000 recipients writes 100,000 history entries.

A campaign *send* does not move the contact's `last_interaction_at`: mass mail is not a
touch point the customer took part in (HubSpot's "last contacted" leaves marketing email out
for the same reason), so "no interaction for N days" (win-back journeys, segments on the last
touch point) still finds a customer who only receives newsletters, and a send of 100,000 does
not rewrite 100,000 contact rows and their indexes. Opens, clicks, unsubscribes and bounces
do move it."""

import enum

import psycopg
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from contacts.models import Contact
from touchpoints.channels import Channel
from touchpoints.models import Direction, Interaction
from touchpoints.registry import interaction_kind_get
from workspaces.changelog import sequence_take
from workspaces.db.state import rls_sync

KINDS = {
    "send": "campaign.sent",
    "open": "campaign.opened",
    "click": "campaign.clicked",
    "unsubscribe": "campaign.unsubscribed",
    "bounce": "campaign.bounced",
}


def timeline_record_many(*, workspace_id: int, entries: list[dict]) -> int:
    """Append one history entry per item of `entries`, each {"kind": key of KINDS,
    "contact_id", "account_id" (or None), "occurred_at", "subject", "delivery_id",
    "data": dict}. Returns the number written. Transactional."""
    if not entries:
        return 0
    with transaction.atomic():
        latest: dict[int, object] = {}  # contact -> newest non-send entry
        for entry in entries:
            at = entry.get("occurred_at") or timezone.now()
            entry["occurred_at"] = at
            contact_id = entry["contact_id"]
            if entry["kind"] != "send" and (contact_id not in latest or latest[contact_id] < at):
                latest[contact_id] = at
        if latest:
            newest = max(latest.values())
            Contact.objects.filter(workspace=workspace_id, pk__in=list(latest)).filter(
                Q(last_interaction_at__isnull=True) | Q(last_interaction_at__lt=newest)
            ).update(last_interaction_at=newest)
        first = sequence_take(workspace=workspace_id, count=len(entries))
        rows = []
        for kind in {entry["kind"] for entry in entries}:
            interaction_kind_get(KINDS[kind])
        for offset, entry in enumerate(entries):
            rows.append(
                {
                    "workspace_id": workspace_id,
                    "contact_id": entry["contact_id"],
                    "account_id": entry.get("account_id"),
                    "occurred_at": entry["occurred_at"],
                    "channel": Channel.EMAIL,
                    "kind": KINDS[entry["kind"]],
                    "direction": Direction.INBOUND
                    if entry["kind"] in ("open", "click", "unsubscribe")
                    else Direction.OUTBOUND,
                    "app": "marketing",
                    "subject": (entry.get("subject") or "")[:200],
                    "source_type": "marketing.delivery",
                    "source_id": entry.get("delivery_id"),
                    "data": entry.get("data") or {},
                    "seq": first + offset,
                }
            )
        rows_insert(Interaction, rows)
    return len(rows)


def rows_insert(model: type[models.Model], rows: list[dict]) -> int:
    """Insert `rows` into `model`'s table without building model instances: each row a dict
    {attname: value}; a field a row leaves out takes its default (auto_now and auto_now_add
    fields the time of this call, as Field.get_default() says otherwise). No save() or signals run,
    as with bulk_create. Returns the number of rows.

    On PostgreSQL it is one prepared INSERT executed once per row in psycopg's pipeline mode
    (`executemany`: one round trip for all rows, parameters bound by the server), in the
    caller's transaction and under row-level security like any statement; a campaign batch
    writes its send entries and events this way, where bulk_create's per-field preparation
    of model instances was a third of a send worker's CPU. Elsewhere: bulk_create."""
    if not rows:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=500)
        return len(rows)
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:  # the field's default, else "" for a string that is not null, else None
            defaults[f.attname] = f.get_default()

    def value(f, row):
        v = row.get(f.attname, defaults[f.attname])
        if isinstance(f, models.JSONField):
            return connection.ops.adapt_json_value(v, f.encoder)
        return v.value if isinstance(v, enum.Enum) else v

    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model names
    connection.ensure_connection()
    rls_sync(connection)  # psycopg's own cursor: Django's execute wrappers do not see it
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.executemany(statement, [[value(f, row) for f in fields] for row in rows])
    return len(rows)
