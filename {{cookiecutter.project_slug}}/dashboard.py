{%- set c = cookiecutter -%}
{%- set pkg = c.project_slug -%}
{%- set signed_in = c.__auth != "none" -%}
"""The Streamlit dashboard. app.py serves it; it reruns top to bottom on every interaction.
{%- if signed_in %}

Two pages: "Overview" for everyone signed in, "Admin" (url path ``admin``) for role ``admin``.
Streamlit's pages share one websocket, which the guard opens to everyone signed in, so the
page check is here in the script, from ``st.user["roles"]``, which the guard fills.
"""
{%- else %}"""
{%- endif %}

import streamlit as st

from {{ pkg }} import DESCRIPTION, PROJECT_NAME
{%- if signed_in %}
from {{ pkg }}.app_state import SignInAdmin
from {{ pkg }}.roles import admin_page, navigation
{%- endif %}
{%- if c.lifespan %}
from {{ pkg }}.warmup import load_model, load_reference_data
{%- endif %}

# The charts' Vega-Lite specs, written once: st.line_chart and st.bar_chart rebuild and
# validate an Altair chart on every rerun, which costs more than the rest of this script.
EXPLORE_SPEC = {
    "mark": {"type": "line", "tooltip": True},
    "encoding": {
        "x": {"field": "x", "type": "quantitative"},
        "y": {"field": "value", "type": "quantitative"},
        "color": {"field": "series", "type": "nominal"},
    },
}
{%- if c.lifespan %}
SALES_SPEC = {
    "mark": {"type": "bar", "tooltip": True},
    "encoding": {
        "x": {"field": "region", "type": "nominal", "sort": None},
        "y": {"field": "sales", "type": "quantitative"},
    },
}
{%- endif %}


@st.cache_data
def explore_rows(points: int) -> list[dict]:
    """The Explore chart's rows, computed once per slider value and shared by every session."""
    rows = [{"x": i, "series": "squares", "value": i * i} for i in range(points)]
    return rows + [{"x": i, "series": "linear", "value": i * points} for i in range(points)]


def overview() -> None:
    """Today's numbers, charts and links: the page everyone signed in sees."""
    left, right = st.columns(2)
    with left:
        st.subheader("Explore")
        points = st.slider("Points", min_value=1, max_value=20, value=5)
        st.write(f"Sum of 1..{points} = {sum(range(1, points + 1))}")
        st.vega_lite_chart(explore_rows(points), EXPLORE_SPEC, width="stretch")
        # Uploads and media live in this process's memory: see README, "Deploy".
        upload = st.file_uploader("Show an image", type=["png", "jpg", "jpeg", "gif"])
        if upload is not None:
            st.image(upload, caption=upload.name)
    with right:
{%- if c.lifespan %}
        st.subheader("Warmed at start-up")
        model = load_model()  # a cache hit: the lifespan loaded it before the first visit
        st.caption(f"Model {model['name']}, weights {model['weights']}")
        st.vega_lite_chart(load_reference_data(), SALES_SPEC, width="stretch")
{%- endif %}
{%- if c.websocket %}
        st.subheader("Live ticks")
        st.iframe("/widgets/live-ticks.html", height=130)
{%- endif %}
        st.subheader("Endpoints")
        st.markdown(
            "\n".join(
                [
                    "- [Health check](/healthz)",
{%- if c.parent == "fastapi" %}
                    "- [API docs](/docs) and [a JSON route](/api/summary)",
{%- elif c.parent in ["django", "flask"] %}
                    "- [{{ "Django" if c.parent == "django" else "Flask" }} home](/) and [a JSON route](/api/summary)",
{%- endif %}
{%- if c.mcp %}
                    "- MCP server for AI agents: `/mcp/` (streamable HTTP)",
{%- endif %}
{%- if c.seo %}
                    "- [robots.txt](/robots.txt), [sitemap.xml](/sitemap.xml), "
                    "[manifest.json](/manifest.json)",
{%- endif %}
                ]
            )
        )


{%- if signed_in %}


def admin() -> None:
    """Who is signed in, the latest sign-ins, ending someone's sessions (role admin)."""
    admin_page(SignInAdmin.of("{{ pkg }}"))
{%- endif %}


st.set_page_config(page_title=PROJECT_NAME, page_icon=":bar_chart:", layout="wide")
st.title(PROJECT_NAME)
st.caption(DESCRIPTION)
{%- if c.__auth != "none" %}

# The auth guard sets X-Forwarded-User from the session (dropping any client copy), and
# server.trustedUserHeaders in .streamlit/config.toml turns it into st.user. Read it with
# .get(): st.user.is_logged_in needs an [auth] secrets section, which this project has not.
user = st.user.get("name")
with st.sidebar:
    st.success(f"Signed in as {user}" if user else "Not signed in")
    st.link_button("Sign out", "/logout")  # a confirmation form that POSTs with a CSRF token
{%- endif %}
{%- if signed_in %}
navigation(overview, admin)
{%- else %}
overview()
{%- endif %}
