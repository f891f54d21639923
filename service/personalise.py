"""Personalisation of canned responses: `{{ field }}` placeholders filled from a flat dict
of plain strings (no template language: no tags, filters, attribute access or code, so a
canned response can never reach anything but these values).

Fields: first_name, last_name, full_name, salutation, email, company, case_number,
case_subject, agent_name. An unknown placeholder stays as typed (e.g. `{{ foo }}`) and is
reported."""

import re

PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")
FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "salutation",
    "email",
    "company",
    "case_number",
    "case_subject",
    "agent_name",
)


def case_fields(case, agent) -> dict[str, str]:
    """The flat dict of a case: its contact, account, number and subject, and the agent."""
    contact = case.contact
    values = dict.fromkeys(FIELDS, "")
    if contact is not None:
        values.update(
            first_name=contact.first_name,
            last_name=contact.last_name,
            full_name=" ".join(p for p in (contact.first_name, contact.last_name) if p),
            salutation=contact.get_salutation_display() if contact.salutation else "",
            email=contact.email,
        )
    if case.account is not None:
        values["company"] = case.account.name
    values.update(
        case_number=str(case.number),
        case_subject=case.subject,
        agent_name=(agent.get_full_name() or agent.email) if agent is not None else "",
    )
    return {k: str(v or "") for k, v in values.items()}


def render_placeholders(text: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """(`text` with each {{ field }} replaced by values[field], sorted unknown field names).
    The values are inserted as they are (plain text; the page escapes on output); an unknown
    placeholder is left exactly as typed."""
    unknown: set[str] = set()

    def replace(match):
        name = match.group(1)
        if name not in values:
            unknown.add(name)
            return match.group(0)
        return values[name]

    return PLACEHOLDER.sub(replace, text), sorted(unknown)
