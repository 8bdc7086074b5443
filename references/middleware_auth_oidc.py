"""Sign-in with any OpenID Connect provider (Authlib), guarding every door; bearer JWTs for agents.

What it shows
    Authlib's Starlette client signs people in at the parent with the authorization code
    flow + PKCE (S256); Authlib checks ``state`` (kept in our session) and the ID token's
    signature, issuer, audience, expiry and ``nonce``. The name and email from the ID token
    go into a server-side session; the cookie (signed, read by ``middleware_session_cookie.py``,
    outermost, so websocket scopes have a session too) carries only its random id, so
    signing out (a POST with a CSRF token) ends it for good and also ends the provider's
    session where it offers ``end_session_endpoint``. ``OIDCGuardMiddleware``, pure ASGI,
    checks every ``http`` and ``websocket`` scope, drops client copies of
    ``X-Forwarded-User`` / ``X-Forwarded-Email`` and sets them from the session;
    ``server.trustedUserHeaders`` turns them into ``st.user["name"]`` and ``["email"]``.
    Agents send ``Authorization: Bearer <JWT>`` to ``/api`` and ``/mcp``: the token is
    verified against the provider's JWKS (issuer, audience, expiry; fastmcp's
    ``JWTVerifier``), and ``mcp_auth()`` gives fastmcp the same verifier plus the OAuth
    protected-resource metadata MCP clients look for.

    Sessions (under the SHA-256 of their id), the sign-in in flight (state, nonce, PKCE
    verifier: Authlib's cache) and sign-in events live in a ``SharedStore``; while it is
    unreachable the guard answers 503, never lets a request through.

Why Authlib and not ``st.login``
    Streamlit's ``st.login`` covers only Streamlit's pages; mounted at ``/dashboard/`` its
    button goes to ``/auth/login`` without the prefix and its callback returns to ``/``.
    The parent's own routes, the websocket and ``/mcp`` need one guard in front of all of
    them, so sign-in lives at the parent, and Streamlit reads the result through
    ``server.trustedUserHeaders``.

Configuration (environment)
    OIDC_ISSUER         the provider's issuer URL (https; http only on localhost)
    OIDC_CLIENT_ID      this app's client id at the provider
    OIDC_CLIENT_SECRET  its secret (empty for a public client)
    OIDC_AUDIENCE       the ``aud`` agents' JWTs must carry (default: the client id); for access
                        tokens issued for a resource indicator (RFC 8707), that resource,
                        e.g. ``<PUBLIC_BASE_URL>/mcp`` as the protected-resource metadata says
    PUBLIC_BASE_URL     where people reach this app; the callback is ``<it>/auth/callback``
    APP_SECRET_KEY      signs the cookie; at least 32 bytes
    REDIS_URL           empty: sessions in this process; ``redis://...``: Valkey/Redis shared by
                        every process, so the callback may reach another process than ``/login``
                        and a restart signs nobody out (see ``core_shared_state.py``)

Files that come with it
    core_shared_state.py  middleware_session_cookie.py  dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn middleware_auth_oidc:app --lifespan on --port 8000 --env-file .env
    (.env beside it: the variables above, e.g. PUBLIC_BASE_URL=http://127.0.0.1:8000)
"""

# --- part: begin ---
from __future__ import annotations

import hmac
import html
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from fastmcp.server.auth import RemoteAuthProvider
from fastmcp.server.auth.providers.jwt import JWTVerifier
from joserfc.errors import JoseError
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
USER_HEADER = b"x-forwarded-user"  # -> st.user["name"] (server.trustedUserHeaders)
EMAIL_HEADER = b"x-forwarded-email"  # -> st.user["email"]
IDENTITY_HEADERS = frozenset({USER_HEADER, EMAIL_HEADER})
SESSION_SCOPE_KEY = "auth_session"
MIN_SECRET_KEY_BYTES = 32
CALLBACK_PATH = "/auth/callback"
OPEN_ROUTES = frozenset(
    {("GET", "/healthz"), ("HEAD", "/healthz"), ("GET", "/login"), ("GET", CALLBACK_PATH),
     ("GET", "/signed-out")}
)  # fmt: skip
WELL_KNOWN = "/.well-known/"  # discovery metadata stays open (GET)
API_PREFIXES = ("/mcp", "/api")


