"""The service pages: case list (filters, keyset paging, query counts), new case, the case
page (conversation, notes apart, canned responses, sales context, product availability,
timeline), its write endpoints, the agent home and the set-up pages; roles."""

import datetime

import pytest
from django.urls import reverse

from service.models import (
    Case,
    CaseMessage,
    CaseStatus,
    MessageKind,
    Priority,
    QueueMember,
    SlaPolicy,
    SlaState,
)
from service.services import setup
from service.services.cases import case_note
from tests.contacts.factories import ContactFactory
from tests.sales.catalog_factories import ProductFactory, open_deal
from tests.service import factories as f
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def url(name, **kwargs):
    return reverse(f"service:{name}", kwargs={"ws": "acme", **kwargs})


def test_an_agent_opens_a_case_from_the_form(workspace, client_for):
    client = client_for(Role.SERVICE)
    contact = ContactFactory(workspace=workspace, first_name="Ada")
    queue = f.queue(workspace)
    response = client.post(
        url("case_create"),
        {
            "contact": contact.pk,
            "type": "complaint",
            "channel": "phone",
            "subject": "Kettle leaks",
            "priority": "high",
            "queue": queue.pk,
            "body": "Water everywhere.",
            "category": "Quality",
            "remedy": "replacement",
        },
    )
    case = Case.all_workspaces.get()
    assert response.status_code == 302
    assert response["Location"] == url("case_detail", pk=case.pk)
    assert (case.number, case.type, case.priority, case.remedy) == (
        1,
        "complaint",
        "high",
        "replacement",
    )
    assert case.messages.get().kind == MessageKind.CUSTOMER
    assert Interaction.all_workspaces.get(kind="case.opened").contact == contact


def test_a_bad_new_case_shows_the_error_at_the_field(client_for):
    response = client_for(Role.SERVICE).post(url("case_create"), {"type": "complaint"})
    assert response.status_code == 200
    assert "subject" in response.context["form"].errors
    assert not Case.all_workspaces.exists()


def test_numbers_count_per_workspace(workspace, other_workspace):
    assert [f.new_case(workspace).number for _ in range(3)] == [1, 2, 3]
    assert f.new_case(other_workspace).number == 1


def test_the_list_filters_and_pages_with_few_queries(
    workspace, client_for, django_assert_max_num_queries
):
    client = client_for(Role.SERVICE)
    agent = client.user
    queue = f.queue(workspace)
    for i in range(54):
        f.new_case(workspace, subject=f"Case {i}", queue=queue if i % 2 else None)
    mine = f.new_case(workspace, subject="Mine", assignee=agent, priority=Priority.URGENT)
    with django_assert_max_num_queries(10):
        page = client.get(url("cases"))
    assert page.status_code == 200
    assert len(page.context["page"]) == 50 and page.context["page"].has_next
    rows = client.get(url("cases"), {"assignee": agent.pk}).context["page"]
    assert [c.pk for c in rows] == [mine.pk]
    assert len(client.get(url("cases"), {"queue": queue.pk}).context["page"]) == 27
    assert [c.pk for c in client.get(url("cases"), {"priority": "urgent"}).context["page"]] == [
        mine.pk
    ]
    assert [c.pk for c in client.get(url("cases"), {"q": f"#{mine.number}"}).context["page"]] == [
        mine.pk
    ]
    Case.all_workspaces.filter(pk=mine.pk).update(sla_state=SlaState.BREACHED)
    assert [c.pk for c in client.get(url("cases"), {"sla": "breached"}).context["page"]] == [
        mine.pk
    ]
    nxt = client.get(url("cases"), {"cursor": page.context["page"].next_cursor})
    assert len(nxt.context["page"]) == 5


