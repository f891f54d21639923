"""The web_link filter (workspaces/templatetags/crm.py): only http(s) addresses become links."""

import pytest

from workspaces.templatetags.crm import web_link


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "//evil.example",
        "",
        None,
    ],
)
def test_no_other_address_becomes_a_link(value):
    assert web_link(value) == ""


@pytest.mark.parametrize("value", ["https://acme.example/", "HTTP://acme.example"])
def test_http_addresses_stay(value):
    assert web_link(value) == value
