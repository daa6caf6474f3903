"""The `problem_for_status` paragraph of docs/errors.md: the problem restkit sends for a status."""

from __future__ import annotations

import pytest

from restkit.problems import (
    PROBLEM_CONTENT_TYPE,
    Conflict,
    Problem,
    ServiceUnavailable,
    problem_for_status,
)


@pytest.mark.parametrize(
    ("status", "detail", "kind", "title"),
    [
        (409, "Already there.", Conflict, "Conflict"),
        (418, None, Problem, "I'm a Teapot"),
    ],
)
def test_errors_problem_for_status_returns_the_class_or_a_plain_problem(
    status: int, detail: str | None, kind: type[Problem], title: str
) -> None:
    problem = problem_for_status(status, detail)

    assert type(problem) is kind
    assert problem.to_dict()["title"] == title
    assert problem.to_dict()["status"] == status
    if detail is not None:
        assert problem.to_dict()["detail"] == detail


def test_errors_problem_for_status_response_keeps_headers() -> None:
    problem = problem_for_status(503, headers=[("Retry-After", "30")])

    response = problem.get_response()

    assert isinstance(problem, ServiceUnavailable)
    assert response.status_code == 503
    assert response.headers["Content-Type"] == PROBLEM_CONTENT_TYPE == "application/problem+json"
    assert response.headers["Retry-After"] == "30"
