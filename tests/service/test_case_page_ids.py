"""The case page's HTML ids are unique (the reply box and the "Log a call" form each have
their own), so labels, the canned-response and article inserts reach the right field."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from service.services import setup
from tests.service import factories as f
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def test_the_case_page_has_no_duplicate_ids(workspace, client_for):
    client = client_for(Role.SERVICE)
    with workspace_scope(workspace):
        setup.canned_response_create(workspace=workspace, actor=None, title="Hi", body="Hello")
    case = f.new_case(workspace)
    html = client.get(
        reverse("service:case_detail", kwargs={"ws": "acme", "pk": case.pk})
    ).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    assert 'id="reply_body"' in html and 'data-canned-target="reply_body"' in html
    assert 'data-kb-target="reply_body"' in html and 'for="reply_body"' in html
    log_form = re.search(r'data-testid="log-form".*?</form>', html, re.S).group(0)
    assert 'name="body"' in log_form and 'id="log_body"' in log_form
