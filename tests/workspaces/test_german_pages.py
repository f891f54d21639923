"""German complete on the pages people fill in: no select starts with Django's untranslated
"- Select an option -" or a row of dashes; every empty option is the one translated label."""

import pytest
from django.db.models import fields as model_fields
from django.urls import reverse
from django.utils import translation

from tests.contacts.factories import ContactFactory
from tests.workspaces.test_form_choices import FORMS, ROWS, _build, _form_id
from workspaces.forms import BLANK_LABEL
from workspaces.scoping import workspace_scope

UNTRANSLATED = ("---------", "- Select an option -")


def test_djangos_blank_choice_is_ours():
    assert model_fields.BLANK_CHOICE_LABEL is BLANK_LABEL


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=_form_id)
def test_no_form_renders_an_untranslated_empty_choice(form_class, workspace):
    with workspace_scope(workspace):
        for make in ROWS.values():
            make(workspace)
        with translation.override("de"):
            html = str(_build(form_class, workspace))
    for text in UNTRANSLATED:
        assert text not in html, f"{_form_id(form_class)} shows {text!r}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "contacts:create",
        "contacts:account_create",
        "sales:lead_create",
        "sales:deal_create",
        "sales:activity_create",
        "sales:product_create",
        "contacts:list",
        "sales:deals",
        "sales:leads",
    ],
)
def test_form_pages_in_german_have_translated_empty_choices(url_name, workspace, owner_client):
    with workspace_scope(workspace):
        from contacts.services.custom_fields import custom_field_define

        custom_field_define(
            workspace=workspace,
            actor=None,
            entity="contact",
            label="Tier",
            key="tier",
            field_type="choice",
            choices=["gold", "silver"],
        )
    response = owner_client.get(
        reverse(url_name, kwargs={"ws": workspace.slug}), HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    for text in UNTRANSLATED:
        assert text not in html


@pytest.mark.django_db
def test_the_log_form_outcome_starts_with_the_translated_label(workspace, owner_client):
    contact = ContactFactory(workspace=workspace)
    url = reverse("touchpoints:log", kwargs={"ws": workspace.slug})
    response = owner_client.get(url, {"contact": contact.pk}, HTTP_ACCEPT_LANGUAGE="de")
    html = response.content.decode()
    with translation.override("de"):
        label = str(BLANK_LABEL)
    assert f'<option value="" selected>{label}</option>' in html
    assert "---------" not in html
