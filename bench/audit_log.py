"""The audit log's costs on PostgreSQL: the log page at 500,000 entries of one workspace
(first page, a deeper page, a record's history, text search), the bulk-view check of a list
page that is already recorded this hour (a cache add), and the price of the audit entry on
a person's contact change.

    DATABASE_URL=postgres://…/<migrated db> CELERY_BROKER_URL=redis://… \\
        python manage.py shell -c "from bench.audit_log import main; main()"
"""

import statistics
import time

from django.db import connection
from django.utils import timezone

ENTRIES = 500_000


def _ms(fn, repeat=20) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def show(label: str, fn, repeat: int = 20) -> None:
    print(f"{label}: {_ms(fn, repeat):.2f} ms")


def main():
    from contacts.services.contacts import contact_create, contact_update
    from workspaces.audit import AuditAction, audit_bulk_view
    from workspaces.models import AuditEntry, Membership, User, Workspace
    from workspaces.paging import keyset_page
    from workspaces.roles import Role
    from workspaces.scoping import workspace_scope
    from workspaces.selectors import audit_entry_list

    stamp = int(time.time())
    workspace = Workspace.objects.create(name=f"Audit bench {stamp}", slug=f"audit-bench-{stamp}")
    user = User.objects.create_user(email=f"bench{stamp}@example.org", password="x")
    with workspace_scope(workspace):
        Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    now = timezone.now()
    batch = []
    for i in range(ENTRIES):
        batch.append(
            AuditEntry(
                workspace=workspace,
                actor=user,
                actor_label=user.email,
                action=AuditAction.CHANGED,
                object_type="contacts.contact",
                object_id=i % 50_000 + 1,
                object_repr=f"Person {i}",
                changes={"first_name": [f"Old {i}", f"New {i}"]},
                created_at=now - timezone.timedelta(seconds=ENTRIES - i),
            )
        )
        if len(batch) == 10_000:
            with workspace_scope(workspace):
                AuditEntry.objects.bulk_create(batch)
            batch = []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workspaces_auditentry")
    order = ("-created_at", "-id")

    def page(cursor=None, **filters):
        qs = audit_entry_list(workspace=workspace, **filters)
        return keyset_page(qs, order=order, cursor=cursor)

    with workspace_scope(workspace):
        print(f"entries: {ENTRIES:,}")
        show("first page", lambda: page().items)
        cursor = page().next_cursor
        show("next page", lambda: page(cursor).items)
        show(
            "one record's history",
            lambda: page(object_type="contacts.contact", object_id=4242).items,
        )
        show("text search (matches early)", lambda: page(text="Person 49999").items, 5)
        show("text search (no match: the whole workspace)", lambda: page(text="nobody").items, 3)
        params = {"q": ["a"]}

        def viewed():
            audit_bulk_view(
                workspace=workspace,
                actor=user,
                list_name="contacts.contact",
                params=params,
                rows=50,
            )

        viewed()
        show("bulk-view check, already recorded this hour", viewed, 1000)
        contact = contact_create(workspace=workspace, actor=None, first_name="A")
        names = iter(range(10_000))
        system = _ms(
            lambda: contact_update(
                workspace=workspace, actor=None, contact=contact, first_name=f"S{next(names)}"
            ),
            repeat=200,
        )
        person = _ms(
            lambda: contact_update(
                workspace=workspace, actor=user, contact=contact, first_name=f"P{next(names)}"
            ),
            repeat=200,
        )
        print(
            f"contact_update, system: {system:.2f} ms; person (with audit entry): {person:.2f} ms"
        )
    from workspaces.services import workspace_delete

    workspace_delete(workspace=workspace, actor=None)
    user.delete()
