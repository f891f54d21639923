"""The A/B test decision: after `ab_wait_minutes` the variant with the better rate wins and
the rest of the audience (deliveries held back as `pending` at launch) is released with it.

Metric (Campaign.ab_metric): "clicks" (default) compares click rates, "opens" compares human
open rates (machine opens never decide a test); both over delivered messages of the variant
(marketing.selectors.reports). Ties, including no data at all, go to A: the first variant is
the marketer's baseline, and a test that showed no difference keeps it.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from workspaces.changelog import change_record
from workspaces.scoping import scopes_disabled

from ..models import AbMetric, Campaign, CampaignStatus, CampaignVariant, Delivery, DeliveryStatus
from ..selectors.reports import Figures, campaign_figures

logger = logging.getLogger(__name__)

VARIANTS = ("A", "B")
# a decision is due for campaigns that are sending (or paused, or already through their
# test share); drafts and scheduled ones have not started, cancelled ones never release
DECIDABLE = (CampaignStatus.SENDING, CampaignStatus.PAUSED, CampaignStatus.SENT)


@dataclass(frozen=True)
class AbDecision:
    """The outcome of campaign_ab_decide: `winner` "A" | "B", the compared rates in per cent
    (None: no delivered message yet), `released` deliveries moved pending → queued, and
    whether this call made the decision (`decided` False: it was made before)."""

    winner: str
    rates: dict[str, Decimal | None]
    released: int
    decided: bool


def ab_rate(figures: Figures | None, metric: str) -> Decimal | None:
    """The rate a variant is judged by: click rate, or human open rate for "opens"."""
    if figures is None:
        return None
    return figures.open_rate if metric == AbMetric.OPENS else figures.click_rate


def ab_pick_winner(rates: dict[str, Decimal | None]) -> str:
    """ "B" only when B's rate is strictly higher than A's (a missing rate counts as 0);
    otherwise "A" (ties go to the baseline)."""
    a, b = rates.get("A") or Decimal(0), rates.get("B") or Decimal(0)
    return "B" if b > a else "A"


def ab_decision_due_at(campaign) -> datetime.datetime | None:
    """When the test share has had its time: launched_at + ab_wait_minutes (None before launch)."""
    if campaign.launched_at is None:
        return None
    return campaign.launched_at + datetime.timedelta(minutes=campaign.ab_wait_minutes)


def campaign_ab_decide(*, workspace, campaign, actor=None, now=None, force=False) -> AbDecision:
    """Decide the A/B test of `campaign` and release the rest of its audience.

    Raises ValueError when the campaign has no A/B test, has not been launched, was
    cancelled, or its wait is not over (unless `force`, for a marketer who decides early).
    Idempotent: the winner is written with a conditional UPDATE (ab_winner = ""), so two
    workers deciding at once make one decision and the second call only reports it; the
    release (pending → queued with the winning variant) runs in the same transaction and
    touches only rows still pending, so nothing is released twice. Records the change in the
    change log. After commit the sending is woken for the released deliveries
    (`after_release`); the sending sweeper would find them too."""
    now = now or timezone.now()
    if not campaign.ab_enabled:
        raise ValueError("The campaign has no A/B test.")
    if campaign.launched_at is None or campaign.status not in DECIDABLE:
        raise ValueError("The A/B test is decided only after launch, and not once cancelled.")
    due = ab_decision_due_at(campaign)
    if not force and now < due:
        raise ValueError(f"The A/B test is decided from {due.isoformat()}.")
    _total, by_variant = campaign_figures(workspace=workspace, campaign=campaign)
    rates = {key: ab_rate(by_variant.get(key), campaign.ab_metric) for key in VARIANTS}
    winner = ab_pick_winner(rates)
    with transaction.atomic():
        won = Campaign.objects.filter(pk=campaign.pk, ab_winner="").update(
            ab_winner=winner, ab_decided_at=now, updated_at=now
        )
        if not won:
            campaign.refresh_from_db(fields=["ab_winner", "ab_decided_at"])
            return AbDecision(campaign.ab_winner, rates, 0, decided=False)
        variant = CampaignVariant.objects.filter(campaign=campaign, key=winner).first()
        released = Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.QUEUED,
            variant=variant,
            # due at once: the sender claims queued rows due by the real clock
            next_attempt_at=timezone.now(),
            updated_at=now,
        )
        campaign.ab_winner, campaign.ab_decided_at = winner, now
        change_record(
            workspace=workspace,
            actor=actor,
            instance=campaign,
            action="updated",
            fields=["ab_winner", "ab_decided_at"],
            data={"released": released, "metric": campaign.ab_metric},
        )
        if released and campaign.status == CampaignStatus.SENT:
            # the test share was through; the campaign is sending again until the rest is
            Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENT).update(
                status=CampaignStatus.SENDING, finished_at=None
            )
            campaign.status = CampaignStatus.SENDING
        transaction.on_commit(lambda: after_release(workspace.pk, campaign.pk, released))
    logger.info(
        "A/B test of campaign %s decided: %s (%s %s), %s deliveries released",
        campaign.pk,
        winner,
        campaign.ab_metric,
        rates,
        released,
    )
    return AbDecision(winner, rates, released, decided=True)


def after_release(workspace_id: int, campaign_id: int, released: int) -> None:
    """Wake the sending for the released deliveries (the batch chains of marketing.tasks). A
    Celery message is only a wake-up: the sending sweeper also finds a sending campaign with
    due queued deliveries."""
    if not released:
        return
    from ..tasks import send_workers_start

    send_workers_start(workspace_id, campaign_id)


def campaigns_ab_due(*, now=None) -> list[tuple[int, int]]:
    """(workspace_id, campaign_id) of the A/B tests across workspaces whose decision is due:
    enabled, undecided, launched, not cancelled and past launched_at + ab_wait_minutes.
    The beat's fan-out reads here (undecided A/B tests are few; the wait is compared in
    Python so the query stays portable)."""
    now = now or timezone.now()
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        rows = list(
            Campaign.all_workspaces.filter(
                ab_enabled=True,
                ab_winner="",
                launched_at__isnull=False,
                status__in=DECIDABLE,
            ).values_list("workspace_id", "pk", "launched_at", "ab_wait_minutes")
        )
    return [
        (workspace_id, pk)
        for workspace_id, pk, launched_at, wait in rows
        if launched_at + datetime.timedelta(minutes=wait) <= now
    ]
