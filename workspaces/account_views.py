"""Sign-up, the user's profile and language, and accepting an invitation."""

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.i18n import set_language

from .forms import (
    InvitationSignupForm,
    ProfileForm,
    WorkspaceNewForm,
    apply_service_errors,
)
from .invitation_tokens import (
    InvitationLinkError,
    invitation_from_token,
    owner_confirm_from_token,
)
from .redirects import safe_next_url
from .roles import Role
from .services import (
    invitation_accept,
    invitation_account_problem,
    invitation_owner_confirmation_request,
    invitation_signup,
    user_profile_update,
    workspace_create,
)

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _browser_language(request) -> str:
    code = getattr(request, "LANGUAGE_CODE", "") or ""
    return code if code in dict(settings.LANGUAGES) else ""


def _signup_closed(request):
    context = {"title": _("Sign-up is closed")}
    return render(request, "registration/signup_closed.html", context, status=403)


class SignupView(allauth_views.SignupView):
    """allauth's sign-up with our form (account_forms.SignupForm): whether or not the address
    has an account, the answer is "check your mailbox" (an existing account's owner gets a
    mail saying someone tried to sign up). The user, unverified, and the workspace request are
    stored in one transaction; the workspace is created when the address is verified."""

    extra_context = {"title": _("Sign up")}

    def dispatch(self, request, *args, **kwargs):
        if not settings.SIGNUP_OPEN:
            return _signup_closed(request)
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    @method_decorator(transaction.atomic)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


signup = SignupView.as_view()


@login_required
def workspace_new(request):
    """A signed-in user creates another workspace (they become its owner)."""
    if not settings.SIGNUP_OPEN:
        return _signup_closed(request)
    form = WorkspaceNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workspace = workspace_create(
                name=data["workspace_name"],
                slug=data["slug"],
                owner=request.user,
                time_zone=data["time_zone"],
                currency=data["currency"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your workspace is ready."))
            return redirect("workspace_home", ws=workspace.slug)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": _("New workspace")}
    return render(request, "registration/workspace_new.html", context, status=status)


@login_required
def profile(request):
    """The user's own name and language."""
    user = request.user
    initial = {"name": user.get_full_name(), "language": user.language}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user_profile_update(
            user=user, name=form.cleaned_data["name"], language=form.cleaned_data["language"]
        )
        messages.success(request, _("Profile saved."))
        return redirect("profile")
    return render(request, "registration/profile.html", {"form": form, "title": _("Your profile")})


def language_choose(request):
    """The language switcher: saved on the user when logged in, else in a cookie."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in ("", *dict(settings.LANGUAGES)):
        user_profile_update(user=request.user, name=request.user.get_full_name(), language=language)
    if not language:
        response = redirect(safe_next_url(request, request.POST.get("next"), default="/"))
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
    return set_language(request)


def _invalid_link(request, reason):
    context = {"reason": reason, "title": _("Invitation link not valid")}
    return render(request, "workspaces/invitation_invalid.html", context, status=400)


def _wrong_account(request, invitation):
    """The logged-in account is not the invited one: say which to use; nothing changes."""
    context = {
        "invitation": invitation,
        "invited_workspace": invitation.workspace,
        "title": _("Invitation for another account"),
    }
    return render(request, "workspaces/invitation_wrong_account.html", context, status=403)


def _owner_confirmation_sent(request, invitation):
    context = {
        "invitation": invitation,
        "invited_workspace": invitation.workspace,
        "title": _("Confirm by email"),
    }
    return render(request, "workspaces/invitation_owner_confirm_sent.html", context)


def _welcome(request, workspace):
    messages.success(request, _("Welcome to %(workspace)s.") % {"workspace": workspace.name})
    return redirect("workspace_home", ws=workspace.slug)


@sensitive_post_parameters("password1", "password2")
def invitation_accept_view(request, token):
    """/invite/<token>/: the invited account joins with one click; another logged-in account
    is told which one to use; a visitor creates the account for the invited address (it
    counts as verified: the link came by mail to it) or logs in first. The owner role is
    granted only through a second, emailed confirmation link. Bad links change nothing."""
    try:
        invitation = invitation_from_token(token)
    except InvitationLinkError as error:
        return _invalid_link(request, str(error))
    workspace = invitation.workspace
    signup_form = None
    if request.user.is_authenticated:
        if invitation_account_problem(invitation=invitation, user=request.user):
            return _wrong_account(request, invitation)
        if request.method == "POST":
            try:
                if invitation.role == Role.OWNER:
                    invitation_owner_confirmation_request(invitation=invitation, user=request.user)
                    return _owner_confirmation_sent(request, invitation)
                invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as error:
                return _invalid_link(request, " ".join(error.messages))
            return _welcome(request, workspace)
    else:
        signup_form = InvitationSignupForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and signup_form.is_valid():
            try:
                user = invitation_signup(
                    invitation=invitation,
                    name=signup_form.cleaned_data["name"],
                    password=signup_form.cleaned_data["password2"],
                    language=_browser_language(request),
                )
            except ValidationError as error:
                signup_form.add_error(None, error)
            else:
                login(request, user, backend=AUTH_BACKEND)
                if invitation.role == Role.OWNER:
                    return _owner_confirmation_sent(request, invitation)
                return _welcome(request, workspace)
    context = {
        "invitation": invitation,
        "invited_workspace": workspace,
        "signup_form": signup_form,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        "title": _("Invitation to %(workspace)s") % {"workspace": workspace.name},
    }
    status = 400 if signup_form is not None and signup_form.errors else 200
    return render(request, "workspaces/invitation_accept.html", context, status=status)


def invitation_owner_confirm_view(request, token):
    """/invite/confirm/<token>/: the emailed link that grants an owner invitation. It works
    only logged in as the account it was sent for (mailbox and password together); GET shows
    a button, POST grants the role."""
    try:
        invitation, user_id = owner_confirm_from_token(token)
    except InvitationLinkError as error:
        return _invalid_link(request, str(error))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != user_id:
        return _wrong_account(request, invitation)
    if request.method == "POST":
        try:
            invitation_accept(invitation=invitation, user=request.user, owner_confirmed=True)
        except ValidationError as error:
            return _invalid_link(request, " ".join(error.messages))
        return _welcome(request, invitation.workspace)
    context = {
        "invitation": invitation,
        "invited_workspace": invitation.workspace,
        "title": _("Become an owner of %(workspace)s") % {"workspace": invitation.workspace.name},
    }
    return render(request, "workspaces/invitation_owner_confirm.html", context)
