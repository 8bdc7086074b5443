"""Figure 7, scale-out with the shared store: sessions 3 processes + nginx + Redis serve ÷ 1 process.

Figure 5's capacity search (bench/figures/capacity.py) on the generated dashboard, behind the baked
project's deploy/nginx.conf, every process with ``REDIS_URL`` pointing at one redis-server this
figure starts (loopback, no persistence, stopped by PID). One sign-in, made on the first process,
is valid in every process through the store. Variants, searched in rotation: three processes; the
first of them alone (the same nginx recipe and Redis: only the process count differs); and, as a
diagnostic, one process with its sessions in memory (``REDIS_URL`` empty: what runs before a
scale-out). The servers' CPU comes from their own /proc counters; the load generator's, nginx's and
redis-server's are counted apart, since on 2 cores they take CPU the processes would use.
"""

from __future__ import annotations

import contextlib
import statistics
from pathlib import Path

from bench.figures.capacity import (
    Probe,
    Search,
    behind_nginx,
    capacity_ratios,
    compare,
    probes_text,
    proxied_processes,
)
from bench.harness import nginx
from bench.harness.projects import Projects, log_in
from bench.plan import TARGETS, Plan
from bench.report import Report, Row
from tests.support import redis_server_missing, started_redis

PROCESSES = 3


def scale_out_with_store(project: Path, plan: Plan, work: Path) -> dict[str, list[Search]]:
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(started_redis(work / "redis-scale-out"))
        servers = proxied_processes(stack, project, PROCESSES, work, {"REDIS_URL": redis.url})
        signed_in = [log_in(servers[0].base_url)]  # in the store: every process knows it
        store = redis.process.pid
        variants = {
            "three": behind_nginx(stack, project, servers, signed_in, "store-three", plan, work, store),
            "one": behind_nginx(stack, project, servers[:1], signed_in, "store-one", plan, work, store),
        }
        if plan.diagnostics:
            alone = proxied_processes(stack, project, 1, work, {"REDIS_URL": ""})
            variants["one, memory"] = behind_nginx(stack, project, alone, [log_in(alone[0].base_url)],
                                                   "store-one-memory", plan, work)  # fmt: skip
        return compare(variants, plan)


def measure(plan: Plan, projects: Projects, work: Path, report: Report) -> None:
    if not nginx.available():
        raise RuntimeError(nginx.INSTALL_HINT)
    if missing := redis_server_missing():
        raise RuntimeError(missing)
    got = scale_out_with_store(projects.full, plan, work)
    many = f"{PROCESSES} processes + nginx + Redis"
    report.add(Row("7", f"Scale-out with the shared store: sessions {many} ÷ 1 process (the same nginx "
                        "recipe and Redis)",
                   capacity_ratios(got["three"], got["one"]), TARGETS["scale_out_store"],
                   chart=f"7 scale-out\n{PROCESSES}/1 processes"))  # fmt: skip
    if "one, memory" in got:
        report.add(Row("7", f"(diagnostic) sessions {many} ÷ 1 process with its sessions in memory "
                            "(behind nginx, no Redis)",
                       capacity_ratios(got["three"], got["one, memory"])))  # fmt: skip
        report.add(Row("7", "(diagnostic) sessions 1 process serves behind nginx, in Redis ÷ in memory",
                       capacity_ratios(got["one"], got["one, memory"])))  # fmt: skip
    capacities = [s.capacity for s in got["three"]]
    report.add(Row("7", f"Sessions {many} serve (generated dashboard)", capacities, digits=0,
                   short=f"7. {statistics.median(capacities):.0f} sessions on {many}"))  # fmt: skip
    at_capacity = [p for s in got["three"] if (p := s.at_capacity)]
    if at_capacity:  # on 2 cores the load generator, nginx and redis-server take CPU the processes would use
        aside = [p.client_cpu_ms_per_session + p.proxy_cpu_ms_per_session + p.store_cpu_ms_per_session
                 for p in at_capacity]  # fmt: skip
        shares = [a / p.cpu_ms_per_session for a, p in zip(aside, at_capacity, strict=True)]
        report.add(Row("7", f"(diagnostic) scale-out with the store, at the capacity of {PROCESSES} "
                            "processes: CPU per session of the load generator, nginx and redis-server ÷ of "
                            "the servers (they share the 2 cores)", shares))  # fmt: skip
        report.add(Row("7", "(diagnostic) the same, redis-server alone ÷ the servers",
                       [p.store_cpu_ms_per_session / p.cpu_ms_per_session for p in at_capacity]))  # fmt: skip
    report.note(
        "7",
        "Scale-out with the store, CPU ms per session at each search's capacity (servers / load generator / "
        "nginx / redis-server): "
        + "; ".join(f"{LABELS[name]} " + ", ".join(cpu_text(s.at_capacity) for s in found if s.at_capacity)
                    for name, found in got.items()) + ".",
        "Scale-out with the store, probes per search: "
        + "; ".join(f"{LABELS[name]} {probes_text(found)}" for name, found in got.items()) + ".",
    )  # fmt: skip


LABELS = {"three": f"{PROCESSES} processes", "one": "1 process", "one, memory": "1 process, memory"}


def cpu_text(probe: Probe) -> str:
    parts = (probe.cpu_ms_per_session, probe.client_cpu_ms_per_session, probe.proxy_cpu_ms_per_session)
    return (
        f"{probe.sessions} sessions: "
        + " / ".join(f"{ms:.2f}" for ms in parts)
        + (f" / {probe.store_cpu_ms_per_session:.3f}")
    )
