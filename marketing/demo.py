"""Demo data of marketing (seed_demo, order 70, after contacts and sales): what a marketer
finds on first run.

- a sender identity (news@demo.example, 600 messages a minute);
- two dynamic segments with rules in the segment builder's shape (contacts.segment_rules):
  "Women 30-45 with a university degree" and "Customers without a touch point for 90 days",
  plus a static list "Newsletter readers" (the opted-in contacts with an address);
- two templates (a newsletter and an offer) with personalisation fields;
- a sent A/B campaign six days ago to the newsletter readers: variant B won by click rate,
  human and machine opens over three days, clicks on two links, two retried deliveries, one
  failed (550 5.1.1), one hard bounce and one unsubscribe (all three suppressed, the
  contacts' email opt-in withdrawn, by the same services as live mail);
- a draft campaign ready to launch to the first segment.

Deterministic (random.Random(70), times relative to today in the workspace's time zone) and
fast (bulk_create for deliveries and events). Idempotent: nothing when the demo sender
exists. Names are in the language the demo is seeded in.
"""

import datetime
import random
import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.emails import email_key
from contacts.models import Contact
from workspaces.roles import Role

from .models import (
    AbMetric,
    Campaign,
    CampaignStatus,
    CampaignVariant,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    EmailTemplate,
    EventKind,
    SegmentKind,
    SenderIdentity,
    SuppressionReason,
    TrackedLink,
)
from .services.bounces import address_suppress
from .services.events import delivery_unsubscribe
from .services.segments import segment_build, segment_create, segment_members_add
from .services.timeline import KINDS, timeline_record_many

DEMO_FROM = "news@demo.example"
RECIPIENTS = 48
LINKS = ("https://demo.example/spring-collection", "https://demo.example/events")
WOMEN_30_45_UNIVERSITY = {
    "op": "and",
    "rules": [
        {"field": "sex", "operator": "in", "value": ["female"]},
        {"field": "age", "operator": "between", "value": [30, 45]},
        {"field": "education", "operator": "in", "value": ["bachelor", "master", "doctorate"]},
    ],
}
CUSTOMERS_UNTOUCHED_90_DAYS = {
    "op": "and",
    "rules": [
        {"field": "lifecycle_stage", "operator": "in", "value": ["customer"]},
        {"field": "untouched", "operator": "at_least_days", "value": 90},
    ],
}
MACHINE_AGENT = "Mozilla/5.0 (via ggpht.com GoogleImageProxy)"
HUMAN_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Thunderbird/128.0"


def seed(workspace, users, stdout) -> None:
    """Seed the marketing demo into `workspace`; nothing when the demo sender is there."""
    if SenderIdentity.objects.filter(from_email=DEMO_FROM).exists():
        stdout.write("marketing: demo data present")
        return
    rng = random.Random(70)
    marketer = users.get(Role.MARKETING) or users[Role.OWNER]
    sender = SenderIdentity.objects.create(
        workspace=workspace,
        name=_("Newsletter"),
        from_name=f"{workspace.name}",
        from_email=DEMO_FROM,
        reply_to="hello@demo.example",
        rate_per_minute=600,
    )
    women, _lapsed, readers = _segments(workspace, marketer)
    newsletter, offer = _templates(workspace, marketer)
    sent = _sent_campaign(workspace, marketer, sender, readers, newsletter, rng)
    draft = Campaign.objects.create(
        workspace=workspace,
        name=_("Autumn offer for graduates"),
        status=CampaignStatus.DRAFT,
        template=offer,
        subject=offer.subject,
        html_body=offer.html_body,
        text_body=offer.text_body,
        sender=sender,
        created_by=marketer,
    )
    draft.segments.set([women])
    stdout.write(f"marketing: 3 segments, 2 templates, a sent campaign to {sent} contacts, a draft")


