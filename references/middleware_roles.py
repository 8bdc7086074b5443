"""Roles on every door: dashboard pages, the parent's routes and MCP tools, from one identity.

What it shows
    The sign-in guards (``middleware_auth.py``, ``middleware_auth_oidc.py``) put the roles
    of whoever is signed in beside the name: an ``X-Forwarded-Roles`` header (client copies
    dropped), which ``server.trustedUserHeaders`` turns into ``st.user["roles"]``, and which
    the parent's code reads from the request. Passwords: ``APP_ROLES="admin:alice
    agents:etl-bot"`` names accounts and API-token names (an unknown name stops the start);
    OpenID Connect: the claim ``OIDC_ROLES_CLAIM`` (default ``groups``) of the ID token or
    userinfo at sign-in, of the access token for agents. One check per door:

    - a dashboard page: ``navigation(overview, admin_page)`` lists only the pages a person
      may open; a deep link to ``admin`` without the role runs a short "not allowed" page
      instead. Streamlit's pages share one websocket, which the guard lets through for
      everyone signed in, so this check lives in the script, reading ``st.user``, which the
      guard filled;
    - a parent's route: ``Depends(fastapi_requires("admin"))`` (a dependency) or
      ``@starlette_requires("admin")``; Django and Flask views the same two steps in their own
      terms: 403, JSON for API clients and a readable page for browsers, never the login page;
    - an MCP tool: ``@mcp.tool(auth=mcp_requires("admin"))``: a token without the role
      neither lists nor calls it.

    ``admin_page`` shows who is signed in now, the latest sign-in events and a button that
    ends every session of one person (``SignInAdmin`` of ``core_shared_state.py``: in every
    process when the store is Valkey/Redis); their open dashboard stops at its next action.

When to use it
    Two kinds of people (staff who look, admins who manage) or agents with narrower rights
    than people, across Streamlit pages, the parent's routes, the websocket and MCP tools.

Configuration (environment)
    APP_ROLES         password mode: space-separated ``role:name,name`` entries
    OIDC_ROLES_CLAIM  oidc mode: the claim that lists a person's roles (default ``groups``;
                      a list, or a space- or comma-separated string)
    and those of ``middleware_auth.py``

Files that come with it
    middleware_auth.py  core_shared_state.py  middleware_session_cookie.py  common_passwords.txt
    dashboard_roles.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    APP_USERS="$(python middleware_auth.py hash alice) $(python middleware_auth.py hash bob)" \\
    APP_ROLES="admin:alice" \\
    APP_SECRET_KEY=$(python -c "import secrets; print(secrets.token_urlsafe(48))") \\
        uvicorn middleware_roles:app --lifespan on --port 8000

Open
    http://127.0.0.1:8000/dashboard/       Overview for both; Admin in alice's navigation only
    http://127.0.0.1:8000/api/whoami       your name and roles
    http://127.0.0.1:8000/api/admin/events the latest sign-in events (admins only; 403 otherwise)
"""

# --- part: begin ---
from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from core_shared_state import SignInAdmin, StoreUnavailable

ROLES_HEADER = b"x-forwarded-roles"  # -> st.user["roles"] (server.trustedUserHeaders)
ROLES_SCOPE_KEY = "auth_roles"
ROLE_NAME = re.compile(r"^[A-Za-z0-9._:/@+-]{1,64}$")


class RolesConfigError(SystemExit):
    """A role setting names nobody or is malformed: the process stops with this one line."""


def roles_from_setting(
    text: str, known_names: Iterable[str], variable: str = "APP_ROLES"
) -> dict[str, frozenset[str]]:
    """``role:name,name`` entries (whitespace-separated) as {name: roles}; names must be known."""
    known, granted = set(known_names), {}
    for entry in text.split():
        entry = entry.strip("'\"")  # docker --env-file keeps the quotes a shell would remove
        role, colon, names = entry.partition(":")
        if not colon or not ROLE_NAME.match(role) or not names.strip(","):
            raise RolesConfigError(f"{variable}: {entry[:40]!r} is not a role:name,name entry")
        for name in filter(None, names.split(",")):
            if name not in known:
                raise RolesConfigError(f"{variable}: {name[:64]!r} (role {role}) is no account or token name")
            granted.setdefault(name, set()).add(role)
    return {name: frozenset(roles) for name, roles in granted.items()}


