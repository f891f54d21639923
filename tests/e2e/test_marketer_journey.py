"""Done when: a marketer's whole campaign in Chromium, with real parts only.

She logs in, builds "Women 30-45 with a university degree" in the segment builder (the live
count narrows with each rule) and saves it; writes a personalised template
({{ first_name|default:"…" }}); creates a sender identity and a campaign to that segment with
that template and sender; sends it. The messages go through a real SMTP server on loopback
(aiosmtpd, tests/marketing/smtp_server.py): each matching, opted-in contact gets one,
personalised, with the one-click unsubscribe headers; one reader clicks the offer, another's
mail program unsubscribes her with one click; the campaign page and the report show the
figures (sent, delivered, clicked, unsubscribed). Screenshots: journey-segment, journey-campaign-sent, journey-campaign-report.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact
from marketing.models import Campaign, CampaignStatus, Delivery, Segment
from tests.contacts.factories import ContactFactory
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from tests.marketing.smtp_server import SmtpServer
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBJECT = 'Autumn reading for {{ first_name|default:"our readers" }}'
HTML = (
    '<p>Dear {{ first_name|default:"reader" }},</p>\n'
    '<p>our <a href="https://shop.example/autumn">autumn list</a> is out.</p>\n'
    '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'
)


def _born(years_ago):
    today = timezone.localdate()
    return today.replace(year=today.year - years_ago, day=1) - datetime.timedelta(days=40)


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.MAILERS = server.mailers()
    settings.SITE_URL = "https://crm.example"
    settings.BOUNCE_DOMAIN = "bounces.blauwal.example"
    yield server.inbox
    server.stop()


@pytest.fixture
def agency(live_server):
    workspace = WorkspaceFactory(name="Blauwal Marketing", slug="blauwal")
    marketer = MembershipFactory(workspace=workspace, role=Role.MARKETING).user
    people = [
        ("Anna", "female", 35, "master", True),
        ("", "female", 41, "bachelor", True),  # no first name: the default greets her
        ("Clara", "female", 31, "doctorate", False),  # matches, no opt-in: no mail
        ("Dora", "female", 52, "master", True),  # too old
        ("Eva", "female", 38, "vocational", True),  # no degree
        ("Felix", "male", 40, "master", True),  # not in the segment
    ]
    with workspace_scope(workspace):
        for n, (first, sex, age, education, opt_in) in enumerate(people):
            ContactFactory(
                workspace=workspace,
                first_name=first,
                last_name="Muster",
                email=f"reader{n}@example.com",
                sex=sex,
                date_of_birth=_born(age),
                education=education,
                email_opt_in=opt_in,
            )
    return workspace, marketer


def _add_rule(page, index, field):
    with page.expect_response(lambda r: "/segments/preview/" in r.url):
        page.locator("[data-testid=group-root] > div > [data-testid=add-rule]").click()
    rule = page.locator("[data-testid=rule]").nth(index)
    with page.expect_response(lambda r: "/segments/preview/" in r.url):
        rule.locator("[data-testid=rule-field]").select_option(field)
    return page.locator("[data-testid=rule]").nth(index)


def _figure(page, key):
    return page.get_by_test_id("report-figures").locator(f"[data-figure={key}] .fs-4")


def test_a_marketer_segments_writes_and_sends_a_campaign(agency, smtp, page, login_as, screenshot):
    workspace, marketer = agency
    base = f"/w/{workspace.slug}/marketing"
    login_as(page, marketer.email, TEST_PASSWORD)

    # 1. the segment: sex, age and education, the live count narrowing with each rule
    page.goto(f"{base}/segments/")
    page.click("[data-testid=new-segment]")
    page.fill("input[name=name]", "Women 30-45 with a university degree")
    matching = page.locator("[data-testid=count-matching]")
    expect(matching).to_have_text("6")
    _add_rule(page, 0, "sex").get_by_label("Female").check()
    expect(matching).to_have_text("5")
    age = _add_rule(page, 1, "age")
    age.locator("[data-testid=value-min]").fill("30")
    age.locator("[data-testid=value-max]").fill("45")
    expect(matching).to_have_text("4")
    education = _add_rule(page, 2, "education")
    for label in ("Bachelor", "Master", "Doctorate"):
        education.get_by_label(label).check()
    expect(matching).to_have_text("3")
    expect(page.locator("[data-testid=count-receivable]")).to_have_text("2")
    screenshot(page, "journey-segment")
    page.click("[data-testid=save-segment]")
    expect(page.locator("[data-testid=segment-figures]")).to_contain_text(
        "3 match, 2 can receive email"
    )

    # 2. the template, personalised
    page.goto(f"{base}/templates/")
    page.get_by_test_id("template-new").click()
    page.fill("input[name=name]", "Autumn reading")
    page.fill("input[name=subject]", SUBJECT)
    page.fill("textarea[name=html_body]", HTML)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("template-problems")).to_have_count(0)

    # 3. the sender identity
    page.goto(f"{base}/senders/")
    page.get_by_test_id("sender-new").click()
    page.fill("input[name=name]", "Newsletter")
    page.fill("input[name=from_name]", "Blauwal Books")
    page.fill("input[name=from_email]", "news@blauwal.example")
    page.get_by_test_id("sender-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("sender-table")).to_contain_text("news@blauwal.example")

    # 4. the campaign: that segment, that template, that sender; sent at once
    page.goto(f"{base}/campaigns/")
    page.get_by_test_id("campaign-new").click()
    form = page.get_by_test_id("campaign-form")
    form.locator("input[name=name]").fill("Autumn reading list")
    form.get_by_label("Women 30-45 with a university degree").check()
    form.locator("select[name=sender]").select_option(label="Newsletter <news@blauwal.example>")
    form.locator("select[name=template]").select_option(label="Autumn reading")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Draft")
    expect(page.get_by_test_id("campaign-problems")).to_have_count(0)
    page.get_by_test_id("campaign-launch").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Sent")
    progress = page.get_by_test_id("campaign-progress")
    expect(progress.locator("[data-status=sent]")).to_have_text("2")
    expect(progress.locator("[data-status=failed]")).to_have_text("0")
    screenshot(page, "journey-campaign-sent")

    # 5. what really arrived: one personalised message per opted-in member
    with workspace_scope(workspace):
        campaign = Campaign.objects.get(name="Autumn reading list")
        deliveries = {d.address: d for d in Delivery.objects.filter(campaign=campaign)}
        segment = Segment.objects.get(name="Women 30-45 with a university degree")
    assert campaign.status == CampaignStatus.SENT
    assert [r["field"] for r in segment.rules["rules"]] == ["sex", "age", "education"]
    assert sorted(smtp.addresses()) == ["reader0@example.com", "reader1@example.com"]
    assert {a: d.status for a, d in deliveries.items()} == {
        "reader0@example.com": "sent",
        "reader1@example.com": "sent",
    }
    received = {rcpts[0]: message for _sender, rcpts, message, _raw in smtp.messages}
    anna, nameless = received["reader0@example.com"], received["reader1@example.com"]
    assert anna["Subject"] == "Autumn reading for Anna"
    assert nameless["Subject"] == "Autumn reading for our readers"
    assert "Dear Anna," in anna.get_body(("html",)).get_content()
    assert "Dear reader," in nameless.get_body(("plain",)).get_content()
    for address, message in received.items():
        assert message["From"] == "Blauwal Books <news@blauwal.example>"
        assert message["Message-ID"] == deliveries[address].message_id
        links = message["List-Unsubscribe"]
        assert "<https://crm.example/m/u/" in links and "<mailto:" in links
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Precedence"] == "bulk"
        html = message.get_body(("html",)).get_content()
        assert "https://crm.example/m/u/" in html  # the visible unsubscribe link
        assert "https://crm.example/m/c/" in html  # the tracked link
    envelope_senders = {sender for sender, _rcpts, _msg, _raw in smtp.messages}
    assert all(s.startswith("bounce+") for s in envelope_senders)
    assert all(s.endswith("@bounces.blauwal.example") for s in envelope_senders)

    # 6. Anna clicks the offer (the tracked link redirects to the stored one); the other
    # reader's mail program unsubscribes her with one click (RFC 8058)
    [click] = re.findall(
        r'href="https://crm\.example(/m/c/[^"]+)"', anna.get_body(("html",)).get_content()
    )
    followed = page.request.get(click, max_redirects=0)
    assert followed.status == 302
    assert followed.headers["location"] == "https://shop.example/autumn"
    [one_click] = re.findall(r"<https://crm\.example(/m/u/[^>]+)>", nameless["List-Unsubscribe"])
    unsubscribed = page.request.post(one_click, form={"List-Unsubscribe": "One-Click"})
    assert unsubscribed.status == 200
    with workspace_scope(workspace):
        assert not Contact.objects.get(email="reader1@example.com").email_opt_in
        timelines = {
            address: sorted(
                Interaction.objects.filter(contact__email=address).values_list("kind", flat=True)
            )
            for address in ("reader0@example.com", "reader1@example.com", "reader2@example.com")
        }
    assert timelines == {
        "reader0@example.com": ["campaign.clicked", "campaign.sent"],
        "reader1@example.com": ["campaign.sent", "campaign.unsubscribed"],
        "reader2@example.com": [],  # Clara matched but never opted in: nothing sent
    }

    # 7. the report: 2 sent, 2 delivered, 1 clicked, 1 unsubscribed, none failed
    page.get_by_test_id("campaign-report-link").click()
    page.wait_for_url(f"**/marketing/campaigns/{campaign.pk}/report/")
    expect(page.get_by_test_id("campaign-status")).to_have_text("Sent")
    expect(_figure(page, "delivered")).to_have_text("2")
    expect(page.locator("[data-rate=delivered]")).to_have_text("of 2 sent")
    expect(_figure(page, "recipients")).to_have_text("2")
    expect(_figure(page, "failed")).to_have_text("0")
    expect(_figure(page, "bounced")).to_have_text("0")
    expect(_figure(page, "clicked")).to_have_text("1")
    expect(_figure(page, "unsubscribed")).to_have_text("1")
    links = page.get_by_test_id("link-table").locator("tbody tr")
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text("https://shop.example/autumn")
    screenshot(page, "journey-campaign-report")
