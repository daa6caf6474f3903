"""Stores: where state shared between processes lives (rate-limit counters, idempotency records).

restkit apps keep nothing else between requests, so they scale out to many processes and
hosts. The state that must be shared sits behind `Store`, a small interface of atomic
operations with three implementations that pass one shared test suite:

- `MemoryStore`: one process's memory; the development default.
- `RedisStore`: Redis, shared by every process that uses the same server.
- `SqlStore`: a table in a SQL database through SQLAlchemy (PostgreSQL or a SQLite file).

```python
from restkit.stores.redis import RedisStore

api = Api(app, store=RedisStore.from_url("redis://127.0.0.1:6379/0"))
```

Or by configuration: `RESTKIT_STORE_URL = "redis://127.0.0.1:6379/0"` (see `make_store`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

__all__ = ["Store", "StoreError", "make_store"]


class StoreError(Exception):
    """The store could not be reached or did not answer in time.

    Stores raise this for every failure of their backend (a refused connection, a timeout, a
    lost database), so restkit can answer as configured: 503 (fail closed) or without the
    feature (fail open), never 500. See the `store_failure` setting.
    """


class Store(ABC):
    """The atomic operations restkit needs from shared state.

    Keys are ASCII strings of at most 200 characters; values are bytes. Every entry has a
    time to live in seconds, after which it is gone. Each operation is atomic across every
    process sharing the store, which is what makes a rate limit one limit and an idempotency
    key one record, however many workers serve the API.

    Implementations raise `StoreError` when their backend fails.
    """

    @abstractmethod
    def increment(self, key: str, ttl: float) -> tuple[int, float]:
        """Add one to the counter `key` and return its new value and its seconds to live.

        A counter that does not exist (or has expired) starts at zero and lives `ttl` seconds
        from now; incrementing it does not extend its life.
        """

    @abstractmethod
    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Store `value` under `key` for `ttl` seconds unless the key holds a live value.

        Returns:
            Whether the value was stored.
        """

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """Return the live value under `key`, or `None`."""

    @abstractmethod
    def replace(self, key: str, expected: bytes, value: bytes | None, ttl: float) -> bool:
        """Swap the value under `key` if it is still `expected`.

        Args:
            key: The key.
            expected: The value the caller last read.
            value: The new value, living `ttl` seconds from now; `None` deletes the key.
            ttl: The new value's time to live in seconds.

        Returns:
            Whether the key held `expected` (and was changed).
        """

    def close(self) -> None:  # noqa: B027 - an optional hook, not an abstract method
        """Release the store's connections; the default does nothing."""


def make_store(url: str) -> Store:
    """Return the store a URL names.

    - `memory://`: a `MemoryStore`.
    - `redis://...`, `rediss://...`, `unix://...`: a `RedisStore` (needs the `redis` package).
    - any SQLAlchemy database URL (`postgresql://...`, `sqlite:///...`): a `SqlStore`.

    Raises:
        DeclarationError: The URL names no store, or its package is not installed.
    """
    from restkit.errors import DeclarationError

    scheme = url.partition("://")[0].lower()
    if url == "memory://":
        from restkit.stores.memory import MemoryStore

        return MemoryStore()
    try:
        if scheme in ("redis", "rediss", "unix"):
            from restkit.stores.redis import RedisStore

            return RedisStore.from_url(url)
        if "://" in url:
            from restkit.stores.sql import SqlStore

            return SqlStore.from_url(url)
    except ModuleNotFoundError as error:
        extra = "redis" if scheme in ("redis", "rediss", "unix") else "sql"
        raise DeclarationError(
            f"The store URL {url!r} needs the {error.name!r} package; install "
            f"flask-restkit[{extra}]."
        ) from None
    raise DeclarationError(
        f"The store URL {url!r} names no store; use 'memory://', 'redis://host:6379/0' or a "
        "SQLAlchemy database URL such as 'postgresql://user@host/db'."
    )
