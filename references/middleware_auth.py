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

    Sign-in attempts are counted before the password is compared, in moving windows
    (``limits``): per address group (IPv6 grouped by /64) whatever the name, per account
    from that group, and per account from every group where it never signed in before, so
    the owner's known places are never locked out by someone else's guessing. Bodies are
    read up to 4 KiB (413 above) while the group's requests in flight are counted.

    Sessions, counts and sign-in events live in a ``SharedStore`` (``core_shared_state.py``):
    this process's memory, or Valkey/Redis with ``REDIS_URL``, so several processes act as
    one and a restart signs nobody out. The store keeps a session under the SHA-256 of its
    id. While the store is unreachable the guard fails closed (503), and an open websocket
    is checked again at each message, so an ended session's dashboard stops at its next action.

When to use it
    A few named people in front of an internal tool, plus agents with API tokens. A guard
    written with ``BaseHTTPMiddleware`` never sees websocket scopes: an unauthenticated
    client could open ``/_stcore/stream`` and run the app. This one cannot be bypassed so.
    In front of an existing app, ``auth_middleware(..., protected_prefixes=["/dashboard",
    "/mcp"])`` guards only those doors, and ``AuthSettings.from_env(users_var="STAFF_USERS",
    tokens_var="AGENT_TOKEN", tokens_hashed=False)`` reads your own variables.

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
    REDIS_URL        empty: sessions in this process (they end on restart); ``redis://...``:
                     Valkey/Redis shared by every process (see ``core_shared_state.py``)

Files that come with it
    core_shared_state.py  middleware_session_cookie.py  dashboard.py  .streamlit/config.toml

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
import os
import re
import secrets
import sys
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from core_shared_state import (
    MemoryStore,
    Sessions,
    SharedStore,
    SignInEvents,
    StoreUnavailable,
    address_group,
    store_unavailable,
)
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


def _entries(text: str, variable: str, valid_secret: re.Pattern[str], bare_name: str = "") -> dict[str, str]:
    """``name:secret`` entries separated by whitespace (``#`` starts a comment line).

    With ``bare_name``, an entry without ``name:`` is a secret of that name.
    """
    entries: dict[str, str] = {}
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for entry in " ".join(lines).split():
        entry = entry.strip("'\"")  # docker --env-file keeps the quotes a shell would remove
        name, colon, secret = entry.partition(":")
        if bare_name and not colon:
            name, secret = bare_name, entry
        if not ACCOUNT_NAME.match(name) or not valid_secret.match(secret):
            raise AuthConfigError(f"{variable}: {entry[:24]!r}... is not a name:secret entry")
        entries[name] = secret
    return entries


ARGON2_HASH = re.compile(r"^\$argon2(id|i|d)\$\S+$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
PLAIN_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{32,512}$")  # long and random: a plain token


@dataclass(frozen=True)
class AuthSettings:
    users: Mapping[str, str]  # name -> argon2 hash
    secret_key: str
    api_tokens: Mapping[str, str] = field(default_factory=dict)  # sha256 hex -> name
    https_only: bool = False
    max_age_seconds: int = 8 * 60 * 60
    # Where sessions, sign-in counts and events live: memory (one process) or Valkey/Redis.
    store: SharedStore = field(default_factory=MemoryStore, compare=False, repr=False)
    namespace: str = "app"  # keys in the store start with it: two apps can share one server
    sessions: Sessions = field(init=False, compare=False, repr=False)
    events: SignInEvents = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sessions", Sessions(self.store, self.namespace, self.max_age_seconds))
        object.__setattr__(self, "events", SignInEvents(self.store, self.namespace))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, *, store: SharedStore | None = None,
                 namespace: str = "app", users_var: str = "APP_USERS",
                 users_file_var: str = "APP_USERS_FILE", tokens_var: str = "APP_API_TOKENS",
                 tokens_hashed: bool = True) -> AuthSettings:  # fmt: skip
        """Read APP_USERS (or APP_USERS_FILE), APP_API_TOKENS and APP_SECRET_KEY.

        The ``*_var`` arguments name other variables; with ``tokens_hashed=False`` the tokens
        variable holds plain tokens (``name:token`` entries, or one bare token).
        """
        dev_mode = environ.get("APP_DEV_MODE") == "1"
        users_text = environ.get(users_var, "")
        if environ.get(users_file_var):
            try:
                users_text += "\n" + Path(environ[users_file_var]).read_text(encoding="utf-8")
            except OSError as error:
                raise AuthConfigError(f"{users_file_var}: cannot read it ({error.strerror})") from None
        users = _entries(users_text, users_var, ARGON2_HASH)
        if not users:
            if not dev_mode:
                raise AuthConfigError(
                    f"{users_var} is not set: add name:hash entries (print one with "
                    f"`python -m {__name__} hash NAME`) or point {users_file_var} at a file of them."
                )
            password = secrets.token_urlsafe(12)
            users = {"dev": _hasher.hash(password)}
            _warn(f"APP_DEV_MODE=1: generated a throwaway account: dev / {password}")
        tokens_text = environ.get(tokens_var, "")
        if tokens_hashed:
            tokens = _entries(tokens_text, tokens_var, SHA256_HEX)
        else:
            bare = tokens_var.lower().replace("_", "-")
            tokens = {name: hash_token(token) for name, token in
                      _entries(tokens_text, tokens_var, PLAIN_TOKEN, bare_name=bare).items()}  # fmt: skip
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
            store=store if store is not None else MemoryStore(),
            namespace=namespace,
        )

    def token_owner(self, token: str) -> str | None:
        return self.api_tokens.get(hash_token(token))


