from __future__ import annotations

from benchmarks import locations


def test_locations_benchmark_in_quick_mode_times_both_readers() -> None:
    rows = locations.run(quick=True)
    assert [name for name, _ in rows] == [
        "webargs FlaskParser.parse",
        "restkit RequestPlan.parse",
    ]
    assert all(micros > 0 for _, micros in rows)
