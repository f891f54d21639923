"""The journey builder with plain form posts: steps added, moved and deleted (a branch with its
paths), a journey saved as drawn and published, the messages at the field or step that is
wrong (unknown step type, missing settings, a branch with no path), a live journey edited
into a new version, "New journey" from a template, and who may build."""

import re

import pytest

from journeys.models import Journey, JourneyStatus, JourneyStep
from tests.journeys.builder_helpers import (
    FORK,
    NOTE,
    TRIGGER,
    journey_fields,
    make_journey,
    post_data,
    test_kinds,  # noqa: F401 - fixture
    url,
)
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]


def steps_of(journey):
    with workspace_scope(journey.workspace):
        journey.refresh_from_db()
        return {
            s.key: (s.kind, s.params, s.next_key, s.branches)
            for s in JourneyStep.objects.filter(version=journey.current_version)
        }


def test_the_blank_builder_offers_every_step_type_and_the_trigger(client_for):
    page = client_for(Role.MARKETING).get(url("create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{NOTE}">Note</option>' in html
    assert f'<option value="{FORK}">Fork</option>' in html
    assert f'value="{TRIGGER}"' in html
    assert 'id="rules-builder"' in html  # the segment rule editor for the conditions


def test_steps_are_added_into_paths_moved_and_deleted_without_javascript(client_for):
    client = client_for(Role.MARKETING)
    fields = journey_fields()
    page = client.post(
        url("create"), post_data([*fields, ("add-kind--", FORK), ("action", "step-add::")])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="step" value="s1:test.fork::"' in html
    assert 'data-testid="path-yes"' in html and 'data-testid="path-no"' in html
    # a note on the fork's yes path, then one at the top, moved above the fork
    page = client.post(
        url("create"),
        post_data(
            [
                *fields,
                ("key-next", "2"),
                ("step", "s1:test.fork::"),
                ("add-kind-s1-yes", NOTE),
                ("action", "step-add:s1:yes"),
            ]
        ),
    )
    assert 'name="step" value="s2:test.note:s1:yes"' in page.content.decode()
    posted = [
        *fields,
        ("key-next", "4"),
        ("step", "s1:test.fork::"),
        ("step", "s2:test.note:s1:yes"),
        ("s-s2-text", "kept while moving"),
        ("step", "s3:test.note::"),
        ("s-s3-text", "first"),
    ]
    page = client.post(url("create"), post_data([*posted, ("action", "step-up:s3")]))
    html = page.content.decode()
    assert html.index('value="s3:test.note::"') < html.index('value="s1:test.fork::"')
    assert 'value="kept while moving"' in html  # a card's settings survive the move
    assert 'data-testid="step-error"' not in html  # no judging while shaping
    page = client.post(url("create"), post_data([*posted, ("action", "step-delete:s1")]))
    html = page.content.decode()
    assert "s1:test.fork" not in html and "s2:test.note" not in html  # with its paths
    assert 'value="s3:test.note::"' in html
    assert not Journey.objects.exists()


def test_a_journey_is_saved_as_drawn_and_published(client_for, workspace):
    client = client_for(Role.MARKETING)
    posted = [
        *journey_fields(),
        ("step", "s1:test.note::"),
        ("s-s1-text", "welcome"),
        ("step", "s2:test.fork::"),
        ("step", "s3:test.note:s2:yes"),
        ("s-s3-text", "yes path"),
        ("step", "s4:test.note::"),
        ("s-s4-text", "after the fork"),
    ]
    response = client.post(url("create"), post_data([*posted, ("action", "publish")]))
    with workspace_scope(workspace):
        journey = Journey.objects.get(name="Onboarding")
    assert response.status_code == 302 and response.url == url("detail", pk=journey.pk)
    assert journey.status == JourneyStatus.LIVE
    assert journey.trigger == TRIGGER and journey.trigger_params == {"source": "web"}
    assert steps_of(journey) == {
        "s1": (NOTE, {"text": "welcome"}, "s2", {}),
        "s2": (FORK, {}, "s4", {"yes": "s3", "no": "s4"}),
        "s3": (NOTE, {"text": "yes path"}, "s4", {}),
        "s4": (NOTE, {"text": "after the fork"}, "", {}),
    }
    assert journey.current_version.first_step_key == "s1"


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([("step", "s1:nope.gone::")], "Unknown step type “nope.gone”: delete this step."),
        ([("step", "s1:test.note::"), ("s-s1-text", "")], "Correct the settings of this step."),
        ([("step", "s1:test.fork::")], "A branch needs at least one step on one of its paths"),
    ],
)
def test_a_wrong_step_is_marked_on_its_card_and_nothing_is_stored(client_for, steps, message):
    response = client_for(Role.MARKETING).post(
        url("create"), post_data([*journey_fields(), *steps, ("action", "save")])
    )
    assert response.status_code == 400
    html = response.content.decode()
    card = html[html.index('id="step-s1"') :]
    assert message in card[: card.index("</li>")] if "</li>" in card else message in card
    assert not Journey.objects.exists()


def test_a_missing_name_and_trigger_setting_are_marked_at_their_fields(client_for):
    fields = [(k, v) for k, v in journey_fields() if k not in ("name", "t-source")]
    response = client_for(Role.MARKETING).post(
        url("create"),
        post_data([*fields, ("step", "s1:test.note::"), ("s-s1-text", "x"), ("action", "save")]),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("This field is required.") == 2
    assert 'id="error_1_id_name"' in html or "is-invalid" in html


def test_editing_a_live_journey_warns_and_stores_a_new_version(client_for, workspace, owner):
    with workspace_scope(workspace):
        journey = make_journey(workspace, owner)
        first_version = journey.current_version
    client = client_for(Role.MARKETING)
    client.post(url("publish", pk=journey.pk))
    page = client.get(url("edit", pk=journey.pk))
    html = page.content.decode()
    assert 'data-testid="live-warning"' in html
    assert 'name="step" value="s2:test.fork::"' in html
    assert 'name="step" value="s3:test.note:s2:yes"' in html
    assert 'name="key-next" value="4"' in html
    posted = [
        *journey_fields(),
        ("key-next", "4"),
        ("step", "s1:test.note::"),
        ("s-s1-text", "hello again"),
    ]
    response = client.post(url("edit", pk=journey.pk), post_data([*posted, ("action", "save")]))
    assert response.status_code == 302
    with workspace_scope(workspace):
        journey.refresh_from_db()
        assert journey.status == JourneyStatus.LIVE
        assert journey.current_version.number == first_version.number + 1
    assert steps_of(journey) == {"s1": (NOTE, {"text": "hello again"}, "", {})}


def test_readonly_members_cannot_build_and_sales_reps_cannot_see(client_for, workspace, owner):
    with workspace_scope(workspace):
        journey = make_journey(workspace, owner)
    readonly = client_for(Role.READONLY)
    assert readonly.get(url("list")).status_code == 200
    assert readonly.get(url("detail", pk=journey.pk)).status_code == 200
    assert readonly.get(url("create")).status_code == 403
    assert readonly.get(url("edit", pk=journey.pk)).status_code == 403
    assert readonly.post(url("publish", pk=journey.pk)).status_code == 403
    assert (
        'data-testid="edit-journey"'
        not in readonly.get(url("detail", pk=journey.pk)).content.decode()
    )
    sales = client_for(Role.SALES)
    assert sales.get(url("list")).status_code == 403
    assert sales.get(url("detail", pk=journey.pk)).status_code == 403
    with workspace_scope(workspace):
        journey.refresh_from_db()
    assert journey.status == JourneyStatus.DRAFT


def test_pause_and_resume(client_for, workspace, owner):
    with workspace_scope(workspace):
        journey = make_journey(workspace, owner)
    client = client_for(Role.MARKETING)
    assert client.get(url("pause", pk=journey.pk)).status_code == 405
    client.post(url("publish", pk=journey.pk))
    client.post(url("pause", pk=journey.pk))
    with workspace_scope(workspace):
        journey.refresh_from_db()
    assert journey.status == JourneyStatus.PAUSED
    client.post(url("resume", pk=journey.pk))
    with workspace_scope(workspace):
        journey.refresh_from_db()
    assert journey.status == JourneyStatus.LIVE


def test_new_journey_blank_opens_the_builder(client_for):
    client = client_for(Role.MARKETING)
    assert client.get(url("new")).status_code == 200
    response = client.post(url("new"), {"template": ""})
    assert response.status_code == 302 and response.url == url("create")
    assert client.post(url("new"), {"template": "no-such"}).status_code == 400


@pytest.mark.parametrize("template_key", ["welcome", "win_back", "lead_nurturing"])
def test_a_built_in_template_becomes_a_draft_the_builder_draws(client_for, workspace, template_key):
    client = client_for(Role.MARKETING)
    page = client.get(url("new"))
    assert f'value="{template_key}"' in page.content.decode()
    response = client.post(url("new"), {"template": template_key})
    with workspace_scope(workspace):
        journey = Journey.objects.get(template_key=template_key)
        stored = set(steps_of(journey))
    assert response.status_code == 302 and response.url == url("edit", pk=journey.pk)
    assert journey.status == JourneyStatus.DRAFT
    html = client.get(response.url).content.decode()
    drawn = set(re.findall(r'name="step" value="(s[0-9]+):', html))
    assert drawn == stored  # every step of the template is on a card, once
    assert 'data-testid="step-error"' not in html


@pytest.mark.parametrize("role", [Role.MARKETING, Role.MANAGER])
def test_the_conditions_count_live_for_everyone_who_builds_journeys(client_for, workspace, role):
    from tests.contacts.factories import ContactFactory

    with workspace_scope(workspace):
        ContactFactory(workspace=workspace, email_opt_in=True)
        ContactFactory(workspace=workspace, email_opt_in=False)
    client = client_for(role)
    rule = [
        ("op", "and"),
        ("n", "r:0"),
        ("r-0-field", "email_opt_in"),
        ("r-0-operator", "is_true"),
        ("r-0-shown", "email_opt_in|is_true"),
    ]
    response = client.post(url("conditions_preview"), post_data([*rule, ("part", "count")]))
    assert response.status_code == 200
    assert 'data-testid="count-matching">1<' in response.content.decode()
    # a rule added: the rules come back (the add button's own form post without htmx works too)
    response = client.post(
        url("conditions_preview"), post_data([*rule, ("part", "rules"), ("action", "add:")])
    )
    html = response.content.decode()
    assert response["HX-Retarget"] == "#rules-builder"
    assert html.count('data-testid="rule"') == 2
    assert url("conditions_preview") in html  # further edits stay on the journeys endpoint
    assert (
        client_for(Role.READONLY).post(url("conditions_preview"), post_data(rule)).status_code
        == 403
    )


def test_a_branch_condition_is_built_with_the_rule_editor_in_plain_posts(client_for, workspace):
    client = client_for(Role.MARKETING)
    branch = [*journey_fields(), ("step", "s1:branch::"), ("s-s1-c-op", "and")]
    page = client.post(url("create"), post_data([*branch, ("action", "cond:s1:add:")]))
    html = page.content.decode()
    assert 'data-testid="branch-condition"' in html
    assert 'name="s-s1-c-r-0-field"' in html  # the rule added, under the step's prefix
    assert 'name="r-0-field"' not in html  # the journey's own conditions are untouched
    rule = [
        ("s-s1-c-n", "r:0"),
        ("s-s1-c-r-0-field", "email_opt_in"),
        ("s-s1-c-r-0-operator", "is_true"),
        ("step", "s2:test.note:s1:yes"),
        ("s-s2-text", "opted in"),
    ]
    response = client.post(url("create"), post_data([*branch, *rule, ("action", "save")]))
    assert response.status_code == 302
    with workspace_scope(workspace):
        journey = Journey.objects.get(name="Onboarding")
    kind, params, _next, branches = steps_of(journey)["s1"]
    assert kind == "branch" and branches == {"yes": "s2", "no": ""}
    assert params["condition"]["rules"] == [{"field": "email_opt_in", "operator": "is_true"}]
    page = client.get(url("edit", pk=journey.pk)).content.decode()
    assert 'name="s-s1-c-r-0-field"' in page and 'value="email_opt_in" selected' in page
