"""A merge never silently drops a value: what it does not keep is moved into an empty field
or listed, on the confirmation page, in the timeline entry and in the change log."""

import datetime

import pytest
from django.urls import reverse

from contacts.merge_plan import NotKept, merge_choices, merge_plan
from contacts.models import Contact, ContactTag
from contacts.services.merging import contact_merge
from tests.contacts.factories import (
    AccountFactory,
    ContactFactory,
    ContactTagFactory,
    CustomFieldFactory,
    TagFactory,
)
from tests.contacts.merging_helpers import merge_url, merge_with_page_defaults, rendered_defaults
from touchpoints.models import Interaction
from workspaces.models import ChangeEvent
from workspaces.scoping import workspace_scope

EXPECTED_NOT_KEPT = [
    ("first_name", "first name", "John"),
    ("job_title", "job title", "Founder"),
    ("account", "account", "Loser GmbH"),
    ("lifecycle_stage", "lifecycle stage", "Customer"),
    ("date_of_birth", "date of birth", "1980-02-01"),
    ("address", "address", "Hauptstr. 1, 20095 Hamburg"),
    ("email", "email", "john@x.io"),
    ("phone", "phone", "+49 30 1111111"),
    ("custom:shoe", "Shoe size", "45"),
]


@pytest.fixture
def rich_pair(workspace):
    with workspace_scope(workspace):
        CustomFieldFactory(workspace=workspace, key="shoe", label="Shoe size")
        CustomFieldFactory(workspace=workspace, key="pet", label="Pet")
        survivor = ContactFactory(
            workspace=workspace,
            first_name="Jon",
            last_name="Smith",
            email="jon@x.io",
            email2="jon.smith@y.io",
            phone="+49301234567",
            mobile="",
            city="Berlin",
            job_title="CTO",
            date_of_birth=datetime.date(1980, 1, 2),
            custom={"shoe": "44"},
        )
        loser = ContactFactory(
            workspace=workspace,
            first_name="John",
            last_name="Smith",
            email="john@x.io",
            phone="+49301111111",
            mobile="+491511234567",
            street="Hauptstr. 1",
            postal_code="20095",
            city="Hamburg",
            job_title="Founder",
            account=AccountFactory(workspace=workspace, name="Loser GmbH"),
            date_of_birth=datetime.date(1980, 2, 1),
            lifecycle_stage="customer",
            custom={"shoe": "45", "pet": "cat"},
        )
        survivor.account = AccountFactory(workspace=workspace, name="Survivor AG")
        survivor.save()
        tag = TagFactory(workspace=workspace, name="vip")
        ContactTagFactory(workspace=workspace, contact=loser, tag=tag)
    return survivor, loser


def _not_kept(items):
    return [(i.key if isinstance(i, NotKept) else i["field"], *_rest(i)) for i in items]


def _rest(item):
    if isinstance(item, NotKept):
        return item.label, item.value
    return item["label"], item["value"]


def test_plan_lists_every_value_it_does_not_keep(workspace, rich_pair):
    survivor, loser = rich_pair
    with workspace_scope(workspace):
        from contacts.selectors.custom_fields import custom_field_list

        fields = custom_field_list(workspace=workspace, entity="contact")
        plan = merge_plan(survivor, loser, {}, fields)
    assert _not_kept(plan.not_kept) == EXPECTED_NOT_KEPT
    assert plan.moved == []  # the empty mobile takes the other's by default (a choice)
    assert plan.values["mobile"] == "+491511234567"
    assert plan.custom == {"shoe": "44", "pet": "cat"}


def test_merge_keeps_moves_and_lists_exactly(workspace, rich_pair, owner):
    survivor, loser = rich_pair
    with workspace_scope(workspace):
        merged = contact_merge(workspace=workspace, actor=owner, survivor=survivor, loser=loser)
        merged = Contact.objects.get(pk=merged.pk)
        assert (merged.first_name, merged.email, merged.email2) == (
            "Jon",
            "jon@x.io",
            "jon.smith@y.io",
        )
        assert (merged.phone, merged.mobile) == ("+49301234567", "+491511234567")
        assert (merged.street, merged.postal_code, merged.city) == ("", "", "Berlin")
        assert merged.custom == {"shoe": "44", "pet": "cat"}
        assert merged.account.name == "Survivor AG"
        assert list(
            ContactTag.objects.filter(contact=merged).values_list("tag__name", flat=True)
        ) == ["vip"]
        entry = Interaction.objects.get(contact=merged, kind="contact.merged")
        event = ChangeEvent.objects.get(object_id=merged.pk, action="merged")
    assert _not_kept(entry.data["not_kept"]) == EXPECTED_NOT_KEPT
    assert _not_kept(event.data["not_kept"]) == EXPECTED_NOT_KEPT
    assert entry.data["moved_into"] == []
    assert entry.body.splitlines() == [
        "Not kept:",
        "- first name: John",
        "- job title: Founder",
        "- account: Loser GmbH",
        "- lifecycle stage: Customer",
        "- date of birth: 1980-02-01",
        "- address: Hauptstr. 1, 20095 Hamburg",
        "- email: john@x.io",
        "- phone: +49 30 1111111",
        "- Shoe size: 45",
    ]


