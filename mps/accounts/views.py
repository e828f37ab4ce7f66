"""Log in and out, API tokens, and the organisation's users."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mps.accounts import actions
from mps.accounts.forms import NewUserForm, ThrottledLoginForm, TokenForm
from mps.accounts.models import ApiToken, User
from mps.core.tenancy import get_visible_or_404, visible


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        actions.clear_failed_logins(form.get_user().get_username())
        return super().form_valid(form)


def _settings_context(request: HttpRequest, **extra) -> dict:
    viewer = request.viewer
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    users = (
        visible(User, viewer).filter(organisation_id=viewer.organisation_id).order_by("username")
        if viewer.is_admin and viewer.organisation_id
        else User.objects.none()
    )
    return {
        "tokens": tokens,
        "users": users,
        "token_form": extra.pop("token_form", TokenForm()),
        "user_form": extra.pop("user_form", NewUserForm()),
        "nav": "account",
        **extra,
    }


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/settings.html", _settings_context(request))


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/settings.html",
            _settings_context(request, token_form=form),
            status=400,
        )
    try:
        token, secret = actions.do_create_token(
            request.user, form.cleaned_data["name"], form.cleaned_data["scope"]
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("accounts:settings")
    # The secret is shown on this response only; it is never stored or shown again.
    return render(
        request,
        "accounts/settings.html",
        _settings_context(request, new_secret=secret, new_token=token),
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, apitoken_id: int) -> HttpResponse:
    token = get_visible_or_404(
        ApiToken.objects.filter(user=request.user), request.viewer, pk=apitoken_id
    )
    actions.do_revoke_token(request.user, token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:settings")


@login_required
@require_POST
def create_user(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    if not viewer.is_admin or viewer.organisation is None or not viewer.can_write:
        raise PermissionDenied("Only administrators may add users.")
    form = NewUserForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/settings.html",
            _settings_context(request, user_form=form),
            status=400,
        )
    try:
        user = actions.do_create_user(
            request.user,
            viewer.organisation,
            form.cleaned_data["username"],
            form.cleaned_data["email"],
            form.cleaned_data["role"],
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(
            request,
            "accounts/settings.html",
            _settings_context(request, user_form=form),
            status=400,
        )
    messages.success(
        request,
        _("User %(name)s was added. They set a password through the password reset link.")
        % {"name": user.username},
    )
    return redirect("accounts:settings")
