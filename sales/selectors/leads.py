"""Reads of leads: the search predicate and the possible duplicates shown before conversion."""

from django.db.models import Q

from contacts.models import Account, Contact
from contacts.phones import domain_normalize
from contacts.selectors.contacts import FREEMAIL_DOMAINS, email_domain

from ..models import Lead


def lead_search_q(query: str) -> Q:
    """Leads whose name, company or email address contains `query` (lists and search)."""
    return (
        Q(last_name__icontains=query)
        | Q(first_name__icontains=query)
        | Q(company__icontains=query)
        | Q(email__icontains=query.lower())
    )


def lead_duplicates(lead: Lead, limit: int = 10) -> dict:
    """Accounts that look like the lead's company (name or domain) and contacts with the
    lead's email address or phone number: shown before conversion so nobody doubles them."""
    accounts = Account.objects.none()
    condition = Q()
    if lead.company.strip():
        condition |= Q(name__iexact=lead.company.strip())
    domain = domain_normalize(lead.website) or email_domain(lead.email)
    if domain and domain not in FREEMAIL_DOMAINS:
        condition |= Q(domain__iexact=domain)
    if condition:
        accounts = Account.objects.filter(condition).order_by("name", "id")[:limit]
    contact_condition = Q()
    if lead.email:
        contact_condition |= Q(email__iexact=lead.email) | Q(email2__iexact=lead.email)
    if lead.phone:
        contact_condition |= Q(phone=lead.phone) | Q(mobile=lead.phone)
    contacts = Contact.objects.none()
    if contact_condition:
        contacts = (
            Contact.objects.filter(contact_condition)
            .select_related("account")
            .order_by("last_name", "id")[:limit]
        )
    return {"accounts": list(accounts), "contacts": list(contacts)}
