"""Two-factor sign-in (allauth.mfa) as the workspaces see it: whether a user has an
authenticator app, and whether a workspace requires one (README "Two-factor sign-in")."""

from allauth.mfa.models import Authenticator


def user_has_totp(user) -> bool:
    """True when `user` (a User, possibly anonymous) has an active authenticator app (TOTP)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
