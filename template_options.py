"""The template's questions, declared once: parents, parts, choices, their files and checks.

Everything else is generated from or reads this module (``tools/gen_options.py --check`` fails
when one of them disagrees): cookiecutter.json, copier.yml, both hooks (which embed this file),
the Jinja check that runs before cookiecutter writes anything (local_extensions.py), the matrix
tests, bench/ and the README's option table (and its sign-in section, from the baked README).

Standard library only, Python 3.11: the hooks run it under whatever Python runs cookiecutter.
"""

import itertools
import keyword
import re
import sys
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    """A one-line free-text answer."""

    name: str
    prompt: str
    default: str
    max_length: int = 100
    adds: str = ""  # README: what the answer changes


@dataclass(frozen=True)
class Choice:
    """One answer out of several; the first is the default."""

    name: str
    prompt: str
    choices: dict[str, str]  # answer -> what it means
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)  # answer -> files only it keeps
    env: dict[str, tuple[str, ...]] = field(default_factory=dict)  # answer -> environment it reads
    # an older question this one replaces -> {older answer -> answer}: never asked, read from older
    # answer files (copier's); an answer file that gives both, disagreeing, is refused
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    adds: str = ""

    @property
    def default(self) -> str:
        return next(iter(self.choices))


@dataclass(frozen=True)
class Part:
    """A yes/no question that adds one part (files, routes, middleware) to the project."""

    name: str
    prompt: str
    default: bool
    reference: str  # the reference module the part's code comes from
    files: tuple[str, ...] = ()  # kept only when the part is on
    env: tuple[str, ...] = ()
    adds: str = ""  # README: the routes or behaviour it brings


# Where people get this template: the one place the address is written (cookiecutter.json's
# `_template_source`, copier's answers, README.md, SKILL.md and every baked README read it).
TEMPLATE_SOURCE = "https://github.com/st-asgi-template/st-asgi-template"

PKG = "{pkg}"  # the package directory, named after project_slug
# What every sign-in mode needs: the signed cookie, and the store its sessions and counts live in.
SIGNED_IN_FILES = (f"{PKG}/session_cookie.py", f"{PKG}/app_state.py", f"{PKG}/roles.py")

