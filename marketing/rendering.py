"""Rendering of email templates, which are untrusted input (anyone with marketing.edit writes
them, and they are often pasted from elsewhere).

The template language is deliberately tiny, a subset of Django's syntax with nothing that can
reach code::

    Hello {{ first_name|default:"there" }}, your account manager is {{ owner_name }}.
    {{ custom.shoe_size|default:"unknown" }}

- ``{{ field }}`` inserts a value; ``field`` is a name from PERSONALISATION_FIELDS or
  ``custom.<key>`` for a contact's custom field (and whatever extra names the caller passes,
  e.g. ``unsubscribe_url`` when sending). Names are looked up in ONE flat ``dict[str, str]``:
  there is no attribute access, no method call, no object, no setting to reach.
- Filters, chained with ``|``: ``default:"text"`` (used when the value is empty or missing),
  ``upper``, ``lower``, ``title``, ``capfirst``. Nothing else exists.
- ``{% ... %}`` tags and ``{# ... #}`` comments are refused (so ``{% load %}``,
  ``{% include %}``, ``{% debug %}`` are syntax errors, reported at their line).

Bounds: a template part may be at most MAX_TEMPLATE_CHARS characters and hold at most
MAX_PLACEHOLDERS placeholders, a value is cut at MAX_VALUE_CHARS, and the rendered part may not
exceed MAX_OUTPUT_CHARS; rendering is one linear scan, so time is bounded by these sizes.

The HTML part escapes every inserted value and the result is sanitised with nh3 (scripts,
event handlers, ``javascript:`` URLs removed); the subject and the text part insert values raw.
A missing text part is generated from the HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from django.utils.translation import gettext as _, gettext_lazy

MAX_TEMPLATE_CHARS = 200_000
MAX_PLACEHOLDERS = 2_000
MAX_VALUE_CHARS = 2_000
MAX_OUTPUT_CHARS = 1_000_000

# name -> label; the fields every template can use (custom fields come as custom.<key>)
PERSONALISATION_FIELDS: dict[str, str] = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "full_name": gettext_lazy("Full name"),
    "salutation": gettext_lazy("Salutation"),
    "title": gettext_lazy("Academic title"),
    "email": gettext_lazy("Email"),
    "job_title": gettext_lazy("Job title"),
    "company": gettext_lazy("Company"),
    "city": gettext_lazy("City"),
    "country": gettext_lazy("Country"),
    "owner_name": gettext_lazy("Owner name"),
    "owner_email": gettext_lazy("Owner email"),
}
CUSTOM_PREFIX = "custom."
# names the sending code supplies per message (besides the contact's fields); a template may
# use them, a preview shows a placeholder link
SENDING_FIELDS: tuple[str, ...] = ("unsubscribe_url",)

_FILTERS = {
    "upper": str.upper,
    "lower": str.lower,
    "title": str.title,
    "capfirst": lambda s: s[:1].upper() + s[1:],
}
_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)?"
_NAME_RE = re.compile(rf"^{_NAME}$")
# a filter: name, optionally :"argument" (double or single quotes, no escapes)
_FILTER_RE = re.compile(r"""^\s*([a-z]+)\s*(?::\s*(?:"([^"]*)"|'([^']*)'))?\s*$""")
# the opening of anything the language knows (and of what it refuses)
_OPEN_RE = re.compile(r"\{\{|\{%|\{#")


