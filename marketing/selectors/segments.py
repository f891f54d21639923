"""Reads of segments: the contacts a segment stands for, its counts and members.

`segment_contacts(segment)` is the one answer to "who is in this segment now": a dynamic
segment's rules compiled afresh (contacts.segment_rules), a static list's stored members.
`email_receivable(contacts)` narrows any contact queryset to those an email may go to:
opted in, not "do not mail", with an address, and the address not suppressed
(marketing.Suppression, compared by the email key).
"""

from django.db.models import Exists, OuterRef, QuerySet

from contacts.models import Contact
from contacts.segment_rules import RuleContext, RulesInvalid, rules_compile

from ..models import Segment, SegmentMember, Suppression

SAMPLE_SIZE = 10
MEMBERS_PAGE = 50


class SegmentProblem(Exception):
    """The segment's rules cannot be evaluated (a field no longer exists …): it is flagged
    (Segment.problem) instead of answering an empty audience. `errors`: {rule path: message}."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def segment_list(*, workspace) -> QuerySet:
    """The workspace's segments by name (one query)."""
    return Segment.objects.filter(workspace=workspace).order_by("name", "id")


def segment_get(*, workspace, pk) -> Segment:
    """One segment of the workspace; Segment.DoesNotExist for another workspace's id."""
    return Segment.objects.get(workspace=workspace, pk=pk)


def rules_contacts(*, workspace, rules, ctx: RuleContext | None = None) -> QuerySet:
    """The contacts matching a rule tree (contacts.segment_rules); RulesInvalid when it is
    wrong. Lazy: no query until evaluated (the rules' choices may read a few small tables)."""
    q = rules_compile(workspace, rules, ctx=ctx)
    return Contact.objects.filter(workspace=workspace).filter(q)


def problem_text(errors: dict) -> str:
    """One line people can read for a rule tree's errors ({path: message})."""
    return " ".join(sorted(set(errors.values())))


def segment_contacts(segment: Segment) -> QuerySet:
    """Who is in `segment` now, as a lazy QuerySet of Contact: a dynamic segment's rules
    evaluated afresh, a static list's stored members. Raises SegmentProblem (and does not
    return an empty audience) when a dynamic segment's rules name something that no longer
    exists; the caller flags the segment (services.segments.segment_flag)."""
    workspace = segment.workspace
    if segment.kind == "static":
        members = SegmentMember.objects.filter(
            workspace=workspace, segment=segment, contact=OuterRef("pk")
        )
        return Contact.objects.filter(workspace=workspace).filter(Exists(members))
    try:
        return rules_contacts(workspace=workspace, rules=segment.rules)
    except RulesInvalid as exc:
        raise SegmentProblem(problem_text(exc.errors), exc.errors) from None


def email_receivable(contacts: QuerySet, *, workspace) -> QuerySet:
    """`contacts` narrowed to those an email may be sent to: email opt-in, not do-not-mail,
    an address, and the address (its comparison key) not in the workspace's suppressions."""
    suppressed = Suppression.objects.filter(workspace=workspace, address=OuterRef("email_key"))
    return (
        contacts.filter(email_opt_in=True, do_not_mail=False)
        .exclude(email_key="")
        .exclude(Exists(suppressed))
    )


def audience_figures(contacts: QuerySet, *, workspace, sample: int = SAMPLE_SIZE) -> dict:
    """{"matching": int, "receivable": int, "sample": [Contact]} for the builder's live
    count: two COUNT queries and one for the newest `sample` matching contacts."""
    return {
        "matching": contacts.count(),
        "receivable": email_receivable(contacts, workspace=workspace).count(),
        "sample": list(
            contacts.select_related("account")
            .only("id", "first_name", "last_name", "email", "city", "account__name", "created_at")
            .order_by("-created_at", "-id")[:sample]
        ),
    }


def segment_members_page(*, segment: Segment, after: int | None = None, limit: int = MEMBERS_PAGE):
    """One page of a segment's stored members (SegmentMember rows with their contacts), by
    contact id, keyset-paged: ([SegmentMember], next cursor or None). One query."""
    rows = SegmentMember.objects.filter(workspace=segment.workspace_id, segment=segment)
    if after is not None:
        rows = rows.filter(contact_id__gt=after)
    rows = list(
        rows.select_related("contact", "contact__account").order_by("contact_id")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].contact_id if more and rows else None)
