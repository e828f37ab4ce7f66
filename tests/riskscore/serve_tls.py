"""Serve mps (its real WSGI application, production settings from the environment) over HTTPS
and plain HTTP on one loopback address, as a small TLS-terminating front would.

``python -m tests.riskscore.serve_tls IP HTTPS_PORT HTTP_PORT CHAIN_PEM KEY_PEM`` prints
``ready`` once both ports listen. Test use only: wsgiref with a thread per connection.
"""

from __future__ import annotations

import ssl
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class TlsServer(ThreadingServer):
    """Accepts plain TCP and does the TLS handshake in the connection's own thread."""

    context: ssl.SSLContext

    def finish_request(self, request, client_address):  # type: ignore[no-untyped-def]
        request.settimeout(10)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a probe with an old protocol or cipher: refused, as a real front would
        super().finish_request(tls, client_address)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # type: ignore[no-untyped-def]  # noqa: A002
        pass


class ForwardedProto:
    """Tell Django which scheme the request came in on (SECURE_PROXY_SSL_HEADER)."""

    def __init__(self, app, scheme: str) -> None:  # type: ignore[no-untyped-def]
        self.app, self.scheme = app, scheme

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        environ["HTTP_X_FORWARDED_PROTO"] = self.scheme
        environ["wsgi.url_scheme"] = self.scheme
        return self.app(environ, start_response)


def main() -> None:
    ip, https_port, http_port, chain, key = sys.argv[1:6]
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(chain, key)
    secure = make_server(
        ip, int(https_port), ForwardedProto(app, "https"), TlsServer, handler_class=QuietHandler
    )
    secure.context = context  # type: ignore[attr-defined]
    plain = make_server(
        ip, int(http_port), ForwardedProto(app, "http"), ThreadingServer, handler_class=QuietHandler
    )
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    print("ready", flush=True)
    secure.serve_forever()


if __name__ == "__main__":
    main()
