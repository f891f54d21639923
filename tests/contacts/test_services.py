import pytest
from django.core.exceptions import ValidationError

from contacts.models import Contact, ContactTag, CustomField, Tag
from contacts.phones import domain_normalize
from contacts.services.accounts import (
    account_create,
    account_delete,
    account_update,
)
from contacts.services.bulk import (
    contacts_bulk_add_tag,
    contacts_bulk_assign_owner,
    contacts_bulk_delete,
)
from contacts.services.contacts import contact_create, contact_delete, contact_update
from contacts.services.custom_fields import (
    custom_field_define,
    custom_field_delete,
    custom_field_update,
)
from contacts.services.tags import tag_get_or_create
from tests.contacts.factories import AccountFactory, ContactFactory, TagFactory
from tests.factories import UserFactory
from workspaces.models import ChangeEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


def events(workspace, model="contacts.contact"):
    return list(ChangeEvent.all_workspaces.filter(workspace=workspace, model=model).order_by("id"))


def test_contact_create_stores_lower_case_email_and_e164_phones(workspace, owner):
    contact = contact_create(
        workspace=workspace,
        actor=owner,
        first_name="Ada",
        last_name="Lovelace",
        email=" Ada@Example.COM ",
        phone="030 1234567",
        mobile="0049 170 1234567",
    )
    assert contact.email == "ada@example.com"
    assert contact.phone == "+49301234567"
    assert contact.mobile == "+491701234567"


def test_contact_create_records_a_change_event(workspace, owner):
    contact = contact_create(workspace=workspace, actor=owner, last_name="Lovelace", email="a@b.de")
    [event] = events(workspace)
    assert (event.object_id, event.action, event.actor) == (contact.pk, "created", owner)
    assert "email" in event.fields


def test_contact_create_rejects_a_bad_phone_at_the_phone_field(workspace, owner):
    with pytest.raises(ValidationError) as exc:
        contact_create(workspace=workspace, actor=owner, last_name="X", phone="call me maybe")
    assert "phone" in exc.value.message_dict
    assert not Contact.all_workspaces.exists()


def test_contact_create_rejects_a_bad_email_at_the_email_field(workspace, owner):
    with pytest.raises(ValidationError) as exc:
        contact_create(workspace=workspace, actor=owner, last_name="X", email="not-an-email")
    assert "email" in exc.value.message_dict


def test_contact_create_refuses_an_account_of_another_workspace(workspace, other_workspace, owner):
    foreign = AccountFactory(workspace=other_workspace)
    with pytest.raises(ValidationError) as exc:
        contact_create(workspace=workspace, actor=owner, last_name="X", account=foreign)
    assert "account" in exc.value.message_dict


def test_contact_create_refuses_an_owner_who_is_no_member(workspace, owner):
    stranger = UserFactory()
    with pytest.raises(ValidationError) as exc:
        contact_create(workspace=workspace, actor=owner, last_name="X", owner=stranger)
    assert "owner" in exc.value.message_dict


def test_contact_create_needs_a_name_email_or_phone(workspace, owner):
    with pytest.raises(ValidationError):
        contact_create(workspace=workspace, actor=owner, job_title="CEO")


def test_contact_create_with_opt_in_sets_timestamp_and_source(workspace, owner):
    contact = contact_create(
        workspace=workspace,
        actor=owner,
        last_name="X",
        email_opt_in=True,
        consent_source="trade fair form",
    )
    assert contact.email_opt_in_at is not None
    assert contact.email_opt_in_source == "trade fair form"


def test_contact_update_turning_opt_in_on_sets_timestamp(workspace, owner):
    contact = contact_create(workspace=workspace, actor=owner, last_name="X")
    assert contact.email_opt_in_at is None
    contact_update(
        workspace=workspace,
        actor=owner,
        contact=contact,
        email_opt_in=True,
        consent_source="phone call",
    )
    contact.refresh_from_db()
    assert contact.email_opt_in_at is not None
    assert contact.email_opt_in_source == "phone call"


def test_contact_update_keeps_the_first_opt_in_timestamp(workspace, owner):
    contact = contact_create(workspace=workspace, actor=owner, last_name="X", email_opt_in=True)
    first = contact.email_opt_in_at
    contact_update(
        workspace=workspace, actor=owner, contact=contact, email_opt_in=True, city="Berlin"
    )
    contact.refresh_from_db()
    assert contact.email_opt_in_at == first


