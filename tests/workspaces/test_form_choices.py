"""Every workspace form offers only its workspace's rows (DESIGN.md §4, fence 3).

The sweep finds every subclass of the workspace-aware base forms in every app, builds each
one for workspace A inside A's scope, with rows of every offered model in A *and* in B, and
checks each ModelChoiceField / ModelMultipleChoiceField (users included):
- its queryset and its rendered options hold only A's rows (for users: A's members);
- posting B's row fails validation at that field.
A new form joins by itself; one with extra constructor arguments needs a line in BUILDERS,
and a choice over a new model a line in ROWS, or the sweep fails and says so.
"""

import importlib
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model

from callcentre.models import Scorecard
from contacts.models import Account, Contact, ImportJob
from marketing.models import EmailTemplate, Segment, SenderIdentity
from sales.models import Deal, LostReason, Pipeline, ProductCategory, Stage
from sales.selectors.catalog import product_with_options
from service.models import KnowledgeArticle, Queue, ServiceCalendar
from tests.callcentre.quality_factories import scorecard_make
from tests.contacts.factories import AccountFactory, ContactFactory, TagFactory
from tests.factories import MembershipFactory
from tests.marketing.factories import (
    EmailTemplateFactory,
    SegmentFactory,
    SenderIdentityFactory,
)
from tests.sales.catalog_factories import ProductCategoryFactory, configurable_product
from tests.sales.factories import LostReasonFactory, deal_make, pipeline_for
from tests.service import factories as service_factories
from tests.service.quality_factories import article_make
from workspaces.forms import WorkspaceForm, WorkspaceFormMixin, WorkspaceModelForm
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

ROOT = Path(__file__).resolve().parents[2]
User = get_user_model()