def test_confirmation_page_lists_the_values_not_kept(workspace, rich_pair, client_for):
    survivor, loser = rich_pair
    client = client_for("manager")
    page = client.get(merge_url(survivor.pk, loser.pk))
    html = page.content.decode()
    assert "These values will not be kept:" in html
    for key, label, value in EXPECTED_NOT_KEPT:
        assert f'data-not-kept="{key}"' in html, key
        assert value in html
    assert 'data-pick="pick_mobile-loser" checked' in html
    defaults = rendered_defaults(html)
    assert defaults["pick_address"] == "survivor"
    assert defaults["pick_custom:shoe"] == "survivor"


def test_outcome_follows_the_choices(workspace, rich_pair, client_for):
    """The htmx request the radios send: taking the other first name lists the survivor's."""
    survivor, loser = rich_pair
    client = client_for("manager")
    response = client.get(
        merge_url(survivor.pk, loser.pk),
        {"pick_first_name": "loser", "pick_address": "loser", "pick_email": "loser"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="merge-outcome",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="merge-outcome"')
    assert "First name: Jon" in html and "First name: John" not in html
    assert "Address: Berlin" in html
    # the survivor's email is overwritten and, no place being free, listed; the other kept
    assert "Email: jon@x.io" in html and "Email: john@x.io" not in html


def test_page_defaults_merge_without_losing_a_tag_or_a_listed_value(
    workspace, rich_pair, client_for
):
    survivor, loser = rich_pair
    _page, response = merge_with_page_defaults(client_for("manager"), survivor.pk, loser.pk)
    assert response.status_code == 302
    with workspace_scope(workspace):
        entry = Interaction.objects.get(contact_id=survivor.pk, kind="contact.merged")
    assert _not_kept(entry.data["not_kept"]) == EXPECTED_NOT_KEPT


def test_an_address_that_only_adds_to_the_survivors_is_taken_whole(scope):
    survivor = ContactFactory(workspace=scope, first_name="A", city="Hamburg", street="")
    loser = ContactFactory(
        workspace=scope, first_name="A", street="Hauptstr. 1", postal_code="20095", city="hamburg"
    )
    choices = {c.key: c.default for c in merge_choices(survivor, loser)}
    assert choices["address"] == "loser"
    plan = merge_plan(survivor, loser)
    assert (plan.values["street"], plan.values["postal_code"], plan.values["city"]) == (
        "Hauptstr. 1",
        "20095",
        "hamburg",
    )
    assert [i.key for i in plan.not_kept if i.key == "address"] == []


def test_address_parts_of_two_addresses_are_never_mixed(scope):
    survivor = ContactFactory(workspace=scope, street="Am Markt 2", city="")
    loser = ContactFactory(workspace=scope, street="", postal_code="20095", city="Hamburg")
    plan = merge_plan(survivor, loser)
    assert (plan.values["street"], plan.values["postal_code"], plan.values["city"]) == (
        "Am Markt 2",
        "",
        "",
    )
    assert ("address", "20095 Hamburg") in [(i.key, i.value) for i in plan.not_kept]


def test_the_survivors_email_overwritten_by_choice_moves_to_the_free_second_email(scope):
    survivor = ContactFactory(workspace=scope, first_name="A", last_name="B", email="old@x.io")
    loser = ContactFactory(workspace=scope, first_name="A", last_name="B", email="new@x.io")
    merged = contact_merge(
        workspace=scope, actor=None, survivor=survivor, loser=loser, choices={"email": "loser"}
    )
    assert (merged.email, merged.email2) == ("new@x.io", "old@x.io")
    entry = Interaction.objects.get(contact=merged, kind="contact.merged")
    assert entry.data["not_kept"] == []
    assert entry.data["moved_into"] == [{"label": "other email", "value": "old@x.io"}]
    assert entry.body.splitlines() == ["Moved into an empty field:", "- other email: old@x.io"]


def test_a_second_phone_goes_to_the_empty_phone_place(scope):
    survivor = ContactFactory(workspace=scope, first_name="A", phone="", mobile="+491511111111")
    loser = ContactFactory(workspace=scope, first_name="A", phone="", mobile="+491512222222")
    merged = contact_merge(workspace=scope, actor=None, survivor=survivor, loser=loser)
    assert (merged.phone, merged.mobile) == ("+491512222222", "+491511111111")


def test_merging_a_contact_into_one_without_custom_definitions_keeps_unknown_keys(scope):
    same = {"first_name": "A", "last_name": "B", "email": "a@x.io"}
    survivor = ContactFactory(workspace=scope, custom={"gone": "x"}, **same)
    loser = ContactFactory(workspace=scope, custom={"gone": "y"}, **same)
    merged = contact_merge(workspace=scope, actor=None, survivor=survivor, loser=loser)
    assert merged.custom == {"gone": "x"}
    items = Interaction.objects.get(contact=merged, kind="contact.merged").data["not_kept"]
    assert [(i["field"], i["label"], i["value"]) for i in items] == [("custom:gone", "gone", "y")]


def test_merge_page_of_the_survivor_without_losses_says_so(workspace, client_for):
    a = ContactFactory(workspace=workspace, first_name="Eva", last_name="Lang", email="e@x.io")
    b = ContactFactory(workspace=workspace, first_name="Eva", last_name="Lang", email="")
    html = client_for("manager").get(merge_url(a.pk, b.pk)).content.decode()
    assert 'data-testid="merge-nothing-lost"' in html


def test_merge_page_queries_stay_bounded(
    workspace, rich_pair, client_for, django_assert_max_num_queries
):
    survivor, loser = rich_pair
    client = client_for("manager")
    with django_assert_max_num_queries(16):
        assert client.get(merge_url(survivor.pk, loser.pk)).status_code == 200


def test_merge_page_url_of_the_contact_detail(workspace, rich_pair, client_for):
    survivor, _loser = rich_pair
    assert (
        client_for("manager")
        .get(reverse("contacts:detail", kwargs={"ws": "acme", "pk": survivor.pk}))
        .status_code
        == 200
    )


def _listed(plan, *keys):
    return [(n.key, n.value) for n in plan.not_kept if n.key in keys]


@pytest.mark.in_scope
def test_an_extension_stays_with_its_number(workspace):
    """The loser's switchboard number moves to "mobile", which takes no extension: its
    extension is listed, never glued to the survivor's own number."""
    survivor = ContactFactory(workspace=workspace, phone="+49301234567", phone_extension="")
    loser = ContactFactory(workspace=workspace, phone="+494055501200", phone_extension="201")
    plan = merge_plan(survivor, loser)
    assert plan.values["phone"] == "+49301234567"
    assert plan.values["phone_extension"] == ""
    assert plan.values["mobile"] == "+494055501200"
    assert _listed(plan, "phone_extension", "birthday") == [
        ("phone_extension", "ext. 201 of +49 40 55501200")
    ]
    assert "phone_extension" not in {c.key for c in merge_choices(survivor, loser)}

    # the survivor without a phone takes the loser's number with its extension
    bare = ContactFactory(workspace=workspace, phone="", phone_extension="")
    plan = merge_plan(bare, loser)
    assert (plan.values["phone"], plan.values["phone_extension"]) == ("+494055501200", "201")
    assert _listed(plan, "phone_extension") == []


@pytest.mark.in_scope
def test_the_same_number_with_two_extensions_is_a_choice(workspace):
    survivor = ContactFactory(workspace=workspace, phone="+494055501200", phone_extension="100")
    loser = ContactFactory(workspace=workspace, phone="+494055501200", phone_extension="201")
    assert "phone_extension" in {c.key for c in merge_choices(survivor, loser)}
    plan = merge_plan(survivor, loser, {"phone_extension": "loser"})
    assert plan.values["phone_extension"] == "201"
    assert _listed(plan, "phone_extension", "birthday") == [("phone_extension", "100")]


@pytest.mark.in_scope
def test_a_year_less_birthday_of_the_loser_is_moved_or_listed(workspace):
    survivor = ContactFactory(workspace=workspace, date_of_birth=None)
    loser = ContactFactory(workspace=workspace, date_of_birth=None)
    loser.birthday_month, loser.birthday_day = 5, 17
    loser.save()
    contact_merge(workspace=workspace, actor=None, survivor=survivor, loser=loser)
    survivor.refresh_from_db()
    assert (survivor.birthday_month, survivor.birthday_day) == (5, 17)

    # against a date of birth on another day it is listed as not kept
    born = ContactFactory(workspace=workspace, date_of_birth=datetime.date(1980, 2, 1))
    other = ContactFactory(workspace=workspace, date_of_birth=None)
    other.birthday_month, other.birthday_day = 5, 17
    other.save()
    plan = merge_plan(born, other)
    assert _listed(plan, "phone_extension", "birthday") == [("birthday", "17 May")]
