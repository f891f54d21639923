"""Scores: each contact's fit, engagement and total computed from its contributions, and the
threshold crossing (a timeline event once per upward crossing, the owner given if set)."""

from collections import defaultdict

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact
from contacts.services.contacts import contact_update
from touchpoints.channels import Channel
from touchpoints.models import Direction
from touchpoints.services import interaction_record

from ..decay import engagement_sum, horizon_start
from ..models import Category, ContactScore, Contribution, ScoringSettings

THRESHOLD_KIND = "score.threshold_crossed"
SCORE_BATCH = 1000  # contacts recomputed per step


def settings_get(workspace) -> ScoringSettings:
    """The workspace's settings row, or an unsaved one with the defaults."""
    return ScoringSettings.objects.filter(workspace=workspace).select_related("owner").first() or (
        ScoringSettings(workspace=workspace)
    )


def scores_recompute(*, workspace, contact_ids, settings=None, now=None) -> dict:
    """Recompute the scores of `contact_ids` (any iterable, in steps of SCORE_BATCH) from
    their contributions: fit = Σ fit points; engagement = Σ points · 0.5^(age/half-life)
    (scoring.decay), rounded; total = fit + engagement. Writes only rows whose figures or
    threshold side changed; a contact crossing the threshold upward gets one
    "score.threshold_crossed" touch point and, with an owner set and none of its own, that
    owner (contacts.services.contact_update). Returns {"changed": n, "crossed": n}."""
    settings = settings or settings_get(workspace)
    now = now or timezone.now()
    ids = sorted(set(contact_ids))
    result = {"changed": 0, "crossed": 0}
    for start in range(0, len(ids), SCORE_BATCH):
        batch = ids[start : start + SCORE_BATCH]
        changed, crossed = _recompute_batch(workspace, batch, settings, now)
        result["changed"] += changed
        result["crossed"] += crossed
    return result


def _figures(workspace, ids, settings, now) -> dict:
    fits = dict(
        Contribution.objects.filter(workspace=workspace, contact_id__in=ids, category=Category.FIT)
        .values("contact_id")
        .annotate(points=Sum("points"))
        .values_list("contact_id", "points")
    )
    events = defaultdict(list)
    for contact_id, points, occurred_at in Contribution.objects.filter(
        workspace=workspace,
        contact_id__in=ids,
        category=Category.ENGAGEMENT,
        occurred_at__gte=horizon_start(now=now, half_life_days=settings.half_life_days),
    ).values_list("contact_id", "points", "occurred_at"):
        events[contact_id].append((points, occurred_at))
    figures = {}
    for contact_id in ids:
        fit = fits.get(contact_id) or 0
        engagement = engagement_sum(
            events.get(contact_id, []), now=now, half_life_days=settings.half_life_days
        )
        figures[contact_id] = (fit, engagement, fit + engagement)
    return figures


def _recompute_batch(workspace, ids, settings, now) -> tuple[int, int]:
    figures = _figures(workspace, ids, settings, now)
    rows = {
        s.contact_id: s
        for s in ContactScore.objects.filter(workspace=workspace, contact_id__in=ids)
    }
    existing_contacts = set(
        Contact.objects.filter(workspace=workspace, pk__in=ids).values_list("pk", flat=True)
    )
    threshold = settings.threshold
    new, updated, crossed = [], [], []
    for contact_id, (fit, engagement, total) in figures.items():
        if contact_id not in existing_contacts:
            continue  # deleted meanwhile
        above = threshold is not None and total >= threshold
        row = rows.get(contact_id)
        if row is None:
            if not (fit or engagement or above):
                continue  # no row means 0, below any positive threshold
            row = ContactScore(workspace=workspace, contact_id=contact_id)
            new.append(row)
        elif (row.fit, row.engagement, row.total, row.above_threshold) == (
            fit,
            engagement,
            total,
            above,
        ):
            continue
        else:
            updated.append(row)
        if above and not row.above_threshold:
            row.threshold_crossed_at = now
            crossed.append(row)
        row.fit, row.engagement, row.total = fit, engagement, total
        row.above_threshold, row.computed_at = above, now
    ContactScore.objects.bulk_create(new)
    ContactScore.objects.bulk_update(
        updated,
        ["fit", "engagement", "total", "above_threshold", "threshold_crossed_at", "computed_at"],
    )
    for row in crossed:
        _crossed(workspace, row, settings)
    return len(new) + len(updated), len(crossed)


def _crossed(workspace, score: ContactScore, settings) -> None:
    """The timeline event of an upward crossing, and the owner if one is set."""
    contact = Contact.objects.select_related("account").get(
        workspace=workspace, pk=score.contact_id
    )
    interaction_record(
        workspace=workspace,
        kind=THRESHOLD_KIND,
        channel=Channel.SYSTEM,
        contact=contact,
        app="scoring",
        direction=Direction.INTERNAL,
        occurred_at=score.threshold_crossed_at,
        subject=_("Lead score reached %(total)s (threshold %(threshold)s)")
        % {"total": score.total, "threshold": settings.threshold},
        data={
            "total": score.total,
            "fit": score.fit,
            "engagement": score.engagement,
            "threshold": settings.threshold,
        },
    )
    if settings.owner_id and contact.owner_id is None:
        contact_update(workspace=workspace, actor=None, contact=contact, owner=settings.owner)


def decay_candidates(*, workspace, settings, now) -> set:
    """The contacts whose engagement may have moved with time: those with engagement
    contributions inside the horizon, and those whose stored engagement is not 0."""
    recent = Contribution.objects.filter(
        workspace=workspace,
        category=Category.ENGAGEMENT,
        occurred_at__gte=horizon_start(now=now, half_life_days=settings.half_life_days),
    ).values_list("contact_id", flat=True)
    stored = (
        ContactScore.objects.filter(workspace=workspace)
        .filter(~Q(engagement=0))
        .values_list("contact_id", flat=True)
    )
    return set(recent) | set(stored)
