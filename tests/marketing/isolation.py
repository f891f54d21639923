"""Isolation registrations of the marketing URLs (tests/isolation.py)."""

from tests.isolation import register
from tests.marketing.factories import EmailTemplateFactory, SenderIdentityFactory


@register(
    "marketing:template_edit",
    "marketing:template_delete",
    "marketing:template_preview",
)
def email_template_in(workspace, user):
    template = EmailTemplateFactory(workspace=workspace)
    return {"pk": template.pk}, template


@register("marketing:asset_delete")
def asset_in(workspace, user):
    from tests.marketing.content_helpers import asset_make

    asset = asset_make(workspace)
    return {"pk": asset.pk}, asset


@register(
    "marketing:sender_edit",
    "marketing:sender_delete",
    "marketing:sender_check",
)
def sender_in(workspace, user):
    sender = SenderIdentityFactory(workspace=workspace)
    return {"pk": sender.pk}, sender
