"""A scoring run of one workspace, as the periodic tasks call it. Every run takes the
workspace's cursor row with SELECT … FOR UPDATE first (`cursor_lock`, the one locking
helper), so two runs of a workspace never interleave, and commits what it did with the
cursor moves (a crash repeats the batch; its contributions are unique, so nothing doubles).
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from workspaces.models import ChangeEvent

from ..decay import horizon_start
from ..models import ContactScore, Contribution, ScoringCursor
from .events import active_event_rules, events_backfill, events_consume_batch
from .fit import active_field_rules, changed_contacts_consume, fit_evaluate
from .scores import decay_candidates, scores_recompute, settings_get

MAX_BATCHES = 50  # touch point batches per run: a long backlog continues on the next beat


def cursor_lock(workspace) -> ScoringCursor:
    """The workspace's cursor row, locked until the transaction ends. A new cursor reads the
    history from its start (the event rules score it all, MAX_BATCHES per run) but the change
    log from its current end: the full field-rule pass of the refresh and of every decay run
    covers every contact as it is now."""
    if not ScoringCursor.objects.filter(workspace=workspace).exists():
        latest = ChangeEvent.objects.filter(workspace=workspace).aggregate(seq=Max("seq"))["seq"]
        ScoringCursor.objects.get_or_create(
            workspace=workspace, defaults={"change_seq": latest or 0}
        )
    return ScoringCursor.objects.select_for_update().get(workspace=workspace)


def scoring_run_workspace(*, workspace) -> dict:
    """Score what happened since the last run: new touch points through the event rules (in
    batches, each its own transaction), contacts changed since (change log) through the field
    rules, then the scores of every contact touched. Idempotent. Returns counts
    {"interactions", "contacts", "changed", "crossed"}."""
    settings = settings_get(workspace)
    read, touched = 0, set()
    event_rules = active_event_rules(workspace)
    for _step in range(MAX_BATCHES):
        with transaction.atomic():
            cursor = cursor_lock(workspace)
            count, contacts = events_consume_batch(
                workspace=workspace, cursor=cursor, rules=event_rules
            )
            read += count
            touched |= contacts
            if contacts:
                scores_recompute(workspace=workspace, contact_ids=contacts, settings=settings)
        if count == 0:
            break
    with transaction.atomic():
        cursor = cursor_lock(workspace)
        changed = changed_contacts_consume(workspace=workspace, cursor=cursor)
        cursor.save(update_fields=["change_seq", "updated_at"])
        if changed:
            fit_touched = fit_evaluate(
                workspace=workspace, rules=active_field_rules(workspace), contact_ids=changed
            )
            touched |= fit_touched | changed
            # every changed contact: a merge moves contributions without touching a rule
            result = scores_recompute(
                workspace=workspace, contact_ids=fit_touched | changed, settings=settings
            )
        else:
            result = {"changed": 0, "crossed": 0}
    return {"interactions": read, "contacts": len(touched), **result}


def scoring_refresh_workspace(*, workspace) -> dict:
    """After a rule or the settings changed: catch up with new touch points (the run), give
    the event rules their points for earlier touch points still inside the decay horizon
    (a new rule counts recent history too), re-evaluate every field rule for every contact
    and recompute every score that has contributions or a row. Idempotent. Returns the
    counts of scores_recompute."""
    scoring_run_workspace(workspace=workspace)
    settings = settings_get(workspace)
    now = timezone.now()
    with transaction.atomic():
        cursor = cursor_lock(workspace)
        events_backfill(
            workspace=workspace,
            cursor=cursor,
            rules=active_event_rules(workspace),
            since=horizon_start(now=now, half_life_days=settings.half_life_days),
        )
        fit_evaluate(workspace=workspace, rules=active_field_rules(workspace), contact_ids=None)
        ids = set(
            Contribution.objects.filter(workspace=workspace).values_list("contact_id", flat=True)
        ) | set(
            ContactScore.objects.filter(workspace=workspace).values_list("contact_id", flat=True)
        )
        return scores_recompute(workspace=workspace, contact_ids=ids, settings=settings)


def scoring_decay_workspace(*, workspace, now=None) -> dict:
    """Re-evaluate every field rule for every contact, and recompute engagement as time
    passes (points halve every half-life) for every contact whose engagement can have moved.
    Idempotent. Returns the counts of scores_recompute."""
    now = now or timezone.now()
    settings = settings_get(workspace)
    with transaction.atomic():
        cursor = cursor_lock(workspace)
        # the periodic full pass of the field rules: conditions on time ("created within 30
        # days", age) change without any change event, and a lost refresh is made good here
        refit = fit_evaluate(
            workspace=workspace, rules=active_field_rules(workspace), contact_ids=None
        )
        ids = decay_candidates(workspace=workspace, settings=settings, now=now) | refit
        result = scores_recompute(workspace=workspace, contact_ids=ids, settings=settings, now=now)
        cursor.decayed_at = now
        cursor.save(update_fields=["decayed_at", "updated_at"])
    return result
