"""Shared state behind one interface: this process's memory for one process, Valkey or Redis for many.

What it shows
    ``SharedStore`` is the one small interface every stateful part talks to (like Django's
    ``SessionBase`` with its database, cache and cookie backends): string values with a
    time to live, sets, a bounded log, counters, and a ``limits`` storage for rate limits.
    ``MemoryStore`` keeps them in this process (bounded: past ``max_keys`` the oldest go
    first, no full scans); ``RedisStore`` keeps them in Valkey or Redis through the
    ``redis`` asyncio client, so every process sees the same sessions, revocations and
    sign-in counts, and a restart signs nobody out. On top of it, ``Sessions`` keeps
    signed-in sessions (stored under the SHA-256 of their id: a dump of the store holds
    no usable cookie; indexed by person, so all of one person's sessions can be ended)
    and ``SignInEvents`` a bounded log of sign-ins, failures, sign-outs and token uses.

    Every store call has a short timeout: a store that is down or hung raises
    ``StoreUnavailable`` within a second, and callers fail closed (503), never open.
    The client reconnects by itself once the store is back.

When to use it
    As soon as the app runs in more than one process (several uvicorn workers, replicas
    behind a load balancer) or must keep people signed in across restarts and deploys.

Configuration (environment)
    REDIS_URL  empty: this process's memory (one process; a restart signs everyone out).
               ``redis://host:6379/0`` or ``rediss://:password@host:6380/0`` (TLS): Valkey
               or Redis, shared by every process. Unreachable at start: the app refuses
               to start with one line naming REDIS_URL.

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn core_shared_state:app --lifespan on --port 8000
    (with ``REDIS_URL=redis://127.0.0.1:6379/0`` set, start a second one on another port:
    both count in the same store)

Open
    http://127.0.0.1:8000/api/visits  a counter every process shares (with REDIS_URL)
    http://127.0.0.1:8000/healthz     200 ok, or 503 degraded while the store is down
"""

# --- part: begin ---
from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
import os
import secrets
import time
from abc import ABC, abstractmethod
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from starlette.responses import HTMLResponse, JSONResponse
from starlette.types import Message, Receive, Scope, Send

STORE_TIMEOUT_SECONDS = 1.0  # no store call holds a request (or the event loop) longer
T = TypeVar("T")


class StoreUnavailable(Exception):
    """The store did not answer in time or refused: fail closed (503), never open."""


class StoreConfigError(SystemExit):
    """REDIS_URL is malformed or unreachable at start: the process stops with this one line."""


class SharedStore(ABC):
    """What several processes share. Keys are namespaced by the caller's project."""

    rate_limits: Storage  # a ``limits`` storage on the same backend

    @abstractmethod
    async def get(self, key: str) -> str | None: ...

    @abstractmethod
    async def put(self, key: str, value: str, ttl_seconds: float) -> None: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    async def add(self, key: str, member: str, ttl_seconds: float) -> None:
        """Adds ``member`` to the set at ``key``; the set lives ``ttl_seconds`` from now."""

    @abstractmethod
    async def discard(self, key: str, member: str) -> None: ...

    @abstractmethod
    async def members(self, key: str) -> set[str]: ...

    @abstractmethod
    async def append(self, key: str, item: str, keep: int) -> None:
        """Puts ``item`` first in the log at ``key``, which keeps its ``keep`` newest items."""

    @abstractmethod
    async def latest(self, key: str, count: int) -> list[str]: ...

    @abstractmethod
    async def incr(self, key: str, amount: int, ttl_seconds: float) -> int:
        """Adds ``amount`` to the counter at ``key`` (created at 0, living ``ttl_seconds``)."""

    @abstractmethod
    async def ping(self) -> None:
        """Returns when the store answers; raises ``StoreUnavailable`` otherwise."""

    async def limited(self, call: Awaitable[T]) -> T:
        """Runs a call on ``rate_limits`` with the store's timeout and errors."""
        return await call

    async def close(self) -> None:
        return None


