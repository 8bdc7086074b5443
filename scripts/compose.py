#!/usr/bin/env python3
"""Compose Streamlit (st.App) into an existing app, from the skill's reference parts, in one command.

    python .agents/skills/streamlit-asgi-app/scripts/compose.py --parent django --app mysite.settings \\
        --auth password --parts security_headers,mcp --dest .

writes ``<dest>/<package>/`` (default ``streamlit_asgi``): the part modules, each the code between
a reference's ``# --- part: begin ---`` / ``# --- part: end ---`` markers (what the cookiecutter
template's modules are made of, imports of other parts followed and rewritten to the package),
``asgi.py`` (the composition root: the parts as middleware and routes, Streamlit at
``/dashboard/``, your app mounted last at ``/``), ``dashboard.py`` and ``.streamlit/config.toml``.
It prints what it wrote, how to run it and which environment variables to set. Nothing is
written when an answer is wrong or a file exists (unless ``--force``). Standard library only.
"""

# ruff: noqa: E501 (the lines of the generated modules are written out whole, as they will read)

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BEGIN, END = "# --- part: begin ---\n", "# --- part: end ---\n"
CATALOGUE_FILE = "parts.json"  # written by tools/install_skill.py beside this script
PARENTS = ("fastapi", "django", "flask", "streamlit")
AUTH_MODES = ("none", "password", "oidc")
DASHBOARD_PATH = "/dashboard"
ALWAYS = ("trusted_host.py", "error_pages.py", "session_cost.py")  # every baked project has them
# Parent modules the composer does not take: the existing app brings its own site (and docs).
PARENT_OWN = ("fastapi_site.py", "django_site.py", "flask_site.py", "home.py", "api_docs.py")


# --- the parts: shared with tools/sync_parts.py ------------------------------------------------


def extract(reference: Path) -> str:
    """The code between the part markers of ``reference``."""
    text = reference.read_text(encoding="utf-8")
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise SystemExit(f"{reference.name}: needs exactly one part begin and end marker")
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip() + "\n"


def packaged_as(code: str, modules: dict[str, str]) -> str:
    """``code`` with each ``from <reference> import`` of another part importing that part's module
    of the package (``modules``: module file name -> reference file name)."""
    for module, reference in modules.items():
        code = code.replace(f"\nfrom {Path(reference).stem} import ", f"\nfrom .{Path(module).stem} import ")
    return code


def part_imports(code: str, references: Path) -> list[str]:
    """The references (file names) whose part ``code`` imports: ``from <reference> import ...``."""
    found = re.findall(r"^from (\w+) import ", code, re.MULTILINE)
    return [f"{name}.py" for name in dict.fromkeys(found) if (references / f"{name}.py").is_file()]


# --- what the answers mean: from the template's declaration, or the installed copy of it -------


def catalogue(root: Path | None = None) -> dict:
    """Module -> reference, and every question's answers with the files and environment they bring.

    In a checkout it is read from tools/sync_parts.py and template_options.py; an installed skill
    has the copy tools/install_skill.py wrote beside this script.
    """
    installed = HERE / CATALOGUE_FILE
    if root is None and installed.is_file():
        return json.loads(installed.read_text(encoding="utf-8"))
    root = root or HERE.parent
    sys.path[:0] = [str(root), str(root / "tools")]
    try:
        import sync_parts

        import template_options
    finally:
        del sys.path[:2]
    questions: dict[str, dict] = {}
    for choice in template_options.CHOICES:
        questions[choice.name] = {
            "choices": {
                answer: {
                    "files": [f.format(pkg="{pkg}") for f in choice.files.get(answer, ())],
                    "env": list(choice.env.get(answer, ())),
                }
                for answer in choice.choices
            }
        }
    for part in template_options.PARTS:
        questions[part.name] = {"default": part.default, "files": list(part.files), "env": list(part.env)}
    return {"modules": dict(sync_parts.PARTS), "questions": questions}


# --- answers ------------------------------------------------------------------------------------


class Refused(Exception):
    """A bad answer: one line, nothing written."""


@dataclass(frozen=True)
class Answers:
    parent: str
    app: str  # Django settings module, module:attribute of an app, or the Streamlit script
    auth: str
    parts: tuple[str, ...]
    protect: tuple[str, ...]  # guarded prefixes; ("/",) guards every door
    package: str
    users_var: str
    tokens_var: str
    plain_tokens: bool
    title: str = "Dashboard"


def _prefixes(text: str) -> tuple[str, ...]:
    prefixes = tuple(dict.fromkeys(p.strip().rstrip("/") or "/" for p in text.split(",") if p.strip()))
    for prefix in prefixes:
        if not re.fullmatch(r"/[A-Za-z0-9._~/-]*", prefix):
            raise Refused(f"--protect: {prefix!r} is not a path prefix such as /dashboard")
    return prefixes


