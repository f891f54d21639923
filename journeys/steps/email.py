"""The "email.send" step: one email template to the enrolled contact, sent through
marketing's campaign pipeline (marketing.services.automated): consent and suppression,
the sender identity, VERP, unsubscribe headers, tracked links and the open pixel. Each
(journey, step) has one automated campaign holding its deliveries, so opens and clicks come
back as the campaign's history entries (campaign.opened / campaign.clicked, data.campaign)
and the campaign report shows the step's figures."""

from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from marketing.models import DeliveryStatus, EmailTemplate, SenderIdentity
from marketing.selectors.audience import contact_mail_blocks
from marketing.services.automated import (
    AddressAlreadyMailed,
    automated_campaign_get,
    automated_send,
    automated_sender_default,
)

from .params import StepParamsForm, contact_now, int_or_none
from .registry import StepContext, StepFailed, StepOutcome, StepRetry, StepType


class EmailSendForm(StepParamsForm):
    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.none(), label=gettext_lazy("Email template")
    )
    sender = forms.ModelChoiceField(
        queryset=SenderIdentity.objects.none(),
        label=gettext_lazy("Sender"),
        required=False,
        help_text=gettext_lazy("Empty: the workspace's first sender identity."),
    )


def campaign_key(ctx: StepContext) -> str:
    """The automation key of this step's campaign: one per (journey, step key)."""
    return f"journey {ctx.journey.pk}:{ctx.step.key}"


def run(ctx: StepContext) -> StepOutcome:
    """Send the template to the contact. A contact who may not be mailed (no opt-in, do not
    mail, no address, suppressed), or whose address got this step's message as another
    contact's, is skipped: edge "next", data {"skipped": [reasons]}.
    A temporary refusal or the sender's throttle raises StepRetry; a permanent refusal or
    a template that is gone raises StepFailed. Sends at most once per (journey, step,
    contact): a retry after a crash finds the delivery already sent."""
    params = ctx.step.params or {}
    template = EmailTemplate.objects.filter(
        workspace=ctx.workspace, pk=int_or_none(params.get("template"))
    ).first()
    if template is None:
        raise StepFailed(_("The email template of this step was deleted."))
    sender = None
    if params.get("sender"):
        sender = SenderIdentity.objects.filter(
            workspace=ctx.workspace, pk=int_or_none(params.get("sender"))
        ).first()
        if sender is None:
            raise StepFailed(_("The sender identity of this step was deleted."))
    sender = sender or automated_sender_default(workspace=ctx.workspace)
    contact = contact_now(ctx)
    blocks = contact_mail_blocks(workspace=ctx.workspace, contact=contact)
    if blocks:
        return StepOutcome(
            data={"skipped": [block["reason"] for block in blocks], "template": template.pk}
        )
    campaign = automated_campaign_get(
        workspace=ctx.workspace,
        key=campaign_key(ctx),
        name=f"{ctx.journey.name} · {template.name}",
        template=template,
        sender=sender,
    )
    try:
        delivery = automated_send(workspace=ctx.workspace, campaign=campaign, contact=contact)
    except AddressAlreadyMailed:  # a duplicate contact of someone who got it already
        return StepOutcome(
            data={"skipped": ["address_shared"], "template": template.pk, "campaign": campaign.pk}
        )
    data = {"template": template.pk, "campaign": campaign.pk, "delivery": delivery.pk}
    if delivery.status == DeliveryStatus.SENT:
        return StepOutcome(data=data | {"sent_at": delivery.sent_at.isoformat()})
    if delivery.status in (DeliveryStatus.SUPPRESSED, DeliveryStatus.CANCELLED):
        return StepOutcome(data=data | {"skipped": [delivery.status]})
    if delivery.status == DeliveryStatus.FAILED:
        raise StepFailed(delivery.last_error or _("The mail server refused the message."))
    raise StepRetry(delivery.last_error or _("Not sent yet (throttled or in flight)."))


def references(params: dict) -> list[tuple[str, int]]:
    """The template and the sender the step names."""
    out = []
    if int_or_none(params.get("template")) is not None:
        out.append(("marketing.EmailTemplate", int(params["template"])))
    if int_or_none(params.get("sender")) is not None:
        out.append(("marketing.SenderIdentity", int(params["sender"])))
    return out


def summary(params: dict) -> str:
    """ "Send “Welcome”" (the template's name, read once)."""
    template = (
        EmailTemplate.objects.filter(pk=int_or_none(params.get("template")))
        .values_list("name", flat=True)
        .first()
    )
    return _("Send “%(name)s”") % {"name": template or _("(deleted template)")}


STEP_TYPE = StepType(
    key="email.send",
    label=gettext_lazy("Send email"),
    run=run,
    params_form=EmailSendForm,
    references=references,
    summary=summary,
)
