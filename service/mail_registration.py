"""What email to case plugs in (called once from ServiceConfig.ready): agents' replies go
out by email through the case's `on_reply_added` hook."""

from . import hooks
from .services.mail_out import reply_email_send


def register() -> None:
    """Register the hook; a second call raises (duplicate key)."""
    hooks.on_reply_added.register("service.reply_email", reply_email_send)
