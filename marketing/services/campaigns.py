"""Campaigns: create and edit drafts, launch (now or at a time), start (freeze the
recipients), pause, resume, cancel, and release an A/B test's remainder.

Launching only schedules: `campaign_start` (a task, at the scheduled time) freezes the
content (a copy of the template) and the recipients, one Delivery per contact and per
address, and queues them; the batches of marketing.services.sending send them."""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from workspaces.changelog import ChangeAction, change_record, changed_fields, snapshot

from ..models import (
    Campaign,
    CampaignStatus,
    CampaignVariant,
    Delivery,
    DeliveryStatus,
    TrackedLink,
)
from ..rendering import template_problems
from ..selectors.audience import campaign_audience, receivable
from .compose import trackable_urls

CAMPAIGN_FIELDS = {
    "name",
    "template",
    "subject",
    "html_body",
    "text_body",
    "sender",
    "scheduled_at",
    "rate_per_minute",
    "ab_enabled",
    "ab_test_percent",
    "ab_metric",
    "ab_wait_minutes",
}
FREEZE_CHUNK = 2000  # contacts read and deliveries inserted per round: memory is flat
EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)


# the verbs of the state moves, as the refusal message names them (marked for translation)
_ACTIONS = {
    "paused": gettext_lazy("paused"),
    "resumed": gettext_lazy("resumed"),
    "cancelled": gettext_lazy("cancelled"),
}


def _check(workspace, fields: dict, segments) -> None:
    errors: dict = {}
    for name in ("template", "sender"):
        obj = fields.get(name)
        if obj is not None and obj.workspace_id != workspace.pk:
            errors[name] = _("Choose one of this workspace.")
    if segments is not None and any(s.workspace_id != workspace.pk for s in segments):
        errors["segments"] = _("Choose segments of this workspace.")
    percent = fields.get("ab_test_percent")
    if percent is not None and not 1 <= percent <= 50:
        errors["ab_test_percent"] = _("Between 1 and 50 per cent.")
    if fields.get("rate_per_minute") == 0:
        errors["rate_per_minute"] = _("At least one per minute, or empty for no limit.")
    if errors:
        raise ValidationError(errors)


def campaign_create(*, workspace, actor, segments=(), variant_b_subject: str = "", **fields):
    """A draft campaign. `segments`: Segments of the workspace. Raises ValidationError."""
    unknown = set(fields) - CAMPAIGN_FIELDS
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    _check(workspace, fields, segments)
    with transaction.atomic():
        campaign = Campaign(workspace=workspace, created_by=_user(actor), **fields)
        campaign.full_clean(exclude=["workspace", "created_by", "sender", "template"])
        campaign.save()
        campaign.segments.set(segments)
        _variant_b(campaign, variant_b_subject)
        change_record(
            workspace=workspace, actor=actor, instance=campaign, action=ChangeAction.CREATED
        )
    return campaign


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _variant_b(campaign, subject: str) -> None:
    """Keep the B subject of an A/B test (variant A is the campaign's own content)."""
    if subject:
        CampaignVariant.objects.update_or_create(
            workspace=campaign.workspace,
            campaign=campaign,
            key="B",
            defaults={"subject": subject},
        )


def campaign_update(
    *, workspace, actor, campaign: Campaign, segments=None, variant_b_subject=None, **fields
):
    """Change a draft or scheduled campaign. Raises ValidationError once it is sending."""
    unknown = set(fields) - CAMPAIGN_FIELDS
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    if campaign.workspace_id != workspace.pk:
        raise ValidationError(_("Not a campaign of this workspace."))
    if campaign.status not in EDITABLE:
        raise ValidationError(_("A campaign can be changed only before it starts sending."))
    _check(workspace, fields, segments)
    with transaction.atomic():
        before = snapshot(campaign)
        for name, value in fields.items():
            setattr(campaign, name, value)
        campaign.full_clean(exclude=["workspace", "created_by", "sender", "template"])
        campaign.save()
        if segments is not None:
            campaign.segments.set(segments)
        if variant_b_subject is not None:
            _variant_b(campaign, variant_b_subject)
        changed = changed_fields(before, campaign)
        if changed or segments is not None:
            change_record(
                workspace=workspace,
                actor=actor,
                instance=campaign,
                action=ChangeAction.UPDATED,
                fields=changed,
            )
    return campaign


