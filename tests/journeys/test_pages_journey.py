"""The journeys list and a journey's page (steps with the contacts at each, enrolments by
status, entries per day, recent and failed enrolments, the flag), their query counts with
rows, and the contact page's panel."""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from journeys.models import EnrolmentStatus, Journey
from tests.journeys.builder_helpers import (
    enrol,
    make_journey,
    test_kinds,  # noqa: F401 - fixture
    url,
)
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]


def _journeys(workspace, user, n):
    with workspace_scope(workspace):
        out = []
        for i in range(n):
            journey = make_journey(workspace, user, name=f"Journey {i}")
            enrol(journey)
            enrol(journey, status=EnrolmentStatus.COMPLETED)
            out.append(journey)
        return out


def test_the_list_shows_status_trigger_active_enrolments_and_the_flag(
    client_for, workspace, owner, django_assert_max_num_queries
):
    journeys = _journeys(workspace, owner, 3)
    with workspace_scope(workspace):
        Journey.objects.filter(pk=journeys[0].pk).update(
            flagged_reason="Template “Hi” was deleted."
        )
    client = client_for(Role.MARKETING)
    with django_assert_max_num_queries(8):
        page = client.get(url("list"))
    html = page.content.decode()
    assert html.count('data-testid="journey-row"') == 3
    assert html.count('data-testid="journey-active">1<') == 3
    assert html.count('data-testid="journey-flagged"') == 1
    assert "By hand" in html  # the trigger's label
    assert 'data-testid="new-journey"' in html


def test_the_list_query_count_does_not_grow_with_the_rows(
    client_for, workspace, owner, django_assert_max_num_queries
):
    _journeys(workspace, owner, 8)
    client = client_for(Role.MARKETING)
    with django_assert_max_num_queries(8):
        page = client.get(url("list"))
    assert page.content.decode().count('data-testid="journey-row"') == 8


def test_the_journey_page_shows_counts_totals_chart_and_failures(
    client_for, workspace, owner, django_assert_max_num_queries
):
    with workspace_scope(workspace):
        journey = make_journey(workspace, owner)
        Journey.objects.filter(pk=journey.pk).update(flagged_reason="Segment “VIP” was deleted.")
        at_s1 = [enrol(journey, step="s1") for _ in range(3)]
        enrol(journey, step="s3")
        failed = enrol(journey, status=EnrolmentStatus.FAILED, error="The email template is gone.")
        enrol(journey, status=EnrolmentStatus.COMPLETED, days_ago=3)
    client = client_for(Role.READONLY)
    with django_assert_max_num_queries(16):
        page = client.get(url("detail", pk=journey.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="journey-flag"' in html and escape("Segment “VIP” was deleted.") in html
    counts = html.split('data-testid="flow-step"')
    assert 'data-testid="step-count">3<' in counts[1]  # s1
    assert 'data-testid="step-count">1<' in counts[3]  # s3 on the yes path
    assert 'data-testid="total-active">4<' in html
    assert 'data-testid="total-failed">1<' in html
    assert 'data-testid="total-completed">1<' in html
    assert "The email template is gone." in html
    assert reverse("contacts:detail", kwargs={"ws": "acme", "pk": failed.contact_id}) in html
    for enrolment in at_s1:
        assert reverse("contacts:detail", kwargs={"ws": "acme", "pk": enrolment.contact_id}) in html
    chart = json.loads(
        html.split('id="journey-entries" type="application/json">')[1].split("</script>")[0]
    )
    entries = chart["data"]["datasets"][0]["data"]
    assert len(entries) == 30 and entries[-1] == 5 and entries[-4] == 1
    assert 'data-testid="edit-journey"' not in html  # read-only


def test_the_journey_page_query_count_does_not_grow_with_enrolments(
    client_for, workspace, owner, django_assert_max_num_queries
):
    with workspace_scope(workspace):
        journey = make_journey(workspace, owner)
        for _ in range(25):
            enrol(journey)
        for _ in range(5):
            enrol(journey, status=EnrolmentStatus.FAILED, error="gone")
    client = client_for(Role.MARKETING)
    with django_assert_max_num_queries(16):
        page = client.get(url("detail", pk=journey.pk))
    assert page.content.decode().count('data-testid="enrolment-row"') == 20


def test_the_contact_page_lists_the_contacts_journeys(client_for, workspace, owner):
    with workspace_scope(workspace):
        journey = make_journey(workspace, owner, name="Welcome series")
        enrolment = enrol(journey)
    page = client_for(Role.MARKETING).get(
        reverse("contacts:detail", kwargs={"ws": "acme", "pk": enrolment.contact_id})
    )
    html = page.content.decode()
    assert 'data-testid="contact-journeys"' in html
    assert "Welcome series" in html and url("detail", pk=journey.pk) in html
    sales_page = client_for(Role.SALES).get(
        reverse("contacts:detail", kwargs={"ws": "acme", "pk": enrolment.contact_id})
    )
    assert 'data-testid="contact-journeys"' not in sales_page.content.decode()