class MemoryStore(SharedStore):
    """This process's memory, bounded: past ``max_keys`` the least recently written go first."""

    def __init__(self, max_keys: int = 200_000) -> None:
        self.max_keys = max_keys
        self._data: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.rate_limits = MemoryStorage()

    def _read(self, key: str) -> Any:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[0] <= time.time():
            del self._data[key]
            return None
        return entry[1]

    def _write(self, key: str, value: Any, ttl_seconds: float) -> None:
        self._data.pop(key, None)
        self._data[key] = (time.time() + ttl_seconds, value)
        while len(self._data) > self.max_keys:
            self._data.popitem(last=False)  # O(1): the least recently written key

    async def get(self, key: str) -> str | None:
        value = self._read(key)
        return value if isinstance(value, str) else None

    async def put(self, key: str, value: str, ttl_seconds: float) -> None:
        self._write(key, value, ttl_seconds)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def add(self, key: str, member: str, ttl_seconds: float) -> None:
        members = self._read(key)
        members = members if isinstance(members, set) else set()
        members.add(member)
        self._write(key, members, ttl_seconds)

    async def discard(self, key: str, member: str) -> None:
        members = self._read(key)
        if isinstance(members, set):
            members.discard(member)

    async def members(self, key: str) -> set[str]:
        members = self._read(key)
        return set(members) if isinstance(members, set) else set()

    async def append(self, key: str, item: str, keep: int) -> None:
        log = self._read(key)
        log = log if isinstance(log, deque) and log.maxlen == keep else deque(log or (), maxlen=keep)
        log.appendleft(item)
        self._write(key, log, 365 * 24 * 3600)

    async def latest(self, key: str, count: int) -> list[str]:
        log = self._read(key)
        return list(log)[:count] if isinstance(log, deque) else []

    async def incr(self, key: str, amount: int, ttl_seconds: float) -> int:
        entry = self._data.get(key)
        if entry is None or entry[0] <= time.time() or not isinstance(entry[1], int):
            self._write(key, amount, ttl_seconds)
            return amount
        self._data[key] = (entry[0], entry[1] + amount)
        return entry[1] + amount

    async def ping(self) -> None:
        return None


class RedisStore(SharedStore):
    """Valkey or Redis through the ``redis`` asyncio client; every call times out fast."""

    def __init__(self, url: str, *, timeout: float = STORE_TIMEOUT_SECONDS) -> None:
        from redis.asyncio import BlockingConnectionPool, Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
        from redis.exceptions import RedisError

        self.timeout = timeout
        self._errors = (RedisError, OSError, asyncio.TimeoutError)
        self.pool = BlockingConnectionPool.from_url(
            url, max_connections=64, timeout=timeout, socket_timeout=timeout,
            socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1), decode_responses=True,
        )  # fmt: skip
        self.client = Redis(connection_pool=self.pool)
        scheme = "async+rediss" if url.startswith("rediss:") else "async+redis"
        self.rate_limits = RedisStorage(
            f"{scheme}://", implementation="redispy", wrap_exceptions=True, key_prefix="limits",
            connection_pool=BlockingConnectionPool.from_url(
                url, max_connections=64, timeout=timeout, socket_timeout=timeout,
                socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1),
            ),
        )  # fmt: skip

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self.timeout):  # cheaper than wait_for: no task per call
                return await call
        except self._errors as error:
            raise StoreUnavailable(f"{type(error).__name__}: {error}") from None

    async def get(self, key: str) -> str | None:
        return await self._call(self.client.get(key))

    async def put(self, key: str, value: str, ttl_seconds: float) -> None:
        await self._call(self.client.set(key, value, px=max(1, int(ttl_seconds * 1000))))

    async def delete(self, key: str) -> None:
        await self._call(self.client.delete(key))

    async def add(self, key: str, member: str, ttl_seconds: float) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.sadd(key, member).pexpire(key, max(1, int(ttl_seconds * 1000)))
        await self._call(pipe.execute())

    async def discard(self, key: str, member: str) -> None:
        await self._call(self.client.srem(key, member))

    async def members(self, key: str) -> set[str]:
        return set(await self._call(self.client.smembers(key)))

    async def append(self, key: str, item: str, keep: int) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.lpush(key, item).ltrim(key, 0, keep - 1)
        await self._call(pipe.execute())

    async def latest(self, key: str, count: int) -> list[str]:
        return await self._call(self.client.lrange(key, 0, count - 1))

    async def incr(self, key: str, amount: int, ttl_seconds: float) -> int:
        pipe = self.client.pipeline(transaction=True)
        pipe.set(key, 0, nx=True, px=max(1, int(ttl_seconds * 1000))).incrby(key, amount)
        _, value = await self._call(pipe.execute())
        return int(value)

    async def ping(self) -> None:
        await self._call(self.client.ping())

    async def limited(self, call: Awaitable[T]) -> T:
        from limits.errors import StorageError

        try:
            return await self._call(call)
        except StorageError as error:
            raise StoreUnavailable(str(error)) from None

    async def close(self) -> None:
        await self.client.aclose()


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def store_from_env(environ: Mapping[str, str] = os.environ) -> SharedStore:
    """``REDIS_URL`` empty: memory. Else Valkey/Redis, which must answer now (one-line error)."""
    url = environ.get("REDIS_URL", "").strip()
    if not url:
        return MemoryStore()
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise StoreConfigError(f"REDIS_URL {redacted(url)!r} must start with redis://, rediss:// or unix://")
    from redis import Redis, RedisError

    try:  # start-up is synchronous: a blocking ping here, never on the event loop later
        with Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3) as client:
            client.ping()
    except (RedisError, OSError, ValueError) as error:
        raise StoreConfigError(f"REDIS_URL: cannot reach {redacted(url)} ({error})") from None
    return RedisStore(url)


