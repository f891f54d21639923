"""The built-in segment rules on contact fields, consent and touch points (registered by
contacts.registration through `register_builtin_rules`); the registry, the checking of values
and the compiling of rule trees are in contacts.segment_rules."""

import datetime
import zoneinfo

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from touchpoints.channels import Channel
from touchpoints.models import Interaction
from workspaces.selectors import member_list

from .models import ContactTag, Education, LifecycleStage, Sex, Tag
from .segment_rules import MAX_AGE, SegmentRule, register_segment_rule


def workspace_zone(workspace):
    """The workspace's time zone (UTC when unset or unknown)."""
    try:
        return zoneinfo.ZoneInfo(getattr(workspace, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def workspace_today(workspace) -> datetime.date:
    """Today's date on the workspace's clocks."""
    return timezone.now().astimezone(workspace_zone(workspace)).date()


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """`day` moved back `years` years; 29 February becomes 28 February in common years."""
    year = day.year - years
    if year < datetime.MINYEAR:
        return datetime.date.min
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def age_q(workspace, operator, value) -> Q:
    """Age in whole years today (workspace time zone) as a date_of_birth range, so the index
    on (workspace, date_of_birth) or the segment index serves it. Aged at least A: born on or
    before today minus A years; aged at most B: born after today minus B+1 years (someone
    born on 29 February turns a year older on 1 March in common years)."""
    today = workspace_today(workspace)
    if operator == "between":
        low, high = value
    elif operator == "gte":
        low, high = value, None
    elif operator == "lte":
        low, high = None, value
    else:  # eq
        low, high = value, value
    q = Q(date_of_birth__isnull=False)
    if low is not None:
        q &= Q(date_of_birth__lte=_years_before(today, low))
    if high is not None:
        q &= Q(date_of_birth__gt=_years_before(today, high + 1))
    return q


def _choice_field_q(field: str):
    def build(workspace, operator, value):
        if operator == "in":
            return Q(**{f"{field}__in": value})
        if operator == "not_in":
            return ~Q(**{f"{field}__in": value})
        if operator == "is_empty":
            return Q(**{field: ""})
        return ~Q(**{field: ""})

    return build


def _text_field_q(field: str):
    def build(workspace, operator, value):
        if operator == "is":
            return Q(**{f"{field}__iexact": value})
        if operator == "is_not":
            return ~Q(**{f"{field}__iexact": value})
        if operator == "contains":
            return Q(**{f"{field}__icontains": value})
        if operator == "starts_with":
            return Q(**{f"{field}__istartswith": value})
        if operator == "is_empty":
            return Q(**{field: ""})
        return ~Q(**{field: ""})

    return build


def _local_midnight(workspace, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=workspace_zone(workspace))


def _moment_q(field: str, *, nullable: bool):
    """Rules on a date-time column, read as dates on the workspace's clocks."""

    def build(workspace, operator, value):
        if operator == "is_empty":
            return Q(**{f"{field}__isnull": True})
        if operator == "is_not_empty":
            return Q(**{f"{field}__isnull": False})
        if operator in ("within_days", "older_than_days"):
            moment = timezone.now() - datetime.timedelta(days=value)
            if operator == "within_days":
                return Q(**{f"{field}__gte": moment})
            return Q(**{f"{field}__lt": moment})
        if operator == "before":
            return Q(**{f"{field}__lt": _local_midnight(workspace, value)})
        if operator == "after":
            next_day = value + datetime.timedelta(days=1)
            return Q(**{f"{field}__gte": _local_midnight(workspace, next_day)})
        start, end = value
        return Q(
            **{
                f"{field}__gte": _local_midnight(workspace, start),
                f"{field}__lt": _local_midnight(workspace, end + datetime.timedelta(days=1)),
            }
        )

    return build


def _bool_q(field: str):
    def build(workspace, operator, value):
        return Q(**{field: operator == "is_true"})

    return build


def tags_q(workspace, operator, value) -> Q:
    linked = ContactTag.objects.filter(workspace=workspace, contact=OuterRef("pk"), tag__in=value)
    return Q(Exists(linked)) if operator == "in" else ~Q(Exists(linked))


def _tag_choices(workspace):
    return list(Tag.objects.filter(workspace=workspace).order_by("name").values_list("id", "name"))


def _member_choices(workspace):
    return [(u.pk, u.get_full_name() or u.email) for u in member_list(workspace=workspace)]


def owner_q(workspace, operator, value) -> Q:
    if operator == "in":
        return Q(owner__in=value)
    if operator == "not_in":
        return ~Q(owner__in=value) | Q(owner__isnull=True)
    if operator == "is_empty":
        return Q(owner__isnull=True)
    return Q(owner__isnull=False)


def channel_within_q(workspace, operator, value) -> Q:
    """Had (or had not) a touch point on a channel in the last N days (Interaction rows)."""
    since = timezone.now() - datetime.timedelta(days=value["days"])
    touched = Interaction.objects.filter(
        workspace=workspace,
        contact=OuterRef("pk"),
        channel=value["channel"],
        occurred_at__gte=since,
    )
    return Q(Exists(touched)) if operator == "within" else ~Q(Exists(touched))


def interaction_count_q(workspace, operator, value) -> Q:
    """The number of touch points in the last N days: at least / at most / between. Zero
    counts are the contacts absent from the grouped subquery, so "at most" is written as the
    complement of "more than"."""
    since = timezone.now() - datetime.timedelta(days=value["days"])
    counted = (
        Interaction.objects.filter(
            workspace=workspace, occurred_at__gte=since, contact__isnull=False
        )
        .values("contact")
        .annotate(n=Count("id"))
    )
    count = value["count"]
    low, high = {"gte": (count, None), "lte": (0, count)}.get(operator, (None, None))
    if operator == "between":
        low, high = count
    q = Q()
    if low:
        q &= Q(pk__in=counted.filter(n__gte=low).values("contact"))
    if high is not None:
        q &= ~Q(pk__in=counted.filter(n__gt=high).values("contact"))
    return q


def untouched_q(workspace, operator, value) -> Q:
    """No touch point for at least N days (or never): on Contact.last_interaction_at."""
    since = timezone.now() - datetime.timedelta(days=value)
    return Q(last_interaction_at__lt=since) | Q(last_interaction_at__isnull=True)


def register_builtin_rules() -> None:
    """The rules on contact fields and touch points (called by contacts.registration)."""
    person, place, relation, consent, behaviour = (
        gettext_lazy("Person"),
        gettext_lazy("Place"),
        gettext_lazy("Relationship"),
        gettext_lazy("Consent"),
        gettext_lazy("Behaviour"),
    )
    choice_ops = ("in", "not_in", "is_empty", "is_not_empty")
    text_ops = ("is", "is_not", "contains", "starts_with", "is_empty", "is_not_empty")
    date_ops = ("within_days", "older_than_days", "before", "after", "between")
    for rule in (
        SegmentRule(
            "sex",
            gettext_lazy("Sex"),
            person,
            choice_ops,
            "choice",
            _choice_field_q("sex"),
            Sex.choices,
            10,
        ),
        SegmentRule(
            "age",
            gettext_lazy("Age"),
            person,
            ("between", "gte", "lte", "eq"),
            "number",
            age_q,
            order=20,
            unit=gettext_lazy("years"),
            number_limit=MAX_AGE,
        ),
        SegmentRule(
            "education",
            gettext_lazy("Education"),
            person,
            choice_ops,
            "choice",
            _choice_field_q("education"),
            Education.choices,
            30,
        ),
        SegmentRule(
            "country",
            gettext_lazy("Country"),
            place,
            text_ops,
            "text",
            _text_field_q("country"),
            order=40,
        ),
        SegmentRule(
            "city", gettext_lazy("City"), place, text_ops, "text", _text_field_q("city"), order=50
        ),
        SegmentRule(
            "lifecycle_stage",
            gettext_lazy("Lifecycle stage"),
            relation,
            ("in", "not_in"),
            "choice",
            _choice_field_q("lifecycle_stage"),
            LifecycleStage.choices,
            60,
        ),
        SegmentRule(
            "tags",
            gettext_lazy("Tags"),
            relation,
            ("in", "not_in"),
            "ids",
            tags_q,
            _tag_choices,
            70,
        ),
        SegmentRule(
            "owner",
            gettext_lazy("Owner"),
            relation,
            choice_ops,
            "ids",
            owner_q,
            _member_choices,
            80,
        ),
        SegmentRule(
            "created",
            gettext_lazy("Created"),
            relation,
            date_ops,
            "date",
            _moment_q("created_at", nullable=False),
            order=90,
        ),
        SegmentRule(
            "email_opt_in",
            gettext_lazy("Email opt-in"),
            consent,
            ("is_true", "is_false"),
            "bool",
            _bool_q("email_opt_in"),
            order=100,
        ),
        SegmentRule(
            "do_not_mail",
            gettext_lazy("Do not mail"),
            consent,
            ("is_true", "is_false"),
            "bool",
            _bool_q("do_not_mail"),
            order=110,
        ),
        SegmentRule(
            "interaction_channel",
            gettext_lazy("Touch point on channel"),
            behaviour,
            ("within", "not_within"),
            "channel_days",
            channel_within_q,
            Channel.choices,
            200,
        ),
        SegmentRule(
            "interaction_count",
            gettext_lazy("Number of touch points"),
            behaviour,
            ("gte", "lte", "between"),
            "count_days",
            interaction_count_q,
            order=210,
        ),
        SegmentRule(
            "untouched",
            gettext_lazy("No touch point"),
            behaviour,
            ("at_least_days",),
            "days",
            untouched_q,
            order=220,
        ),
        SegmentRule(
            "last_touch",
            gettext_lazy("Last touch point"),
            behaviour,
            (*date_ops, "is_empty", "is_not_empty"),
            "date",
            _moment_q("last_interaction_at", nullable=True),
            order=230,
        ),
    ):
        register_segment_rule(rule)
