"""references/core_shared_state.py: one interface, memory and a real Valkey/Redis behind it."""

from __future__ import annotations

import asyncio
import re
import socket
import threading

import httpx
import pytest

from tests.support import ROOT, free_port, run_async, serve, started_redis, uvicorn_command


@pytest.fixture(params=["memory", "redis"])
def store_kind(request):
    if request.param == "memory":
        return request.param, None
    return request.param, request.getfixturevalue("redis_server")


def fresh_redis(directory):
    return started_redis(directory)


def keys_and_values(url: str) -> str:
    """Every key and string value in the store, as text (what a dump of it would show)."""
    import redis

    with redis.Redis.from_url(url, decode_responses=True) as client:
        keys = list(client.scan_iter())
        return "\n".join(f"{key} {client.get(key) if client.type(key) == 'string' else ''}" for key in keys)


def make_store(kind: str, server):
    from references.core_shared_state import MemoryStore, RedisStore

    return MemoryStore() if kind == "memory" else RedisStore(server.url)


def test_both_stores_keep_the_same_contract(store_kind):
    kind, server = store_kind

    async def scenario() -> None:
        store = make_store(kind, server)
        assert await store.get("a") is None
        await store.put("a", "1", 60)
        await store.put("short", "x", 0.05)
        assert await store.get("a") == "1"
        await asyncio.sleep(0.2)
        assert await store.get("short") is None  # expired
        await store.delete("a")
        assert await store.get("a") is None
        await store.add("set", "x", 60)
        await store.add("set", "y", 60)
        await store.discard("set", "x")
        assert await store.members("set") == {"y"}
        for n in range(7):
            await store.append("log", str(n), keep=5)
        assert await store.latest("log", 3) == ["6", "5", "4"]
        assert await store.latest("log", 99) == ["6", "5", "4", "3", "2"]
        assert [await store.incr("n", 1, 60) for _ in range(3)] == [1, 2, 3]
        assert await store.incr("n", -1, 60) == 2
        await store.ping()
        await store.close()

    run_async(scenario())


def test_sessions_are_stored_hashed_revocable_and_listed_by_person(tmp_path):
    from references.core_shared_state import RedisStore, Sessions

    with fresh_redis(tmp_path / "redis") as server:

        async def scenario() -> tuple[list[str], str]:
            store = RedisStore(server.url)
            sessions = Sessions(store, "proj", 3600)
            other_app = Sessions(store, "other", 3600)
            sids = [await sessions.create("alice", group="10.0.0.1") for _ in range(2)]
            bob = await sessions.create("bob", group="10.0.0.2", email="b@example.com")
            assert (await sessions.get(sids[0])).name == "alice"
            assert (await sessions.get(bob)).extra == {"email": "b@example.com"}
            assert await other_app.get(bob) is None  # namespaced: two apps share one server
            assert sorted(s.name for s in await sessions.signed_in()) == ["alice", "alice", "bob"]
            await sessions.revoke(bob)
            assert await sessions.get(bob) is None
            assert await sessions.revoke_all("alice") == 2
            assert [await sessions.get(sid) for sid in sids] == [None, None]
            live = await sessions.create("carol")
            return [*sids, bob, live], live

        sids, live = run_async(scenario())
        dump = keys_and_values(server.url)
        assert "proj:session:" in dump  # the store holds the sessions...
        assert not any(sid in dump for sid in sids)  # ...but no cookie's session id


def test_a_session_outlives_the_store_client_and_expires_with_its_lifetime(tmp_path):
    from references.core_shared_state import RedisStore, Sessions

    with fresh_redis(tmp_path / "redis") as server:

        async def scenario() -> None:
            sid = await Sessions(RedisStore(server.url), "p", 3600).create("alice")
            short = await Sessions(RedisStore(server.url), "p", 0.1).create("bob")
            fresh = Sessions(RedisStore(server.url), "p", 3600)  # another process, or a restart
            assert (await fresh.get(sid)).name == "alice"
            await asyncio.sleep(0.3)
            assert await fresh.get(short) is None

        run_async(scenario())


