"""Figure 5: how many concurrent browser-like sessions a process serves, and how that scales out.

A session counts when every session of the probe ran without error and the 95th percentile of the
time to its first full render (page GET → websocket → ``script_finished``) is within the plan's
bound (3 s). The capacity is the largest such session count, found by doubling then bisecting
(bounded in probes and in session count). Pairs of variants are searched in alternation, and each
pair of searches gives one ratio:

- a trivial two-line script (the framework's own cost) and the generated dashboard, each served by
  the generated project (all parts on, signed in) ÷ by ``streamlit run dashboard.py``;
- the generated dashboard behind the baked project's deploy/nginx.conf: two processes ÷ one.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.harness import nginx
from bench.harness.projects import ENV, Projects, log_in
from bench.harness.servers import (
    Server,
    cpu_seconds,
    free_port,
    read_status_kib,
    serve,
    spawn,
    stop_group,
    streamlit_run_command,
    uvicorn_command,
    wait_until_ready,
)
from bench.harness.stats import rotations
from bench.plan import TARGETS, Plan
from bench.report import Report, Row

SESSIONS = Path(__file__).resolve().parents[1] / "programs" / "sessions.py"


@dataclass
class Variant:
    """Where a browser-like client goes, and the server processes whose memory and CPU count."""

    name: str
    base: str
    page: str  # the dashboard's page: "/dashboard/" or "/"
    cookies: list[str]  # the Cookie header of each session, round robin ([""]: none)
    pids: list[int]
    proxy_pid: int | None = None  # nginx in front, whose CPU time is counted apart
    store_pid: int | None = None  # redis-server behind, whose CPU time is counted apart

    @property
    def stream(self) -> str:
        return self.page + "_stcore/stream"


@dataclass
class Probe:
    sessions: int
    passed: bool
    p95_s: float | None
    errors: int
    finished: int
    baseline_kib: int  # the servers' RSS before the probe
    peak_kib: int  # and its highest sample during the probe
    cpu_ms_per_session: float  # the servers' CPU time over the probe ÷ sessions
    client_cpu_ms_per_session: float  # the load generator's (sessions.py) CPU time over the probe ÷ sessions
    proxy_cpu_ms_per_session: float = 0.0  # nginx's, when the variant has it
    store_cpu_ms_per_session: float = 0.0  # redis-server's, when the variant has it


@dataclass
class Search:
    capacity: int = 0
    probes: list[Probe] = field(default_factory=list)

    @property
    def at_capacity(self) -> Probe | None:
        at = [p for p in self.probes if p.passed and p.sessions == self.capacity]
        return at[-1] if at else None


def rss_kib(pids: list[int]) -> int:
    return sum(read_status_kib(pid, "VmRSS") for pid in pids)


def settle(pids: list[int], bound: float = 20) -> None:
    """Wait (bounded) until the servers are idle: abandoned script runs finish after a failed probe."""
    deadline = time.monotonic() + bound
    before = sum(cpu_seconds(pid) for pid in pids)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = sum(cpu_seconds(pid) for pid in pids)
        if now - before < 0.05:
            return
        before = now


def probe(variant: Variant, sessions: int, plan: Plan) -> Probe:
    """``sessions`` sessions at once (bench/programs/sessions.py), the servers' RSS sampled meanwhile."""
    settle(variant.pids)
    baseline = rss_kib(variant.pids)
    cpu_before = sum(cpu_seconds(pid) for pid in variant.pids)
    aside = [pid for pid in (variant.proxy_pid, variant.store_pid) if pid]  # counted apart
    aside_before = {pid: cpu_seconds(pid) for pid in aside}
    peak = baseline
    command = [
        sys.executable, str(SESSIONS), "--url", variant.base.replace("http", "ws", 1) + variant.stream,
        "--page", variant.base + variant.page, "--sessions", str(sessions),
        *(arg for cookie in variant.cookies for arg in ("--cookie", cookie)),
        "--origin", variant.base, "--deadline", str(plan.capacity_deadline), "--hold", "0.5",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # fmt: skip
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            with contextlib.suppress(OSError, KeyError):
                peak = max(peak, rss_kib(variant.pids))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=plan.capacity_deadline + 60)
    finally:
        done.set()
        sampler.join()
        stop_group(process)
    if process.returncode != 0:
        raise RuntimeError(f"sessions.py failed: {err[-2000:]}")
    settle(variant.pids)  # abandoned runs finish: their CPU counts too
    cpu_ms = (sum(cpu_seconds(pid) for pid in variant.pids) - cpu_before) * 1000 / sessions
    aside_ms = {pid: (cpu_seconds(pid) - before) * 1000 / sessions for pid, before in aside_before.items()}
    result = json.loads(out)
    client_ms = result["cpu_s"] * 1000 / sessions
    p95 = result["render_p95_s"]
    passed = result["errors"] == 0 and p95 is not None and p95 <= plan.capacity_p95_s
    proxy_ms, store_ms = (aside_ms.get(pid, 0.0) for pid in (variant.proxy_pid, variant.store_pid))
    return Probe(sessions, passed, p95, result["errors"], result["scripts_finished"],
                 baseline, peak, cpu_ms, client_ms, proxy_ms, store_ms)  # fmt: skip