def _segments(workspace, actor):
    """Through the segment services: the rules are checked (a key the builder does not know
    raises ValidationError) and the dynamic segments are built (membership and count)."""
    women = segment_create(
        workspace=workspace,
        actor=actor,
        name=_("Women 30-45 with a university degree"),
        description=_("Sex female, age 30 to 45, a bachelor's, master's or doctoral degree."),
        kind=SegmentKind.DYNAMIC,
        rules=WOMEN_30_45_UNIVERSITY,
    )
    lapsed = segment_create(
        workspace=workspace,
        actor=actor,
        name=_("Customers without a touch point for 90 days"),
        description=_("Customers nobody has called, met or mailed for three months."),
        kind=SegmentKind.DYNAMIC,
        rules=CUSTOMERS_UNTOUCHED_90_DAYS,
    )
    for segment in (women, lapsed):
        segment_build(workspace=workspace, actor=actor, segment=segment)
    readers = segment_create(
        workspace=workspace,
        actor=actor,
        name=_("Newsletter readers"),
        description=_("Contacts who opted in to email, as of the spring newsletter."),
        kind=SegmentKind.STATIC,
    )
    return women, lapsed, readers


def _templates(workspace, actor):
    footer_html = (
        '<p style="font-size:12px;color:#666">{{ company|default:"" }} · '
        '<a href="{{ unsubscribe_url }}">' + _("Unsubscribe") + "</a></p>"
    )
    footer_text = "\n--\n" + _("Unsubscribe") + ": {{ unsubscribe_url }}\n"
    greeting = _("Hello") + ' {{ first_name|default:"there" }},'
    newsletter = EmailTemplate.objects.create(
        workspace=workspace,
        name=_("Monthly newsletter"),
        subject=_("What is new this spring"),
        html_body=(
            f"<p>{greeting}</p><p>"
            + _("our spring collection is here, and we would like to see you at our events.")
            + f'</p><p><a href="{LINKS[0]}">'
            + _("See the collection")
            + f'</a> · <a href="{LINKS[1]}">'
            + _("Upcoming events")
            + '</a></p><p>{{ owner_name|default:"Your team" }}</p>'
            + footer_html
        ),
        text_body=(
            f"{greeting}\n\n"
            + _("our spring collection is here, and we would like to see you at our events.")
            + f"\n\n{LINKS[0]}\n{LINKS[1]}\n\n"
            + '{{ owner_name|default:"Your team" }}'
            + footer_text
        ),
        created_by=actor,
    )
    offer = EmailTemplate.objects.create(
        workspace=workspace,
        name=_("Offer for graduates"),
        # xgettext:no-python-format
        subject=_('{{ first_name|default:"Hello" }}, 15 % off for you this autumn'),
        html_body=(
            f"<p>{greeting}</p><p>"
            # xgettext:no-python-format
            + _("as a thank-you for your loyalty, you get 15 % off every order until November.")
            + f'</p><p><a href="{LINKS[0]}">'
            + _("Shop now")
            + "</a></p>"
            + footer_html
        ),
        text_body=(
            f"{greeting}\n\n"
            # xgettext:no-python-format
            + _("as a thank-you for your loyalty, you get 15 % off every order until November.")
            + f"\n\n{LINKS[0]}"
            + footer_text
        ),
        created_by=actor,
    )
    return newsletter, offer


def _launch_moment(workspace) -> datetime.datetime:
    """Six days ago at 09:00 in the workspace's time zone."""
    tz = zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    day = timezone.now().astimezone(tz).date() - datetime.timedelta(days=6)
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=tz)


