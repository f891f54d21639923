"""Writes of leads: create, qualify, disqualify, touch points kept until conversion, and
conversion into contact, account and deal."""

from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Account, Contact, LifecycleStage
from contacts.phones import normalize_email
from contacts.services import accounts as account_services, contacts as contact_services
from contacts.services.lifecycle_stages import contact_lifecycle_move
from touchpoints.channels import Channel
from touchpoints.models import Direction
from touchpoints.services import interaction_record
from workspaces.changelog import ChangeAction, change_record, changed_fields, snapshot

from ..models import (
    Lead,
    LeadSource,
    LeadStatus,
    Pipeline,
)
from ._common import (
    _actor,
    _check_unknown,
    _create_recorded,
    _delete_recorded,
    _full_clean,
    _owner_check,
    _raise_if,
    _require_same_workspace,
    _same_workspace,
    _update_recorded,
)
from .deals import deal_create
from .pipelines import pipeline_ensure_default

LEAD_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "company",
        "job_title",
        "email",
        "phone",
        "phone_extension",
        "website",
        "source",
        "message",
        "owner",
        "budget",
        "authority",
        "need",
        "timeline",
        "consent_email",
    }
)


def _lead_normalize(fields: dict, errors: dict, *, region: str) -> dict:
    """`fields` normalised: email lower-cased, phone E.164 read with the workspace's country
    `region` (its extension apart), names stripped, the website checked. Problems go to
    `errors` by field."""
    out = dict(fields)
    if "email" in out:
        out["email"] = normalize_email(out["email"])
    contact_services.phone_with_extension_normalize(out, errors, region=region)
    for key in ("first_name", "last_name", "company", "job_title", "website"):
        if isinstance(out.get(key), str):
            out[key] = out[key].strip()
    if out.get("website"):
        problem = lead_website_problem(out["website"])
        if problem:
            errors["website"] = [problem]
    return out


def lead_website_problem(website: str) -> str | None:
    """Why `website` cannot become an account's web address (a message), or None. A bare
    domain ("example.com") is fine: conversion adds https://."""
    if not (website or "").strip():
        return None
    try:
        Account._meta.get_field("website").clean(_as_url(website), None)
    except ValidationError as exc:
        return _("“%(website)s” is not a web address (%(reason)s) Write it like example.com.") % {
            "website": website,
            "reason": " ".join(exc.messages),
        }
    return None


def lead_convert_problems(lead: Lead) -> dict[str, str]:
    """What on the lead would stop its conversion, by field: {field: message}. Shown on the
    conversion page before the user submits; the form lets them correct it."""
    problems = {}
    website_problem = lead_website_problem(lead.website)
    if website_problem:
        problems["website"] = website_problem
    return problems


@transaction.atomic
def lead_create(*, workspace, actor, **fields) -> Lead:
    """Create a lead. It needs a name, a company or an email address."""
    _check_unknown(fields, LEAD_FIELDS)
    errors: dict = {}
    fields = _lead_normalize(fields, errors, region=workspace.country)
    _owner_check(workspace, fields.get("owner"), errors)
    lead = Lead(workspace=workspace, **fields)
    if lead.consent_email:
        lead.consent_at = timezone.now()
    _full_clean(lead, errors)
    if not (lead.first_name or lead.last_name or lead.company or lead.email):
        raise ValidationError({"last_name": _("Give a name, a company or an email address.")})
    _create_recorded(
        workspace, actor, lead, fields=[k for k, v in fields.items() if v not in (None, "", False)]
    )
    return lead


