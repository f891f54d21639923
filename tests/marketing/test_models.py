"""The marketing models keep their tenancy and uniqueness rules."""

import pytest
from django.db import IntegrityError, transaction

from marketing.models import Campaign, Delivery, Suppression
from tests.contacts.factories import ContactFactory
from tests.marketing.factories import CampaignFactory, SuppressionFactory
from workspaces.scoping import ScopeError

pytestmark = pytest.mark.django_db


def test_marketing_models_are_fail_closed():
    with pytest.raises(ScopeError):
        list(Campaign.objects.all())


def test_one_delivery_per_contact_and_per_address(workspace):
    campaign = CampaignFactory(workspace=workspace)
    a = ContactFactory(workspace=workspace, email="a@example.org")
    b = ContactFactory(workspace=workspace, email="b@example.org")
    Delivery.all_workspaces.create(
        workspace=workspace, campaign=campaign, contact=a, address="a@example.org"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.all_workspaces.create(
            workspace=workspace, campaign=campaign, contact=a, address="x@example.org"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.all_workspaces.create(
            workspace=workspace, campaign=campaign, contact=b, address="a@example.org"
        )


def test_one_suppression_per_address(workspace):
    SuppressionFactory(workspace=workspace, address="x@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        SuppressionFactory(workspace=workspace, address="x@example.org")
    assert Suppression.all_workspaces.count() == 1
