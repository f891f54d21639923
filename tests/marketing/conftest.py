import pytest

from tests.marketing.smtp_server import SmtpServer


@pytest.fixture
def smtp(settings):
    """A faulty-on-demand SMTP server on loopback, configured as the mailer."""
    server = SmtpServer().start()
    settings.MAILERS = server.mailers()
    settings.SITE_URL = "https://crm.example"
    settings.BOUNCE_DOMAIN = "bounces.acme.example"
    yield server.inbox
    server.stop()
