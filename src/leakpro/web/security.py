"""Who may talk to the server: loopback by default; any other address only with a token on every request.

:func:`check_bind` refuses to bind beyond loopback without a token. :class:`SecurityMiddleware` (pure ASGI)
then, on every request: checks the token (``X-LeakPro-Token`` header or ``leakpro_token`` cookie; opening
``/?token=...`` once sets the cookie and redirects to the same path on this server, never elsewhere), refuses
foreign ``Host`` headers when bound to loopback (DNS rebinding) and cross-site state-changing requests (CSRF,
see :func:`cross_site`), caps request bodies, and adds headers that keep every page from loading anything that
is not on this server: the CSP allows scripts and styles from ``/static`` only, no inline code, so one missed
escape cannot run a script. A response that sets its own CSP (the self-contained report) keeps it.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

TOKEN_HEADER = "x-leakpro-token"
TOKEN_COOKIE = "leakpro_token"
MIN_TOKEN_LENGTH = 16
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE_FETCH = frozenset({"same-origin", "none"})  # Sec-Fetch-Site values of this site's pages (none: typed URL)
# same-origin: this site's own form POSTs carry their Origin (no-referrer would make browsers send Origin: null)
REFERRER_POLICY = b"same-origin"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BindError(ValueError):
    """The server may not listen where it was asked to."""


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse a non-loopback address without a token, and a token too short to resist guessing."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise BindError(f"--token: at least {MIN_TOKEN_LENGTH} characters are needed (got {len(token)}); "
                        "fix: use a long random token, e.g. python -c 'import secrets; print(secrets.token_urlsafe())'")
    if not is_loopback(host) and token is None:
        raise BindError(f"--host {host}: refusing to serve audits beyond this computer without a token; fix: add "
                        "--token with a long random value (every request must then carry it), or use 127.0.0.1")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _same_host(url: str, host: str) -> bool:
    """Whether ``url`` (an Origin or Referer) is an http(s) URL on ``host`` (the Host header, with its port)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc.lower() == host.lower()


def cross_site(headers: dict[str, str]) -> str | None:
    """Why a state-changing request does not come from this site's own pages, or ``None`` when it may.

    Browsers say where a request comes from: ``Sec-Fetch-Site`` must be ``same-origin`` (or ``none``: typed by
    the user); ``Origin`` must be this very host and port (``null``, sent by sandboxed frames, ``data:`` and
    ``file:`` pages, is refused); without an Origin, a ``Referer`` must be on this host. A request with none of
    the three does not come from a browser page (curl, scripts) and is left to the token check.
    """
    host = headers.get("host", "")
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in SAME_SITE_FETCH:
        return f"Sec-Fetch-Site is {fetch_site!r}"
    origin = headers.get("origin")
    if origin is not None:
        return None if _same_host(origin, host) else f"Origin {origin[:100]!r} is not this server"
    referer = headers.get("referer")
    if referer is not None and not _same_host(referer, host):
        return "the Referer is not a page of this server"
    return None


def local_location(path: str, query: str = "") -> str:
    """A redirect target on this server: ``path`` with one leading slash and every unsafe character quoted, so
    ``//evil.example/``, ``/\\evil.example`` or a tab between slashes can never leave the site."""
    location = "/" + quote(path.lstrip("/\\"), safe="/:@!$&'()*+,;=-._~")
    return location + (f"?{query}" if query else "")


async def _reply(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               (b"x-content-type-options", b"nosniff"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass


class SecurityMiddleware:
    """Token, host, origin and size checks on every HTTP request; security headers on every response."""

    def __init__(self, app: ASGIApp, *, token: str | None, loopback_only: bool, max_body_bytes: int) -> None:
        self.app, self.token, self.loopback_only, self.max_body = app, token, loopback_only, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _reply(send, *refusal)
            return
        if self.token is not None and not self._token_ok(headers):
            if await self._login(scope, send):
                return
            await _reply(send, 401, "This LeakPro server needs its access token. Open the address printed when it "
                                    "started (it ends in ?token=...), or send the X-LeakPro-Token header.")
            return
        await self._forward(scope, receive, send, headers)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = urlsplit("//" + headers.get("host", "")).hostname or ""
        if self.loopback_only and not is_loopback(host):
            return 421, f"Host {host!r} is not this computer; open the app at http://127.0.0.1 instead."
        why = cross_site(headers) if scope["method"] not in SAFE_METHODS else None
        if why is not None:
            return 403, (f"Cross-site request refused ({why}): forms of this app can only be sent from its own "
                         "pages.")
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return 413, f"Request too large: the limit is {self.max_body / 2**20:.1f} MiB."
        return None

    def _token_ok(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        given = headers.get(TOKEN_HEADER)
        if given is None and "cookie" in headers:
            cookie = SimpleCookie()
            cookie.load(headers["cookie"])
            given = cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else None
        return given is not None and secrets.compare_digest(given.encode(), self.token.encode())

    async def _login(self, scope: Scope, send: Send) -> bool:
        """``GET /any?token=T`` with the right token: set the cookie and redirect to the same page without it."""
        if scope["method"] != "GET":
            return False
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        given = dict(query).get("token")
        assert self.token is not None
        if given is None or not secrets.compare_digest(given.encode(), self.token.encode()):
            return False
        location = local_location(scope["path"], urlencode([(k, v) for k, v in query if k != "token"]))
        cookie = f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
        await _reply(send, 303, "signed in", [(b"location", location.encode()), (b"set-cookie", cookie.encode())])
        return True

    async def _forward(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        state = {"received": 0, "too_large": False, "started": False}
        limit = f"Request too large: the limit is {self.max_body / 2**20:.1f} MiB."

        async def limited_receive() -> Message:
            message = await receive()
            state["received"] += len(message.get("body", b""))
            if state["received"] > self.max_body:
                state["too_large"] = True
                raise BodyTooLarge
            return message

        async def secured_send(message: Message) -> None:
            if state["too_large"]:  # whatever the app answers to the aborted body becomes one 413
                if message["type"] == "http.response.start" and not state["started"]:
                    state["started"] = True
                    await _reply(send, 413, limit)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
                sent = list(message.get("headers", []))
                own_csp = any(k.lower() == b"content-security-policy" for k, _ in sent)
                message["headers"] = [*sent, *([] if own_csp else [(b"content-security-policy", CSP.encode())]),
                                      (b"x-content-type-options", b"nosniff"), (b"referrer-policy", REFERRER_POLICY),
                                      (b"x-frame-options", b"SAMEORIGIN")]
            await send(message)

        try:
            await self.app(scope, limited_receive, secured_send)
        except BodyTooLarge:
            if not state["started"]:
                await _reply(send, 413, limit)
