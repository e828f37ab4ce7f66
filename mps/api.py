"""The REST API under /api/v1: token or session auth, RFC 9457 problem details, OpenAPI.

Each app may ship an `api` module with a ninja `router` (and an optional `PREFIX`); it is
mounted here automatically, so a new capability adds endpoints without editing this file.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from mps.accounts.actions import authenticate_token, token_viewer
from mps.core.tenancy import viewer_for

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PROBLEM_CONTENT_TYPE = "application/problem+json"


class ReadOnlyToken(Exception):
    """A read-scoped token was used for a write."""


def _attach_token(request: HttpRequest, secret: str) -> Any:
    token = authenticate_token(secret)
    if token is None:
        return None
    if token.scope == "read" and request.method not in SAFE_METHODS:
        raise ReadOnlyToken()
    request.user = token.user
    request.viewer = token_viewer(token)
    return token


class BearerToken(HttpBearer):
    openapi_description = "An API token from your account page: `Authorization: Bearer mps_…`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _attach_token(request, token)


class HeaderToken(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _attach_token(request, key) if key else None


class Session(SessionAuth):
    """The browser session, with CSRF protection on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user:
            request.viewer = viewer_for(user)
        return user


api = NinjaAPI(
    title="mps API",
    version="1",
    description="Service register, agreements and the capabilities built on them. Errors are RFC 9457 problem details.",
    urls_namespace="api",
    auth=[BearerToken(), HeaderToken(), Session()],
)


def problem(
    request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any
) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


@api.exception_handler(NinjaValidationError)
def _validation(request, exc):
    errors = [
        {
            "location": list(map(str, e.get("loc", ()))),
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return problem(
        request, 422, "Invalid request", "The request did not validate; see errors.", errors=errors
    )


@api.exception_handler(DjangoValidationError)
def _django_validation(request, exc):
    if hasattr(exc, "message_dict"):
        errors = [
            {"location": [field], "message": " ".join(msgs)}
            for field, msgs in exc.message_dict.items()
        ]
    else:
        errors = [{"location": [], "message": m} for m in exc.messages]
    return problem(
        request, 422, "Invalid data", "; ".join(e["message"] for e in errors), errors=errors
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem(
        request, 401, "Not authenticated", "Send an API token as 'Authorization: Bearer <token>'."
    )


@api.exception_handler(ReadOnlyToken)
def _read_only(request, exc):
    return problem(
        request,
        403,
        "Read-only token",
        "This token has the read scope; writing needs a write token.",
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem(request, 403, "Forbidden", str(exc) or "You may not do this.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, 404, "Not found", "No such object, or you may not see it.")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(
        request,
        exc.status_code,
        str(exc.message) if hasattr(exc, "message") else str(exc),
        str(exc),
    )


def _mount_app_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("mps."):
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(getattr(module, "PREFIX", f"/{config.label}"), router)


_mount_app_routers()
