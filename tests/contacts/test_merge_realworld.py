"""merge-consent.csv (tests/fixtures/realworld/INDEX.md): a merge with the page's default
choices keeps "do not call" and "do not mail" and carries no opt-in from the opted-in record
to the address that did not opt in; consent merges restrictively whatever the choices."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from contacts.merge_plan import merge_plan
from contacts.models import Contact
from contacts.services.merging import contact_merge
from tests.contacts.factories import ContactFactory
from tests.contacts.merging_helpers import merge_with_page_defaults
from touchpoints.models import Interaction
from workspaces.models import ChangeEvent
from workspaces.scoping import workspace_scope

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "realworld" / "merge-consent.csv"
OPTED_IN = "wiebke.olthoff@example.org"
OPTED_OUT = "w.olthoff@example.org"


@pytest.fixture
def imported(workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    out = StringIO()
    call_command("import_contacts", "--workspace", "acme", "--create", str(FILE), stdout=out)
    assert "created 2, updated 0, skipped 0, rejected 0" in out.getvalue()
    with workspace_scope(workspace):
        a = Contact.objects.get(email=OPTED_IN)
        b = Contact.objects.get(email=OPTED_OUT)
    assert (a.email_opt_in, a.do_not_call, a.do_not_mail) == (True, False, False)
    assert (b.email_opt_in, b.do_not_call, b.do_not_mail) == (False, True, True)
    assert a.mobile == b.mobile == "+4915155502301"
    return a, b


def _pair_link(client):
    """The "Compare and merge" link the duplicates page offers for the two records."""
    page = client.get(reverse("contacts:duplicates", kwargs={"ws": "acme"}))
    links = re.findall(r'href="/w/acme/contacts/merge/(\d+)/(\d+)/"', page.content.decode())
    assert len(links) == 1
    return [int(x) for x in links[0]]


def _merged(workspace, pk):
    with workspace_scope(workspace):
        return Contact.objects.get(pk=pk)


def test_merge_with_the_pages_default_choices_is_restrictive(workspace, imported, client_for):
    a, b = imported
    client = client_for("manager")
    survivor_pk, loser_pk = _pair_link(client)
    assert (survivor_pk, loser_pk) == (a.pk, b.pk)  # the older, opted-in record stays
    page, response = merge_with_page_defaults(client, survivor_pk, loser_pk)
    html = page.content.decode()
    assert 'data-consent="do_not_call"' in html
    assert "pick_do_not_call" not in html and "pick_email_opt_in" not in html  # no choice
    assert "These values will not be kept:" in html
    assert "w.olthoff@example.org did not opt in" in html
    assert response.status_code == 302
    merged = _merged(workspace, a.pk)
    assert (merged.do_not_call, merged.do_not_mail) == (True, True)
    assert (merged.email, merged.email2) == (OPTED_IN, OPTED_OUT)
    assert merged.email_opt_in is False
    assert (merged.email_opt_in_at, merged.email_opt_in_source) == (None, "")
    assert merged.mobile == "+4915155502301"
    with workspace_scope(workspace):
        entry = Interaction.objects.get(contact=merged, kind="contact.merged")
    assert entry.data["not_kept"] == [
        {
            "field": "email_opt_in",
            "label": "email opt-in",
            "value": f"yes ({OPTED_IN}; {a.email_opt_in_at.date().isoformat()}, import merge-consent.csv)",
            "reason": f"{OPTED_OUT} did not opt in",
        }
    ]
    assert f"{OPTED_OUT} did not opt in" in entry.body


def test_keeping_the_opted_out_record_instead_gives_the_same_consent(
    workspace, imported, client_for
):
    a, b = imported
    _page, response = merge_with_page_defaults(client_for("manager"), b.pk, a.pk)
    assert response.status_code == 302
    merged = _merged(workspace, b.pk)
    assert (merged.do_not_call, merged.do_not_mail, merged.email_opt_in) == (True, True, False)
    assert (merged.email, merged.email2) == (OPTED_OUT, OPTED_IN)


def test_choices_posted_against_consent_change_nothing(workspace, imported, client_for):
    """A hand-made POST picking the permissive side of every consent field is ignored."""
    a, b = imported
    client = client_for("manager")
    url = reverse("contacts:merge", kwargs={"ws": "acme", "pk": a.pk, "other": b.pk})
    response = client.post(
        url,
        {
            "pick_email": "survivor",
            "pick_do_not_call": "survivor",
            "pick_do_not_mail": "survivor",
            "pick_email_opt_in": "survivor",
        },
    )
    assert response.status_code == 302
    merged = _merged(workspace, a.pk)
    assert (merged.do_not_call, merged.do_not_mail, merged.email_opt_in) == (True, True, False)


OPT_IN_AT = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)


def _consent_pair(scope, **loser):
    survivor = ContactFactory(
        workspace=scope,
        first_name="Anna",
        last_name="Berg",
        email="anna@x.io",
        email_opt_in=True,
        email_opt_in_at=OPT_IN_AT,
        email_opt_in_source="web form",
    )
    values = {
        "first_name": "Anna",
        "last_name": "Berg",
        "email": "anna.b@y.io",
        "email_opt_in": False,
        **loser,
    }
    return survivor, ContactFactory(workspace=scope, **values)


@pytest.mark.parametrize(
    "choices",
    [{}, {"email_opt_in": "survivor", "do_not_call": "survivor", "do_not_mail": "survivor"}],
)
def test_service_consent_is_restrictive_whatever_the_choices(scope, choices):
    survivor, loser = _consent_pair(scope, do_not_call=True, do_not_mail=True)
    merged = contact_merge(
        workspace=scope, actor=None, survivor=survivor, loser=loser, choices=choices
    )
    assert (merged.do_not_call, merged.do_not_mail, merged.email_opt_in) == (True, True, False)
    event = ChangeEvent.objects.get(object_id=survivor.pk, action="merged")
    assert [item["field"] for item in event.data["not_kept"]] == ["email_opt_in"]


def test_an_opt_in_stays_when_the_address_that_did_not_opt_in_is_not_kept(scope):
    """Both email places of the survivor are taken: the other record's address is listed as
    not kept, so the survivor's opt-in (for its own addresses) stays, with its time."""
    survivor, loser = _consent_pair(scope, do_not_mail=True)
    survivor.email2 = "anna@work.io"
    survivor.save()
    merged = contact_merge(workspace=scope, actor=None, survivor=survivor, loser=loser)
    assert (merged.email, merged.email2) == ("anna@x.io", "anna@work.io")
    assert (merged.email_opt_in, merged.email_opt_in_at, merged.email_opt_in_source) == (
        True,
        OPT_IN_AT,
        "web form",
    )
    assert merged.do_not_mail is True
    plan_items = ChangeEvent.objects.get(object_id=survivor.pk, action="merged").data["not_kept"]
    assert plan_items == [
        {"field": "email", "label": "email", "value": "anna.b@y.io", "reason": ""}
    ]


