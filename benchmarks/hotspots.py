"""Where restkit's time goes: one endpoint of the restkit app, profiled request by request.

`python -m benchmarks.hotspots [list|get|create|invalid] [--no-compile]` sends the request
many times under cProfile and splits each request's time into stages by the cumulative time
of the functions that do them: Flask and Werkzeug around the view (WSGI, routing, request
and response objects), restkit's request parsing, the resource method itself, the response
rendering and, within it, the dump and the JSON encoding. cProfile adds a fixed cost to
every Python call, so code made of many small calls (marshmallow's per-field dump) looks
larger than it is; the shares are a map, the in-process table gives the true time per request.
Stages are found by module and function name; a stage whose functions no longer run (after
a rewrite, for example) is left out instead of failing. `--no-compile` profiles restkit with
its dump compiler switched off (the `compile_dumps` setting), as it was before the compiler.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
from dataclasses import dataclass
from typing import Any

from benchmarks.apps import WITHOUT_COMPILER, load_factory
from benchmarks.endpoints import ENDPOINTS, Endpoint
from benchmarks.inprocess import _make_caller

__all__ = ["Stage", "main", "profile"]


@dataclass(frozen=True)
class Stage:
    """One stage of a request.

    Attributes:
        label: What the stage does.
        micros: Its cumulative time per request under the profiler, in microseconds.
        share: Its part of the whole request, from 0 to 1.
        depth: 0 for the whole request, 1 for its parts, 2 for parts of those.
    """

    label: str
    micros: float
    share: float
    depth: int


# (label, depth, [(part of the file name, function name or "" for any), ...], part of the
# caller's file name or "");
# with a caller, only the time of calls made from that file counts. The first row is the whole.
_STAGES: list[tuple[str, int, list[tuple[str, str]], str]] = [
    ("whole request (Flask.wsgi_app)", 0, [("flask/app.py", "wsgi_app")], ""),
    ("restkit's view function", 1, [("restkit/view.py", "view")], ""),
    ("request parsing (body, query, path)", 2, [("restkit/parsing.py", "parse")], ""),
    ("JSON decoding of the body", 3, [("restkit/_json.py", "decode_json")], ""),
    ("marshmallow load", 3, [("marshmallow/schema.py", "load")], "restkit/parsing.py"),
    ("the resource method", 2, [("apps/restkit_app.py", "")], ""),
    ("response rendering", 2, [("restkit/rendering.py", "respond")], ""),
    ("marshmallow dump", 3, [("marshmallow/schema.py", "dump")], "restkit/rendering.py"),
    (
        "restkit's compiled dump",
        3,
        [("<restkit dumper", ""), ("restkit/dumping.py", "")],
        "restkit/rendering.py",
    ),
    ("JSON encoding", 3, [("restkit/_json.py", "encode_json")], "restkit/rendering.py"),
    ("problem rendering (the 422 body)", 1, [("restkit/api.py", "make_problem_response")], ""),
]
_OUTSIDE = "Flask and Werkzeug outside the view (WSGI, routing, request, response)"

Key = tuple[str, int, str]


def _matches(key: Key, patterns: list[tuple[str, str]]) -> bool:
    return any(part in key[0] and name in ("", key[2]) for part, name in patterns)


def _cumulative(stats: pstats.Stats, patterns: list[tuple[str, str]], caller: str) -> float:
    """Sum the cumulative seconds of the outermost functions matching any pattern."""
    table: dict[Key, Any] = stats.stats  # type: ignore[attr-defined]
    matched = {key: value for key, value in table.items() if _matches(key, patterns)}
    total = 0.0
    for key, (*_, callers) in matched.items():
        # A matching function called by another matching one is already counted in it.
        outer = {edge: times for edge, times in callers.items() if edge not in matched}
        if caller:
            total += sum(times[3] for edge, times in outer.items() if caller in edge[0])
        elif outer or not callers:
            total += table[key][3] - sum(
                times[3] for edge, times in callers.items() if edge in matched and edge != key
            )
    return total


def profile(
    endpoint: Endpoint, requests: int = 2000, framework: str = "restkit"
) -> tuple[list[Stage], pstats.Stats]:
    """Profile `requests` calls of one endpoint on a restkit app; return its stages."""
    send = _make_caller(load_factory(framework)(), endpoint)
    for _ in range(min(200, requests)):
        send()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        send()
    profiler.disable()
    stats = pstats.Stats(profiler)
    whole = _cumulative(stats, *_STAGES[0][2:]) or 1.0
    stages: list[Stage] = []
    for label, depth, patterns, caller in _STAGES:
        seconds = _cumulative(stats, patterns, caller)
        if seconds > 0:
            stages.append(Stage(label, seconds / requests * 1e6, seconds / whole, depth))
    outside = whole - sum(stage.share * whole for stage in stages if stage.depth == 1)
    stages.append(Stage(_OUTSIDE, outside / requests * 1e6, outside / whole, 1))
    return stages, stats


def table(stages: list[Stage]) -> str:
    """Return the stages as a Markdown table."""
    lines = ["| stage | µs per request (profiled) | share |", "| --- | ---: | ---: |"]
    for stage in stages:
        label = "— " * stage.depth + stage.label
        lines.append(f"| {label} | {stage.micros:.1f} | {stage.share * 100:.0f}% |")
    return "\n".join(lines)


def own_time(stats: pstats.Stats, requests: int, top: int = 12) -> str:
    """Return the functions with the most own time (not counting callees) as a table."""
    rows = sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda item: item[1][2],
        reverse=True,
    )[:top]
    lines = ["| function | calls per request | own µs per request |", "| --- | ---: | ---: |"]
    for (filename, line, name), (_, calls, own, *_rest) in rows:
        where = "/".join(filename.split("/")[-2:]) if filename != "~" else "built-in"
        lines.append(
            f"| `{name}` ({where}:{line}) | {calls / requests:.0f} | {own / requests * 1e6:.1f} |"
        )
    return "\n".join(lines)


def main(key: str = "list", requests: int = 2000, framework: str = "restkit") -> str:
    """Profile one endpoint of a restkit app and return the report as Markdown."""
    endpoint = next(endpoint for endpoint in ENDPOINTS if endpoint.key == key)
    stages, stats = profile(endpoint, requests, framework)
    return (
        f"{framework}, {endpoint.method} {endpoint.path} ({endpoint.title}), {requests} "
        f"requests under cProfile:\n\n{table(stages)}\n\n"
        f"Most own time:\n\n{own_time(stats, requests)}\n"
    )


if __name__ == "__main__":
    # python -m benchmarks.hotspots [list|get|create|invalid] [--no-compile]
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    print(
        main(
            arguments[0] if arguments else "list",
            framework=WITHOUT_COMPILER if "--no-compile" in sys.argv else "restkit",
        )
    )
