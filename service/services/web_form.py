"""The public "contact us / complaint" form: the case a submission opens, and the form's
settings (its signed address, whether it is switched on, the queue it fills)."""

from django.core import signing
from django.db import transaction
from django.utils import timezone

from touchpoints.channels import Channel
from workspaces.changelog import ChangeAction, change_record, snapshot
from workspaces.scoping import scopes_disabled
from workspaces.service_checks import same_workspace_require

from ..models import Case, CaseType, CaseWebForm
from ..models.cases import new_case_form_key
from ._common import update_recorded
from .cases import case_create
from .customers import contact_find_or_create

CASE_FORM_SALT = "service.case-form"
# What the public may open: a complaint, a question, a request.
PUBLIC_TYPES = (CaseType.COMPLAINT, CaseType.INQUIRY, CaseType.REQUEST)


@transaction.atomic
def case_web_form_get_or_create(*, workspace, actor=None) -> CaseWebForm:
    """The workspace's case form (switched on, with a fresh key), created on first use."""
    form, created = CaseWebForm.objects.get_or_create(workspace=workspace)
    if created:
        change_record(workspace=workspace, actor=actor, instance=form, action=ChangeAction.CREATED)
    return form


def case_web_form_token(form: CaseWebForm) -> str:
    """The form's public id: signed, names the workspace and the form's current key."""
    return signing.Signer(salt=CASE_FORM_SALT).sign_object({"w": form.workspace_id, "k": form.key})


def case_web_form_from_token(token: str) -> CaseWebForm | None:
    """The form a public id names, or None for a forged id or one retired by a renewal."""
    try:
        data = signing.Signer(salt=CASE_FORM_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or "k" not in data:
        return None
    with scopes_disabled():  # the signed id names the workspace; no scope exists yet
        form = (
            CaseWebForm.all_workspaces.select_related("workspace", "queue")
            .filter(workspace_id=data.get("w"))
            .first()
        )
    return form if form is not None and form.key == data["k"] else None


@transaction.atomic
def case_web_form_update(*, workspace, actor, enabled: bool, queue=None) -> CaseWebForm:
    same_workspace_require(workspace=workspace, obj=queue, field="queue")
    form = case_web_form_get_or_create(workspace=workspace, actor=actor)
    before = snapshot(form)
    form.enabled, form.queue = enabled, queue
    update_recorded(workspace, actor, form, before)
    return form


@transaction.atomic
def case_web_form_rotate(*, workspace, actor) -> CaseWebForm:
    """A new form address: the old link and embed code stop working at once."""
    form = case_web_form_get_or_create(workspace=workspace, actor=actor)
    form = CaseWebForm.objects.select_for_update().get(pk=form.pk)
    before = snapshot(form)
    form.key = new_case_form_key()
    form.rotated_at = timezone.now()
    update_recorded(workspace, actor, form, before)
    return form


@transaction.atomic
def case_web_submit(
    *,
    workspace,
    form: CaseWebForm,
    email: str,
    subject: str,
    message: str,
    type: str = CaseType.INQUIRY,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    order_ref: str = "",
    product_ref: str = "",
) -> Case:
    """A case from the public form (channel website), for the contact with that address (or
    a new one), in the form's queue; the message is the first customer message."""
    contact = contact_find_or_create(
        workspace=workspace,
        actor=None,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
    )
    return case_create(
        workspace=workspace,
        actor=None,
        body=message,
        from_address=email,
        contact=contact,
        type=type if type in PUBLIC_TYPES else CaseType.INQUIRY,
        channel=Channel.WEBSITE,
        subject=subject,
        queue=form.queue,
        order_ref=order_ref,
        product_ref=product_ref,
    )
