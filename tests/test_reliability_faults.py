"""Faults: Taskboard's database or Redis stops during a run, then comes back.

Taskboard runs over real HTTP against a PostgreSQL cluster and a Redis server of the test's
own (tests/private_servers.py), which the test stops and starts while the service runs:

- database down: every request that needs it is answered 503 `application/problem+json`
  with `Retry-After`, the health check too, and nothing is half-written; when the database
  is back the service recovers by itself (no restart) and every row is still there;
- Redis down: the operations that use the store (the sign-in rate limit, idempotent creates)
  are answered as `store_failure="closed"` says, 503 with `Retry-After`, never a 500; the
  others are served; when Redis is back, so are they.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import SIGN_UP_PASSWORD as PASSWORD
from tests.live import example_service, sign_up
from tests.private_servers import PrivatePostgres, PrivateRedis, private_postgres, private_redis

PROBLEM = "application/problem+json"
SECRET_KEY = "taskboard-faults-secret-0123456789abcdef-0123"
RECOVERY_SECONDS = 20.0


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, PrivatePostgres, PrivateRedis]]:
    """Taskboard on a private PostgreSQL and Redis: (its URL, the database, Redis)."""
    directory: Path = tmp_path_factory.mktemp("faults")
    with (
        private_postgres() as database,
        private_redis() as redis,
        example_service(
            directory,
            DATABASE_URL=database.url,
            REDIS_URL=redis.url,
            SECRET_KEY=SECRET_KEY,
            TASKBOARD_TOKEN_RATE_LIMIT="1000/minute",
            TASKBOARD_PROXY_COUNT="0",
        ) as base_url,
    ):
        yield base_url, database, redis


def _sign_up(base_url: str) -> httpx.Client:
    _, headers = sign_up(base_url, "fault")
    return httpx.Client(base_url=base_url, headers=headers, timeout=10)


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"] == PROBLEM
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert (body["status"], body["title"]) == (503, "Service Unavailable")
    assert body["detail"]


def _until_ok(send: object, seconds: float = RECOVERY_SECONDS) -> httpx.Response:
    """Send until the answer is not a 503 (stale pooled connections go first)."""
    assert callable(send)
    deadline = time.monotonic() + seconds
    while True:
        response: httpx.Response = send()
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        _assert_unavailable(response)  # while recovering, only ever the documented 503
        time.sleep(0.2)


def _project_names(client: httpx.Client) -> list[str]:
    response = client.get("/v1/projects", params={"per_page": 100})
    assert response.status_code == 200, response.text
    return sorted(item["name"] for item in response.json())


def test_database_outage_is_503_then_the_service_recovers_with_every_row(
    servers: tuple[str, PrivatePostgres, PrivateRedis],
) -> None:
    base_url, database, _ = servers
    client = _sign_up(base_url)
    assert client.post("/v1/projects", json={"name": "Before"}).status_code == 201

    database.stop()
    try:
        _assert_unavailable(client.get("/v1/projects"))
        _assert_unavailable(client.post("/v1/projects", json={"name": "During"}))
        _assert_unavailable(client.get("/v1/me"))
        _assert_unavailable(httpx.get(f"{base_url}/healthz", timeout=10))
    finally:
        database.start()

    assert _until_ok(lambda: httpx.get(f"{base_url}/healthz", timeout=10)).status_code == 200
    assert _until_ok(lambda: client.get("/v1/projects")).status_code == 200
    assert _project_names(client) == ["Before"]  # nothing of the refused create was written
    assert client.post("/v1/projects", json={"name": "After"}).status_code == 201
    for _ in range(10):  # every pooled connection works again
        assert client.get("/v1/me").status_code == 200
    assert _project_names(client) == ["After", "Before"]


def test_redis_outage_closes_only_the_operations_that_use_the_store(
    servers: tuple[str, PrivatePostgres, PrivateRedis],
) -> None:
    base_url, _, redis = servers
    client = _sign_up(base_url)
    email = client.get("/v1/me").json()["email"]
    key = {"Idempotency-Key": str(uuid.uuid4())}

    redis.stop()
    try:
        # The sign-in rate limit and idempotent creates keep their state in Redis.
        _assert_unavailable(
            httpx.post(
                f"{base_url}/v1/auth/tokens",
                json={"email": email, "password": PASSWORD},
                timeout=10,
            )
        )
        _assert_unavailable(client.post("/v1/projects", json={"name": "Keyed"}, headers=key))
        # The rest of the service does not need the store.
        assert client.get("/v1/me").status_code == 200
        assert client.get("/v1/projects").status_code == 200
    finally:
        redis.start()

    signed_in = _until_ok(
        lambda: httpx.post(
            f"{base_url}/v1/auth/tokens", json={"email": email, "password": PASSWORD}, timeout=10
        )
    )
    assert signed_in.status_code == 201, signed_in.text
    first = _until_ok(lambda: client.post("/v1/projects", json={"name": "Keyed"}, headers=key))
    again = client.post("/v1/projects", json={"name": "Keyed"}, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]  # the retry was answered, not redone
    assert _project_names(client) == ["Keyed"]