def test_the_case_page_shows_the_conversation_notes_apart_and_stays_cheap(
    workspace, client_for, django_assert_max_num_queries
):
    client = client_for(Role.SERVICE)
    case = f.new_case(workspace, body="My order is late.")
    with workspace_scope(workspace):
        for i in range(5):
            case_note(workspace=workspace, actor=client.user, case=case, body=f"Checked {i}")
    with django_assert_max_num_queries(16):
        page = client.get(url("case_detail", pk=case.pk))
    html = page.content.decode()
    assert "My order is late." in html
    assert html.count('data-testid="msg-note"') == 5
    assert "Internal note – not sent" in html
    assert 'data-testid="timeline"' in html  # the contact's 360° history beside it
    # more notes cost no more queries
    with workspace_scope(workspace):
        for i in range(10):
            case_note(workspace=workspace, actor=client.user, case=case, body=f"More {i}")
    with django_assert_max_num_queries(16):
        client.get(url("case_detail", pk=case.pk))


def test_reply_pending_resolve_and_the_customer_reopens(workspace, client_for):
    client = client_for(Role.SERVICE)
    case = f.new_case(workspace)
    client.post(url("case_message", pk=case.pk), {"body": "Sorry! Which model?"})
    client.post(url("case_status", pk=case.pk), {"status": "pending"})
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING and case.paused_since is not None
    assert case.first_responded_at is not None
    client.post(url("case_status", pk=case.pk), {"status": "resolved"})
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.resolved_at is not None
    from service.services.cases import case_customer_message

    with workspace_scope(workspace):
        case_customer_message(workspace=workspace, case=case, body_text="Still broken")
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == (CaseStatus.OPEN, 1)
    kinds = set(Interaction.all_workspaces.values_list("kind", flat=True))
    assert {"case.opened", "case.replied", "case.resolved", "case.reopened"} <= kinds
    history = case.messages.filter(kind=MessageKind.SYSTEM).values_list("body_text", flat=True)
    assert any("Pending customer" in line for line in history)


def test_a_move_that_is_not_allowed_is_refused_with_a_message(workspace, client_for):
    client = client_for(Role.SERVICE)
    case = f.new_case(workspace)
    client.post(url("case_status", pk=case.pk), {"status": "closed"})
    response = client.post(url("case_status", pk=case.pk), {"status": "pending"}, follow=True)
    assert "cannot go from" in response.content.decode()
    assert Case.all_workspaces.get().status == CaseStatus.CLOSED


def test_notes_calls_and_visits_land_on_the_timeline(workspace, client_for):
    client = client_for(Role.SERVICE)
    case = f.new_case(workspace)
    client.post(url("case_message", pk=case.pk), {"body": "Called the depot", "internal": "on"})
    client.post(
        url("case_log", pk=case.pk),
        {"kind": "call", "direction": "out", "duration_minutes": 5, "body": "Explained"},
    )
    client.post(url("case_log", pk=case.pk), {"kind": "visit", "body": "Fixed on site"})
    kinds = list(Interaction.all_workspaces.order_by("id").values_list("kind", "channel"))
    assert ("case.noted", "note") in kinds
    assert ("case.call_logged", "phone") in kinds
    assert ("case.visit_logged", "service_visit") in kinds
    assert Interaction.all_workspaces.get(kind="case.call_logged").duration_seconds == 300
    assert Case.all_workspaces.get().first_responded_at is not None  # the call answered


def test_controls_change_priority_assignee_and_queue_with_history(
    workspace, client_for, member_factory
):
    client = client_for(Role.SERVICE)
    other = member_factory(Role.SERVICE)
    queue = f.queue(workspace)
    case = f.new_case(workspace)
    client.post(
        url("case_controls", pk=case.pk),
        {"priority": "urgent", "assignee": other.pk, "queue": queue.pk},
    )
    case.refresh_from_db()
    assert (case.priority, case.assignee, case.queue) == ("urgent", other, queue)
    page = client.get(url("case_detail", pk=case.pk)).content.decode()
    assert "Priority: Normal → Urgent" in page
    assert f"Assignee: nobody → {other}" in page