def search(variant: Variant, plan: Plan) -> Search:
    """Double from ``capacity_start`` until a probe fails, then bisect; bounded in probes and sessions."""
    found = Search()
    failed_at: int | None = None
    n = plan.capacity_start
    while len(found.probes) < plan.capacity_probes:
        result = probe(variant, n, plan)
        found.probes.append(result)
        if result.passed:
            found.capacity = max(found.capacity, n)
        else:
            failed_at = n if failed_at is None else min(failed_at, n)
        if failed_at is None:
            if n >= plan.capacity_max:
                break
            n = min(n * 2, plan.capacity_max)
        else:
            if failed_at - found.capacity <= max(1, found.capacity // 10):
                break
            n = (found.capacity + failed_at) // 2
    return found


def compare(variants: dict[str, Variant], plan: Plan) -> dict[str, list[Search]]:
    """Searches of every variant, in rotating order, after one unrecorded session each (warm caches)."""
    for variant in variants.values():
        probe(variant, 2 * len(variant.pids), plan)
    searches: dict[str, list[Search]] = {name: [] for name in variants}
    for order in rotations(list(variants), plan.capacity_reps):
        for name in order:
            searches[name].append(search(variants[name], plan))
    return searches


def high_water_mib_per_session(found: Search) -> float:
    """The servers' RSS high-water over a search, less their RSS before it, ÷ the sessions of the
    probe that reached it. A probe after a larger one grows nothing (the heap the larger one grew is
    kept and reused), so only a search's high-water says what open sessions hold."""
    top = max(found.probes, key=lambda p: p.peak_kib)
    return (top.peak_kib - found.probes[0].baseline_kib) / top.sessions / 1024


def capacity_ratios(numerators: list[Search], denominators: list[Search]) -> list[float]:
    pairs = [(a.capacity, b.capacity) for a, b in zip(numerators, denominators, strict=True)]
    if not any(b for _, b in pairs):
        raise RuntimeError(f"the reference served no session within the bounds: {pairs}")
    return [a / b for a, b in pairs if b]


def probe_text(probe: Probe) -> str:
    """``8 ✓ 2.1 s``, ``16 ✗ 3.4 s``, ``32 ✗ 5 errors``: sessions, passed, p95 first render or errors."""
    outcome = (
        f"{probe.errors} errors" if probe.errors else f"{probe.p95_s:.1f} s" if probe.p95_s else "unfinished"
    )
    return f"{probe.sessions} {'✓' if probe.passed else '✗'} {outcome}"


def probes_text(searches: list[Search]) -> str:
    return "; ".join(", ".join(map(probe_text, s.probes)) + f" → {s.capacity}" for s in searches)


@contextlib.contextmanager
def under_uvicorn(project: Path, page: str, work: Path, *, signed_in: bool = False, http: str = "h11",
                  name: str = ""):  # fmt: skip
    """``project`` under the documented uvicorn command (``http``: its ``--http``), as a Variant."""
    port = free_port()
    command = [arg if arg != "h11" else http for arg in uvicorn_command("app:app", port)]
    with serve(command, project, port, "/healthz", work, ENV) as server:
        cookie = log_in(server.base_url) if signed_in else ""
        yield Variant(name or page, server.base_url, page, [cookie], [server.process.pid])


@contextlib.contextmanager
def one_process(project: Path, variant: str, work: Path):
    """The project under uvicorn (signed in), or its dashboard.py under ``streamlit run``.

    ``streamlit run`` in the project's folder reads the project's .streamlit/config.toml, as
    a user's would; "streamlit defaults" turns Streamlit's file watcher back on (its default).
    """
    if variant == "ours":
        with under_uvicorn(project, "/dashboard/", work, signed_in=True, name="generated") as served:
            yield served
        return
    port = free_port()
    command = streamlit_run_command(port)
    if variant == "streamlit defaults":
        command += ["--server.fileWatcherType", "auto"]
    with serve(command, project, port, "/_stcore/health", work, ENV) as server:
        yield Variant(variant, server.base_url, "/", [""], [server.process.pid])


def measure_one_process(plan: Plan, projects: Projects, work: Path, report: Report) -> None:
    names = ["ours", "streamlit run", *(["streamlit defaults"] if plan.diagnostics else [])]
    for label, project in (("trivial script", projects.trivial), ("generated dashboard", projects.full)):
        with contextlib.ExitStack() as stack:
            variants = {name: stack.enter_context(one_process(project, name, work)) for name in names}
            got = compare(variants, plan)
        report.add(Row("5", f"Capacity, {label}: sessions one process serves, generated ÷ `streamlit run`",
                       capacity_ratios(got["ours"], got["streamlit run"]), TARGETS["capacity"],
                       chart=f"5 capacity\n{label.removeprefix('generated ')}"))  # fmt: skip
        if "streamlit defaults" in got:
            report.add(Row("5", f"(diagnostic) {label}: generated ÷ `streamlit run` with Streamlit's default "
                                "config (file watcher on)",
                           capacity_ratios(got["ours"], got["streamlit defaults"])))  # fmt: skip
        capacities = [s.capacity for s in got["ours"]]
        short = f"5. {label}: {statistics.median(capacities):.0f} sessions per process"
        report.add(Row("5", f"Sessions one process serves, {label} (generated)", capacities, digits=0,
                       short=short))  # fmt: skip
        at_capacity = {name: [s.at_capacity for s in found if s.at_capacity] for name, found in got.items()}
        for name, who in (("ours", "generated"), ("streamlit run", "`streamlit run`"),
                          ("streamlit defaults", "`streamlit run`, file watcher on")):  # fmt: skip
            if name in got:  # the first search only: the later ones start on a heap it already grew
                report.add(Row("5", f"Memory per session, {label} ({who}; RSS high-water of its first "
                                    "search ÷ the sessions then open)",
                               [high_water_mib_per_session(got[name][0])], unit=" MiB",
                               digits=2))  # fmt: skip
            if at_capacity.get(name):
                report.add(Row("5", f"CPU per session, {label} ({who}; server CPU time ÷ sessions)",
                               [p.cpu_ms_per_session for p in at_capacity[name]], unit=" ms",
                               digits=0))  # fmt: skip
        report.note(
            "5",
            f"{label}, probes per search (sessions ✓ passed / ✗ failed, p95 first render or errors → "
            "capacity): " + "; ".join(f"{name} {probes_text(found)}" for name, found in got.items()) + ".",
        )


def measure_session_cpu(plan: Plan, projects: Projects, work: Path, report: Report) -> None:
    """Diagnostic: where a session's CPU goes, one layer added at a time, trivial script, N at once."""
    with contextlib.ExitStack() as stack:
        run = stack.enter_context(one_process(projects.trivial, "streamlit run", work))
        steps = {
            "`streamlit run`": run,
            "Streamlit parent, no parts": stack.enter_context(
                under_uvicorn(projects.trivial_streamlit_parent, "/", work)),
            "FastAPI parent, no parts": stack.enter_context(
                under_uvicorn(projects.trivial_no_parts, "/dashboard/", work)),
            "FastAPI parent, all parts (generated)": stack.enter_context(
                under_uvicorn(projects.trivial, "/dashboard/", work, signed_in=True)),
            "the same with `--http httptools`": stack.enter_context(
                under_uvicorn(projects.trivial, "/dashboard/", work, signed_in=True, http="httptools")),
        }  # fmt: skip
        for variant in steps.values():  # warm every path once, unrecorded
            probe(variant, 8, plan)
        got: dict[str, list[Probe]] = {name: [] for name in steps}
        for order in rotations(list(steps), plan.session_cpu_reps):
            for name in order:
                got[name].append(probe(steps[name], plan.session_cpu_sessions, plan))
    ms = {name: [p.cpu_ms_per_session for p in probes] for name, probes in got.items()}
    at_once = plan.session_cpu_sessions
    for name in list(steps)[1:]:
        report.add(Row("5", f"(diagnostic) sessions per CPU second, trivial script, {at_once} at once: "
                            f"{name} ÷ `streamlit run`",
                       [b / a for a, b in zip(ms[name], ms["`streamlit run`"], strict=True)]))  # fmt: skip
    report.note(
        "5",
        f"Where a session's CPU goes (trivial script, {at_once} sessions at once, "
        "interleaved rounds; server CPU ms per session, then errors): "
        + "; ".join(
            f"{name} {' / '.join(f'{v:.2f}' for v in ms[name])} (median {statistics.median(ms[name]):.2f}, "
            f"{sum(p.errors for p in got[name])} errors)"
            for name in steps
        )
        + ". Each step adds one thing to the one before: uvicorn as documented (`--http h11`, its access "
        "log, the edge layers) around st.App at the root; FastAPI owning / with the dashboard mounted; "
        "every part on, signed in; the last swaps h11, which caps a request's headers, for httptools.",
    )


def sticky_cookies(proxy: str, signed_in: list[str], count: int) -> list[str]:
    """``count`` browsers' cookies behind the proxy: an affinity id each and the sign-in of its process.

    Sessions live in the memory of the process that signed them in, so each process signs in once
    (``signed_in``, in upstream order) and every affinity id is paired with the sign-in of the process
    nginx's hash sends it to, found by asking: ids drawn at random, as a browser's first visit gets.
    """
    cookies = []
    with httpx.Client(base_url=proxy, timeout=10) as client:
        for _ in range(count):
            affinity = f"st_affinity={secrets.token_hex(16)}"
            for session in signed_in:
                answer = client.get("/api/summary", headers={"Cookie": f"{affinity}; {session}"})
                if answer.status_code == 200:
                    cookies.append(f"{affinity}; {session}")
                    break
            else:
                raise RuntimeError(f"no process behind {proxy} knows a sign-in ({answer.status_code})")
    return cookies


def proxied_processes(stack: contextlib.ExitStack, project: Path, count: int, work: Path,
                      env: dict[str, str] | None = None) -> list[Server]:  # fmt: skip
    """``count`` uvicorn processes of ``project``, configured as deploy/README.md says for a process
    behind the proxy (``env`` on top), started at once, stopped with ``stack``."""
    env = {**ENV, **nginx.behind_proxy_env(), **(env or {})}
    ports: list[int] = []
    while len(ports) < count:  # distinct ports (the kernel may hand one out twice)
        if (port := free_port()) not in ports:
            ports.append(port)
    servers = [spawn(uvicorn_command("app:app", port), cwd=project, port=port, env=env, log_dir=work)
               for port in ports]  # fmt: skip
    for server in servers:
        stack.callback(server.stop)
    for server in servers:  # each takes seconds to import: the others start meanwhile
        wait_until_ready(server, "/healthz", 120)
    return servers


def behind_nginx(stack: contextlib.ExitStack, project: Path, servers: list[Server], signed_in: list[str],
                 name: str, plan: Plan, work: Path, store_pid: int | None = None) -> Variant:  # fmt: skip
    """The project's deploy/nginx.conf in front of ``servers`` (stopped with ``stack``), as a Variant
    whose sessions carry an affinity id each and a sign-in (of ``signed_in``) valid where nginx sends it."""
    port = free_port()
    folder = work / f"nginx-{project.parent.name}-{name}"
    upstream = [int(s.base_url.rsplit(":", 1)[1]) for s in servers]
    proxy = stack.enter_context(nginx.nginx(project, upstream, port, folder))
    cookies = sticky_cookies(proxy.base_url, signed_in, plan.capacity_max)
    return Variant(f"{name} behind nginx", proxy.base_url, "/dashboard/", cookies,
                   [s.process.pid for s in servers], proxy.process.pid, store_pid)  # fmt: skip


def scale_out(project: Path, plan: Plan, work: Path) -> dict[str, list[Search]]:
    """Searches through nginx to two processes and to one of them, the project's dashboard."""
    with contextlib.ExitStack() as stack:
        servers = proxied_processes(stack, project, 2, work)
        signed_in = [log_in(server.base_url) for server in servers]  # one sign-in per process
        variants = {
            "two": behind_nginx(stack, project, servers, signed_in, "two", plan, work),
            "one": behind_nginx(stack, project, servers[:1], signed_in[:1], "one", plan, work),
        }
        return compare(variants, plan)


def measure_scale_out(plan: Plan, projects: Projects, work: Path, report: Report) -> None:
    if not nginx.available():
        raise RuntimeError(nginx.INSTALL_HINT)
    got = scale_out(projects.full, plan, work)
    report.add(Row("5", "Scale-out behind the shipped nginx recipe: sessions 2 processes ÷ 1",
                   capacity_ratios(got["two"], got["one"]), TARGETS["scale_out"],
                   chart="5 scale-out\n2/1 processes"))  # fmt: skip
    at_capacity = [p for s in got["two"] if (p := s.at_capacity)]
    if at_capacity:
        # On 2 cores the load generator and nginx take CPU the second process would use.
        shares = [(p.client_cpu_ms_per_session + p.proxy_cpu_ms_per_session) / p.cpu_ms_per_session
                  for p in at_capacity]  # fmt: skip
        report.add(Row("5", "(diagnostic) scale-out, at the capacity of two processes: CPU per session of "
                            "the load generator and nginx ÷ of the servers (they share the 2 cores)",
                       shares))  # fmt: skip
    report.note(
        "5",
        "Behind nginx (deploy/nginx.conf of the baked project, one worker), probes per search: two "
        f"processes {probes_text(got['two'])}; one process {probes_text(got['one'])}.",
    )
    if plan.diagnostics:  # where the servers' work dominates, as in a dashboard that computes
        computing = scale_out(projects.computing, plan, work)
        report.add(Row("5", "(diagnostic) scale-out, a dashboard computing ~50 ms per session: sessions "
                            "2 processes ÷ 1",
                       capacity_ratios(computing["two"], computing["one"])))  # fmt: skip
        report.note(
            "5",
            "The same with the computing dashboard: two processes "
            f"{probes_text(computing['two'])}; one process {probes_text(computing['one'])}.",
        )


def measure(plan: Plan, projects: Projects, work: Path, report: Report) -> None:
    measure_one_process(plan, projects, work, report)
    if plan.diagnostics:
        measure_session_cpu(plan, projects, work, report)
    measure_scale_out(plan, projects, work, report)
    report.note(
        "5",
        "A probe opens N sessions at once (bench/programs/sessions.py: page GET, websocket, "
        "`rerun_script`, read until `script_finished`) and passes with 0 errors and p95 first render "
        f"≤ {plan.capacity_p95_s:g} s; the search doubles from {plan.capacity_start} up to "
        f"{plan.capacity_max} sessions, then bisects, at most {plan.capacity_probes} probes of at most "
        f"{plan.capacity_deadline:g} s each.",
    )
