"""Every time on a page is in the workspace's time zone and the locale's one short format;
no raw ISO or UTC text in what people read (the lead page showed "2026-03-01T09:15" from its
kept touch points)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from contacts.models import Contact
from sales.models import Activity, Deal, Lead, Quote
from sales.services import leads as lead_services
from sales.services.quotes import quote_create
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.sales.factories import ActivityFactory, LeadFactory, deal_make, pipeline_for
from touchpoints.channels import Channel
from touchpoints.services import interaction_record
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

pytestmark = pytest.mark.django_db

# 09:15 UTC on 1 March 2026 is 10:15 in Berlin (winter time)
MOMENT = datetime.datetime(2026, 3, 1, 9, 15, tzinfo=datetime.UTC)
LOCAL_EN = "03/01/2026 10:15 a.m."
LOCAL_DE = "01.03.2026 10:15"
RAW = [
    re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"),  # ISO, or str() of a datetime
    re.compile(r"[+-]\d{2}:\d{2}\b(?!\s*(?:a\.m\.|p\.m\.))"),  # an offset
    re.compile(r"\bUTC\b"),
]


class _VisibleText(HTMLParser):
    """The text a person reads: no tags, no attributes, no scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def assert_no_raw_times(text: str, page: str) -> None:
    for pattern in RAW:
        found = pattern.search(text)
        assert found is None, (
            f"{page}: raw time {found.group(0)!r} in {text[max(0, found.start() - 80) : found.end() + 40]!r}"
        )


@pytest.fixture
def berlin(workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    return workspace


@pytest.fixture
def records(berlin, owner):
    """A lead with a kept touch point and consent, a converted lead, a contact with history
    and an open activity, a won deal with its stage history, a sent quote: all at MOMENT."""
    with workspace_scope(berlin):
        lead = LeadFactory(workspace=berlin, owner=owner, company="Umbrella", email="u@x.de")
        lead_services.lead_interaction_add(
            workspace=berlin, lead=lead, kind="note.added", channel="note", occurred_at=MOMENT
        )
        Lead.objects.filter(pk=lead.pk).update(consent_email=True, consent_at=MOMENT)
        account = AccountFactory(workspace=berlin, name="Initech")
        contact = ContactFactory(workspace=berlin, first_name="Ina", account=account)
        Contact.objects.filter(pk=contact.pk).update(
            created_at=MOMENT, email_opt_in=True, email_opt_in_at=MOMENT
        )
        interaction_record(
            workspace=berlin,
            kind="note.added",
            channel=Channel.NOTE,
            contact=contact,
            subject="Kept note",
            occurred_at=MOMENT,
        )
        activity = ActivityFactory(
            workspace=berlin, owner=owner, contact=contact, subject="Call Ina", due_at=MOMENT
        )
        pipeline = pipeline_for(berlin)
        won = pipeline.stages.get(kind="won")
        deal = deal_make(
            berlin, actor=owner, contact=contact, stage=won, name="Won deal", created_at=MOMENT
        )
        Activity.objects.filter(pk=activity.pk).update(deal=deal)
        quote = quote_create(workspace=berlin, actor=owner, deal=deal_make(berlin, actor=owner))
        Quote.objects.filter(pk=quote.pk).update(status="sent", sent_at=MOMENT)
        converted = LeadFactory(
            workspace=berlin, owner=owner, company="Converted", status="converted"
        )
        Lead.objects.filter(pk=converted.pk).update(converted_at=MOMENT)
    return {
        "lead": lead,
        "converted": converted,
        "contact": contact,
        "account": account,
        "deal": deal,
        "quote": quote,
        "activity": activity,
    }


def _pages(ws, r):
    url = lambda name, **kw: workspace_reverse(ws, name, **kw)  # noqa: E731
    return {
        "lead": url("sales:lead_detail", pk=r["lead"].pk),
        "converted lead": url("sales:lead_detail", pk=r["converted"].pk),
        "contact": url("contacts:detail", pk=r["contact"].pk),
        "account": url("contacts:account_detail", pk=r["account"].pk),
        "deal": url("sales:deal_detail", pk=r["deal"].pk),
        "quote": url("sales:quote_detail", pk=r["quote"].pk),
        "my day": url("sales:my_day"),
        "week": url("sales:calendar") + "?week=2026-03-01",
        "activity edit": url("sales:activity_edit", pk=r["activity"].pk),
        "leads": url("sales:leads"),
        "deals": url("sales:deals") + "?state=all",
        "contacts": url("contacts:list"),
        "home": url("workspace_home"),
        "members": url("members"),
    }


def test_the_lead_page_shows_kept_touch_points_in_local_time(owner_client, berlin, records):
    text = visible_text(owner_client.get(_pages(berlin, records)["lead"]))
    assert_no_raw_times(text, "lead")
    assert f"Note {LOCAL_EN}" in text  # the kept touch point, named by its kind
    assert f"yes ({LOCAL_EN})" in text  # consent


def test_detail_pages_show_times_in_the_workspace_zone_and_one_format(
    owner_client, berlin, records
):
    expected = {
        "converted lead": f"Converted on {LOCAL_EN}.",
        "contact": LOCAL_EN,
        "account": LOCAL_EN,
        "deal": LOCAL_EN,
        "quote": LOCAL_EN,
    }
    for page, url in _pages(berlin, records).items():
        response = owner_client.get(url)
        assert response.status_code == 200, page
        text = visible_text(response)
        assert_no_raw_times(text, page)
        if page in expected:
            assert expected[page] in text, f"{page}: {LOCAL_EN!r} missing"


def test_a_german_user_reads_the_german_format(owner_client, owner, berlin, records):
    owner.language = "de"
    owner.save()
    for page in ("lead", "contact", "deal", "quote"):
        text = visible_text(owner_client.get(_pages(berlin, records)[page]))
        assert_no_raw_times(text, page)
        assert LOCAL_DE in text, page


def test_another_zone_moves_every_time(owner_client, berlin, records):
    berlin.time_zone = "America/New_York"
    berlin.save()
    text = visible_text(owner_client.get(_pages(berlin, records)["lead"]))
    assert "03/01/2026 4:15 a.m." in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (MOMENT, LOCAL_EN),
        ("2026-03-01T09:15:00+00:00", LOCAL_EN),
        ("2026-03-01T09:15:00", LOCAL_EN),  # naive text counts as UTC
        (None, ""),
        ("not a time", "not a time"),
    ],
)
def test_the_when_filter(value, expected):
    with timezone.override("Europe/Berlin"), translation.override("en"):
        rendered = Template("{% load crm %}{{ value|when }}").render(Context({"value": value}))
    assert rendered == expected


def test_templates_use_no_raw_time_rendering():
    """No template prints a datetime as ISO text or slices one (`|date:"c"` only inside an
    attribute, for machines)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "isoformat" in line or re.search(r"_at\|slice", line):
                offenders.append(f"{path.relative_to(root)}:{number}")
            for match in re.finditer(r"""\|date:['"]c['"]""", line):
                before = line[: match.start()]
                if before.count('"') % 2 == 0:  # not inside an attribute value
                    offenders.append(f"{path.relative_to(root)}:{number}")
    assert offenders == []


def test_the_deal_model_has_no_naive_times(berlin, records):
    deal = Deal.all_workspaces.get(pk=records["deal"].pk)
    assert timezone.is_aware(deal.won_at)
