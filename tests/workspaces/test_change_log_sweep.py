"""Every public service function of workspaces, contacts, touchpoints and sales is called here
and its change events are checked (CONTRIBUTING.md, "Change log").

The table below names each function with a scenario: it prepares what the call needs, calls
`ctx.begin()` just before the call, calls the service and returns the events it must have
appended as (model, object id, action) — `HISTORY` for a touch point, which takes its own
`seq` instead of a change event. Functions that write nothing of a workspace (checks, pure
arithmetic, reads, global users, steps of another service) are listed with the reason. A
public function missing from the table fails the sweep: a new service must say what it
records.
"""

import datetime
import importlib
import inspect
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.imports import jobs as imports, runner as import_runner
from contacts.models import Contact, ContactTag, Tag
from contacts.services import (
    accounts as account_services,
    bulk as bulk_services,
    bulk_actions as bulk_action_handlers,
    bulk_jobs,
    contacts as contact_services,
    custom_fields as custom_field_services,
    exports as export_services,
    handover as contact_handover,
    lifecycle_stages,
    merging,
    tags as tag_services,
)
from sales.models import Deal, DealStageChange, Lead, LostReason, Stage, StageKind
from sales.services import (
    activities as activity_services,
    calendar_feeds as calendar_feed_services,
    catalog as catalog_services,
    deals as deal_services,
    exchange_rates as rate_services,
    handover as sales_handover,
    leads as lead_services,
    pipelines as pipeline_services,
    quotas,
    quotes,
    web_form,
    web_form as web_form_services,
)
from tests.changelog_helpers import mark
from tests.contacts.factories import (
    AccountFactory,
    ContactFactory,
    ContactTagFactory,
    CustomFieldFactory,
)
from tests.factories import MembershipFactory, UserFactory
from tests.sales.catalog_factories import ProductFactory, configurable_product
from tests.sales.factories import ActivityFactory, LeadFactory, deal_make
from touchpoints import services as touchpoints
from touchpoints.models import Interaction
from touchpoints.selectors import interactions_after
from workspaces import services as core
from workspaces.changelog import change_events_after
from workspaces.models import Invitation, Membership, Workspace
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

MODULES = [
    "workspaces.services",
    "contacts.services.accounts",
    "contacts.services.bulk",
    "contacts.services.bulk_actions",
    "contacts.services.bulk_jobs",
    "contacts.services.contacts",
    "contacts.services.lifecycle_stages",
    "contacts.services.custom_fields",
    "contacts.services.tags",
    "contacts.services.merging",
    "contacts.services.erasure",
    "contacts.services.handover",
    "contacts.services.exports",
    "contacts.services.job_state",
    "contacts.imports.jobs",
    "contacts.imports.runner",
    "touchpoints.services",
    "sales.services.activities",
    "sales.services.calendar_feeds",
    "sales.services.deals",
    "sales.services.leads",
    "sales.services.pipelines",
    "sales.services.web_form",
    "sales.services.quotes",
    "sales.services.catalog",
    "sales.services.quotas",
    "sales.services.handover",
    "sales.services.exchange_rates",
]

HISTORY = "history"  # a touch point: its own seq, read with interactions_after


class Ctx:
    def __init__(self, workspace, owner):
        self.workspace, self.owner = workspace, owner
        self.marks: dict[int, int] = {}

    def begin(self):
        """Take the marks: what the service appends after this counts."""
        for ws in Workspace.objects.all():
            self.marks[ws.pk] = mark(ws)


def _ev(obj, action, workspace=None):
    return (
        getattr(workspace, "pk", workspace) or obj.workspace_id,
        obj._meta.label_lower,
        obj.pk,
        action,
    )


def _upload(text="Email,Last name\nada@example.com,Lovelace\n"):
    return SimpleUploadedFile("contacts.csv", text.encode(), content_type="text/csv")


def _deal(ctx, **fields):
    return deal_make(ctx.workspace, actor=ctx.owner, **fields)


def _stage(deal, kind=StageKind.OPEN, index=1):
    stages = Stage.all_workspaces.filter(pipeline=deal.pipeline, kind=kind).order_by("position")
    return stages[index if kind == StageKind.OPEN else 0]


def _quote(ctx, lines=1):
    quote = quotes.quote_create(workspace=ctx.workspace, actor=ctx.owner, deal=_deal(ctx))
    for _ in range(lines):
        quotes.quote_line_add(
            workspace=ctx.workspace,
            quote=quote,
            actor=ctx.owner,
            product=ProductFactory(workspace=ctx.workspace),
        )
    return quote


def _invitation(ctx, email="new@example.com"):
    return core.invitation_create(
        workspace=ctx.workspace, actor=ctx.owner, email=email, role=Role.SALES
    )


# --- scenarios ----------------------------------------------------------------------------
def s_workspace_create(ctx):
    ctx.begin()
    ws = core.workspace_create(name="New", slug="new-ws", owner=ctx.owner)
    membership = Membership.all_workspaces.get(workspace=ws)
    return [_ev(ws, "created", ws), _ev(membership, "created")]


def s_signup_workspace_create(ctx):
    user = core.user_signup(
        name="Ada",
        email="ada@example.com",
        password="long-password-1",
        workspace_name="Ada's",
        slug="adas",
    )
    ctx.begin()
    ws = core.signup_workspace_create(user=user)
    return [_ev(ws, "created", ws), _ev(Membership.all_workspaces.get(user=user), "created")]