class AuthConfigError(SystemExit):
    """Bad auth settings: the process stops with this one line (no traceback)."""


@dataclass(frozen=True)
class OIDCSettings:
    issuer: str
    client_id: str
    client_secret: str
    audience: str
    public_base_url: str
    secret_key: str
    metadata: Mapping[str, Any]  # the provider's discovery document
    max_age_seconds: int = 8 * 60 * 60
    # Where sessions, sign-in state and events live: memory (one process) or Valkey/Redis.
    store: SharedStore = field(default_factory=MemoryStore, compare=False, repr=False)
    namespace: str = "app"  # keys in the store start with it: two apps can share one server
    sessions: Sessions = field(init=False, compare=False, repr=False)
    events: SignInEvents = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sessions", Sessions(self.store, self.namespace, self.max_age_seconds))
        object.__setattr__(self, "events", SignInEvents(self.store, self.namespace))

    @property
    def https_only(self) -> bool:
        return self.public_base_url.startswith("https://")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, *, store: SharedStore | None = None,
                 namespace: str = "app") -> OIDCSettings:  # fmt: skip
        """Read the OIDC_* variables and fetch the provider's metadata; stop with one line if wrong."""
        issuer = environ.get("OIDC_ISSUER", "").rstrip("/")
        client_id = environ.get("OIDC_CLIENT_ID", "")
        base_url = environ.get("PUBLIC_BASE_URL", "").rstrip("/")
        secret_key = environ.get("APP_SECRET_KEY", "")
        if not issuer:
            raise AuthConfigError("OIDC_ISSUER is not set: the URL of your OpenID provider (its issuer).")
        if not issuer.startswith("https://") and urlsplit(issuer).hostname not in ("localhost", "127.0.0.1"):
            raise AuthConfigError(f"OIDC_ISSUER {issuer!r} must start with https://")
        if not client_id:
            raise AuthConfigError("OIDC_CLIENT_ID is not set: register this app at the provider.")
        if not base_url.startswith(("http://", "https://")):
            raise AuthConfigError("PUBLIC_BASE_URL is not set: e.g. https://dash.example.com (callbacks).")
        if len(secret_key.encode()) < MIN_SECRET_KEY_BYTES:
            raise AuthConfigError(
                f"APP_SECRET_KEY {'is shorter than 32 bytes' if secret_key else 'is not set'}. Generate "
                'one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        url = f"{issuer}/.well-known/openid-configuration"
        try:
            metadata = httpx.get(url, timeout=10).raise_for_status().json()
        except (httpx.HTTPError, ValueError) as error:
            raise AuthConfigError(f"OIDC_ISSUER: cannot read {url} ({error})") from None
        if str(metadata.get("issuer", "")).rstrip("/") != issuer:
            raise AuthConfigError(f"OIDC_ISSUER: the provider names itself {metadata.get('issuer')!r}")
        return cls(
            issuer=issuer,
            client_id=client_id,
            client_secret=environ.get("OIDC_CLIENT_SECRET", ""),
            audience=environ.get("OIDC_AUDIENCE", "") or client_id,
            public_base_url=base_url,
            secret_key=secret_key,
            metadata=metadata,
            store=store if store is not None else MemoryStore(),
            namespace=namespace,
        )

    def token_verifier(self) -> JWTVerifier:
        """Bearer JWTs: signed by a key of the provider's JWKS, for our audience, not expired."""
        return JWTVerifier(jwks_uri=self.metadata["jwks_uri"], issuer=self.issuer, audience=self.audience)


class SignInStateCache:
    """Authlib's cache interface on the shared store: state, nonce and PKCE verifier of a sign-in
    in flight live there (the cookie keeps only a marker), so the callback may reach any process."""

    def __init__(self, store: SharedStore, namespace: str) -> None:
        self.store, self.prefix = store, f"{namespace}:oidc-state:"

    async def get(self, key: str) -> str | None:
        return await self.store.get(self.prefix + key)

    async def set(self, key: str, value: str, expires: float | None = None) -> None:
        await self.store.put(self.prefix + key, value, expires or 600)

    async def delete(self, key: str) -> None:
        await self.store.delete(self.prefix + key)


class OIDCGuardMiddleware:
    """Lets a scope through only with a live session, or a valid bearer JWT on the API doors."""

    def __init__(self, app: ASGIApp, *, settings: OIDCSettings,
                 open_routes: frozenset[tuple[str, str]] = OPEN_ROUTES,
                 protected_prefixes: tuple[str, ...] | None = None) -> None:  # fmt: skip
        self.app = app
        self.settings = settings
        self.open_routes = open_routes
        self.protected_prefixes = protected_prefixes  # None: every path
        self.verifier = settings.token_verifier()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cookie = scope[SESSION_SCOPE_KEY]  # set by the SessionCookieMiddleware around this guard
        method = scope.get("method")
        path = scope["path"]
        open_route = (
            (method, path) in self.open_routes
            or (method in ("GET", "HEAD") and path.startswith(WELL_KNOWN))
            or (self.protected_prefixes is not None and not _under(path, self.protected_prefixes))
        )
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in IDENTITY_HEADERS]
        scope["headers"] = headers  # client copies of the identity headers never get through
        if open_route:  # health, sign-in, discovery, unguarded prefixes: no session to look up
            await self.app(scope, receive, send)
            return
        api = scope["type"] == "http" and _under(path, API_PREFIXES)
        bearer = _bearer_token(scope)
        if api and bearer is not None:
            access = await self.verifier.verify_token(bearer)
            if access is None:
                await self._unauthorized('error="invalid_token"')(scope, receive, send)
                return
            name = str(access.claims.get("name") or access.claims.get("sub", ""))
            email = str(access.claims.get("email", ""))
        else:
            try:
                session = await self.settings.sessions.get(cookie.get("sid"))
            except StoreUnavailable:
                await store_unavailable(scope, receive, send, api=api)
                return
            name, email = (session.name, session.extra.get("email", "")) if session else ("", "")
            if session and scope["type"] == "websocket":
                receive = self.settings.sessions.rechecked(receive, send, cookie.get("sid"))
        if name:
            headers.append((USER_HEADER, name.encode("utf-8")[:256]))
        if email:
            headers.append((EMAIL_HEADER, email.encode("utf-8")[:256]))
        if name:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # handshake refused: 403
        elif api:
            await self._unauthorized()(scope, receive, send)
        elif method in ("GET", "HEAD"):
            await RedirectResponse(f"/login?next={quote(path)}", 303)(scope, receive, send)
        else:
            await PlainTextResponse("Sign in first.", 401)(scope, receive, send)

    def _unauthorized(self, detail: str = "") -> Response:
        metadata = f"{self.settings.public_base_url}{WELL_KNOWN}oauth-protected-resource/mcp"
        challenge = f'Bearer resource_metadata="{metadata}"' + (f", {detail}" if detail else "")
        return JSONResponse({"detail": "Send Authorization: Bearer <token>."}, 401,
                            headers={"WWW-Authenticate": challenge, "Cache-Control": "no-store"})  # fmt: skip


