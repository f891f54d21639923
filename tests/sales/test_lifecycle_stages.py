"""The customer's lifecycle stage follows the pipeline: converting a lead moves the contact
forward to opportunity, a won deal makes it a customer, a lost deal leaves it unless nothing
else is open (then an opportunity goes back to qualified). Forward only otherwise: a customer
stays a customer. Each change is on the contact's timeline and in the change log."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contacts.models import Contact
from contacts.services.lifecycle_stages import contact_lifecycle_move, lifecycle_is_forward
from sales.models import StageKind
from sales.services import leads as lead_services
from sales.services.deals import deal_move_stage
from sales.services.quotes import quote_accept, quote_create, quote_line_add, quote_send
from tests.contacts.factories import ContactFactory
from tests.sales.catalog_factories import ProductFactory
from tests.sales.factories import LeadFactory, LostReasonFactory, deal_make, pipeline_for, stage_of
from touchpoints.models import Interaction
from workspaces.models import ChangeEvent
from workspaces.urlnames import workspace_reverse

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def stage_of_contact(contact):
    return Contact.objects.get(pk=contact.pk).lifecycle_stage


def stage_moves(contact):
    """[(from, to)] of the contact's lifecycle touch points, oldest first."""
    return [
        (i.data["from"], i.data["to"])
        for i in Interaction.objects.filter(contact=contact, kind="contact.stage_changed").order_by(
            "seq"
        )
    ]


def stage_events(contact):
    return [
        (e.data["from"], e.data["to"])
        for e in ChangeEvent.objects.filter(
            model="contacts.contact", object_id=contact.pk, fields=["lifecycle_stage"]
        ).order_by("seq")
    ]


def _lost(deal, owner, workspace):
    return deal_move_stage(
        workspace=workspace,
        actor=owner,
        deal=deal,
        stage=stage_of(deal.pipeline, StageKind.LOST),
        lost_reason=LostReasonFactory(workspace=workspace),
    )


def _won(deal, owner, workspace):
    return deal_move_stage(
        workspace=workspace, actor=owner, deal=deal, stage=stage_of(deal.pipeline, StageKind.WON)
    )


# --- lead conversion ---------------------------------------------------------------------


def test_converting_a_lead_makes_the_new_contact_an_opportunity(workspace, owner):
    lead = LeadFactory(workspace=workspace, status="qualified", company="Umbrella")
    lead = lead_services.lead_convert(
        workspace=workspace, actor=owner, lead=lead, account_name="Umbrella"
    )
    contact = lead.converted_contact
    assert stage_of_contact(contact) == "opportunity"
    assert stage_moves(contact) == [("lead", "opportunity")]
    assert stage_events(contact) == [("lead", "opportunity")]
    entry = Interaction.objects.get(contact=contact, kind="contact.stage_changed")
    assert entry.subject == f"Lifecycle stage Lead → Opportunity: lead {lead} converted"
    assert (entry.source_type, entry.source_id) == ("sales.lead", lead.pk)


def test_converting_into_an_existing_customer_keeps_the_customer(workspace, owner):
    customer = ContactFactory(workspace=workspace, lifecycle_stage="customer")
    lead = LeadFactory(workspace=workspace, status="qualified", company="")
    lead_services.lead_convert(
        workspace=workspace, actor=owner, lead=lead, contact=customer, create_deal=True
    )
    assert stage_of_contact(customer) == "customer"
    assert stage_moves(customer) == [] and stage_events(customer) == []


def test_converting_with_a_deal_moves_once(workspace, owner):
    subscriber = ContactFactory(workspace=workspace, lifecycle_stage="subscriber")
    lead = LeadFactory(workspace=workspace, status="qualified", company="")
    lead_services.lead_convert(
        workspace=workspace, actor=owner, lead=lead, contact=subscriber, create_deal=True
    )
    assert stage_moves(subscriber) == [("subscriber", "opportunity")]


# --- deals --------------------------------------------------------------------------------


def test_a_new_open_deal_makes_a_lead_an_opportunity(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="lead")
    deal_make(workspace, actor=owner, contact=contact)
    assert stage_of_contact(contact) == "opportunity"


def test_a_won_deal_makes_the_contact_a_customer(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="qualified")
    deal = deal_make(workspace, actor=owner, contact=contact, name="Servers")
    _won(deal, owner, workspace)
    assert stage_of_contact(contact) == "customer"
    assert stage_moves(contact) == [("qualified", "opportunity"), ("opportunity", "customer")]
    assert stage_events(contact) == stage_moves(contact)
    last = Interaction.objects.filter(contact=contact, kind="contact.stage_changed").latest("seq")
    assert last.subject == "Lifecycle stage Opportunity → Customer: deal Servers won"