def test_complaint_fields_are_saved(workspace, client_for):
    client = client_for(Role.SERVICE)
    case = f.new_case(workspace, type="complaint")
    client.post(
        url("case_details", pk=case.pk),
        {
            "subject": case.subject,
            "type": "complaint",
            "category": "Delivery",
            "root_cause": "Carrier lost it",
            "remedy": "refund",
            "remedy_deadline": "2026-12-01",
        },
    )
    case.refresh_from_db()
    assert (case.category, case.root_cause, case.remedy) == (
        "Delivery",
        "Carrier lost it",
        "refund",
    )
    assert case.remedy_deadline == datetime.date(2026, 12, 1)


def test_canned_responses_are_personalised_on_the_case_page(workspace, client_for):
    client = client_for(Role.SERVICE)
    with workspace_scope(workspace):
        setup.canned_response_create(
            workspace=workspace,
            actor=None,
            title="Thanks",
            body="Dear {{ first_name }}, case {{case_number}} {{ evil.__class__ }}",
        )
    contact = ContactFactory(workspace=workspace, first_name="Ada")
    case = f.new_case(workspace, contact=contact)
    html = client.get(url("case_detail", pk=case.pk)).content.decode()
    # fields are filled; anything else stays literal text (no template language runs)
    assert f'data-text="Dear Ada, case {case.number} {{{{ evil.__class__ }}}}"' in html
    assert "&lt;class" not in html


def test_the_customers_sales_and_product_availability_show_on_the_case(workspace, client_for):
    client = client_for(Role.SERVICE)  # no sales permissions
    contact = ContactFactory(workspace=workspace)
    open_deal(workspace, contact=contact, name="Fleet renewal")
    ProductFactory(workspace=workspace, name="Kettle K2", sku="K2", stock_on_hand=3)
    ProductFactory(workspace=workspace, name="Kettle K3", sku="K3", stock_on_hand=0)
    case = f.new_case(workspace, contact=contact)
    html = client.get(url("case_detail", pk=case.pk)).content.decode()
    assert "Fleet renewal" in html and 'data-testid="panel-customer-sales"' in html
    found = client.get(url("case_products", pk=case.pk), {"q": "Kettle"}).content.decode()
    assert "Kettle K2" in found and "3 in stock, ships today" in found
    assert "out of stock, available in 14 days" in found
    assert 'data-insert-text="Kettle K2 (K2): 3 in stock, ships today"' in found


def test_the_agent_home_lists_mine_unassigned_and_breached(workspace, client_for):
    client = client_for(Role.SERVICE)
    queue = f.queue(workspace)
    with workspace_scope(workspace):
        setup.queue_member_set(workspace=workspace, actor=None, queue=queue, user=client.user)
    mine = f.new_case(workspace, subject="Mine", assignee=client.user)
    waiting = f.new_case(workspace, subject="Waiting", queue=queue)
    Case.all_workspaces.filter(pk=waiting.pk).update(sla_state=SlaState.BREACHED)
    home = client.get(reverse("workspace_home", kwargs={"ws": "acme"})).content.decode()
    assert f"#{mine.number} Mine" in home and f"#{waiting.number} Waiting" in home
    assert 'data-testid="agent-breached"' in home


def test_round_robin_and_least_open_among_available_members(workspace, member_factory):
    a, b, c = (member_factory(Role.SERVICE) for _ in range(3))
    queue = f.queue(workspace, assignment="round_robin")
    with workspace_scope(workspace):
        for user in (a, b, c):
            setup.queue_member_set(workspace=workspace, actor=None, queue=queue, user=user)
        setup.queue_member_set(
            workspace=workspace, actor=None, queue=queue, user=c, available=False
        )
    assignees = [f.new_case(workspace, queue=queue).assignee for _ in range(4)]
    assert assignees == [a, b, a, b]
    least = f.queue(workspace, name="Orders", assignment="least_open")
    with workspace_scope(workspace):
        for user in (a, b):
            setup.queue_member_set(workspace=workspace, actor=None, queue=least, user=user)
    f.new_case(workspace, assignee=a)  # a has 3 open, b 2
    assert f.new_case(workspace, queue=least).assignee == b


