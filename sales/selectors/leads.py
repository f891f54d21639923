"""Reads of leads: the search predicate and global search, the open leads of a phone number
(caller lookup) and the possible duplicates shown before conversion."""

from django.db.models import Q

from contacts.emails import email_key
from contacts.models import Account, Contact
from contacts.phones import domain_normalize
from contacts.selectors.contacts import FREEMAIL_DOMAINS, email_domain, query_kind
from workspaces.paging import capped_count
from workspaces.service_checks import same_workspace_require

from ..models import Lead, LeadStatus

SEARCH_WORDS = 4  # words of a text query that must each match


def lead_search_q(query: str, *, region: str) -> Q:
    """Leads a query finds (list filter and global search), each branch served by an index
    (DESIGN.md §11): an email address matches the stored, lower-cased email exactly; a phone
    number the stored E.164 number; text matches when every word (up to four) is in the first
    name, last name or company (trigram indexes on PostgreSQL). Phone numbers are read with
    the workspace's country `region` ("" for none)."""
    kind, value = query_kind(query, region=region)
    if kind == "email":
        return Q(email=value)
    if kind == "phone":
        return Q(phone=value)
    condition = Q()
    for word in value.split()[:SEARCH_WORDS]:
        condition &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(company__icontains=word)
        )
    return condition


def leads_open_by_phone(*, workspace, e164: str, limit: int = 10) -> list[Lead]:
    """Leads not yet converted whose phone is `e164` (exact, on the lead_ws_phone index),
    newest first: the caller lookup's lead source."""
    return list(
        Lead.objects.filter(workspace=workspace, phone=e164)
        .exclude(status=LeadStatus.CONVERTED)
        .order_by("-created_at", "-id")[:limit]
    )


def lead_search(*, workspace, query: str, limit: int = 8) -> list[Lead]:
    """Up to `limit` leads of `workspace` for the global search, newest first (one query)."""
    if len((query or "").strip()) < 2:
        return []
    return list(
        Lead.objects.filter(workspace=workspace)
        .filter(lead_search_q(query, region=workspace.country))
        .order_by("-created_at", "-id")[:limit]
    )


def lead_search_count(*, workspace, query: str, cap: int) -> tuple[int, bool]:
    """How many leads (any status) the global search finds for `query`: (count, capped), at
    most `cap` rows counted (one LIMIT'd query)."""
    if len((query or "").strip()) < 2:
        return 0, False
    qs = Lead.objects.filter(workspace=workspace).filter(
        lead_search_q(query, region=workspace.country)
    )
    return capped_count(qs, cap)


def lead_duplicates(*, workspace, lead: Lead, limit: int = 10) -> dict:
    """Accounts of `workspace` that look like the lead's company (same name, or the domain of
    its website or email) and contacts with the lead's email address or phone number: shown
    before conversion so nobody doubles them. Emails, domains and phones are compared exactly
    on the stored, normalised columns (indexed); {"accounts": [...], "contacts": [...]}."""
    same_workspace_require(workspace=workspace, obj=lead, field="lead")
    accounts = Account.objects.none()
    condition = Q()
    if lead.company.strip():
        condition |= Q(name__iexact=lead.company.strip())
    domain = domain_normalize(lead.website) or email_domain(lead.email)
    if domain and domain not in FREEMAIL_DOMAINS:
        condition |= Q(domain=domain)
    if condition:
        accounts = Account.objects.filter(condition, workspace=workspace).order_by("name", "id")
    email = email_key(lead.email)
    contact_condition = Q()
    if email:
        contact_condition |= Q(email_key=email) | Q(email2_key=email)
    if lead.phone:
        contact_condition |= Q(phone=lead.phone) | Q(mobile=lead.phone)
    contacts = Contact.objects.none()
    if contact_condition:
        contacts = (
            Contact.objects.filter(contact_condition, workspace=workspace)
            .select_related("account")
            .order_by("last_name", "id")
        )
    return {"accounts": list(accounts[:limit]), "contacts": list(contacts[:limit])}