def roles_from_claim(value: object) -> frozenset[str]:
    """A claim's roles: a list of strings or one space/comma-separated string (ValueError else).

    Names that cannot travel in a header (spaces inside, control characters) are left out.
    """
    if value is None:
        return frozenset()
    if isinstance(value, str):
        items: list[str] = re.split(r"[\s,]+", value)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise ValueError(f"the roles claim is a {type(value).__name__}, not a list of names or a string")
    return frozenset(item for item in items if ROLE_NAME.match(item))


def roles_header(roles: Iterable[str]) -> tuple[bytes, bytes]:
    return ROLES_HEADER, " ".join(sorted(roles)).encode("ascii")


def roles_in(headers: Mapping[str, str]) -> frozenset[str]:
    """The roles the guard set on this request (a Starlette, Django or Flask ``headers``)."""
    return frozenset(headers.get("x-forwarded-roles", "").split())


def forbidden_body(accept: str, role: str) -> tuple[str, str]:
    """A 403's body and content type: JSON for API clients, a readable page for browsers."""
    detail = f"You are signed in, but this needs the role {role!r}."
    if "text/html" not in accept:
        return json.dumps({"error": "Forbidden", "detail": detail}), "application/json"
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not allowed</title></head>'
        f'<body><h1>Not allowed</h1><p>{html.escape(detail)}</p><p><a href="/">Home</a></p></body></html>'
    )
    return page, "text/html; charset=utf-8"


def fastapi_requires(role: str) -> Callable[..., None]:
    """``dependencies=[Depends(fastapi_requires("admin"))]`` on a FastAPI route or router: a 403
    (``HTTPException``, which your exception handler renders) without the role."""
    from starlette.exceptions import HTTPException
    from starlette.requests import Request

    def dependency(request: Request) -> None:
        if role not in roles_in(request.headers):
            raise HTTPException(403, f"You are signed in, but this needs the role {role!r}.")

    dependency.__annotations__["request"] = Request  # the class itself: FastAPI injects by type
    return dependency


