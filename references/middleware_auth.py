"""Named accounts with argon2 hashes and server-side sessions, guarding every door (page, websocket, API).

What it shows
    ``AuthGuardMiddleware``, a pure-ASGI class, checks every ``http`` and ``websocket``
    scope, so ``/_stcore/stream``, uploads, ``/media``, ``/component`` and your own routes
    are closed too. Browsers sign in at ``/login`` with a name and password (argon2 hashes,
    never plain text); the cookie (signed, HttpOnly, SameSite=Lax; read by
    ``middleware_session_cookie.py``) holds only a random session id that the server looks up, so signing out
    (a POST with a CSRF token) ends the session for good: a copy of the cookie taken earlier
    is refused afterwards. Agents send ``Authorization: Bearer <token>`` to ``/mcp`` and
    ``/api`` (tokens stored as SHA-256 hashes) and get 401 + ``WWW-Authenticate``, never the
    login page. The guard drops client copies of the identity headers and sets
    ``X-Forwarded-User`` from the session, which ``server.trustedUserHeaders`` in
    ``.streamlit/config.toml`` turns into ``st.user["name"]``.

    Login attempts are counted before the password is compared (per account and client
    address, IPv6 grouped by /64), bodies are read up to 4 KiB (413 above) while the
    address's requests in flight are counted, so slow or parallel bodies gain no guesses;
    an attacker locks out only the account they target from their own address.

When to use it
    A few named people in front of an internal tool, plus agents with API tokens. A guard
    written with ``BaseHTTPMiddleware`` never sees websocket scopes: an unauthenticated
    client could open ``/_stcore/stream`` and run the app. This one cannot be bypassed so.

Configuration (environment)
    APP_USERS        whitespace-separated ``name:argon2-hash`` entries (single-quote them
                     in .env files: hashes contain ``$``); print one with
                     ``python middleware_auth.py hash alice``
    APP_USERS_FILE   or a file with one ``name:argon2-hash`` per line
    APP_API_TOKENS   optional ``name:sha256-hex`` entries; ``... token agent`` prints a new
                     token and its entry
    APP_SECRET_KEY   signs the cookie; at least 32 bytes, e.g.
                     ``python -c "import secrets; print(secrets.token_urlsafe(48))"``
    APP_DEV_MODE=1   only for local trials: throwaway key and ``dev`` account, said loudly
    PUBLIC_BASE_URL  when it starts with https://, the cookie is marked Secure

Sessions live in this process's memory: they end on restart, and several processes
need sticky sessions (which Streamlit's websocket needs anyway) or a shared store with
the same three methods as ``SessionStore``.

Files that come with it
    middleware_session_cookie.py  dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    APP_USERS="$(python middleware_auth.py hash alice)" \\
    APP_SECRET_KEY=$(python -c "import secrets; print(secrets.token_urlsafe(48))") \\
        uvicorn middleware_auth:app --lifespan on --port 8000

Open
    http://127.0.0.1:8000/        redirects to /login until you sign in
    http://127.0.0.1:8000/logout  asks, then signs out (POST)
"""

# --- part: begin ---
from __future__ import annotations

import argparse
import asyncio
import getpass
import hashlib
import hmac
import html
import ipaddress
import os
import re
import secrets
import sys
import time
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from middleware_session_cookie import SessionCookieMiddleware

SESSION_COOKIE = "app_session"
# server.trustedUserHeaders in .streamlit/config.toml maps these to st.user["name"/"email"].
USER_HEADER = b"x-forwarded-user"
EMAIL_HEADER = b"x-forwarded-email"
IDENTITY_HEADERS = frozenset({USER_HEADER, EMAIL_HEADER})
# Where the session cookie's dict lives in the scope: Streamlit runs its own
# SessionMiddleware inside yours and replaces scope["session"] with *its* session.
SESSION_SCOPE_KEY = "auth_session"
USER_SCOPE_KEY = "auth_user"
MIN_SECRET_KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 12
MAX_FORM_BYTES = 4096
# Open doors: a method AND a path (a PUT to /login or a POST to /healthz stays closed).
LOGIN_ROUTES = frozenset({("GET", "/login"), ("HEAD", "/login"), ("POST", "/login")})
OPEN_ROUTES = LOGIN_ROUTES | {("GET", "/healthz"), ("HEAD", "/healthz")}
# Doors for programs: signed out they answer 401 + WWW-Authenticate, and take bearer tokens.
API_PREFIXES = ("/mcp", "/api")
ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")
_hasher = PasswordHasher()
# The hash of a random password that was thrown away, with the hasher's parameters: an unknown
# name costs the same argon2 work as a known one (no timing tells them apart), and start-up
# does not spend a tenth of a second hashing it.
UNKNOWN_USER_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$KveQW33eIGsHwwer2mzRvg$GpemPEosiQkSZP+7mbCPvF08VWxevkvyrLfAF6mchB4"
)


