"""Writes for users and API tokens. Each validates, saves and records the audit log."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from mps.accounts.models import ApiToken, FailedLogin, User, hash_token
from mps.core import audit
from mps.core.tenancy import Viewer, viewer_for

TOKEN_PREFIX = "mps_"  # noqa: S105 - a public prefix, not a secret


@transaction.atomic
def do_create_user(
    actor: User | None,
    organisation,
    username: str,
    email: str,
    role: str,
    password: str | None = None,
) -> User:
    viewer = viewer_for(actor) if actor is not None else None
    if viewer is not None and not (
        viewer.is_operator or (viewer.is_admin and viewer.organisation_id == organisation.pk)
    ):
        raise PermissionDenied("Only the organisation's administrators may add users.")
    if role not in User.Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The user name {username!r} is taken."})
    user = User(username=username, email=email, organisation=organisation, role=role)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(actor, "user.create", user, after=audit.snapshot(user))
    return user


@transaction.atomic
def do_create_token(actor: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored."""
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": f"Unknown scope {scope!r}; use read or write."})
    if not name.strip():
        raise ValidationError({"name": "Give the token a name."})
    if actor.organisation_id is None:
        raise PermissionDenied("Users without an organisation cannot have API tokens.")
    if scope == ApiToken.Scope.WRITE and not viewer_for(actor).can_write:
        raise PermissionDenied("A read-only user cannot create a write token.")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=actor,
        organisation_id=actor.organisation_id,
        name=name.strip()[:100],
        prefix=prefix,
        token_hash=hash_token(secret),
        scope=scope,
    )
    audit.record(actor, "token.create", token, after=audit.snapshot(token, exclude=("token_hash",)))
    return token, secret


@transaction.atomic
def do_revoke_token(actor: User, token: ApiToken) -> ApiToken:
    viewer = viewer_for(actor)
    if (
        token.user_id != actor.pk
        and not (viewer.is_admin and token.organisation_id == viewer.organisation_id)
        and not viewer.is_operator
    ):
        raise PermissionDenied("You may not revoke this token.")
    if token.revoked_at is None:
        before = audit.snapshot(token, exclude=("token_hash",))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor,
            "token.revoke",
            token,
            before=before,
            after=audit.snapshot(token, exclude=("token_hash",)),
        )
    return token


def authenticate_token(secret: str) -> ApiToken | None:
    """The active token for this secret, with its last-used time refreshed (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_viewer(token: ApiToken) -> Viewer:
    return viewer_for(token.user, token_scope=token.scope)


def is_locked_out(username: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = FailedLogin.objects.filter(username__iexact=username, at__gte=since).count()
    return recent >= settings.LOGIN_FAILURE_LIMIT


def note_failed_login(username: str, ip_address: str | None) -> None:
    FailedLogin.objects.create(username=username[:150], ip_address=ip_address)


def clear_failed_logins(username: str) -> None:
    FailedLogin.objects.filter(username__iexact=username).delete()