def starlette_requires(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@starlette_requires("admin")`` on a Starlette endpoint ``async def view(request)``.

    Django and Flask views take the same two steps in their own terms (the baked projects'
    ``django_site.py`` and ``flask_site.py``): ``role in roles_in(request.headers)``, else a 403
    made of ``forbidden_body(request.headers.get("accept", ""), role)``.
    """
    from starlette.responses import Response

    def decorate(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(endpoint)
        async def guarded(request: Any) -> Any:
            if role in roles_in(request.headers):
                return await endpoint(request)
            body, kind = forbidden_body(request.headers.get("accept", ""), role)
            return Response(body, 403, media_type=kind)

        return guarded

    return decorate


def mcp_requires(role: str) -> Callable[[Any], bool]:
    """``@mcp.tool(auth=mcp_requires("admin"))``: without the role the tool is not listed or called."""

    def check(context: Any) -> bool:
        from fastmcp.server.dependencies import get_http_headers

        return role in roles_in(get_http_headers(include={"x-forwarded-roles"}))

    return check


def sign_in_events_json(admin: SignInAdmin, count: int = 100) -> Callable[[Any], Any]:
    """``GET /api/admin/events`` for a Starlette parent (FastAPI, Streamlit): admins only."""
    from starlette.responses import JSONResponse

    @starlette_requires("admin")
    async def events(request: Any) -> JSONResponse:
        try:
            return JSONResponse({"events": await admin.events.latest(count)})
        except StoreUnavailable:
            return JSONResponse({"detail": "The sign-in store is unavailable."}, 503)

    return events


async def whoami(request: Any) -> Any:
    """``GET /api/whoami``: the name and roles the guard set (a person or an agent's token)."""
    from starlette.responses import JSONResponse

    name = request.headers.get("x-forwarded-user", "")
    return JSONResponse({"name": name, "roles": sorted(roles_in(request.headers))})


# --- Streamlit: pages by role, and the admin page (a script's code, run in its thread) ---


def user_roles() -> frozenset[str]:
    import streamlit as st

    return frozenset(str(st.user.get("roles") or "").split())


def navigation(overview: Callable[[], None], admin: Callable[[], None], *, admin_role: str = "admin") -> None:
    """Runs the page the URL names, listing in the sidebar only the pages this person may open."""
    import streamlit as st

    allowed = admin_role in user_roles()
    home = st.Page(overview, title="Overview", icon=":material/dashboard:", default=True)
    admin_page = st.Page(admin if allowed else not_allowed, title="Admin" if allowed else "Not allowed",
                         icon=":material/admin_panel_settings:", url_path="admin")  # fmt: skip
    page = st.navigation([home, admin_page], position="hidden")
    with st.sidebar:
        st.page_link(home)
        if allowed:
            st.page_link(admin_page)
    page.run()


def not_allowed() -> None:
    import streamlit as st

    st.header("Not allowed")
    st.write("This page needs a role you do not have. Ask an admin if you need it.")


def admin_page(admin: SignInAdmin) -> None:
    """Who is signed in, the latest sign-in events, and ending every session of one person."""
    import streamlit as st

    st.header("Admin")
    try:
        sessions, events = admin.signed_in_now(), admin.latest_events_now(50)
    except StoreUnavailable:
        st.error("The sign-in store is unavailable; try again in a moment.")
        return
    st.subheader("Signed in now")
    st.table(
        [{"name": s.name, "since": _when(s.since), "from": s.group} for s in sessions] or [{"name": "-"}]
    )
    names = sorted({s.name for s in sessions})
    who = st.selectbox("End every session of", names, index=None, placeholder="Choose a person")
    if st.button("End their sessions", disabled=who is None, type="primary"):
        ended = admin.end_sessions_of_now(who, by=str(st.user.get("name") or ""))
        st.success(f"Ended {ended} session(s) of {who}: their open dashboard stops at its next action.")
    st.subheader("Latest sign-in events")
    rows = [
        {"time": _when(e["time"]), "what": e["kind"], "name": e["name"], "from": e["group"]} for e in events
    ]
    st.table(rows or [{"what": "-"}])


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# --- part: end ---

from functools import cache  # noqa: E402
from pathlib import Path  # noqa: E402

from starlette.applications import Starlette  # noqa: E402
from starlette.responses import RedirectResponse  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402


@cache
def demo_app() -> Starlette:
    """A Starlette parent: ``/dashboard/`` (Overview, Admin), ``/api/whoami``, ``/api/admin/events``."""
    import streamlit as st

    from core_shared_state import store_from_env
    from middleware_auth import AuthSettings, auth_middleware, login_routes

    settings = AuthSettings.from_env(store=store_from_env(), namespace="middleware_roles")
    dashboard = st.App(Path(__file__).parent / "dashboard_roles.py")
    routes = [
        *login_routes(settings),
        Route("/api/whoami", whoami),
        Route("/api/admin/events", sign_in_events_json(settings.admin)),
        Route("/", lambda request: RedirectResponse("/dashboard/")),
        Route("/dashboard", lambda request: RedirectResponse("/dashboard/", 308)),
        Mount("/dashboard", app=dashboard),
    ]
    return Starlette(routes=routes, middleware=auth_middleware(settings), lifespan=dashboard.lifespan())


def __getattr__(name: str) -> Starlette:
    """``app`` is built when asked for (``uvicorn middleware_roles:app``), not on import."""
    if name == "app":
        return demo_app()
    raise AttributeError(name)
