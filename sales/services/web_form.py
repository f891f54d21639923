"""The public web form: the lead a submission creates, and the form's settings (its address
and whether it is switched on)."""

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from touchpoints.channels import Channel
from touchpoints.models import Direction
from workspaces.changelog import ChangeAction, change_record
from workspaces.scoping import scopes_disabled, workspace_scope

from ..models import (
    Lead,
    LeadSource,
    WebForm,
)
from ..models.web_form import new_web_form_key
from .leads import lead_create, lead_interaction_add

WEB_FORM_SALT = "sales.web-form"


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
    lead_interaction_add(
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


@transaction.atomic
def web_form_get_or_create(*, workspace, actor=None) -> WebForm:
    """The workspace's web form (switched on, with a fresh key) created and recorded on first
    use; idempotent."""
    form, created = WebForm.objects.get_or_create(workspace=workspace)
    if created:
        change_record(workspace=workspace, actor=actor, instance=form, action=ChangeAction.CREATED)
    return form


def web_form_token(form: WebForm) -> str:
    """The form's public id: signed, names the workspace and the form's current key, so it
    stays the same between page views and changes only when the key is renewed."""
    return signing.Signer(salt=WEB_FORM_SALT).sign_object({"w": form.workspace_id, "k": form.key})


def web_form_from_token(token: str) -> WebForm | None:
    """The form a public id names, or None for a forged id or one retired by a renewal.
    Ids from before keys existed ({"w": …} only) stay valid until the first renewal."""
    try:
        data = signing.Signer(salt=WEB_FORM_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    with scopes_disabled():  # the signed id names the workspace; no scope exists yet
        form = (
            WebForm.all_workspaces.select_related("workspace")
            .filter(workspace_id=data.get("w"))
            .first()
        )
    if form is None:
        from workspaces.models import Workspace

        workspace = Workspace.objects.filter(pk=data.get("w")).first()
        if workspace is None or "k" in data:
            return None
        with workspace_scope(workspace):  # an old id of a never-set form
            return web_form_get_or_create(workspace=workspace)
    if "k" not in data:
        return form if form.rotated_at is None else None
    return form if data["k"] == form.key else None


@transaction.atomic
def web_form_rotate(*, workspace, actor) -> WebForm:
    """A new form address: the old link and embed code stop working at once."""
    form = web_form_get_or_create(workspace=workspace, actor=actor)
    form = WebForm.objects.select_for_update().get(pk=form.pk)
    form.key = new_web_form_key()
    form.rotated_at = timezone.now()
    form.save(update_fields=["key", "rotated_at", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=form,
        action=ChangeAction.UPDATED,
        fields=["key", "rotated_at"],
    )
    return form


@transaction.atomic
def web_form_set_enabled(*, workspace, actor, enabled: bool) -> WebForm:
    """Switch the form on or off; off, it answers "switched off" (410) and stores nothing."""
    form = web_form_get_or_create(workspace=workspace, actor=actor)
    form = WebForm.objects.select_for_update().get(pk=form.pk)
    if form.enabled != bool(enabled):
        form.enabled = bool(enabled)
        form.save(update_fields=["enabled", "updated_at"])
        change_record(
            workspace=workspace,
            actor=actor,
            instance=form,
            action=ChangeAction.UPDATED,
            fields=["enabled"],
        )
    return form
