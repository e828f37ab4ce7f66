from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from mps.accounts import actions
from mps.accounts.models import ApiToken, User


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form, refusing a user name with too many recent failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _("Too many failed attempts. Try again in 15 minutes."),
    }

    def clean(self):
        username = (self.data.get("username") or "").strip()
        if username and actions.is_locked_out(username):
            raise forms.ValidationError(self.error_messages["locked_out"], code="locked_out")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                ip = self.request.META.get("REMOTE_ADDR") if self.request else None
                actions.note_failed_login(username, ip)
            raise


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )


class NewUserForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices, initial=User.Role.MEMBER)