def _sent_campaign(workspace, actor, sender, readers, template, rng) -> int:
    contacts = list(
        Contact.objects.filter(email_opt_in=True, do_not_mail=False)
        .exclude(email="")
        .order_by("id")[:RECIPIENTS]
    )
    if len(contacts) < 10:  # a demo without consented contacts: take any with an address
        contacts = list(Contact.objects.exclude(email="").order_by("id")[:RECIPIENTS])
    launched = _launch_moment(workspace)
    segment_members_add(
        workspace=workspace, actor=actor, segment=readers, contact_ids=[c.pk for c in contacts]
    )
    campaign = Campaign.objects.create(
        workspace=workspace,
        name=_("Spring newsletter"),
        status=CampaignStatus.SENT,
        template=template,
        subject=template.subject,
        html_body=template.html_body,
        text_body=template.text_body,
        sender=sender,
        launched_at=launched,
        finished_at=launched + datetime.timedelta(minutes=75),
        created_by=actor,
        ab_enabled=True,
        ab_test_percent=20,
        ab_metric=AbMetric.CLICKS,
        ab_wait_minutes=60,
        ab_winner="B",
        ab_decided_at=launched + datetime.timedelta(minutes=60),
    )
    campaign.segments.set([readers])
    variants = {
        "A": CampaignVariant.objects.create(
            workspace=workspace, campaign=campaign, key="A", subject=template.subject
        ),
        "B": CampaignVariant.objects.create(
            workspace=workspace,
            campaign=campaign,
            key="B",
            subject='{{ first_name|default:"Hello" }}, ' + _("our spring collection is here"),
        ),
    }
    links = TrackedLink.objects.bulk_create(
        [
            TrackedLink(workspace=workspace, campaign=campaign, url=url, position=i)
            for i, url in enumerate(LINKS, start=1)
        ]
    )
    deliveries = _deliveries(workspace, campaign, contacts, variants, launched, rng)
    events = _events(workspace, deliveries, links, rng)
    _history(workspace, campaign, deliveries, events)
    return len(deliveries)


def _history(workspace, campaign, deliveries, events) -> None:
    """Each send, open, click, bounce and unsubscribe on the contact's timeline (as the
    sending and tracking write them), and a send event per sent delivery."""
    sent = [d for d in deliveries if d.status == DeliveryStatus.SENT]
    DeliveryEvent.objects.bulk_create(
        [
            DeliveryEvent(
                workspace=workspace, delivery=d, kind=EventKind.SEND, occurred_at=d.sent_at
            )
            for d in sent
        ]
    )
    data = {"campaign": campaign.pk, "campaign_name": campaign.name}
    entries = [
        {"kind": "send", "contact_id": d.contact_id, "occurred_at": d.sent_at, "delivery_id": d.pk}
        for d in sent
    ] + [
        {
            "kind": e.kind,
            "contact_id": e.delivery.contact_id,
            "occurred_at": e.occurred_at,
            "delivery_id": e.delivery_id,
        }
        for e in events
        if e.kind in KINDS and not e.machine
    ]
    accounts = dict(
        Contact.objects.filter(pk__in={e["contact_id"] for e in entries}).values_list(
            "pk", "account_id"
        )
    )
    for entry in entries:
        entry.update(account_id=accounts.get(entry["contact_id"]), subject=campaign.name, data=data)
    timeline_record_many(workspace_id=workspace.pk, entries=entries)


