"""Taskboard end to end: the health check and the sign-in rate limit.

`GET /healthz` answers over HTTP on both databases; a database that stops answering and the
sign-in limit (the default `10/minute`) are shown in-process, with `create_app()`, since they
need a broken database or a frozen clock.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import example_service
from example_service import create_app
from example_service.models import db
from restkit.stores.memory import MemoryStore
from tests.ratelimit_helpers import freeze_clock
from tests.taskboard_live import PASSWORD, PROBLEM, SECRET_KEY

pytest_plugins = ["tests.taskboard_live"]

EMAIL = "limited@taskboard.test"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from each test's config, whatever the environment of the run says."""
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TASKBOARD_DEMO_DATA"):
        monkeypatch.delenv(name, raising=False)


def make_app(database_url: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})


@pytest.fixture
def closing() -> Iterator[list[Flask]]:
    """Apps whose database connections are closed after the test."""
    apps: list[Flask] = []
    yield apps
    for app in apps:
        with app.app_context():
            db.engine.dispose()


# -- GET /healthz -------------------------------------------------------------------------------


def test_health_without_token_returns_200_ok(anonymous: httpx.Client) -> None:
    response = anonymous.get("/healthz")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_health_is_documented_without_security(anonymous: httpx.Client) -> None:
    spec = anonymous.get("/openapi.json").json()

    operation = spec["paths"]["/healthz"]["get"]
    assert operation["operationId"] == "getHealth"
    assert operation["security"] == []
    assert set(operation["responses"]) >= {"200", "503"}


def assert_unavailable(response: TestResponse) -> None:
    assert response.status_code == 503
    assert response.headers["Content-Type"] == PROBLEM
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["status"] == 503
    assert body["title"] == "Service Unavailable"


def test_health_when_sqlite_file_is_gone_returns_503(tmp_path: Path, closing: list[Flask]) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    app = make_app(f"sqlite:///{folder / 'taskboard.sqlite'}")
    closing.append(app)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    # The folder goes away, and with it any way to open the database again.
    shutil.rmtree(folder)
    with app.app_context():
        db.engine.dispose()

    response = client.get("/healthz")

    assert_unavailable(response)


def test_health_when_postgresql_does_not_answer_returns_503(
    closed_port: int, monkeypatch: pytest.MonkeyPatch, closing: list[Flask]
) -> None:
    # create_app makes missing tables at start-up; this server went away after that.
    monkeypatch.setattr(example_service, "create_tables", lambda: None)
    app = make_app(f"postgresql://taskboard@127.0.0.1:{closed_port}/taskboard")
    closing.append(app)

    response = app.test_client().get("/healthz")

    assert_unavailable(response)
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_health_when_database_is_back_returns_200_again(
    tmp_path: Path, closing: list[Flask]
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    app = make_app(f"sqlite:///{folder / 'taskboard.sqlite'}")
    closing.append(app)
    client = app.test_client()
    moved = tmp_path / "moved"
    folder.rename(moved)
    with app.app_context():
        db.engine.dispose()
    assert client.get("/healthz").status_code == 503

    moved.rename(folder)

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


# -- the sign-in rate limit ---------------------------------------------------------------------


@pytest.fixture
def signing_in(monkeypatch: pytest.MonkeyPatch, closing: list[Flask]) -> FlaskClient:
    """A fresh app with the default sign-in limit, on a clock frozen 15 s into a minute, and
    one user (EMAIL, PASSWORD)."""
    clock = freeze_clock(monkeypatch)
    # The counters expire on the same frozen clock, so Retry-After is exact.
    monkeypatch.setattr(example_service.api, "store", MemoryStore(clock=clock))
    app = make_app("sqlite://")
    closing.append(app)
    client = app.test_client()
    signed_up = client.post(
        "/v1/users", json={"email": EMAIL, "password": PASSWORD, "display_name": "Limited"}
    )
    assert signed_up.status_code == 201
    return client


def sign_in(
    client: FlaskClient, password: str = PASSWORD, address: str = "203.0.113.7"
) -> TestResponse:
    return client.post(
        "/v1/auth/tokens",
        json={"email": EMAIL, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sign_in_11th_within_a_minute_returns_429_with_retry_after(
    signing_in: FlaskClient,
) -> None:
    allowed = [sign_in(signing_in) for _ in range(10)]

    response = sign_in(signing_in)

    assert [answer.status_code for answer in allowed] == [201] * 10
    assert [answer.headers["RateLimit-Remaining"] for answer in allowed] == [
        str(left) for left in range(9, -1, -1)
    ]
    assert allowed[0].headers["RateLimit-Limit"] == "10"
    assert response.status_code == 429
    assert response.headers["Content-Type"] == PROBLEM
    assert response.headers["Retry-After"] == "45"
    assert response.headers["RateLimit-Remaining"] == "0"
    assert response.get_json()["status"] == 429
    assert "access_token" not in response.get_data(as_text=True)


def test_sign_in_failed_attempts_count_toward_the_limit(signing_in: FlaskClient) -> None:
    failed = [sign_in(signing_in, password="a wrong guess") for _ in range(10)]

    response = sign_in(signing_in)

    assert [answer.status_code for answer in failed] == [401] * 10
    assert response.status_code == 429


def test_sign_in_limit_is_per_client_address(signing_in: FlaskClient) -> None:
    for _ in range(11):
        sign_in(signing_in, address="198.51.100.1")

    response = sign_in(signing_in, address="198.51.100.2")

    assert sign_in(signing_in, address="198.51.100.1").status_code == 429
    assert response.status_code == 201
    assert response.headers["RateLimit-Remaining"] == "9"
