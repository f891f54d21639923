"""Outside the import: the contact form takes a birthday without a year, an academic title and
an address as people paste it; the page shows "17 May"; the stored birthday and email keys
stay consistent however a contact is written; "birthdays this week" reads one pair of
fields; search, the lead's duplicate check and the duplicates page compare email keys."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from contacts.models import Contact
from contacts.selectors.contacts import contact_search, contacts_with_birthday
from contacts.selectors.duplicates import contact_duplicates, duplicate_groups
from contacts.services.contacts import contact_create, contact_update
from sales.models import Lead
from sales.selectors.leads import lead_duplicates
from sales.views.settings import web_form_token
from tests.contacts.factories import ContactFactory
from tests.sales.factories import LeadFactory


def url(name, **kwargs):
    return reverse(name, kwargs={"ws": "acme", **kwargs})


def create(client, **data):
    return client.post(url("contacts:create"), {"lifecycle_stage": "lead", **data})


# --- the contact form and page ----------------------------------------------------------------


def test_the_form_takes_a_birthday_without_a_year_and_the_page_shows_it(owner_client, workspace):
    response = create(owner_client, last_name="Tomasini", birthday_day="17", birthday_month="5")
    assert response.status_code == 302
    contact = Contact.all_workspaces.get()
    assert (contact.date_of_birth, contact.birthday_month, contact.birthday_day) == (None, 5, 17)
    page = owner_client.get(url("contacts:detail", pk=contact.pk)).content.decode()
    assert 'data-testid="birthday">17 May<' in page
    assert "(born" not in page


def test_a_date_of_birth_sets_the_birthday_whatever_the_other_inputs_say(owner_client, workspace):
    create(
        owner_client,
        last_name="Esser",
        date_of_birth="1979-11-02",
        birthday_day="17",
        birthday_month="5",
    )
    contact = Contact.all_workspaces.get()
    assert (contact.date_of_birth.isoformat(), contact.birthday_month, contact.birthday_day) == (
        "1979-11-02",
        11,
        2,
    )


@pytest.mark.parametrize(
    ("day", "month", "message"),
    [
        ("17", "", "Give the day and the month of the birthday."),
        ("", "5", "Give the day and the month of the birthday."),
        ("31", "2", "There is no such day in that month."),
        ("31", "4", "There is no such day in that month."),
    ],
)
def test_an_incomplete_or_impossible_birthday_is_refused_at_the_field(
    owner_client, workspace, day, month, message
):
    response = create(owner_client, last_name="X", birthday_day=day, birthday_month=month)
    assert response.context["form"].errors["birthday_day"] == [message]
    assert not Contact.all_workspaces.exists()


def test_29_february_is_a_birthday(owner_client, workspace):
    create(owner_client, last_name="Brandt", birthday_day="29", birthday_month="2")
    assert Contact.all_workspaces.get().birthday_text == "29 February"


def test_the_form_cleans_a_pasted_address_and_takes_a_title(owner_client, workspace):
    response = create(
        owner_client,
        title="Prof. Dr.",
        last_name="Brennan",
        email="Zoe Brennan <Zoe.Brennan\u200b@example.ie>.",
        email2="mailto:\ufeffzoe@home.example",
    )
    assert response.status_code == 302
    contact = Contact.all_workspaces.get()
    assert (contact.email, contact.email2) == ("zoe.brennan@example.ie", "zoe@home.example")
    assert contact.title == "Prof. Dr."
    page = owner_client.get(url("contacts:detail", pk=contact.pk)).content.decode()
    assert '<span data-testid="contact-title">Prof. Dr.</span>' in page


def test_the_form_still_refuses_what_is_no_address(owner_client, workspace):
    response = create(owner_client, last_name="X", email="zoe at example dot ie")
    assert "email" in response.context["form"].errors


def test_the_email_input_lets_people_paste_what_the_server_cleans(owner_client, workspace):
    page = owner_client.get(url("contacts:create")).content.decode()
    assert 'name="email" inputmode="email"' in page or 'inputmode="email"' in page
    assert 'type="email"' not in page  # the browser would refuse "Name <a@b>" itself


# --- the stored values stay consistent --------------------------------------------------------


@pytest.mark.in_scope
def test_services_keep_birthday_and_email_keys_in_step(workspace):
    contact = contact_create(
        workspace=workspace,
        actor=None,
        last_name="Roth",
        email="anna@MÜLLER.example",
        date_of_birth=datetime.date(1970, 4, 3),
    )
    assert (contact.email, contact.email_key) == (
        "anna@müller.example",
        "anna@xn--mller-kva.example",
    )
    assert (contact.birthday_month, contact.birthday_day) == (4, 3)
    contact_update(workspace=workspace, actor=None, contact=contact, date_of_birth=None)
    contact.refresh_from_db()
    # the birthday came from the date that is gone: it goes too
    assert (contact.birthday_month, contact.birthday_day) == (None, None)
    contact_update(
        workspace=workspace, actor=None, contact=contact, birthday_month=5, birthday_day=17
    )
    contact_update(workspace=workspace, actor=None, contact=contact, email2="b@bücher.example")
    contact.refresh_from_db()
    assert (contact.birthday_month, contact.birthday_day) == (5, 17)  # an email edit keeps it
    assert contact.email2_key == "b@xn--bcher-kva.example"


@pytest.mark.in_scope
def test_save_with_update_fields_writes_the_keys_too(workspace):
    contact = ContactFactory(workspace=workspace, email="a@example.com")
    contact.email = "b@bücher.example"
    contact.date_of_birth = datetime.date(1980, 1, 2)
    contact.save(update_fields=["email", "date_of_birth"])
    stored = Contact.objects.values("email_key", "birthday_month", "birthday_day").get()
    assert stored == {
        "email_key": "b@xn--bcher-kva.example",
        "birthday_month": 1,
        "birthday_day": 2,
    }


def test_the_migration_fills_keys_and_birthdays_of_existing_contacts(workspace):
    fill = importlib.import_module(
        "contacts.migrations.0014_contact_title_birthday_email_keys"
    ).fill
    born = ContactFactory(workspace=workspace, email="a@bücher.example", date_of_birth="1965-05-17")
    plain = ContactFactory(workspace=workspace, email="b@example.com", email2="c@example.com")
    Contact.all_workspaces.update(
        email_key="", email2_key="", birthday_month=None, birthday_day=None
    )
    fill(apps, None)
    rows = {
        r[0]: r[1:]
        for r in Contact.all_workspaces.values_list(
            "pk", "email_key", "email2_key", "birthday_month", "birthday_day"
        )
    }
    assert rows[born.pk] == ("a@xn--bcher-kva.example", "", 5, 17)
    assert rows[plain.pk] == ("b@example.com", "c@example.com", None, None)


# --- birthdays this week ----------------------------------------------------------------------


@pytest.mark.in_scope
def test_birthdays_this_week_find_dates_and_yearless_birthdays(workspace, other_workspace):
    full = ContactFactory(workspace=workspace, last_name="Full", date_of_birth="1965-03-02")
    yearless = ContactFactory(workspace=workspace, last_name="Yearless")
    Contact.objects.filter(pk=yearless.pk).update(birthday_month=3, birthday_day=1)
    leap = ContactFactory(workspace=workspace, last_name="Leap", date_of_birth="1964-02-29")
    ContactFactory(workspace=workspace, last_name="Later", date_of_birth="1970-03-09")
    ContactFactory(workspace=other_workspace, last_name="Elsewhere", date_of_birth="1970-03-01")
    week = contacts_with_birthday(workspace=workspace, start=datetime.date(2027, 2, 26))
    # 2027 is no leap year: 29 February is celebrated on the 28th
    assert [c.pk for c in week] == [leap.pk, yearless.pk, full.pk]
    # 2028 is a leap year: 29 February is its own day
    to_28 = contacts_with_birthday(workspace=workspace, start=datetime.date(2028, 2, 22))
    to_29 = contacts_with_birthday(workspace=workspace, start=datetime.date(2028, 2, 23))
    assert ([c.pk for c in to_28], [c.pk for c in to_29]) == ([], [leap.pk])
    assert (
        list(contacts_with_birthday(workspace=workspace, start=datetime.date(2027, 1, 1), days=0))
        == []
    )


# --- comparisons by key -----------------------------------------------------------------------


@pytest.mark.in_scope
def test_search_and_caller_lookup_find_an_address_in_either_spelling(workspace, owner_client):
    anna = ContactFactory(workspace=workspace, last_name="Roth", email="anna@müller.example")
    assert contact_search(workspace=workspace, query="ANNA@xn--mller-kva.example") == [anna]
    assert contact_search(workspace=workspace, query="mailto:anna@müller.example") == [anna]
    lookup = owner_client.get(url("contacts:lookup"), {"q": "anna@XN--MLLER-KVA.example"})
    assert lookup.context["contacts"] == [anna]


@pytest.mark.in_scope
def test_lead_duplicate_check_compares_email_keys(workspace):
    anna = ContactFactory(workspace=workspace, email="anna@müller.example")
    lead = LeadFactory(workspace=workspace, company="", email="anna@xn--mller-kva.example")
    assert lead_duplicates(workspace=workspace, lead=lead)["contacts"] == [anna]


@pytest.mark.in_scope
def test_duplicates_page_groups_one_mailbox_in_two_spellings(workspace):
    first = ContactFactory(workspace=workspace, email="anna@müller.example")
    second = ContactFactory(workspace=workspace, email="anna@xn--mller-kva.example")
    groups = [g for g in duplicate_groups(workspace=workspace) if g.reason == "email"]
    assert [sorted(g.ids) for g in groups] == [sorted([first.pk, second.pk])]
    assert contact_duplicates(workspace=workspace, contact=first) == [second]


def test_the_public_web_form_cleans_a_pasted_address(client, workspace):
    response = client.post(
        reverse("sales_web_form", kwargs={"token": web_form_token(workspace)}),
        {"last_name": "Berg", "email": "Ina Berg <INA@berg.example\u200b>"},
    )
    assert response.status_code == 200
    assert Lead.all_workspaces.get().email == "ina@berg.example"
