"""Event rules: the shared history read by cursor (touchpoints.selectors.interactions_after)
and turned into contributions, at most one per (rule, touch point), caps enforced."""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from contacts.segment_rules_builtin import workspace_zone
from touchpoints.channels import Channel
from touchpoints.models import Interaction
from touchpoints.registry import interaction_kind_label
from touchpoints.selectors import interactions_after

from ..decay import capped_points, period_start
from ..models import Category, Contribution, RuleKind, ScoringCursor, ScoringRule

BATCH_SIZE = 1000  # touch points read per step of the cursor
OWN_APP = "scoring"  # the threshold events scoring writes itself are never scored


def _matches(rule: ScoringRule, interaction) -> bool:
    return (not rule.event_kind or rule.event_kind == interaction.kind) and (
        not rule.event_channel or rule.event_channel == interaction.channel
    )


def _reason(rule: ScoringRule, interaction, *, points: int) -> str:
    reason = _("%(kind)s on %(channel)s") % {
        "kind": interaction_kind_label(interaction.kind),
        "channel": Channel(interaction.channel).label
        if interaction.channel in Channel.values
        else interaction.channel,
    }
    if points != rule.points:
        reason += " " + _("(capped: at most %(cap)s points %(period)s)") % {
            "cap": rule.cap_points,
            "period": rule.get_cap_period_display(),
        }
    return reason[:300]


def _given_in_periods(workspace, rules, contact_ids, since) -> list[tuple]:
    """(rule id, contact id, occurred_at, points) of the capped rules' contributions to
    `contact_ids` since `since`: what the caps have used already."""
    if not rules or not contact_ids:
        return []
    return list(
        Contribution.objects.filter(
            workspace=workspace,
            rule__in=rules,
            contact_id__in=contact_ids,
            occurred_at__gte=since,
        ).values_list("rule_id", "contact_id", "occurred_at", "points")
    )


def events_consume_batch(*, workspace, cursor: ScoringCursor, rules: list) -> tuple[int, set]:
    """Score the next BATCH_SIZE touch points after `cursor.interaction_seq` (the caller holds
    the cursor's lock) and move the cursor past them. Idempotent: a (rule, touch point) that
    has a contribution already is skipped, so a re-read changes nothing. Returns (touch points
    read, ids of the contacts that got contributions)."""
    interactions = interactions_after(
        workspace=workspace, after_seq=cursor.interaction_seq, limit=BATCH_SIZE
    )
    if not interactions:
        return 0, set()
    scored = [i for i in interactions if i.contact_id and i.app != OWN_APP]
    pairs = [(rule, i) for i in scored for rule in rules if _matches(rule, i)]
    touched: set = set()
    if pairs:
        touched = _contribute(workspace, pairs)
    cursor.interaction_seq = interactions[-1].seq
    cursor.save(update_fields=["interaction_seq", "updated_at"])
    return len(interactions), touched


def _contribute(workspace, pairs) -> set:
    zone = workspace_zone(workspace)
    interaction_ids = {i.pk for _rule, i in pairs}
    done = set(
        Contribution.objects.filter(
            workspace=workspace, interaction_id__in=interaction_ids
        ).values_list("rule_id", "interaction_id")
    )
    capped = {rule.pk: rule for rule, _i in pairs if rule.cap_points and rule.cap_period}
    given: dict = defaultdict(int)  # (rule id, contact id, period start) -> absolute points
    if capped:
        since = min(
            period_start(i.occurred_at, capped[rule.pk].cap_period, zone)
            for rule, i in pairs
            if rule.pk in capped
        )
        contact_ids = {i.contact_id for rule, i in pairs if rule.pk in capped}
        for rule_id, contact_id, occurred_at, points in _given_in_periods(
            workspace, list(capped.values()), contact_ids, since
        ):
            start = period_start(occurred_at, capped[rule_id].cap_period, zone)
            given[(rule_id, contact_id, start)] += abs(points)
    rows = []
    for rule, interaction in sorted(pairs, key=lambda p: (p[1].occurred_at, p[1].seq)):
        if (rule.pk, interaction.pk) in done:
            continue
        points = rule.points
        if rule.pk in capped:
            key = (
                rule.pk,
                interaction.contact_id,
                period_start(interaction.occurred_at, rule.cap_period, zone),
            )
            points = capped_points(rule.points, cap=rule.cap_points, given=given[key])
            given[key] += abs(points)
        rows.append(
            Contribution(
                workspace=workspace,
                contact_id=interaction.contact_id,
                rule=rule,
                interaction=interaction,
                slot=interaction.pk,
                category=rule.category,
                points=points,
                reason=_reason(rule, interaction, points=points),
                occurred_at=interaction.occurred_at,
            )
        )
    Contribution.objects.bulk_create(rows, ignore_conflicts=True)
    return {row.contact_id for row in rows}


def events_backfill(*, workspace, cursor: ScoringCursor, rules: list, since) -> set:
    """Give `rules` (new or changed event rules) their contributions for the touch points the
    cursor has passed already: those from `since` on for engagement rules (older ones would
    have decayed to nothing), the whole history for fit rules. Same matching, caps and
    idempotency as the cursor's batches (a (rule, touch point) with a contribution is
    skipped). Reads in steps of BATCH_SIZE by `seq`. Returns the ids of the contacts that got
    contributions."""
    touched: set = set()
    if not rules:
        return touched
    matching = Q()
    for rule in rules:
        part = Q()
        if rule.event_kind:
            part &= Q(kind=rule.event_kind)
        if rule.event_channel:
            part &= Q(channel=rule.event_channel)
        matching |= part
    earliest = None if any(r.category == Category.FIT for r in rules) else since
    rows = Interaction.objects.filter(
        matching, workspace=workspace, contact__isnull=False, seq__lte=cursor.interaction_seq
    ).exclude(app=OWN_APP)
    if earliest is not None:
        rows = rows.filter(occurred_at__gte=earliest)
    after = 0
    while True:
        batch = list(rows.filter(seq__gt=after).order_by("seq")[:BATCH_SIZE])
        if not batch:
            return touched
        pairs = [
            (rule, i)
            for i in batch
            for rule in rules
            if _matches(rule, i)
            and (rule.category == Category.FIT or since is None or i.occurred_at >= since)
        ]
        if pairs:
            touched |= _contribute(workspace, pairs)
        after = batch[-1].seq


def active_event_rules(workspace) -> list:
    """The workspace's active event rules (one query)."""
    return list(
        ScoringRule.objects.filter(workspace=workspace, kind=RuleKind.EVENT, active=True).filter(
            ~Q(points=0)
        )
    )
