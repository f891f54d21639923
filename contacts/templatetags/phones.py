"""One readable phone format everywhere: {% load phones %}

- `{{ contact.phone|phone:contact.phone_extension }}` → "+49 40 55501200 ext. 201"
  (international format of the stored E.164 number, contacts.phones.format_phone);
- `{{ contact.phone|tel:contact.phone_extension }}` → "tel:+494055501200;ext=201" (RFC 3966);
- `{% phone_link contact.phone contact.phone_extension %}` → the number as a tap-to-call link
  (nothing for no number);
- `{% reach_links phone=c.phone extension=c.phone_extension email=c.email no_call=c.do_not_call %}`
  → the "Call" and "Email" buttons of a list row on a phone.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from ..phones import format_phone, phone_tel_uri

register = template.Library()


@register.filter
def phone(e164, extension=""):
    """The stored number for reading: "+49 30 1234567", "+49 40 55501200 ext. 201"."""
    return format_phone(str(e164 or ""), str(extension or ""))


@register.filter
def tel(e164, extension=""):
    """The stored number to dial: "tel:+494055501200;ext=201"."""
    return phone_tel_uri(str(e164 or ""), str(extension or ""))


@register.simple_tag
def phone_link(e164, extension="", css_class=""):
    """<a href="tel:…">+49 40 55501200 ext. 201</a>, or "" when there is no number."""
    if not e164:
        return ""
    return format_html(
        '<a href="{}"{}>{}</a>',
        phone_tel_uri(str(e164), str(extension or "")),
        format_html(' class="{}"', css_class) if css_class else "",
        format_phone(str(e164), str(extension or "")),
    )


@register.simple_tag
def reach_links(phone="", email="", extension="", no_call=False):
    """Tap to call and to write on a phone (hidden from md up): a "Call" button for `phone`
    (stored E.164, so tel: dials from anywhere; none when `no_call`) and an "Email" button
    for `email`, or "" when there is neither. Built in Python, not as an included template:
    list pages render it on every row (an include per row was a fifth of the contact list's
    rendering time)."""
    phone, email, extension = str(phone or ""), str(email or ""), str(extension or "")
    links = []
    if phone and not no_call:
        links.append(
            (
                "btn-outline-success",
                phone_tel_uri(phone, extension),
                "tel-link",
                gettext("Call %(number)s") % {"number": format_phone(phone, extension)},
                gettext("Call"),
            )
        )
    if email:
        links.append(
            (
                "btn-outline-primary",
                f"mailto:{email}",
                "mailto-link",
                gettext("Write to %(email)s") % {"email": email},
                gettext("Email"),
            )
        )
    if not links:
        return ""
    return format_html(
        '<div class="reach-links d-md-none" data-testid="reach-links">{}</div>',
        format_html_join(
            " ",
            '<a class="btn btn-sm {}" href="{}" data-testid="{}" aria-label="{}">{}</a>',
            links,
        ),
    )
