"""Factories and builders for the sales core (one workspace per graph). Deals are made
through the service so their stage history exists as in production."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from sales.models import Activity, Lead as LeadModel, LeadStatus, LostReason, Stage, StageKind
from sales.services.deals import deal_create
from sales.services.pipelines import pipeline_ensure_default
from tests.factories import WorkspaceFactory, WorkspaceOwnedFactory, in_workspace_scope


class LeadFactory(WorkspaceOwnedFactory):
    class Meta:
        model = LeadModel

    workspace = factory.SubFactory(WorkspaceFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    company = factory.Sequence(lambda n: f"Prospect {n} GmbH")
    email = factory.Sequence(lambda n: f"lead{n}@prospect{n}.example")
    status = LeadStatus.NEW


class LostReasonFactory(WorkspaceOwnedFactory):
    class Meta:
        model = LostReason

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Reason {n}")


class ActivityFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Activity

    workspace = factory.SubFactory(WorkspaceFactory)
    type = "call"
    subject = factory.Sequence(lambda n: f"Call {n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=2))


@in_workspace_scope
def pipeline_for(workspace):
    """The default pipeline: Qualification, Needs analysis, Proposal, Negotiation, Won, Lost."""
    return pipeline_ensure_default(workspace=workspace, actor=None)


def stage_of(pipeline, kind=StageKind.OPEN, index=0):
    stages = list(Stage.all_workspaces.filter(pipeline=pipeline, kind=kind).order_by("position"))
    return stages[index]


@in_workspace_scope
def deal_make(
    workspace,
    *,
    actor=None,
    pipeline=None,
    stage=None,
    amount=Decimal("1000"),
    name="Deal",
    **fields,
):
    pipeline = pipeline or (stage.pipeline if stage else pipeline_for(workspace))
    return deal_create(
        workspace=workspace,
        actor=actor,
        pipeline=pipeline,
        stage=stage,
        name=name,
        amount=amount,
        **fields,
    )


class ExchangeRateFactory(WorkspaceOwnedFactory):
    """1 USD = 0.92 in the workspace currency from 1 November 2026."""

    class Meta:
        model = "sales.ExchangeRate"

    currency = "USD"
    rate = Decimal("0.92")
    valid_from = datetime.date(2026, 11, 1)