def _content(campaign: Campaign) -> tuple[str, str, str]:
    if campaign.template_id:
        t = campaign.template
        return t.subject, t.html_body, t.text_body
    return campaign.subject, campaign.html_body, campaign.text_body


def launch_problems(campaign: Campaign) -> dict:
    """{field: message} of what stops `campaign` from being launched (empty: ready)."""
    errors = {}
    if not campaign.sender_id:
        errors["sender"] = _("Choose a sender identity.")
    if not campaign.segments.exists():
        errors["segments"] = _("Choose at least one segment.")
    subject, html_body, text_body = _content(campaign)
    if not subject.strip():
        errors["subject"] = _("The message needs a subject (from the template or here).")
    if not (html_body.strip() or text_body.strip()):
        errors["html_body"] = _("The message needs a body (from the template or here).")
    problems = template_problems(
        subject=subject, html_body=html_body, text_body=text_body, extra_fields=("unsubscribe_url",)
    )
    if problems:
        errors["template"] = "; ".join(str(p) for p in problems)
    if campaign.ab_enabled and not _has_variant_b(campaign):
        errors["variant_b_subject"] = _(
            "The A/B test has no variant B: enter the subject of variant B, or turn the test off."
        )
    flagged = [s.name for s in campaign.segments.all() if s.problem]
    if flagged:
        errors["segments"] = _("These segments need fixing first: %(names)s") % {
            "names": ", ".join(flagged)
        }
    return errors


def campaign_launch(
    *, workspace, actor, campaign: Campaign, at: datetime.datetime | None = None, enqueue=None
):
    """Schedule `campaign` to start at `at` (aware; None or past: now). Raises
    ValidationError with what is missing. `enqueue(campaign_id)` (default: the start task)
    runs after commit when the start is due now."""
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Only a draft can be launched."))
    errors = launch_problems(campaign)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    start = at if at is not None and at > now else now
    with transaction.atomic():
        updated = Campaign.objects.filter(
            workspace=workspace, pk=campaign.pk, status=CampaignStatus.DRAFT
        ).update(status=CampaignStatus.SCHEDULED, scheduled_at=start)
        if not updated:
            raise ValidationError(_("Only a draft can be launched."))
        campaign.status, campaign.scheduled_at = CampaignStatus.SCHEDULED, start
        change_record(
            workspace=workspace,
            actor=actor,
            instance=campaign,
            action=ChangeAction.UPDATED,
            fields=["status", "scheduled_at"],
            data={"action": "launch"},
        )
        if start <= now:
            transaction.on_commit(lambda: (enqueue or _start_later)(workspace.pk, campaign.pk))
    return campaign


def _start_later(workspace_id: int, campaign_id: int) -> None:
    from ..tasks import campaign_start_task

    campaign_start_task.delay(workspace_id, campaign_id)


def _send_later(workspace_id: int, campaign_id: int) -> None:
    from ..tasks import send_workers_start

    send_workers_start(workspace_id, campaign_id)


