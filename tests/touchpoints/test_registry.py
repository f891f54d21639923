"""Apps register their timeline label and kinds; the history refuses what nobody registered."""

import pytest

from tests.contacts.factories import ContactFactory
from touchpoints import registry
from touchpoints.models import Interaction
from touchpoints.services import interaction_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(registry, "_apps", dict(registry._apps))
    monkeypatch.setattr(registry, "_kinds", dict(registry._kinds))


def test_every_app_of_the_product_is_registered():
    keys = [key for key, _label in registry.timeline_app_choices()]
    assert keys[:2] == ["contacts", "sales"]
    assert {"marketing", "service"} <= set(keys)


def test_a_new_app_plugs_in_without_a_migration(clean_registry, scope):
    registry.register_timeline_app("loyalty", "Loyalty")
    registry.register_interaction_kind("points.earned", "Points earned", app="loyalty")
    contact = ContactFactory(workspace=scope)
    interaction = interaction_record(
        workspace=scope, kind="points.earned", channel="loyalty", contact=contact, app="loyalty"
    )
    interaction.refresh_from_db()
    assert (interaction.app, interaction.get_app_display()) == ("loyalty", "Loyalty")
    assert interaction.kind_label == "Points earned"


def test_unregistered_app_or_kind_is_refused_and_nothing_is_written(scope):
    contact = ContactFactory(workspace=scope)
    with pytest.raises(LookupError, match="not registered"):
        interaction_record(workspace=scope, kind="email.sent", channel="email", contact=contact)
    with pytest.raises(LookupError, match="not registered"):
        interaction_record(
            workspace=scope, kind="call.logged", channel="phone", contact=contact, app="nope"
        )
    assert not Interaction.objects.filter(contact=contact).exists()


def test_registering_a_key_twice_raises(clean_registry):
    with pytest.raises(ValueError, match="registered already"):
        registry.register_timeline_app("sales", "Sales again")
    with pytest.raises(ValueError, match="registered already"):
        registry.register_interaction_kind("deal.created", "Deal made", app="sales")
    with pytest.raises(LookupError):
        registry.register_interaction_kind("thing.done", "Thing", app="unknown")
    with pytest.raises(ValueError):
        registry.register_interaction_kind("nodot", "No dot", app="sales")


def test_unregistered_kind_of_an_old_row_still_reads():
    assert registry.interaction_kind_label("email.opened") == "Email opened"