QUESTIONS: tuple[Text | Choice | Part, ...] = (
    Text(
        "project_name",
        "Project name (shown as the dashboard's title)",
        "Streamlit ASGI App",
        adds="the dashboard's title and heading",
    ),
    Text(
        "project_slug",
        "Python package name (a lowercase identifier)",
        "{{ cookiecutter.project_name|slugify(separator='_') }}",
        max_length=40,
        adds="the Python package name (from the name; validated)",
    ),
    Text("author_name", "Author", "Your Name", adds="`pyproject.toml`"),
    Text(
        "description",
        "One-line description",
        "A Streamlit dashboard with a real backend, served by st.App.",
        300,
        adds="`pyproject.toml`, README",
    ),
    Choice(
        "parent",
        "Which app owns the root URL /?",
        {
            "fastapi": "FastAPI owns /, the dashboard is at /dashboard/ (an API with a dashboard)",
            "streamlit": "Streamlit owns /, your routes sit beside it (a dashboard with an API)",
            "django": "Django owns /, the dashboard is at /dashboard/ (an existing Django site)",
            "flask": "Flask owns /, the dashboard is at /dashboard/ (an existing Flask app)",
        },
        files={
            "fastapi": (f"{PKG}/fastapi_site.py", f"{PKG}/home.py", f"{PKG}/api_docs.py"),
            "streamlit": (),
            "django": (f"{PKG}/django_site.py", f"{PKG}/home.py", f"{PKG}/asgi_glue.py"),
            "flask": (f"{PKG}/flask_site.py", f"{PKG}/home.py", f"{PKG}/asgi_glue.py"),
        },
        env={"django": ("APP_SECRET_KEY",)},  # Django's SECRET_KEY; it signs nothing here
        adds="see the table above",
    ),
    Part(
        "security_headers",
        "Security headers (a CSP Streamlit renders under, X-Frame-Options, HSTS over https)?",
        True,
        "middleware_security_headers",
        (f"{PKG}/security_headers.py",),
        adds="`security_headers.py` → CSP (hash of Streamlit's inline script computed at start-up), "
        "X-Frame-Options, nosniff, Referrer-Policy, Permissions-Policy, HSTS over https",
    ),
    Choice(
        "auth",
        "How do people sign in?",
        {
            "none": "Nobody signs in (keep it on a private network or behind your own proxy)",
            "password": "Named accounts with passwords, server-side sessions, API tokens for agents",
            "oidc": "Your OpenID Connect provider (Authlib, code + PKCE); its JWTs for agents",
        },
        files={
            "none": (),
            "password": (
                f"{PKG}/auth.py",
                f"{PKG}/common_passwords.txt",
                *SIGNED_IN_FILES,
                "tests/test_auth.py",
            ),
            "oidc": (f"{PKG}/auth_oidc.py", *SIGNED_IN_FILES, "tests/test_oidc.py"),
        },
        env={
            "password": (
                "APP_USERS",
                "APP_USERS_FILE",
                "APP_SECRET_KEY",
                "APP_API_TOKENS",
                "APP_DEV_MODE",
                "PUBLIC_BASE_URL",
                "REDIS_URL",
                "APP_ROLES",
            ),
            "oidc": (
                "OIDC_ISSUER",
                "OIDC_CLIENT_ID",
                "OIDC_CLIENT_SECRET",
                "OIDC_AUDIENCE",
                "PUBLIC_BASE_URL",
                "APP_SECRET_KEY",
                "REDIS_URL",
                "OIDC_ROLES_CLAIM",
            ),
        },
        aliases={"auth_cookie": {"true": "password", "false": "none"}},
        adds="`password`: `auth.py` → `/login`, `/logout` (POST); named accounts, server-side sessions, "
        "bearer tokens for `/mcp`, `/api`; guards pages, `/_stcore/stream`, uploads, media "
        "(a copier answer file's older `auth_cookie=true` still means `password`; cookiecutter "
        "reads `auth` only); "
        "`oidc`: `auth_oidc.py` → `/login` via your provider, `/auth/callback`, `/logout`, `/signed-out`; "
        "the provider's JWTs for `/mcp`, `/api`; the same guard on every door",
    ),
    Part(
        "ip_allowlist",
        "IP allowlist (CIDRs from ALLOWED_IPS, http and websocket)?",
        False,
        "middleware_ip_whitelist",
        (f"{PKG}/ip_allowlist.py",),
        ("ALLOWED_IPS", "TRUSTED_PROXIES"),
        "`ip_allowlist.py` → CIDR allowlist on http and websocket",
    ),
    Part(
        "seo",
        "SEO files (robots.txt, sitemap.xml, manifest.json)?",
        False,
        "route_seo_metadata",
        (f"{PKG}/seo.py",),
        ("PUBLIC_BASE_URL",),
        "`seo.py` → `/robots.txt`, `/sitemap.xml`, `/manifest.json`",
    ),
    Part(
        "mcp",
        "MCP server for AI agents at /mcp/ (fastmcp)?",
        False,
        "route_mcp_server",
        (f"{PKG}/mcp_tools.py",),
        adds="`mcp_tools.py` → MCP server (fastmcp) at `/mcp/`",
    ),
    Part(
        "websocket",
        "Live websocket feed at /ws/live with a widget in the dashboard?",
        False,
        "route_websocket_stream",
        (f"{PKG}/live_ticks.py",),
        adds="`live_ticks.py` → `/ws/live` and a live widget in the dashboard",
    ),
    Part(
        "lifespan",
        "Lifespan that warms Streamlit's caches at start-up?",
        True,
        "core_lifespan_lifecycle",
        (f"{PKG}/warmup.py",),
        adds="`warmup.py` → warms `st.cache_resource`/`st.cache_data` at start-up, in the background "
        "(`/healthz` says `starting` meanwhile)",
    ),
)

# Answers that cannot go together: ({question: answer, ...}, why). None today; the matrix,
# bench and both generators leave such combinations out, and the check refuses them.
INVALID: tuple[tuple[dict[str, object], str], ...] = ()

TEXTS = tuple(q for q in QUESTIONS if isinstance(q, Text))
CHOICES = tuple(q for q in QUESTIONS if isinstance(q, Choice))
PARTS = tuple(q for q in QUESTIONS if isinstance(q, Part))
BY_NAME = {q.name: q for q in QUESTIONS}
ALIASES = {alias: choice for choice in CHOICES for alias in choice.aliases}

SLUG_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*$")
# Names the generated project imports or creates: a package with one of them would shadow it.
TAKEN_NAMES = frozenset(
    {
        "a2wsgi", "app", "authlib", "dashboard", "django", "fastapi", "fastmcp", "flask", "httpx",
        "itsdangerous", "mcp", "pydantic", "pytest", "secure", "starlette", "streamlit",
        "tests", "uvicorn", "websockets",
    }
)  # fmt: skip
TRUE_WORDS = ("1", "true", "t", "yes", "y", "on")
FALSE_WORDS = ("0", "false", "f", "no", "n", "off")
JINJA_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")


def resolved_name(choice: Choice) -> str:
    """The private key holding a choice's answer after its aliases (what the template reads)."""
    return f"__{choice.name}"


def alias_expression(choice: Choice, answer: str, older: str) -> str:
    """A Jinja expression giving ``choice``'s answer with older answers (aliases) applied.

    ``answer`` and ``older`` format a question's name into the engine's variable (cookiecutter's
    dict, copier's top-level names), so both generators resolve aliases with this one expression.
    """
    expression = answer.format(choice.name)
    for alias, mapping in reversed(choice.aliases.items()):
        old = f"({older.format(alias)}|string|lower)"
        on, off = mapping["true"], mapping["false"]
        yes, no = list(TRUE_WORDS), list(FALSE_WORDS)
        expression = f"({on!r} if {old} in {yes} else {off!r} if {old} in {no} else {expression})"
    return expression