def answers_from(args: argparse.Namespace, questions: dict) -> Answers:
    part_names = [name for name, q in questions.items() if "choices" not in q]
    if args.parts is None:
        parts = tuple(name for name in part_names if questions[name]["default"])
    else:
        parts = tuple(dict.fromkeys(p.strip() for p in args.parts.split(",") if p.strip() and p != "none"))
    unknown = [p for p in parts if p not in part_names]
    if unknown:
        raise Refused(f"--parts: {', '.join(unknown)} not one of: {', '.join(part_names)}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.package):
        raise Refused(f"--package {args.package!r} must be a lowercase Python identifier")
    app = args.app or ""
    if args.parent == "django" and not re.fullmatch(r"[A-Za-z_][\w.]*(:[A-Za-z_]\w*)?", app):
        raise Refused(
            "--app: give the Django settings module (mysite.settings) or an ASGI app (mysite.asgi:application)"
        )
    if args.parent in ("fastapi", "flask") and not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", app):
        raise Refused(f"--app: give your {args.parent} app as package.module:attribute, e.g. myapi.main:app")
    if args.parent == "streamlit" and app and not app.endswith(".py"):
        raise Refused("--app: for --parent streamlit give your Streamlit script (a .py file) or leave it out")
    for flag, value in (("--users-var", args.users_var), ("--tokens-var", args.tokens_var)):
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", value):
            raise Refused(f"{flag} {value!r} must be an environment variable name (A-Z, 0-9, _)")
    if args.protect is not None:
        protect = _prefixes(args.protect)
    elif args.parent == "streamlit":
        protect = ("/",)
    else:  # the existing app's pages stay as they are; our doors are guarded
        protect = (
            DASHBOARD_PATH,
            *(["/mcp"] if "mcp" in parts else []),
            *(["/ws"] if "websocket" in parts else []),
        )
    title = " ".join(args.title.split())
    if not title or len(title) > 100:
        raise Refused("--title must be one line of 1 to 100 characters")
    if args.auth == "none" and args.protect:
        raise Refused("--protect needs --auth password or --auth oidc")
    return Answers(args.parent, app, args.auth, parts, protect, args.package, args.users_var,
                   args.tokens_var, args.plain_tokens, title)  # fmt: skip


# --- which modules ------------------------------------------------------------------------------


def chosen_modules(answers: Answers, catalogue_: dict, references: Path) -> dict[str, str]:
    """Module file name -> reference file name: the answers' modules and every part they import."""
    modules: dict[str, str] = catalogue_["modules"]
    by_reference = {reference: module for module, reference in modules.items()}
    questions = catalogue_["questions"]
    files = [f"{{pkg}}/{module}" for module in ALWAYS]
    files += questions["parent"]["choices"][answers.parent]["files"]
    files += questions["auth"]["choices"][answers.auth]["files"]
    for part in answers.parts:
        files += questions[part]["files"]
    wanted = [Path(f).name for f in files if f.startswith("{pkg}/")]
    chosen: dict[str, str] = {}
    queue = [m for m in dict.fromkeys(wanted) if m in modules and m not in PARENT_OWN]
    while queue:
        module = queue.pop(0)
        if module in chosen:
            continue
        chosen[module] = modules.get(module) or f"{Path(module).stem}.py"
        for imported in part_imports(extract(references / chosen[module]), references):
            queue.append(by_reference.get(imported, imported))
    return chosen


def env_vars(answers: Answers, questions: dict) -> list[str]:
    names = list(questions["parent"]["choices"][answers.parent]["env"])
    names += questions["auth"]["choices"][answers.auth]["env"]
    for part in answers.parts:
        names += questions[part]["env"]
    names += ["PUBLIC_BASE_URL", "TRUSTED_PROXIES"]
    if answers.auth == "password":
        rename = {"APP_USERS": answers.users_var, "APP_API_TOKENS": answers.tokens_var}
        names = [rename.get(n, n) for n in names]
    if answers.parent == "django":  # Django's own SECRET_KEY comes from the existing settings
        names = [n for n in names if n != "APP_SECRET_KEY" or answers.auth != "none"]
    return list(dict.fromkeys(names))


def guard_signature(code: str, function: str, owner: str | None = None) -> set[str]:
    """The parameters of ``function`` (a method of class ``owner``, if given) in a part: what the
    installed references' guard and settings take, so the composition calls them as they are."""
    tree = ast.parse(code)
    if owner is not None:
        classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == owner]
        tree = classes[0] if classes else ast.Module(body=[], type_ignores=[])
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return {a.arg for a in node.args.kwonlyargs + node.args.args}
    return set()


