"""`MemoryStore`: shared state in one process's memory, the development default.

Every worker process has its own, so limits and idempotency records are per process. Use
`RedisStore` or `SqlStore` when the API runs in more than one process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from restkit.stores import Store

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """A `Store` in this process's memory, safe across threads.

    Args:
        clock: Returns the current time in seconds; tests pass a fake one.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._values: dict[str, tuple[bytes | int, float]] = {}
        self._writes = 0

    def _live(self, key: str, now: float) -> bytes | int | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._values[key]
            return None
        return entry[0]

    def _sweep(self, now: float) -> None:
        # Drop expired entries now and then, so keys that are never read again go away.
        self._writes += 1
        if self._writes % 1000 == 0:
            for key in [key for key, (_, expires) in self._values.items() if expires <= now]:
                del self._values[key]

    def increment(self, key: str, ttl: float) -> tuple[int, float]:
        """Add one to the counter `key`; see `Store.increment`."""
        with self._lock:
            now = self._clock()
            current = self._live(key, now)
            if isinstance(current, int):
                expires = self._values[key][1]
                count = current + 1
            else:
                expires = now + ttl
                count = 1
                self._sweep(now)
            self._values[key] = (count, expires)
            return count, expires - now

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Store `value` unless the key is live; see `Store.add`."""
        with self._lock:
            now = self._clock()
            if self._live(key, now) is not None:
                return False
            self._sweep(now)
            self._values[key] = (bytes(value), now + ttl)
            return True

    def get(self, key: str) -> bytes | None:
        """Return the live value under `key`; see `Store.get`."""
        with self._lock:
            value = self._live(key, self._clock())
            return value if isinstance(value, bytes) else None

    def replace(self, key: str, expected: bytes, value: bytes | None, ttl: float) -> bool:
        """Swap the value if it is still `expected`; see `Store.replace`."""
        with self._lock:
            now = self._clock()
            if self._live(key, now) != expected:
                return False
            if value is None:
                del self._values[key]
            else:
                self._values[key] = (bytes(value), now + ttl)
            return True
