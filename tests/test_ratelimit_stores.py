"""Rate limits and their store: settings, shared stores, and a store that fails.

A store that cannot be reached answers 503 with `Retry-After` (`store_failure="closed"`, the
default) or serves the request without limits and logs a warning (`"open"`); never a 500.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient

from restkit import Api, DeclarationError
from restkit.stores import Store, StoreError
from restkit.stores.memory import MemoryStore
from restkit.stores.redis import RedisStore
from restkit.stores.sql import SqlStore
from tests.ratelimit_helpers import (
    Clock,
    freeze_clock,
    frozen_client_factory,
    limit_headers,
    limited,
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze_clock(monkeypatch)


@pytest.fixture
def client_for(make_client: Callable[..., FlaskClient], clock: Clock) -> Callable[..., FlaskClient]:
    return frozen_client_factory(make_client, clock)


# When the store fails


class BrokenStore(Store):
    """A store whose backend is always down."""

    def increment(self, key: str, ttl: float) -> tuple[int, float]:
        raise StoreError("down")

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        raise StoreError("down")

    def get(self, key: str) -> bytes | None:
        raise StoreError("down")

    def replace(self, key: str, expected: bytes, value: bytes | None, ttl: float) -> bool:
        raise StoreError("down")


@pytest.mark.parametrize(
    ("settings", "config"),
    [({}, {}), ({"store_failure": "closed"}, {}), ({}, {"RESTKIT_STORE_FAILURE": "closed"})],
)
def test_rate_limit_store_failure_closed_returns_503_problem(
    client_for: Callable[..., FlaskClient],
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, str],
    config: dict[str, str],
) -> None:
    client = client_for(
        {"/items": limited("3/minute", deprecated=True)},
        store=BrokenStore(),
        config=config,
        **settings,
    )

    response = client.get("/items")

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Deprecation"] == "@0"
    assert limit_headers(response) == (None, None, None)
    assert response.get_json()["title"] == "Service Unavailable"
    assert [record.levelno for record in caplog.records] == [logging.ERROR]


@pytest.mark.parametrize(
    ("settings", "config"),
    [({"store_failure": "open"}, {}), ({}, {"RESTKIT_STORE_FAILURE": "open"})],
)
def test_rate_limit_store_failure_open_serves_without_limit(
    client_for: Callable[..., FlaskClient],
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, str],
    config: dict[str, str],
) -> None:
    client = client_for(
        {"/items": limited("1/minute")}, store=BrokenStore(), config=config, **settings
    )

    responses = [client.get("/items") for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]
    assert limit_headers(responses[1]) == (None, None, None)
    assert responses[1].get_json() == [{"name": "first"}]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "served without rate limits" in warnings[0].getMessage()


# Settings and declarations of the store


@pytest.mark.parametrize(
    ("settings", "config"),
    [({}, {"RESTKIT_STORE_URL": "memory://"}), ({"store_url": "memory://"}, {}), ({}, {})],
)
def test_rate_limit_store_from_settings_counts(
    make_client: Callable[..., FlaskClient],
    clock: Clock,
    settings: dict[str, str],
    config: dict[str, str],
) -> None:
    client = make_client({"/items": limited("1/minute")}, config=config, **settings)

    statuses = [client.get("/items").status_code for _ in range(2)]

    assert statuses == [200, 429]


@pytest.mark.parametrize(
    ("settings", "config", "message"),
    [
        ({}, {"RESTKIT_STORE_URL": "nowhere"}, "must be a store URL"),
        ({"store_url": "nosuchdatabase://host/db"}, {}, "SqlStore cannot use"),
        ({}, {"RESTKIT_STORE_URL": "sqlite://"}, "in memory"),
        ({}, {"RESTKIT_STORE_FAILURE": "sometimes"}, "'closed' or 'open'"),
        ({"store_failure": "sometimes"}, {}, "'closed' or 'open'"),
        ({"store_failure": True}, {}, "'closed' or 'open'"),
    ],
)
def test_rate_limit_bad_store_setting_raises_declaration_error(
    make_client: Callable[..., FlaskClient],
    settings: dict[str, Any],
    config: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(DeclarationError, match=message):
        make_client({"/items": limited("1/minute")}, config=config, **settings)


@pytest.mark.parametrize("store", [object(), MemoryStore, "memory://"])
def test_rate_limit_api_store_not_a_store_raises_declaration_error(store: Any) -> None:
    with pytest.raises(DeclarationError, match=r"Api 'api' was given store=.*restkit\.stores"):
        Api(store=store)


# Shared and unreachable stores


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    prefix = f"restkit-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def test_rate_limit_through_redis_store_counts(
    client_for: Callable[..., FlaskClient], redis_url: str, redis_prefix: str
) -> None:
    store = RedisStore.from_url(redis_url, prefix=redis_prefix)
    client = client_for({"/items": limited("3/minute")}, store=store)

    responses = [client.get("/items") for _ in range(4)]

    assert [response.status_code for response in responses] == [200, 200, 200, 429]
    assert [limit_headers(response)[:2] for response in responses] == [
        ("3", "2"),
        ("3", "1"),
        ("3", "0"),
        ("3", "0"),
    ]
    assert responses[3].headers["Retry-After"] == "45"
    store.close()


def unreachable(kind: str, port: int) -> Store:
    if kind == "redis":
        return RedisStore.from_url(f"redis://127.0.0.1:{port}/0")
    return SqlStore.from_url(f"postgresql://postgres@127.0.0.1:{port}/test")


@pytest.mark.parametrize("kind", ["redis", "postgresql"])
@pytest.mark.parametrize(("failure", "status"), [("closed", 503), ("open", 200)])
def test_rate_limit_store_down_answers_as_configured_never_500(
    client_for: Callable[..., FlaskClient],
    closed_port: int,
    kind: str,
    failure: str,
    status: int,
) -> None:
    client = client_for(
        {"/items": limited("3/minute")},
        store=unreachable(kind, closed_port),
        store_failure=failure,
    )

    response = client.get("/items")

    assert response.status_code == status
    assert limit_headers(response) == (None, None, None)
    assert ("Retry-After" in response.headers) == (status == 503)
