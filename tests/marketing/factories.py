"""Factories of the marketing models (one workspace per graph)."""

import factory

from marketing.models import (
    Campaign,
    CampaignStatus,
    EmailTemplate,
    Segment,
    SegmentKind,
    SegmentMember,
    SenderIdentity,
    Suppression,
    SuppressionReason,
)
from tests.factories import WorkspaceFactory, WorkspaceOwnedFactory


class SegmentFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Segment

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")
    kind = SegmentKind.STATIC


class SegmentMemberFactory(WorkspaceOwnedFactory):
    class Meta:
        model = SegmentMember

    workspace = factory.SelfAttribute("segment.workspace")
    segment = factory.SubFactory(SegmentFactory)


class EmailTemplateFactory(WorkspaceOwnedFactory):
    class Meta:
        model = EmailTemplate

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    subject = "Hello {{ first_name }}"
    html_body = '<p>Hi {{ first_name }}, see <a href="https://shop.example/offer">the offer</a></p>'
    text_body = "Hi {{ first_name }}, see https://shop.example/offer"


class SenderIdentityFactory(WorkspaceOwnedFactory):
    class Meta:
        model = SenderIdentity

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Sender {n}")
    from_name = "Acme News"
    from_email = factory.Sequence(lambda n: f"news{n}@acme.example")


class CampaignFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Campaign

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    status = CampaignStatus.DRAFT
    sender = factory.SubFactory(
        SenderIdentityFactory, workspace=factory.SelfAttribute("..workspace")
    )
    subject = "Hello {{ first_name }}"
    html_body = '<p>Hi {{ first_name }}, see <a href="https://shop.example/offer">the offer</a></p>'
    text_body = "Hi {{ first_name }}, see https://shop.example/offer"


class SuppressionFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Suppression

    workspace = factory.SubFactory(WorkspaceFactory)
    address = factory.Sequence(lambda n: f"gone{n}@example.org")
    reason = SuppressionReason.UNSUBSCRIBED