class TemplateError(ValueError):
    """A template cannot be rendered; `.problems` lists every TemplateProblem found."""

    def __init__(self, problems: list[TemplateProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class TemplateProblem:
    """One problem in a template: `line` is 1-based within `part` ("subject", "html", "text")."""

    line: int
    message: str
    part: str = ""

    def __str__(self) -> str:
        where = f"{self.part}, " if self.part else ""
        return _("%(where)sline %(line)d: %(message)s") % {
            "where": where,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class _Placeholder:
    start: int
    end: int
    line: int
    name: str
    filters: tuple[tuple[str, str | None], ...]


def _parse(source: str, part: str) -> tuple[list[_Placeholder], list[TemplateProblem]]:
    """Placeholders of `source` in order, and its syntax problems (a linear scan)."""
    problems: list[TemplateProblem] = []
    found: list[_Placeholder] = []
    if len(source) > MAX_TEMPLATE_CHARS:
        msg = _("The template is longer than %(n)d characters.") % {"n": MAX_TEMPLATE_CHARS}
        return [], [TemplateProblem(1, msg, part)]
    pos = 0
    while (match := _OPEN_RE.search(source, pos)) is not None:
        start = match.start()
        line = source.count("\n", 0, start) + 1
        if match.group() != "{{":
            close = source.find(match.group()[1] + "}", start + 2)
            inner = source[start + 2 : close].strip() if close != -1 else ""
            problems.append(
                TemplateProblem(
                    line,
                    _("Tags and comments ({%% … %%}, {# … #}) are not allowed here%(what)s.")
                    % {"what": f": “{inner[:40]}”" if inner else ""},
                    part,
                )
            )
            pos = close + 2 if close != -1 else start + 2
            continue
        close = source.find("}}", start + 2)
        newline = source.find("\n", start + 2)
        if close == -1 or (newline != -1 and newline < close):
            problems.append(TemplateProblem(line, _("“{{” is not closed by “}}”."), part))
            pos = start + 2
            continue
        placeholder, problem = _parse_expression(source[start + 2 : close], start, close + 2, line)
        if problem:
            problems.append(TemplateProblem(line, problem, part))
        else:
            found.append(placeholder)
            if len(found) > MAX_PLACEHOLDERS:
                msg = _("More than %(n)d placeholders.") % {"n": MAX_PLACEHOLDERS}
                return found, [*problems, TemplateProblem(line, msg, part)]
        pos = close + 2
    return found, problems


def _parse_expression(expr: str, start: int, end: int, line: int):
    """(placeholder, None) or (None, message) for the text between {{ and }}."""
    pieces = _split_filters(expr)
    name = pieces[0].strip()
    if not name:
        return None, _("An empty placeholder {{ }}.")
    if not _NAME_RE.match(name) or name.startswith("_") or "._" in name:
        return None, _("“%(name)s” is not a field name.") % {"name": name[:60]}
    filters = []
    for piece in pieces[1:]:
        m = _FILTER_RE.match(piece)
        if not m:
            return None, _("“%(filter)s” is not a filter.") % {"filter": piece.strip()[:60]}
        fname, arg = m.group(1), m.group(2) if m.group(2) is not None else m.group(3)
        if fname == "default":
            if arg is None:
                return None, _('The filter default needs a text: default:"…".')
        elif fname in _FILTERS:
            if arg is not None:
                return None, _("The filter %(f)s takes no argument.") % {"f": fname}
        else:
            return None, _("Unknown filter “%(f)s” (known: default, %(known)s).") % {
                "f": fname[:40],
                "known": ", ".join(_FILTERS),
            }
        filters.append((fname, arg))
    return _Placeholder(start, end, line, name, tuple(filters)), None


def _split_filters(expr: str) -> list[str]:
    """Split on | outside quotes (a default text may contain |)."""
    pieces, current, quote = [], [], None
    for ch in expr:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            current.append(ch)
        elif ch == "|":
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return pieces


def _is_known(name: str, known: set[str] | None) -> bool:
    if name in PERSONALISATION_FIELDS or name.startswith(CUSTOM_PREFIX):
        return True
    return known is not None and name in known


def _part_problems(source: str, part: str, known: set[str] | None) -> list[TemplateProblem]:
    placeholders, problems = _parse(source or "", part)
    for p in placeholders:
        if not _is_known(p.name, known):
            problems.append(
                TemplateProblem(
                    p.line, _("Unknown field “%(name)s”.") % {"name": p.name[:60]}, part
                )
            )
    return sorted(problems, key=lambda p: p.line)


def template_problems(
    *, subject: str = "", html_body: str = "", text_body: str = "", extra_fields=()
) -> list[TemplateProblem]:
    """Every syntax error and unknown field in the three parts, each with its part and line
    (an empty list when the template is fine). `extra_fields`: names the caller will supply
    besides PERSONALISATION_FIELDS and custom.<key> (e.g. "unsubscribe_url")."""
    known = set(extra_fields)
    problems = _part_problems(subject, "subject", known)
    if "\n" in (subject or "").strip():
        problems.append(TemplateProblem(1, _("The subject must be one line."), "subject"))
    return (
        problems
        + _part_problems(html_body, "html", known)
        + _part_problems(text_body, "text", known)
    )


def _render(source: str, part: str, values: dict[str, str], escape) -> str:
    placeholders, problems = _parse(source or "", part)
    if problems:
        raise TemplateError(problems)
    out: list[str] = []
    size = 0
    pos = 0
    for p in placeholders:
        value = values.get(p.name, "")
        value = (value if isinstance(value, str) else "")[:MAX_VALUE_CHARS]
        for fname, arg in p.filters:
            if fname == "default":
                value = value if value.strip() else arg
            else:
                value = _FILTERS[fname](value)
        chunk = source[pos : p.start] + escape(value)
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise TemplateError([TemplateProblem(p.line, _("The message is too long."), part)])
        out.append(chunk)
        pos = p.end
    out.append(source[pos:])
    return "".join(out)


# inline styles are what email HTML is made of; nh3 keeps them only when allowed
_HTML_ATTRIBUTES = {
    "*": {"style", "class", "align", "valign", "width", "height", "bgcolor", "dir", "lang"},
    "a": {"href", "title", "target"},
    "img": {"src", "alt", "title", "border"},
    "table": {"border", "cellpadding", "cellspacing", "role"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "font": {"color", "face", "size"},
}
_HTML_TAGS = nh3.ALLOWED_TAGS | {"center", "font", "span", "div"}


def sanitise_html(body: str) -> str:
    """`body` with only harmless HTML left (nh3/ammonia): scripts, event handlers, forms,
    iframes and javascript: URLs go; tables, inline styles, images and links stay."""
    return nh3.clean(
        body,
        tags=_HTML_TAGS,
        attributes=_HTML_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


class _TextFromHtml(HTMLParser):
    _BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr"}
    _SKIP = {"style", "script", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: list[str | None] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skip += 1
        elif tag in self._BLOCK:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")
        if tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCK:
            self.out.append("\n")
        if tag == "a" and self.href:
            href = self.href.pop()
            if href and href.startswith(("http://", "https://")):
                self.out.append(f" ({href})")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(re.sub(r"\s+", " ", data))


def text_from_html(body: str) -> str:
    """A readable plain-text version of an HTML body (links as "text (url)", blocks as lines)."""
    parser = _TextFromHtml()
    parser.feed(body)
    parser.close()
    lines = [line.strip() for line in "".join(parser.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def render_message(
    *, subject: str, html_body: str, text_body: str, values: dict[str, str]
) -> RenderedMessage:
    """Render the three parts with `values` (a flat dict of strings; missing names render as
    "" or their default). HTML: values escaped, result sanitised. Text: values raw, generated
    from the HTML when `text_body` is blank. Subject: raw, one line.

    Raises TemplateError (with every problem and its line) on a syntax error or when a part
    would exceed MAX_OUTPUT_CHARS. Unknown fields are not an error here (template_problems
    reports them when the template is saved)."""
    values = {str(k): v for k, v in values.items() if isinstance(v, str)}
    problems = []
    for source, part in ((subject, "subject"), (html_body, "html"), (text_body, "text")):
        problems += _parse(source or "", part)[1]
    if problems:
        raise TemplateError(problems)
    rendered_subject = _render(subject, "subject", values, str)
    rendered_subject = " ".join(rendered_subject.split())  # no header injection via newlines
    rendered_html = sanitise_html(_render(html_body, "html", values, html.escape))
    if (text_body or "").strip():
        rendered_text = _render(text_body, "text", values, str)
    else:
        rendered_text = text_from_html(rendered_html) if rendered_html.strip() else ""
    return RenderedMessage(subject=rendered_subject, html=rendered_html, text=rendered_text)


def personalisation_values(contact) -> dict[str, str]:
    """The flat dict of strings a template sees for `contact` (a contacts.Contact, with
    `account` and `owner` ideally select_related): every PERSONALISATION_FIELDS name plus
    custom.<key> for each of the contact's custom fields (lists joined with ", ").
    Empty strings where the contact has no value."""
    account = contact.account if contact.account_id else None
    owner = contact.owner if contact.owner_id else None
    owner_name = ""
    if owner is not None:
        owner_name = (owner.get_full_name() or "").strip() or owner.get_username()
    values = {
        "first_name": contact.first_name or "",
        "last_name": contact.last_name or "",
        "full_name": contact.full_name,
        "salutation": contact.get_salutation_display() if contact.salutation else "",
        "title": contact.title or "",
        "email": contact.email or "",
        "job_title": contact.job_title or "",
        "company": account.name if account is not None else "",
        "city": contact.city or "",
        "country": contact.country or "",
        "owner_name": owner_name,
        "owner_email": (owner.email or "") if owner is not None else "",
    }
    for key, value in (contact.custom or {}).items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif value is None:
            value = ""
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        values[f"{CUSTOM_PREFIX}{key}"] = str(value)
    return values