def _import_every_module():
    """Import all modules of the project's apps, so every form class is defined."""
    for config in apps.get_app_configs():
        path = Path(config.path)
        if ROOT not in path.parents or "site-packages" in path.parts:
            continue  # third-party apps (the venv may live inside the project)
        for module in pkgutil.walk_packages([str(path)], prefix=f"{config.name}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


_import_every_module()
FORMS = sorted(
    {c for c in _subclasses(WorkspaceFormMixin) if c not in (WorkspaceForm, WorkspaceModelForm)},
    key=lambda c: f"{c.__module__}.{c.__qualname__}",
)


def _form_id(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


# Rows of every model a choice field may offer, made in one workspace (in its scope).
ROWS = {
    User: lambda ws: MembershipFactory(workspace=ws, role=Role.SALES).user,
    Account: lambda ws: AccountFactory(workspace=ws),
    Contact: lambda ws: ContactFactory(workspace=ws),
    Pipeline: pipeline_for,
    Stage: lambda ws: pipeline_for(ws).stages.first(),
    LostReason: lambda ws: LostReasonFactory(workspace=ws),
    Deal: lambda ws: deal_make(ws, name="Open deal"),
    ProductCategory: lambda ws: ProductCategoryFactory(workspace=ws),
}
ROWS[TagFactory._meta.model] = lambda ws: TagFactory(workspace=ws)
ROWS[Segment] = lambda ws: SegmentFactory(workspace=ws)
ROWS[SenderIdentity] = lambda ws: SenderIdentityFactory(workspace=ws)
ROWS[EmailTemplate] = lambda ws: EmailTemplateFactory(workspace=ws)
ROWS[Queue] = lambda ws: service_factories.queue(ws, name=f"Queue {ws.slug}")
ROWS[ServiceCalendar] = lambda ws: service_factories.office_calendar(ws, name=f"Cal {ws.slug}")
ROWS[KnowledgeArticle] = lambda ws: article_make(ws, title="Original article")
ROWS[Scorecard] = lambda ws: scorecard_make(ws, name=f"Card {ws.slug}")


def _members(workspace):
    return set(User.objects.filter(memberships__workspace=workspace).values_list("pk", flat=True))


# Forms whose constructor needs more than `workspace=` (data is passed positionally).
def _product(ws):
    product, _sizes, _supports = configurable_product(ws)
    return product_with_options(workspace=ws, pk=product.pk)


BUILDERS = {
    "workspaces.forms.InvitationForm": lambda ws: {"actor_role": Role.OWNER},
    "workspaces.forms.RoleChangeForm": lambda ws: {"actor_role": Role.OWNER},
    "contacts.imports.forms.ImportMappingForm": lambda ws: {  # incl. the owner of all rows
        "job": ImportJob(workspace=ws, headers=["Email"], original_name="x.csv"),
        "workspace": None,  # the form takes the job's workspace
    },
    "contacts.forms.merging.MergeForm": lambda ws: {
        "survivor": ContactFactory(workspace=ws, first_name="A"),
        "loser": ContactFactory(workspace=ws, first_name="B"),
    },
    "sales.forms.analyses.AnalysisFilterForm": lambda ws: {
        "pipelines": [pipeline_for(ws)],
        "users": list(User.objects.filter(memberships__workspace=ws)),
    },
    "sales.forms.analyses.QuotaForm": lambda ws: {
        "users": list(User.objects.filter(memberships__workspace=ws))
    },
    "sales.forms.catalog.ExclusionForm": lambda ws: {"product": _product(ws)},
    "callcentre.forms.quality.EvaluationForm": lambda ws: {"criteria": []},
    "workspaces.forms.MemberRemoveForm": lambda ws: {
        "membership": MembershipFactory(workspace=ws, role=Role.SALES)
    },
}


def _build(cls, workspace, data=None):
    kwargs = {"workspace": workspace}
    extra = BUILDERS.get(_form_id(cls))
    if extra is not None:
        kwargs.update(extra(workspace))
        if kwargs["workspace"] is None:
            del kwargs["workspace"]
    return cls(data, **kwargs)


def _model_choice_fields(form):
    return {
        name: field
        for name, field in form.fields.items()
        if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField)
    }


def test_the_sweep_finds_the_forms_of_every_app():
    modules = {cls.__module__.split(".")[0] for cls in FORMS}
    assert {"workspaces", "contacts", "sales", "touchpoints"} <= modules
    assert "sales.forms.deals.DealForm" in {_form_id(c) for c in FORMS}


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=_form_id)
def test_choice_fields_offer_only_this_workspaces_rows(form_class, workspace, other_workspace):
    with workspace_scope(other_workspace):
        theirs = {model: make(other_workspace) for model, make in ROWS.items()}
    with workspace_scope(workspace):
        for make in ROWS.values():
            make(workspace)
        form = _build(form_class, workspace)
        mine_members = _members(workspace)
        for name, field in _model_choice_fields(form).items():
            model = field.queryset.model
            assert model in ROWS, f"{_form_id(form_class)}.{name}: add a row maker for {model}"
            offered = list(field.queryset)
            options = [  # ids; "" (any) and "none" (no owner, a filter's choice) name no row
                int(str(value))
                for value, _label in field.widget.choices
                if str(value) not in ("", "none")
            ]
            if model is User:
                assert {u.pk for u in offered} <= mine_members, name
                assert set(options) <= mine_members, name
            else:
                assert {row.workspace_id for row in offered} <= {workspace.pk}, name
                rows_here = set(
                    model.all_workspaces.filter(workspace=workspace).values_list("pk", flat=True)
                )
                assert set(options) <= rows_here, name
            assert theirs[model].pk not in {row.pk for row in offered}, name


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=_form_id)
def test_posting_another_workspaces_row_fails_validation(form_class, workspace, other_workspace):
    with workspace_scope(other_workspace):
        theirs = {model: make(other_workspace) for model, make in ROWS.items()}
    with workspace_scope(workspace):
        fields = _model_choice_fields(_build(form_class, workspace))
        for name, field in fields.items():
            pk = theirs[field.queryset.model].pk
            multiple = isinstance(field, forms.ModelMultipleChoiceField)
            data = {name: [pk] if multiple else pk}
            form = _build(form_class, workspace, data)
            assert not form.is_valid()
            assert name in form.errors, (
                f"{_form_id(form_class)}.{name} accepted another workspace's row"
            )
