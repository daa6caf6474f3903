"""Rate limits: at most so many requests per client per period, counted in the API's store.

```python
api = Api(app, rate_limit="1000/hour")            # every operation of the API, together

@operation(body=TokenRequest, response=Token, status=201, rate_limit="10/minute")
def post(self, body): ...
```

A limit declared on an `Api`, a `Blueprint`, a `Resource` or an operation counts the requests
to all the operations under it, per client: by default the authenticated client
(`restkit.identity.client_key`), else the address. Limits of every level apply together;
`rate_limit=False` on a level drops those of the levels above it.

Every response of a limited operation carries `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset` (seconds until the window resets) for the limit closest to running out. A
request over a limit gets a 429 problem with `Retry-After`. Windows are fixed: they start at
multiples of the period since 1970, so every process agrees on them.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from werkzeug.wrappers import Request

from restkit.errors import DeclarationError
from restkit.identity import client_key
from restkit.problems import TooManyRequests
from restkit.stores import Store

__all__ = ["RateLimit", "RateLimitPlan", "ScopedLimit", "make_rate_limits"]

KeyFunction = Callable[[Request], str]

_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
}
_SPEC = re.compile(r"\s*(\d+)\s*(?:/|per)\s*(\d+)?\s*([a-z]+)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True, init=False)
class RateLimit:
    """At most `limit` requests per `period` seconds per client.

    Args:
        limit: The number of requests, or a string such as `"10/minute"`, `"100 per hour"`
            or `"5/30s"` (units: second, minute, hour, day, or s, m, h, d).
        period: The window in seconds (or a `timedelta`) when `limit` is a number.
        key: Returns the key a request is counted under; defaults to
            `restkit.identity.client_key` (the authenticated client, else the address).

    Attributes:
        limit: The number of requests per window.
        period: The window in seconds.
        key: The key function.

    Raises:
        DeclarationError: The string cannot be read, or a number is not positive.

    Example:
        ```python
        RateLimit("10/minute")
        RateLimit(100, timedelta(hours=1), key=remote_address)
        ```
    """

    limit: int
    period: int
    key: KeyFunction

    def __init__(
        self,
        limit: int | str,
        period: float | timedelta | None = None,
        *,
        key: KeyFunction | None = None,
    ) -> None:
        seconds: float | None
        given = repr(limit) if isinstance(limit, str) else f"period={period!r}"
        if isinstance(limit, str):
            if period is not None:
                raise DeclarationError(
                    f"RateLimit({limit!r}, {period!r}): give the period in the string or as "
                    "a number, not both."
                )
            count, seconds = _parse(limit)
        else:
            count = limit
            seconds = period.total_seconds() if isinstance(period, timedelta) else period
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise DeclarationError(f"RateLimit limit={count!r} must be a positive integer.")
        if (
            seconds is None
            or isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or seconds < 1
            or seconds != int(seconds)
        ):
            raise DeclarationError(
                f"RateLimit {given}: the period must be a whole number of seconds, at least 1."
            )
        object.__setattr__(self, "limit", count)
        object.__setattr__(self, "period", int(seconds))
        object.__setattr__(self, "key", key or client_key)

    def __str__(self) -> str:
        return f"{self.limit}/{self.period}s"


def _parse(text: str) -> tuple[int, int]:
    match = _SPEC.fullmatch(text)
    unit = _UNITS.get(match.group(3).lower()) if match else None
    if match is None or unit is None:
        raise DeclarationError(
            f"Rate limit {text!r} cannot be read; write it as '10/minute', '100 per hour' or "
            "'5/30s' (units: second, minute, hour, day)."
        )
    return int(match.group(1)), int(match.group(2) or 1) * unit


RateLimitLike = str | RateLimit | Sequence[str | RateLimit]


def make_rate_limits(value: Any, owner: str) -> tuple[RateLimit, ...] | bool | None:
    """Return the limits declared by `rate_limit=...` on `owner`: `None`, `False` or limits.

    Raises:
        DeclarationError: The value is not a limit, a string, a list of them, `None` or
            `False`.
    """
    if value is None or value is False:
        return value
    items = [value] if isinstance(value, str | RateLimit) else value
    if not isinstance(items, Sequence) or isinstance(items, bytes) or not items:
        raise DeclarationError(
            f"{owner} declares rate_limit={value!r}; give '10/minute', a RateLimit, a list "
            "of them, or False to drop inherited limits."
        )
    limits = []
    for item in items:
        if isinstance(item, str):
            try:
                limits.append(RateLimit(item))
            except DeclarationError as error:
                raise DeclarationError(f"{owner} declares rate_limit={value!r}: {error}") from None
        elif isinstance(item, RateLimit):
            limits.append(item)
        else:
            raise DeclarationError(
                f"{owner} declares rate_limit=[..., {item!r}, ...]; list '10/minute' strings "
                "or RateLimit objects."
            )
    return tuple(limits)


@dataclass(frozen=True, slots=True)
class ScopedLimit:
    """A limit and the scope its requests are counted in: the level that declared it.

    Attributes:
        scope: `api:<name>`, `blueprint:<api>.<name>`, `resource:<endpoint>` or
            `operation:<endpoint>:<METHOD>`, then `#` and the limit's index in its level.
        limit: The limit.
    """

    scope: str
    limit: RateLimit


class RateLimitPlan:
    """Counts one operation's requests against its limits.

    Args:
        limits: The limits that apply, with their scopes.
        clock: Returns the time in seconds since 1970; tests pass a fake one.
    """

    def __init__(
        self, limits: Sequence[ScopedLimit], clock: Callable[[], float] = time.time
    ) -> None:
        self.limits = tuple(limits)
        self.clock = clock
        # The start of each limit's store keys, made once: only the window and client vary.
        self.prefixes = tuple(
            f"rl:{_short(scoped.scope)}:{scoped.limit.limit}:{scoped.limit.period}"
            for scoped in self.limits
        )

    def check(self, request: Request, store: Store) -> list[tuple[str, str]]:
        """Count the request and return the `RateLimit-*` headers of its response.

        Raises:
            TooManyRequests: A limit is used up; the problem carries `Retry-After` and the
                `RateLimit-*` headers.
            StoreError: The store failed.
        """
        now = self.clock()
        closest: tuple[int, int, int] | None = None  # remaining, reset, limit
        exceeded: list[int] = []
        for scoped, prefix in zip(self.limits, self.prefixes, strict=True):
            limit = scoped.limit
            window = int(now // limit.period)
            left = (window + 1) * limit.period - now
            who = hashlib.sha256(limit.key(request).encode()).hexdigest()[:32]
            key = f"{prefix}:{window}:{who}"
            count, ttl = store.increment(key, left)
            reset = max(1, math.ceil(min(ttl, left)))
            remaining = max(0, limit.limit - count)
            if count > limit.limit:
                exceeded.append(reset)
            if closest is None or (remaining, -reset) < (closest[0], -closest[1]):
                closest = (remaining, reset, limit.limit)
        if closest is None:
            raise AssertionError("a rate limit plan has at least one limit")
        remaining, reset, limit_value = closest
        headers = [
            ("RateLimit-Limit", str(limit_value)),
            ("RateLimit-Remaining", str(remaining)),
            ("RateLimit-Reset", str(reset)),
        ]
        if exceeded:
            retry = max(exceeded)
            raise TooManyRequests(
                f"Too many requests; retry in {retry} seconds.",
                headers=[("Retry-After", str(retry)), *headers],
            )
        return headers


def _short(scope: str) -> str:
    # Scopes are made of endpoint names, which may be long: keep store keys short.
    if len(scope) <= 60:
        return scope
    return hashlib.sha256(scope.encode()).hexdigest()[:32]
