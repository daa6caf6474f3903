"""Taskboard under gunicorn, as in production: several workers act as one service.

`gunicorn 'example_service:create_app()'` runs with two workers (processes) of two threads
each on 127.0.0.1,
on PostgreSQL and Redis as the deployment guide sets it up: a token one worker issued works on
the other, the sign-in limit counts across both, and an Idempotency-Key replays whichever
worker the retry reaches. Bounded in time, stopped by PID.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.live import gunicorn_taskboard
from tests.taskboard_live import production_environment

WORKERS = 2
SIGN_INS = 4  # the limit below: the fifth sign-in within the hour is refused


REDIS_DB = 13
"""The Redis database the workers share, emptied before and after: no other test uses it."""


@pytest.fixture
def gunicorn(
    tmp_path_factory: pytest.TempPathFactory, postgresql_url: str, redis_url: str
) -> Iterator[str]:
    """Serve Taskboard with gunicorn on PostgreSQL and Redis; yield its URL."""
    with production_environment(
        postgresql_url,
        redis_url,
        REDIS_DB,
        SECRET_KEY="gunicorn-tests-secret-0123456789abcdef",
        TASKBOARD_TOKEN_RATE_LIMIT=f"{SIGN_INS}/hour",  # a window that will not roll over
    ) as env:
        directory = tmp_path_factory.mktemp("gunicorn")
        with gunicorn_taskboard(directory, env, workers=WORKERS) as base_url:
            yield base_url


def test_gunicorn_workers_share_tokens_rows_and_the_sign_in_limit(
    gunicorn: str,
) -> None:
    base_url = gunicorn
    email = f"worker-{uuid.uuid4().hex[:8]}@example.com"
    credentials = {"email": email, "password": "correct horse"}
    with httpx.Client(base_url=base_url, timeout=10) as client:
        signed_up = client.post("/v1/users", json={**credentials, "display_name": "W"})
        assert signed_up.status_code == 201, signed_up.text

        answers = [client.post("/v1/auth/tokens", json=credentials) for _ in range(SIGN_INS + 1)]

        assert [answer.status_code for answer in answers] == [201] * SIGN_INS + [429]
        refused = answers[-1]
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert int(refused.headers["Retry-After"]) > 0
        token = answers[0].json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        # New connections land on either worker; every one accepts the token.
        for _ in range(6):
            with httpx.Client(base_url=base_url, timeout=10, headers=headers) as fresh:
                assert fresh.get("/v1/me").json()["email"] == email


def test_gunicorn_retried_create_with_one_idempotency_key_makes_one_project(
    gunicorn: str,
) -> None:
    base_url = gunicorn
    email = f"retry-{uuid.uuid4().hex[:8]}@example.com"
    credentials = {"email": email, "password": "correct horse"}
    with httpx.Client(base_url=base_url, timeout=10) as client:
        assert client.post("/v1/users", json={**credentials, "display_name": "R"}).is_success
        token = client.post("/v1/auth/tokens", json=credentials).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "create-garden-1"}

    answers = []
    for _ in range(4):  # each retry on a new connection, as a phone would after a timeout
        with httpx.Client(base_url=base_url, timeout=10, headers=headers) as retry:
            answers.append(retry.post("/v1/projects", json={"name": "Garden"}))

    assert [answer.status_code for answer in answers] == [201] * 4
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert [answer.headers.get("Idempotent-Replayed") for answer in answers[1:]] == ["true"] * 3
    with httpx.Client(base_url=base_url, timeout=10, headers=headers) as client:
        listed = client.get("/v1/projects")
    assert listed.headers["X-Total-Count"] == "1"