def test_contact_update_turning_opt_in_off_clears_the_timestamp(workspace, owner):
    contact = contact_create(workspace=workspace, actor=owner, last_name="X", email_opt_in=True)
    contact_update(workspace=workspace, actor=owner, contact=contact, email_opt_in=False)
    contact.refresh_from_db()
    assert contact.email_opt_in_at is None


def test_contact_update_records_only_changed_fields(workspace, owner):
    contact = contact_create(workspace=workspace, actor=owner, last_name="X", city="Bonn")
    contact_update(workspace=workspace, actor=owner, contact=contact, city="Köln", last_name="X")
    assert events(workspace)[-1].fields == ["city"]


def test_contact_update_without_change_records_nothing(workspace, owner):
    contact = contact_create(workspace=workspace, actor=owner, last_name="X")
    contact_update(workspace=workspace, actor=owner, contact=contact, last_name="X")
    assert len(events(workspace)) == 1


def test_contact_update_bad_phone_leaves_the_row_unchanged(workspace, owner):
    contact = contact_create(workspace=workspace, actor=owner, last_name="X", phone="030 1234567")
    with pytest.raises(ValidationError):
        contact_update(workspace=workspace, actor=owner, contact=contact, phone="abc", city="Ulm")
    fresh = Contact.all_workspaces.get(pk=contact.pk)
    assert (fresh.phone, fresh.city) == ("+49301234567", "")


def test_contact_update_sets_tags_exactly(workspace, owner):
    contact = contact_create(workspace=workspace, actor=owner, last_name="X", tags=["vip", "b2b"])
    contact_update(workspace=workspace, actor=owner, contact=contact, tags=["vip", "newsletter"])
    names = sorted(Tag.all_workspaces.filter(contacts=contact).values_list("name", flat=True))
    assert names == ["newsletter", "vip"]


def test_contact_delete_leaves_a_tombstone(workspace, owner):
    contact = contact_create(workspace=workspace, actor=owner, last_name="X")
    pk = contact.pk
    contact_delete(workspace=workspace, actor=owner, contact=contact)
    assert not Contact.all_workspaces.filter(pk=pk).exists()
    assert events(workspace)[-1].action == "deleted"
    assert events(workspace)[-1].object_id == pk


def test_bulk_assign_owner_changes_only_this_workspaces_contacts(
    workspace, other_workspace, owner, member_factory
):
    rep = member_factory()
    mine = ContactFactory.create_batch(3, workspace=workspace)
    theirs = ContactFactory(workspace=other_workspace)
    n = contacts_bulk_assign_owner(
        workspace=workspace, actor=owner, contact_ids=[c.pk for c in mine] + [theirs.pk], owner=rep
    )
    assert n == 3
    assert Contact.all_workspaces.filter(owner=rep).count() == 3
    assert Contact.all_workspaces.get(pk=theirs.pk).owner is None
    assert len(events(workspace)) == 3


def test_bulk_assign_owner_refuses_a_non_member(workspace, owner):
    contact = ContactFactory(workspace=workspace)
    with pytest.raises(ValidationError):
        contacts_bulk_assign_owner(
            workspace=workspace, actor=owner, contact_ids=[contact.pk], owner=UserFactory()
        )


def test_bulk_add_tag_skips_contacts_that_have_it(workspace, owner):
    tag = TagFactory(workspace=workspace, name="vip")
    a, b = ContactFactory.create_batch(2, workspace=workspace)
    ContactTag.all_workspaces.create(workspace=workspace, contact=a, tag=tag)
    n = contacts_bulk_add_tag(workspace=workspace, actor=owner, contact_ids=[a.pk, b.pk], tag="VIP")
    assert n == 1
    assert ContactTag.all_workspaces.filter(tag=tag).count() == 2


def test_bulk_delete_deletes_and_records_tombstones(workspace, other_workspace, owner):
    mine = ContactFactory.create_batch(2, workspace=workspace)
    theirs = ContactFactory(workspace=other_workspace)
    n = contacts_bulk_delete(
        workspace=workspace, actor=owner, contact_ids=[c.pk for c in mine] + [theirs.pk]
    )
    assert n == 2
    assert Contact.all_workspaces.filter(pk=theirs.pk).exists()
    assert [e.action for e in events(workspace)] == ["deleted", "deleted"]