def test_manual_queue_and_no_available_member_leave_the_case_unassigned(workspace, member_factory):
    agent = member_factory(Role.SERVICE)
    manual = f.queue(workspace)
    away = f.queue(workspace, name="Away", assignment="least_open")
    with workspace_scope(workspace):
        setup.queue_member_set(workspace=workspace, actor=None, queue=manual, user=agent)
        setup.queue_member_set(
            workspace=workspace, actor=None, queue=away, user=agent, available=False
        )
    assert f.new_case(workspace, queue=manual).assignee is None
    assert f.new_case(workspace, queue=away).assignee is None


def test_setup_pages_write_through_their_services(workspace, client_for, member_factory):
    client = client_for(Role.SERVICE)
    agent = member_factory(Role.SERVICE)
    client.post(url("queues"), {"name": "Technical", "assignment": "round_robin"})
    queue = setup_queue = __import__(
        "service.models", fromlist=["Queue"]
    ).Queue.all_workspaces.get()
    assert setup_queue.assignment == "round_robin"
    client.post(
        url("queue_detail", pk=queue.pk),
        {"action": "add_member", "user": agent.pk, "available": "on"},
    )
    member = QueueMember.all_workspaces.get()
    client.post(url("queue_detail", pk=queue.pk), {"action": "away", "member": member.pk})
    assert not QueueMember.all_workspaces.get().available
    client.post(
        url("slas"),
        {
            "priority": "high",
            "high-first_response_minutes": 30,
            "high-next_response_minutes": 60,
            "high-resolution_minutes": 240,
            "high-at_risk_percent": 75,
        },
    )
    assert SlaPolicy.all_workspaces.get(priority="high").resolution_minutes == 240
    client.post(url("calendars"), {"name": "Office", "time_zone": "Europe/Berlin"})
    calendar = __import__(
        "service.models", fromlist=["ServiceCalendar"]
    ).ServiceCalendar.all_workspaces.get()
    assert calendar.is_default  # the first calendar
    client.post(
        url("calendar_detail", pk=calendar.pk),
        {"action": "add_period", "weekday": 0, "start": "09:00", "end": "12:00"},
    )
    bad = client.post(
        url("calendar_detail", pk=calendar.pk),
        {"action": "add_period", "weekday": 0, "start": "11:00", "end": "13:00"},
    )
    assert "overlaps" in bad.content.decode()
    client.post(
        url("calendar_detail", pk=calendar.pk),
        {"action": "add_holiday", "date": "2026-12-25", "name": "Christmas"},
    )
    page = client.get(url("calendar_detail", pk=calendar.pk)).content.decode()
    assert "Christmas" in page and "09:00–12:00" in page
    client.post(url("canned"), {"title": "Hello", "body": "Hi {{ first_name }}"})
    assert "Hello" in client.get(url("canned")).content.decode()


def test_readonly_sees_but_cannot_write_and_marketers_are_refused(workspace, client_for):
    case = f.new_case(workspace)
    readonly = client_for(Role.READONLY)
    assert readonly.get(url("case_detail", pk=case.pk)).status_code == 200
    assert readonly.post(url("case_message", pk=case.pk), {"body": "x"}).status_code == 403
    assert readonly.post(url("queues"), {"name": "X"}).status_code == 403
    assert client_for(Role.MARKETING).get(url("cases")).status_code == 403
    assert not CaseMessage.all_workspaces.filter(kind=MessageKind.REPLY).exists()


