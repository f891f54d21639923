"""The contact form warns (without blocking) when an email address or phone number it enters
already belongs to another contact of the workspace, matched as the duplicate finder does."""

from django.urls import reverse

from contacts.models import Contact
from tests.contacts.factories import ContactFactory
from workspaces.scoping import workspace_scope

NEW = reverse("contacts:create", kwargs={"ws": "acme"})


def _edit(pk):
    return reverse("contacts:edit", kwargs={"ws": "acme", "pk": pk})


def _count(workspace, **filters):
    with workspace_scope(workspace):
        return Contact.objects.filter(**filters).count()


def _form(**values):
    return {"lifecycle_stage": "lead", **values}


def test_creating_a_contact_with_an_existing_email_warns_with_a_link(workspace, owner_client):
    existing = ContactFactory(workspace=workspace, first_name="Ada", email="ada@x.io")
    response = owner_client.post(NEW, _form(first_name="Ada", email=" ADA@x.io "))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A contact with this email already exists:" in html
    detail = reverse("contacts:detail", kwargs={"ws": "acme", "pk": existing.pk})
    assert f'href="{detail}"' in html
    assert 'name="confirm_duplicate"' in html
    assert _count(workspace, email="ada@x.io") == 1  # nothing saved yet
    response = owner_client.post(
        NEW, _form(first_name="Ada", email="ada@x.io", confirm_duplicate="1")
    )
    assert response.status_code == 302
    assert _count(workspace, email="ada@x.io") == 2


def test_a_phone_that_is_someone_elses_mobile_warns(workspace, owner_client):
    ContactFactory(workspace=workspace, phone="", mobile="+49301234567")
    ContactFactory(workspace=workspace, email="x@x.io", email2="second@x.io")
    html = owner_client.post(
        NEW, _form(last_name="New", phone="030 1234567", email="second@x.io")
    ).content.decode()
    assert "A contact with this phone number already exists:" in html
    assert "A contact with this email already exists:" in html
    assert _count(workspace, last_name="New") == 0


def test_no_warning_without_a_shared_value(workspace, owner_client):
    ContactFactory(workspace=workspace, email="ada@x.io", phone="+49301234567")
    response = owner_client.post(NEW, _form(last_name="Other", email="b@x.io", phone="030 999"))
    assert response.status_code == 302


def test_editing_warns_only_about_values_it_changes(workspace, owner_client):
    ContactFactory(workspace=workspace, email="taken@x.io")
    me = ContactFactory(workspace=workspace, last_name="Me", email="taken@x.io")  # known already
    response = owner_client.post(_edit(me.pk), _form(last_name="Me too", email="taken@x.io"))
    assert response.status_code == 302  # the duplicate it had does not stop a save
    ContactFactory(workspace=workspace, mobile="+4915112345678")
    response = owner_client.post(
        _edit(me.pk), _form(last_name="Me too", email="taken@x.io", mobile="0151 12345678")
    )
    assert response.status_code == 200
    assert "A contact with this phone number already exists:" in response.content.decode()
    assert _count(workspace, pk=me.pk, mobile="") == 1
    response = owner_client.post(
        _edit(me.pk),
        _form(
            last_name="Me too", email="taken@x.io", mobile="0151 12345678", confirm_duplicate="1"
        ),
    )
    assert response.status_code == 302
    assert _count(workspace, pk=me.pk, mobile="+4915112345678") == 1


def test_an_invalid_phone_gets_its_error_not_a_warning(workspace, owner_client):
    ContactFactory(workspace=workspace, email="ada@x.io")
    html = owner_client.post(NEW, _form(last_name="X", phone="not a phone")).content.decode()
    assert "is not a phone number" in html
    assert "already exists" not in html
