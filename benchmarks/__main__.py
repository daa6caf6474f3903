"""`python -m benchmarks [--quick]`: run every benchmark and print its tables.

The full run (`make bench`) also writes the report into docs/benchmarks.md, between its
result markers. `--quick` runs every part briefly, to check that it still works (CI does);
its numbers are too short to trust, so it never writes the page.
"""

from __future__ import annotations

import contextlib
import io
import sys

from benchmarks import equivalence, hotspots, inprocess, locations, server, startup
from benchmarks.apps import BASELINE, frameworks
from benchmarks.report import Results, render, write_docs


def _progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def collect(quick: bool = False) -> Results:
    """Check every app, then run every measurement on those that agree; return the results."""
    _progress("checking that every app answers as plain Flask does")
    verdicts = equivalence.check_all(frameworks())
    agreeing = [verdict.framework for verdict in verdicts if verdict.ok]
    for verdict in verdicts:
        if not verdict.ok:
            _progress(f"{verdict.framework} disagrees, not timed: {'; '.join(verdict.problems)}")
    results = Results(quick=quick, verdicts=verdicts, load_tool=server.load_tool())
    if BASELINE not in agreeing:
        return results
    _progress("timing in-process WSGI calls")
    results.inprocess = inprocess.run(agreeing, quick=quick)
    _progress(f"loading each app over gunicorn with {results.load_tool}")
    results.served = server.run(agreeing, quick=quick)
    _progress("timing start-up and spec builds in fresh processes")
    results.startup = startup.run(quick=quick)
    _progress("timing request-location readers")
    with contextlib.redirect_stdout(io.StringIO()) as output:
        locations.main(quick)
    results.locations = output.getvalue()
    return results


def main() -> None:
    """Run the benchmarks, print the report, and write it into the docs (unless `--quick`)."""
    quick = "--quick" in sys.argv[1:]
    report = render(collect(quick))
    print(report)
    _progress("profiling restkit's list endpoint")
    print("### Where restkit's time goes\n")
    print(hotspots.main("list", requests=50 if quick else 2000))
    if not quick:
        write_docs(report)
        _progress("wrote the results into docs/benchmarks.md")


if __name__ == "__main__":
    main()