def _under(path: str, prefixes: Iterable[str]) -> bool:
    return any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in prefixes)


def _bearer_token(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def _safe_next(value: str) -> str:
    """Only same-site paths, so /login cannot be used as an open redirect."""
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}</body></html>",
        status,
        headers={"Cache-Control": "no-store"},
    )


def _with_our_session(request: Request) -> Request:
    """Authlib keeps state, nonce and the PKCE verifier in request.session: make that ours."""
    return Request({**request.scope, "session": request.scope[SESSION_SCOPE_KEY]}, request.receive)


def oidc_routes(settings: OIDCSettings) -> list[Route]:
    """``/login`` (to the provider), its callback, ``/logout`` (GET asks, POST ends), ``/signed-out``."""
    oauth = OAuth(cache=SignInStateCache(settings.store, settings.namespace))
    provider = oauth.register(
        "provider",
        client_id=settings.client_id,
        client_secret=settings.client_secret or None,
        server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )

    async def login(request: Request) -> Response:
        ours = _with_our_session(request)
        ours.session["next"] = _safe_next(request.query_params.get("next", "/"))
        try:
            return await provider.authorize_redirect(ours, settings.public_base_url + CALLBACK_PATH)
        except StoreUnavailable:
            return _page("Try again shortly", "<p>Sign-in is unavailable for a moment.</p>", 503)

    async def callback(request: Request) -> Response:
        try:
            return await finish_sign_in(request)
        except StoreUnavailable:
            return _page("Try again shortly", "<p>Sign-in is unavailable for a moment.</p>", 503)

    async def finish_sign_in(request: Request) -> Response:
        ours = _with_our_session(request)
        group = address_group(request.client.host if request.client else "unknown")
        try:
            token = await provider.authorize_access_token(ours)  # state, code + PKCE, ID token + nonce
            claims = dict(token.get("userinfo") or {})  # the ID token's claims
            if (
                claims.get("sub")
                and not {"name", "email"} <= claims.keys()
                and "userinfo_endpoint" in settings.metadata
            ):
                # In the code flow a provider may keep profile claims for its userinfo endpoint
                # (OpenID Connect Core 5.4); they count only for the same subject (5.3.2).
                more = await provider.userinfo(token=token)
                claims = {**more, **claims} if more.get("sub") == claims["sub"] else claims
        except (AuthlibBaseError, JoseError, httpx.HTTPError, ValueError, KeyError) as error:
            await settings.events.record("failure", "?", group)
            retry = '<p><a href="/login">Sign in again</a></p>'
            return _page("Sign-in failed", f"<p>{html.escape(type(error).__name__)}</p>{retry}", 403)
        if not claims.get("sub"):  # no ID token: this was not an OpenID Connect answer
            return _page("Sign-in failed", '<p><a href="/login">Sign in again</a></p>', 403)
        name = str(claims.get("name") or claims.get("preferred_username") or claims["sub"])
        next_path = ours.session.get("next", "/")
        await settings.sessions.revoke(ours.session.get("sid"))
        ours.session.clear()
        email, id_token = str(claims.get("email", "")), str(token.get("id_token", ""))
        ours.session["sid"] = await settings.sessions.create(
            name, group=group, email=email, id_token=id_token
        )
        await settings.events.record("sign-in", name, group)
        return RedirectResponse(_safe_next(next_path), 303)

    async def logout(request: Request) -> Response:
        try:
            return await sign_out(request)
        except StoreUnavailable:
            return _page("Try again shortly", "<p>Sign-out is unavailable for a moment.</p>", 503)

    async def sign_out(request: Request) -> Response:
        cookie = request.scope[SESSION_SCOPE_KEY]
        session = await settings.sessions.get(cookie.get("sid"))
        if session is None:
            return RedirectResponse("/signed-out", 303)
        if request.method == "GET":
            token = f'<input type="hidden" name="csrf" value="{html.escape(session.csrf)}">'
            button = '<button type="submit">Sign out</button>'
            return _page("Sign out", f'<form method="post" action="/logout">{token}{button}</form>')
        form = await request.form(max_files=0, max_fields=4)
        origin = request.headers.get("origin")
        cross_site = origin is not None and urlsplit(origin).netloc != request.headers.get("host")
        # Bytes: compare_digest raises on non-ASCII str, and a 500 is no answer.
        sent = str(form.get("csrf", "")).encode("utf-8", "replace")
        if cross_site or not hmac.compare_digest(sent, session.csrf.encode()):
            return PlainTextResponse("Sign-out refused: reload the page and try again.", 403)
        await settings.sessions.revoke(cookie.get("sid"))
        await settings.events.record("sign-out", session.name, session.group)
        cookie.clear()
        id_token = session.extra.get("id_token", "")
        if settings.metadata.get("end_session_endpoint") and id_token:
            # The provider's session ends next, from /signed-out: a page navigating there is
            # not subject to the CSP's form-action 'self', as a redirect of this POST would be.
            end = await provider.create_logout_url(
                post_logout_redirect_uri=settings.public_base_url + "/signed-out",
                id_token_hint=id_token,
            )
            cookie["end_session_url"] = end["url"]
        return RedirectResponse("/signed-out", 303)

    async def signed_out(request: Request) -> Response:
        end_session_url = request.scope[SESSION_SCOPE_KEY].pop("end_session_url", None)
        again = '<p><a href="/login">Sign in again</a></p>'
        if not isinstance(end_session_url, str):
            return _page("Signed out", again)
        url = html.escape(end_session_url)
        refresh = f'<meta http-equiv="refresh" content="0; url={url}">'
        return _page(
            "Signed out", f'{refresh}<p><a href="{url}">Also sign out at your provider</a></p>{again}'
        )

    return [
        Route("/login", login, methods=["GET"]),
        Route(CALLBACK_PATH, callback, methods=["GET"]),
        Route("/logout", logout, methods=["GET", "POST"]),
        Route("/signed-out", signed_out, methods=["GET"]),
    ]