def _deliveries(workspace, campaign, contacts, variants, launched, rng) -> list[Delivery]:
    """The test share (20 %) split A/B and sent at launch; the rest sent with B after the
    decision. The last three are a failure (550 5.1.1) and two retries."""
    test_share = max(2, len(contacts) * campaign.ab_test_percent // 100)
    rows = []
    for i, contact in enumerate(contacts):
        in_test = i < test_share
        variant = variants["A" if in_test and i % 2 == 0 else "B"]
        sent_at = launched + (
            datetime.timedelta(seconds=2 * i)
            if in_test
            else datetime.timedelta(minutes=61, seconds=2 * i)
        )
        rows.append(
            Delivery(
                workspace=workspace,
                campaign=campaign,
                contact=contact,
                address=email_key(contact.email),
                variant=variant,
                status=DeliveryStatus.SENT,
                attempts=1,
                next_attempt_at=sent_at,
                sent_at=sent_at,
                smtp_code=250,
                message_id=f"<demo-{campaign.pk}-{contact.pk}@demo.example>",
                created_at=launched,
            )
        )
    failed = rows[-1]
    failed.status, failed.sent_at, failed.attempts = DeliveryStatus.FAILED, None, 3
    failed.smtp_code, failed.message_id = 550, ""
    failed.last_error = "550 5.1.1 <" + failed.address + ">: Recipient address rejected"
    for retried in rows[-3:-1]:
        retried.attempts = 2
        retried.sent_at += datetime.timedelta(minutes=5)
        retried.last_error = "451 4.7.1 Greylisted, please try again later"
    return Delivery.objects.bulk_create(rows)


def _events(workspace, deliveries, links, rng) -> list[DeliveryEvent]:
    sent = [d for d in deliveries if d.status == DeliveryStatus.SENT]
    events = []

    def add(delivery, kind, at, *, machine=False, link=None, agent=HUMAN_AGENT, data=None):
        events.append(
            DeliveryEvent(
                workspace=workspace,
                delivery=delivery,
                kind=kind,
                link=link,
                occurred_at=at,
                machine=machine,
                user_agent=agent,
                data=data or {},
            )
        )

    bounced, unsubscribed = sent[3], sent[7]
    add(
        bounced,
        EventKind.BOUNCE,
        bounced.sent_at + datetime.timedelta(minutes=2),
        agent="",
        data={"status": "5.1.1", "action": "failed"},
    )
    for n, delivery in enumerate(sent):
        if delivery is bounced:
            continue
        if n % 5 == 1:  # a mail proxy fetches the pixel seconds after delivery
            add(
                delivery,
                EventKind.OPEN,
                delivery.sent_at + datetime.timedelta(seconds=4),
                machine=True,
                agent=MACHINE_AGENT,
            )
        if rng.random() < 0.55 or delivery is unsubscribed:
            opened = delivery.sent_at + datetime.timedelta(minutes=rng.randint(3, 3 * 24 * 60))
            add(delivery, EventKind.OPEN, opened)
            if rng.random() < 0.3:
                add(delivery, EventKind.OPEN, opened + datetime.timedelta(hours=rng.randint(1, 20)))
            # B's subject and the rest of the audience click more: B wins the test
            if rng.random() < (0.45 if delivery.variant.key == "B" else 0.2):
                add(
                    delivery,
                    EventKind.CLICK,
                    opened + datetime.timedelta(seconds=40),
                    link=links[0 if rng.random() < 0.7 else 1],
                )
    add(
        unsubscribed,
        EventKind.UNSUBSCRIBE,
        unsubscribed.sent_at + datetime.timedelta(hours=5),
        data={"method": "one-click"},
    )
    events = DeliveryEvent.objects.bulk_create(events)
    _suppress(workspace, deliveries, bounced, unsubscribed)
    return events


def _suppress(workspace, deliveries, bounced, unsubscribed) -> None:
    """The consequences the live services draw, by those services: the address refused with
    550 5.1.1 and the one whose DSN said 5.1.1 are suppressed as hard bounces, and the
    unsubscribe suppresses its address; each withdraws the contact's email opt-in (time and
    source recorded). The senders page lists the three suppressions."""
    failed = next(d for d in deliveries if d.status == DeliveryStatus.FAILED)
    address_suppress(
        workspace=workspace,
        actor=None,
        address=failed.address,
        reason=SuppressionReason.HARD_BOUNCE,
        source=f"SMTP 550: {failed.last_error}",
        delivery=failed,
    )
    address_suppress(
        workspace=workspace,
        actor=None,
        address=bounced.address,
        reason=SuppressionReason.HARD_BOUNCE,
        source="DSN 5.1.1",
        delivery=bounced,
    )
    # the event is stored above; the service adds the suppression and the consent change
    delivery_unsubscribe(
        delivery=unsubscribed,
        source="one-click",
        now=unsubscribed.sent_at + datetime.timedelta(hours=5),
    )
