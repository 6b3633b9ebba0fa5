"""What keeps the labeling server closed to everyone but the person at the keyboard.

- It binds to loopback by default; bound anywhere else it requires a token (generated if none is given), passed
  once as ``?token=`` and then kept in an HttpOnly, SameSite=Strict cookie.
- On loopback the Host header must name loopback (no DNS-rebinding page can talk to it).
- State-changing requests are POSTs with a JSON body and an ``X-CSRF-Token`` header equal to the per-server
  secret in the page; a cross-site form can set neither, and a present ``Origin`` must be this server's.
- Every response forbids inline scripts and framing (Content-Security-Policy), so even listing text that got
  into HTML could not run.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_COOKIE = "emma_label_token"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")  # fmt: skip
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerSecurity:
    host: str = "127.0.0.1"
    token: str | None = None  # required when not on loopback
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @staticmethod
    def for_host(host: str, token: str | None = None) -> ServerSecurity:
        if not is_loopback(host) and not token:
            token = secrets.token_urlsafe(24)
        return ServerSecurity(host=host, token=token)


class SecurityMiddleware:
    """Token gate, Host check and security headers around the whole app (pure ASGI)."""

    def __init__(self, app: ASGIApp, security: ServerSecurity):
        self.app, self.security = app, security

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self._refuse(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer")]  # fmt: skip
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refuse(self, request: Request) -> Response | None:
        host = request.url.hostname or ""
        if is_loopback(self.security.host) and not is_loopback(host):
            return PlainTextResponse("this labeling server answers only to localhost", status_code=421)
        token = self.security.token
        if token is None:
            return None
        given = request.query_params.get("token")
        if given is not None and hmac.compare_digest(given, token):
            query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
            response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return response
        cookie = request.cookies.get(TOKEN_COOKIE, "")
        if cookie and hmac.compare_digest(cookie, token):
            return None
        return PlainTextResponse("a token is required: open the address the server printed (with ?token=...)", status_code=401)


def check_csrf(request: Request, security: ServerSecurity) -> JSONResponse | None:
    """None when a state-changing request is same-origin and carries the page's CSRF token; else a 403/415."""
    sent = request.headers.get("x-csrf-token", "")
    if not sent or not hmac.compare_digest(sent, security.csrf):
        return JSONResponse({"error": "missing or wrong X-CSRF-Token header (reload the page)"}, status_code=403)
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        return JSONResponse({"error": f"cross-origin request from {origin} refused"}, status_code=403)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"error": "send a JSON body (Content-Type: application/json)"}, status_code=415)
    return None