def address_group(host: str) -> str:
    """The unit one client controls: an IPv4 address, or an IPv6 /64."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass
class Session:
    name: str
    expires_at: float  # wall-clock time: every process reads the same
    since: float = field(default_factory=time.time)
    group: str = ""  # the address group it signed in from
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    roles: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # e.g. email, id_token


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class Sessions:
    """Signed-in sessions in the store: the cookie carries a random id, the store its SHA-256."""

    def __init__(self, store: SharedStore, namespace: str, lifetime_seconds: float) -> None:
        self.store = store
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's, noted by get()
        self.prefix = f"{namespace}:session:"
        self.by_name = f"{namespace}:sessions-of:"
        self.names = f"{namespace}:signed-in"
        self.lifetime_seconds = lifetime_seconds

    async def create(self, name: str, *, group: str = "", roles: list[str] | None = None,
                     **extra: str) -> str:  # fmt: skip
        sid = secrets.token_urlsafe(32)
        expires_at = time.time() + self.lifetime_seconds
        session = Session(name, expires_at, group=group, roles=roles or [], extra=extra)
        digest = _digest(sid)
        await self.store.put(self.prefix + digest, json.dumps(asdict(session)), self.lifetime_seconds)
        await self.store.add(self.by_name + name, digest, self.lifetime_seconds)
        await self.store.add(self.names, name, self.lifetime_seconds)
        return sid

    def note_loop(self) -> None:
        """Remembers the server's event loop: a script's thread sends its calls there."""
        self.loop = asyncio.get_running_loop()

    async def get(self, sid: object) -> Session | None:
        self.note_loop()
        if not isinstance(sid, str) or not sid:
            return None
        return await self._load(_digest(sid))

    async def _load(self, digest: str) -> Session | None:
        raw = await self.store.get(self.prefix + digest)
        if raw is None:
            return None
        session = Session(**json.loads(raw))
        return session if session.expires_at > time.time() else None

    async def revoke(self, sid: object) -> None:
        if isinstance(sid, str) and sid:
            digest = _digest(sid)
            session = await self._load(digest)
            await self.store.delete(self.prefix + digest)
            if session is not None:
                await self.store.discard(self.by_name + session.name, digest)

    async def revoke_all(self, name: str) -> int:
        """Ends every session of ``name`` in every process; returns how many were live."""
        ended = 0
        for digest in await self.store.members(self.by_name + name):
            ended += await self._load(digest) is not None
            await self.store.delete(self.prefix + digest)
        await self.store.delete(self.by_name + name)
        await self.store.discard(self.names, name)
        return ended

    async def signed_in(self, limit: int = 200) -> list[Session]:
        """Live sessions, newest first (at most ``limit`` people are looked at)."""
        live: list[Session] = []
        for name in sorted(await self.store.members(self.names))[:limit]:
            digests = await self.store.members(self.by_name + name)
            for digest in digests:
                session = await self._load(digest)
                if session is None:
                    await self.store.discard(self.by_name + name, digest)
                else:
                    live.append(session)
            if not digests:
                await self.store.discard(self.names, name)
        return sorted(live, key=lambda s: s.since, reverse=True)

    def rechecked(self, receive: Receive, send: Send, sid: object) -> Receive:
        """A websocket's ``receive`` that checks the session again before each message.

        A session ended anywhere (sign-out, an admin, another process) closes its open
        dashboard at the next action: the client gets close code 1008, the app a disconnect.
        """

        async def receive_while_signed_in() -> Message:
            message = await receive()
            if message["type"] != "websocket.receive":
                return message
            try:
                live, code = await self.get(sid) is not None, 1008
            except StoreUnavailable:
                live, code = False, 1013  # try again later
            if live:
                return message
            await send({"type": "websocket.close", "code": code})
            return {"type": "websocket.disconnect", "code": code}

        return receive_while_signed_in


async def store_unavailable(scope: Scope, receive: Receive, send: Send, *, api: bool) -> None:
    """Fail closed while the store is unreachable: 503 (readable page or JSON), never the app."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1013})  # try again later
        return
    headers = {"Retry-After": "5", "Cache-Control": "no-store"}
    detail = "Sign-in is unavailable for a moment. Try again shortly."
    if api:
        response = JSONResponse({"detail": detail}, 503, headers=headers)
    else:
        response = HTMLResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Try again shortly</title>'
            f'</head><body><h1>Try again shortly</h1><p>{detail}</p><p><a href="">Try again</a></p>'
            "</body></html>", 503, headers=headers,
        )  # fmt: skip
    await response(scope, receive, send)


