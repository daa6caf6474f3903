"""Taskboard's configuration: what `create_app()` reads from the environment, and how
`python -m example_service` starts.

The HTTP contract itself is tested end to end in tests/test_taskboard_*.py.
"""

from __future__ import annotations

import hashlib
import secrets
import stat
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import TestResponse

import example_service
from example_service import create_app, database_url, instance_secret
from example_service.demo import DEMO_EMAIL, DEMO_PASSWORD
from example_service.models import db
from restkit.stores.memory import MemoryStore
from tests.live import example_service as serving
from tests.ratelimit_helpers import Clock, freeze_clock
from tests.taskboard_live import own_schema

KEY = "taskboard-config-test-secret-0123456789"
TABLES = {"user", "project", "task", "tag", "attachment"}
SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "TASKBOARD_DEMO_DATA",
    "TASKBOARD_PROXY_COUNT",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the variables it is about; none leak in from the test run."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def apps() -> Iterator[list[Flask]]:
    """Apps a test makes; their database connections are closed after it."""
    made: list[Flask] = []
    yield made
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'taskboard.sqlite'}"


def table_names(app: Flask) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def sign_up(client: FlaskClient, email: str = "ada@taskboard.test") -> TestResponse:
    return client.post(
        "/v1/users", json={"email": email, "password": "analytical", "display_name": "Ada"}
    )


def sign_in(client: FlaskClient, email: str, password: str) -> TestResponse:
    return client.post("/v1/auth/tokens", json={"email": email, "password": password})


def bearer(response: TestResponse) -> dict[str, str]:
    assert response.status_code == 201, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


# -- DATABASE_URL -------------------------------------------------------------------------------


def test_create_app_reads_database_url_and_creates_tables(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, tmp_path: Path, apps: list[Flask]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SECRET_KEY", KEY)

    app = create_app()
    apps.append(app)

    assert app.config["SQLALCHEMY_DATABASE_URI"] == sqlite_url
    assert (tmp_path / "taskboard.sqlite").is_file()
    assert table_names(app) >= TABLES


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u:p@db/taskboard", "postgresql+psycopg://u:p@db/taskboard"),
        ("postgres://u@db:5433/taskboard", "postgresql+psycopg://u@db:5433/taskboard"),
        ("postgresql+psycopg://u@db/taskboard", "postgresql+psycopg://u@db/taskboard"),
        ("sqlite:////var/lib/taskboard.sqlite", "sqlite:////var/lib/taskboard.sqlite"),
    ],
)
def test_database_url_plain_postgresql_uses_psycopg_3(given: str, used: str) -> None:
    assert database_url(given) == used


