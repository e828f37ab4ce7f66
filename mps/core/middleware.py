"""Request-wide concerns: who is asking (the viewer) and our own security headers."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from mps.core.tenancy import viewer_for

# Our pages need nothing from other origins and no inline script or style.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class ViewerMiddleware:
    """Attach request.viewer; API token authentication replaces it for API requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not hasattr(request, "viewer"):
            request.viewer = SimpleLazyObject(lambda: viewer_for(request.user))
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """CSP, Permissions-Policy and no caching of private pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path
        if path.startswith("/api/") and path.rstrip("/").endswith("/docs"):
            # The interactive API docs load their own script bundle from our static files.
            response.headers.setdefault(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY.replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ),
            )
        else:
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not path.startswith(
            settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else "/" + settings.STATIC_URL
        ):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