def _warn(message: str) -> None:
    print(f"\n*** WARNING (development only) *** {message}\n", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class SignInLimits:
    """How many password checks may happen, counted in a moving window (``limits`` syntax)."""

    per_account_and_address: str = "5/minute"  # one account from one address group
    per_address: str = "20/minute"  # any names from one address group: bounds argon2 work
    per_account: str = "30/10minutes"  # one account from addresses where it never signed in
    max_in_flight: int = 8  # sign-in bodies arriving at once from one address group
    known_address_days: int = 30  # an address group where the account signed in stays known


class LoginRateLimiter:
    """Counts sign-in attempts before the password is compared, in the shared store.

    Each rule is one atomic ``hit`` of a moving window (``limits``; Lua on Redis), so
    parallel requests, in one process or many, cannot all pass before any is counted.
    An attacker slows down only what they touch: one address group's guesses, one
    account's guesses from that group. Guesses at one account from many addresses are
    capped too, except from address groups where that account signed in before: the
    right password from a known place is never locked out by someone else's guessing.
    Keys expire with their window, so a spray of new keys costs no scan.
    """

    def __init__(self, store: SharedStore, namespace: str = "app",
                 rules: SignInLimits = SignInLimits()) -> None:  # fmt: skip
        self.store = store
        self.namespace = namespace
        self.rules = rules
        self.window = MovingWindowRateLimiter(store.rate_limits)
        self.per_pair, self.per_address, self.per_account = (
            _limit(rule, f"{namespace}-signin-{kind}")
            for kind, rule in (("pair", rules.per_account_and_address), ("address", rules.per_address),
                               ("account", rules.per_account))
        )  # fmt: skip

    async def attempt(self, name: str, group: str) -> float:
        """0.0 if this attempt may go on (it is counted), else the seconds to wait."""
        account = name.lower()
        for item, keys in ((self.per_address, (group,)), (self.per_pair, (account, group))):
            if not await self.store.limited(self.window.hit(item, *keys)):
                return await self._wait(item, *keys)
        counted = await self.store.limited(self.window.hit(self.per_account, account))
        if not counted and await self.store.get(self._known(account, group)) is None:
            return await self._wait(self.per_account, account)
        return 0.0

    async def succeeded(self, name: str, group: str) -> None:
        account = name.lower()
        await self.store.limited(self.window.clear(self.per_pair, account, group))
        await self.store.put(self._known(account, group), "1", self.rules.known_address_days * 86400)

    async def _wait(self, item: RateLimitItem, *keys: str) -> float:
        stats = await self.store.limited(self.window.get_window_stats(item, *keys))
        return max(1.0, stats.reset_time - time.time())

    def _known(self, account: str, group: str) -> str:
        return f"{self.namespace}:signed-in-from:{account}|{group}"

    @asynccontextmanager
    async def in_flight(self, group: str) -> AsyncIterator[bool]:
        """Counts a sign-in request while its body arrives; False past ``max_in_flight``."""
        key = f"{self.namespace}:signin-in-flight:{group}"
        count = await self.store.incr(key, 1, 60)
        try:
            yield count <= self.rules.max_in_flight
        finally:
            await self.store.incr(key, -1, 60)


def _limit(rule: str, namespace: str) -> RateLimitItem:
    item = parse(rule)
    return type(item)(item.amount, item.multiples, namespace=namespace)


class AuthGuardMiddleware:
    """Lets a scope through only with a live session or API token; runs inside SessionCookieMiddleware.

    ``protected_prefixes`` None guards every path; a tuple guards only paths under those
    prefixes (``("/dashboard", "/mcp")``) and passes the rest to the app untouched, but for
    client copies of the identity headers, which are dropped everywhere.
    """

    def __init__(self, app: ASGIApp, *, settings: AuthSettings,
                 open_routes: frozenset[tuple[str, str]] = OPEN_ROUTES,
                 api_prefixes: tuple[str, ...] = API_PREFIXES,
                 protected_prefixes: tuple[str, ...] | None = None) -> None:  # fmt: skip
        self.app = app
        self.settings = settings
        self.open_routes = open_routes
        self.api_prefixes = api_prefixes
        self.protected_prefixes = protected_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cookie = scope[SESSION_SCOPE_KEY]  # set by the SessionCookieMiddleware around this guard
        path = scope["path"]
        open_route = (scope.get("method"), path) in self.open_routes or (
            self.protected_prefixes is not None and not _under(path, self.protected_prefixes)
        )
        # Client copies of the identity headers are dropped, ours are set from the session.
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in IDENTITY_HEADERS]
        scope["headers"], scope[USER_SCOPE_KEY] = headers, None
        if open_route:  # health, sign-in, unguarded prefixes: no session to look up
            await self.app(scope, receive, send)
            return
        bearer = _bearer_token(scope)
        if bearer is not None and scope["type"] == "http" and _under(path, self.api_prefixes):
            user = self.settings.token_owner(bearer)
            if user is None:
                await _unauthorized('error="invalid_token"')(scope, receive, send)
                return
        else:
            try:
                session = await self.settings.sessions.get(cookie.get("sid"))
            except StoreUnavailable:
                await store_unavailable(scope, receive, send, api=_under(path, self.api_prefixes))
                return
            user = session.name if session else None
        if user:
            headers.append((USER_HEADER, user.encode("latin-1", "replace")))
            scope[USER_SCOPE_KEY] = user
            if scope["type"] == "websocket" and bearer is None:
                receive = self.settings.sessions.rechecked(receive, send, cookie.get("sid"))
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # handshake refused: 403
        elif _under(path, self.api_prefixes):
            await _unauthorized()(scope, receive, send)
        elif scope["method"] in ("GET", "HEAD"):
            target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else "")
            await RedirectResponse(f"/login?next={quote(target)}", 303)(scope, receive, send)
        else:
            await PlainTextResponse("Sign in first.", 401)(scope, receive, send)


