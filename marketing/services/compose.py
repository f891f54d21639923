"""One campaign message for one recipient: personalised parts, tracked links, the open pixel,
a visible unsubscribe link and the headers bulk mail must carry.

Headers (each on one line, RFC 5322 allows 998 characters):
- List-Unsubscribe: <https://…/m/u/<token>/>, <mailto:unsubscribe@<domain>?subject=…> and
  List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 2369, RFC 8058);
- Auto-Submitted: auto-generated (RFC 3834), Precedence: bulk and
  X-Auto-Response-Suppress: OOF, AutoReply, so auto-responders stay quiet;
- Message-ID <m<delivery id>.w<workspace id>@<domain>> (stored on the delivery);
- the envelope sender (Return-Path) bounce+<delivery token>@<domain> (VERP: a bounce names
  the delivery; workspaces/mail/dsn.py reads the token back).
"""

import email.policy
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from ..models import Campaign, TrackedLink
from ..rendering import personalisation_values, render_message
from ..tokens import click_token, delivery_token

# Headers unfolded (one line each), CRLF line ends: what goes on the wire.
WIRE_POLICY = email.policy.SMTP.clone(max_line_length=998)
VERP_PREFIX = "bounce+"

_HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")', re.IGNORECASE)
_TEXT_URL = re.compile(r"https?://[^\s<>\"')\]]+")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.urls.append(href)


def trackable_urls(html_body: str, text_body: str) -> list[str]:
    """The distinct http(s) links of a campaign's content in order of appearance (HTML links
    first, then URLs of the text part), without personalised ones (holding "{{"): these are
    stored as TrackedLinks at launch."""
    parser = _Links()
    parser.feed(html_body or "")
    seen: dict[str, None] = {}
    for url in [*parser.urls, *_TEXT_URL.findall(text_body or "")]:
        if "{{" not in url and len(url) <= 2000:
            seen.setdefault(url, None)
    return list(seen)


def mail_domain(campaign: Campaign) -> str:
    """The domain of bounce and unsubscribe addresses: MARKETING_BOUNCE_DOMAIN, else the
    sender's."""
    configured = getattr(settings, "MARKETING_BOUNCE_DOMAIN", "")
    if configured:
        return configured
    sender = campaign.sender.from_email if campaign.sender_id else settings.DEFAULT_FROM_EMAIL
    return sender.rpartition("@")[2].strip(">").strip() or "localhost"


def verp_address(token: str, domain: str) -> str:
    """bounce+<token>@<domain>, ":" written as "=" (the form workspaces/mail/dsn.py reads)."""
    return f"{VERP_PREFIX}{token.replace(':', '=')}@{domain}"


@dataclass
class Prepared:
    """What every message of a campaign shares (built once per batch)."""

    campaign: Campaign
    parts: dict  # variant key ("" for none) -> (subject, html, text)
    links: dict[str, int]  # url -> TrackedLink.position
    domain: str
    from_header: str
    reply_to: list[str] = field(default_factory=list)


def prepare(campaign: Campaign) -> Prepared:
    """The campaign's shared parts: content per variant, tracked links, sender, domain."""
    parts = {"": (campaign.subject, campaign.html_body, campaign.text_body)}
    for variant in campaign.variants.all():
        parts[variant.key] = (variant.subject, variant.html_body, variant.text_body)
    links = dict(
        TrackedLink.objects.filter(workspace=campaign.workspace_id, campaign=campaign).values_list(
            "url", "position"
        )
    )
    sender = campaign.sender
    from_email = sender.from_email if sender else settings.DEFAULT_FROM_EMAIL
    from_header = from_email
    if sender and sender.from_name:
        from email.headerregistry import Address

        local, _at, domain = from_email.rpartition("@")
        from_header = str(Address(display_name=sender.from_name, username=local, domain=domain))
    return Prepared(
        campaign=campaign,
        parts=parts,
        links=links,
        domain=mail_domain(campaign),
        from_header=from_header,
        reply_to=[sender.reply_to] if sender and sender.reply_to else [],
    )


def public_url(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"token": token})


@dataclass
class Composed:
    message: EmailMultiAlternatives
    envelope_from: str
    recipient: str
    message_id: str

    def wire_bytes(self) -> bytes:
        """The message as sent over SMTP (CRLF, headers unfolded)."""
        return self.message.message(policy=WIRE_POLICY).as_bytes()


def _rewrite_html(body: str, links: dict[str, int], click) -> str:
    def replace(match):
        url = html.unescape(match.group(2))
        position = links.get(url)
        if position is None:
            return match.group(0)
        return f"{match.group(1)}{html.escape(click(position))}{match.group(3)}"

    return _HREF.sub(replace, body)


def _rewrite_text(body: str, links: dict[str, int], click) -> str:
    def replace(match):
        url = match.group(0)
        position = links.get(url)
        return url if position is None else click(position)

    return _TEXT_URL.sub(replace, body)


def compose(prepared: Prepared, delivery, contact) -> Composed:
    """The message of `delivery` for `contact`. Raises rendering.TemplateError when the
    content cannot be rendered for this contact (output too large)."""
    ws = delivery.workspace_id
    token = delivery_token(ws, delivery.pk)
    unsubscribe_url = public_url("marketing_unsubscribe", token)
    pixel_url = public_url("marketing_open", token)
    values = personalisation_values(contact)
    values["unsubscribe_url"] = unsubscribe_url
    key = ""
    if delivery.variant_id and delivery.variant.key in prepared.parts:
        key = delivery.variant.key
    subject, html_body, text_body = prepared.parts[key]
    rendered = render_message(
        subject=subject, html_body=html_body, text_body=text_body, values=values
    )

    def click(position: int) -> str:
        return public_url("marketing_click", click_token(ws, delivery.pk, position))

    html_out = _rewrite_html(rendered.html, prepared.links, click) if rendered.html else ""
    text_out = _rewrite_text(rendered.text, prepared.links, click)
    if "unsubscribe_url" not in html_body and html_out:
        html_out += (
            '<p style="font-size:12px;color:#666">'
            f'<a href="{html.escape(unsubscribe_url)}">Unsubscribe</a></p>'
        )
    if "unsubscribe_url" not in text_body:
        text_out += f"\n\n--\nUnsubscribe: {unsubscribe_url}\n"
    if html_out:
        pixel = f'<img src="{html.escape(pixel_url)}" width="1" height="1" alt="">'
        html_out = (
            html_out.replace("</body>", pixel + "</body>", 1)
            if "</body>" in html_out
            else html_out + pixel
        )
    envelope_from = verp_address(token, prepared.domain)
    message_id = f"<m{delivery.pk}.w{ws}@{prepared.domain}>"
    mailto = f"unsubscribe@{prepared.domain}?subject={quote('unsubscribe ' + token)}"
    recipient = contact.email if contact.email_key == delivery.address else delivery.address
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=text_out,
        from_email=envelope_from,
        to=[recipient],
        reply_to=prepared.reply_to,
        headers={
            "From": prepared.from_header,
            "Message-ID": message_id,
            "Return-Path": f"<{envelope_from}>",
            "List-Unsubscribe": f"<{unsubscribe_url}>, <mailto:{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Precedence": "bulk",
            "X-Auto-Response-Suppress": "OOF, AutoReply",
        },
    )
    if html_out:
        message.attach_alternative(html_out, "text/html")
    return Composed(
        message=message, envelope_from=envelope_from, recipient=recipient, message_id=message_id
    )
