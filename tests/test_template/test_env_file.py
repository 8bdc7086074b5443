"""`.env` is read by every start the README documents (uvicorn, `streamlit run app.py`,
`python app.py`) the same way, a variable already set keeping its value; and `streamlit run`
names its URL only for an app that got past its settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support import AUTH_ENV, bake, free_port, oidc_sign_in, serve, uvicorn_command

pytestmark = pytest.mark.live

STARTS = ("uvicorn", "streamlit run", "python app.py")
WELCOME = "You can now view your Streamlit app in your browser."


def start_command(start: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The command (this venv's Python, which has every dependency) and its extra environment."""
    if start == "uvicorn":
        return uvicorn_command("app:app", port), {}
    if start == "streamlit run":
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                   "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip
        return command, {}
    return [sys.executable, "app.py"], {"PORT": str(port), "STREAMLIT_SERVER_HEADLESS": "true"}


@pytest.fixture(scope="module", params=["streamlit", "fastapi"])
def project(request, tmp_path_factory):
    """A password project whose .env holds its secrets (values a shell's `. .env` would mangle)."""
    made = bake(tmp_path_factory.mktemp(request.param), parent=request.param, auth="password")
    made.joinpath("dashboard-path").write_text("/" if request.param == "streamlit" else "/dashboard/")
    (made / ".env").write_text(
        f"APP_USERS='{AUTH_ENV['APP_USERS']}'\n"
        f"APP_SECRET_KEY='{AUTH_ENV['APP_SECRET_KEY']} with spaces'\n"
        "PUBLIC_BASE_URL=https://from-dotenv.example\n"
    )
    return made


@pytest.mark.parametrize("start", STARTS)
def test_every_start_reads_dotenv_and_keeps_what_is_set(project, tmp_path, start):
    port = free_port()
    command, env = start_command(start, port)
    # Set in the environment: it wins over .env. APP_USERS and APP_SECRET_KEY come from .env only.
    env = {**env, "PUBLIC_BASE_URL": "https://from-env.example"}
    assert not {"APP_USERS", "APP_SECRET_KEY"} & set(os.environ)  # else .env would not be needed
    with serve(command, cwd=project, port=port, ready_path="/healthz", env=env, log_dir=tmp_path) as server:
        answered = {
            host: httpx.get(server.base_url + "/login", headers={"Host": host}).status_code
            for host in ("from-env.example", "from-dotenv.example")
        }
        assert answered == {"from-env.example": 200, "from-dotenv.example": 400}
        log = server.log()
    dashboard = (project / "dashboard-path").read_text()
    if start == "uvicorn" or (start == "python app.py" and dashboard != "/"):  # uvicorn.run
        assert WELCOME not in log and f"Uvicorn running on http://127.0.0.1:{port}" in log, log
    else:  # Streamlit runs the server: the app names its URL once, after its settings were read
        assert log.count(WELCOME) == 1 and f"URL: http://127.0.0.1:{port}{dashboard}\n" in log, log


def test_streamlit_run_names_no_url_for_an_app_that_stops_on_a_setting(tmp_path):
    project = bake(tmp_path, auth="password")  # no .env, no APP_USERS: it must not start
    port = free_port()
    command, _ = start_command("streamlit run", port)
    env = {key: value for key, value in os.environ.items() if not key.startswith("APP_")}
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "APP_USERS is not set" in output
    assert WELCOME not in output and "URL:" not in output, output


def test_the_readmes_oidc_trial_recipe_signs_a_visitor_in(tmp_path):
    """The README's "Try sign-in on this machine", run as written but on free ports and with this
    venv's commands for `uv run` (the project's venv would hold the same: the test extra)."""
    project = bake(tmp_path, parent="fastapi", auth="oidc")
    readme = (project / "README.md").read_text()
    recipe = readme.split("### Try sign-in on this machine", 1)[1].split("\n## ", 1)[0]
    provider_block, app_block = re.findall(r"```bash\n(.*?)```", recipe, re.DOTALL)
    provider_port, app_port = free_port(), free_port()

    def as_here(text: str) -> str:
        return text.replace("9400", str(provider_port)).replace("8000", str(app_port)).replace("uv run ", "")

    env = {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    *make_env, start_app = as_here(app_block).strip().splitlines()
    assert start_app.startswith("uvicorn app:app") and not (project / ".env").exists()
    with serve(["bash", "-ec", as_here(provider_block)], cwd=project, port=provider_port, env=env,
               ready_path="/.well-known/openid-configuration", log_dir=tmp_path):  # fmt: skip
        subprocess.run(
            ["bash", "-ec", "\n".join(make_env)], cwd=project, env={**os.environ, **env}, check=True
        )
        with serve(["bash", "-ec", start_app], cwd=project, port=app_port, env=env, ready_path="/healthz",
                   log_dir=tmp_path) as server:  # fmt: skip
            base_url = f"http://localhost:{app_port}"  # PUBLIC_BASE_URL's host, as the README says
            with httpx.Client(base_url=base_url) as client:
                assert client.get("/dashboard/").status_code == 303  # to /login
                assert oidc_sign_in(client, "/dashboard/", sub="visitor").headers["location"] == "/dashboard/"
                assert client.get("/dashboard/").status_code == 200
            assert WELCOME not in server.log()
