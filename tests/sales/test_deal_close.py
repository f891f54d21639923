"""One-click Won and Lost on the deal page, and lost-reason fields only where they apply."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from sales.forms.deals import DealForm, MoveForm
from sales.models import Deal, StageKind
from sales.services import deals as deal_services
from tests.factories import TEST_PASSWORD
from tests.sales.factories import LostReasonFactory, deal_make, stage_of
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def _url(workspace, name, **kw):
    return reverse(name, kwargs={"ws": workspace.slug, **kw})


def _lost(workspace, owner, reason=None):
    deal = deal_make(workspace, actor=owner)
    reason = reason or LostReasonFactory(workspace=workspace, name="Too pricey")
    with workspace_scope(workspace):
        deal_services.deal_move_stage(
            workspace=workspace,
            actor=owner,
            deal=deal,
            stage=stage_of(deal.pipeline, kind=StageKind.LOST),
            lost_reason=reason,
            competitor="Globex",
        )
    return Deal.all_workspaces.get(pk=deal.pk)


def test_the_deal_page_has_won_and_lost_buttons_for_an_open_deal(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    LostReasonFactory(workspace=workspace, name="Too pricey")
    html = owner_client.get(_url(workspace, "sales:deal_detail", pk=deal.pk)).content.decode()
    won = re.search(r'<form[^>]*data-testid="won-form">.*?</form>', html, re.S).group(0)
    assert f'name="stage" value="{stage_of(deal.pipeline, kind=StageKind.WON).pk}"' in won
    assert f'name="version" value="{deal.version}"' in won
    assert "csrfmiddlewaretoken" in won and 'method="post"' in won
    assert 'data-testid="deal-lost"' in html
    dialog = re.search(r'<dialog id="lost-dialog".*?</dialog>', html, re.S).group(0)
    lost = stage_of(deal.pipeline, kind=StageKind.LOST)
    assert f'<input type="hidden" name="stage" value="{lost.pk}">' in dialog
    assert "Too pricey" in dialog and "csrfmiddlewaretoken" in dialog
    # not open until asked for
    assert 'data-testid="lost-dialog" open' not in html


def test_won_in_one_click_closes_the_deal_won(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    won = stage_of(deal.pipeline, kind=StageKind.WON)
    response = owner_client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk), {"stage": won.pk, "version": 1}
    )
    assert response.status_code == 302
    assert response["Location"] == _url(workspace, "sales:deal_detail", pk=deal.pk)
    deal = Deal.all_workspaces.get(pk=deal.pk)
    assert deal.stage_id == won.pk and deal.won_at is not None and deal.lost_reason is None


def test_lost_with_a_reason_closes_the_deal_lost(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    reason = LostReasonFactory(workspace=workspace, name="Too pricey")
    lost = stage_of(deal.pipeline, kind=StageKind.LOST)
    owner_client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk),
        {"stage": lost.pk, "version": 1, "lost_reason": reason.pk, "competitor": " Initech "},
    )
    deal = Deal.all_workspaces.get(pk=deal.pk)
    assert (deal.stage_id, deal.lost_reason_id, deal.competitor) == (lost.pk, reason.pk, "Initech")
    assert deal.closed_at is not None and deal.won_at is None


def test_lost_without_a_reason_comes_back_to_the_open_lost_form(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    lost = stage_of(deal.pipeline, kind=StageKind.LOST)
    response = owner_client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk), {"stage": lost.pk, "version": 1}
    )
    detail = _url(workspace, "sales:deal_detail", pk=deal.pk)
    assert response["Location"] == f"{detail}?close=lost&stage={lost.pk}#lost-dialog"
    page = owner_client.get(response["Location"]).content.decode()
    assert 'data-testid="lost-dialog" open' in page
    assert "Choose why the deal was lost." in page
    assert Deal.all_workspaces.get(pk=deal.pk).closed_at is None


def test_closing_takes_post_only(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    won = stage_of(deal.pipeline, kind=StageKind.WON)
    response = owner_client.get(
        _url(workspace, "sales:deal_move", pk=deal.pk), {"stage": won.pk, "version": 1}
    )
    assert response.status_code == 405
    assert Deal.all_workspaces.get(pk=deal.pk).closed_at is None


def test_closing_needs_the_csrf_token(workspace, owner, owner_client):
    deal = deal_make(workspace, actor=owner)
    won = stage_of(deal.pipeline, kind=StageKind.WON)
    client = Client(enforce_csrf_checks=True)
    assert client.login(email=owner.email, password=TEST_PASSWORD)
    response = client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk), {"stage": won.pk, "version": 1}
    )
    assert response.status_code == 403
    assert Deal.all_workspaces.get(pk=deal.pk).closed_at is None


@pytest.mark.parametrize("role", [Role.READONLY, Role.MARKETING, Role.SERVICE])
def test_members_who_may_not_edit_deals_get_no_buttons_and_cannot_close(
    workspace, client_for, owner, role
):
    deal = deal_make(workspace, actor=owner)
    client = client_for(role)
    html = client.get(_url(workspace, "sales:deal_detail", pk=deal.pk)).content.decode()
    assert "deal-won" not in html and "deal-lost" not in html and "lost-dialog" not in html
    won = stage_of(deal.pipeline, kind=StageKind.WON)
    response = client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk), {"stage": won.pk, "version": 1}
    )
    assert response.status_code == 403
    assert Deal.all_workspaces.get(pk=deal.pk).closed_at is None


def test_a_won_deal_has_no_won_button_and_a_lost_one_no_lost_button(workspace, owner_client, owner):
    lost = _lost(workspace, owner)
    html = owner_client.get(_url(workspace, "sales:deal_detail", pk=lost.pk)).content.decode()
    assert 'data-testid="deal-won"' in html and 'data-testid="deal-lost"' not in html
    assert "lost-dialog" not in html
    assert "Reopen in stage" in html


def test_the_move_form_on_the_deal_page_offers_open_stages_without_lost_fields(
    workspace, owner_client, owner
):
    deal = deal_make(workspace, actor=owner)
    response = owner_client.get(_url(workspace, "sales:deal_detail", pk=deal.pk))
    form = response.context["move_form"]
    assert "lost_reason" not in form.fields and "competitor" not in form.fields
    assert {s.kind for s in form.fields["stage"].queryset} == {StageKind.OPEN}
    move = re.search(
        r'<form[^>]*data-testid="move-form">.*?</form>', response.content.decode(), re.S
    ).group(0)
    assert "lost_reason" not in move and "Competitor" not in move


def test_the_edit_form_of_an_open_deal_has_no_lost_reason(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    response = owner_client.get(_url(workspace, "sales:deal_edit", pk=deal.pk))
    assert "lost_reason" not in response.context["form"].fields
    assert 'name="lost_reason"' not in response.content.decode()
    assert 'name="competitor"' not in response.content.decode()


def test_the_edit_form_of_a_new_deal_has_no_lost_reason(workspace, owner_client):
    response = owner_client.get(_url(workspace, "sales:deal_create"))
    assert 'name="lost_reason"' not in response.content.decode()


def test_the_edit_form_of_a_lost_deal_shows_and_changes_its_reason(workspace, owner_client, owner):
    deal = _lost(workspace, owner)
    other = LostReasonFactory(workspace=workspace, name="Budget frozen")
    url = _url(workspace, "sales:deal_edit", pk=deal.pk)
    form = owner_client.get(url).context["form"]
    assert form.fields["lost_reason"].initial == deal.lost_reason_id
    assert form.fields["competitor"].initial == "Globex"
    response = owner_client.post(
        url,
        {
            "name": deal.name,
            "amount": "1000",
            "currency": "EUR",
            "owner": owner.pk,
            "version": deal.version,
            "lost_reason": other.pk,
            "competitor": "Initech",
        },
    )
    assert response.status_code == 302
    deal = Deal.all_workspaces.get(pk=deal.pk)
    assert (deal.lost_reason_id, deal.competitor) == (other.pk, "Initech")


def test_a_lost_deal_cannot_lose_its_reason_on_the_edit_form(workspace, owner_client, owner):
    deal = _lost(workspace, owner)
    response = owner_client.post(
        _url(workspace, "sales:deal_edit", pk=deal.pk),
        {"name": deal.name, "amount": "1000", "currency": "EUR", "version": deal.version},
    )
    assert response.status_code == 200
    assert "lost_reason" in response.context["form"].errors
    assert Deal.all_workspaces.get(pk=deal.pk).lost_reason_id == deal.lost_reason_id


@pytest.mark.in_scope
def test_the_service_refuses_a_lost_reason_on_an_open_deal(workspace, owner):
    deal = deal_make(workspace, actor=owner)
    reason = LostReasonFactory(workspace=workspace)
    with pytest.raises(ValidationError) as exc:
        deal_services.deal_update(workspace=workspace, actor=owner, deal=deal, lost_reason=reason)
    assert exc.value.message_dict == {"lost_reason": ["Only a lost deal has a lost reason."]}
    assert Deal.objects.get(pk=deal.pk).lost_reason is None


@pytest.mark.in_scope
def test_the_service_refuses_to_empty_a_lost_deals_reason(workspace, owner):
    deal = _lost(workspace, owner)
    with pytest.raises(ValidationError) as exc:
        deal_services.deal_update(workspace=workspace, actor=owner, deal=deal, lost_reason=None)
    assert exc.value.message_dict == {"lost_reason": ["Choose why the deal was lost."]}


@pytest.mark.in_scope
def test_the_service_refuses_another_workspaces_lost_reason(workspace, other_workspace, owner):
    deal = _lost(workspace, owner)
    theirs = LostReasonFactory(workspace=other_workspace)
    with pytest.raises(ValidationError) as exc:
        deal_services.deal_update(workspace=workspace, actor=owner, deal=deal, lost_reason=theirs)
    assert "lost_reason" in exc.value.message_dict


@pytest.mark.in_scope
def test_forms_offer_lost_fields_only_for_lost_deals(workspace, owner):
    open_deal = deal_make(workspace, actor=owner)
    lost_deal = _lost(workspace, owner)
    assert "lost_reason" not in DealForm(instance=open_deal, workspace=workspace).fields
    assert "lost_reason" in DealForm(instance=lost_deal, workspace=workspace).fields
    # the board's move form still takes a lost reason (the dialog posts it)
    assert "lost_reason" in MoveForm(workspace=workspace, deal=open_deal).fields
