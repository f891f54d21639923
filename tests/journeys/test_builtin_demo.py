"""The demo data of the built-in journeys: three live, one draft, once."""

import io

import pytest

from journeys.builtin import demo_seed
from journeys.models import Journey
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def test_demo_switches_the_builtins_on_once(workspace, owner, member_factory):
    marketer = member_factory(Role.MARKETING)
    users = {Role.OWNER: owner, Role.MARKETING: marketer}
    demo_seed(workspace, users, io.StringIO())
    demo_seed(workspace, users, io.StringIO())
    journeys = dict(Journey.objects.values_list("template_key", "status"))
    assert journeys == {
        "welcome": "live",
        "win_back": "live",
        "lead_nurturing": "live",
        "re_engage": "draft",
    }
    assert Journey.objects.count() == 4