def test_create_app_config_wins_over_environment(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, apps: list[Flask]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": KEY})
    apps.append(app)

    assert app.config["SQLALCHEMY_DATABASE_URI"] == sqlite_url


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    with own_schema(request.getfixturevalue("postgresql_url")) as url:
        yield url


def test_create_app_on_fresh_database_serves_the_whole_flow(
    monkeypatch: pytest.MonkeyPatch, fresh_database: str, apps: list[Flask]
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_database)
    monkeypatch.setenv("SECRET_KEY", KEY)
    app = create_app()
    apps.append(app)
    client = app.test_client()

    assert sign_up(client).status_code == 201
    headers = bearer(sign_in(client, "ada@taskboard.test", "analytical"))
    project = client.post("/v1/projects", json={"name": "First"}, headers=headers)
    task = client.post(
        f"/v1/projects/{project.get_json()['id']}/tasks", json={"title": "Go"}, headers=headers
    )

    assert table_names(app) >= TABLES
    assert project.status_code == task.status_code == 201
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_create_app_again_on_same_database_keeps_its_rows(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, apps: list[Flask]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SECRET_KEY", KEY)
    first = create_app()
    apps.append(first)
    assert sign_up(first.test_client()).status_code == 201

    second = create_app()
    apps.append(second)

    response = sign_up(second.test_client())
    assert response.status_code == 409


# -- REDIS_URL ----------------------------------------------------------------------------------


def test_create_app_without_redis_url_keeps_state_in_memory(
    sqlite_url: str, apps: list[Flask]
) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": KEY})
    apps.append(app)

    assert app.config["RESTKIT_STORE_URL"] == "memory://"


@pytest.fixture
def client_address(redis_url: str) -> Iterator[str]:
    """An address of this test's own, whose rate-limit counters are removed from Redis after."""
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    yield address
    connection = redis.Redis.from_url(redis_url)
    for key in connection.scan_iter(match=f"restkit:rl:*:{who(address)}"):
        connection.delete(key)
    connection.close()


def who(address: str) -> str:
    """The client part of the rate-limit keys of requests from `address`."""
    return hashlib.sha256(f"address:{address}".encode()).hexdigest()[:32]


def attempt(client: FlaskClient, address: str, **headers: str) -> TestResponse:
    # Every request to the token endpoint counts, even one the body check turns away: these
    # tests send no credentials, so no time goes into hashing passwords.
    return client.post(
        "/v1/auth/tokens", json={}, headers=headers, environ_base={"REMOTE_ADDR": address}
    )


def test_create_app_with_redis_url_counts_sign_ins_in_redis(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, client_address: str, apps: list[Flask]
) -> None:
    freeze_clock(monkeypatch)
    monkeypatch.setenv("REDIS_URL", redis_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": KEY})
    apps.append(app)

    for _ in range(3):
        attempt(app.test_client(), client_address)

    assert app.config["RESTKIT_STORE_URL"] == redis_url
    connection = redis.Redis.from_url(redis_url)
    keys = list(connection.scan_iter(match=f"restkit:rl:*:{who(client_address)}"))
    assert len(keys) == 1
    assert connection.get(keys[0]) == b"3"
    connection.close()


def test_two_apps_sharing_redis_url_share_the_sign_in_limit(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, client_address: str, apps: list[Flask]
) -> None:
    freeze_clock(monkeypatch)
    monkeypatch.setenv("REDIS_URL", redis_url)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": KEY})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": KEY})
    apps.extend([first, second])

    answers = [attempt(app.test_client(), client_address) for app in [first, second] * 5]
    response = attempt(second.test_client(), client_address)

    assert [answer.status_code for answer in answers] == [422] * 10
    assert answers[-1].headers["RateLimit-Remaining"] == "0"
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_two_apps_without_redis_url_count_each_their_own(
    monkeypatch: pytest.MonkeyPatch, apps: list[Flask]
) -> None:
    freeze_clock(monkeypatch)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": KEY})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": KEY})
    apps.extend([first, second])
    for _ in range(10):
        attempt(first.test_client(), "192.0.2.1")

    response = attempt(second.test_client(), "192.0.2.1")

    assert attempt(first.test_client(), "192.0.2.1").status_code == 429
    assert response.status_code == 422
    assert response.headers["RateLimit-Remaining"] == "9"


# -- TASKBOARD_PROXY_COUNT ----------------------------------------------------------------------


def test_proxy_count_limits_by_forwarded_address(
    monkeypatch: pytest.MonkeyPatch, apps: list[Flask]
) -> None:
    clock: Clock = freeze_clock(monkeypatch)
    monkeypatch.setattr(example_service.api, "store", MemoryStore(clock=clock))
    monkeypatch.setenv("TASKBOARD_PROXY_COUNT", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": KEY})
    apps.append(app)
    client = app.test_client()
    balancer = "10.0.0.2"  # every request reaches the app from the load balancer
    for _ in range(11):
        attempt(client, balancer, **{"X-Forwarded-For": "198.51.100.1"})

    response = attempt(client, balancer, **{"X-Forwarded-For": "198.51.100.2"})

    assert isinstance(app.wsgi_app, ProxyFix)
    assert response.status_code == 422
    assert attempt(client, balancer, **{"X-Forwarded-For": "198.51.100.1"}).status_code == 429


# -- SECRET_KEY ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["environment", "config"])
def test_create_app_with_short_secret_key_raises(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, source: str
) -> None:
    config = {"SQLALCHEMY_DATABASE_URI": sqlite_url}
    if source == "environment":
        monkeypatch.setenv("SECRET_KEY", "x" * 31)
    else:
        config["SECRET_KEY"] = "x" * 31

    with pytest.raises(RuntimeError, match="SECRET_KEY is too short"):
        create_app(config)


def test_create_app_with_shared_secret_key_accepts_each_others_tokens(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, apps: list[Flask]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SECRET_KEY", KEY)
    issuer = create_app()
    same_key = create_app()
    other_key = create_app({"SECRET_KEY": KEY[::-1]})
    apps.extend([issuer, same_key, other_key])
    assert sign_up(issuer.test_client()).status_code == 201

    headers = bearer(sign_in(issuer.test_client(), "ada@taskboard.test", "analytical"))

    assert same_key.test_client().get("/v1/me", headers=headers).status_code == 200
    assert other_key.test_client().get("/v1/me", headers=headers).status_code == 401


def test_create_app_without_secret_key_reuses_the_instance_file(
    sqlite_url: str, apps: list[Flask]
) -> None:
    first = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url})
    second = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url})
    apps.extend([first, second])

    stored = (Path(first.instance_path) / "secret_key").read_text(encoding="utf-8").strip()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == stored
    assert len(stored.encode()) >= 32


