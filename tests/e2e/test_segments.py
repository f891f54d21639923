"""A marketer builds the segment "women 30-45 with a university degree" in the builder in
Chromium: each rule added and filled narrows the live count (htmx), then it is saved and its
page shows the same figures."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact
from marketing.models import Segment
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _born(years_ago):
    today = timezone.localdate()
    return today.replace(year=today.year - years_ago, day=1) - datetime.timedelta(days=40)


@pytest.fixture
def agency(live_server):
    workspace = WorkspaceFactory(name="Blauwal Marketing", slug="blauwal")
    marketer = MembershipFactory(workspace=workspace, role=Role.MARKETING).user
    people = [
        ("Anna", "female", 35, "master", True),
        ("Berit", "female", 41, "bachelor", True),
        ("Clara", "female", 31, "doctorate", False),
        ("Dora", "female", 52, "master", True),  # too old
        ("Eva", "female", 38, "vocational", True),  # no degree
        ("Felix", "male", 40, "master", True),
        ("Greta", "female", 25, "bachelor", True),  # too young
    ]
    with workspace_scope(workspace):
        for first, sex, age, education, opt_in in people:
            Contact.objects.create(
                workspace=workspace,
                first_name=first,
                last_name="Muster",
                email=f"{first.lower()}@example.com",
                sex=sex,
                date_of_birth=_born(age),
                education=education,
                email_opt_in=opt_in,
            )
    return workspace, marketer


def _rule(page, index):
    return page.locator("[data-testid=rule]").nth(index)


def _add_rule(page, index, field):
    with page.expect_response(lambda r: "/segments/preview/" in r.url):
        page.locator("[data-testid=group-root] > div > [data-testid=add-rule]").click()
    rule = _rule(page, index)
    with page.expect_response(lambda r: "/segments/preview/" in r.url):
        rule.locator("[data-testid=rule-field]").select_option(field)
    return _rule(page, index)


def test_a_marketer_builds_women_30_to_45_with_a_degree(agency, page, login_as, screenshot):
    workspace, marketer = agency
    login_as(page, marketer.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/marketing/segments/")
    page.click("[data-testid=new-segment]")
    page.fill("input[name=name]", "Women 30-45 with a university degree")
    matching = page.locator("[data-testid=count-matching]")
    expect(matching).to_have_text("7")  # no rules yet: everyone

    sex = _add_rule(page, 0, "sex")
    sex.get_by_label("Female").check()
    expect(matching).to_have_text("6")

    age = _add_rule(page, 1, "age")
    expect(age.locator("[data-testid=rule-operator]")).to_have_value("between")
    age.locator("[data-testid=value-min]").fill("30")
    age.locator("[data-testid=value-max]").fill("45")
    expect(matching).to_have_text("4")

    education = _add_rule(page, 2, "education")
    for label in ("Bachelor", "Master", "Doctorate"):
        education.get_by_label(label).check()
    expect(matching).to_have_text("3")
    expect(page.locator("[data-testid=count-receivable]")).to_have_text("2")  # Clara: no opt-in
    expect(page.locator("[data-testid=sample] li")).to_have_count(3)
    screenshot(page, "segment-builder")

    page.click("[data-testid=save-segment]")
    expect(page.locator("[data-testid=segment-figures]")).to_contain_text(
        "3 match, 2 can receive email"
    )
    with workspace_scope(workspace):
        segment = Segment.objects.get(name="Women 30-45 with a university degree")
    assert [r["field"] for r in segment.rules["rules"]] == ["sex", "age", "education"]
    assert segment.rules["rules"][1]["value"] == [30, 45]

    page.click("[data-testid=build-segment]")
    expect(page.locator("[data-testid=member-row]")).to_have_count(3)
    page.goto(f"/w/{workspace.slug}/marketing/segments/")
    expect(page.locator("[data-testid=segment-row]")).to_contain_text("3")


def test_a_static_list_is_filled_with_the_contact_picker(agency, page, login_as):
    workspace, marketer = agency
    with workspace_scope(workspace):
        static = Segment.objects.create(workspace=workspace, name="Fair visitors", kind="static")
    login_as(page, marketer.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/marketing/segments/{static.pk}/")
    box = page.locator("[data-autocomplete]:has(input[name=contact]) [role=combobox]")
    box.click()
    with page.expect_response(lambda r: "/contacts/pick/" in r.url):
        box.press_sequentially("Ber", delay=60)
    page.locator("[role=option]", has_text="Berit").first.click()
    page.click("[data-testid=add-member]")
    expect(page.locator("[data-testid=member-row]")).to_have_count(1)
    expect(page.locator("[data-testid=member-row]")).to_contain_text("Berit Muster")
    expect(page.locator("[data-testid=member-count]")).to_have_text("1")


def test_a_rule_without_a_value_is_quiet_while_editing_and_its_message_goes(agency, page, login_as):
    workspace, marketer = agency
    login_as(page, marketer.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/marketing/segments/new/")
    page.fill("input[name=name]", "Half done")
    errors = page.locator("[data-testid=rule-error]")
    _add_rule(page, 0, "sex")
    expect(page.locator("[data-testid=count-matching]")).to_have_text("7")
    expect(errors).to_have_count(0)
    expect(page.locator("#rules-builder")).not_to_contain_text("None")

    page.click("[data-testid=save-segment]")  # saving asks for the value, at the rule
    expect(_rule(page, 0).locator("[data-testid=rule-error]")).to_have_text("Choose a value.")

    _rule(page, 0).get_by_label("Female").check()
    expect(errors).to_have_count(0)
    expect(page.locator("[data-testid=count-matching]")).to_have_text("6")
