"""The results of a run as Markdown: machine, versions, and one table per measurement.

Times per request are given as ratios to plain Flask (the floor: 1.00) with the absolute
numbers beside them; start-up is given as a ratio to flask-smorest, as in issue 8's table.
`write_docs` puts the whole report between the result markers of docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from benchmarks.apps import BASELINE, WITHOUT_COMPILER, has_dump_compiler
from benchmarks.endpoints import ENDPOINTS
from benchmarks.equivalence import DEVIATIONS, Verdict
from benchmarks.inprocess import Timings
from benchmarks.server import CONNECTIONS, Load
from benchmarks.startup import BY_HAND, BY_HAND_LAZY, Startup

__all__ = ["DOCS", "END", "START", "Results", "environment", "render", "write_docs"]

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START = "<!-- results:start -->"
END = "<!-- results:end -->"
_DISTRIBUTIONS = {
    "Flask": "flask",
    "Werkzeug": "werkzeug",
    "marshmallow": "marshmallow",
    "restkit": "flask-restkit",
    "flask-smorest": "flask-smorest",
    "APIFlask": "apiflask",
    "Flask-RESTX": "flask-restx",
    "gunicorn": "gunicorn",
    "orjson": "orjson",
}


@dataclass
class Results:
    """Everything one run measured; a part left empty was not run."""

    quick: bool
    verdicts: list[Verdict]
    inprocess: Timings = field(default_factory=dict)
    served: dict[str, dict[str, Load]] = field(default_factory=dict)
    load_tool: str = "wrk"
    startup: Startup | None = None
    locations: str = ""


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or platform.machine()
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else platform.machine()


def _wrk_version() -> str:
    try:
        run = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    except OSError:
        return "not installed"
    found = re.search(r"wrk (?:\w+/)?([0-9][\w.+-]*)", run.stdout + run.stderr)
    return found.group(1) if found else "unknown"


def environment() -> str:
    """Return the machine and the versions of everything measured, as a paragraph."""
    versions = []
    for name, distribution in _DISTRIBUTIONS.items():
        try:
            versions.append(f"{name} {version(distribution)}")
        except PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    compiler = "on" if has_dump_compiler() else "not in this version"
    return (
        f"Run on {dt.date.today().isoformat()}: {_cpu_model()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"{', '.join(versions)}, wrk {_wrk_version()}. restkit's dump compiler: {compiler}."
    )


def _equivalence(verdicts: list[Verdict]) -> str:
    lines = ["| app | same answers as plain Flask | allowed differences |", "| --- | --- | --- |"]
    for verdict in verdicts:
        agrees = "yes" if verdict.ok else "**no, not timed**: " + "; ".join(verdict.problems)
        note = DEVIATIONS.get(verdict.framework.split(",")[0], "")
        lines.append(f"| {verdict.framework} | {agrees} | {note} |")
    return "\n".join(lines)


def _inprocess(timings: Timings, names: list[str]) -> str:
    header = "| app | " + " | ".join(endpoint.title for endpoint in ENDPOINTS) + " |"
    lines = [header, "| --- |" + " ---: |" * len(ENDPOINTS)]
    floor = timings[BASELINE]
    for name in names:
        if name not in timings:
            lines.append(f"| {name} |" + " not timed |" * len(ENDPOINTS))
            continue
        cells = [
            f"**{timings[name][key].micros / floor[key].micros:.2f}** "
            f"({timings[name][key].micros:.0f} µs)"
            for key in (endpoint.key for endpoint in ENDPOINTS)
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _served(served: dict[str, dict[str, Load]], names: list[str]) -> str:
    keys = [endpoint.key for endpoint in ENDPOINTS if endpoint.key in served[BASELINE]]
    titles = [endpoint.title for endpoint in ENDPOINTS if endpoint.key in keys]
    lines = ["| app | " + " | ".join(titles) + " |", "| --- |" + " ---: |" * len(keys)]
    floor = served[BASELINE]
    for name in names:
        if name not in served:
            lines.append(f"| {name} |" + " not timed |" * len(keys))
            continue
        cells = []
        for key in keys:
            load = served[name][key]
            ratio = floor[key].requests_per_second / load.requests_per_second
            errors = f", {load.errors} socket errors" if load.errors else ""
            cells.append(
                f"**{ratio:.2f}** ({load.requests_per_second:.0f} req/s, p50 {load.p50_ms:.2f} ms"
                f", p99 {load.p99_ms:.2f} ms{errors})"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _startup(startup: Startup) -> str:
    base = startup.seconds["flask-smorest"]
    base_declared = base - startup.imports["flask-smorest"]
    lines = [
        "| framework | seconds to the spec | of them, imports | ratio to flask-smorest "
        "| ratio without imports | operations in the document |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, seconds in startup.seconds.items():
        imports = startup.imports[name]
        declared = (seconds - imports) / base_declared
        lines.append(
            f"| {name} | {seconds:.3f} | {imports:.3f} | **{seconds / base:.2f}** "
            f"| {declared:.2f} | {startup.operations[name]} |"
        )
    return "\n".join(lines)


def render(results: Results) -> str:
    """Return the report of a run as Markdown."""
    names = [verdict.framework for verdict in results.verdicts]
    mode = " (quick smoke run: too short to trust)" if results.quick else ""
    parts = [environment() + mode, "### Same behaviour first", _equivalence(results.verdicts)]
    if results.inprocess:
        parts += [
            "### In-process (direct WSGI calls)",
            "Time per request as a ratio to plain Flask (lower is faster), median time per "
            "request in brackets.",
            _inprocess(results.inprocess, names),
        ]
    if WITHOUT_COMPILER in names:
        parts.append(f"*{WITHOUT_COMPILER}*: the same restkit app with `compile_dumps=False`.")
    if results.served:
        tool = (
            f"wrk, 1 thread, {CONNECTIONS} connections"
            if results.load_tool == "wrk"
            else f"**wrk is not installed: a Python load generator** ({CONNECTIONS} threads), "
            "slower than wrk, so absolute numbers are lower"
        )
        parts += [
            f"### Over gunicorn (1 worker, {CONNECTIONS} threads, 127.0.0.1)",
            f"Load from {tool}. Time per request as a ratio to plain Flask (plain Flask's "
            "requests/s divided by the app's), with requests/s and latency in brackets.",
            _served(results.served, names),
        ]
    if results.startup is not None:
        parts += [
            f"### Start-up + full spec, {results.startup.resources} resources × 5 operations",  # noqa: RUF001
            "Seconds from the first import to the OpenAPI document as a dict, in a fresh "
            "process per run, median; Flask-RESTX writes Swagger 2.0. The imports are those "
            f"of Flask, marshmallow and the framework; *{BY_HAND}* is the floor of a toolkit "
            "on Flask, marshmallow and apispec: plain routes and `APISpec.path` calls, and "
            f"*{BY_HAND_LAZY}* the same floor with the URL builders compiled on first use, "
            "as restkit compiles its routes' (restkit's helper is imported off the clock).",
            _startup(results.startup),
        ]
    if results.locations:
        parts += ["### Reading request locations", results.locations.strip()]
    return "\n\n".join(parts) + "\n"


def write_docs(report: str, page: Path = DOCS) -> None:
    """Replace what is between the result markers of the benchmarks page with `report`."""
    text = page.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{page} has no {START} ... {END} markers to write the results between")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    page.write_text(f"{before}{START}\n\n{report}\n{END}{after}", encoding="utf-8")
