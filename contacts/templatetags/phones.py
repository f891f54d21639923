"""One readable phone format everywhere: {% load phones %}

- `{{ contact.phone|phone:contact.phone_extension }}` → "+49 40 55501200 ext. 201"
  (international format of the stored E.164 number, contacts.phones.format_phone);
- `{{ contact.phone|tel:contact.phone_extension }}` → "tel:+494055501200;ext=201" (RFC 3966);
- `{% phone_link contact.phone contact.phone_extension %}` → the number as a tap-to-call link
  (nothing for no number).
"""

from django import template
from django.utils.html import format_html

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
