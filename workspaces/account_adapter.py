"""How django-allauth fits the product: our client address, our links, our sign-up switch,
and the signed-up workspace created once the address is verified."""

from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .client_address import client_ip
from .services import signup_workspace_create


def site_url(path: str) -> str:
    """An absolute link for mail: SITE_URL (never the Host header of the request) + path."""
    return f"{settings.SITE_URL}{path}"


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The same words whether or not the address has an account (the limit counts both).
        "too_many_login_attempts": _(
            "Too many failed login attempts. Wait 15 minutes and try again, or choose a new "
            "password with “Forgot your password?”."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        return settings.SIGNUP_OPEN

    def get_client_ip(self, request) -> str:
        """The address every allauth rate limit counts by (see workspaces.client_address)."""
        return client_ip(request)

    def confirm_email(self, request, email_address) -> bool:
        """Verifying the address completes the sign-up: the workspace asked for is created."""
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            self._signup_complete(request, email_address.user)
        return confirmed

    def login(self, request, user) -> None:
        """A login happens only with a verified address, so it also completes a sign-up
        whose address was verified another way (e.g. by platform staff in the admin)."""
        super().login(request, user)
        self._signup_complete(request, user)

    def _signup_complete(self, request, user) -> None:
        """Create the workspace asked for at sign-up; when an app's set-up refuses, nothing
        of the workspace is stored, the person is told why, and the request stays so the
        next login tries again."""
        try:
            signup_workspace_create(user=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))

    # Links in mail point to SITE_URL, like invitations.
    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email: str) -> None:
        context = {
            "signup_url": site_url(reverse("account_signup")),
            "login_url": site_url(reverse("account_login")),
            "password_reset_url": site_url(reverse("account_reset_password")),
        }
        self.send_mail("account/email/account_already_exists", email, context)