def s_workspace_update(ctx):
    ctx.begin()
    core.workspace_update(
        workspace=ctx.workspace, actor=ctx.owner, name="Renamed", time_zone="UTC", currency="EUR"
    )
    return [_ev(ctx.workspace, "updated", ctx.workspace)]


def s_legal_details_update(ctx):
    ctx.begin()
    details = core.legal_details_update(
        workspace=ctx.workspace,
        actor=ctx.owner,
        legal_name="Acme GmbH",
        iban="DE89370400440532013000",
    )
    core.legal_details_update(workspace=ctx.workspace, actor=ctx.owner, city="Berlin")
    return [_ev(details, "created"), _ev(details, "updated")]


def s_membership_add(ctx):
    user = UserFactory()
    ctx.begin()
    m = core.membership_add(workspace=ctx.workspace, actor=ctx.owner, user=user, role=Role.SALES)
    return [_ev(m, "created")]


def s_membership_role_change(ctx):
    m = MembershipFactory(workspace=ctx.workspace, role=Role.SALES)
    ctx.begin()
    core.membership_role_change(
        workspace=ctx.workspace, actor=ctx.owner, membership=m, role=Role.MARKETING
    )
    return [_ev(m, "updated")]


def s_membership_remove(ctx):
    m = MembershipFactory(workspace=ctx.workspace, role=Role.SALES)
    ctx.begin()
    core.membership_remove(workspace=ctx.workspace, actor=ctx.owner, membership=m)
    return [_ev(m, "deleted")]


def s_invitation_create(ctx):
    ctx.begin()
    return [_ev(_invitation(ctx), "created")]


def s_invitation_send(ctx):
    invitation = _invitation(ctx)
    ctx.begin()
    core.invitation_send(workspace_id=ctx.workspace.pk, invitation_id=invitation.pk)
    return [_ev(invitation, "updated")]


def s_invitation_revoke(ctx):
    invitation = _invitation(ctx)
    ctx.begin()
    core.invitation_revoke(workspace=ctx.workspace, actor=ctx.owner, invitation=invitation)
    return [_ev(invitation, "updated")]


def s_invitation_accept(ctx):
    invitation = _invitation(ctx, email="joiner@example.com")
    user = UserFactory(email="joiner@example.com")
    ctx.begin()
    m = core.invitation_accept(invitation=invitation, user=user)
    return [_ev(m, "created"), _ev(invitation, "updated")]


def s_invitation_signup(ctx):
    invitation = _invitation(ctx, email="fresh@example.com")
    ctx.begin()
    user = core.invitation_signup(invitation=invitation, name="Fresh", password="long-password-1")
    m = Membership.all_workspaces.get(user=user)
    return [_ev(m, "created"), _ev(Invitation.all_workspaces.get(pk=invitation.pk), "updated")]


def s_account_create(ctx):
    ctx.begin()
    return [
        _ev(
            account_services.account_create(workspace=ctx.workspace, actor=ctx.owner, name="A"),
            "created",
        )
    ]


def s_account_update(ctx):
    account = AccountFactory(workspace=ctx.workspace)
    ctx.begin()
    account_services.account_update(
        workspace=ctx.workspace, actor=ctx.owner, account=account, city="Bonn"
    )
    return [_ev(account, "updated")]


def s_account_delete(ctx):
    account = AccountFactory(workspace=ctx.workspace)
    contact = ContactFactory(workspace=ctx.workspace, account=account)
    ctx.begin()
    account_services.account_delete(workspace=ctx.workspace, actor=ctx.owner, account=account)
    return [_ev(contact, "updated"), _ev(account, "deleted")]


def s_contacts_bulk_assign_owner(ctx):
    people = [ContactFactory(workspace=ctx.workspace) for _ in range(2)]
    ctx.begin()
    bulk_services.contacts_bulk_assign_owner(
        workspace=ctx.workspace,
        actor=ctx.owner,
        contact_ids=[c.pk for c in people],
        owner=ctx.owner,
    )
    return [_ev(c, "updated") for c in people]


