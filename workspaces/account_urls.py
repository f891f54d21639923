from allauth.account import views as allauth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from . import account_views


def titled(view_class, title):
    """An allauth view with the page title our layout shows (<title>, heading, breadcrumb)."""
    return view_class.as_view(extra_context={"title": title})


# Login, logout, sign-up, email verification, password change and reset: django-allauth's
# views (throttling, verification, no account enumeration) with our templates
# (templates/account/). Our names come first; allauth's own URL names stay valid for the
# pages it links to itself.
urlpatterns = [
    path("signup/", account_views.signup, name="account_signup"),
    path("login/", titled(allauth_views.LoginView, _("Log in")), name="account_login"),
    path("logout/", titled(allauth_views.LogoutView, _("Log out")), name="account_logout"),
    path(
        "confirm-email/",
        titled(allauth_views.EmailVerificationSentView, _("Check your mailbox")),
        name="account_email_verification_sent",
    ),
    re_path(
        r"^confirm-email/(?P<key>[-:\w]+)/$",
        titled(allauth_views.ConfirmEmailView, _("Confirm your email address")),
        name="account_confirm_email",
    ),
    path(
        "password/change/",
        titled(allauth_views.PasswordChangeView, _("Change password")),
        name="account_change_password",
    ),
    path(
        "password/reset/",
        titled(allauth_views.PasswordResetView, _("Reset your password")),
        name="account_reset_password",
    ),
    path(
        "password/reset/done/",
        titled(allauth_views.PasswordResetDoneView, _("Check your mailbox")),
        name="account_reset_password_done",
    ),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        titled(allauth_views.PasswordResetFromKeyView, _("Choose a new password")),
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        titled(allauth_views.PasswordResetFromKeyDoneView, _("Password changed")),
        name="account_reset_password_from_key_done",
    ),
    path(
        "inactive/",
        titled(allauth_views.AccountInactiveView, _("Account inactive")),
        name="account_inactive",
    ),
    path("", include("allauth.account.urls")),
    # two-factor sign-in (allauth.mfa; our templates in templates/mfa/)
    path("2fa/", include("allauth.mfa.urls")),
    path("profile/", account_views.profile, name="profile"),
    path("workspaces/new/", account_views.workspace_new, name="workspace_new"),
    path("language/", account_views.language_choose, name="language_choose"),
]

# The names of Django's auth views, kept for reverse() in code written before allauth (the
# patterns above answer these paths first).
urlpatterns += [
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("signup/", account_views.signup, name="signup"),
    path("password/change/", allauth_views.password_change, name="password_change"),
    path("password/reset/", allauth_views.password_reset, name="password_reset"),
]