@transaction.atomic
def lead_update(*, workspace, actor, lead: Lead, **fields) -> Lead:
    """Change a lead's fields (email and phone normalised). A converted lead cannot change; a
    new lead changed with an actor becomes `working`. The changed fields are recorded."""
    _require_same_workspace(workspace, lead, "lead")
    _check_unknown(fields, LEAD_FIELDS)
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("A converted lead cannot be changed."))
    errors: dict = {}
    fields = _lead_normalize(fields, errors, region=workspace.country)
    _owner_check(workspace, fields.get("owner"), errors)
    before = snapshot(lead)
    for key, value in fields.items():
        setattr(lead, key, value)
    if lead.consent_email and not lead.consent_at:
        lead.consent_at = timezone.now()
    _full_clean(lead, errors)
    if lead.status == LeadStatus.NEW and actor is not None:
        lead.status = LeadStatus.WORKING
    _update_recorded(workspace, actor, lead, before)
    return lead


@transaction.atomic
def lead_qualify(
    *,
    workspace,
    actor,
    lead: Lead,
    budget: str = "",
    authority: str = "",
    need: str = "",
    timeline: str = "",
) -> Lead:
    """Mark a lead qualified with its qualification notes (budget, authority, need, timeline)."""
    _require_same_workspace(workspace, lead, "lead")
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("This lead is converted already."))
    before = snapshot(lead)
    lead.budget, lead.authority, lead.need, lead.timeline = budget, authority, need, timeline
    lead.status = LeadStatus.QUALIFIED
    lead.disqualify_reason = ""
    _full_clean(lead, {})
    _update_recorded(workspace, actor, lead, before)
    return lead