def test_an_unreachable_or_hung_store_raises_store_unavailable_and_recovers(tmp_path):
    from references.core_shared_state import RedisStore, StoreUnavailable

    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen()  # accepts connections, never answers
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(hung.accept()[0]), daemon=True).start()
    with fresh_redis(tmp_path / "redis") as server:

        async def scenario() -> None:
            silent = RedisStore(f"redis://127.0.0.1:{hung.getsockname()[1]}/0", timeout=0.3)
            with pytest.raises(StoreUnavailable):
                await silent.get("k")
            store = RedisStore(server.url)
            await store.put("k", "v", 60)
            server.kill()
            with pytest.raises(StoreUnavailable):
                await store.get("k")
            server.start()  # same port, empty (no persistence)
            assert await store.get("k") is None  # the same client reconnects by itself
            await store.put("k", "again", 60)
            assert await store.get("k") == "again"

        run_async(scenario())
    hung.close()


def test_store_from_env_refuses_a_bad_or_unreachable_url_in_one_line():
    from references.core_shared_state import MemoryStore, StoreConfigError, store_from_env

    assert isinstance(store_from_env({}), MemoryStore)
    with pytest.raises(StoreConfigError, match=r"^REDIS_URL 'http://x' must start with redis://"):
        store_from_env({"REDIS_URL": "http://x"})
    port = free_port()
    with pytest.raises(StoreConfigError) as refused:
        store_from_env({"REDIS_URL": f"redis://:hunter22@127.0.0.1:{port}/0"})
    message = str(refused.value)
    assert message.startswith(f"REDIS_URL: cannot reach redis://:***@127.0.0.1:{port}/0")
    assert "hunter22" not in message and "\n" not in message


def test_sign_in_events_keep_the_latest_bounded(store_kind):
    from references.core_shared_state import SignInEvents

    kind, server = store_kind

    async def scenario() -> list[dict]:
        events = SignInEvents(make_store(kind, server), "p", keep=3)
        for n in range(5):
            await events.record("failure", f"user{n}", "10.0.0.1")
        return await events.latest()

    latest = run_async(scenario())
    assert [event["name"] for event in latest] == ["user4", "user3", "user2"]
    assert {event["kind"] for event in latest} == {"failure"}


def test_reference_processes_share_one_counter(tmp_path):
    with fresh_redis(tmp_path / "redis") as store:
        env = {"REDIS_URL": store.url}
        ports = [free_port(), free_port()]
        with (
            serve(uvicorn_command("core_shared_state:app", ports[0]), cwd=ROOT / "references", port=ports[0],
                  ready_path="/healthz", env=env, log_dir=tmp_path) as first,
            serve(uvicorn_command("core_shared_state:app", ports[1]), cwd=ROOT / "references", port=ports[1],
                  ready_path="/healthz", env=env, log_dir=tmp_path) as second,
        ):  # fmt: skip
            counts = [httpx.get(server.base_url + "/api/visits").json() for server in (first, second, first)]
            assert [c["visits"] for c in counts] == [1, 2, 3]
            assert counts[0]["process"] != counts[1]["process"]
            store.kill()
            assert httpx.get(first.base_url + "/healthz").json() == {"status": "degraded"}
            assert httpx.get(first.base_url + "/api/visits").status_code == 503
            store.start()
            assert httpx.get(second.base_url + "/healthz").json() == {"status": "ok"}
            assert httpx.get(second.base_url + "/api/visits").json()["visits"] == 1


def test_reference_refuses_to_start_without_its_store(tmp_path):
    import subprocess
    import sys

    port = free_port()
    result = subprocess.run(
        [sys.executable, "-c", "import core_shared_state; core_shared_state.app"],
        cwd=ROOT / "references", env={"REDIS_URL": f"redis://127.0.0.1:{port}/0", "PATH": "/usr/bin"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert re.fullmatch(rf"REDIS_URL: cannot reach redis://127\.0\.0\.1:{port}/0 \(.+\)\n", result.stderr)
