import io

import pytest

from contacts.demo import seed_contacts_demo
from contacts.models import Account, Contact
from tests.factories import MembershipFactory
from touchpoints.models import Interaction
from workspaces.registry import demo_seeders
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(workspace):
    return {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.SALES, Role.MARKETING, Role.SERVICE)
    }


def test_demo_seeds_contacts_accounts_and_history(scope, workspace, users):
    seed_contacts_demo(workspace, users, io.StringIO())
    assert Contact.all_workspaces.filter(workspace=workspace).count() == 60
    assert Account.all_workspaces.filter(workspace=workspace).count() == 15
    assert Interaction.all_workspaces.filter(workspace=workspace).count() >= 150
    channels = set(Interaction.all_workspaces.values_list("channel", flat=True))
    assert {"phone", "meeting", "note"} <= channels


def test_demo_varies_the_segmentation_fields(scope, workspace, users):
    seed_contacts_demo(workspace, users, io.StringIO())
    contacts = Contact.all_workspaces.filter(workspace=workspace)
    assert len(set(contacts.values_list("sex", flat=True))) >= 3
    assert len(set(contacts.values_list("lifecycle_stage", flat=True))) >= 5
    assert contacts.filter(email_opt_in=True, email_opt_in_at__isnull=False).exists()
    assert contacts.filter(email_opt_in=False).exists()


def test_demo_is_idempotent(scope, workspace, users):
    seed_contacts_demo(workspace, users, io.StringIO())
    before = (Contact.all_workspaces.count(), Interaction.all_workspaces.count())
    seed_contacts_demo(workspace, users, io.StringIO())
    assert (Contact.all_workspaces.count(), Interaction.all_workspaces.count()) == before


def test_demo_seeder_is_registered_first():
    seeder = next(s for s in demo_seeders() if s.key == "contacts")
    assert seeder.order == 10
