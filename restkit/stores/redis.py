"""`RedisStore`: shared state in Redis, for APIs served by many processes or hosts.

Every operation is one Redis command or one Lua script, so it is atomic for every process
talking to the same server. Entries expire through Redis's own key expiry.

```python
from restkit.stores.redis import RedisStore

store = RedisStore.from_url("redis://127.0.0.1:6379/0")
```

Needs the `redis` package: `pip install 'flask-restkit[redis]'`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from restkit.errors import DeclarationError
from restkit.stores import Store, StoreError

__all__ = ["RedisStore"]

# KEYS[1]: the counter; ARGV[1]: its time to live in milliseconds. The expiry is set on the
# first increment only, so incrementing never extends a counter's life. A counter left
# without one (PTTL -1, set by someone else) gets it too, so it cannot live forever.
_INCREMENT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""

# KEYS[1]: the key; ARGV[1]: the expected value; ARGV[2]: the new value's time to live in
# milliseconds, or '' to delete the key; ARGV[3]: the new value.
_REPLACE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
    return 0
end
if ARGV[2] == '' then
    redis.call('DEL', KEYS[1])
else
    redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
end
return 1
"""


def _milliseconds(ttl: float) -> int:
    """A time to live in whole milliseconds, at least one (Redis refuses zero)."""
    return max(1, round(ttl * 1000))


class RedisStore(Store):
    """A `Store` in Redis, atomic across every process that uses the same server.

    Keys are stored as `prefix + key`, so several APIs (or test runs) can share a database.
    Every failure of the connection or of the server becomes a `StoreError`.

    Args:
        client: A synchronous Redis client. It must return bytes, not decoded strings
            (the default, `decode_responses=False`); give it short socket timeouts, so an
            unreachable server fails a request quickly instead of hanging it.
        prefix: Prepended to every key.

    Raises:
        DeclarationError: The client decodes responses to strings.

    Example:
        ```python
        import redis

        store = RedisStore(redis.Redis(host="cache", socket_timeout=0.5), prefix="orders:")
        ```
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "restkit:") -> None:
        if client.get_connection_kwargs().get("decode_responses"):
            raise DeclarationError(
                "RedisStore needs a Redis client that returns bytes; this one was created with "
                "decode_responses=True. Create it without that option."
            )
        self._client = client
        self._prefix = prefix
        self._increment = client.register_script(_INCREMENT)
        self._replace = client.register_script(_REPLACE)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "restkit:", **kwargs: Any) -> RedisStore:
        """Connect to the Redis server a URL names.

        The client waits at most half a second to connect and half a second for each
        answer, and retries once on a dropped connection (as after a server restart);
        pass `socket_connect_timeout=`, `socket_timeout=` or `retry=` to change that.

        Args:
            url: `redis://[[user]:password@]host[:port][/db]`, `rediss://...` (TLS) or
                `unix:///path/to/socket?db=0`.
            prefix: Prepended to every key.
            **kwargs: Passed to `redis.Redis.from_url`.

        Returns:
            The store. No connection is made until the first operation.

        Example:
            ```python
            store = RedisStore.from_url("redis://127.0.0.1:6379/0", socket_timeout=1.0)
            ```
        """
        kwargs.setdefault("socket_connect_timeout", 0.5)
        kwargs.setdefault("socket_timeout", 0.5)
        kwargs.setdefault("retry", Retry(NoBackoff(), 1))
        return cls(redis.Redis.from_url(url, **kwargs), prefix=prefix)

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        # OSError: redis-py lets some socket errors through unwrapped (for example while
        # reading a reply), and they mean the same as its own ConnectionError.
        try:
            yield
        except (RedisError, OSError) as error:
            raise StoreError(f"RedisStore could not {action}: {error}") from error

    def increment(self, key: str, ttl: float) -> tuple[int, float]:
        """Add one to the counter `key`; see `Store.increment`."""
        with self._errors(f"increment {key!r}"):
            count, milliseconds = self._increment(
                keys=[self._prefix + key], args=[_milliseconds(ttl)]
            )
        return int(count), int(milliseconds) / 1000

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Store `value` unless the key is live; see `Store.add`."""
        with self._errors(f"add {key!r}"):
            stored = self._client.set(self._prefix + key, value, nx=True, px=_milliseconds(ttl))
        return bool(stored)

    def get(self, key: str) -> bytes | None:
        """Return the live value under `key`; see `Store.get`."""
        with self._errors(f"get {key!r}"):
            value = self._client.get(self._prefix + key)
        # Never a str: __init__ refuses clients that decode responses.
        return value if isinstance(value, bytes) else None

    def replace(self, key: str, expected: bytes, value: bytes | None, ttl: float) -> bool:
        """Swap the value if it is still `expected`; see `Store.replace`."""
        milliseconds = "" if value is None else _milliseconds(ttl)
        with self._errors(f"replace {key!r}"):
            replaced = self._replace(
                keys=[self._prefix + key], args=[expected, milliseconds, value or b""]
            )
        return bool(replaced)

    def close(self) -> None:
        """Close the connections of the client's pool; the next operation reconnects."""
        with self._errors("close its connections"):
            self._client.connection_pool.disconnect()
