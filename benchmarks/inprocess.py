"""In-process timing: each request sent straight to each app's WSGI callable, no server.

This isolates what the framework costs: no sockets, no HTTP parsing, no worker model. Every
(app, request) pair is warmed up, then timed in batches sized to take about the same wall
time; the batches of all pairs are interleaved (one batch of each pair per round), so a slow
drift of the machine touches every framework alike, and the median batch is reported.
The garbage collector stays on, as it is in a server.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.apps import load_factory
from benchmarks.endpoints import ENDPOINTS, Endpoint, WsgiApp

__all__ = ["Timing", "Timings", "run"]


@dataclass(frozen=True)
class Timing:
    """One (app, request) pair's result.

    Attributes:
        micros: The median over rounds of the mean time per request, in microseconds.
        spread: (slowest - fastest round) / median, a hint of how noisy the number is.
        calls: How many requests each round sent.
    """

    micros: float
    spread: float
    calls: int


Timings = dict[str, dict[str, Timing]]
"""Results by framework, then by endpoint key."""


@dataclass(frozen=True)
class _Plan:
    warmup_seconds: float
    batch_seconds: float
    rounds: int


_FULL = _Plan(warmup_seconds=0.3, batch_seconds=0.15, rounds=9)
_QUICK = _Plan(warmup_seconds=0.0, batch_seconds=0.005, rounds=2)


def _make_caller(app: WsgiApp, endpoint: Endpoint) -> Callable[[], None]:
    """Return a function that sends the request once and reads the whole body."""
    make_environ = endpoint.make_environ

    def start_response(status: str, headers: object, exc_info: object = None) -> None:
        return None

    def send() -> None:
        result = app(make_environ(), start_response)
        b"".join(result)  # read the whole body, as a server would
        close = getattr(result, "close", None)
        if close is not None:
            close()

    return send


def _batch(send: Callable[[], None], calls: int) -> float:
    """Return the mean seconds per call over `calls` calls."""
    started = time.perf_counter()
    for _ in range(calls):
        send()
    return (time.perf_counter() - started) / calls


def _calls_for(send: Callable[[], None], seconds: float) -> int:
    """Return how many calls take about `seconds`, with at least 3."""
    one = _batch(send, 3)
    return max(3, int(seconds / one))


def run(frameworks: list[str], quick: bool = False) -> Timings:
    """Time every request on every framework's app; return the medians in microseconds."""
    plan = _QUICK if quick else _FULL
    senders: dict[tuple[str, str], Callable[[], None]] = {}
    for framework in frameworks:
        app = load_factory(framework)()
        for endpoint in ENDPOINTS:
            senders[framework, endpoint.key] = _make_caller(app, endpoint)
    calls: dict[tuple[str, str], int] = {}
    for pair, send in senders.items():
        deadline = time.perf_counter() + plan.warmup_seconds
        send()
        while time.perf_counter() < deadline:
            send()
        calls[pair] = _calls_for(send, plan.batch_seconds)
    rounds: dict[tuple[str, str], list[float]] = {pair: [] for pair in senders}
    for _ in range(plan.rounds):
        for pair, send in senders.items():
            rounds[pair].append(_batch(send, calls[pair]))
    results: Timings = {framework: {} for framework in frameworks}
    for (framework, key), seconds in rounds.items():
        median = statistics.median(seconds)
        results[framework][key] = Timing(
            micros=median * 1e6,
            spread=(max(seconds) - min(seconds)) / median,
            calls=calls[framework, key],
        )
    return results