def test_tag_get_or_create_is_case_insensitive(workspace, owner):
    first = tag_get_or_create(workspace=workspace, actor=owner, name="VIP")
    assert tag_get_or_create(workspace=workspace, actor=owner, name="vip") == first


def test_account_create_normalises_phone_and_domain(workspace, owner):
    account = account_create(
        workspace=workspace,
        actor=owner,
        name=" Acme AG ",
        domain="https://www.Acme.example/about",
        phone="+49 (30) 123-4567",
    )
    assert (account.name, account.domain, account.phone) == (
        "Acme AG",
        "acme.example",
        "+49301234567",
    )


def test_account_create_rejects_bad_phone(workspace, owner):
    with pytest.raises(ValidationError) as exc:
        account_create(workspace=workspace, actor=owner, name="Acme", phone="no phone")
    assert "phone" in exc.value.message_dict


def test_account_update_records_changed_fields(workspace, owner):
    account = account_create(workspace=workspace, actor=owner, name="Acme")
    account_update(workspace=workspace, actor=owner, account=account, industry="Retail")
    assert events(workspace, "contacts.account")[-1].fields == ["industry"]


def test_account_delete_keeps_contacts_and_records_their_change(workspace, owner):
    account = account_create(workspace=workspace, actor=owner, name="Acme")
    contact = contact_create(workspace=workspace, actor=owner, last_name="X", account=account)
    account_delete(workspace=workspace, actor=owner, account=account)
    contact.refresh_from_db()
    assert contact.account is None
    assert events(workspace)[-1].fields == ["account"]
    assert events(workspace, "contacts.account")[-1].action == "deleted"


def test_domain_normalize_strips_scheme_www_and_path():
    assert domain_normalize("HTTP://www.Example.org/x/y") == "example.org"
    assert domain_normalize("info@example.org") == "example.org"


def test_custom_field_define_derives_the_key_from_the_label(workspace, owner):
    field = custom_field_define(
        workspace=workspace,
        actor=owner,
        entity="contact",
        label="Customer number",
        field_type="text",
    )
    assert field.key == "customer_number"


def test_custom_field_define_refuses_a_duplicate_key(workspace, owner):
    custom_field_define(
        workspace=workspace, actor=owner, entity="contact", label="Size", field_type="text"
    )
    with pytest.raises(ValidationError) as exc:
        custom_field_define(
            workspace=workspace, actor=owner, entity="contact", label="Size", field_type="number"
        )
    assert "key" in exc.value.message_dict


def test_custom_field_choice_needs_choices(workspace, owner):
    with pytest.raises(ValidationError) as exc:
        custom_field_define(
            workspace=workspace,
            actor=owner,
            entity="contact",
            label="Tier",
            field_type="choice",
            choices="",
        )
    assert "choices" in exc.value.message_dict


def test_custom_field_choices_accept_a_comma_list(workspace, owner):
    field = custom_field_define(
        workspace=workspace,
        actor=owner,
        entity="contact",
        label="Tier",
        field_type="choice",
        choices="gold, silver,bronze",
    )
    assert field.choices == ["gold", "silver", "bronze"]


def test_custom_field_update_changes_label(workspace, owner):
    field = custom_field_define(
        workspace=workspace, actor=owner, entity="account", label="Tier", field_type="text"
    )
    custom_field_update(workspace=workspace, actor=owner, field=field, label="Level")
    assert CustomField.all_workspaces.get(pk=field.pk).label == "Level"


def test_custom_field_delete_removes_the_definition(workspace, owner):
    field = custom_field_define(
        workspace=workspace, actor=owner, entity="account", label="Tier", field_type="text"
    )
    custom_field_delete(workspace=workspace, actor=owner, field=field)
    assert not CustomField.all_workspaces.exists()


def test_contact_create_validates_custom_values_by_type(workspace, owner):
    custom_field_define(
        workspace=workspace, actor=owner, entity="contact", label="Budget", field_type="number"
    )
    with pytest.raises(ValidationError) as exc:
        contact_create(workspace=workspace, actor=owner, last_name="X", custom={"budget": "lots"})
    assert "custom_budget" in exc.value.message_dict


def test_contact_create_stores_clean_custom_values(workspace, owner):
    custom_field_define(
        workspace=workspace, actor=owner, entity="contact", label="Budget", field_type="number"
    )
    contact = contact_create(
        workspace=workspace, actor=owner, last_name="X", custom={"budget": "1500,50"}
    )
    assert contact.custom == {"budget": 1500.5}
