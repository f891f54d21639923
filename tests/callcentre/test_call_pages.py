"""The calls pages: the list with its filters (bounded queries), a call, logging a call by
hand (not for read-only members), the call-back list, the screen pop, and the telephony page of
call-centre leads."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from callcentre.models import AgentLine, Call, CallStatus
from tests.contacts.factories import ContactFactory
from tests.service import factories as f
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

from .call_helpers import answered_call, ev, ingest

pytestmark = [pytest.mark.django_db]


def url(workspace, name, **kwargs):
    return reverse(f"callcentre:{name}", kwargs={"ws": workspace.slug, **kwargs})


def _calls(workspace, n):
    for i in range(n):
        ingest(workspace, answered_call(f"c{i}", number=f"+493012345{i:02d}", start=i * 200))


def test_the_list_shows_calls_with_a_bounded_number_of_queries(
    workspace, client_for, django_assert_max_num_queries
):
    client = client_for(Role.SERVICE)
    _calls(workspace, 3)
    ContactFactory(workspace=workspace, phone="+49301234500")
    with django_assert_max_num_queries(12):
        response = client.get(url(workspace, "calls"))
    assert response.status_code == 200
    assert response.content.count(b'data-testid="call-row"') == 3
    _calls(workspace, 8)
    with django_assert_max_num_queries(12):
        response = client.get(url(workspace, "calls"))
    assert response.content.count(b'data-testid="call-row"') == 8


def test_list_filters(workspace, client_for):
    client = client_for(Role.READONLY)
    queue = f.queue(workspace, name="support")
    _calls(workspace, 2)
    ingest(workspace, [ev("offered", 0, "ab", queue="other", **{"from": "+4930999"})])
    ingest(workspace, [ev("abandoned", 30, "ab")])
    rows = lambda **q: client.get(url(workspace, "calls"), q).content.count(  # noqa: E731
        b'data-testid="call-row"'
    )
    assert rows() == 3
    assert rows(status="abandoned") == 1
    assert rows(queue=queue.pk) == 2
    assert rows(direction="outbound") == 0
    assert rows(day="2026-11-30") == 3 and rows(day="2026-11-29") == 0


def test_an_agent_logs_a_call_and_it_is_on_the_contacts_timeline(workspace, client_for):
    client = client_for(Role.SERVICE)
    contact = ContactFactory(workspace=workspace, phone="+4930555111")
    case = f.new_case(workspace, contact=contact)
    response = client.post(
        url(workspace, "call_log"),
        {
            "direction": "outbound",
            "number": "030 555111",
            "offered_at": "2026-11-30T10:00",
            "answered": "on",
            "talk_seconds": "240",
            "disposition": "promised refund",
            "case_number": str(case.number),
            "notes": "Called back about the kettle.",
        },
    )
    assert response.status_code == 302, response.content
    with workspace_scope(workspace):
        call = Call.objects.get()
        touch = Interaction.objects.get(source_type="callcentre.call")
    assert call.provider == "manual" and call.agent == client.user
    assert call.status == CallStatus.ENDED and call.called_number == "+4930555111"
    assert call.contact == contact and call.case == case and call.talk_seconds == 240
    assert touch.kind == "call.outbound" and touch.contact == contact
    assert touch.duration_seconds == 240
    detail = client.get(url(workspace, "call_detail", pk=call.pk))
    assert b"promised refund" in detail.content
    saved = client.post(
        url(workspace, "call_detail", pk=call.pk),
        {"disposition": "refund sent", "notes": "Done."},
    )
    assert saved.status_code == 302
    with workspace_scope(workspace):
        call.refresh_from_db()
    assert (call.disposition, call.notes) == ("refund sent", "Done.")


def test_an_unknown_case_number_is_refused(workspace, client_for):
    client = client_for(Role.SERVICE)
    response = client.post(
        url(workspace, "call_log"), {"direction": "inbound", "case_number": "999"}
    )
    assert response.status_code == 200
    assert b"There is no case with this number." in response.content


def test_read_only_members_see_calls_but_cannot_log_or_work_call_backs(workspace, client_for):
    client = client_for(Role.READONLY)
    ingest(workspace, [ev("offered", 0, "ab", queue="q", **{"from": "+4930999"})])
    ingest(workspace, [ev("abandoned", 30, "ab")])
    with workspace_scope(workspace):
        call = Call.objects.get()
    assert client.get(url(workspace, "calls")).status_code == 200
    assert client.get(url(workspace, "callbacks")).status_code == 200
    assert client.get(url(workspace, "call_log")).status_code == 403
    assert client.post(url(workspace, "call_log"), {"direction": "inbound"}).status_code == 403
    assert (
        client.post(url(workspace, "callback_mark", pk=call.pk), {"status": "done"}).status_code
        == 403
    )
    assert client.post(url(workspace, "call_detail", pk=call.pk), {"notes": "x"}).status_code == 403
    assert client.get(url(workspace, "telephony")).status_code == 403
    with workspace_scope(workspace):
        assert Call.objects.get().callback_status == "pending"


def test_sales_reps_do_not_see_the_call_centre(workspace, client_for):
    assert client_for(Role.SALES).get(url(workspace, "calls")).status_code == 403


def test_the_call_back_list_is_worked(workspace, client_for):
    client = client_for(Role.SERVICE)
    for n, number in enumerate(["+4930111", "+4930222"]):
        ingest(workspace, [ev("offered", n, f"a{n}", queue="q", **{"from": number})])
        ingest(workspace, [ev("abandoned", n + 30, f"a{n}")])
    page = client.get(url(workspace, "callbacks"))
    assert page.content.count(b'data-testid="callback-row"') == 2
    with workspace_scope(workspace):
        first, second = Call.objects.order_by("offered_at")
    client.post(url(workspace, "callback_mark", pk=first.pk), {"status": "done"})
    client.post(url(workspace, "callback_mark", pk=second.pk), {"status": "dismissed"})
    with workspace_scope(workspace):
        assert Call.objects.get(pk=first.pk).callback_status == "done"
        assert Call.objects.get(pk=second.pk).callback_status == "dismissed"
    assert b'data-testid="callback-row"' not in client.get(url(workspace, "callbacks")).content
    again = client.post(url(workspace, "callback_mark", pk=first.pk), {"status": "done"})
    assert again.status_code == 302  # a message, nothing changes


def test_the_screen_pop_shows_the_caller_to_the_named_agent_only(workspace, client_for):
    agent = client_for(Role.SERVICE)
    colleague = client_for(Role.SERVICE)
    with workspace_scope(workspace):
        AgentLine.objects.create(workspace=workspace, user=agent.user, ref="201")
        AgentLine.objects.create(workspace=workspace, user=colleague.user, ref="202")
    contact = ContactFactory(workspace=workspace, phone="+4930123456", last_name="Ringer")
    f.new_case(workspace, contact=contact, subject="Kettle leaks")
    now = timezone.now().replace(microsecond=0)
    at = lambda s: (now + datetime.timedelta(seconds=s)).isoformat()  # noqa: E731
    ingest(
        workspace,
        [
            {
                "call_id": "p1",
                "event": "offered",
                "at": at(-10),
                "queue": "q",
                "from": "030 123456",
            },
            {"call_id": "p1", "event": "ringing", "at": at(-5), "agent": "201"},
        ],
    )
    pop = agent.get(url(workspace, "call_pop"))
    assert b'data-testid="pop-contact"' in pop.content and b"Ringer" in pop.content
    assert b"Kettle leaks" in pop.content
    assert b"call-pop-card" not in colleague.get(url(workspace, "call_pop")).content
    # an unknown caller rings the colleague: "unknown caller" and a link to create the contact
    ingest(
        workspace,
        [{"call_id": "p2", "event": "answered", "at": at(-1), "agent": "202", "from": "+4930777"}],
    )
    unknown = colleague.get(url(workspace, "call_pop"))
    assert b'data-testid="pop-unknown"' in unknown.content
    assert b"pop-create-contact" in unknown.content and b"%2B4930777" in unknown.content
    # the end of the call ends the pop
    ingest(workspace, [{"call_id": "p1", "event": "abandoned", "at": at(0)}])
    assert b"call-pop-card" not in agent.get(url(workspace, "call_pop")).content
    # the calls page polls the pop endpoint (htmx, no inline script)
    page = agent.get(url(workspace, "calls"))
    assert url(workspace, "call_pop").encode() in page.content and b"every 3s" in page.content
    # and so does the home page of a member with an agent line (only theirs)
    home = reverse("workspace_home", kwargs={"ws": workspace.slug})
    assert b'data-testid="panel-call-pop"' in agent.get(home).content
    assert b'data-testid="panel-call-pop"' not in client_for(Role.SERVICE).get(home).content


def test_leads_set_up_telephony(workspace, client_for, owner_client):
    assert client_for(Role.SERVICE).get(url(workspace, "telephony")).status_code == 403
    agent = client_for(Role.SERVICE).user
    queue = f.queue(workspace, name="Support")
    page = owner_client.get(url(workspace, "telephony"))
    assert page.status_code == 200
    assert f"/telephony/{workspace.slug}/events/".encode() in page.content
    assert b"whsec_" not in page.content  # the secret is shown only after a rotation
    rotated = owner_client.post(url(workspace, "telephony"), {"action": "rotate"})
    assert b'data-testid="new-secret"' in rotated.content and b"whsec_" in rotated.content
    owner_client.post(
        url(workspace, "telephony"), {"action": "agent", "user": agent.pk, "ref": "201"}
    )
    owner_client.post(
        url(workspace, "telephony"), {"action": "queue", "queue": queue.pk, "ref": "q-support"}
    )
    saved = owner_client.post(
        url(workspace, "telephony"),
        {
            "action": "settings",
            "short_abandon_seconds": "10",
            "incomplete_after_hours": "2",
            "fcr_days": "3",
        },
    )
    assert saved.status_code == 302
    duplicate = owner_client.post(
        url(workspace, "telephony"), {"action": "agent", "user": agent.pk, "ref": "201"}
    )
    assert b"mapped already" in duplicate.content
    with workspace_scope(workspace):
        from callcentre.models import CallCentreSettings, QueueLine

        assert AgentLine.objects.get().user == agent
        assert QueueLine.objects.get().queue == queue
        settings = CallCentreSettings.objects.get()
        assert (settings.short_abandon_seconds, settings.incomplete_after_hours) == (10, 2)
        line = AgentLine.objects.get()
    owner_client.post(url(workspace, "agent_line_delete", pk=line.pk))
    with workspace_scope(workspace):
        assert not AgentLine.objects.exists()


def test_on_a_phone_the_list_folds_direction_and_number_into_the_first_cell(workspace, client_for):
    """Direction, number and contact columns are for md and up; on a phone they are a small
    line under the start time; dates and numbers do not wrap; numbers read as on contact
    pages (+49 30 …); the call's page uses one date format."""
    ingest(workspace, answered_call("p1", number="+493012345678", start=0))
    client = client_for(Role.SERVICE)
    html = client.get(url(workspace, "calls")).content.decode()
    head = html.split("<thead>")[1].split("</thead>")[0]
    for label in ("Direction", "Number", "Contact"):
        assert f'<th class="d-none d-md-table-cell">{label}</th>' in head
    row = html.split('data-testid="call-row"')[1].split("</tr>")[0]
    assert 'class="text-nowrap" href=' in row  # the start time
    phone_line = row.split('data-testid="call-row-phone">')[1].split("</div>")[0]
    assert "Inbound" in phone_line and '<span class="text-nowrap">+49 30 12345678</span>' in (
        phone_line
    )
    assert (
        'class="d-none d-md-table-cell text-nowrap" data-testid="call-number">+49 30 12345678<'
        in (row)
    )
    with workspace_scope(workspace):
        call = Call.objects.get(provider_call_id="p1")
    detail = client.get(url(workspace, "call_detail", pk=call.pk)).content.decode()
    assert "+49 30 12345678</a>" in detail and 'href="tel:+493012345678"' in detail
    offered = timezone.localtime(call.offered_at)
    from django.utils.formats import date_format

    short = date_format(offered, "SHORT_DATETIME_FORMAT")
    long = date_format(offered, "DATETIME_FORMAT")
    assert short in detail
    assert long == short or long not in detail
