"""Secrets are never filterable in the admin: every changelist filters from the URL only
through the filters it lists."""

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from sales.services.calendar_feeds import calendar_feed_get_or_create
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory
from workspaces.admin_lookups import ListedLookupsOnlyMixin
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

FEEDS = "/admin/sales/calendarfeed/"
USERS = "/admin/workspaces/user/"
MEMBERS = "/admin/workspaces/membership/"


@pytest.fixture
def staff_client(db):
    return login(UserFactory(is_superuser=True, is_staff=True))


def test_a_workspace_admin_cannot_probe_a_members_feed_token(client_for, workspace, owner):
    with workspace_scope(workspace):
        feed = calendar_feed_get_or_create(workspace=workspace, user=owner)
    client = client_for(Role.ADMIN)
    assert client.get(FEEDS).status_code == 200
    right = client.get(f"{FEEDS}?token__startswith={feed.token[0]}")
    wrong = client.get(f"{FEEDS}?token__startswith=%00")
    assert right.status_code == wrong.status_code == 400
    for lookup in ("token", "token__exact", "token__regex", "token__gt", "user__password"):
        assert client.get(f"{FEEDS}?{lookup}={feed.token}").status_code == 400, lookup


def test_platform_staff_cannot_filter_users_by_password_hash(staff_client):
    UserFactory(email="ada@example.com")
    for lookup in ("password__startswith=md5", "password=x", "password__contains=$"):
        assert staff_client.get(f"{USERS}?{lookup}").status_code == 400, lookup
    assert staff_client.get(f"{USERS}?is_active__exact=1").status_code == 200


def test_no_path_through_a_relation_to_a_password(client_for, staff_client):
    client = client_for(Role.OWNER)
    assert client.get(f"{MEMBERS}?user__password__startswith=md5").status_code == 400
    # the workspace filter platform staff get is a filter on the workspace, not a way in
    assert staff_client.get(f"{MEMBERS}?workspace__id__exact=1").status_code == 200
    assert staff_client.get(f"{MEMBERS}?workspace__name__startswith=A").status_code == 400


def test_listed_filters_still_filter(client_for, member_factory):
    client = client_for(Role.OWNER)
    member_factory(Role.SALES)
    response = client.get(f"{MEMBERS}?role__exact=sales")
    assert response.status_code == 200
    assert {m.role for m in response.context["cl"].result_list} == {"sales"}
    assert client.get("/admin/touchpoints/interaction/?occurred_at__year=2026").status_code == 200
    assert client.get("/admin/sales/activity/?type__exact=call").status_code == 200


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_refuses_lookups_on_fields_it_does_not_list(db):
    staff = UserFactory(is_superuser=True, is_staff=True)
    request = _request(staff)
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ListedLookupsOnlyMixin), model
        listed = {
            item if isinstance(item, str) else item[0]
            for item in model_admin.get_list_filter(request)
            if isinstance(item, (str, list, tuple))
        } | {model_admin.date_hierarchy}
        for field in model._meta.concrete_fields:
            if field.name in listed:
                continue
            for suffix in ("", "__startswith", "__gt", "__isnull"):
                lookup = f"{field.name}{suffix}"
                assert not model_admin.lookup_allowed(lookup, "a", request), (model, lookup)
        for name in listed - {None}:
            field = model._meta.get_field(name.split("__")[0])
            lookup = (
                f"{name}__exact"
                if not isinstance(field, models.ForeignKey)
                else f"{name}__id__exact"
            )
            assert model_admin.lookup_allowed(lookup, "1", request), (model, lookup)


def test_no_admin_searches_a_secret():
    secrets = {"token", "password", "secret", "key"}
    for model, model_admin in admin.site._registry.items():
        for path in model_admin.search_fields:
            parts = set(path.lstrip("^=@").split("__"))
            assert not parts & secrets, (model, path)


def test_the_feed_admin_lists_no_token(client_for, workspace, owner):
    with workspace_scope(workspace):
        feed = calendar_feed_get_or_create(workspace=workspace, user=owner)
    MembershipFactory(workspace=workspace, role=Role.SALES)
    client = client_for(Role.ADMIN)
    assert feed.token not in client.get(FEEDS).content.decode()
    assert feed.token not in client.get(f"{FEEDS}{feed.pk}/change/").content.decode()