class AuthConfigError(SystemExit):
    """The auth settings are missing or too weak: the process stops with this one line."""


def hash_token(token: str) -> str:
    """API tokens are random, so one SHA-256 is enough to keep them out of the environment."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_problem(password: str) -> str | None:
    """Why ``password`` is too weak for an account, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if len(set(password)) < 6:
        return "the password repeats too few different characters"
    return None


def _entries(text: str, variable: str, valid_secret: re.Pattern[str]) -> dict[str, str]:
    """``name:secret`` entries separated by whitespace (``#`` starts a comment line)."""
    entries: dict[str, str] = {}
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for entry in " ".join(lines).split():
        entry = entry.strip("'\"")  # docker --env-file keeps the quotes a shell would remove
        name, _, secret = entry.partition(":")
        if not ACCOUNT_NAME.match(name) or not valid_secret.match(secret):
            raise AuthConfigError(f"{variable}: {entry[:24]!r}... is not a name:hash entry")
        entries[name] = secret
    return entries


ARGON2_HASH = re.compile(r"^\$argon2(id|i|d)\$\S+$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class _Session:
    user: str
    expires_at: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))


class SessionStore:
    """Signed-in sessions kept server-side: the cookie carries only their random id."""

    def __init__(self, max_sessions: int = 50_000) -> None:
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, _Session] = OrderedDict()

    def create(self, user: str, lifetime_seconds: float) -> str:
        if len(self._sessions) >= self.max_sessions:
            now = time.monotonic()
            for sid in [sid for sid, s in self._sessions.items() if s.expires_at <= now]:
                del self._sessions[sid]
            while len(self._sessions) >= self.max_sessions:
                self._sessions.popitem(last=False)  # the oldest sign-in signs in again
        sid = secrets.token_urlsafe(32)
        self._sessions[sid] = _Session(user, time.monotonic() + lifetime_seconds)
        return sid

    def get(self, sid: object) -> _Session | None:
        session = self._sessions.get(sid) if isinstance(sid, str) else None
        if session is not None and session.expires_at <= time.monotonic():
            del self._sessions[sid]
            return None
        return session

    def revoke(self, sid: object) -> None:
        if isinstance(sid, str):
            self._sessions.pop(sid, None)