def test_instance_secret_is_made_once_readable_by_owner_only(tmp_path: Path) -> None:
    made = instance_secret(tmp_path)

    again = instance_secret(tmp_path)

    assert again == made
    assert len(made.encode()) >= 32
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


# -- TASKBOARD_DEMO_DATA ------------------------------------------------------------------------


def test_demo_data_seeds_demo_user_whose_credentials_work(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, apps: list[Flask]
) -> None:
    monkeypatch.setenv("TASKBOARD_DEMO_DATA", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": KEY})
    apps.append(app)
    client = app.test_client()

    headers = bearer(sign_in(client, DEMO_EMAIL, DEMO_PASSWORD))

    projects = client.get("/v1/projects", headers=headers)
    assert projects.status_code == 200
    assert [project["name"] for project in projects.get_json()] == ["Groceries", "Work"]
    groceries = projects.get_json()[0]["id"]
    tasks = client.get(f"/v1/projects/{groceries}/tasks", headers=headers).get_json()
    assert [task["title"] for task in tasks] == ["Milk", "Bread", "Tomatoes"]


def test_demo_data_is_added_only_to_an_empty_database(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, apps: list[Flask]
) -> None:
    monkeypatch.setenv("TASKBOARD_DEMO_DATA", "1")
    config = {"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": KEY}
    apps.append(create_app(config))
    app = create_app(config)
    apps.append(app)
    client = app.test_client()

    headers = bearer(sign_in(client, DEMO_EMAIL, DEMO_PASSWORD))

    assert client.get("/v1/projects", headers=headers).headers["X-Total-Count"] == "2"


def test_create_app_without_demo_data_has_no_user(sqlite_url: str, apps: list[Flask]) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": KEY})
    apps.append(app)

    response = sign_in(app.test_client(), DEMO_EMAIL, DEMO_PASSWORD)

    assert response.status_code == 401


# -- python -m example_service ------------------------------------------------------------------


def test_module_entry_point_prints_demo_account_and_serves_docs(tmp_path: Path) -> None:
    with serving(tmp_path) as base_url:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=10) as response:
            health = (response.status, response.read())
        with urllib.request.urlopen(f"{base_url}/docs", timeout=10) as response:
            docs = (response.status, response.headers["Content-Type"], response.read())
        request = urllib.request.Request(
            f"{base_url}/v1/auth/tokens",
            data=f'{{"email": "{DEMO_EMAIL}", "password": "{DEMO_PASSWORD}"}}'.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            token = (response.status, response.read())
    output = (tmp_path / "server.log").read_text(encoding="utf-8")

    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in output
    assert f"{base_url}/v1" in output
    assert health == (200, b'{"status":"ok"}')
    assert docs[0] == 200
    assert docs[1].startswith("text/html")
    assert b"swagger" in docs[2].lower()
    assert token[0] == 201
    assert b"access_token" in token[1]
    assert (tmp_path / "taskboard.sqlite").is_file()