def _under(path: str, prefixes: Iterable[str]) -> bool:
    return any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in prefixes)


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
    limiter = limiter or LoginRateLimiter(settings.store, settings.namespace)
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
        try:
            return await sign_in(request, group)
        except StoreUnavailable:
            return _login_page("/", "Sign-in is unavailable for a moment. Try again shortly.", 503)

    async def sign_in(request: Request, group: str) -> Response:
        async with limiter.in_flight(group) as allowed:
            if not allowed:
                return _login_page("/", "Too many sign-ins at once. Wait a moment.", 429)
            try:
                form = await _read_form(request)
            except _TooLarge:
                return PlainTextResponse("Form too large.", 413)
        name, password = form.get("username", "")[:64], form.get("password", "")[:1024]
        next_path = _safe_next(form.get("next", "/"))
        if await limiter.attempt(name, group):  # counted before the password is compared
            return _login_page(next_path, "Too many attempts. Wait a minute.", 429)
        async with hashing:
            signed_in = await asyncio.to_thread(verify, name, password)
        if not signed_in:
            await settings.events.record("failure", name if name in settings.users else "?", group)
            return _login_page(next_path, "Wrong name or password.", 401)
        await limiter.succeeded(name, group)
        cookie = request.scope[SESSION_SCOPE_KEY]
        await settings.sessions.revoke(cookie.get("sid"))
        cookie.clear()
        cookie["sid"] = await settings.sessions.create(name, group=group)
        await settings.events.record("sign-in", name, group)
        return RedirectResponse(next_path, 303)

    async def logout(request: Request) -> Response:
        cookie = request.scope[SESSION_SCOPE_KEY]
        try:
            session = await settings.sessions.get(cookie.get("sid"))
        except StoreUnavailable:
            return _login_page("/", "Sign-out is unavailable for a moment. Try again shortly.", 503)
        if session is None:  # signed in by API token: nothing to end
            return RedirectResponse("/login", 303)
        if request.method == "GET":
            token = f'<input type="hidden" name="csrf" value="{html.escape(session.csrf)}">'
            return _page("Sign out", "/logout", token)
        try:
            form = await _read_form(request)
        except _TooLarge:
            return PlainTextResponse("Form too large.", 413)
        # Bytes: compare_digest raises on non-ASCII str, and a 500 is no answer.
        sent = form.get("csrf", "").encode("utf-8", "replace")
        if _cross_site(request) or not hmac.compare_digest(sent, session.csrf.encode()):
            return PlainTextResponse("Sign-out refused: reload the page and try again.", 403)
        try:
            await settings.sessions.revoke(cookie.get("sid"))
            await settings.events.record("sign-out", session.name, session.group)
        except StoreUnavailable:
            return _login_page("/", "Sign-out is unavailable for a moment. Try again shortly.", 503)
        cookie.clear()
        return RedirectResponse("/login", 303)

    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["GET", "POST"]),
    ]


def auth_middleware(settings: AuthSettings, *, open_paths: Iterable[str] = ("/healthz",),
                    protected_prefixes: Iterable[str] | None = None) -> list[Middleware]:  # fmt: skip
    """The session cookie, then the guard that reads it (outermost first).

    ``open_paths`` (health checks) stay reachable signed out for GET and HEAD, besides the
    login page. ``protected_prefixes`` (e.g. ``["/dashboard", "/mcp"]``) guards only those
    paths and leaves the rest of an existing app as it was; None guards everything.
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
        Middleware(
            AuthGuardMiddleware,
            settings=settings,
            open_routes=open_routes,
            protected_prefixes=None if protected_prefixes is None else tuple(protected_prefixes),
        ),
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

from core_shared_state import store_from_env  # noqa: E402

settings = AuthSettings.from_env(store=store_from_env(), namespace="middleware_auth")

app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=login_routes(settings),
    middleware=auth_middleware(settings),
)
