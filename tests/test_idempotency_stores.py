"""Idempotency when the store fails: 503 (closed) or served without it (open)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from restkit.stores import Store, StoreError
from restkit.stores.memory import MemoryStore
from tests.idempotency_app import PROBLEM_JSON, Hook, post, raising, tasks_resource

MakeClient = Callable[..., FlaskClient]


@pytest.fixture
def calls() -> list[dict[str, Any]]:
    return []


# --- when the store fails -------------------------------------------------------------------


class FailingStore(Store):
    """A MemoryStore whose named operations raise StoreError."""

    def __init__(self, *failing: str) -> None:
        self.inner = MemoryStore()
        self.failing = set(failing)

    def check(self, operation: str) -> None:
        if operation in self.failing:
            raise StoreError(f"{operation} failed: connection refused")

    def increment(self, key: str, ttl: float) -> tuple[int, float]:
        self.check("increment")
        return self.inner.increment(key, ttl)

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        self.check("add")
        return self.inner.add(key, value, ttl)

    def get(self, key: str) -> bytes | None:
        self.check("get")
        return self.inner.get(key)

    def replace(self, key: str, expected: bytes, value: bytes | None, ttl: float) -> bool:
        self.check("replace")
        return self.inner.replace(key, expected, value, ttl)


ALL = ("increment", "add", "get", "replace")


@pytest.mark.parametrize(
    "settings", [{}, {"store_failure": "closed"}, {"config": {"RESTKIT_STORE_FAILURE": "closed"}}]
)
def test_idempotency_store_down_fails_closed_with_503(
    make_client: MakeClient,
    calls: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, Any],
) -> None:
    client = make_client({"/tasks": tasks_resource(calls)}, store=FailingStore(*ALL), **settings)

    with caplog.at_level(logging.WARNING, logger="restkit"):
        response = post(client)

    assert response.status_code == 503
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The service cannot accept this request right now; retry shortly.",
    }
    assert calls == []
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", "The store is unreachable.")
    ]


@pytest.mark.parametrize(
    "settings", [{"store_failure": "open"}, {"config": {"RESTKIT_STORE_FAILURE": "open"}}]
)
def test_idempotency_store_down_fails_open_serving_every_request(
    make_client: MakeClient,
    calls: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, Any],
) -> None:
    client = make_client({"/tasks": tasks_resource(calls)}, store=FailingStore(*ALL), **settings)

    with caplog.at_level(logging.WARNING, logger="restkit"):
        first = post(client)
        retry = post(client)

    for response in (first, retry):
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
    assert len(calls) == 2
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "WARNING",
            "The store is unreachable; Tasks.post is served without rate limits and "
            "idempotency (store_failure='open').",
        )
    ] * 2


def test_idempotency_store_down_does_not_affect_requests_without_key(
    make_client: MakeClient, calls: list[dict[str, Any]]
) -> None:
    client = make_client({"/tasks": tasks_resource(calls)}, store=FailingStore(*ALL))

    response = post(client, None)

    assert response.status_code == 201
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("hook", "status"),
    [(None, 201), (raising(RuntimeError("boom")), 500)],
    ids=["store", "release"],
)
def test_idempotency_store_failing_after_the_method_still_answers_and_logs(
    make_client: MakeClient,
    calls: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    hook: Hook | None,
    status: int,
) -> None:
    client = make_client({"/tasks": tasks_resource(calls, hook)}, store=FailingStore("replace"))

    with caplog.at_level(logging.ERROR, logger="restkit"):
        response = post(client)
    retry = post(client)

    assert response.status_code == status
    messages = [r.getMessage() for r in caplog.records if r.name == "restkit"]
    assert messages == ["Could not record the response of an idempotent request."]
    # The claim could not be replaced: the key stays held until lock_timeout.
    assert retry.status_code == 409
    assert len(calls) == 1


class VanishingStore(MemoryStore):
    """A store where another request's record expires between `add` and `get`, `times` times."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        if self.times:
            return False
        return super().add(key, value, ttl)

    def get(self, key: str) -> bytes | None:
        self.times -= 1
        return None


@pytest.mark.parametrize(("times", "status", "runs"), [(1, 201, 1), (2, 201, 1), (3, 409, 0)])
def test_idempotency_record_expiring_while_read_is_taken_on_a_later_try(
    make_client: MakeClient, calls: list[dict[str, Any]], times: int, status: int, runs: int
) -> None:
    client = make_client({"/tasks": tasks_resource(calls)}, store=VanishingStore(times))

    response = post(client)

    assert response.status_code == status
    assert len(calls) == runs
