"""The touch point kinds other systems send through the API, in the `external` timeline app
(registered by api.registration). They may send any other registered kind too."""

from django.utils.translation import gettext_lazy as _

EXTERNAL_APP = "external"
EXTERNAL_KINDS = {
    "order.placed": _("Order placed"),
    "order.shipped": _("Order shipped"),
    "order.cancelled": _("Order cancelled"),
    "order.returned": _("Order returned"),
    "payment.received": _("Payment received"),
    "web.visited": _("Website visit"),
    "loyalty.points_earned": _("Loyalty points earned"),
    "loyalty.points_redeemed": _("Loyalty points redeemed"),
    "ticket.opened": _("Ticket opened elsewhere"),
    "external.event": _("Event in another system"),
}