class SignInEvents:
    """The latest sign-in events (success, failure, sign-out, token use), bounded in size."""

    KINDS = frozenset({"sign-in", "failure", "sign-out", "token", "ended"})

    def __init__(self, store: SharedStore, namespace: str, keep: int = 500) -> None:
        self.store = store
        self.key = f"{namespace}:sign-in-events"
        self.keep = keep

    async def record(self, kind: str, name: str, group: str) -> None:
        event = {"time": round(time.time(), 3), "kind": kind, "name": name[:64], "group": group}
        await self.store.append(self.key, json.dumps(event), self.keep)

    async def latest(self, count: int = 100) -> list[dict[str, Any]]:
        return [json.loads(item) for item in await self.store.latest(self.key, count)]


class SignInAdmin:
    """Who is signed in, the latest events, ending one person's sessions: for an admin page.

    A Streamlit script runs in its own thread and the store's client belongs to the server's
    event loop, so the ``*_now`` methods send their call to that loop and wait for it. Each
    settings object registers one under its namespace: ``SignInAdmin.of("my_app")``.
    """

    _registered: dict[str, SignInAdmin] = {}

    def __init__(self, sessions: Sessions, events: SignInEvents, namespace: str) -> None:
        self.sessions, self.events = sessions, events
        SignInAdmin._registered[namespace] = self

    @classmethod
    def of(cls, namespace: str) -> SignInAdmin:
        return cls._registered[namespace]

    async def end_sessions_of(self, name: str, by: str = "") -> int:
        ended = await self.sessions.revoke_all(name)
        await self.events.record("ended", name, f"by {by}"[:64] if by else "")
        return ended

    def _wait(self, call: Callable[[], Coroutine[Any, Any, T]]) -> T:
        if self.sessions.loop is None:  # no request reached the guard yet
            raise StoreUnavailable("the server has not answered a request yet")
        running = asyncio.run_coroutine_threadsafe(call(), self.sessions.loop)
        return running.result(STORE_TIMEOUT_SECONDS * 5)

    def signed_in_now(self) -> list[Session]:
        return self._wait(self.sessions.signed_in)

    def latest_events_now(self, count: int = 50) -> list[dict[str, Any]]:
        return self._wait(lambda: self.events.latest(count))

    def end_sessions_of_now(self, name: str, by: str = "") -> int:
        return self._wait(lambda: self.end_sessions_of(name, by))


# --- part: end ---

from functools import cache  # noqa: E402
from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.routing import Route  # noqa: E402


@cache
def demo_app() -> st.App:
    """A counter every process shares, and a health check that says when the store is down."""
    store = store_from_env()  # refuses to start, naming REDIS_URL, when the store cannot be reached

    async def visits(request: Request) -> JSONResponse:
        try:
            count = await store.incr("core_shared_state:visits", 1, 24 * 3600)
        except StoreUnavailable:
            return JSONResponse({"error": "the shared store is unavailable"}, 503)
        return JSONResponse({"visits": count, "process": os.getpid()})

    async def healthz(request: Request) -> JSONResponse:
        try:
            await store.ping()
        except StoreUnavailable:
            return JSONResponse({"status": "degraded"}, 503, headers={"Cache-Control": "no-store"})
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})

    routes = [Route("/api/visits", visits), Route("/healthz", healthz)]
    return st.App(Path(__file__).parent / "dashboard.py", routes=routes)


def __getattr__(name: str) -> st.App:
    """``app`` is built when asked for (``uvicorn core_shared_state:app``), not on import: the
    sign-in references import this module and build no demo app, nor reach for REDIS_URL."""
    if name == "app":
        return demo_app()
    raise AttributeError(name)
