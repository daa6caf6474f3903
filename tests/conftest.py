from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import restkit.api
from restkit import Api, Blueprint, Resource
from restkit.spec.builder import build_spec
from tests.spec_helpers import validate_once


@pytest.fixture
def make_client() -> Callable[..., FlaskClient]:
    """Build an app with one API serving the given resources, and return its test client.

    `make_client({"/tasks": Tasks, "/tasks/<int:task_id>": TaskItem}, url_prefix="/v1")`
    mounts each resource at its rule in a blueprint named "test"; the keyword arguments go to
    `Api` (so settings such as `max_body_size=...` work), and `config=` updates `app.config`.
    """

    def make(
        routes: dict[str, type[Resource]],
        *,
        config: dict[str, Any] | None = None,
        **api_kwargs: Any,
    ) -> FlaskClient:
        blueprint = Blueprint("test")
        for rule, resource in routes.items():
            blueprint.add_resource(resource, rule)
        app = Flask(__name__)
        app.config.update(config or {})
        api = Api(**api_kwargs)
        api.register_blueprint(blueprint)
        api.init_app(app)
        return app.test_client()

    return make


@pytest.fixture(autouse=True)
def _validate_every_built_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validate every OpenAPI document any test builds (at init_app or by make_spec)."""

    def build_and_validate(**kwargs: Any) -> dict[str, Any]:
        spec = build_spec(**kwargs)
        validate_once(spec)
        return spec

    monkeypatch.setattr(restkit.api, "build_spec", build_and_validate)


def _service_url(variable: str) -> str:
    """A test service's URL from the environment: skip without it, but fail under `CI=true`."""
    url = os.environ.get(variable)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{variable} is not set; under CI every service-backed test must run.")
        pytest.skip(f"{variable} is not set")
    return url


@pytest.fixture
def redis_url() -> str:
    """A Redis server for tests, from `REDIS_TEST_URL` (e.g. redis://127.0.0.1:6379/0)."""
    return _service_url("REDIS_TEST_URL")


@pytest.fixture
def postgresql_url() -> str:
    """A PostgreSQL database for tests, from `DATABASE_TEST_URL`.

    For example postgresql://postgres@127.0.0.1:5432/test.
    """
    return _service_url("DATABASE_TEST_URL")


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nobody listens on: bound to find a free one, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def redis_store_url(redis_url: str) -> Iterator[tuple[str, str]]:
    prefix = f"restkit-test:{uuid.uuid4().hex}:"
    yield redis_url, prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def sqlite_store_url(tmp_path: Path) -> tuple[str, str]:
    return f"sqlite:///{tmp_path / 'store.db'}", "restkit_store"


@pytest.fixture
def postgresql_store_url(postgresql_url: str) -> Iterator[tuple[str, str]]:
    table_name = f"restkit_test_{uuid.uuid4().hex}"
    yield postgresql_url, table_name
    engine = sa.create_engine(sa.make_url(postgresql_url).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table_name}"'))
    engine.dispose()


@pytest.fixture(params=["redis", "sql-sqlite", "sql-postgresql"])
def shared_store(request: pytest.FixtureRequest) -> tuple[str, str]:
    """A shared store for tests across processes: its URL, and its Redis key prefix or SQL
    table name (unique per test, removed after it)."""
    fixture = {
        "redis": "redis_store_url",
        "sql-sqlite": "sqlite_store_url",
        "sql-postgresql": "postgresql_store_url",
    }[request.param]
    url_and_name: tuple[str, str] = request.getfixturevalue(fixture)
    return url_and_name


@pytest.fixture(params=["sqlite", "postgresql"])
def sqla_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A database for the restkit.sqla tests: its SQLAlchemy URL and engine options.

    SQLite is a file of the test's own; PostgreSQL is a schema of the test's own on the
    `DATABASE_TEST_URL` server, dropped after the test.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sqla.db'}", {}
        return
    server = request.getfixturevalue("postgresql_url")
    url = sa.make_url(server).set(drivername="postgresql+psycopg")
    schema = f"sqla_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield (
        url.render_as_string(hide_password=False),
        {"connect_args": {"options": f"-csearch_path={schema}"}, "pool_pre_ping": True},
    )
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def sqla_app(sqla_database: tuple[str, dict[str, Any]]) -> Iterator[Flask]:
    """The app of tests/sqla_app.py on each test database; its engine is closed after."""
    from tests.sqla_app import db, make_app

    app = make_app(*sqla_database)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