@dataclass(frozen=True)
class AuthSettings:
    users: Mapping[str, str]  # name -> argon2 hash
    secret_key: str
    api_tokens: Mapping[str, str] = field(default_factory=dict)  # sha256 hex -> name
    https_only: bool = False
    max_age_seconds: int = 8 * 60 * 60
    sessions: SessionStore = field(default_factory=SessionStore, compare=False, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> AuthSettings:
        """Read APP_USERS (or APP_USERS_FILE), APP_API_TOKENS and APP_SECRET_KEY."""
        dev_mode = environ.get("APP_DEV_MODE") == "1"
        users_text = environ.get("APP_USERS", "")
        if environ.get("APP_USERS_FILE"):
            try:
                users_text += "\n" + Path(environ["APP_USERS_FILE"]).read_text(encoding="utf-8")
            except OSError as error:
                raise AuthConfigError(f"APP_USERS_FILE: cannot read it ({error.strerror})") from None
        users = _entries(users_text, "APP_USERS", ARGON2_HASH)
        if not users:
            if not dev_mode:
                raise AuthConfigError(
                    "APP_USERS is not set: add name:hash entries (print one with "
                    "`python -m <package>.auth hash NAME`) or point APP_USERS_FILE at a file of them."
                )
            password = secrets.token_urlsafe(12)
            users = {"dev": _hasher.hash(password)}
            _warn(f"APP_DEV_MODE=1: generated a throwaway account: dev / {password}")
        tokens = _entries(environ.get("APP_API_TOKENS", ""), "APP_API_TOKENS", SHA256_HEX)
        secret_key = environ.get("APP_SECRET_KEY", "")
        if len(secret_key.encode()) < MIN_SECRET_KEY_BYTES:
            if not dev_mode:
                problem = "is not set" if not secret_key else "is shorter than 32 bytes"
                raise AuthConfigError(
                    f"APP_SECRET_KEY {problem}. Generate one with: "
                    'python -c "import secrets; print(secrets.token_urlsafe(48))"'
                )
            secret_key = secrets.token_urlsafe(48)
            _warn("APP_DEV_MODE=1: generated a throwaway APP_SECRET_KEY; sessions end on restart.")
        https_only = environ.get("PUBLIC_BASE_URL", "").startswith("https://")
        return cls(
            users=users,
            secret_key=secret_key,
            api_tokens={digest: name for name, digest in tokens.items()},
            https_only=https_only,
        )

    def token_owner(self, token: str) -> str | None:
        return self.api_tokens.get(hash_token(token))


def _warn(message: str) -> None:
    print(f"\n*** WARNING (development only) *** {message}\n", file=sys.stderr, flush=True)


def address_group(host: str) -> str:
    """The unit one attacker controls: an IPv4 address, or an IPv6 /64."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class LoginRateLimiter:
    """Counts login attempts before the password is compared, in bounded memory.

    ``attempt(key)`` counts and answers in one step (no await between), so parallel
    requests cannot all pass the check before any is counted. Keys are account + address
    group: an attacker slows down only the account they target from their own address.
    Past ``max_keys`` the keys whose window ended go first, then the least recently
    active ones, never an offender that keeps trying.
    """

    def __init__(self, max_attempts: int = 5, window_seconds: float = 60.0, max_keys: int = 100_000,
                 max_in_flight: int = 8) -> None:  # fmt: skip
        self.max_attempts = max_attempts
        self.window_seconds = window_seconds
        self.max_keys = max_keys
        self.max_in_flight = max_in_flight
        self._attempts: OrderedDict[str, deque[float]] = OrderedDict()
        self._in_flight: dict[str, int] = {}

    def attempt(self, key: str) -> float:
        """0.0 if this attempt may go on (it is counted), else the seconds to wait."""
        now = time.monotonic()
        recent = self._attempts.pop(key, None) or deque()
        while recent and now - recent[0] > self.window_seconds:
            recent.popleft()
        self._attempts[key] = recent  # most recently active last
        if len(recent) >= self.max_attempts:
            return self.window_seconds - (now - recent[0])
        recent.append(now)
        if len(self._attempts) > self.max_keys:
            self._evict(now)
        return 0.0

    def succeeded(self, key: str) -> None:
        self._attempts.pop(key, None)

    def _evict(self, now: float) -> None:
        for key in [k for k, v in self._attempts.items() if not v or now - v[-1] > self.window_seconds]:
            del self._attempts[key]
        while len(self._attempts) > self.max_keys:
            self._attempts.popitem(last=False)

    @contextmanager
    def in_flight(self, group: str) -> Iterator[bool]:
        """Counts a login request while its body arrives; False past ``max_in_flight``."""
        count = self._in_flight.get(group, 0) + 1
        self._in_flight[group] = count
        try:
            yield count <= self.max_in_flight
        finally:
            if self._in_flight[group] <= 1:
                del self._in_flight[group]
            else:
                self._in_flight[group] -= 1


class AuthGuardMiddleware:
    """Lets a scope through only with a live session or API token; runs inside SessionCookieMiddleware."""

    def __init__(self, app: ASGIApp, *, settings: AuthSettings,
                 open_routes: frozenset[tuple[str, str]] = OPEN_ROUTES,
                 api_prefixes: tuple[str, ...] = API_PREFIXES) -> None:  # fmt: skip
        self.app = app
        self.settings = settings
        self.open_routes = open_routes
        self.api_prefixes = api_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cookie = scope[SESSION_SCOPE_KEY]  # set by the SessionCookieMiddleware around this guard
        open_route = (scope.get("method"), scope["path"]) in self.open_routes
        # An open route (health, sign-in) answers everyone alike: no session to look up.
        session = None if open_route else self.settings.sessions.get(cookie.get("sid"))
        user = session.user if session else None
        bearer = _bearer_token(scope)
        if bearer is not None and scope["type"] == "http" and self._is_api(scope["path"]):
            user = self.settings.token_owner(bearer)
            if user is None:
                await _unauthorized('error="invalid_token"')(scope, receive, send)
                return
        # Client copies of the identity headers are dropped, ours are set from the session.
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in IDENTITY_HEADERS]
        if user:
            headers.append((USER_HEADER, user.encode("latin-1", "replace")))
        scope["headers"], scope[USER_SCOPE_KEY] = headers, user
        if user or open_route:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # handshake refused: 403
        elif self._is_api(scope["path"]):
            await _unauthorized()(scope, receive, send)
        elif scope["method"] in ("GET", "HEAD"):
            target = scope["path"] + (
                f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else ""
            )
            await RedirectResponse(f"/login?next={quote(target)}", 303)(scope, receive, send)
        else:
            await PlainTextResponse("Sign in first.", 401)(scope, receive, send)

    def _is_api(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.api_prefixes)


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def _unauthorized(detail: str = "") -> Response:
    challenge = 'Bearer realm="app"' + (f", {detail}" if detail else "")
    return JSONResponse({"detail": "Send Authorization: Bearer <token>."}, 401,
                        headers={"WWW-Authenticate": challenge, "Cache-Control": "no-store"})  # fmt: skip


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; display: grid; place-items: center; min-height: 90vh; }}
form {{ display: grid; gap: .75rem; min-width: 18rem; }}
input, button {{ font-size: 1rem; padding: .5rem; }}
.error {{ color: #b00020; }}
</style></head>
<body><form method="post" action="{action}">
<h1>{title}</h1>{error}{fields}
<button type="submit">{title}</button>
</form></body></html>"""
_LOGIN_FIELDS = """
<label>Name <input name="username" autocomplete="username" autofocus required maxlength="64"></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<input type="hidden" name="next" value="{next}">"""


def _page(title: str, action: str, fields: str, error: str = "", status: int = 200) -> HTMLResponse:
    error_html = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = _PAGE.format(title=title, action=action, error=error_html, fields=fields)
    return HTMLResponse(body, status, headers={"Cache-Control": "no-store"})


def _login_page(next_path: str, error: str = "", status: int = 200) -> HTMLResponse:
    fields = _LOGIN_FIELDS.format(next=html.escape(_safe_next(next_path)))
    return _page("Sign in", "/login", fields, error, status)


def _safe_next(value: str) -> str:
    """Only same-site paths, so /login cannot be used as an open redirect."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _cross_site(request: Request) -> bool:
    """A form posted from another site (modern browsers send Origin and Sec-Fetch-Site)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc != request.headers.get("host")


class _TooLarge(Exception):
    pass


async def _read_form(request: Request) -> dict[str, str]:
    """The urlencoded form, read up to MAX_FORM_BYTES (raises _TooLarge past it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise _TooLarge
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
    except ValueError:  # more fields than any of our forms has
        raise _TooLarge from None
    return {name: values[0] for name, values in fields.items()}


def login_routes(settings: AuthSettings, limiter: LoginRateLimiter | None = None) -> list[Route]:
    """``/login`` (GET form, POST name + password) and ``/logout`` (GET asks, POST signs out)."""
    limiter = limiter or LoginRateLimiter()
    hashing = asyncio.Semaphore(2)  # argon2 takes 64 MiB per check: bound the memory

    def verify(name: str, password: str) -> bool:
        try:
            return _hasher.verify(settings.users.get(name, UNKNOWN_USER_HASH), password) and (
                name in settings.users
            )
        except (VerificationError, InvalidHashError):
            return False

    async def login(request: Request) -> Response:
        if request.method in ("GET", "HEAD"):
            return _login_page(request.query_params.get("next", "/"))
        if _cross_site(request):
            return PlainTextResponse("Cross-site sign-in refused.", 403)
        group = address_group(request.client.host if request.client else "unknown")
        with limiter.in_flight(group) as allowed:
            if not allowed:
                return _login_page("/", "Too many sign-ins at once. Wait a moment.", 429)
            try:
                form = await _read_form(request)
            except _TooLarge:
                return PlainTextResponse("Form too large.", 413)
        name, password = form.get("username", "")[:64], form.get("password", "")[:1024]
        next_path = _safe_next(form.get("next", "/"))
        key = f"{name.lower()}|{group}"
        wait = limiter.attempt(key)  # counted before the password is compared
        if wait:
            return _login_page(next_path, "Too many attempts. Wait a minute.", 429)
        async with hashing:
            signed_in = await asyncio.to_thread(verify, name, password)
        if not signed_in:
            return _login_page(next_path, "Wrong name or password.", 401)
        limiter.succeeded(key)
        cookie = request.scope[SESSION_SCOPE_KEY]
        settings.sessions.revoke(cookie.get("sid"))
        cookie.clear()
        cookie["sid"] = settings.sessions.create(name, settings.max_age_seconds)
        return RedirectResponse(next_path, 303)

    async def logout(request: Request) -> Response:
        cookie = request.scope[SESSION_SCOPE_KEY]
        session = settings.sessions.get(cookie.get("sid"))
        if session is None:  # signed in by API token: nothing to end
            return RedirectResponse("/login", 303)
        if request.method == "GET":
            token = f'<input type="hidden" name="csrf" value="{html.escape(session.csrf)}">'
            return _page("Sign out", "/logout", token)
        try:
            form = await _read_form(request)
        except _TooLarge:
            return PlainTextResponse("Form too large.", 413)
        if _cross_site(request) or not hmac.compare_digest(form.get("csrf", ""), session.csrf):
            return PlainTextResponse("Sign-out refused: reload the page and try again.", 403)
        settings.sessions.revoke(cookie.get("sid"))
        cookie.clear()
        return RedirectResponse("/login", 303)

    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["GET", "POST"]),
    ]


def auth_middleware(settings: AuthSettings, *, open_paths: Iterable[str] = ("/healthz",)) -> list[Middleware]:
    """The session cookie, then the guard that reads it (outermost first).

    ``open_paths`` (health checks) stay reachable signed out for GET and HEAD, besides the
    login page.
    """
    open_routes = LOGIN_ROUTES | {(method, path) for path in open_paths for method in ("GET", "HEAD")}
    return [
        Middleware(
            SessionCookieMiddleware,
            secret_key=settings.secret_key,
            cookie_name=SESSION_COOKIE,
            scope_key=SESSION_SCOPE_KEY,
            max_age_seconds=settings.max_age_seconds,
            https_only=settings.https_only,
        ),
        Middleware(AuthGuardMiddleware, settings=settings, open_routes=open_routes),
    ]


def main(argv: list[str] | None = None) -> int:
    """``hash NAME`` prints an APP_USERS entry; ``token NAME`` a new API token and its entry."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("command", choices=["hash", "token"])
    parser.add_argument("name")
    args = parser.parse_args(argv)
    if not ACCOUNT_NAME.match(args.name):
        parser.error("the name may use letters, digits and . _ @ + - (up to 64)")
    if args.command == "token":
        token = secrets.token_urlsafe(32)
        print(f"API token for {args.name} (shown once; give it to the agent): {token}", file=sys.stderr)
        print(f"{args.name}:{hash_token(token)}")
        return 0
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password)
    if problem and os.environ.get("APP_DEV_MODE") != "1":
        print(f"refused: {problem}", file=sys.stderr)
        return 2
    print(f"{args.name}:{_hasher.hash(password)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
# --- part: end ---

import streamlit as st  # noqa: E402

settings = AuthSettings.from_env()

app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=login_routes(settings),
    middleware=auth_middleware(settings),
)