def campaign_start(
    *, workspace_id: int, campaign_id: int, now=None, enqueue: Callable | None = None
):
    """Start a scheduled campaign whose time has come: freeze its content and links, create
    the deliveries (memory flat in the audience size) and mark it sending; `enqueue`
    (default: the send tasks) runs after commit. Idempotent: returns None for a campaign
    that is not due or not scheduled. Returns the number of deliveries queued."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update()
            .filter(workspace=workspace_id, pk=campaign_id, status=CampaignStatus.SCHEDULED)
            .first()
        )
        if campaign is None or (campaign.scheduled_at and campaign.scheduled_at > now):
            return None
        subject, html_body, text_body = _content(campaign)
        campaign.subject, campaign.html_body, campaign.text_body = subject, html_body, text_body
        TrackedLink.objects.filter(workspace=workspace_id, campaign=campaign).delete()
        TrackedLink.objects.bulk_create(
            TrackedLink(workspace_id=workspace_id, campaign=campaign, url=url, position=i)
            for i, url in enumerate(trackable_urls(html_body, text_body), start=1)
        )
        variants = _ab_variants(campaign)
        queued = _freeze(campaign, now, variants)
        campaign.status, campaign.launched_at = CampaignStatus.SENDING, now
        campaign.save(
            update_fields=[
                "subject",
                "html_body",
                "text_body",
                "status",
                "launched_at",
                "updated_at",
            ]
        )
        if not queued:
            campaign.status, campaign.finished_at = CampaignStatus.SENT, now
            campaign.save(update_fields=["status", "finished_at"])
            change_record(
                workspace=workspace_id,
                actor=None,
                instance=campaign,
                action=ChangeAction.UPDATED,
                fields=["status", "finished_at"],
                data={"status": CampaignStatus.SENT.value},
            )
        else:
            transaction.on_commit(lambda: (enqueue or _send_later)(workspace_id, campaign_id))
    return queued


def _has_variant_b(campaign: Campaign) -> bool:
    """True when the campaign has a variant B with its own subject or body."""
    return (
        CampaignVariant.objects.filter(workspace=campaign.workspace_id, campaign=campaign, key="B")
        .exclude(subject="", html_body="", text_body="")
        .exists()
    )


def _ab_variants(campaign: Campaign):
    """(A, B) variants of an A/B test, or None: A is the campaign's content, B its subject
    (or content) as edited."""
    if not campaign.ab_enabled:
        return None
    b = CampaignVariant.objects.filter(
        workspace=campaign.workspace_id, campaign=campaign, key="B"
    ).first()
    if b is None:
        return None
    a, _created = CampaignVariant.objects.update_or_create(
        workspace_id=campaign.workspace_id,
        campaign=campaign,
        key="A",
        defaults={
            "subject": campaign.subject,
            "html_body": campaign.html_body,
            "text_body": campaign.text_body,
        },
    )
    b.subject = b.subject or campaign.subject
    b.html_body = b.html_body or campaign.html_body
    b.text_body = b.text_body or campaign.text_body
    b.save()
    return a, b


ANALYZE_FROM = 10_000  # frozen deliveries from which the freeze refreshes the statistics


def _freeze(campaign: Campaign, now, variants) -> int:
    """Insert one queued Delivery per receivable contact of the audience, one per address
    (the first contact by id keeps a shared address); with an A/B test, every
    (100/test percent)th pair alternates A and B and the rest waits as pending."""
    audience = receivable(campaign_audience(campaign), workspace_id=campaign.workspace_id)
    rows = audience.order_by("pk").values_list("pk", "email_key")
    step = max(2, round(200 / campaign.ab_test_percent)) if variants else 0
    created = 0
    batch = []
    for index, (contact_id, key) in enumerate(rows.iterator(chunk_size=FREEZE_CHUNK)):
        delivery = Delivery(
            workspace_id=campaign.workspace_id,
            campaign_id=campaign.pk,
            contact_id=contact_id,
            address=key,
            status=DeliveryStatus.QUEUED,
            next_attempt_at=now,
        )
        if variants:
            slot = index % step
            if slot < 2:
                delivery.variant = variants[slot]
            else:
                delivery.status = DeliveryStatus.PENDING
        batch.append(delivery)
        if len(batch) >= FREEZE_CHUNK:
            created += _insert(batch)
            batch = []
    created += _insert(batch)
    if created >= ANALYZE_FROM and connection.vendor == "postgresql":
        # The planner's estimate of the workspace's deliveries dates from before this freeze
        # (autovacuum analyzes minutes later): believing the workspace has a handful, it read
        # every delivery of the workspace through (workspace, claimed_at) for each message's
        # UPDATE instead of the primary key, 18 ms a message at 100,000. A fixed-size sample
        # of three columns, counted with this transaction's own rows, fixes it.
        with connection.cursor() as cursor:
            cursor.execute(
                f'ANALYZE "{Delivery._meta.db_table}" (workspace_id, campaign_id, status)'
            )
    return (
        Delivery.objects.filter(
            workspace=campaign.workspace_id, campaign=campaign, status=DeliveryStatus.QUEUED
        ).count()
        if created
        else 0
    )


def _insert(batch) -> int:
    if not batch:
        return 0
    Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    return len(batch)


def campaign_ab_release(*, workspace, actor, campaign: Campaign, winner: str, enqueue=None) -> int:
    """Send the winning variant ("A" or "B") to the rest of an A/B test's audience: pending
    deliveries become queued with the winner. Returns how many."""
    variant = CampaignVariant.objects.get(workspace=workspace, campaign=campaign, key=winner)
    with transaction.atomic():
        released = Delivery.objects.filter(
            workspace=workspace, campaign=campaign, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.QUEUED, variant=variant, next_attempt_at=timezone.now())
        Campaign.objects.filter(workspace=workspace, pk=campaign.pk).update(
            ab_winner=winner, ab_decided_at=timezone.now()
        )
        if campaign.status == CampaignStatus.SENDING:
            transaction.on_commit(lambda: (enqueue or _send_later)(workspace.pk, campaign.pk))
    return released


def _transition(workspace, actor, campaign, *, from_states, to_state, action) -> Campaign:
    with transaction.atomic():
        updated = Campaign.objects.filter(
            workspace=workspace, pk=campaign.pk, status__in=from_states
        ).update(status=to_state)
        if not updated:
            raise ValidationError(
                _("This campaign cannot be %(action)s now (it is %(status)s).")
                % {"action": _ACTIONS.get(action, action), "status": campaign.get_status_display()}
            )
        campaign.status = to_state
        change_record(
            workspace=workspace,
            actor=actor,
            instance=campaign,
            action=ChangeAction.UPDATED,
            fields=["status"],
            data={"action": action},
        )
    return campaign


def campaign_pause(*, workspace, actor, campaign: Campaign) -> Campaign:
    """Stop sending after the messages in flight (a batch looks at the status every few
    messages and gives its unsent claims back). Raises ValidationError unless sending."""
    return _transition(
        workspace, actor, campaign, from_states=[CampaignStatus.SENDING],
        to_state=CampaignStatus.PAUSED, action="paused",
    )  # fmt: skip


def campaign_resume(*, workspace, actor, campaign: Campaign, enqueue=None) -> Campaign:
    """Continue a paused campaign exactly where it stopped: the queued deliveries go, none
    sent before goes again."""
    campaign = _transition(
        workspace, actor, campaign, from_states=[CampaignStatus.PAUSED],
        to_state=CampaignStatus.SENDING, action="resumed",
    )  # fmt: skip
    transaction.on_commit(lambda: (enqueue or _send_later)(workspace.pk, campaign.pk))
    return campaign


def campaign_cancel(*, workspace, actor, campaign: Campaign) -> Campaign:
    """Cancel a scheduled, sending or paused campaign: every delivery not yet sent becomes
    cancelled (messages already in flight finish)."""
    with transaction.atomic():
        campaign = _transition(
            workspace, actor, campaign,
            from_states=[CampaignStatus.SCHEDULED, CampaignStatus.SENDING, CampaignStatus.PAUSED],
            to_state=CampaignStatus.CANCELLED, action="cancelled",
        )  # fmt: skip
        Delivery.objects.filter(
            workspace=workspace,
            campaign=campaign,
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.PENDING],
        ).update(status=DeliveryStatus.CANCELLED)
        Campaign.objects.filter(workspace=workspace, pk=campaign.pk).update(
            finished_at=timezone.now()
        )
    return campaign


def campaign_delete(*, workspace, actor, campaign: Campaign) -> None:
    """Delete a draft (sent campaigns stay for their report)."""
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Only a draft can be deleted."))
    with transaction.atomic():
        change_record(
            workspace=workspace, actor=actor, instance=campaign, action=ChangeAction.DELETED
        )
        campaign.delete()


def campaigns_due(*, workspace_id: int, now=None) -> list[int]:
    """Ids of scheduled campaigns whose time has come."""
    now = now or timezone.now()
    return list(
        Campaign.objects.filter(
            workspace=workspace_id, status=CampaignStatus.SCHEDULED, scheduled_at__lte=now
        ).values_list("pk", flat=True)
    )
