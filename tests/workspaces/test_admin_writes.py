"""Every write in the Django admin appears in the change log, and writes go through the
services: workflow fields (a deal's stage) are read-only, service errors show on the form."""

import datetime

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from contacts.models import Contact
from sales.models import Deal, DealStageChange, Pipeline, ProductOptionValue, Stage
from sales.services import pipelines as pipeline_services
from sales.services.catalog import exclusion_add, option_create
from service.models import CannedResponse, Mailbox, Queue, QueueMember
from tests.changelog_helpers import events_since, mark
from tests.conftest import login
from tests.contacts.factories import (
    AccountFactory,
    ContactFactory,
    CustomFieldFactory,
    TagFactory,
)
from tests.factories import TEST_PASSWORD, MembershipFactory
from tests.sales.catalog_factories import (
    ProductCategoryFactory,
    ProductFactory,
    QuotaFactory,
)
from tests.sales.factories import ActivityFactory, LeadFactory, LostReasonFactory, deal_make
from touchpoints.models import Interaction
from workspaces.admin import WorkspaceModelAdmin
from workspaces.models import Membership, Workspace
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def _pipeline(ws):
    return pipeline_services.pipeline_create(workspace=ws, actor=None, name="Spare")


def _stage(ws):
    return pipeline_services.stage_create(
        workspace=ws, actor=None, pipeline=_pipeline(ws), name="Spare stage"
    )


def _option(ws):
    return option_create(
        workspace=ws, product=ProductFactory(workspace=ws), actor=None, name="Size", values="S"
    )


def _values(option):
    return ProductOptionValue.all_workspaces.filter(option=option).order_by("position")


def _exclusion(ws):
    product = ProductFactory(workspace=ws)
    a = _values(
        option_create(workspace=ws, product=product, actor=None, name="A", values="a1")
    ).get()
    b = _values(option_create(workspace=ws, product=product, actor=None, name="B", values="b1\nb2"))
    return exclusion_add(workspace=ws, product=product, actor=None, value_a=a, value_b=b[0])


def _other_value_b(rule):
    return _values(rule.value_b.option_id).exclude(pk=rule.value_b_id).get().pk


# model label -> (make a row in the workspace, the field to change, its new value)
from tests.marketing.factories import SenderIdentityFactory, SuppressionFactory  # noqa: E402

ADMIN_WRITES = {
    "contacts.account": (lambda ws: AccountFactory(workspace=ws), "city", "Bonn"),
    "contacts.contact": (lambda ws: ContactFactory(workspace=ws), "city", "Bonn"),
    "contacts.customfield": (lambda ws: CustomFieldFactory(workspace=ws), "label", "Renamed"),
    "contacts.tag": (lambda ws: TagFactory(workspace=ws), "name", "renamed"),
    "sales.activity": (lambda ws: ActivityFactory(workspace=ws), "subject", "Renamed"),
    "sales.deal": (lambda ws: deal_make(ws), "name", "Renamed"),
    "sales.lead": (lambda ws: LeadFactory(workspace=ws), "company", "Renamed GmbH"),
    "sales.lostreason": (lambda ws: LostReasonFactory(workspace=ws), "name", "Renamed"),
    "sales.pipeline": (_pipeline, "name", "Renamed"),
    "sales.product": (lambda ws: ProductFactory(workspace=ws), "name", "Renamed"),
    "sales.productcategory": (lambda ws: ProductCategoryFactory(workspace=ws), "name", "Renamed"),
    "sales.productoption": (_option, "name", "Renamed"),
    "sales.productoptionexclusion": (_exclusion, "value_b", _other_value_b),
    "sales.productoptionvalue": (lambda ws: _values(_option(ws)).get(), "label", "Renamed"),
    "sales.quota": (
        lambda ws: QuotaFactory(
            workspace=ws,
            user=MembershipFactory(workspace=ws).user,
            period="month",
            start=datetime.date(2026, 1, 1),
        ),
        "amount",
        "5",
    ),
    "sales.stage": (_stage, "name", "Renamed"),
    "marketing.senderidentity": (
        lambda ws: SenderIdentityFactory(workspace=ws),
        "from_name",
        "Renamed",
    ),
    "marketing.suppression": (
        lambda ws: SuppressionFactory(workspace=ws),
        "source",
        "admin",
    ),
    "service.cannedresponse": (
        lambda ws: CannedResponse.all_workspaces.create(workspace=ws, title="Hi", body="Hi"),
        "title",
        "Renamed",
    ),
    "service.mailbox": (
        lambda ws: Mailbox.all_workspaces.create(workspace=ws, address="help@acme.example"),
        "address",
        "care@acme.example",
    ),
    "service.queuemember": (
        lambda ws: QueueMember.all_workspaces.create(
            workspace=ws,
            queue=Queue.all_workspaces.create(workspace=ws, name="Complaints"),
            user=MembershipFactory(workspace=ws, role=Role.SERVICE).user,
        ),
        "available",
        "",
    ),
    "workspaces.membership": (
        lambda ws: MembershipFactory(workspace=ws, role=Role.SALES),
        "role",
        Role.MARKETING,
    ),
}