def as_bool(value: object) -> bool | None:
    """A yes/no answer as given on a command line or in an answer file, or None if it is neither."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


# --- checks: one line per bad answer ----------------------------------------------------------


def check_slug(slug: str) -> str | None:
    """Why ``slug`` cannot be the package name, or None."""
    if not slug:
        return "project_slug is empty: give a name such as my_dashboard"
    if "/" in slug or "\\" in slug or ".." in slug:
        return f"project_slug {slug!r} must be one folder name, without / or \\ or .."
    if not SLUG_PATTERN.match(slug):
        return (
            f"project_slug {slug!r} must be lowercase ASCII letters, digits and _, not starting with a digit"
        )
    if len(slug) > 40:
        return f"project_slug {slug!r} is longer than 40 characters"
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return f"project_slug {slug!r} is a Python keyword"
    if slug in sys.stdlib_module_names:
        return f"project_slug {slug!r} would shadow the standard library module of that name"
    if slug in TAKEN_NAMES:
        return f"project_slug {slug!r} would shadow a module the project uses"
    return None


def check_text(question: Text, value: object) -> str | None:
    """Why a one-line text answer is unusable, or None."""
    if not isinstance(value, str):
        return f"{question.name} must be text, not {value!r}"
    if any(marker in value for marker in JINJA_MARKERS):
        return (
            f"{question.name} {value!r} contains template syntax ({{{{, {{% or {{#); answers are plain text"
        )
    if question.name == "project_slug":
        return check_slug(value)
    if not value.strip():
        return f"{question.name} is empty"
    if len(value) > question.max_length:
        return f"{question.name} is longer than {question.max_length} characters"
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        return f"{question.name} must be a single line without control characters"
    return None


def problems(context: dict) -> list[str]:
    """Every reason the answers in ``context`` (cookiecutter's or copier's) cannot be used."""
    found: list[str | None] = [check_text(q, context.get(q.name, "")) for q in TEXTS]
    for choice in CHOICES:
        answer = context.get(choice.name)
        if answer not in choice.choices:
            found.append(f"{choice.name} {answer!r} is not one of: {', '.join(choice.choices)}")
        for alias, mapping in choice.aliases.items():
            old = context.get(alias, "")
            if old in ("", None):
                continue
            if as_bool(old) is None:
                found.append(f"{alias} (now {choice.name}) must be true or false, not {old!r}")
                continue
            meant = mapping[str(as_bool(old)).lower()]
            if answer in choice.choices and answer != meant:  # both given, and they disagree
                found.append(
                    f"{alias}={str(old).lower()} (the older spelling of {choice.name}={meant}) "
                    f"contradicts {choice.name}={answer}: give {choice.name} only"
                )
    for part in PARTS:
        if as_bool(context.get(part.name)) is None:
            found.append(f"{part.name} must be true or false, not {context.get(part.name)!r}")
    if not [p for p in found if p]:
        answers = typed(context)
        found += [why for combination, why in INVALID if matches(answers, combination)]
    return [problem for problem in found if problem]


# --- answers, typed once ----------------------------------------------------------------------


def typed(context: dict) -> dict[str, object]:
    """The answers of a checked ``context``: texts, resolved choices and parts as booleans."""
    answers: dict[str, object] = {q.name: context[q.name] for q in TEXTS}
    for choice in CHOICES:  # the template reads the resolved answer, so do the hooks
        answers[choice.name] = context.get(resolved_name(choice), context[choice.name])
    for part in PARTS:
        answers[part.name] = as_bool(context[part.name])
    return answers


def matches(answers: dict, combination: dict) -> bool:
    return all(answers.get(key) == value for key, value in combination.items())


def unused_files(answers: dict) -> list[str]:
    """Paths (relative to the project, ``{pkg}`` filled in) the answers do not need."""
    keep: set[str] = set()
    every: set[str] = set()
    for choice in CHOICES:
        for answer, files in choice.files.items():
            every.update(files)
            if answers[choice.name] == answer:
                keep.update(files)
    for part in PARTS:
        every.update(part.files)
        if answers[part.name]:
            keep.update(part.files)
    return sorted(path.format(pkg=answers["project_slug"]) for path in every - keep)


def answer_space() -> dict[str, list]:
    """Every question with more than one possible answer, and those answers."""
    space: dict[str, list] = {choice.name: list(choice.choices) for choice in CHOICES}
    space.update({part.name: [True, False] for part in PARTS})
    return {q.name: space[q.name] for q in QUESTIONS if q.name in space}


def combinations() -> list[dict[str, object]]:
    """Every valid combination of choices and parts (the exhaustive matrix)."""
    space = answer_space()
    every = (dict(zip(space, values, strict=True)) for values in itertools.product(*space.values()))
    return [answers for answers in every if not any(matches(answers, c) for c, _ in INVALID)]
