"""Before any timing: does every app answer each request as plain Flask does?

For successes the status, the `Content-Type`, the `Location` of a create and the JSON body
(after parsing, so key order and whitespace do not count) must be equal to plain Flask's.
Error bodies differ by design between frameworks, so for the invalid create the check is the
status (422; Flask-RESTX can only answer 400, which is allowed for it and noted) and that
every invalid field is named somewhere in the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from benchmarks.apps import BASELINE, frameworks, load_factory
from benchmarks.apps.data import INVALID_FIELDS
from benchmarks.endpoints import ENDPOINTS, Answer, Endpoint, call

__all__ = ["DEVIATIONS", "ERROR_STATUS", "Verdict", "check", "check_all", "reported_fields"]

ERROR_STATUS = {"Flask-RESTX": 400}
"""Frameworks that cannot answer an invalid body with 422, and the status they use."""

DEVIATIONS = {
    "Flask-RESTX": (
        "answers an invalid body with 400 (it has no 422); validates with JSON Schema, the "
        "price by a pattern; writes JSON with spaces after separators"
    ),
    "restkit": "errors are application/problem+json with a JSON Pointer per error",
}
"""What each framework does differently from plain Flask, allowed by the check."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of the check for one app.

    Attributes:
        framework: The framework's display name.
        problems: One sentence per disagreement; empty when the app agrees.
    """

    framework: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the app agrees with plain Flask on every request."""
        return not self.problems


def reported_fields(body: Any) -> set[str]:
    """Return every field name an error body mentions: keys, dotted keys, JSON Pointers."""
    found: set[str] = set()
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                found.update(re.split(r"[./]", str(key)))
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and item.startswith("/"):
            found.update(item.split("/"))
    found.discard("")
    return found


def _compare(framework: str, endpoint: Endpoint, got: Answer, floor: Answer) -> Iterator[str]:
    where = f"{endpoint.method} {endpoint.path} ({endpoint.key})"
    if endpoint.key == "invalid":
        expected = ERROR_STATUS.get(framework, 422)
        if got.status != expected:
            yield f"{where}: status {got.status}, expected {expected}"
            return
        missing = INVALID_FIELDS - reported_fields(got.json())
        if missing:
            yield f"{where}: the error body does not report {', '.join(sorted(missing))}"
        return
    if got.status != floor.status:
        yield f"{where}: status {got.status}, plain Flask answers {floor.status}"
        return
    if not got.headers.get("content-type", "").startswith("application/json"):
        yield f"{where}: Content-Type {got.headers.get('content-type')!r}, not JSON"
    if got.headers.get("location") != floor.headers.get("location"):
        yield (
            f"{where}: Location {got.headers.get('location')!r}, plain Flask sends "
            f"{floor.headers.get('location')!r}"
        )
    if got.json() != floor.json():
        yield f"{where}: the JSON body differs from plain Flask's"


def check(framework: str, floors: dict[str, Answer] | None = None) -> Verdict:
    """Call one framework's app with every request and compare it with plain Flask's."""
    if floors is None:
        floors = _answers(BASELINE)
    try:
        answers = _answers(framework)
    except Exception as error:  # any failure to build or answer disqualifies the app
        return Verdict(framework, (f"the app failed: {type(error).__name__}: {error}",))
    problems: list[str] = []
    for endpoint in ENDPOINTS:
        problems.extend(_compare(framework, endpoint, answers[endpoint.key], floors[endpoint.key]))
    return Verdict(framework, tuple(problems))


def check_all(names: list[str] | None = None) -> list[Verdict]:
    """Check every framework's app (plain Flask is checked against itself, too)."""
    floors = _answers(BASELINE)
    return [check(framework, floors) for framework in names or frameworks()]


def _answers(framework: str) -> dict[str, Answer]:
    app = load_factory(framework)()
    return {endpoint.key: call(app, endpoint) for endpoint in ENDPOINTS}