def test_a_deal_created_won_makes_a_customer(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="lead")
    deal_make(
        workspace,
        actor=owner,
        contact=contact,
        stage=stage_of(pipeline_for(workspace), StageKind.WON),
    )
    assert stage_of_contact(contact) == "customer"


def test_a_won_deal_keeps_an_evangelist(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="evangelist")
    _won(deal_make(workspace, actor=owner, contact=contact), owner, workspace)
    assert stage_of_contact(contact) == "evangelist"
    assert stage_moves(contact) == []


def test_a_won_deal_wins_back_a_churned_contact(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="churned")
    _won(deal_make(workspace, actor=owner, contact=contact), owner, workspace)
    assert stage_of_contact(contact) == "customer"


def test_a_lost_deal_with_another_open_deal_leaves_the_stage(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="lead")
    first = deal_make(workspace, actor=owner, contact=contact, name="First")
    deal_make(workspace, actor=owner, contact=contact, name="Second")
    _lost(first, owner, workspace)
    assert stage_of_contact(contact) == "opportunity"
    assert stage_moves(contact) == [("lead", "opportunity")]


def test_a_lost_deal_with_nothing_else_open_makes_the_opportunity_qualified(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="lead")
    deal = deal_make(workspace, actor=owner, contact=contact, name="Only")
    _lost(deal, owner, workspace)
    assert stage_of_contact(contact) == "qualified"
    assert stage_moves(contact) == [("lead", "opportunity"), ("opportunity", "qualified")]
    assert stage_events(contact) == stage_moves(contact)


def test_a_lost_deal_never_takes_a_customer_back(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="customer")
    _lost(deal_make(workspace, actor=owner, contact=contact), owner, workspace)
    assert stage_of_contact(contact) == "customer"
    assert stage_moves(contact) == []


def test_reopening_a_lost_deal_makes_an_opportunity_again(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="lead")
    deal = _lost(deal_make(workspace, actor=owner, contact=contact), owner, workspace)
    deal_move_stage(workspace=workspace, actor=owner, deal=deal, stage=stage_of(deal.pipeline))
    assert stage_of_contact(contact) == "opportunity"


def test_a_move_between_open_stages_does_not_touch_the_contact(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="lead")
    deal = deal_make(workspace, actor=owner, contact=contact)
    Contact.objects.filter(pk=contact.pk).update(lifecycle_stage="qualified")  # set by hand
    deal_move_stage(
        workspace=workspace, actor=owner, deal=deal, stage=stage_of(deal.pipeline, index=1)
    )
    assert stage_of_contact(contact) == "qualified"


def test_an_accepted_quote_that_wins_the_deal_makes_a_customer(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="opportunity")
    deal = deal_make(workspace, actor=owner, contact=contact)
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    product = ProductFactory(workspace=workspace, unit_price=Decimal("100"))
    quote_line_add(
        workspace=workspace, actor=owner, quote=quote, product=product, quantity=Decimal("1")
    )
    quote_send(workspace=workspace, actor=owner, quote=quote)
    quote_accept(workspace=workspace, actor=owner, quote=quote)
    assert stage_of_contact(contact) == "customer"


# --- the contacts service and the page -----------------------------------------------------


def test_the_move_is_forward_only_unless_asked(workspace, owner):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="customer")
    assert not contact_lifecycle_move(
        workspace=workspace, actor=owner, contact=contact, stage="lead", reason="x"
    )
    assert contact.lifecycle_stage == "customer"
    assert contact_lifecycle_move(
        workspace=workspace,
        actor=owner,
        contact=contact,
        stage="churned",
        reason="cancelled",
        forward_only=False,
    )
    assert stage_of_contact(contact) == "churned"
    assert [lifecycle_is_forward("churned", s) for s in ("subscriber", "customer")] == [True, True]
    assert not lifecycle_is_forward("evangelist", "customer")


def test_the_service_refuses_unknown_stages_and_other_workspaces(workspace, other_workspace, owner):
    contact = ContactFactory(workspace=workspace)
    with pytest.raises(ValidationError):
        contact_lifecycle_move(
            workspace=workspace, actor=owner, contact=contact, stage="vip", reason="x"
        )
    with pytest.raises(ValidationError):
        contact_lifecycle_move(
            workspace=other_workspace, actor=owner, contact=contact, stage="customer", reason="x"
        )
    assert stage_moves(contact) == []


def test_the_contact_page_shows_the_change_on_the_timeline(workspace, owner, owner_client):
    contact = ContactFactory(workspace=workspace, lifecycle_stage="qualified")
    _won(deal_make(workspace, actor=owner, contact=contact, name="Servers"), owner, workspace)
    page = owner_client.get(workspace_reverse(workspace, "contacts:detail", pk=contact.pk))
    text = page.content.decode()
    assert "Lifecycle stage Opportunity → Customer: deal Servers won" in text
    assert "Lifecycle stage Qualified → Opportunity: deal Servers is open" in text