@transaction.atomic
def lead_disqualify(*, workspace, actor, lead: Lead, reason: str) -> Lead:
    """Mark a lead disqualified with its reason (required, up to 200 characters); a
    converted lead cannot be disqualified. Recorded as a change event."""
    _require_same_workspace(workspace, lead, "lead")
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("This lead is converted already."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the lead is disqualified.")})
    before = snapshot(lead)
    lead.status = LeadStatus.DISQUALIFIED
    lead.disqualify_reason = reason.strip()[:200]
    _update_recorded(workspace, actor, lead, before)
    return lead


@transaction.atomic
def lead_delete(*, workspace, actor, lead: Lead) -> None:
    """Delete a lead and record the deletion."""
    _require_same_workspace(workspace, lead, "lead")
    _delete_recorded(workspace, actor, lead)


@transaction.atomic
def lead_interaction_add(
    *,
    workspace,
    lead: Lead,
    kind: str,
    channel: str,
    direction: str = Direction.INBOUND,
    subject: str = "",
    body: str = "",
    occurred_at=None,
    data: dict | None = None,
) -> Lead:
    """Keep a touch point of a lead that has no contact yet; conversion records it on the
    contact with its original time. Appended with a row lock (no lost update)."""
    _require_same_workspace(workspace, lead, "lead")
    locked = Lead.objects.select_for_update().get(workspace=workspace, pk=lead.pk)
    locked.pending_touchpoints = [
        *locked.pending_touchpoints,
        {
            "kind": kind,
            "channel": channel,
            "direction": direction,
            "subject": subject[:200],
            "body": body,
            "occurred_at": (occurred_at or timezone.now()).isoformat(),
            "data": data or {},
        },
    ]
    locked.save(update_fields=["pending_touchpoints", "updated_at"])
    lead.pending_touchpoints = locked.pending_touchpoints
    change_record(
        workspace=workspace,
        actor=None,
        instance=lead,
        action=ChangeAction.UPDATED,
        fields=["pending_touchpoints"],
        data={"kind": kind},
    )
    return lead


def _web_form_source():
    return "web form"


@transaction.atomic
def lead_convert(
    *,
    workspace,
    actor,
    lead: Lead,
    account: Account | None = None,
    account_name: str = "",
    contact: Contact | None = None,
    create_deal: bool = False,
    deal_name: str = "",
    pipeline: Pipeline | None = None,
    amount=None,
    expected_close_date=None,
    website: str | None = None,
) -> Lead:
    """Convert a qualified lead in one transaction into a contact (new, or an existing one
    chosen after the duplicate check), an account (existing or new) and optionally a deal.
    The lead's touch points are recorded on the contact and `lead.converted` is recorded on
    its timeline; the contact's lifecycle stage moves forward to opportunity (a customer
    stays a customer; the move is on its timeline and in the change log). Nothing is stored
    if any part fails.

    `website` (when given) replaces the lead's website, e.g. corrected on the conversion
    page, and becomes the new account's. Errors are keyed by the conversion form's fields
    (account_name, website, deal_name, amount, expected_close_date, pipeline); what no field
    of that form can fix is a non-field error naming the record and the field. A lead owner
    who is no longer a member gives the new records no owner (the deal: the actor)."""
    _require_same_workspace(workspace, lead, "lead")
    lead = Lead.objects.select_for_update().get(workspace=workspace, pk=lead.pk)
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("This lead is converted already."))
    if lead.status != LeadStatus.QUALIFIED:
        raise ValidationError(_("Qualify the lead before converting it."))
    errors: dict = {}
    _same_workspace(workspace, account, "account", errors)
    _same_workspace(workspace, contact, "contact", errors)
    _same_workspace(workspace, pipeline, "pipeline", errors)
    _raise_if(errors)
    before = snapshot(lead)
    if website is not None:
        lead.website = website.strip()
    makes_account = account is None and bool((account_name or lead.company).strip())
    problem = lead_website_problem(lead.website) if makes_account else None
    if problem:
        raise ValidationError({"website": problem})
    owner = _member_or_none(workspace, lead.owner)
    if contact is not None:  # written after the first change event: locked before it
        list(Contact.objects.select_for_update().filter(pk=contact.pk).values_list("pk"))
    if account is None:
        with _errors_as(_ACCOUNT_FIELDS, _("New account")):
            account = _convert_account(
                workspace=workspace,
                actor=actor,
                lead=lead,
                account_name=account_name,
                owner=owner,
            )
    with _errors_as({}, _("New contact")):
        contact = _convert_contact(
            workspace=workspace,
            actor=actor,
            lead=lead,
            account=account,
            contact=contact,
            owner=owner,
        )
    contact_lifecycle_move(  # forward only: a customer stays a customer
        workspace=workspace,
        actor=actor,
        contact=contact,
        stage=LifecycleStage.OPPORTUNITY,
        reason=_("lead %(lead)s converted") % {"lead": str(lead)[:150]},
        source=lead,
    )
    deal = None
    if create_deal:
        with _errors_as(_DEAL_FIELDS, _("New deal")):
            deal = deal_create(
                workspace=workspace,
                actor=actor,
                pipeline=pipeline or pipeline_ensure_default(workspace=workspace, actor=actor),
                name=(deal_name or "").strip() or str(lead.company or lead),
                account=account,
                contact=contact,
                owner=owner or _actor(actor),
                amount=amount if amount is not None else Decimal("0"),
                expected_close_date=expected_close_date,
                source_lead=lead,
            )
    _pending_interactions_record(workspace=workspace, lead=lead, contact=contact)
    lead.status = LeadStatus.CONVERTED
    lead.converted_contact = contact
    lead.converted_account = account
    lead.converted_deal = deal
    lead.converted_at = timezone.now()
    lead.pending_touchpoints = []
    lead.save()
    interaction_record(
        workspace=workspace,
        actor=actor,
        contact=contact,
        account=account,
        kind="lead.converted",
        channel=Channel.SYSTEM,
        direction=Direction.INTERNAL,
        app="sales",
        subject=_("Lead converted: %(lead)s") % {"lead": str(lead)[:150]},
        source=lead,
        data={"lead_id": lead.pk, "deal_id": deal.pk if deal else None},
    )
    change_record(
        workspace=workspace,
        actor=actor,
        instance=lead,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, lead),
    )
    return lead