def _writable_admins() -> dict[str, WorkspaceModelAdmin]:
    return {
        model._meta.label_lower: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, WorkspaceModelAdmin) and not model_admin.readonly
    }


def _post_data(form) -> dict:
    """What the browser posts back for the form as shown (its initial values)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget = getattr(field.widget, "widget", field.widget)  # admin's related wrapper
        if isinstance(widget, forms.MultiWidget):
            for suffix, part in zip(widget.widgets_names, widget.decompress(value), strict=True):
                data[f"{name}{suffix}"] = "" if part is None else part
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return data


def _url(label, pk, action):
    app, model = label.split(".")
    return f"/admin/{app}/{model}/{pk}/{action}/"


def test_the_sweep_covers_every_writable_admin():
    assert set(_writable_admins()) == set(ADMIN_WRITES)


@pytest.mark.parametrize("label", sorted(ADMIN_WRITES))
def test_every_admin_save_and_delete_is_in_the_change_log(label, workspace, scope, client_for):
    make, field, value = ADMIN_WRITES[label]
    obj = make(workspace)
    client = client_for(Role.OWNER)
    page = client.get(_url(label, obj.pk, "change"))
    assert page.status_code == 200
    data = _post_data(page.context["adminform"].form)
    data[field] = value(obj) if callable(value) else value
    start = mark(workspace)

    response = client.post(_url(label, obj.pk, "change"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    changes = [e for e in events_since(workspace, start) if (e[0], e[1]) == (label, obj.pk)]
    assert [action for _m, _id, action, _fields in changes] == ["updated"]
    assert field in changes[0][3]

    start = mark(workspace)
    response = client.post(_url(label, obj.pk, "delete"), {"post": "yes"})

    assert response.status_code == 302
    assert not type(obj).all_workspaces.filter(pk=obj.pk).exists()
    assert events_since(workspace, start)[-1] == (label, obj.pk, "deleted", ())


def test_a_deals_stage_and_pipeline_cannot_change_in_the_admin(workspace, client_for):
    deal = deal_make(workspace)
    other = Stage.all_workspaces.filter(pipeline=deal.pipeline).exclude(pk=deal.stage_id).first()
    client = client_for(Role.OWNER)
    page = client.get(_url("sales.deal", deal.pk, "change"))
    form = page.context["adminform"].form
    assert "stage" not in form.fields and "pipeline" not in form.fields
    data = {**_post_data(form), "stage": other.pk, "amount": "2500"}

    response = client.post(_url("sales.deal", deal.pk, "change"), data)

    assert response.status_code == 302
    stored = Deal.all_workspaces.get(pk=deal.pk)
    assert stored.stage_id == deal.stage_id
    assert (str(stored.amount), stored.version) == ("2500.00", deal.version + 1)  # deal_update


def test_a_deal_added_in_the_admin_starts_its_stage_history_and_timeline(workspace, client_for):
    contact = ContactFactory(workspace=workspace)
    pipeline = pipeline_services.pipeline_ensure_default(workspace=workspace)
    stage = Stage.all_workspaces.filter(pipeline=pipeline).order_by("position").first()
    client = client_for(Role.OWNER)
    form = client.get("/admin/sales/deal/add/").context["adminform"].form
    data = {
        **_post_data(form),
        "name": "From the admin",
        "pipeline": pipeline.pk,
        "stage": stage.pk,
        "contact": contact.pk,
        "amount": "100",
    }

    response = client.post("/admin/sales/deal/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    deal = Deal.all_workspaces.get(name="From the admin")
    assert DealStageChange.all_workspaces.filter(deal=deal, to_stage=stage).exists()
    assert Interaction.all_workspaces.filter(contact=contact, kind="deal.created").exists()


def test_a_default_pipeline_set_in_the_admin_takes_the_mark_from_the_old_one(workspace, client_for):
    old = pipeline_services.pipeline_ensure_default(workspace=workspace)
    new = _pipeline(workspace)
    client = client_for(Role.OWNER)
    data = _post_data(
        client.get(_url("sales.pipeline", new.pk, "change")).context["adminform"].form
    )
    start = mark(workspace)

    response = client.post(_url("sales.pipeline", new.pk, "change"), {**data, "is_default": "on"})

    assert response.status_code == 302
    assert list(
        Pipeline.all_workspaces.filter(workspace=workspace, is_default=True).values_list(
            "pk", flat=True
        )
    ) == [new.pk]
    assert ("sales.pipeline", old.pk, "updated", ("is_default",)) in events_since(workspace, start)


def test_a_service_refusal_shows_on_the_admin_form_and_stores_nothing(workspace, client_for):
    deal = deal_make(workspace)
    client = client_for(Role.OWNER)
    form = client.get(_url("sales.stage", deal.stage_id, "change")).context["adminform"].form
    data = {**_post_data(form), "kind": "won", "probability": "100"}
    start = mark(workspace)

    response = client.post(_url("sales.stage", deal.stage_id, "change"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["kind"]
    assert Stage.all_workspaces.get(pk=deal.stage_id).kind == "open"
    assert events_since(workspace, start) == []


def test_bulk_delete_in_the_admin_records_the_whole_cascade(workspace, client_for):
    contacts = [ContactFactory(workspace=workspace) for _ in range(2)]
    activity = ActivityFactory(workspace=workspace, contact=contacts[0])
    client = client_for(Role.OWNER)
    start = mark(workspace)

    response = client.post(
        "/admin/contacts/contact/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in contacts], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Contact.all_workspaces.filter(pk__in=[c.pk for c in contacts]).exists()
    events = events_since(workspace, start)
    assert ("sales.activity", activity.pk, "deleted", ()) in events
    assert {e[1] for e in events if e[0] == "contacts.contact"} == {c.pk for c in contacts}


def test_deleting_a_user_records_what_each_workspace_lost(workspace, other_workspace):
    staff = get_user_model().objects.create_superuser(
        email="staff@example.com", password=TEST_PASSWORD
    )
    user = MembershipFactory(workspace=workspace, role=Role.SALES).user
    other_membership = MembershipFactory(workspace=other_workspace, user=user, role=Role.SALES)
    owned = deal_make(workspace, owner=user)
    mine = Membership.all_workspaces.get(workspace=workspace, user=user)
    starts = {ws.pk: mark(ws) for ws in (workspace, other_workspace)}
    client = login(staff)

    response = client.post(f"/admin/workspaces/user/{user.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert sorted(events_since(workspace, starts[workspace.pk])) == sorted(
        [
            ("sales.deal", owned.pk, "updated", ("owner",)),
            ("workspaces.membership", mine.pk, "deleted", ()),
        ]
    )
    assert events_since(other_workspace, starts[other_workspace.pk]) == [
        ("workspaces.membership", other_membership.pk, "deleted", ())
    ]


def _staff_client():
    staff = get_user_model().objects.create_superuser(
        email="staff@example.com", password=TEST_PASSWORD
    )
    return login(staff)


def test_platform_staff_edits_of_a_workspace_and_its_members_are_recorded(workspace):
    client = _staff_client()
    user = MembershipFactory(workspace=workspace).user  # a user to add elsewhere
    other = Workspace.objects.create(name="Other", slug="other")
    start = mark(workspace)

    response = client.post(
        f"/admin/workspaces/workspace/{workspace.pk}/change/",
        {"name": "Renamed", "time_zone": "UTC", "currency": "EUR"},
    )
    assert response.status_code == 302
    assert events_since(workspace, start) == [
        ("workspaces.workspace", workspace.pk, "updated", ("name",))
    ]

    response = client.post(
        "/admin/workspaces/membership/add/",
        {"workspace": other.pk, "user": user.pk, "role": Role.SALES},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Membership.all_workspaces.get(workspace=other, user=user)
    assert events_since(other, 0) == [
        ("workspaces.membership", added.pk, "created", ("role", "user"))
    ]