def oidc_middleware(settings: OIDCSettings, *, open_paths: Iterable[str] = (),
                    protected_prefixes: Iterable[str] | None = None) -> list[Middleware]:  # fmt: skip
    """The session cookie (outermost, so websocket scopes have one), then the guard.

    ``open_paths`` (what crawlers and browsers fetch without credentials: robots.txt, the
    sitemap...) stay reachable signed out for GET and HEAD, besides health and the sign-in pages.
    ``protected_prefixes`` (e.g. ``["/dashboard", "/mcp"]``) guards only those paths and
    leaves the rest of an existing app as it was; None guards everything.
    """
    open_routes = OPEN_ROUTES | {(method, path) for path in open_paths for method in ("GET", "HEAD")}
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
            OIDCGuardMiddleware,
            settings=settings,
            open_routes=open_routes,
            protected_prefixes=None if protected_prefixes is None else tuple(protected_prefixes),
        ),
    ]


def mcp_auth(settings: OIDCSettings) -> RemoteAuthProvider:
    """fastmcp's own check of the same JWTs, and the protected-resource metadata for MCP clients.

    Mounted at ``/mcp``, also route ``mcp_auth(...).get_well_known_routes(mcp_path="/mcp")`` at
    the parent's root: that is where clients look for ``/.well-known/oauth-protected-resource/mcp``.
    """
    return RemoteAuthProvider(
        token_verifier=settings.token_verifier(),
        authorization_servers=[settings.issuer],
        base_url=settings.public_base_url,
    )


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402
from fastmcp import FastMCP  # noqa: E402
from starlette.routing import Mount  # noqa: E402

from core_shared_state import store_from_env  # noqa: E402

settings = OIDCSettings.from_env(store=store_from_env(), namespace="middleware_auth_oidc")


async def whoami(request: Request) -> JSONResponse:
    return JSONResponse({"name": request.headers.get("x-forwarded-user")})


mcp = FastMCP("signed-in-tools", auth=mcp_auth(settings))


@mcp.tool
def whoami_tool() -> str:
    """Who the agent is, as the server sees it."""
    return "an agent with a valid token"


mcp_app = mcp.http_app(path="/")
app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=[
        *oidc_routes(settings),
        Route("/api/whoami", whoami),
        *mcp.auth.get_well_known_routes(mcp_path="/mcp"),
        Mount("/mcp", app=mcp_app),
    ],
    middleware=oidc_middleware(settings),
    lifespan=lambda _app: mcp_app.lifespan(mcp_app),
)