def test_an_opt_in_of_the_other_record_travels_with_its_address(scope):
    """The survivor never opted in and has no address: the other record's opted-in address
    and its opt-in (time and source) come over together."""
    survivor = ContactFactory(workspace=scope, email="", email_opt_in=False)
    loser = ContactFactory(
        workspace=scope,
        email="ben@x.io",
        email_opt_in=True,
        email_opt_in_at=OPT_IN_AT,
        email_opt_in_source="trade fair",
    )
    merged = contact_merge(workspace=scope, actor=None, survivor=survivor, loser=loser)
    assert (merged.email, merged.email_opt_in, merged.email_opt_in_at) == (
        "ben@x.io",
        True,
        OPT_IN_AT,
    )
    assert merged.email_opt_in_source == "trade fair"


def test_one_address_held_by_both_records_is_opted_in_only_if_both_opted_in(scope):
    survivor = ContactFactory(
        workspace=scope, email="same@x.io", email_opt_in=True, email_opt_in_at=OPT_IN_AT
    )
    loser = ContactFactory(workspace=scope, email="same@x.io", email_opt_in=False)
    plan = merge_plan(survivor, loser)
    assert plan.values["email_opt_in"] is False
    loser.email_opt_in = True
    assert merge_plan(survivor, loser).values["email_opt_in"] is True