def defining_module(modules: dict[str, str], references: Path, *names: str) -> str | None:
    """The chosen module whose part defines every one of ``names`` (functions or classes)."""
    for module, reference in sorted(modules.items()):
        defined = {
            node.name
            for node in ast.parse(extract(references / reference)).body
            if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        }
        if set(names) <= defined:
            return Path(module).stem
    return None


# --- the files ----------------------------------------------------------------------------------


def module_text(module: str, reference: str, modules: dict[str, str], references: Path) -> str:
    summary = extract_first_line(references / reference)
    header = (
        f'"""{summary}\n\n'
        f"Composed from the streamlit-asgi-app skill's references/{reference} (the code between its\n"
        "part markers; the reference explains and tests it). It is yours now: change it here.\n"
        '"""\n\n'
    )
    return header + packaged_as(extract(references / reference), modules)


def extract_first_line(reference: Path) -> str:
    return reference.read_text(encoding="utf-8").split('"""', 2)[1].strip().splitlines()[0]


def asgi_text(a: Answers, modules: dict[str, str], references: Path) -> str:
    mounted = a.parent != "streamlit"
    wsgi = a.parent in ("django", "flask")
    auth_module = {"password": "auth", "oidc": "auth_oidc"}.get(a.auth)
    guard_function = {"password": "auth_middleware", "oidc": "oidc_middleware"}.get(a.auth)
    guard_everything = a.protect == ("/",)
    native_prefixes, settings_takes, store_module = False, set(), None
    if auth_module:
        code = extract(references / modules[f"{auth_module}.py"])
        native_prefixes = "protected_prefixes" in guard_signature(code, guard_function)
        settings_class = {"password": "AuthSettings", "oidc": "OIDCSettings"}[a.auth]
        settings_takes = guard_signature(code, "from_env", settings_class)
        if "store" in settings_takes:  # sessions in a shared store (memory, or Valkey/Redis)
            store_module = defining_module(modules, references, "store_from_env", "StoreUnavailable")
    own_vars = (a.users_var, a.tokens_var, a.plain_tokens) != ("APP_USERS", "APP_API_TOKENS", False)
    named_vars = own_vars and {"users_var", "tokens_var", "tokens_hashed"} <= settings_takes
    dispatcher = a.auth != "none" and not guard_everything and not native_prefixes
    module, _, attribute = a.app.partition(":")
    mcp, seo, ws, lifespan = (
        "mcp" in a.parts,
        "seo" in a.parts,
        "websocket" in a.parts,
        "lifespan" in a.parts,
    )
    ip = "ip_allowlist" in a.parts
    headers = "security_headers" in a.parts
    p = lambda text: lines.append(text)  # noqa: E731
    lines: list[str] = []
    where = {
        "fastapi": f"your FastAPI app ({a.app}) owns ``/``",
        "django": f"your Django site ({a.app}) owns ``/`` (HTTP only)",
        "flask": f"your Flask app ({a.app}, through a2wsgi) owns ``/``",
        "streamlit": "Streamlit owns ``/``; the routes below sit beside it",
    }[a.parent]
    p(f'"""The composition root: {where}' + (f"; Streamlit is at ``{DASHBOARD_PATH}/``." if mounted else "."))
    p("")
    p("Written by the streamlit-asgi-app skill's scripts/compose.py; it is yours now. Outermost first:")
    p("the client and scheme from a trusted proxy only, security headers, a readable 500 page, your")
    p("host names only, then who may connect, then who is signed in; the routes; your app last.")
    p(f"Run it from the project root: uvicorn {a.package}.asgi:app --lifespan on --http h11 \\")
    p("    --ws-per-message-deflate false --no-proxy-headers")
    p('"""')
    p("")
    p("from __future__ import annotations")
    p("")
    p("import os")
    if wsgi:
        p("from importlib import import_module")
    p("from pathlib import Path")
    p("")
    p("import streamlit as st")
    if mounted:
        p("from starlette.applications import Starlette")
    p("from starlette.exceptions import HTTPException")
    p("from starlette.middleware import Middleware")
    p("from starlette.requests import Request")
    p("from starlette.responses import JSONResponse")
    p("from starlette.routing import " + ", ".join(["Mount", "Route"] if mounted else ["Route"]))
    p("")
    if wsgi:
        p("from .asgi_glue import ImportedOnFirstRequest, http_only, slash_redirect")
    if a.parent == "fastapi":
        p(f"from {module} import {attribute} as existing  # your app: mounted last, at /")
        p("")
    if a.auth == "password":
        names = ["IDENTITY_HEADERS"] if dispatcher else []
        plain_here = a.plain_tokens and not named_vars
        names += (
            ["AuthSettings", "auth_middleware"] + (["hash_token"] if plain_here else []) + ["login_routes"]
        )
        p(f"from .auth import {', '.join(names)}")
    elif a.auth == "oidc":
        p(
            f"from .auth_oidc import {'IDENTITY_HEADERS, ' if dispatcher else ''}OIDCSettings, {'mcp_auth, ' if mcp else ''}oidc_middleware, oidc_routes"
        )
    if store_module:
        p(f"from .{store_module} import StoreUnavailable, store_from_env")
    p("from .error_pages import ServerErrorPageMiddleware, http_error_page")
    if ip:
        p("from .ip_allowlist import AllowlistSettings, IPAllowlistMiddleware")
    if ws:
        p("from .live_ticks import live_routes")
    if mcp:
        p("from .mcp_tools import MCPOnFirstRequest, combine_lifespans, create_mcp, mcp_http_app, mcp_routes")
    if headers:
        p("from .security_headers import SecurityHeadersMiddleware")
    if seo:
        p(f"from .seo import {'SEO_PATHS, ' if a.auth != 'none' else ''}SiteInfo, seo_routes")
    p("from .session_cost import freeze_startup_objects")
    p("from .trusted_host import EdgeSettings, edge_guard_middleware, proxy_trust_middleware")
    if lifespan:
        p(f"from .warmup import {'load_reference_data, ' if mcp else ''}warm_caches, warmup")
    p("")
    p("HERE = Path(__file__).parent")
    if mounted:
        p(f'DASHBOARD_PATH = "{DASHBOARD_PATH}"')
    p('HEALTH_PATH = "/healthz"')
    if a.auth != "none" and not guard_everything:
        p("# Only these doors need a session or a bearer token; your app's other pages stay as they were.")
        prefixes = ", ".join(quoted(prefix) for prefix in a.protect)
        p(f"PROTECTED_PREFIXES = ({prefixes}{',' if len(a.protect) == 1 else ''})")
    p("edge = EdgeSettings.from_env()  # PUBLIC_BASE_URL and TRUSTED_PROXIES, read once for every layer")
    shared = ["store=store", f'namespace="{a.package}"'] if store_module else []
    if store_module:
        p("# Sessions and sign-in counts: this process's memory, or Valkey/Redis shared by every process")
        p("# when REDIS_URL is set (refuses to start, naming REDIS_URL, when it cannot be reached).")
        p("store = store_from_env()")
    if a.auth == "password" and (named_vars or not own_vars):
        if named_vars:
            shared += [f'users_var="{a.users_var}"', f'tokens_var="{a.tokens_var}"']
            shared += ["tokens_hashed=False"] if a.plain_tokens else []
        p(f"# Refuses to start without {a.users_var} and a strong APP_SECRET_KEY.")
        p(called("auth = AuthSettings.from_env", shared))
    elif a.auth == "password":  # references whose settings read only APP_USERS and APP_API_TOKENS
        p("")
        p("")
        p("def auth_environment() -> dict[str, str]:")
        p(f'    """The environment AuthSettings reads, with the accounts in {a.users_var} and the agents\'')
        plain = " (plain tokens: name:token entries or one bare token, hashed here)" if a.plain_tokens else ""
        p(f'    tokens in {a.tokens_var}{plain}."""')
        p("    environ = dict(os.environ)")
        p(f'    environ["APP_USERS"] = os.environ.get("{a.users_var}", "")')
        if a.plain_tokens:
            p(f'    entries = os.environ.get("{a.tokens_var}", "").split()')
            p('    named = (e.partition(":") if ":" in e else ("agent", ":", e) for e in entries)')
            p(
                '    environ["APP_API_TOKENS"] = " ".join(f"{name}:{hash_token(token)}" for name, _, token in named)'
            )
        else:
            p(f'    environ["APP_API_TOKENS"] = os.environ.get("{a.tokens_var}", "")')
        p("    return environ")
        p("")
        p("")
        p(called("auth = AuthSettings.from_env", ["auth_environment()", *shared]))
    elif a.auth == "oidc":
        p("# One line naming the variable when OIDC_* or APP_SECRET_KEY is wrong or the provider is down.")
        p(called("auth = OIDCSettings.from_env", shared))
    if mcp:
        arguments = ", ".join(
            (["dashboard_data=load_reference_data"] if lifespan else [])
            + (["auth=mcp_auth(auth)"] if a.auth == "oidc" else [])
        )
        p("# fastmcp is imported when the first /mcp/ request comes: start-up does not wait for it.")
        p(f"mcp = create_mcp({arguments})")
        p("mcp_server = MCPOnFirstRequest(lambda: mcp_http_app(mcp, edge.allowed_hosts))")
    if seo:
        pages = (
            '["/", f"{DASHBOARD_PATH}/"], start_url=f"{DASHBOARD_PATH}/"'
            if mounted
            else '["/"], start_url="/"'
        )
        p(f'site = SiteInfo.from_env({quoted(a.title)}, "A Streamlit dashboard.", pages={pages})')
    if a.auth != "none":
        p(f"open_paths = [HEALTH_PATH{', *SEO_PATHS' if seo else ''}]  # open signed out, GET and HEAD")
    p("")
    p("")
    p("async def healthz(request: Request) -> JSONResponse:")
    if store_module:
        p("    try:  # every guarded request answers 503 while the shared store is down: out of rotation")
        p("        await store.ping()")
        p("    except StoreUnavailable:")
        p('        return JSONResponse({"status": "degraded"}, 503, headers={"Cache-Control": "no-store"})')
    if lifespan:
        p('    """200 while the caches warm ("starting"), then "ok"; 503 if the warm-up failed."""')
        p('    code = 503 if warmup.status == "failed" else 200')
        p('    return JSONResponse({"status": warmup.status}, code, headers={"Cache-Control": "no-store"})')
    else:
        p('    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})')
    if dispatcher:
        p("")
        p("")
        p("class GuardOnly:")
        p('    """The sign-in (session cookie + guard) for PROTECTED_PREFIXES and the sign-in\'s own pages')
        p("    (``doors``) only; every other request goes straight on, without client copies of the")
        p('    identity headers. Replace it with the guard\'s own ``protected_prefixes`` once it has one."""')
        p("")
        p("    def __init__(self, app, *, prefixes, doors, guard: list[Middleware]) -> None:")
        p("        self.app, self.prefixes, self.doors = app, tuple(prefixes), frozenset(doors)")
        p("        self.guarded = app")
        p("        for cls, args, kwargs in reversed(guard):")
        p("            self.guarded = cls(self.guarded, *args, **kwargs)")
        p("")
        p("    def is_guarded(self, path: str) -> bool:")
        p(
            '        return path in self.doors or any(path == p or path.startswith(p + "/") for p in self.prefixes)'
        )
        p("")
        p("    async def __call__(self, scope, receive, send) -> None:")
        p('        if scope["type"] not in ("http", "websocket") or self.is_guarded(scope["path"]):')
        p("            await self.guarded(scope, receive, send)")
        p("            return")
        p(
            '        scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() not in IDENTITY_HEADERS]'
        )
        p("        await self.app(scope, receive, send)")
    p("")
    p("")
    if mounted:
        p(f'dashboard = st.App(HERE / "dashboard.py"{", lifespan=warm_caches" if lifespan else ""})')
    if a.parent == "django":
        if attribute:
            p("# Your Django app is imported when the first request for it comes: start-up does not wait.")
            p(f'existing = ImportedOnFirstRequest(lambda: getattr(import_module("{module}"), "{attribute}"))')
        else:
            p(f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")')
            p("# Django is set up when the first request for it comes: start-up does not wait for it.")
            p(
                'existing = ImportedOnFirstRequest(lambda: import_module("django.core.asgi").get_asgi_application())'
            )
    elif a.parent == "flask":
        p("")
        p("")
        p("def load_flask():")
        p("    from a2wsgi import WSGIMiddleware")
        p("")
        p(f'    return WSGIMiddleware(getattr(import_module("{module}"), "{attribute}"))')
        p("")
        p("")
        p("# Your Flask app is imported when the first request for it comes: start-up does not wait.")
        p("existing = ImportedOnFirstRequest(load_flask)")
    p("")
    if a.auth == "password":
        p("sign_in = login_routes(auth)  # /login, /logout")
    elif a.auth == "oidc":
        p("sign_in = oidc_routes(auth)  # /login, /auth/callback, /logout, /signed-out")
    p("middleware = [")
    p("    proxy_trust_middleware(edge),")
    if headers:
        p("    Middleware(SecurityHeadersMiddleware),")
    p("    Middleware(ServerErrorPageMiddleware),")
    p("    *edge_guard_middleware(edge),")
    if ip:
        p(
            "    Middleware(IPAllowlistMiddleware, settings=AllowlistSettings.from_env(), open_paths=[HEALTH_PATH]),"
        )
    if a.auth != "none":
        call = f"{guard_function}(auth, open_paths=open_paths"
        if guard_everything:
            p(f"    *{call}),")
        elif native_prefixes:
            p(f"    *{call}, protected_prefixes=PROTECTED_PREFIXES),")
        else:
            p("    Middleware(")
            p("        GuardOnly,")
            p("        prefixes=PROTECTED_PREFIXES,")
            p("        doors=[route.path for route in sign_in],")
            p(f"        guard={call}),")
            p("    ),")
    p("]")
    p("routes = [")
    p('    Route(HEALTH_PATH, healthz, methods=["GET", "HEAD"]),')
    if a.auth != "none":
        p("    *sign_in,")
    if a.auth == "oidc" and mcp:
        p('    *mcp.auth.get_well_known_routes(mcp_path="/mcp"),  # at the root, where MCP clients look')
    if seo:
        p("    *seo_routes(site),")
    if mcp:
        p("    *mcp_routes(mcp_server),")
    if ws:
        p("    *live_routes(),")
    if mounted:
        if wsgi:
            p("    slash_redirect(DASHBOARD_PATH),")
        else:
            p('    Route(DASHBOARD_PATH, lambda request: RedirectResponse(f"{DASHBOARD_PATH}/", 307)),')
        p("    Mount(DASHBOARD_PATH, app=dashboard),")
        if wsgi:
            p('    Mount("/", app=http_only(existing)),  # last; WSGI/Django handlers cannot take websockets')
        else:
            p('    Mount("/", app=existing),  # last: your app keeps every other path')
    p("]")
    p("")
    lifespans = ["dashboard.lifespan()"] if mounted else (["warm_caches"] if lifespan else [])
    if a.parent == "fastapi":
        lifespans.append("lambda _: existing.router.lifespan_context(existing)")
    if mcp:
        lifespans.append("mcp_server.lifespan")
    if len(lifespans) > 1 and not mcp:  # combine_lifespans lives in mcp_tools; a small one here
        p("")
        p("")
        p("def combine_lifespans(*lifespans):")
        p('    """Enter ``lifespans`` in order, leave them in reverse."""')
        p("    from contextlib import AsyncExitStack, asynccontextmanager")
        p("")
        p("    @asynccontextmanager")
        p("    async def combined(app):")
        p("        state = {}")
        p("        async with AsyncExitStack() as stack:")
        p("            for lifespan in lifespans:")
        p("                state.update(await stack.enter_async_context(lifespan(app)) or {})")
        p("            yield state")
        p("")
        p("    return combined")
        p("")
        p("")
    lifespan_argument = lifespans[0] if len(lifespans) == 1 else f"combine_lifespans({', '.join(lifespans)})"
    if mounted:
        p("app = Starlette(")
    else:
        script = f'HERE.parent / "{a.app}"' if a.app else 'HERE / "dashboard.py"'
        p("app = st.App(")
        p(f"    {script},")
    p("    routes=routes,")
    p("    middleware=middleware,")
    p("    exception_handlers={HTTPException: http_error_page},")
    if lifespans:
        p(f"    lifespan={lifespan_argument},")
    p(")")
    p("freeze_startup_objects()  # last: what start-up built skips the collection after every script run")
    text = "\n".join(lines) + "\n"
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    if "os." not in text:
        text = text.replace("import os\n", "", 1)
    if "RedirectResponse(" in text:
        text = text.replace(
            "from starlette.responses import JSONResponse",
            "from starlette.responses import JSONResponse, RedirectResponse",
        )
    return text


def called(head: str, arguments: list[str]) -> str:
    """``head(arguments)`` on one line, or one argument a line when that would be long."""
    line = f"{head}({', '.join(arguments)})"
    if len(line) <= 100:
        return line
    return f"{head}(\n" + "".join(f"    {argument},\n" for argument in arguments) + ")"


def quoted(text: str) -> str:
    """``text`` as a double-quoted Python string literal (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def dashboard_text(a: Answers) -> str:
    lines = [
        '"""The Streamlit dashboard; asgi.py serves it. It reruns top to bottom on every interaction."""',
        "",
        "import streamlit as st",
    ]
    if "lifespan" in a.parts:
        lines.append(f"from {a.package}.warmup import load_model, load_reference_data")
    lines += [
        "",
        f'st.set_page_config(page_title={quoted(a.title)}, layout="wide")',
        f"st.title({quoted(a.title)})",
    ]
    if a.auth != "none":
        lines += [
            "",
            "# The guard sets X-Forwarded-User (and -Email) from the session, dropping client copies;",
            "# server.trustedUserHeaders in .streamlit/config.toml makes them st.user. Read with .get().",
            'user = st.user.get("name")',
            "with st.sidebar:",
            '    st.success(f"Signed in as {user}" if user else "Not signed in")',
            '    st.link_button("Sign out", "/logout")  # a form that POSTs with a CSRF token',
        ]
    lines += [
        "",
        'points = st.slider("Points", min_value=1, max_value=20, value=5)',
        'st.write(f"Sum of 1..{points} = {sum(range(1, points + 1))}")',
    ]
    if "lifespan" in a.parts:
        lines += [
            "model = load_model()  # a cache hit: the lifespan loaded it before the first visit",
            "st.caption(f\"Model {model['name']}, warmed at start-up\")",
            "st.dataframe(load_reference_data())",
        ]
    if "websocket" in a.parts:
        lines += ['st.subheader("Live ticks")', 'st.iframe("/widgets/live-ticks.html", height=130)']
    return "\n".join(lines) + "\n"


def config_text(a: Answers) -> str:
    text = (
        "# Read by Streamlit under uvicorn too: it sits beside the script.\n"
        "[browser]\ngatherUsageStats = false  # no calls to Streamlit's metrics host (CSP-clean)\n\n"
        '[client]\ntoolbarMode = "minimal"\n\n'
        '[server]\nfileWatcherType = "none"  # develop with uvicorn --reload\nenableXsrfProtection = true\n'
    )
    if a.auth != "none":
        text += (
            '# The guard sets these from the session and drops client copies: st.user["name"].\n'
            'trustedUserHeaders = { "X-Forwarded-User" = "name", "X-Forwarded-Email" = "email" }\n'
        )
    return text + "\n[runner]\npostScriptGC = false  # session_cost.py: gc.freeze() instead\n"


def plan(a: Answers, catalogue_: dict, references: Path) -> dict[str, str]:
    """Path (relative to the project root) -> text: everything the composition writes."""
    modules = chosen_modules(a, catalogue_, references)
    package = Path(a.package)
    files = {package / "__init__.py": '"""Streamlit composed into this project (see asgi.py)."""\n'}
    for module, reference in sorted(modules.items()):
        files[package / module] = module_text(module, reference, catalogue_["modules"] | modules, references)
    if "auth.py" in modules:  # its password check reads the common passwords beside it
        data = references / "common_passwords.txt"
        files[package / data.name] = data.read_text(encoding="utf-8")
    files[package / "asgi.py"] = asgi_text(a, modules, references)
    script_dir = Path(a.app).parent if a.parent == "streamlit" and a.app else package
    if script_dir == package:
        files[package / "dashboard.py"] = dashboard_text(a)
    # Streamlit reads .streamlit/config.toml beside the script only (under uvicorn).
    files[script_dir / ".streamlit" / "config.toml"] = config_text(a)
    return {str(path): text for path, text in files.items()}


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="compose.py",
        description="Compose a Streamlit dashboard (st.App) into an existing app from the skill's references.",
        epilog="Example: compose.py --parent django --app mysite.settings --auth password "
        "--parts security_headers,mcp --users-var STAFF_USERS --tokens-var AGENT_TOKEN --plain-tokens",
    )
    cli.add_argument("--parent", required=True, choices=PARENTS, help="which app owns /")
    cli.add_argument("--app", help="your app: a Django settings module (mysite.settings) or ASGI app "
                     "(mysite.asgi:application); a FastAPI/Flask app as package.module:app; for "
                     "streamlit, your script (path from --dest; default: a new dashboard.py)")  # fmt: skip
    cli.add_argument("--auth", choices=AUTH_MODES, default="none", help="who signs in (default: none)")
    cli.add_argument("--parts", help="comma-separated: security_headers, ip_allowlist, seo, mcp, websocket, "
                     "lifespan, or none (default: the template's defaults)")  # fmt: skip
    cli.add_argument("--protect", help="comma-separated path prefixes the sign-in guards, / for every door "
                     "(default: /dashboard plus /mcp and /ws when on; / for --parent streamlit)")  # fmt: skip
    cli.add_argument(
        "--users-var", default="APP_USERS", help="password: the variable with name:argon2 accounts"
    )
    cli.add_argument(
        "--tokens-var", default="APP_API_TOKENS", help="password: the variable with agents' tokens"
    )
    cli.add_argument(
        "--plain-tokens",
        action="store_true",
        help="password: --tokens-var holds plain tokens (name:token or one bare token), not SHA-256",
    )
    cli.add_argument("--title", default="Dashboard", help="the dashboard's title (default: Dashboard)")
    cli.add_argument(
        "--package", default="streamlit_asgi", help="the package to write (default: streamlit_asgi)"
    )
    cli.add_argument("--dest", type=Path, default=Path("."), help="the project root (default: .)")
    cli.add_argument("--references", type=Path, default=HERE.parent / "references", help=argparse.SUPPRESS)
    cli.add_argument("--force", action="store_true", help="overwrite files that exist")
    cli.add_argument("--dry-run", action="store_true", help="print what would be written, write nothing")
    return cli


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if not args.dest.is_dir():
            raise Refused(f"--dest {args.dest} is not a directory")
        if args.parent != "streamlit" and not args.app:
            raise Refused(f"--app is required with --parent {args.parent}")
        catalogue_ = catalogue()
        answers = answers_from(args, catalogue_["questions"])
        files = plan(answers, catalogue_, args.references)
        existing = [name for name in files if (args.dest / name).exists()]
        if existing and not args.force:
            raise Refused(f"{', '.join(existing)} already exist in {args.dest}: pass --force to overwrite")
    except Refused as refusal:
        print(f"compose.py: {refusal}", file=sys.stderr)
        return 2
    for name, text in files.items():
        path = args.dest / name
        if not args.dry_run:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"{'would write' if args.dry_run else 'wrote'} {path}")
    report(answers, catalogue_["questions"], requirements(files, answers.parent, answers.app))
    return 0


# Import names whose distribution is called otherwise.
DISTRIBUTIONS = {"argon2": "argon2-cffi", "jwt": "pyjwt", "yaml": "pyyaml"}


def requirements(files: dict[str, str], parent: str, app: str) -> list[str]:
    """The distributions the written modules import (their parts' imports, lazy ones too), your
    own app (``app``) left out."""
    names = {"streamlit", "uvicorn"} | ({"django", "a2wsgi"} if parent == "django" else set())
    names |= {"flask", "a2wsgi"} if parent == "flask" else set()
    ours = {Path(name).stem for name in files}
    for name, text in files.items():
        if not name.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    names -= set(sys.stdlib_module_names) | ours | {"__future__", "starlette"}  # Streamlit brings Starlette
    names.discard(app.split(":")[0].split(".")[0] if parent != "streamlit" else "")
    return sorted(DISTRIBUTIONS.get(name, name) for name in names)


def report(a: Answers, questions: dict, packages: list[str]) -> None:
    print(f"\nInstall: pip install {' '.join(packages)}")
    print(f"Run (from {a.package}'s parent folder): uvicorn {a.package}.asgi:app --lifespan on --port 8000 "
          "--http h11 --ws-per-message-deflate false --no-proxy-headers")  # fmt: skip
    where = "/" if a.parent == "streamlit" else f"{DASHBOARD_PATH}/"
    guarded = "every door" if a.protect == ("/",) else ", ".join(a.protect)
    print(
        f"Dashboard: http://127.0.0.1:8000{where}"
        + (f"  (sign-in guards {guarded})" if a.auth != "none" else "")
    )
    print("Environment:")
    for name in env_vars(a, questions):
        print(f"  {name}{ENV_HINTS.get(name, '')}")
    if a.auth == "password":
        print(f"  accounts: python -m {a.package}.auth hash alice  (prints the {a.users_var} entry)")
        if a.plain_tokens:
            print(f"  agents:   {a.tokens_var}=$(python -c \"import secrets; print(secrets.token_urlsafe(32))\")"
                  "  (the bearer token for /mcp/ and /api/)")  # fmt: skip
        else:
            print(
                f"  agents:   python -m {a.package}.auth token agent  (the token, and its {a.tokens_var} entry)"
            )
    if "security_headers" in a.parts and a.parent != "streamlit":
        print(f"Note: the CSP covers your app's pages too; a page with inline scripts or CDN assets needs "
              f"them allowed in {a.package}/security_headers.py (FastAPI's default /docs load from a CDN: "
              "serve them yourself, see references/mount_streamlit_as_subapp.py).")  # fmt: skip
    print("Then adapt: your own tools in mcp_tools.py, your pages in dashboard.py." if "mcp" in a.parts
          else "Then adapt dashboard.py.")  # fmt: skip


ENV_HINTS = {
    "APP_SECRET_KEY": '  (32+ bytes: python -c "import secrets; print(secrets.token_urlsafe(48))")',
    "PUBLIC_BASE_URL": "  (the public origin, e.g. https://dash.example.com; the only host answered besides loopback)",
    "TRUSTED_PROXIES": "  (behind a proxy: its address or CIDR)",
    "REDIS_URL": "  (empty: sessions in this process; redis://host:6379/0 shares them between processes)",
    "APP_DEV_MODE": "  (1 for local trials only: a throwaway key and dev account)",
}


if __name__ == "__main__":
    sys.exit(main())