_ACCOUNT_FIELDS = {"name": "account_name", "website": "website"}
_DEAL_FIELDS = {
    "name": "deal_name",
    "amount": "amount",
    "expected_close_date": "expected_close_date",
    "pipeline": "pipeline",
    "stage": "pipeline",
}


@contextmanager
def _errors_as(fields: dict, record: str):
    """Re-key a ValidationError of a record made by the conversion to the conversion form's
    fields (`fields`: record field -> form field); the rest become non-field errors that
    name the record and the field ("New contact – Owner: …")."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            messages = [f"{record}: {m}" for m in exc.messages]
            raise ValidationError({NON_FIELD_ERRORS: messages}) from exc
        keyed: dict = {}
        for name, messages in exc.message_dict.items():
            if name in fields:
                keyed.setdefault(fields[name], []).extend(messages)
                continue
            label = _field_label(name)
            prefix = f"{record} – {label}" if label else record
            keyed.setdefault(NON_FIELD_ERRORS, []).extend(f"{prefix}: {m}" for m in messages)
        raise ValidationError(keyed) from exc


def _field_label(name: str) -> str:
    if name == NON_FIELD_ERRORS:
        return ""
    for model in (Contact, Account):
        try:
            return str(model._meta.get_field(name).verbose_name).capitalize()
        except FieldDoesNotExist:
            continue
    return name


def _member_or_none(workspace, user):
    """`user` if they are still a member of the workspace, else None."""
    errors: dict = {}
    _owner_check(workspace, user, errors)
    return None if errors else user


def _convert_account(
    *, workspace, actor, lead: Lead, account_name: str, owner=None
) -> Account | None:
    """A new account for a converting lead, named `account_name` or after the lead's
    company; None when there is no name."""

    name = (account_name or lead.company).strip()
    if not name:
        return None
    return account_services.account_create(
        workspace=workspace,
        actor=actor,
        name=name,
        owner=owner,
        **({"website": _as_url(lead.website)} if lead.website else {}),
    )


def _contact_values(lead: Lead, account: Account | None, owner=None) -> dict:
    """The new contact's fields from the lead (the company names a lead without a name)."""
    values = {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "phone": lead.phone,
        "phone_extension": lead.phone_extension,
        "job_title": lead.job_title,
        "account": account,
        "owner": owner,
    }
    if not (lead.first_name or lead.last_name or lead.email or lead.phone):
        values["last_name"] = lead.company
    if lead.consent_email:
        values["email_opt_in"] = True
    return {k: v for k, v in values.items() if v not in ("", None)}


def _convert_contact(
    *, workspace, actor, lead: Lead, account: Account | None, contact: Contact | None, owner=None
) -> Contact:
    """The contact a lead converts into: a new one, or the chosen one, which joins `account`
    if it has none yet."""

    if contact is None:
        return contact_services.contact_create(
            workspace=workspace,
            actor=actor,
            consent_source=_web_form_source()
            if lead.source == LeadSource.WEB_FORM
            else str(lead.get_source_display()),
            **_contact_values(lead, account, owner),
        )
    if account is not None and contact.account_id is None:
        return contact_services.contact_update(
            workspace=workspace, actor=actor, contact=contact, account=account
        )
    return contact


def _pending_interactions_record(*, workspace, lead: Lead, contact: Contact) -> None:
    """Record the touch points kept on the lead on the contact, at their original times."""
    for tp in lead.pending_touchpoints:
        interaction_record(
            workspace=workspace,
            actor=None,
            contact=contact,
            kind=tp["kind"],
            channel=tp["channel"],
            direction=tp.get("direction", Direction.INBOUND),
            app="sales",
            subject=tp.get("subject", ""),
            body=tp.get("body", ""),
            occurred_at=_parse_dt(tp.get("occurred_at")),
            source=lead,
            data=tp.get("data") or {},
        )


def _as_url(website: str) -> str:
    website = (website or "").strip()
    if website and "://" not in website:
        website = f"https://{website}"
    return website


def _parse_dt(value):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if value else None
