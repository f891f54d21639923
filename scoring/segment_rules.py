"""The segment rules scoring adds to the registry of contacts.segment_rules (registered by
scoring.registration_rules): "lead score (total / fit / engagement) is at least / at most N"
(a contact without a score row has a score of 0), and the contact and company fields fit
rules ask about that the built-in rules do not cover: job title, the company's industry and
size (offered in marketing's segment builder too)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from contacts.models import AccountSize
from contacts.segment_rules import SegmentRule

from .models import ContactScore

SCORE_LIMIT = 1_000_000


def _score_q(column: str):
    def build(workspace, operator, value) -> Q:
        scores = ContactScore.objects.filter(workspace=workspace, contact=OuterRef("pk"))
        if operator == "gte":
            # at least N: a row with enough points (or, for N <= 0, no row: a score of 0)
            q = Q(Exists(scores.filter(**{f"{column}__gte": value})))
            return q | ~Q(Exists(scores)) if value <= 0 else q
        # at most N: no row with more points (and, for N < 0, a row: 0 is more than N)
        q = ~Q(Exists(scores.filter(**{f"{column}__gt": value})))
        return q & Q(Exists(scores)) if value < 0 else q

    return build


SCORE_RULES = tuple(
    SegmentRule(
        key=key,
        label=label,
        group=_("Lead score"),
        operators=("gte", "lte"),
        value_kind="number",
        q_builder=_score_q(column),
        order=order,
        unit=_("points"),
        number_limit=SCORE_LIMIT,
    )
    for key, label, column, order in (
        ("lead_score_total", _("Lead score (total)"), "total", 400),
        ("lead_score_fit", _("Lead score (fit)"), "fit", 410),
        ("lead_score_engagement", _("Lead score (engagement)"), "engagement", 420),
    )
)


def _text_q(field: str, *, nullable: bool = False):
    """Text rules on `field`; `nullable` for a column across the optional account link (a
    contact without an account has an empty one)."""

    def build(workspace, operator, value) -> Q:
        empty = Q(**{field: ""}) | (Q(account__isnull=True) if nullable else Q())
        if operator == "is_empty":
            return empty
        if operator == "is_not_empty":
            return ~Q(**{field: ""}) & (Q(account__isnull=False) if nullable else Q())
        lookup = {"is": "iexact", "is_not": "iexact", "contains": "icontains"}.get(
            operator, "istartswith"
        )
        q = Q(**{f"{field}__{lookup}": value})
        return ~q if operator == "is_not" else q

    return build


def _size_q(workspace, operator, value) -> Q:
    if operator == "in":
        return Q(account__size__in=value)
    if operator == "not_in":
        return ~Q(account__size__in=value) | Q(account__isnull=True)
    if operator == "is_empty":
        return Q(account__isnull=True) | Q(account__size="")
    return Q(account__isnull=False) & ~Q(account__size="")


TEXT_OPERATORS = ("is", "is_not", "contains", "starts_with", "is_empty", "is_not_empty")
FIELD_RULES = (
    SegmentRule(
        key="job_title",
        label=_("Job title"),
        group=_("Person"),
        operators=TEXT_OPERATORS,
        value_kind="text",
        q_builder=_text_q("job_title"),
        order=35,
    ),
    SegmentRule(
        key="account_industry",
        label=_("Company industry"),
        group=_("Company"),
        operators=TEXT_OPERATORS,
        value_kind="text",
        q_builder=_text_q("account__industry", nullable=True),
        order=55,
    ),
    SegmentRule(
        key="account_size",
        label=_("Company size"),
        group=_("Company"),
        operators=("in", "not_in", "is_empty", "is_not_empty"),
        value_kind="choice",
        q_builder=_size_q,
        choices=AccountSize.choices,
        order=56,
    ),
)
