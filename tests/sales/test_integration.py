"""The sales core in the shell: navigation, home panel, search, record panels, settings,
pages render, the demo data."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contacts.registry import account_panels, contact_panels
from sales.models import Deal, DealStageChange, Lead, LostReason, Pipeline, Stage
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.sales.factories import ActivityFactory, LeadFactory, deal_make, pipeline_for, stage_of
from workspaces.models import Workspace
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def _url(workspace, name, **kw):
    return reverse(name, kwargs={"ws": workspace.slug, **kw})


@pytest.mark.parametrize("role", [Role.SALES, Role.MANAGER, Role.READONLY])
def test_sales_roles_see_the_sales_navigation(workspace, client_for, role):
    text = client_for(role).get(_url(workspace, "workspace_home")).content.decode()
    for key in ("sales_leads", "sales_board", "sales_deals", "sales_activities"):
        assert f'data-nav="{key}"' in text


def test_marketers_do_not_see_the_sales_navigation(workspace, client_for):
    text = client_for(Role.MARKETING).get(_url(workspace, "workspace_home")).content.decode()
    assert 'data-nav="sales_deals"' not in text


def test_the_home_page_shows_my_day(workspace, client_for):
    client = client_for(Role.SALES)
    ActivityFactory(
        workspace=workspace,
        owner=client.user,
        subject="Panel call",
        due_at=timezone.now() - timezone.timedelta(days=1),
    )
    text = client.get(_url(workspace, "workspace_home")).content.decode()
    assert 'data-testid="panel-my-day"' in text and "Panel call" in text


def test_search_finds_deals_and_leads(workspace, owner_client, owner):
    deal_make(workspace, actor=owner, name="Zeppelin rollout")
    LeadFactory(workspace=workspace, company="Zeppelin Labs")
    response = owner_client.get(_url(workspace, "search") + "?q=zeppelin")
    kinds = {hit.kind for _source, hits in response.context["results"] for hit in hits}
    assert {"deal", "lead"} <= kinds


def test_contact_and_account_panels_list_open_deals_and_activities(workspace, owner):
    account = AccountFactory(workspace=workspace)
    contact = ContactFactory(workspace=workspace, account=account)
    deal_make(workspace, actor=owner, name="Panel deal", contact=contact, account=account)
    ActivityFactory(workspace=workspace, owner=owner, contact=contact, subject="Panel task")
    # plain arguments, no request: the API and tasks build the same panels
    args = {"workspace": workspace, "user": owner, "role": Role.OWNER}
    with workspace_scope(workspace):
        by_key = {p.key: ctx for p, ctx in contact_panels(contact=contact, **args)}
        assert [d.name for d in by_key["sales_open_deals"]["deals"]] == ["Panel deal"]
        assert [a.subject for a in by_key["sales_open_activities"]["activities"]] == ["Panel task"]
        account_ctx = {p.key: ctx for p, ctx in account_panels(account=account, **args)}
        assert [d.name for d in account_ctx["sales_open_deals"]["deals"]] == ["Panel deal"]
        readonly = {**args, "role": Role.MARKETING}
        # marketers lack sales.view: no sales panel (marketing's own panels may be there)
        assert not [
            p
            for p, _ctx in contact_panels(contact=contact, **readonly)
            if p.key.startswith("sales_")
        ]


def test_contact_page_carries_the_sales_buttons_for_those_who_may_use_them(
    workspace, owner_client, client_for
):
    contact = ContactFactory(workspace=workspace)
    body = owner_client.get(_url(workspace, "contacts:detail", pk=contact.pk)).content.decode()
    assert f"/w/{workspace.slug}/sales/deals/new/?contact={contact.pk}" in body
    assert 'data-testid="action-sales_plan_activity"' in body
    marketer = client_for(Role.MARKETING)
    body = marketer.get(_url(workspace, "contacts:detail", pk=contact.pk)).content.decode()
    assert "action-sales_new_deal" not in body


def test_caller_lookup_finds_open_leads_by_phone(workspace, owner_client, other_workspace):
    LeadFactory(workspace=workspace, first_name="Lena", last_name="Lead", phone="+4940555012")
    LeadFactory(
        workspace=other_workspace, first_name="Other", last_name="Tenant", phone="+4940555012"
    )
    LeadFactory(
        workspace=workspace,
        first_name="Done",
        last_name="Lead",
        phone="+4940555012",
        status="converted",
    )
    response = owner_client.get(_url(workspace, "lookup"), {"phone": "040 555012"})
    body = response.content.decode()
    assert 'data-testid="lookup-source-sales_leads"' in body
    assert "Lena Lead" in body
    assert "Other Tenant" not in body and "Done Lead" not in body


def test_every_sales_page_renders(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    lead = LeadFactory(workspace=workspace, status="qualified")
    activity = ActivityFactory(workspace=workspace, owner=owner)
    pipeline = pipeline_for(workspace)
    stage = stage_of(pipeline)
    reason = LostReason.all_workspaces.filter(workspace=workspace).first()
    pages = [
        ("sales:leads", {}),
        ("sales:lead_create", {}),
        ("sales:lead_detail", {"pk": lead.pk}),
        ("sales:lead_edit", {"pk": lead.pk}),
        ("sales:lead_convert", {"pk": lead.pk}),
        ("sales:lead_delete", {"pk": lead.pk}),
        ("sales:deals", {}),
        ("sales:deal_create", {}),
        ("sales:deal_detail", {"pk": deal.pk}),
        ("sales:deal_edit", {"pk": deal.pk}),
        ("sales:deal_delete", {"pk": deal.pk}),
        ("sales:board", {}),
        ("sales:board_pipeline", {"pipeline_pk": pipeline.pk}),
        ("sales:my_day", {}),
        ("sales:calendar", {}),
        ("sales:activity_create", {}),
        ("sales:activity_edit", {"pk": activity.pk}),
        ("sales:activity_delete", {"pk": activity.pk}),
        ("sales:calendar_feed", {}),
        ("sales:settings", {}),
        ("sales:pipeline_create", {}),
        ("sales:pipeline_edit", {"pk": pipeline.pk}),
        ("sales:stage_create", {"pipeline_pk": pipeline.pk}),
        ("sales:stage_edit", {"pk": stage.pk}),
        ("sales:lost_reason_create", {}),
        ("sales:lost_reason_edit", {"pk": reason.pk}),
    ]
    for name, kwargs in pages:
        response = owner_client.get(_url(workspace, name, **kwargs))
        assert response.status_code == 200, name
        text = response.content.decode()
        assert "<h1" in text and 'class="breadcrumb' in text, name


def test_a_pipeline_with_stages_can_be_set_up(workspace, owner_client):
    owner_client.post(_url(workspace, "sales:pipeline_create"), {"name": "Renewals"})
    pipeline = Pipeline.all_workspaces.get(workspace=workspace, name="Renewals")
    url = _url(workspace, "sales:stage_create", pipeline_pk=pipeline.pk)
    owner_client.post(url, {"name": "Offer", "probability": "60", "kind": "open"})
    owner_client.post(url, {"name": "Renewed", "probability": "100", "kind": "won"})
    owner_client.post(url, {"name": "Churned", "probability": "0", "kind": "lost"})
    names = list(
        Stage.all_workspaces.filter(pipeline=pipeline)
        .order_by("position")
        .values_list("name", flat=True)
    )
    assert names == ["Offer", "Renewed", "Churned"]


def test_a_won_stage_must_have_full_probability(workspace, owner_client):
    pipeline = pipeline_for(workspace)
    response = owner_client.post(
        _url(workspace, "sales:stage_create", pipeline_pk=pipeline.pk),
        {"name": "Half won", "probability": "50", "kind": "won"},
    )
    assert response.status_code == 200 and b"100%" in response.content
    assert not Stage.all_workspaces.filter(name="Half won").exists()


def test_a_probability_over_100_is_a_field_error(workspace, owner_client):
    pipeline = pipeline_for(workspace)
    response = owner_client.post(
        _url(workspace, "sales:stage_create", pipeline_pk=pipeline.pk),
        {"name": "Too sure", "probability": "150", "kind": "open"},
    )
    assert b"is-invalid" in response.content


def test_a_stage_with_deals_cannot_be_deleted(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    owner_client.post(_url(workspace, "sales:stage_delete", pk=deal.stage_id))
    assert Stage.all_workspaces.filter(pk=deal.stage_id).exists()


def test_stages_can_be_reordered(workspace, owner_client):
    pipeline = pipeline_for(workspace)
    second = stage_of(pipeline, index=1)
    owner_client.post(_url(workspace, "sales:stage_move", pk=second.pk), {"direction": "up"})
    assert stage_of(pipeline, index=0) == second


def test_the_demo_seeder_makes_realistic_sales_data_once(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    workspace = Workspace.objects.get(slug="demo")
    with workspace_scope(workspace):
        deals = Deal.objects.count()
        assert Pipeline.objects.count() == 2
        assert deals >= 55
        assert Deal.objects.filter(won_at__isnull=False).count() >= 18
        assert (
            Deal.objects.filter(
                closed_at__isnull=False, won_at__isnull=True, lost_reason__isnull=False
            ).count()
            >= 10
        )
        assert Lead.objects.count() >= 25
        assert DealStageChange.objects.count() > deals * 2
        oldest = Deal.objects.order_by("created_at").first().created_at
        assert (timezone.now() - oldest).days > 150
    call_command("seed_demo", stdout=out)
    with workspace_scope(workspace):
        assert Deal.objects.count() == deals


def test_deleting_a_lead_needs_the_delete_permission(workspace, client_for):
    lead = LeadFactory(workspace=workspace)
    response = client_for(Role.SALES).post(_url(workspace, "sales:lead_delete", pk=lead.pk))
    assert response.status_code == 403
    assert Lead.all_workspaces.filter(pk=lead.pk).exists()


def test_moving_a_deal_through_the_detail_form_closes_it_lost(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    lost = stage_of(deal.pipeline, kind="lost")
    reason = LostReason.all_workspaces.get(workspace=workspace, name="Competitor")
    owner_client.post(
        _url(workspace, "sales:deal_move", pk=deal.pk),
        {
            "stage": lost.pk,
            "version": deal.version,
            "lost_reason": reason.pk,
            "competitor": "Initech",
        },
    )
    deal = Deal.all_workspaces.get(pk=deal.pk)
    assert (deal.stage, deal.lost_reason, deal.competitor) == (lost, reason, "Initech")


def test_the_contact_page_shows_open_deals_and_activities(workspace, owner_client, owner):
    contact = ContactFactory(workspace=workspace)
    deal_make(workspace, actor=owner, name="Shown deal", contact=contact)
    ActivityFactory(workspace=workspace, owner=owner, contact=contact, subject="Shown task")
    text = owner_client.get(_url(workspace, "contacts:detail", pk=contact.pk)).content.decode()
    assert 'data-testid="panel-open-deals"' in text and "Shown deal" in text
    assert 'data-testid="panel-open-activities"' in text and "Shown task" in text
    assert f"/sales/deals/new/?contact={contact.pk}" in text


def test_the_account_page_shows_open_deals(workspace, owner_client, owner):
    account = AccountFactory(workspace=workspace)
    deal_make(workspace, actor=owner, name="Account deal", account=account)
    text = owner_client.get(
        _url(workspace, "contacts:account_detail", pk=account.pk)
    ).content.decode()
    assert "Account deal" in text


def test_the_deal_page_links_the_contact_and_account(workspace, owner_client, owner):
    account = AccountFactory(workspace=workspace)
    contact = ContactFactory(workspace=workspace, account=account)
    deal = deal_make(workspace, actor=owner, contact=contact, account=account)
    text = owner_client.get(_url(workspace, "sales:deal_detail", pk=deal.pk)).content.decode()
    assert _url(workspace, "contacts:detail", pk=contact.pk) in text
    assert _url(workspace, "contacts:account_detail", pk=account.pk) in text