def s_contacts_bulk_add_tag(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    ctx.begin()
    bulk_services.contacts_bulk_add_tag(
        workspace=ctx.workspace, actor=ctx.owner, contact_ids=[person.pk], tag="vip"
    )
    link = ContactTag.all_workspaces.get(contact=person)
    return [
        _ev(Tag.all_workspaces.get(name="vip"), "created"),
        _ev(link, "created"),
        _ev(person, "updated"),
    ]


def s_contacts_bulk_delete(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    interaction = touchpoints.interaction_record(
        workspace=ctx.workspace, kind="call.logged", channel="phone", contact=person
    )
    ctx.begin()
    bulk_services.contacts_bulk_delete(
        workspace=ctx.workspace, actor=ctx.owner, contact_ids=[person.pk]
    )
    return [_ev(interaction, "deleted"), _ev(person, "deleted")]


def s_bulk_assign_owner_handle(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    ctx.begin()
    bulk_action_handlers.bulk_assign_owner_handle(
        ctx.workspace, ctx.owner, [person.pk], {"owner": ctx.owner}
    )
    return [_ev(person, "updated")]


def s_bulk_add_tag_handle(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    ctx.begin()
    bulk_action_handlers.bulk_add_tag_handle(ctx.workspace, ctx.owner, [person.pk], {"tag": "x"})
    return [_ev(ContactTag.all_workspaces.get(contact=person), "created"), _ev(person, "updated")]


def s_bulk_delete_handle(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    ctx.begin()
    bulk_action_handlers.bulk_delete_handle(ctx.workspace, ctx.owner, [person.pk], {})
    return [_ev(person, "deleted")]


def s_bulk_delete_job_create(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    ctx.begin()
    job = bulk_jobs.bulk_delete_job_create(
        workspace=ctx.workspace, actor=ctx.owner, contact_ids=[person.pk]
    )
    return [_ev(job, "created")]


def s_bulk_delete_run(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    job = bulk_jobs.bulk_delete_job_create(
        workspace=ctx.workspace, actor=ctx.owner, contact_ids=[person.pk]
    )
    ctx.begin()
    bulk_jobs.bulk_delete_run(job_id=job.pk)
    return [_ev(person, "deleted")]


def s_contact_create(ctx):
    ctx.begin()
    c = contact_services.contact_create(workspace=ctx.workspace, actor=ctx.owner, last_name="New")
    return [_ev(c, "created")]


def s_contact_update(ctx):
    c = ContactFactory(workspace=ctx.workspace)
    ctx.begin()
    contact_services.contact_update(
        workspace=ctx.workspace, actor=ctx.owner, contact=c, city="Bonn"
    )
    return [_ev(c, "updated")]


def s_contact_lifecycle_move(ctx):
    c = ContactFactory(workspace=ctx.workspace, lifecycle_stage="lead")
    ctx.begin()
    lifecycle_stages.contact_lifecycle_move(
        workspace=ctx.workspace, actor=ctx.owner, contact=c, stage="customer", reason="test"
    )
    entry = Interaction.all_workspaces.get(contact=c, kind="contact.stage_changed")
    return [_ev(c, "updated"), _ev(entry, HISTORY)]


def s_contact_delete(ctx):
    c = ContactFactory(workspace=ctx.workspace)
    ctx.begin()
    contact_services.contact_delete(workspace=ctx.workspace, actor=ctx.owner, contact=c)
    return [_ev(c, "deleted")]


def s_custom_field_define(ctx):
    ctx.begin()
    field = custom_field_services.custom_field_define(
        workspace=ctx.workspace, actor=ctx.owner, entity="contact", label="Size", field_type="text"
    )
    return [_ev(field, "created")]


def s_custom_field_update(ctx):
    field = CustomFieldFactory(workspace=ctx.workspace)
    ctx.begin()
    custom_field_services.custom_field_update(
        workspace=ctx.workspace, actor=ctx.owner, field=field, label="X"
    )
    return [_ev(field, "updated")]


def s_custom_field_delete(ctx):
    field = CustomFieldFactory(workspace=ctx.workspace)
    ctx.begin()
    custom_field_services.custom_field_delete(workspace=ctx.workspace, actor=ctx.owner, field=field)
    return [_ev(field, "deleted")]


def s_tag_get_or_create(ctx):
    ctx.begin()
    return [
        _ev(
            tag_services.tag_get_or_create(workspace=ctx.workspace, actor=ctx.owner, name="t"),
            "created",
        )
    ]


def s_contact_merge(ctx):
    survivor, loser = (
        ContactFactory(workspace=ctx.workspace),
        ContactFactory(workspace=ctx.workspace),
    )
    deal = _deal(ctx, contact=loser)
    ctx.begin()
    merging.contact_merge(workspace=ctx.workspace, actor=ctx.owner, survivor=survivor, loser=loser)
    from contacts.models import ContactMergeRedirect

    redirect = ContactMergeRedirect.objects.get(merged_id=loser.pk)
    return [
        _ev(deal, "updated"),
        _ev(loser, "deleted"),
        _ev(survivor, "merged"),
        _ev(redirect, "created"),
    ]


def s_contact_erase(ctx):
    from contacts.services.erasure import contact_erase

    contact = ContactFactory(workspace=ctx.workspace, first_name="Ada")
    link = ContactTagFactory(workspace=ctx.workspace, contact=contact)
    touch = touchpoints.interaction_record(
        workspace=ctx.workspace, kind="call.logged", channel="phone", contact=contact, body="x"
    )
    ctx.begin()
    contact_erase(workspace=ctx.workspace, actor=ctx.owner, contact=contact)
    return [_ev(contact, "updated"), _ev(link, "deleted"), _ev(touch, "updated")]


def s_import_job_create(ctx):
    ctx.begin()
    job = imports.import_job_create(workspace=ctx.workspace, actor=ctx.owner, upload=_upload())
    return [_ev(job, "created")]


def s_import_job_configure(ctx):
    job = imports.import_job_create(workspace=ctx.workspace, actor=ctx.owner, upload=_upload())
    ctx.begin()
    imports.import_job_configure(job=job, actor=ctx.owner, mapping=job.mapping, dedupe_mode="skip")
    return [_ev(job, "updated")]


def s_import_job_queue(ctx):
    job = imports.import_job_create(workspace=ctx.workspace, actor=ctx.owner, upload=_upload())
    ctx.begin()
    imports.import_job_queue(job=job, actor=ctx.owner, enqueue=False)
    return [_ev(job, "updated")]


def s_import_run(ctx):
    job = imports.import_job_create(workspace=ctx.workspace, actor=ctx.owner, upload=_upload())
    imports.import_job_configure(
        job=job, actor=ctx.owner, mapping=job.mapping, dedupe_mode="update", tags=["Fair"]
    )
    imports.import_job_queue(job=job, actor=ctx.owner, enqueue=False)
    ctx.begin()
    import_runner.import_run(job_id=job.pk)
    ada = Contact.all_workspaces.get(email="ada@example.com")
    return [_ev(ada, "created"), _ev(ContactTag.all_workspaces.get(contact=ada), "created")]


def s_import_job_undo(ctx):
    job = imports.import_job_create(workspace=ctx.workspace, actor=ctx.owner, upload=_upload())
    imports.import_job_queue(job=job, actor=ctx.owner, enqueue=False)
    job = import_runner.import_run(job_id=job.pk)
    ada = Contact.all_workspaces.get(email="ada@example.com")
    ctx.begin()
    imports.import_job_undo(workspace=ctx.workspace, actor=ctx.owner, job=job)
    return [_ev(ada, "deleted"), _ev(job, "updated")]


def s_interaction_record(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    ctx.begin()
    i = touchpoints.interaction_record(
        workspace=ctx.workspace, kind="call.logged", channel="phone", contact=person
    )
    return [_ev(i, HISTORY)]


def s_interactions_record_many(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    built = [
        touchpoints.interaction_build(
            workspace=ctx.workspace,
            kind="call.logged",
            channel="phone",
            contact=person,
            source_system="shop",
            source_event_id=str(n),
        )
        for n in range(2)
    ]
    ctx.begin()
    rows = touchpoints.interactions_record_many(workspace=ctx.workspace, interactions=built)
    return [_ev(i, HISTORY) for i in rows]


def s_interaction_log(ctx):
    person = ContactFactory(workspace=ctx.workspace)
    ctx.begin()
    i = touchpoints.interaction_log(
        workspace=ctx.workspace, actor=ctx.owner, log_type="note", contact=person, body="Hi"
    )
    return [_ev(i, HISTORY)]


def s_activity_create(ctx):
    ctx.begin()
    a = activity_services.activity_create(
        workspace=ctx.workspace,
        actor=ctx.owner,
        type="call",
        subject="Call",
        due_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )
    return [_ev(a, "created")]


def s_activity_update(ctx):
    a = ActivityFactory(workspace=ctx.workspace)
    ctx.begin()
    activity_services.activity_update(
        workspace=ctx.workspace, actor=ctx.owner, activity=a, subject="New"
    )
    return [_ev(a, "updated")]


def s_activity_reminder_failed(ctx):
    a = ActivityFactory(workspace=ctx.workspace)
    activity_services.activity_reminder_claim(workspace_id=ctx.workspace.pk, activity_id=a.pk)
    ctx.begin()
    activity_services.activity_reminder_failed(
        workspace_id=ctx.workspace.pk, activity_id=a.pk, error="550"
    )
    return [_ev(a, "updated")]


def s_web_form_get_or_create(ctx):
    ctx.begin()
    return [_ev(web_form.web_form_get_or_create(workspace=ctx.workspace), "created")]


def s_web_form_rotate(ctx):
    form = web_form.web_form_get_or_create(workspace=ctx.workspace)
    ctx.begin()
    web_form.web_form_rotate(workspace=ctx.workspace, actor=ctx.owner)
    return [_ev(form, "updated")]


def s_web_form_set_enabled(ctx):
    form = web_form.web_form_get_or_create(workspace=ctx.workspace)
    ctx.begin()
    web_form.web_form_set_enabled(workspace=ctx.workspace, actor=ctx.owner, enabled=False)
    return [_ev(form, "updated")]


def s_activity_complete(ctx):
    a = ActivityFactory(workspace=ctx.workspace, contact=ContactFactory(workspace=ctx.workspace))
    ctx.begin()
    activity_services.activity_complete(workspace=ctx.workspace, actor=ctx.owner, activity=a)
    return [_ev(a, "updated")]


def s_activity_reopen(ctx):
    a = ActivityFactory(workspace=ctx.workspace)
    activity_services.activity_complete(workspace=ctx.workspace, actor=ctx.owner, activity=a)
    ctx.begin()
    activity_services.activity_reopen(workspace=ctx.workspace, actor=ctx.owner, activity=a)
    return [_ev(a, "updated")]


def s_activity_delete(ctx):
    a = ActivityFactory(workspace=ctx.workspace)
    ctx.begin()
    activity_services.activity_delete(workspace=ctx.workspace, actor=ctx.owner, activity=a)
    return [_ev(a, "deleted")]


def s_activity_reminder_claim(ctx):
    a = ActivityFactory(workspace=ctx.workspace)
    ctx.begin()
    activity_services.activity_reminder_claim(workspace_id=ctx.workspace.pk, activity_id=a.pk)
    return [_ev(a, "updated")]


def s_activity_reminder_release(ctx):
    a = ActivityFactory(workspace=ctx.workspace)
    activity_services.activity_reminder_claim(workspace_id=ctx.workspace.pk, activity_id=a.pk)
    ctx.begin()
    activity_services.activity_reminder_release(workspace_id=ctx.workspace.pk, activity_id=a.pk)
    return [_ev(a, "updated")]


def s_calendar_feed_get_or_create(ctx):
    ctx.begin()
    return [
        _ev(
            calendar_feed_services.calendar_feed_get_or_create(
                workspace=ctx.workspace, user=ctx.owner
            ),
            "created",
        )
    ]


def s_calendar_feed_regenerate(ctx):
    feed = calendar_feed_services.calendar_feed_get_or_create(
        workspace=ctx.workspace, user=ctx.owner
    )
    ctx.begin()
    calendar_feed_services.calendar_feed_regenerate(workspace=ctx.workspace, user=ctx.owner)
    return [_ev(feed, "updated")]


def s_deal_create(ctx):
    pipeline_services.pipeline_ensure_default(workspace=ctx.workspace)
    ctx.begin()
    deal = _deal(ctx)
    return [_ev(deal, "created"), _ev(DealStageChange.all_workspaces.get(deal=deal), "created")]


def s_deal_update(ctx):
    deal = _deal(ctx)
    ctx.begin()
    deal_services.deal_update(
        workspace=ctx.workspace, actor=ctx.owner, deal=deal, amount=Decimal("5")
    )
    return [_ev(deal, "updated")]


def s_deal_move_stage(ctx):
    deal = _deal(ctx)
    ctx.begin()
    deal_services.deal_move_stage(
        workspace=ctx.workspace, actor=ctx.owner, deal=deal, stage=_stage(deal)
    )
    change = DealStageChange.all_workspaces.filter(deal=deal).latest("id")
    return [_ev(deal, "updated"), _ev(change, "created")]


def s_deal_delete(ctx):
    deal = _deal(ctx)
    history = DealStageChange.all_workspaces.get(deal=deal)
    ctx.begin()
    deal_services.deal_delete(workspace=ctx.workspace, actor=ctx.owner, deal=deal)
    return [_ev(history, "deleted"), _ev(deal, "deleted")]


def s_lead_create(ctx):
    ctx.begin()
    return [
        _ev(
            lead_services.lead_create(workspace=ctx.workspace, actor=ctx.owner, company="Co"),
            "created",
        )
    ]


def s_lead_update(ctx):
    lead = LeadFactory(workspace=ctx.workspace)
    ctx.begin()
    lead_services.lead_update(workspace=ctx.workspace, actor=ctx.owner, lead=lead, company="New")
    return [_ev(lead, "updated")]


def s_lead_qualify(ctx):
    lead = LeadFactory(workspace=ctx.workspace)
    ctx.begin()
    lead_services.lead_qualify(workspace=ctx.workspace, actor=ctx.owner, lead=lead, need="CRM")
    return [_ev(lead, "updated")]


def s_lead_disqualify(ctx):
    lead = LeadFactory(workspace=ctx.workspace)
    ctx.begin()
    lead_services.lead_disqualify(
        workspace=ctx.workspace, actor=ctx.owner, lead=lead, reason="Spam"
    )
    return [_ev(lead, "updated")]


def s_lead_delete(ctx):
    lead = LeadFactory(workspace=ctx.workspace)
    ctx.begin()
    lead_services.lead_delete(workspace=ctx.workspace, actor=ctx.owner, lead=lead)
    return [_ev(lead, "deleted")]


def s_lead_interaction_add(ctx):
    lead = LeadFactory(workspace=ctx.workspace)
    ctx.begin()
    lead_services.lead_interaction_add(
        workspace=ctx.workspace, lead=lead, kind="form.submitted", channel="website"
    )
    return [_ev(lead, "updated")]


def s_lead_convert(ctx):
    lead = LeadFactory(workspace=ctx.workspace, status="qualified")
    ctx.begin()
    lead_services.lead_convert(
        workspace=ctx.workspace, actor=ctx.owner, lead=lead, account_name="Co", create_deal=True
    )
    lead = Lead.all_workspaces.get(pk=lead.pk)
    moved = Interaction.all_workspaces.get(
        contact=lead.converted_contact, kind="contact.stage_changed"
    )
    return [
        _ev(lead.converted_account, "created"),
        _ev(lead.converted_contact, "created"),
        _ev(lead.converted_contact, "updated"),  # lead -> opportunity
        _ev(moved, HISTORY),
        _ev(lead.converted_deal, "created"),
        _ev(lead, "updated"),
    ]


def s_web_lead_submit(ctx):
    ctx.begin()
    lead = web_form_services.web_lead_submit(
        workspace=ctx.workspace, last_name="Web", email="w@example.com"
    )
    return [_ev(lead, "created"), _ev(lead, "updated")]


def s_pipeline_ensure_default(ctx):
    ctx.begin()
    pipeline = pipeline_services.pipeline_ensure_default(workspace=ctx.workspace, actor=ctx.owner)
    stages = Stage.all_workspaces.filter(pipeline=pipeline)
    reasons = LostReason.all_workspaces.filter(workspace=ctx.workspace)
    return [_ev(pipeline, "created"), *[_ev(s, "created") for s in [*stages, *reasons]]]


def s_pipeline_create(ctx):
    old = pipeline_services.pipeline_ensure_default(workspace=ctx.workspace)
    ctx.begin()
    new = pipeline_services.pipeline_create(
        workspace=ctx.workspace, actor=ctx.owner, name="N", is_default=True
    )
    return [_ev(old, "updated"), _ev(new, "created")]


def s_pipeline_update(ctx):
    old = pipeline_services.pipeline_ensure_default(workspace=ctx.workspace)
    new = pipeline_services.pipeline_create(workspace=ctx.workspace, actor=ctx.owner, name="N")
    ctx.begin()
    pipeline_services.pipeline_update(
        workspace=ctx.workspace, actor=ctx.owner, pipeline=new, is_default=True
    )
    return [_ev(old, "updated"), _ev(new, "updated")]


def s_pipeline_delete(ctx):
    pipeline = pipeline_services.pipeline_create(workspace=ctx.workspace, actor=ctx.owner, name="N")
    stage = pipeline_services.stage_create(
        workspace=ctx.workspace, actor=ctx.owner, pipeline=pipeline, name="S"
    )
    ctx.begin()
    pipeline_services.pipeline_delete(workspace=ctx.workspace, actor=ctx.owner, pipeline=pipeline)
    return [_ev(stage, "deleted"), _ev(pipeline, "deleted")]


def s_stage_create(ctx):
    pipeline = pipeline_services.pipeline_ensure_default(workspace=ctx.workspace)
    ctx.begin()
    stage = pipeline_services.stage_create(
        workspace=ctx.workspace, actor=ctx.owner, pipeline=pipeline, name="S"
    )
    return [_ev(stage, "created")]


def s_stage_update(ctx):
    pipeline = pipeline_services.pipeline_ensure_default(workspace=ctx.workspace)
    stage = Stage.all_workspaces.filter(pipeline=pipeline).first()
    ctx.begin()
    pipeline_services.stage_update(
        workspace=ctx.workspace, actor=ctx.owner, stage=stage, name="Renamed"
    )
    return [_ev(stage, "updated")]


def s_stage_delete(ctx):
    pipeline = pipeline_services.pipeline_ensure_default(workspace=ctx.workspace)
    stage = pipeline_services.stage_create(
        workspace=ctx.workspace, actor=ctx.owner, pipeline=pipeline, name="S"
    )
    ctx.begin()
    pipeline_services.stage_delete(workspace=ctx.workspace, actor=ctx.owner, stage=stage)
    return [_ev(stage, "deleted")]


def s_stages_reorder(ctx):
    pipeline = pipeline_services.pipeline_ensure_default(workspace=ctx.workspace)
    stages = list(Stage.all_workspaces.filter(pipeline=pipeline).order_by("position"))
    ctx.begin()
    pipeline_services.stages_reorder(
        workspace=ctx.workspace,
        actor=ctx.owner,
        pipeline=pipeline,
        stage_ids=[s.pk for s in reversed(stages)],
    )
    return [_ev(pipeline, "updated"), _ev(stages[0], "updated"), _ev(stages[-1], "updated")]


def s_lost_reason_create(ctx):
    ctx.begin()
    return [
        _ev(
            pipeline_services.lost_reason_create(
                workspace=ctx.workspace, actor=ctx.owner, name="R"
            ),
            "created",
        )
    ]


def s_lost_reason_update(ctx):
    reason = pipeline_services.lost_reason_create(
        workspace=ctx.workspace, actor=ctx.owner, name="R"
    )
    ctx.begin()
    pipeline_services.lost_reason_update(
        workspace=ctx.workspace, actor=ctx.owner, reason=reason, active=False
    )
    return [_ev(reason, "updated")]


def s_quote_create(ctx):
    deal = _deal(ctx)
    ctx.begin()
    return [
        _ev(quotes.quote_create(workspace=ctx.workspace, actor=ctx.owner, deal=deal), "created")
    ]


def s_quote_update(ctx):
    quote = _quote(ctx, lines=0)
    ctx.begin()
    quotes.quote_update(
        workspace=ctx.workspace,
        quote=quote,
        actor=ctx.owner,
        valid_until=datetime.date.today() + datetime.timedelta(days=9),
    )
    return [_ev(quote, "updated")]


def s_quote_line_add(ctx):
    quote = _quote(ctx, lines=0)
    product = ProductFactory(workspace=ctx.workspace)
    ctx.begin()
    line = quotes.quote_line_add(
        workspace=ctx.workspace, quote=quote, actor=ctx.owner, product=product
    )
    return [_ev(line, "created"), _ev(quote, "updated")]


def s_quote_line_remove(ctx):
    quote = _quote(ctx)
    line = quote.lines.model.all_workspaces.get(quote=quote)
    ctx.begin()
    quotes.quote_line_remove(workspace=ctx.workspace, line=line, actor=ctx.owner)
    return [_ev(line, "deleted"), _ev(quote, "updated")]


def s_quote_send(ctx):
    quote = _quote(ctx)
    ctx.begin()
    quotes.quote_send(workspace=ctx.workspace, quote=quote, actor=ctx.owner)
    return [_ev(quote, "updated")]


def s_quote_reject(ctx):
    quote = quotes.quote_send(workspace=ctx.workspace, quote=_quote(ctx), actor=ctx.owner)
    ctx.begin()
    quotes.quote_reject(workspace=ctx.workspace, quote=quote, actor=ctx.owner)
    return [_ev(quote, "updated")]


def s_quote_accept(ctx):
    quote = quotes.quote_send(workspace=ctx.workspace, quote=_quote(ctx), actor=ctx.owner)
    ctx.begin()
    quotes.quote_accept(workspace=ctx.workspace, quote=quote, actor=ctx.owner)
    return [_ev(quote, "updated"), _ev(Deal.all_workspaces.get(pk=quote.deal_id), "updated")]


def s_category_create(ctx):
    ctx.begin()
    return [
        _ev(
            catalog_services.category_create(workspace=ctx.workspace, actor=ctx.owner, name="C"),
            "created",
        )
    ]


def s_product_create(ctx):
    ctx.begin()
    product = catalog_services.product_create(
        workspace=ctx.workspace, actor=ctx.owner, sku="P-1", name="P", unit_price=Decimal("1")
    )
    return [_ev(product, "created")]


def s_product_update(ctx):
    product = ProductFactory(workspace=ctx.workspace)
    ctx.begin()
    catalog_services.product_update(
        workspace=ctx.workspace, product=product, actor=ctx.owner, name="Renamed"
    )
    return [_ev(product, "updated")]


def s_option_create(ctx):
    product = ProductFactory(workspace=ctx.workspace)
    ctx.begin()
    option = catalog_services.option_create(
        workspace=ctx.workspace, product=product, actor=ctx.owner, name="Size", values="S\nM"
    )
    return [
        _ev(option, "created"),
        *[_ev(v, "created") for v in option.values.model.all_workspaces.filter(option=option)],
    ]


def s_option_delete(ctx):
    product, sizes, _supports = configurable_product(ctx.workspace, ctx.owner)
    option = sizes["S"].option
    ctx.begin()
    catalog_services.option_delete(workspace=ctx.workspace, option=option, actor=ctx.owner)
    return [_ev(option, "deleted"), *[_ev(v, "deleted") for v in sizes.values()]]


def s_exclusion_add(ctx):
    product, sizes, supports = configurable_product(ctx.workspace, ctx.owner)
    ctx.begin()
    rule = catalog_services.exclusion_add(
        workspace=ctx.workspace,
        product=product,
        actor=ctx.owner,
        value_a=sizes["M"],
        value_b=supports["Premium"],
    )
    return [_ev(rule, "created")]


def s_exclusion_delete(ctx):
    product, _sizes, _supports = configurable_product(ctx.workspace, ctx.owner)
    rule = product.exclusions.model.all_workspaces.get(product=product)
    ctx.begin()
    catalog_services.exclusion_delete(workspace=ctx.workspace, rule=rule, actor=ctx.owner)
    return [_ev(rule, "deleted")]


def s_quota_set(ctx):
    ctx.begin()
    quota = quotas.quota_set(
        workspace=ctx.workspace,
        actor=ctx.owner,
        user=ctx.owner,
        period="month",
        start=datetime.date(2026, 1, 1),
        amount=Decimal("10"),
    )
    return [_ev(quota, "created")]


def s_exchange_rate_set(ctx):
    ctx.begin()
    rate = rate_services.exchange_rate_set(
        workspace=ctx.workspace,
        actor=ctx.owner,
        currency="USD",
        rate=Decimal("0.92"),
        valid_from=datetime.date(2026, 11, 1),
    )
    again = rate_services.exchange_rate_set(
        workspace=ctx.workspace,
        actor=ctx.owner,
        currency="USD",
        rate=Decimal("0.93"),
        valid_from=datetime.date(2026, 11, 1),
    )
    assert again.pk == rate.pk
    return [_ev(rate, "created"), _ev(rate, "updated")]


def s_exchange_rate_delete(ctx):
    rate = rate_services.exchange_rate_set(
        workspace=ctx.workspace,
        actor=ctx.owner,
        currency="JPY",
        rate=Decimal("0.0062"),
        valid_from=datetime.date(2026, 11, 1),
    )
    expected = _ev(rate, "deleted")
    ctx.begin()
    rate_services.exchange_rate_delete(workspace=ctx.workspace, actor=ctx.owner, rate=rate)
    return [expected]


def s_contacts_hand_over(ctx):
    leaver = MembershipFactory(workspace=ctx.workspace, role=Role.SALES).user
    contact = ContactFactory(workspace=ctx.workspace, owner=leaver)
    account = AccountFactory(workspace=ctx.workspace, owner=leaver)
    ctx.begin()
    contact_handover.contacts_hand_over(
        workspace=ctx.workspace, actor=ctx.owner, user=leaver, successor=ctx.owner
    )
    return [_ev(contact, "updated"), _ev(account, "updated")]


def s_sales_records_hand_over(ctx):
    leaver = MembershipFactory(workspace=ctx.workspace, role=Role.SALES).user
    deal = _deal(ctx, owner=leaver)
    lead = LeadFactory(workspace=ctx.workspace, owner=leaver)
    activity = ActivityFactory(workspace=ctx.workspace, owner=leaver)
    feed = calendar_feed_services.calendar_feed_get_or_create(workspace=ctx.workspace, user=leaver)
    ctx.begin()
    sales_handover.sales_records_hand_over(
        workspace=ctx.workspace, actor=ctx.owner, user=leaver, successor=None
    )
    return [
        _ev(deal, "updated"),
        _ev(lead, "updated"),
        _ev(activity, "updated"),
        _ev(feed, "deleted"),
    ]


def s_calendar_feeds_revoke(ctx):
    feed = calendar_feed_services.calendar_feed_get_or_create(
        workspace=ctx.workspace, user=ctx.owner
    )
    ctx.begin()
    sales_handover.calendar_feeds_revoke(workspace=ctx.workspace, actor=ctx.owner, user=ctx.owner)
    return [_ev(feed, "deleted")]


def s_export_job_create(ctx):
    ctx.begin()
    job = export_services.export_job_create(
        workspace=ctx.workspace, actor=ctx.owner, entity="contact", params={}
    )
    return [_ev(job, "created")]


NOT_A_WRITE = {
    # checks and pure functions
    "membership_remove_problem": "a check: says why a removal is refused",
    "membership_role_change_problem": "a check: says why a role change is refused",
    "domain_normalize": "pure normalisation",
    "contact_values_normalize": "pure normalisation",
    "phone_with_extension_normalize": "pure normalisation",
    "phone_match_verdict": "a check: how an import row relates to a record sharing its phone",
    "lifecycle_is_forward": "pure: compares two lifecycle stages",
    "custom_field_key_for": "pure: the key a label gets",
    "mapping_problems": "a check of an import mapping",
    "import_undo_problem": "a check: why an import cannot be undone",
    "format_quote_number": "pure formatting",
    "line_net": "pure arithmetic",
    "quote_totals": "pure arithmetic",
    "to_cents": "pure arithmetic",
    "invitation_account_problem": "a check: which account may accept",
    "lead_convert_problems": "a check: what would stop a conversion",
    "lead_website_problem": "a check of a website",
    "membership_successor_problem": "a check: who may take over records",
    "email_consent_apply": "sets consent fields on an object its caller saves and records",
    "interaction_build": "builds an unsaved touch point that interactions_record_many writes",
    "web_form_token": "pure: signs the form's id",
    # reads
    "web_form_from_token": "a read: the form a public id names",
    "open_stored": "a read of the stored upload",
    "import_stale_workspace_ids": "a read for the sweeper's fan-out",
    "mergeable_fields": "a read of the model's fields",
    "import_preview": "a read of the uploaded file",
    "product_list": "a read",
    "product_with_options": "a read",
    "configuration_resolve": "a read: checks a configuration",
    "configuration_require_valid": "a read: checks a configuration",
    # the workspace goes with its change log and audit log: nothing is left to record in
    "workspace_delete": "deletes the whole workspace (platform staff, the admin)",
    # users are global: no workspace's change log records them
    "user_create": "users are global (not a workspace's record)",
    "user_profile_update": "users are global (not a workspace's record)",
    "user_signup": "a global user and a sign-up request; signup_workspace_create makes the workspace",
    # mail only
    "invitation_owner_confirmation_request": "queues the confirmation mail (nothing stored)",
    "invitation_owner_confirm_send": "sends the confirmation mail (nothing stored)",
    # operational rows and locks of the import (job state is not a record)
    "import_claim": "claims an import job (operational row)",
    "import_jobs_requeue_stale": "re-queues stale import jobs (operational rows)",
    "import_lock": "takes the workspace's import lock",
    # steps of another service, covered by its scenario
    "move_relations": "a step of contact_merge",
    "quote_number_allocate": "a step of quote_create (an operational counter, not a record)",
    "import_batch": "a step of import_run",
    "commit_without_flush_wait": "a step of import_batch (a setting of its transaction)",
    "insert_rows": "a step of import_run",
    "job_rows": "a step of import_run (reads the file)",
    # operational rows of the export jobs and the job state they share with imports
    "export_run": "writes an export's workbook and its job row (operational, not a record)",
    "export_jobs_requeue_stale": "re-queues stale export jobs (operational rows)",
    "export_stale_workspace_ids": "a read for the sweeper's fan-out",
    "stale_q": "pure: the condition of a stale job",
    "stale_workspace_ids": "a read for the sweeper's fan-out",
    "job_claim": "claims an import or export job (operational row)",
    "job_owned": "a check: does this run still hold the job's claim",
    "job_finish": "finishes a claimed job (operational row)",
    "job_fail": "records a job's failure on its row (operational)",
    "job_release": "releases a job's claim (operational row)",
    "job_interrupt": "puts a job whose connection was lost back to the queue (operational row)",
    "jobs_requeue_stale": "re-queues stale jobs (operational rows)",
    "bulk_delete_stale_workspace_ids": "a read for the sweeper's fan-out",
    "bulk_delete_jobs_requeue_stale": "re-queues stale bulk delete jobs (operational rows)",
}

SCENARIOS = {
    name.removeprefix("s_"): fn for name, fn in dict(globals()).items() if name.startswith("s_")
}


def _public_functions():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module_name and not name.startswith("_"):
                yield name


def test_every_public_service_function_is_in_the_sweep():
    public = set(_public_functions())
    assert not (public - set(SCENARIOS) - set(NOT_A_WRITE)), "add a scenario for each"
    assert not (set(SCENARIOS) - public), "a scenario for a function that no longer exists"
    assert not (set(SCENARIOS) & set(NOT_A_WRITE))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_service_records_its_change_events(name, scope, owner):
    ctx = Ctx(scope, owner)
    expected = SCENARIOS[name](ctx)
    assert expected
    for ws_id in Workspace.objects.values_list("pk", flat=True):
        ctx.marks.setdefault(ws_id, 0)  # a workspace the service made
    recorded = {
        (e.workspace_id, e.model, e.object_id, e.action)
        for ws_id, after in ctx.marks.items()
        for e in change_events_after(workspace=ws_id, after_seq=after, limit=10_000)
    }
    history = {
        (i.workspace_id, i._meta.label_lower, i.pk, HISTORY)
        for ws_id, after in ctx.marks.items()
        for i in interactions_after(workspace=ws_id, after_seq=after, limit=10_000)
    }
    missing = set(expected) - recorded - history
    assert not missing, f"{name} did not record {sorted(missing)}; recorded {sorted(recorded)}"
