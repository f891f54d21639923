"""Sign-up, the user's profile and language, and accepting an invitation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.i18n import set_language

from .forms import (
    InvitationSignupForm,
    ProfileForm,
    SignupForm,
    WorkspaceNewForm,
    apply_service_errors,
)
from .invitation_tokens import InvitationLinkError, invitation_from_token
from .redirects import safe_next_url
from .services import (
    invitation_accept,
    invitation_signup,
    user_profile_update,
    user_signup,
    workspace_create,
)

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _browser_language(request) -> str:
    code = getattr(request, "LANGUAGE_CODE", "") or ""
    return code if code in dict(settings.LANGUAGES) else ""


def _signup_closed(request):
    context = {"title": _("Sign-up is closed")}
    return render(request, "registration/signup_closed.html", context, status=403)


@sensitive_post_parameters("password1", "password2")
def signup(request):
    """A new user and workspace with them as owner; logged in, off to the workspace."""
    if not settings.SIGNUP_OPEN:
        return _signup_closed(request)
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, workspace = user_signup(
                name=data["name"],
                email=data["email"],
                password=data["password2"],
                workspace_name=data["workspace_name"],
                slug=data["slug"],
                time_zone=data["time_zone"],
                currency=data["currency"],
            )
        except ValidationError as error:  # a race with another sign-up: same checks, later
            apply_service_errors(form, error)
        else:
            login(request, user, backend=AUTH_BACKEND)
            messages.success(request, _("Welcome! Your workspace is ready."))
            return redirect("workspace_home", ws=workspace.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/signup.html", {"form": form, "title": _("Sign up")}, status=status
    )


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


@sensitive_post_parameters("password1", "password2")
def invitation_accept_view(request, token):
    """/invite/<token>/: a logged-in user joins with one click; a visitor creates an account
    with the invited email address or logs in first. Bad links change nothing (400)."""
    try:
        invitation = invitation_from_token(token)
    except InvitationLinkError as error:
        return _invalid_link(request, str(error))
    workspace = invitation.workspace
    signup_form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as error:
                return _invalid_link(request, " ".join(error.messages))
            messages.success(
                request, _("Welcome to %(workspace)s.") % {"workspace": workspace.name}
            )
            return redirect("workspace_home", ws=workspace.slug)
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
                messages.success(
                    request, _("Welcome to %(workspace)s.") % {"workspace": workspace.name}
                )
                return redirect("workspace_home", ws=workspace.slug)
    context = {
        "invitation": invitation,
        "invited_workspace": workspace,
        "signup_form": signup_form,
        "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
        "title": _("Invitation to %(workspace)s") % {"workspace": workspace.name},
    }
    status = 400 if signup_form is not None and signup_form.errors else 200
    return render(request, "workspaces/invitation_accept.html", context, status=status)
