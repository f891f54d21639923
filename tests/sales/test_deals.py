"""Deals: stage history, timeline, closing rules, optimistic concurrency, pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sales.models import Deal, DealStageChange, Pipeline, StageKind
from sales.services import deals as deal_services, pipelines as pipeline_services
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.sales.factories import LostReasonFactory, deal_make, pipeline_for, stage_of
from touchpoints.models import Interaction
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def _url(workspace, name, **kw):
    return reverse(name, kwargs={"ws": workspace.slug, **kw})


def test_every_stage_change_is_stored_with_its_time_and_amount(scope, owner):
    deal = deal_make(scope, actor=owner, amount=Decimal("800"))
    second = stage_of(deal.pipeline, index=1)
    deal_services.deal_move_stage(workspace=scope, actor=owner, deal=deal, stage=second)
    rows = list(DealStageChange.objects.filter(deal=deal).order_by("changed_at", "id"))
    assert [(r.from_stage_id, r.to_stage_id) for r in rows] == [
        (None, stage_of(deal.pipeline).pk),
        (stage_of(deal.pipeline).pk, second.pk),
    ]
    assert rows[1].amount == Decimal("800") and rows[1].actor == owner
    assert rows[1].changed_at >= rows[0].changed_at


def test_the_change_log_names_only_what_a_move_changed(scope, owner):
    from workspaces.models import ChangeEvent

    deal = deal_make(scope, actor=owner)
    deal_services.deal_move_stage(
        workspace=scope, actor=owner, deal=deal, stage=stage_of(deal.pipeline, index=1)
    )
    deal_services.deal_move_stage(
        workspace=scope, actor=owner, deal=deal, stage=stage_of(deal.pipeline, kind=StageKind.WON)
    )
    events = ChangeEvent.objects.filter(model="sales.deal", object_id=deal.pk).order_by("seq")
    moves = [event.fields for event in events if "stage" in event.fields]
    assert moves[-2:] == [["stage"], ["closed_at", "stage", "won_at"]]


def test_a_stage_change_is_recorded_on_the_contacts_timeline(scope, owner):
    contact = ContactFactory(workspace=scope)
    deal = deal_make(scope, actor=owner, contact=contact)
    deal_services.deal_move_stage(
        workspace=scope, actor=owner, deal=deal, stage=stage_of(deal.pipeline, index=1)
    )
    entry = Interaction.objects.get(contact=contact, kind="deal.stage_changed")
    assert entry.app == "sales" and entry.data["deal_id"] == deal.pk


def test_a_stage_of_another_pipeline_is_rejected(scope, owner):
    deal = deal_make(scope, actor=owner)
    other = pipeline_services.pipeline_create(workspace=scope, actor=owner, name="Renewals")
    foreign = pipeline_services.stage_create(
        workspace=scope, actor=owner, pipeline=other, name="Offer"
    )
    with pytest.raises(ValidationError) as exc:
        deal_services.deal_move_stage(workspace=scope, actor=owner, deal=deal, stage=foreign)
    assert "stage" in exc.value.message_dict
    assert Deal.objects.get(pk=deal.pk).stage_id == stage_of(deal.pipeline).pk


def test_closing_lost_needs_a_reason(scope, owner):
    deal = deal_make(scope, actor=owner)
    lost = stage_of(deal.pipeline, kind=StageKind.LOST)
    with pytest.raises(ValidationError) as exc:
        deal_services.deal_move_stage(workspace=scope, actor=owner, deal=deal, stage=lost)
    assert "lost_reason" in exc.value.message_dict
    assert Deal.objects.get(pk=deal.pk).closed_at is None


def test_closing_lost_keeps_reason_and_competitor(scope, owner):
    deal = deal_make(scope, actor=owner)
    reason = LostReasonFactory(workspace=scope, name="Too pricey")
    deal_services.deal_move_stage(
        workspace=scope,
        actor=owner,
        deal=deal,
        competitor="Globex",
        stage=stage_of(deal.pipeline, kind=StageKind.LOST),
        lost_reason=reason,
    )
    deal.refresh_from_db()
    assert (deal.lost_reason, deal.competitor, deal.won_at) == (reason, "Globex", None)
    assert deal.closed_at is not None


def test_closing_won_sets_won_at(scope, owner):
    deal = deal_make(scope, actor=owner)
    deal_services.deal_move_stage(
        workspace=scope, actor=owner, deal=deal, stage=stage_of(deal.pipeline, kind=StageKind.WON)
    )
    deal.refresh_from_db()
    assert deal.won_at is not None and deal.closed_at == deal.won_at


def test_a_stale_version_is_a_conflict_and_stores_nothing(scope, owner):
    deal = deal_make(scope, actor=owner, amount=Decimal("100"))
    deal_services.deal_update(
        workspace=scope,
        actor=owner,
        deal=Deal.objects.get(pk=deal.pk),
        version=1,
        amount=Decimal("200"),
    )
    with pytest.raises(deal_services.DealConflict) as exc:
        deal_services.deal_update(
            workspace=scope,
            actor=owner,
            deal=Deal.objects.get(pk=deal.pk),
            version=1,
            amount=Decimal("300"),
        )
    assert str(owner) in exc.value.messages[0]
    fresh = Deal.objects.get(pk=deal.pk)
    assert (fresh.amount, fresh.version) == (Decimal("200"), 2)


def test_a_move_with_a_stale_version_is_a_conflict(scope, owner):
    deal = deal_make(scope, actor=owner)
    deal_services.deal_update(workspace=scope, actor=owner, deal=deal, version=1, name="Renamed")
    with pytest.raises(deal_services.DealConflict):
        deal_services.deal_move_stage(
            workspace=scope,
            actor=owner,
            deal=Deal.objects.get(pk=deal.pk),
            stage=stage_of(deal.pipeline, index=1),
            version=1,
        )
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_the_edit_form_shows_the_conflict(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner, amount=Decimal("100"))
    url = _url(workspace, "sales:deal_edit", pk=deal.pk)
    data = {"name": "Mine", "amount": "150", "currency": "EUR", "version": "1", "owner": owner.pk}
    assert owner_client.post(url, data).status_code == 302
    response = owner_client.post(url, {**data, "name": "Stale", "amount": "999"})
    assert response.status_code == 409
    assert b"meanwhile" in response.content
    assert Deal.all_workspaces.get(pk=deal.pk).name == "Mine"


def test_a_negative_amount_is_a_field_error(workspace, owner_client, owner):
    pipeline_for(workspace)
    response = owner_client.post(
        _url(workspace, "sales:deal_create"),
        {
            "name": "Neg",
            "amount": "-5",
            "currency": "EUR",
            "pipeline": Pipeline.all_workspaces.get(workspace=workspace).pk,
        },
    )
    assert response.status_code == 200
    assert b"is-invalid" in response.content
    assert not Deal.all_workspaces.exists()


def test_a_close_date_that_is_no_date_is_a_field_error(workspace, owner_client):
    pipeline = pipeline_for(workspace)
    response = owner_client.post(
        _url(workspace, "sales:deal_create"),
        {
            "name": "Bad date",
            "amount": "5",
            "currency": "EUR",
            "pipeline": pipeline.pk,
            "expected_close_date": "31.02.2026x",
        },
    )
    assert b"Enter a valid date" in response.content
    assert not Deal.all_workspaces.exists()


def test_the_negative_amount_is_refused_by_the_service_too(scope, owner):
    with pytest.raises(ValidationError) as exc:
        deal_make(scope, actor=owner, amount=Decimal("-1"))
    assert "amount" in exc.value.message_dict


def test_moving_on_the_board_returns_the_new_version(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    response = owner_client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk),
        {"stage": stage_of(deal.pipeline, index=1).pk, "version": deal.version},
        headers={"accept": "application/json"},
    )
    assert response.json() == {
        "ok": True,
        "version": 2,
        "stage": stage_of(deal.pipeline, index=1).pk,
    }


def test_dropping_on_lost_asks_for_the_reason(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    response = owner_client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk),
        {"stage": stage_of(deal.pipeline, kind=StageKind.LOST).pk, "version": deal.version},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400 and response.json()["need_reason"] is True


def test_moving_to_a_stage_of_another_pipeline_on_the_board_fails(
    workspace, owner_client, owner, scope
):
    deal = deal_make(workspace, actor=owner)
    other = pipeline_services.pipeline_create(workspace=workspace, actor=owner, name="Second")
    foreign = pipeline_services.stage_create(
        workspace=workspace, actor=owner, pipeline=other, name="X"
    )
    response = owner_client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk),
        {"stage": foreign.pk, "version": 1},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert "another pipeline" in response.json()["error"]


def test_a_sales_rep_cannot_delete_a_deal(workspace, client_for, owner):
    deal = deal_make(workspace, actor=owner)
    client = client_for(Role.SALES)
    assert client.post(_url(workspace, "sales:deal_delete", pk=deal.pk)).status_code == 403
    assert Deal.all_workspaces.filter(pk=deal.pk).exists()


def test_a_marketer_cannot_delete_a_deal(workspace, client_for, owner):
    deal = deal_make(workspace, actor=owner)
    client = client_for(Role.MARKETING)
    assert client.post(_url(workspace, "sales:deal_delete", pk=deal.pk)).status_code == 403
    assert Deal.all_workspaces.filter(pk=deal.pk).exists()


def test_a_readonly_member_sees_the_board_but_cannot_move(workspace, client_for, owner):
    deal = deal_make(workspace, actor=owner)
    client = client_for(Role.READONLY)
    assert client.get(_url(workspace, "sales:board")).status_code == 200
    response = client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk),
        {"stage": stage_of(deal.pipeline, index=1).pk},
    )
    assert response.status_code == 403


def test_the_board_has_no_query_per_deal(
    workspace, owner_client, owner, django_assert_max_num_queries
):
    for i in range(30):
        deal_make(
            workspace,
            actor=owner,
            name=f"Deal {i}",
            owner=owner,
            account=AccountFactory(workspace=workspace),
            stage=stage_of(pipeline_for(workspace), index=i % 4),
        )
    with django_assert_max_num_queries(12):
        response = owner_client.get(_url(workspace, "sales:board"))
    assert response.content.decode().count("kanban-card") >= 30


def test_the_board_shows_column_totals(workspace, owner_client, owner):
    deal_make(workspace, actor=owner, amount=Decimal("1000"))
    deal_make(workspace, actor=owner, amount=Decimal("234.5"))
    assert "€1,234.50" in owner_client.get(_url(workspace, "sales:board")).content.decode()


def test_the_deal_list_has_no_query_per_row(
    workspace, owner_client, owner, django_assert_max_num_queries
):
    for i in range(30):
        deal_make(
            workspace,
            actor=owner,
            name=f"Deal {i}",
            owner=owner,
            account=AccountFactory(workspace=workspace),
        )
    with django_assert_max_num_queries(14):
        response = owner_client.get(_url(workspace, "sales:deals"))
    assert response.content.decode().count("/sales/deals/") >= 30


def test_the_deal_list_filters_by_amount_and_owner(workspace, owner_client, owner, member_factory):
    rep = member_factory(Role.SALES)
    deal_make(workspace, actor=owner, name="Small mine", amount=Decimal("10"), owner=owner)
    deal_make(workspace, actor=owner, name="Big mine", amount=Decimal("5000"), owner=owner)
    deal_make(workspace, actor=owner, name="Big theirs", amount=Decimal("5000"), owner=rep)
    text = owner_client.get(
        _url(workspace, "sales:deals") + f"?amount_min=100&owner={owner.pk}"
    ).content.decode()
    assert "Big mine" in text and "Small mine" not in text and "Big theirs" not in text


def test_the_deal_page_shows_the_stage_history(workspace, owner_client, owner, scope):
    deal = deal_make(workspace, actor=owner)
    deal_services.deal_move_stage(
        workspace=workspace, actor=owner, deal=deal, stage=stage_of(deal.pipeline, index=1)
    )
    text = owner_client.get(_url(workspace, "sales:deal_detail", pk=deal.pk)).content.decode()
    assert "Qualification → <strong>Needs analysis</strong>" in text


def test_new_deal_from_a_contact_is_prefilled(workspace, owner_client):
    account = AccountFactory(workspace=workspace, name="Prefill GmbH")
    contact = ContactFactory(workspace=workspace, account=account)
    response = owner_client.get(_url(workspace, "sales:deal_create") + f"?contact={contact.pk}")
    form = response.context["form"]
    assert form.initial["contact"] == contact.pk
    assert form.initial["account"] == account.pk
    assert form.initial["name"] == "Prefill GmbH"


def test_the_deal_form_picks_accounts_by_search_not_from_a_list(workspace, owner_client, owner):
    """The account and contact fields are autocomplete pickers: no <option> per row, the
    chosen one shown by name (workspaces.widgets.AutocompleteSelect)."""
    for i in range(305):
        AccountFactory(workspace=workspace, name=f"Acc {i:04d}")
    last = AccountFactory(workspace=workspace, name="Zz chosen")
    response = owner_client.get(_url(workspace, "sales:deal_create") + f"?account={last.pk}")
    text = response.content.decode()
    assert '<select name="account"' not in text and "Acc 0001" not in text
    assert f'<input type="hidden" name="account" value="{last.pk}"' in text
    assert 'value="Zz chosen"' in text and 'role="combobox"' in text


def test_an_account_beyond_the_listed_ones_is_still_accepted(workspace, owner_client, owner):
    from sales.forms.deals import CHOICE_LIMIT

    for i in range(CHOICE_LIMIT + 5):
        AccountFactory(workspace=workspace, name=f"Acc {i:04d}")
    late = AccountFactory(workspace=workspace, name="Zz late")
    pipeline = pipeline_for(workspace)
    owner_client.post(
        _url(workspace, "sales:deal_create"),
        {
            "name": "Late",
            "amount": "1",
            "currency": "EUR",
            "pipeline": pipeline.pk,
            "account": late.pk,
        },
    )
    assert Deal.all_workspaces.get(name="Late").account == late


def test_a_lost_move_without_reason_opens_the_lost_form_with_that_stage(
    workspace, owner_client, owner
):
    deal = deal_make(workspace, actor=owner)
    lost = stage_of(deal.pipeline, kind=StageKind.LOST)
    response = owner_client.get(
        _url(workspace, "sales:deal_detail", pk=deal.pk) + f"?close=lost&stage={lost.pk}"
    )
    assert response.context["lost_open"] is True
    assert response.context["lost_stage"] == lost
    assert 'data-testid="lost-dialog" open' in response.content.decode()
