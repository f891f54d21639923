"""The lead that a submission of the public web form creates."""

from django.db import transaction
from django.utils.translation import gettext as _

from touchpoints.channels import Channel
from touchpoints.models import Direction

from ..models import (
    Lead,
    LeadSource,
)
from .leads import lead_create, lead_touchpoint_add


@transaction.atomic
def web_lead_submit(
    *,
    workspace,
    first_name: str = "",
    last_name: str = "",
    company: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    consent: bool = False,
    page_url: str = "",
) -> Lead:
    """A lead from the public web form, with its `form.submitted` touch point (website,
    inbound) kept for the contact it becomes."""
    lead = lead_create(
        workspace=workspace,
        actor=None,
        first_name=first_name,
        last_name=last_name,
        company=company,
        email=email,
        phone=phone,
        message=message,
        source=LeadSource.WEB_FORM,
        consent_email=bool(consent),
    )
    lead_touchpoint_add(
        workspace=workspace,
        lead=lead,
        kind="form.submitted",
        channel=Channel.WEBSITE,
        direction=Direction.INBOUND,
        subject=_("Web form submitted"),
        body=message,
        data={"page": page_url[:500], "consent": bool(consent)},
    )
    return lead
