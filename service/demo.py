"""Demo data of service (seed_demo, order 70, after contacts and sales; idempotent: nothing is
added when the workspace has queues already).

A calendar (Mon-Fri 9-12 and 13-17, two holidays), SLA policies for the four priorities,
three queues (Complaints, Orders, Technical) worked by the service agent and the owner, and
a week of cases in every state: new, open, pending the customer, resolved and closed (one
closed by itself), complaints with categories, root causes and remedies, some breached, each
with its conversation; satisfaction answers (two low ones, flagged with their follow-up
tasks) and knowledge articles (public and published, internal, a draft, and a German
translation). Rows go in with bulk_create (a few dozen queries); times are relative to the
moment of seeding, so the agent home, the KPIs and the survey results show figures at once.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from workspaces.roles import Role

from .models import (
    ArticleStatus,
    BusinessPeriod,
    Case,
    CaseCounter,
    CaseMessage,
    CaseTask,
    CsatSurvey,
    Holiday,
    KnowledgeArticle,
    KnowledgeArticleVersion,
    Queue,
    QueueMember,
    ServiceCalendar,
    SlaPolicy,
    TaskReason,
    Visibility,
)

H = datetime.timedelta(hours=1)
SLA = {  # priority: (first response, next response, resolution) in business minutes
    "low": (8 * 60, 16 * 60, 5 * 8 * 60),
    "normal": (4 * 60, 8 * 60, 3 * 8 * 60),
    "high": (60, 4 * 60, 8 * 60),
    "urgent": (30, 60, 4 * 60),
}

# (hours ago created, type, status, priority, queue index, subject, complaint details,
#  hours to first reply or None, hours to resolution or None, breached, reopened, auto closed,
#  CSAT score or None)
CASES = [
    (
        150,
        "complaint",
        "closed",
        "high",
        0,
        _("Parcel arrived damaged"),
        (_("Delivery"), _("Packing damage"), "replacement"),
        1,
        20,
        False,
        0,
        False,
        5,
    ),
    (
        146,
        "inquiry",
        "closed",
        "normal",
        1,
        _("When will my order ship?"),
        None,
        2,
        3,
        False,
        0,
        False,
        4,
    ),
    (
        140,
        "complaint",
        "closed",
        "urgent",
        0,
        _("Charged twice for one order"),
        (_("Billing"), _("Payment provider error"), "refund"),
        3,
        30,
        True,
        0,
        False,
        2,
    ),
    (
        130,
        "request",
        "closed",
        "low",
        1,
        _("Please change my delivery address"),
        None,
        4,
        6,
        False,
        0,
        True,
        None,
    ),
    (
        120,
        "incident",
        "resolved",
        "high",
        2,
        _("Login to the customer portal fails"),
        None,
        1,
        10,
        False,
        1,
        False,
        3,
    ),
    (
        110,
        "complaint",
        "resolved",
        "normal",
        0,
        _("Wrong colour delivered"),
        (_("Product quality"), _("Picking error"), "replacement"),
        2,
        26,
        False,
        0,
        False,
        4,
    ),
    (
        100,
        "inquiry",
        "resolved",
        "normal",
        1,
        _("Is the oak table in stock?"),
        None,
        1,
        2,
        False,
        0,
        False,
        None,  # not answered (yet)
    ),
    (
        96,
        "complaint",
        "resolved",
        "high",
        0,
        _("Invoice sent to the old address"),
        (_("Billing"), _("Master data not updated"), "apology"),
        6,
        40,
        True,
        0,
        False,
        1,
    ),
    (
        80,
        "complaint",
        "pending",
        "normal",
        0,
        _("Chair wobbles after two weeks"),
        (_("Product quality"), _("Manufacturing defect"), "repair"),
        3,
        None,
        False,
        0,
        False,
        None,
    ),
    (
        72,
        "request",
        "pending",
        "low",
        1,
        _("Copy of my invoice, please"),
        None,
        5,
        None,
        False,
        0,
        False,
        None,
    ),
    (
        60,
        "incident",
        "pending",
        "urgent",
        2,
        _("Payment page shows an error"),
        None,
        2,
        None,
        True,
        0,
        False,
        None,
    ),
    (
        50,
        "complaint",
        "open",
        "high",
        0,
        _("Delivery is a week late"),
        (_("Delivery"), _("Carrier delay"), "credit"),
        4,
        None,
        True,
        0,
        False,
        None,
    ),
    (
        40,
        "inquiry",
        "open",
        "normal",
        1,
        _("Delivery times to Austria?"),
        None,
        1,
        None,
        False,
        0,
        False,
        None,
    ),
    (
        30,
        "complaint",
        "open",
        "normal",
        0,
        _("Missing screws in the package"),
        (_("Product quality"), _("Packing error"), "replacement"),
        2,
        None,
        False,
        0,
        False,
        None,
    ),
    (
        20,
        "request",
        "open",
        "low",
        1,
        _("Can I extend the warranty?"),
        None,
        3,
        None,
        False,
        0,
        False,
        None,
    ),
    (
        12,
        "incident",
        "open",
        "high",
        2,
        _("App crashes when scanning a receipt"),
        None,
        None,
        None,
        False,
        0,
        False,
        None,
    ),
    (
        6,
        "complaint",
        "new",
        "urgent",
        0,
        _("Sofa delivered to the wrong house"),
        (_("Delivery"), _("Carrier delay"), ""),
        None,
        None,
        False,
        0,
        False,
        None,
    ),
    (
        3,
        "inquiry",
        "new",
        "normal",
        1,
        _("Do you deliver on Saturdays?"),
        None,
        None,
        None,
        False,
        0,
        False,
        None,
    ),
    (
        1,
        "request",
        "new",
        "low",
        2,
        _("Reset my portal password"),
        None,
        None,
        None,
        False,
        0,
        False,
        None,
    ),
]

ARTICLES = [
    # (title, slug, language, visibility, status, body, translation of index)
    (
        _("How to return an item"),
        "return-an-item",
        "en",
        Visibility.PUBLIC,
        ArticleStatus.PUBLISHED,
        _(
            "You can return any item within 30 days.\n\nPack it in its original box, print "
            "the return label from your order confirmation and hand the parcel to the carrier. "
            "We refund the amount within 5 working days of receiving it."
        ),
        None,
    ),
    (
        "Artikel zurücksenden",
        "artikel-zuruecksenden",
        "de",
        Visibility.PUBLIC,
        ArticleStatus.PUBLISHED,
        "Sie können jeden Artikel innerhalb von 30 Tagen zurücksenden.\n\nVerpacken Sie ihn "
        "im Originalkarton, drucken Sie das Rücksendeetikett aus der Bestellbestätigung aus "
        "und geben Sie das Paket beim Zusteller ab. Wir erstatten den Betrag innerhalb von 5 "
        "Werktagen nach Eingang.",
        0,
    ),
    (
        _("Refund approval limits"),
        "refund-approval-limits",
        "en",
        Visibility.INTERNAL,
        ArticleStatus.PUBLISHED,
        _(
            "Agents may refund up to 100 EUR without approval. Up to 500 EUR the queue lead "
            "approves; above that the service manager. Always note the remedy on the complaint."
        ),
        None,
    ),
    (
        _("Carrier escalation contacts"),
        "carrier-escalation",
        "en",
        Visibility.INTERNAL,
        ArticleStatus.PUBLISHED,
        _(
            "Late or damaged deliveries: open a claim in the carrier portal within 48 hours "
            "and add the claim number to the case. Escalate after 3 working days."
        ),
        None,
    ),
    (
        _("Warranty extension (draft)"),
        "warranty-extension",
        "en",
        Visibility.PUBLIC,
        ArticleStatus.DRAFT,
        _("Draft: how customers can extend the warranty to five years."),
        None,
    ),
]


def seed(workspace, users, stdout) -> None:
    """Add the service demo to `workspace` once (see the module docstring)."""
    if Queue.objects.filter(workspace=workspace).exists():
        return
    now = timezone.now().replace(microsecond=0)
    agent = users.get(Role.SERVICE) or users.get(Role.OWNER)
    owner = users.get(Role.OWNER) or agent
    calendar = _calendar(workspace, now)
    SlaPolicy.objects.bulk_create(
        SlaPolicy(
            workspace=workspace,
            priority=priority,
            first_response_minutes=first,
            next_response_minutes=following,
            resolution_minutes=resolution,
        )
        for priority, (first, following, resolution) in SLA.items()
    )
    queues = Queue.objects.bulk_create(
        [
            Queue(
                workspace=workspace,
                name=_("Complaints"),
                calendar=calendar,
                lead=owner,
                assignment="least_open",
            ),
            Queue(
                workspace=workspace,
                name=_("Orders"),
                calendar=calendar,
                lead=owner,
                assignment="round_robin",
            ),
            Queue(
                workspace=workspace,
                name=_("Technical"),
                calendar=calendar,
                lead=owner,
                assignment="manual",
            ),
        ]
    )
    QueueMember.objects.bulk_create(
        QueueMember(workspace=workspace, queue=q, user=u, available=True)
        for q in queues
        for u in {agent.pk: agent, owner.pk: owner}.values()
    )
    contacts = list(
        Contact.objects.filter(workspace=workspace).exclude(email="").order_by("id")[: len(CASES)]
    )
    if not contacts:
        stdout.write("service demo: no contacts with an email address, skipped the cases")
        _articles(workspace, owner, now)
        return
    cases = _cases(workspace, queues, contacts, agent, owner, now)
    _conversations(workspace, cases, agent, now)
    _surveys(workspace, cases, now)
    _articles(workspace, owner, now)
    stdout.write(f"service demo: {len(cases)} cases, 3 queues, {len(ARTICLES)} articles")


def _calendar(workspace, now):
    calendar = ServiceCalendar.objects.create(
        workspace=workspace, name=_("Office hours"), time_zone=workspace.time_zone, is_default=True
    )
    BusinessPeriod.objects.bulk_create(
        BusinessPeriod(workspace=workspace, calendar=calendar, weekday=day, start=start, end=end)
        for day in range(5)
        for start, end in (
            (datetime.time(9), datetime.time(12)),
            (datetime.time(13), datetime.time(17)),
        )
    )
    year = timezone.localdate(now).year
    Holiday.objects.bulk_create(
        [
            Holiday(
                workspace=workspace,
                calendar=calendar,
                date=datetime.date(year, 12, 25),
                name=_("Christmas Day"),
            ),
            Holiday(
                workspace=workspace,
                calendar=calendar,
                date=datetime.date(year + 1, 1, 1),
                name=_("New Year's Day"),
            ),
        ]
    )
    return calendar


def _cases(workspace, queues, contacts, agent, owner, now) -> list:
    counter = CaseCounter.objects.filter(workspace=workspace).first()
    first_number = (counter.last_number if counter else 0) + 1
    rows = []
    for i, spec in enumerate(CASES):
        (
            ago,
            kind,
            status,
            priority,
            queue_index,
            subject,
            complaint,
            reply_h,
            resolve_h,
            breached,
            reopened,
            auto_closed,
            _score,
        ) = spec
        created = now - ago * H
        first, _next, resolution = SLA[priority]
        case = Case(
            workspace=workspace,
            number=first_number + i,
            contact=contacts[i % len(contacts)],
            account_id=contacts[i % len(contacts)].account_id,
            type=kind,
            channel="email" if i % 3 else "phone",
            subject=subject,
            priority=priority,
            status=status,
            queue=queues[queue_index],
            assignee=None if status == "new" else (agent if i % 4 else owner),
            order_ref=f"SO-{4100 + i}" if kind in ("complaint", "request") else "",
            first_response_due=created + datetime.timedelta(minutes=first * 2),
            resolution_due=created + datetime.timedelta(minutes=resolution * 2),
            first_responded_at=created + reply_h * H if reply_h else None,
            last_customer_message_at=created,
            resolved_at=created + resolve_h * H if resolve_h else None,
            closed_at=created + (resolve_h + 24) * H if status == "closed" else None,
            sla_state="breached"
            if breached
            else ("at_risk" if status == "new" and i % 2 else "ok"),
            breached_at=created + (reply_h or 2) * H if breached else None,
            reopen_count=reopened,
            auto_closed=auto_closed,
            created_at=created,
        )
        if status == "pending":
            case.paused_since = created + (reply_h or 1) * H
        if complaint:
            case.category, case.root_cause, case.remedy = complaint
            if case.remedy:
                case.remedy_deadline = (created + 5 * 24 * H).date()
        if breached and resolve_h:
            case.resolution_due = case.resolved_at - 2 * H
        rows.append(case)
    created = Case.objects.bulk_create(rows)
    # the next case opened by hand continues after the demo's numbers
    CaseCounter.objects.update_or_create(
        workspace=workspace, defaults={"last_number": first_number + len(rows) - 1}
    )
    return created


def _conversations(workspace, cases, agent, now) -> None:
    messages = []
    for case, spec in zip(cases, CASES, strict=False):
        reply_h = spec[7]
        contact = case.contact
        messages.append(
            CaseMessage(
                workspace=workspace,
                case=case,
                kind="customer",
                from_address=contact.email,
                to_addresses="service@demo.example",
                subject=case.subject,
                body_text=_("Hello, %(subject)s. Can you help? Thanks, %(name)s")
                % {"subject": case.subject, "name": contact.first_name or contact.email},
                message_id=f"<demo-{case.number}@customer.example>",
                created_at=case.created_at,
            )
        )
        if reply_h:
            messages.append(
                CaseMessage(
                    workspace=workspace,
                    case=case,
                    kind="reply",
                    author=agent,
                    from_address="service@demo.example",
                    to_addresses=contact.email,
                    subject=f"Re: {case.subject} [#{case.number}]",
                    body_text=_("Hello %(name)s, thank you for your message. We are on it.")
                    % {"name": contact.first_name or ""},
                    message_id=f"<demo-reply-{case.number}@demo.example>",
                    in_reply_to=f"<demo-{case.number}@customer.example>",
                    delivery_status="sent",
                    created_at=case.first_responded_at,
                )
            )
        if case.status == "pending":
            messages.append(
                CaseMessage(
                    workspace=workspace,
                    case=case,
                    kind="note",
                    author=agent,
                    body_text=_("Waiting for photos from the customer."),
                    created_at=case.paused_since,
                )
            )
    CaseMessage.objects.bulk_create(messages)


def _surveys(workspace, cases, now) -> None:
    surveys = []
    for case, spec in zip(cases, CASES, strict=False):
        score = spec[12]
        if case.resolved_at is None or case.auto_closed:
            continue
        sent = case.resolved_at
        answered = sent + 5 * H if score else None
        surveys.append(
            CsatSurvey(
                workspace=workspace,
                case=case,
                contact=case.contact,
                agent=case.assignee,
                queue=case.queue,
                email=case.contact.email,
                sent_at=sent,
                mailed_at=sent,
                answered_at=answered,
                score=score,
                comment=_("Quick and friendly, thank you!")
                if score and score >= 4
                else (_("It took far too long.") if score and score <= 2 else ""),
                created_at=sent,
            )
        )
    surveys = CsatSurvey.objects.bulk_create(surveys)
    low = [s for s in surveys if s.score is not None and s.score <= 2]
    Case.objects.filter(workspace=workspace, pk__in=[s.case_id for s in low]).update(follow_up=True)
    CaseTask.objects.bulk_create(
        CaseTask(
            workspace=workspace,
            case=s.case,
            assignee=s.agent,
            title=_("Call back: satisfaction %(score)s/5 on case %(number)s")
            % {"score": s.score, "number": s.case.number},
            reason=TaskReason.LOW_CSAT,
            survey=s,
            due_at=s.answered_at + 24 * H,
        )
        for s in low
    )


def _articles(workspace, owner, now) -> None:
    articles = []
    for title, slug, language, visibility, status, body, _original in ARTICLES:
        articles.append(
            KnowledgeArticle(
                workspace=workspace,
                title=str(title),
                slug=slug,
                language=language,
                visibility=visibility,
                status=status,
                body=str(body),
                author=owner,
            )
        )
    articles = KnowledgeArticle.objects.bulk_create(articles)
    versions = KnowledgeArticleVersion.objects.bulk_create(
        KnowledgeArticleVersion(
            workspace=workspace,
            article=a,
            number=1,
            title=a.title,
            body=a.body,
            author=owner,
            note=_("Created"),
        )
        for a in articles
    )
    for article, version, spec in zip(articles, versions, ARTICLES, strict=True):
        if spec[6] is not None:
            article.translation_of = articles[spec[6]]
        if article.status == ArticleStatus.PUBLISHED:
            article.published_version = version
    KnowledgeArticle.objects.bulk_update(articles, ["translation_of", "published_version"])
