"""Stored XSS: every free-text field of every workspace model (found by introspection:
Char/Text fields without choices, URL fields) is filled with hostile text, and every page of
the workspace is rendered: the payload must appear only escaped (no raw <script>, no event
handler from it) and no link may carry a javascript: address. The pages with an object id
use the objects the isolation registry makes (tests/isolation.py)."""

import html
import re

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, models, transaction
from django.urls import get_resolver, reverse

from tests.conftest import login
from tests.isolation import REGISTRY
from tests.workspaces.test_isolation import _walk, workspace_object_urls
from workspaces.audit import AuditAction, audit_record
from workspaces.models import AuditEntry, Membership
from workspaces.scoping import is_workspace_owned

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEXT_PAYLOAD = f"{SCRIPT}{IMG}{{{{7*7}}}}"
URL_PAYLOAD = "javascript:alert(1)"
# columns that are identifiers, codes or plumbing rather than text people type
SKIP = {
    "key",
    "token",
    "prefix",
    "key_hash",
    "content_hash",
    "message_id",
    "currency",
    "language",
    "time_zone",
    "sku",
    "external_id",
    "color",
    "model",
    "action",
    "password",
    "file",
    "path",
    "claimed_by",
    "lock_token",
    "owner_token",
}


def _is_url(field) -> bool:
    return isinstance(field, models.URLField) or any(
        part in field.name for part in ("url", "website", "link", "href")
    )


def text_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.SlugField)
        and not f.choices
        and not f.primary_key
        and f.name not in SKIP
        and not f.name.endswith(("_token", "_key", "_hash", "_id"))
    ]


def _value(field, pk) -> str:
    payload = URL_PAYLOAD if _is_url(field) else TEXT_PAYLOAD
    suffix = f" {pk}"  # unique constraints on names stay satisfied
    if field.max_length and len(payload) + len(suffix) > field.max_length:
        for shorter in (IMG, SCRIPT, "<b>x</b>"):
            if len(shorter) + len(suffix) <= field.max_length:
                return shorter + suffix
        return ""
    return payload + suffix


def poison(workspace):
    """Every free-text column of every row of `workspace` (and its name and its members'
    names) set to the hostile payload. Rows whose constraints refuse it keep their value."""
    for model in apps.get_models():
        if not is_workspace_owned(model) or model is AuditEntry:  # append-only: see below
            continue
        fields = text_fields(model)
        if not fields:
            continue
        for pk in model.all_workspaces.filter(workspace=workspace).values_list("pk", flat=True):
            for field in fields:
                value = _value(field, pk)
                if not value:
                    continue
                try:
                    with transaction.atomic():
                        model.all_workspaces.filter(pk=pk).update(**{field.name: value})
                except (IntegrityError, DatabaseError):
                    continue
    type(workspace).objects.filter(pk=workspace.pk).update(name=f"{SCRIPT} Acme")
    # the audit log is never updated: a new entry carries the payload into its page
    audit_record(
        workspace=workspace,
        actor=None,
        action=AuditAction.CHANGED,
        object_type="contacts.contact",
        object_id=1,
        object_repr=SCRIPT,
        changes={"first_name": [SCRIPT, IMG]},
        details={"query": IMG},
    )
    for membership in Membership.all_workspaces.filter(workspace=workspace):
        user = membership.user
        type(user).objects.filter(pk=user.pk).update(first_name=IMG[:30], last_name=SCRIPT)


_HREF = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*([^"'\s>]*)""", re.I)


def assert_escaped(content: str, where: str):
    assert SCRIPT not in content, f"{where}: a raw <script> from stored text"
    assert "<img src=x onerror" not in content, f"{where}: a raw event handler from stored text"
    for address in _HREF.findall(content):
        plain = "".join(ch for ch in html.unescape(address) if ch > " ").lower()
        assert not plain.startswith("javascript:"), f"{where}: a javascript: link {address!r}"


def workspace_get_urls():
    return sorted(
        name
        for name, route, _conv in _walk(get_resolver().url_patterns)
        if route.startswith("w/<slug:ws>/")
    )


@pytest.mark.parametrize("url_name", workspace_get_urls())
def test_stored_hostile_text_renders_escaped(url_name, workspace, owner):
    kwargs = {}
    if url_name in workspace_object_urls():
        kwargs, _obj = REGISTRY[url_name](workspace, owner)
    poison(workspace)
    workspace.refresh_from_db()
    client = login(owner)
    response = client.get(reverse(url_name, kwargs={"ws": workspace.slug, **kwargs}))
    assert response.status_code < 500, f"{url_name}: {response.status_code}"
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert_escaped(body.decode("utf-8", "replace"), url_name)
