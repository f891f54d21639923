import pytest

from tests.marketing.conftest import smtp  # noqa: F401 - the SMTP server fixture
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver(settings):
    """A loopback receiver; WEBHOOKS_ALLOW_PRIVATE on so the CRM may post to it."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_TIMEOUT = 2.0
    server = Receiver()
    yield server
    server.stop()
