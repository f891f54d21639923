"""The scoring pages: the rules list (query count), a field rule made with the segment
builder's inputs, an event rule with a cap, the builder's redraw, delete, the settings, the
score panel on the contact page; who may see and change what."""

import pytest
from django.urls import reverse

from scoring.models import ScoringRule, ScoringSettings
from scoring.services.runs import scoring_run_workspace
from tests.contacts.factories import ContactFactory
from tests.scoring import factories as f
from touchpoints.services import interaction_record
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def url(name, **kwargs):
    return reverse(f"scoring:{name}", kwargs={"ws": "acme", **kwargs})


def test_the_rules_page_lists_rules_in_few_queries(
    workspace, client_for, django_assert_max_num_queries
):
    client = client_for(Role.MARKETING)
    for i in range(6):
        f.event_rule(workspace, name=f"Rule {i}", points=i + 1)
        f.field_rule(workspace, name=f"Field {i}")
    with django_assert_max_num_queries(12):
        response = client.get(url("rules"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="rule-row"') == 12


def test_the_app_entry_opens_the_rules_page(workspace, client_for):
    response = client_for(Role.SALES).get(url("index"))
    assert response.status_code == 302 and response.url == url("rules")


def test_a_marketer_makes_a_field_rule_with_the_builder(workspace, client_for):
    client = client_for(Role.MARKETING)
    assert client.get(url("rule_new")).status_code == 200
    response = client.post(
        url("rule_new"),
        {
            "name": "Directors",
            "category": "fit",
            "kind": "field",
            "points": "15",
            "active": "on",
            "op": "and",
            "n": ["r:0"],
            "r-0-field": "job_title",
            "r-0-operator": "contains",
            "r-0-value": "Director",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = ScoringRule.objects.get(name="Directors")
    assert rule.conditions == {
        "op": "and",
        "rules": [{"field": "job_title", "operator": "contains", "value": "Director"}],
    }


def test_a_field_rule_without_conditions_is_refused(workspace, client_for):
    response = client_for(Role.MARKETING).post(
        url("rule_new"),
        {"name": "Empty", "category": "fit", "kind": "field", "points": "5", "op": "and"},
    )
    assert response.status_code == 400
    assert "Add at least one condition." in response.content.decode()
    assert not ScoringRule.objects.exists()


def test_a_rule_on_the_score_itself_is_refused(workspace, client_for):
    response = client_for(Role.MARKETING).post(
        url("rule_new"),
        {
            "name": "Loop",
            "category": "fit",
            "kind": "field",
            "points": "5",
            "op": "and",
            "n": ["r:0"],
            "r-0-field": "lead_score_total",
            "r-0-operator": "gte",
            "r-0-value": "10",
        },
    )
    assert response.status_code == 400
    assert not ScoringRule.objects.exists()


def test_an_event_rule_with_a_cap_is_saved(workspace, client_for):
    response = client_for(Role.MANAGER).post(
        url("rule_new"),
        {
            "name": "Opens",
            "category": "engagement",
            "kind": "event",
            "event_kind": "form.submitted",
            "event_channel": "",
            "points": "5",
            "cap_points": "10",
            "cap_period": "week",
            "active": "on",
            "op": "and",
        },
    )
    assert response.status_code == 302
    rule = ScoringRule.objects.get()
    assert (rule.event_kind, rule.cap_points, rule.cap_period, rule.conditions) == (
        "form.submitted",
        10,
        "week",
        {},
    )


def test_a_cap_needs_its_period(workspace, client_for):
    response = client_for(Role.MANAGER).post(
        url("rule_new"),
        {
            "name": "Opens",
            "category": "engagement",
            "kind": "event",
            "event_kind": "form.submitted",
            "points": "5",
            "cap_points": "10",
            "op": "and",
        },
    )
    assert response.status_code == 400
    assert "A cap needs both the points and the period." in response.content.decode()


def test_the_builder_redraws_when_a_rule_is_added(workspace, client_for):
    client = client_for(Role.MARKETING)
    response = client.post(url("rule_preview"), {"op": "and", "action": "add:"})
    assert response.status_code == 200
    assert 'data-testid="rule"' in response.content.decode()
    unchanged = client.post(
        url("rule_preview"),
        {
            "op": "and",
            "n": ["r:0"],
            "r-0-field": "job_title",
            "r-0-operator": "contains",
            "r-0-shown": "job_title|contains",
            "r-0-value": "x",
        },
    )
    assert unchanged.status_code == 204


def test_a_rule_is_edited_and_deleted(workspace, client_for):
    rule = f.event_rule(workspace, points=5)
    client = client_for(Role.MARKETING)
    page = client.get(url("rule_edit", pk=rule.pk))
    assert page.status_code == 200 and 'value="Form sent"' in page.content.decode()
    response = client.post(
        url("rule_edit", pk=rule.pk),
        {
            "name": "Form sent",
            "category": "engagement",
            "kind": "event",
            "event_kind": "form.submitted",
            "points": "7",
            "op": "and",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.points, rule.active) == (7, False)
    client.post(url("rule_edit", pk=rule.pk), {"action": "delete"})
    assert not ScoringRule.objects.exists()


def test_the_settings_are_saved(workspace, client_for, member_factory):
    rep = member_factory(Role.SALES)
    client = client_for(Role.MANAGER)
    assert client.get(url("settings")).status_code == 200
    response = client.post(
        url("settings"), {"half_life_days": "14", "threshold": "60", "owner": rep.pk}
    )
    assert response.status_code == 302
    row = ScoringSettings.objects.get()
    assert (row.half_life_days, row.threshold, row.owner) == (14, 60, rep)
    bad = client.post(url("settings"), {"half_life_days": "0", "threshold": "60"})
    assert bad.status_code == 200 and ScoringSettings.objects.get().half_life_days == 14


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (Role.SALES, 200, 403),
        (Role.READONLY, 200, 403),
        (Role.MARKETING, 200, 200),
        (Role.MANAGER, 200, 200),
        (Role.SERVICE, 403, 403),
    ],
)
def test_roles(workspace, client_for, role, read, write):
    client = client_for(role)
    assert client.get(url("rules")).status_code == read
    assert client.get(url("settings")).status_code == read
    assert client.get(url("rule_new")).status_code == write


def test_a_reader_cannot_change_the_settings(workspace, client_for):
    response = client_for(Role.SALES).post(url("settings"), {"half_life_days": "5"})
    assert response.status_code == 403
    assert not ScoringSettings.objects.exists()


def test_the_contact_page_shows_the_score_and_its_reasons(
    workspace, client_for, django_assert_max_num_queries
):
    f.event_rule(workspace, points=10)
    contact = ContactFactory(workspace=workspace)
    for _ in range(3):
        interaction_record(
            workspace=workspace,
            kind="form.submitted",
            channel="website",
            contact=contact,
            direction="in",
        )
    scoring_run_workspace(workspace=workspace)
    client = client_for(Role.SALES)
    address = reverse("contacts:detail", kwargs={"ws": "acme", "pk": contact.pk})
    client.get(address)
    with django_assert_max_num_queries(60):
        response = client.get(address)
    body = response.content.decode()
    assert 'data-testid="lead-score-panel"' in body
    assert 'data-testid="score-total">30<' in body
    assert body.count("Form submitted on Website") >= 3


def test_the_panel_is_hidden_from_roles_without_scoring(workspace, client_for):
    contact = ContactFactory(workspace=workspace)
    response = client_for(Role.SERVICE).get(
        reverse("contacts:detail", kwargs={"ws": "acme", "pk": contact.pk})
    )
    assert response.status_code == 200
    assert "lead-score-panel" not in response.content.decode()