def test_form_choices_of_another_workspace_are_refused(workspace, other_workspace, client_for):
    client = client_for(Role.SERVICE)
    case = f.new_case(workspace)
    foreign_queue = f.queue(other_workspace)
    foreign_contact = ContactFactory(workspace=other_workspace)
    client.post(url("case_controls", pk=case.pk), {"queue": foreign_queue.pk})
    assert Case.all_workspaces.get(pk=case.pk).queue is None
    response = client.post(
        url("case_create"),
        {
            "subject": "x",
            "contact": foreign_contact.pk,
            "type": "inquiry",
            "channel": "email",
            "priority": "normal",
        },
    )
    assert "contact" in response.context["form"].errors


def test_resolving_runs_the_on_resolve_hooks_once_per_resolution(workspace, member_factory):
    from service import hooks
    from service.services.cases import case_change_status

    agent = member_factory(Role.SERVICE)
    seen = []
    hooks.on_case_resolved.register(
        "test.seen", lambda *, workspace, actor, case: seen.append((case.pk, case.status))
    )
    try:
        case = f.new_case(workspace)
        case_change_status(workspace=workspace, actor=agent, case=case, status="resolved")
        case_change_status(workspace=workspace, actor=agent, case=case, status="closed")
        case_change_status(workspace=workspace, actor=agent, case=case, status="open")
        case_change_status(workspace=workspace, actor=agent, case=case, status="closed")
    finally:
        hooks.on_case_resolved.unregister("test.seen")
    # resolved, then (reopened) closed without resolving first: two resolutions
    assert seen == [(case.pk, "resolved"), (case.pk, "closed")]
    case.refresh_from_db()
    assert case.reopen_count == 1


def test_the_contact_page_lists_the_cases_and_offers_a_new_one(workspace, client_for):
    client = client_for(Role.SERVICE)
    contact = ContactFactory(workspace=workspace)
    case = f.new_case(workspace, contact=contact, subject="Lost parcel")
    page = client.get(reverse("contacts:detail", kwargs={"ws": "acme", "pk": contact.pk}))
    html = page.content.decode()
    assert f"#{case.number} Lost parcel" in html
    assert f"{url('case_create')}?contact={contact.pk}" in html
    form = client.get(url("case_create"), {"contact": contact.pk}).context["form"]
    assert form.initial["contact"] == contact.pk


def test_the_global_search_finds_a_case_by_number_and_subject(workspace, client_for):
    client = client_for(Role.SERVICE)
    case = f.new_case(workspace, subject="Dented kettle")
    search = reverse("search", kwargs={"ws": "acme"})
    for query in (f"#{case.number}", "Dented"):
        html = client.get(search, {"q": query}).content.decode()
        assert f"#{case.number} Dented kettle" in html, query


def test_message_html_is_cleaned_as_it_is_shown(workspace, client_for):
    from service.services.cases import case_customer_message

    client = client_for(Role.SERVICE)
    case = f.new_case(workspace)
    case_customer_message(
        workspace=workspace,
        case=case,
        body_text="Hello",
        body_html='<p onclick="steal()">Hello <b>there</b></p><script>steal()</script>',
    )
    html = client.get(url("case_detail", pk=case.pk)).content.decode()
    assert "<b>there</b>" in html
    assert "steal()" not in html


def test_on_a_phone_each_row_still_names_the_contact_and_the_next_due_time(workspace, client_for):
    """At phone width the list shows number, subject and status; a line under the subject
    (hidden from md up, where the columns show) keeps the contact and the next due time."""
    import re

    client = client_for(Role.SERVICE)
    contact = ContactFactory(workspace=workspace, first_name="Greta", last_name="Phone")
    with workspace_scope(workspace):
        setup.sla_policy_set(
            workspace=workspace,
            actor=None,
            priority=Priority.NORMAL,
            first_response_minutes=60,
            next_response_minutes=None,
            resolution_minutes=480,
            at_risk_percent=80,
        )
    f.new_case(workspace, subject="Parcel lost", contact=contact)
    body = client.get(url("cases")).content.decode()
    line = re.search(r'data-testid="case-row-phone">(.*?)</div>', body, re.S).group(1)
    assert "Greta Phone" in line and "Next due" in line
