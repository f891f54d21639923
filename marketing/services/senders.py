"""Writes of sender identities and the workspace's bounce settings."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record
from workspaces.service_checks import delete_recorded, raise_if, same_workspace_require

from ..deliverability import domain_check
from ..models import BounceSettings, SenderIdentity

SENDER_FIELDS = (
    "name",
    "from_name",
    "from_email",
    "reply_to",
    "dkim_selector",
    "rate_per_minute",
    "hourly_cap",
    "daily_cap",
    "allowed_weekdays",
    "allowed_start",
    "allowed_end",
)


def _sender_check(sender: SenderIdentity) -> None:
    errors: dict = {}
    days = sender.allowed_weekdays or []
    if not isinstance(days, list) or any(
        not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in days
    ):
        errors["allowed_weekdays"] = [_("Weekdays are numbers from 0 (Monday) to 6 (Sunday).")]
    else:
        sender.allowed_weekdays = sorted(set(days))
    if (sender.allowed_start is None) != (sender.allowed_end is None):
        errors["allowed_end"] = [_("Give both times of the sending window, or neither.")]
    elif sender.allowed_start is not None and sender.allowed_start == sender.allowed_end:
        errors["allowed_end"] = [_("The window must not start and end at the same time.")]
    for field in ("rate_per_minute", "hourly_cap", "daily_cap"):
        if getattr(sender, field) == 0:
            errors[field] = [_("Leave it empty for no limit; zero would never send.")]
    try:
        sender.full_clean(exclude=["workspace", "dns_check", "dns_checked_at"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    raise_if(errors)


@transaction.atomic
def sender_create(*, workspace, actor, **fields) -> SenderIdentity:
    """Create a sender identity (fields of SENDER_FIELDS). ValidationError keyed by field
    (bad address, half a sending window, a zero cap, weekdays outside 0-6). Recorded."""
    unknown = set(fields) - set(SENDER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    sender = SenderIdentity(workspace=workspace, **fields)
    _sender_check(sender)
    sender.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=sender,
        action=ChangeAction.CREATED,
        fields=list(fields),
    )
    return sender


@transaction.atomic
def sender_update(*, workspace, actor, sender: SenderIdentity, **fields) -> SenderIdentity:
    """Change the given fields; same checks as sender_create. A changed from address or DKIM
    selector clears the last DNS check (it was of another domain). Recorded."""
    same_workspace_require(workspace=workspace, obj=sender, field="sender")
    unknown = set(fields) - set(SENDER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    changed = [k for k, v in fields.items() if getattr(sender, k) != v]
    for key, value in fields.items():
        setattr(sender, key, value)
    _sender_check(sender)
    if {"from_email", "dkim_selector"} & set(changed):
        sender.dns_check, sender.dns_checked_at = {}, None
        changed += ["dns_check", "dns_checked_at"]
    if changed:
        sender.save()
        change_record(
            workspace=workspace,
            actor=actor,
            instance=sender,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return sender


@transaction.atomic
def sender_delete(*, workspace, actor, sender: SenderIdentity) -> None:
    """Delete a sender identity. ValidationError when a campaign still uses it."""
    same_workspace_require(workspace=workspace, obj=sender, field="sender")
    if sender.campaigns.exists():
        raise ValidationError(_("Campaigns use this sender; change them first."))
    delete_recorded(workspace=workspace, actor=actor, instance=sender)


def sender_check_dns(*, workspace, actor, sender: SenderIdentity) -> SenderIdentity:
    """Look up the SPF, DKIM and DMARC records of the sender's domain (outside any
    transaction: DNS may take seconds) and store the result with its time. Recorded."""
    same_workspace_require(workspace=workspace, obj=sender, field="sender")
    domain = sender.from_email.rpartition("@")[2]
    result = domain_check(domain, sender.dkim_selector)
    with transaction.atomic():
        sender.dns_check = result
        sender.dns_checked_at = timezone.now()
        sender.save(update_fields=["dns_check", "dns_checked_at", "updated_at"])
        change_record(
            workspace=workspace,
            actor=actor,
            instance=sender,
            action=ChangeAction.UPDATED,
            fields=["dns_check", "dns_checked_at"],
        )
    return sender


# --- bounce settings --------------------------------------------------------------------------


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def bounce_settings_get(*, workspace) -> BounceSettings:
    """The workspace's bounce settings, made with a fresh secret on first use."""
    row = BounceSettings.objects.select_for_update().filter(workspace=workspace).first()
    if row is None:
        row = BounceSettings.objects.create(workspace=workspace, secret=_new_secret())
    return row


@transaction.atomic
def bounce_secret_rotate(*, workspace, actor) -> BounceSettings:
    """Replace the endpoint's secret (the old one stops working at once). Recorded (the
    secret itself is not written to the change log)."""
    row = bounce_settings_get(workspace=workspace)
    row.secret = _new_secret()
    row.rotated_at = timezone.now()
    row.save(update_fields=["secret", "rotated_at", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=row,
        action=ChangeAction.UPDATED,
        fields=["secret", "rotated_at"],
    )
    return row


@transaction.atomic
def bounce_settings_update(
    *, workspace, actor, soft_bounce_limit: int, soft_bounce_days: int
) -> BounceSettings:
    """Set how many soft bounces within how many days suppress an address (both 1-365)."""
    errors = {}
    if not 1 <= int(soft_bounce_limit) <= 365:
        errors["soft_bounce_limit"] = [_("Between 1 and 365.")]
    if not 1 <= int(soft_bounce_days) <= 365:
        errors["soft_bounce_days"] = [_("Between 1 and 365.")]
    raise_if(errors)
    row = bounce_settings_get(workspace=workspace)
    row.soft_bounce_limit, row.soft_bounce_days = soft_bounce_limit, soft_bounce_days
    row.save(update_fields=["soft_bounce_limit", "soft_bounce_days", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=row,
        action=ChangeAction.UPDATED,
        fields=["soft_bounce_limit", "soft_bounce_days"],
    )
    return row
