"""Helpers of the merge tests: the page's default choices, as a browser would send them."""

import re

from django.urls import reverse

_RADIO = re.compile(r"<input\b[^>]*>")


def merge_url(survivor_pk, loser_pk, ws="acme"):
    return reverse("contacts:merge", kwargs={"ws": ws, "pk": survivor_pk, "other": loser_pk})


def rendered_defaults(html: str) -> dict[str, str]:
    """{radio name: value} of every checked radio of the merge form, as the page renders it."""
    out = {}
    for tag in _RADIO.findall(html):
        if 'type="radio"' in tag and " checked" in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            out[name] = re.search(r'value="([^"]+)"', tag).group(1)
    return out


def merge_with_page_defaults(client, survivor_pk, loser_pk, ws="acme"):
    """GET the merge page, POST exactly the choices it renders; returns (page, response)."""
    url = merge_url(survivor_pk, loser_pk, ws)
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, rendered_defaults(page.content.decode()))
    return page, response
