from __future__ import annotations

import socket
from pathlib import Path

import pytest
from flask import Flask, jsonify

import benchmarks.equivalence
from benchmarks import hotspots, locations, server
from benchmarks.__main__ import collect
from benchmarks.apps import BASELINE, FRAMEWORKS, frameworks
from benchmarks.endpoints import ENDPOINTS
from benchmarks.equivalence import check, reported_fields
from benchmarks.report import END, START, Results, render, write_docs
from benchmarks.startup import SPEC_FRAMEWORKS

ENDPOINT_KEYS = [endpoint.key for endpoint in ENDPOINTS]


@pytest.fixture(scope="module")
def results() -> Results:
    """One quick run of the whole suite, shared by the structure tests below."""
    return collect(quick=True)


def test_locations_benchmark_in_quick_mode_times_both_readers() -> None:
    rows = locations.run(quick=True)
    assert [name for name, _ in rows] == [
        "webargs FlaskParser.parse",
        "restkit RequestPlan.parse",
    ]
    assert all(micros > 0 for _, micros in rows)


def test_quick_run_checks_every_framework_and_all_agree(results: Results) -> None:
    assert [verdict.framework for verdict in results.verdicts] == frameworks()
    assert set(FRAMEWORKS) <= {verdict.framework for verdict in results.verdicts}
    assert [verdict.problems for verdict in results.verdicts if not verdict.ok] == []


def test_quick_run_times_every_endpoint_of_every_framework_in_process(results: Results) -> None:
    assert list(results.inprocess) == frameworks()
    for timings in results.inprocess.values():
        assert list(timings) == ENDPOINT_KEYS
        assert all(timing.micros > 0 and timing.calls >= 3 for timing in timings.values())


def test_quick_run_loads_every_framework_over_gunicorn(results: Results) -> None:
    assert list(results.served) == frameworks()
    for loads in results.served.values():
        assert list(loads) == ["list"]
        assert loads["list"].requests_per_second > 0
        assert loads["list"].p50_ms > 0


def test_quick_run_builds_the_spec_of_every_framework(results: Results) -> None:
    assert results.startup is not None
    assert list(results.startup.seconds) == list(SPEC_FRAMEWORKS)
    assert all(seconds > 0 for seconds in results.startup.seconds.values())
    assert results.startup.operations == dict.fromkeys(SPEC_FRAMEWORKS, 20 * 5)
    assert all(
        0 < results.startup.imports[name] < results.startup.seconds[name]
        for name in SPEC_FRAMEWORKS
    )


def test_report_names_every_framework_and_measurement(results: Results) -> None:
    report = render(results)

    for name in [*frameworks(), *SPEC_FRAMEWORKS]:
        assert f"| {name} |" in report
    for heading in ["### In-process", "### Over gunicorn", "### Start-up", "### Reading"]:
        assert heading in report
    assert "not timed" not in report


def test_write_docs_replaces_only_the_text_between_the_markers(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Benchmarks\n\n{START}\nold\n{END}\n\nAfter.\n", encoding="utf-8")

    write_docs("| new | table |\n", page)

    assert page.read_text(encoding="utf-8") == (
        f"# Benchmarks\n\n{START}\n\n| new | table |\n\n{END}\n\nAfter.\n"
    )


def test_write_docs_without_markers_raises(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n", encoding="utf-8")

    with pytest.raises(ValueError, match="markers"):
        write_docs("report", page)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"errors": {"name": ["x"], "tags.1": ["y"]}}, {"errors", "name", "tags", "1"}),
        ({"errors": [{"in": "body", "pointer": "/tags/0", "detail": "x"}]}, {"tags", "0"}),
        ({"detail": {"json": {"price": ["x"], "tags": {"1": ["y"]}}}}, {"price", "tags", "1"}),
    ],
)
def test_reported_fields_finds_keys_dotted_keys_and_pointers(
    body: object, fields: set[str]
) -> None:
    assert fields <= reported_fields(body)


def test_equivalence_with_a_different_body_reports_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def create_app() -> Flask:
        app = Flask(__name__)
        app.get("/items", endpoint="list")(lambda: jsonify([]))
        app.get("/items/<int:item_id>", endpoint="get")(lambda item_id: jsonify({}))
        app.post("/items", endpoint="create")(lambda: (jsonify({}), 422))
        return app

    real = benchmarks.equivalence.load_factory
    monkeypatch.setattr(
        benchmarks.equivalence,
        "load_factory",
        lambda name: create_app if name == "broken" else real(name),
    )

    verdict = check("broken")

    assert not verdict.ok
    assert any("(list)" in problem and "JSON body" in problem for problem in verdict.problems)
    assert any("(create)" in problem and "status 422" in problem for problem in verdict.problems)
    assert any("does not report" in problem for problem in verdict.problems)


def test_serve_stops_gunicorn_when_done() -> None:
    with server.serve(BASELINE) as port:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_hotspots_split_the_list_request_into_stages() -> None:
    report = hotspots.main("list", requests=20)

    assert "| whole request (Flask.wsgi_app) |" in report
    assert "response rendering" in report
    assert "Flask and Werkzeug outside the view" in report
