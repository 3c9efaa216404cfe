"""What Redis shares between every process and machine pointed at it: the Crossref budget and the fetches in flight.

The budget (`RedisBudget`): one pace per request class, one cap on requests in flight and one hold after a 429. Each
step is a short Lua script that Redis runs atomically on its own clock, so the machines' clocks need not agree:

- take: if the class's next slot (and any hold) has come and fewer than `concurrency` leases are live (less one for
  each slower class marked waiting), add a lease (expiring after `lease_seconds`, so a process that dies holding one
  frees it) and move the class's next slot on by its interval; otherwise say how long until the slot, or mark the
  class waiting and say that every connection is taken.
- give back: remove the lease.  hold: push every class's next slot at least `seconds` ahead.

Why not the `limits` package (Flask-Limiter's storage): it counts hits in fixed or moving windows of whole seconds,
which lets a second's worth leave in one burst, and it has no cap on requests in flight; Crossref counts per second,
and bursts inside a second are what it answers with 429s.

The fetches in flight (`RedisInFlight`): a key being fetched is a Redis lock (SET NX) that its holder renews every
few seconds while it works; the others poll it, and once it is gone read the answer from the cache (or the failure
the holder left for them). A holder that dies stops renewing, its lock expires within `ttl` seconds, and the next
asker fetches instead.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

import redis

from forumgrader.crossref.inflight import LocalInFlight
from forumgrader.crossref.limits import POLL_SECONDS, WAITING_SECONDS, Limits, Taken
from forumgrader.crossref.model import LookupFailed

log = logging.getLogger(__name__)
T = TypeVar("T")
KEEP_SECONDS = 3600  # budget keys untouched this long are dropped (the budget of a Crossref URL no longer used)
FAILURE_SECONDS = 60  # how long a failed fetch's reason stays readable by those who waited for it

_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local ready = math.max(tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0'),
                       tonumber(redis.call('HGET', KEYS[2], 'hold') or '0'))
if ready > now then return tostring(ready - now) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local busy = redis.call('ZCARD', KEYS[1])
for i = 8, #ARGV do
  if now - tonumber(redis.call('HGET', KEYS[2], 'waiting:' .. ARGV[i]) or '0') < tonumber(ARGV[7]) then
    busy = busy + 1
  end
end
if busy >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[2], 'waiting:' .. ARGV[1], tostring(now))
  return 'full'
end
redis.call('HDEL', KEYS[2], 'waiting:' .. ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], tostring(now + tonumber(ARGV[2])))
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return 'taken'
"""
_HOLD = """
local clock = redis.call('TIME')
local until_ = tonumber(clock[1]) + tonumber(clock[2]) / 1000000 + tonumber(ARGV[1])
if until_ > tonumber(redis.call('HGET', KEYS[1], 'hold') or '0') then
  redis.call('HSET', KEYS[1], 'hold', tostring(until_))
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1
"""
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


@cache
def connect(url: str) -> redis.Redis:
    """Return this process's client (a connection pool) for a Redis URL (redis://host:port/db)."""
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


def _scope(base_url: str) -> str:
    # one hash slot for all of a Crossref URL's keys ({...}), so the scripts also run on a Redis Cluster
    return "{forumgrader:crossref:" + hashlib.sha256(base_url.encode()).hexdigest()[:16] + "}"


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else None if value is None else str(value)


def _unreachable(error: redis.RedisError) -> LookupFailed:
    return LookupFailed(f"Redis, which the Crossref workers share, cannot be reached ({error})")


