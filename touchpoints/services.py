"""The one write path into the shared customer history (DESIGN.md §5)."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.changelog import sequence_take
from workspaces.service_checks import raise_if, same_workspace_check

from .logging import LOG_TYPES, CallOutcome, LogType
from .models import Direction, Interaction
from .registry import interaction_kind_get, timeline_app_exists

BODY_MAX_CHARS = 100_000  # a long email thread fits; a megabyte pasted by mistake does not


def interaction_build(
    *,
    workspace,
    kind: str,
    channel: str,
    contact=None,
    account=None,
    actor=None,
    occurred_at=None,
    direction: str = Direction.OUTBOUND,
    app: str = "contacts",
    subject: str = "",
    body: str = "",
    duration_seconds: int | None = None,
    outcome: str = "",
    source=None,
    data: dict | None = None,
    source_system: str = "",
    source_event_id: str = "",
) -> Interaction:
    """An unsaved, checked touch point (no queries): the checks of interaction_record, for
    writers that insert many at once (interactions_record_many). `source_system` and
    `source_event_id` name an event of another system (one event is recorded once).

    LookupError for an unregistered `app` or `kind`; ValidationError (by field) for no
    contact and no account, notes over BODY_MAX_CHARS, a related object of another
    workspace or a field the model refuses (channel, direction, lengths)."""
    if not timeline_app_exists(app):
        raise LookupError(f"timeline app {app!r} is not registered")
    interaction_kind_get(kind)
    if contact is None and account is None:
        raise ValidationError(_("A touch point needs a contact or an account."))
    if len(body or "") > BODY_MAX_CHARS:
        raise ValidationError(
            {"body": _("Notes hold at most %(n)s characters.") % {"n": f"{BODY_MAX_CHARS:,}"}}
        )
    errors: dict = {}
    for field, obj in (("contact", contact), ("account", account), ("source", source)):
        same_workspace_check(workspace=workspace, obj=obj, field=field, errors=errors)
    raise_if(errors)
    if account is None and contact is not None and contact.account_id:
        account_id = contact.account_id
    else:
        account_id = account.pk if account is not None else None
    interaction = Interaction(
        workspace=workspace,
        contact=contact,
        account_id=account_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        occurred_at=occurred_at or timezone.now(),
        channel=channel,
        kind=kind,
        direction=direction,
        app=app,
        subject=subject[:200],
        body=body,
        duration_seconds=duration_seconds,
        outcome=outcome,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=source.pk if source is not None else None,
        data=data or {},
        source_system=source_system,
        source_event_id=source_event_id,
    )
    interaction.full_clean(exclude=["contact", "account", "workspace", "actor", "seq"])
    return interaction


@transaction.atomic
def interaction_record(
    *,
    workspace,
    kind: str,
    channel: str,
    contact=None,
    account=None,
    actor=None,
    occurred_at=None,
    direction: str = Direction.OUTBOUND,
    app: str = "contacts",
    subject: str = "",
    body: str = "",
    duration_seconds: int | None = None,
    outcome: str = "",
    source=None,
    data: dict | None = None,
) -> Interaction:
    """Append one touch point to the history of `contact` and/or `account`.

    Transactional; validates the channel and that every related object is in `workspace`;
    when only a contact is given, the contact's account is recorded too so the account
    timeline shows it. Updates the contact's `last_interaction_at` (a derived column, not
    recorded). Not copied into the change log: the row takes its own `seq` from the
    workspace's change sequence (consumers read `touchpoints.selectors.interactions_after`).
    `app` and `kind` must be registered (touchpoints.registry); else LookupError.
    """
    interaction = interaction_build(
        workspace=workspace,
        kind=kind,
        channel=channel,
        contact=contact,
        account=account,
        actor=actor,
        occurred_at=occurred_at,
        direction=direction,
        app=app,
        subject=subject,
        body=body,
        duration_seconds=duration_seconds,
        outcome=outcome,
        source=source,
        data=data,
    )
    if contact is not None:
        # Only ever moves forward, in one conditional UPDATE (no read-modify-write race).
        # Before the sequence is taken: the counter is the last lock a writer takes.
        type(contact).objects.filter(pk=contact.pk).filter(
            Q(last_interaction_at__isnull=True) | Q(last_interaction_at__lt=interaction.occurred_at)
        ).update(last_interaction_at=interaction.occurred_at)
    interaction.seq = sequence_take(workspace=workspace)
    interaction.save()
    return interaction


def _last_interaction_advance(*, workspace, model, latest: dict) -> None:
    """Move `last_interaction_at` of the contacts in `latest` ({contact id: time}) forward to
    their time where it is earlier or unset: one UPDATE … FROM (VALUES …) (SQLite and
    PostgreSQL), since an ORM CASE over a thousand ids costs more to build than to run."""
    table = connection.ops.quote_name(model._meta.db_table)  # ours, not input
    rows = ", ".join(["(%s, %s)"] * len(latest))
    params: list = []
    for pk, when in latest.items():
        params += [pk, connection.ops.adapt_datetimefield_value(when)]
    statement = (
        f"UPDATE {table} SET last_interaction_at = v.column2 "  # noqa: S608
        f"FROM (VALUES {rows}) AS v "
        f"WHERE {table}.id = v.column1 AND {table}.workspace_id = %s "
        f"AND ({table}.last_interaction_at IS NULL OR {table}.last_interaction_at < v.column2)"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, workspace.pk])


@transaction.atomic
def interactions_record_many(*, workspace, interactions: list[Interaction]) -> list[Interaction]:
    """Insert touch points built by interaction_build (all of `workspace`) at once: their
    contacts' `last_interaction_at` moves forward in one UPDATE, one take of the sequence
    numbers them (in list order), one multi-row INSERT writes them.

    A row whose (source_system, source_event_id) is stored already (sent twice, or by a
    concurrent request) is skipped, not an error. Returns the inserted rows with their ids,
    in list order. Queries: 4 (the INSERT split into batches where the database needs it)."""
    if not interactions:
        return []
    for interaction in interactions:
        if interaction.workspace_id != workspace.pk:
            raise ValidationError({"workspace": _("This record belongs to another workspace.")})
    latest: dict = {}
    contact_model = None
    for interaction in interactions:
        if interaction.contact_id is not None:
            contact_model = type(interaction.contact)
            when = latest.get(interaction.contact_id)
            if when is None or interaction.occurred_at > when:
                latest[interaction.contact_id] = interaction.occurred_at
    if latest:
        # Only ever moves forward; before the sequence is taken (the counter is the last lock).
        _last_interaction_advance(workspace=workspace, model=contact_model, latest=latest)
    first = sequence_take(workspace=workspace, count=len(interactions))
    for offset, interaction in enumerate(interactions):
        interaction.seq = first + offset
    Interaction.objects.bulk_create(interactions, ignore_conflicts=True)
    stored = dict(
        Interaction.objects.filter(
            workspace=workspace, seq__gte=first, seq__lt=first + len(interactions)
        ).values_list("seq", "id")
    )
    inserted = []
    for interaction in interactions:
        interaction.pk = stored.get(interaction.seq)
        if interaction.pk is not None:
            interaction._state.adding = False
            inserted.append(interaction)
    return inserted


def interaction_log(
    *,
    workspace,
    actor,
    log_type: str,
    contact=None,
    account=None,
    direction: str = "",
    occurred_at=None,
    subject: str = "",
    body: str = "",
    duration_seconds: int | None = None,
    outcome: str = "",
) -> Interaction:
    """Record a touch point a person logged by hand (call, meeting, visit, letter, fax, SMS,
    chat, store visit, event attendance, note) through interaction_record. Calls keep their
    duration and outcome; other types drop them. Transactional (via interaction_record)."""
    spec = LOG_TYPES.get(log_type)
    if spec is None:
        raise ValidationError({"log_type": _("Unknown kind of touch point.")})
    if log_type == LogType.CALL:
        if outcome and outcome not in CallOutcome.values:
            raise ValidationError({"outcome": _("Unknown call outcome.")})
    else:
        duration_seconds, outcome = None, ""
    if log_type == LogType.NOTE:
        direction = Direction.INTERNAL
    return interaction_record(
        workspace=workspace,
        kind=spec.kind,
        channel=spec.channel,
        contact=contact,
        account=account,
        actor=actor,
        occurred_at=occurred_at,
        direction=direction or spec.default_direction,
        app="contacts",
        subject=subject,
        body=body,
        duration_seconds=duration_seconds,
        outcome=outcome,
        data={"logged_by_hand": True, "type": log_type},
    )


__all__ = [
    "interaction_build",
    "interaction_log",
    "interaction_record",
    "interactions_record_many",
]
