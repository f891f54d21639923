"""What email to case registers with the lower apps (called once from ServiceConfig.ready):
the touch-point kinds of mail in and bounced mail on the customer's timeline."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_interaction_kind


def register() -> None:
    """Register the kinds; a second call raises (duplicate keys)."""
    register_interaction_kind("case.email_in", _("Email received on a case"), app="service")