class RedisBudget:
    """A Crossref URL's budget in Redis (see the module docstring): a Budget of forumgrader.crossref.limits."""

    def __init__(self, client: redis.Redis, base_url: str, *, lease_seconds: float = 60.0) -> None:
        self.client = client
        self.given_back = threading.Condition()
        self._keys = [f"{_scope(base_url)}:leases", f"{_scope(base_url)}:slots"]
        self._lease_seconds = lease_seconds
        self._take = client.register_script(_TAKE)
        self._hold = client.register_script(_HOLD)

    @classmethod
    def from_url(cls, url: str, base_url: str, *, lease_seconds: float = 60.0) -> RedisBudget:
        """Return the budget of a Crossref URL in the Redis at `url`."""
        return cls(connect(url), base_url, lease_seconds=lease_seconds)

    def take(self, request_class: str, limits: Limits) -> Taken:
        """Take a connection and the class's next slot together if both are free now."""
        lease = uuid.uuid4().hex
        interval, concurrency = repr(limits.interval(request_class)), max(1, limits.concurrency)
        arguments = [request_class, interval, concurrency, lease, repr(self._lease_seconds), KEEP_SECONDS,
                     repr(WAITING_SECONDS), *limits.slower(request_class)]  # fmt: skip
        answer = self._run(self._take, self._keys, arguments)
        if answer == "taken":
            return Taken(lease=lease)
        return Taken(wait=POLL_SECONDS, full=True) if answer == "full" else Taken(wait=float(answer))

    def give_back(self, lease: str) -> None:
        """Free the connection a request held (if Redis cannot be reached, its lease expires by itself)."""
        try:
            self.client.zrem(self._keys[0], lease)
        except redis.RedisError:
            log.warning("could not give back a Crossref connection in Redis; it frees itself within %.0f s",
                        self._lease_seconds)  # fmt: skip
        with self.given_back:
            self.given_back.notify_all()

    def hold(self, seconds: float) -> None:
        """Give out no slot, of any class, in any process, for the next `seconds`."""
        self._run(self._hold, self._keys[1:], [repr(seconds), KEEP_SECONDS])

    def _run(self, script: Any, keys: list[str], arguments: list[Any]) -> str:
        try:
            answer = script(keys=keys, args=arguments)
        except redis.RedisError as error:
            raise _unreachable(error) from error
        return _text(answer) or ""


class RedisInFlight:
    """The fetches in flight on every process sharing a Redis (see the module docstring); threads of this process
    first wait for each other, so one thread per process polls Redis for a key."""

    def __init__(self, client: redis.Redis, base_url: str, *, ttl: float = 15.0, poll: float = 0.1) -> None:
        self.client = client
        self._prefix = f"{_scope(base_url)}:fetching:"
        self._ttl_ms = int(ttl * 1000)
        self._poll = poll
        self._local = LocalInFlight()
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._held: dict[str, str] = {}  # lock key -> our token, renewed while we fetch
        self._held_lock = threading.Lock()
        self._renewing: threading.Thread | None = None

    @classmethod
    def from_url(cls, url: str, base_url: str) -> RedisInFlight:
        """Return the fetches in flight for a Crossref URL in the Redis at `url`."""
        return cls(connect(url), base_url)

    def once(self, name: str, produce: Callable[[], T], settled: Callable[[], T | None]) -> T:
        """Return the answer for `name`: settled (cached) already, fetched by another asker, or produced here."""
        return self._local.once(name, lambda: self._across(self.lock_key(name), produce, settled), settled)

    def lock_key(self, name: str) -> str:
        """Return the Redis key that says `name` is being fetched (its value: the fetcher's token)."""
        return self._prefix + name

    def _across(self, key: str, produce: Callable[[], T], settled: Callable[[], T | None]) -> T:
        try:
            while True:
                token = uuid.uuid4().hex
                if self.client.set(key, token, nx=True, px=self._ttl_ms):
                    return self._fetch(key, token, produce, settled)
                holder = _text(self.client.get(key))
                if holder is None:
                    continue  # given back just now: try to take it
                while _text(self.client.get(key)) == holder:
                    time.sleep(self._poll)
                answer = settled()
                if answer is not None:
                    return answer
                failure = _text(self.client.get(f"{key}:failed:{holder}"))
                if failure is not None:
                    raise LookupFailed(failure)
                # its holder stopped (its lock expired) or kept no answer: fetch it here
        except redis.RedisError as error:
            raise _unreachable(error) from error

    def _fetch(self, key: str, token: str, produce: Callable[[], T], settled: Callable[[], T | None]) -> T:
        self._keep(key, token)
        try:
            answer = settled()  # the holder before us may have left the answer just now
            return answer if answer is not None else produce()
        except LookupFailed as error:
            self.client.set(f"{key}:failed:{token}", str(error), ex=FAILURE_SECONDS)
            raise
        finally:
            with self._held_lock:
                self._held.pop(key, None)
            try:
                self._release(keys=[key], args=[token])
            except redis.RedisError:  # the lock expires by itself within ttl
                log.warning("could not give back the lock of a Crossref fetch in Redis", exc_info=True)

    def _keep(self, key: str, token: str) -> None:
        """Renew the lock while the fetch runs (from one thread per process, started on first use)."""
        with self._held_lock:
            self._held[key] = token
            if self._renewing is None:
                self._renewing = threading.Thread(target=self._renew_forever, name="crossref-inflight", daemon=True)
                self._renewing.start()

    def _renew_forever(self) -> None:
        while True:
            time.sleep(self._ttl_ms / 3000)
            with self._held_lock:
                held = list(self._held.items())
            for key, token in held:
                try:
                    self._renew(keys=[key], args=[token, self._ttl_ms])
                except redis.RedisError:
                    log.warning("could not renew the lock of a Crossref fetch in Redis", exc_info=True)
