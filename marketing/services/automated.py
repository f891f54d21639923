"""Automated sends: one message of an email template to one contact, outside a planned
campaign (a journey's "send email" step). Each automation (named by a key such as
"journey 12:s3") has one campaign of its own that holds its deliveries, so these messages go
through the same pipeline as every campaign: consent and suppression checked at send time,
the sender identity and its throttle, VERP return path, unsubscribe headers, tracked links
and the open pixel, the history entries (campaign.sent / opened / clicked) and the report.

The campaign is found by the key at the start of its name ("[auto <key>] …"); it stays
sending while messages are in flight and is marked sent (by the batch) when none is left.
A delivery is unique per (campaign, contact): an automation mails a contact once.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from ..models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    EmailTemplate,
    SenderIdentity,
    TrackedLink,
)
from .campaigns import campaign_create
from .compose import trackable_urls
from .sending import campaign_send_batch


def automated_prefix(key: str) -> str:
    """The name prefix that marks the campaign of automation `key`."""
    return f"[auto {key}]"


def _content_sync(campaign: Campaign, template: EmailTemplate, sender) -> None:
    """Copy the template's current content (and the sender) into the campaign and add a
    TrackedLink for each new URL (old positions stay: earlier messages link to them)."""
    changed = []
    for name in ("subject", "html_body", "text_body"):
        if getattr(campaign, name) != getattr(template, name):
            setattr(campaign, name, getattr(template, name))
            changed.append(name)
    if campaign.template_id != template.pk:
        campaign.template = template
        changed.append("template")
    if sender is not None and campaign.sender_id != sender.pk:
        campaign.sender = sender
        changed.append("sender")
    if changed:
        campaign.save(update_fields=[*changed, "updated_at"])
    known = dict(
        TrackedLink.objects.filter(workspace=campaign.workspace_id, campaign=campaign).values_list(
            "url", "position"
        )
    )
    position = max(known.values(), default=0)
    new = []
    for url in trackable_urls(campaign.html_body, campaign.text_body):
        if url not in known:
            position += 1
            new.append(
                TrackedLink(
                    workspace_id=campaign.workspace_id,
                    campaign=campaign,
                    url=url,
                    position=position,
                )
            )
    TrackedLink.objects.bulk_create(new)


def automated_campaign_get(
    *, workspace, key: str, name: str, template: EmailTemplate, sender=None
) -> Campaign:
    """The campaign of automation `key` (created the first time, named "[auto <key>] <name>"),
    with the template's current content. `template` and `sender` must be of `workspace`
    (ValueError otherwise)."""
    if template.workspace_id != workspace.pk or (
        sender is not None and sender.workspace_id != workspace.pk
    ):
        raise ValueError("template and sender must belong to the workspace")
    prefix = automated_prefix(key)
    with transaction.atomic():
        campaign = (
            Campaign.objects.filter(workspace=workspace, name__startswith=prefix + " ")
            .order_by("pk")
            .first()
        )
        if campaign is None:
            campaign = campaign_create(
                workspace=workspace,
                actor=None,
                name=f"{prefix} {name}"[:200],
                template=template,
                sender=sender,
                subject=template.subject,
                html_body=template.html_body,
                text_body=template.text_body,
            )
        _content_sync(campaign, template, sender)
    return campaign


class AddressAlreadyMailed(Exception):  # noqa: N818 - says what happened
    """Another contact with the same address got this automation's message already (a
    campaign mails an address once)."""


def automated_send(*, workspace, campaign: Campaign, contact, now=None) -> Delivery:
    """Send `campaign`'s message to `contact` now, through the campaign pipeline
    (marketing.services.sending). Idempotent: the delivery of (campaign, contact) is made
    once; a sent one is returned as it is, a queued one (a temporary refusal earlier) is
    tried again at once. Returns the delivery after the attempt; its status says what
    happened: sent, queued (temporary refusal or throttled: try again later), failed
    (permanent refusal, last_error), suppressed (no consent or suppressed address).
    A paused or cancelled campaign sends nothing (the delivery stays queued / is cancelled).
    Raises AddressAlreadyMailed when another contact with the same address has a delivery
    of the campaign.
    Content that cannot be rendered for the contact fails the delivery (last_error)."""
    now = now or timezone.now()
    with transaction.atomic():
        if (
            Delivery.objects.filter(
                workspace=workspace, campaign=campaign, address=contact.email_key
            )
            .exclude(contact=contact)
            .exists()
        ):
            raise AddressAlreadyMailed(contact.email_key)
        delivery, _created = Delivery.objects.get_or_create(
            workspace=workspace,
            campaign=campaign,
            contact=contact,
            defaults={
                "address": contact.email_key,
                "status": DeliveryStatus.QUEUED,
                "next_attempt_at": now,
            },
        )
        if delivery.status != DeliveryStatus.QUEUED:
            return delivery
        Delivery.objects.filter(
            workspace=workspace, pk=delivery.pk, status=DeliveryStatus.QUEUED
        ).update(next_attempt_at=now - datetime.timedelta(microseconds=1))
        if campaign.status == CampaignStatus.CANCELLED:
            Delivery.objects.filter(
                workspace=workspace, pk=delivery.pk, status=DeliveryStatus.QUEUED
            ).update(status=DeliveryStatus.CANCELLED)
            delivery.refresh_from_db()
            return delivery
        if campaign.status == CampaignStatus.PAUSED:
            return delivery
        Campaign.objects.filter(workspace=workspace, pk=campaign.pk).exclude(
            status=CampaignStatus.SENDING
        ).update(status=CampaignStatus.SENDING, launched_at=campaign.launched_at or now)
    campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk)
    delivery.refresh_from_db()
    return delivery


def automated_sender_default(*, workspace):
    """The workspace's first sender identity (by id), or None (DEFAULT_FROM_EMAIL then)."""
    return SenderIdentity.objects.filter(workspace=workspace).order_by("pk").first()
