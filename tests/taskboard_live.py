"""Taskboard over real HTTP on SQLite and PostgreSQL, for the end-to-end tests.

One `python -m example_service` per database runs for the whole session (started on first
use, stopped by PID at the end); the `taskboard` fixture hands tests the server of each
parameter, `sqlite` and `postgresql`. Tests stay independent on a shared server because each
works in rows of its own: a fresh user (`new_user`), or a fresh project of one of the two
users shared by the session (`alice`, `bob`), whose sign-ups are made once per server since
hashing a password is the slowest thing the service does.

Test modules load the fixtures with `pytest_plugins = ["tests.taskboard_live"]`, so that the
session-scoped servers are one set for all of them, and import the helpers by name; as they
import it before pytest can register it, its asserts are left as written: PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import jwt
import pytest
import sqlalchemy as sa

from tests.live import example_service

T = TypeVar("T")
SECRET_KEY = "taskboard-e2e-secret-0123456789abcdef-0123"
"""The key the servers sign tokens with, so a test can forge an expired one."""
PASSWORD = "correct horse battery"
MERGE_PATCH = "application/merge-patch+json"
PROBLEM = "application/problem+json"
TIMEOUT = 10.0
"""Seconds any one HTTP exchange may take."""
SETTINGS = {
    "SECRET_KEY": SECRET_KEY,
    # Every test signs in from 127.0.0.1; the sign-in limit has a test of its own.
    "TASKBOARD_TOKEN_RATE_LIMIT": "1000/minute",
    # Process memory, whatever the environment of the test run says.
    "REDIS_URL": "",
    "TASKBOARD_PROXY_COUNT": "0",
}


@dataclass
class Account:
    """A signed-up user: what they signed up with and the token they got."""

    id: int
    email: str
    password: str
    token: str


@dataclass
class Taskboard:
    """One running server, and the accounts and rows the session shares on it."""

    base_url: str
    database: str
    _accounts: dict[str, Account] = field(default_factory=dict)
    _clients: dict[str | None, httpx.Client] = field(default_factory=dict)
    _shared: dict[str, Any] = field(default_factory=dict)

    def client(self, token: str | None = None) -> httpx.Client:
        """Return an HTTP client for the server, sending `token` as a bearer token if given.

        Clients are made once per token and closed at the end of the session.
        """
        if token not in self._clients:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            self._clients[token] = httpx.Client(
                base_url=self.base_url, headers=headers, timeout=TIMEOUT
            )
        return self._clients[token]

    def sign_up(self, display_name: str = "Tester") -> Account:
        """Sign up a user with a unique email, sign them in and return their account."""
        email = f"user-{uuid.uuid4().hex}@taskboard.test"
        anonymous = self.client()
        created = anonymous.post(
            "/v1/users", json={"email": email, "password": PASSWORD, "display_name": display_name}
        )
        assert created.status_code == 201, created.text
        issued = anonymous.post("/v1/auth/tokens", json={"email": email, "password": PASSWORD})
        assert issued.status_code == 201, issued.text
        return Account(created.json()["id"], email, PASSWORD, issued.json()["access_token"])

    def shared_account(self, name: str) -> Account:
        """Return the session's account called `name` on this server, signed up on first use."""
        if name not in self._accounts:
            self._accounts[name] = self.sign_up(name.title())
        return self._accounts[name]

    def shared(self, name: str, make: Callable[[], T]) -> T:
        """Return the session's value called `name` on this server, made by `make` on first use.

        For rows that tests only read, such as a project whose tasks every filter test lists.
        """
        if name not in self._shared:
            self._shared[name] = make()
        value: T = self._shared[name]
        return value

    def close(self) -> None:
        """Close every client made by `client`."""
        for client in self._clients.values():
            client.close()


class Servers:
    """The session's servers, started on first use and stopped at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.running: dict[str, Taskboard] = {}
        self.stack = contextlib.ExitStack()

    def get(self, database: str, postgresql_url: str | None = None) -> Taskboard:
        """Return the server on `database`, starting it if needed."""
        if database not in self.running:
            workdir = self.directory / database
            workdir.mkdir()
            settings = dict(SETTINGS)
            if postgresql_url is not None:
                settings["DATABASE_URL"] = self.stack.enter_context(own_schema(postgresql_url))
            base_url = self.stack.enter_context(example_service(workdir, **settings))
            board = Taskboard(base_url, database)
            self.stack.callback(board.close)
            self.running[database] = board
        return self.running[database]


@contextlib.contextmanager
def own_schema(server_url: str) -> Iterator[str]:
    """Create a schema `tb_<hex>` on the server; yield a URL whose connections use it.

    The schema and everything in it is dropped at the end.
    """
    schema = f"tb_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(sa.make_url(server_url).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def taskboard_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The session's Taskboard servers, by database."""
    servers = Servers(tmp_path_factory.mktemp("taskboard"))
    with servers.stack:
        yield servers


@pytest.fixture(params=["sqlite", "postgresql"])
def taskboard(request: pytest.FixtureRequest, taskboard_servers: Servers) -> Taskboard:
    """Taskboard served over HTTP on each database.

    PostgreSQL comes from the `postgresql_url` fixture: skipped without `DATABASE_TEST_URL`,
    a failure under `CI=true`.
    """
    if request.param == "postgresql":
        return taskboard_servers.get("postgresql", request.getfixturevalue("postgresql_url"))
    return taskboard_servers.get("sqlite")


@pytest.fixture
def anonymous(taskboard: Taskboard) -> httpx.Client:
    """A client without credentials."""
    return taskboard.client()


@pytest.fixture
def new_user(taskboard: Taskboard) -> httpx.Client:
    """A client signed in as a user of their own, who has no project yet."""
    return taskboard.client(taskboard.sign_up().token)


@pytest.fixture
def alice(taskboard: Taskboard) -> httpx.Client:
    """A client signed in as Alice, whom every test on this server shares."""
    return taskboard.client(taskboard.shared_account("alice").token)


@pytest.fixture
def bob(taskboard: Taskboard) -> httpx.Client:
    """A client signed in as Bob, another user every test on this server shares."""
    return taskboard.client(taskboard.shared_account("bob").token)


def expired_token(user_id: int) -> str:
    """Return a token for `user_id` signed with the servers' key, expired an hour ago."""
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": str(user_id),
        "iss": "taskboard",
        "iat": now - dt.timedelta(hours=2),
        "exp": now - dt.timedelta(hours=1),
    }
    return jwt.encode(claims, SECRET_KEY, algorithm="HS256")


def created(response: httpx.Response) -> dict[str, Any]:
    """Return the body of a 201, failing with the response's text otherwise."""
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def make_project(client: httpx.Client, name: str = "Chores", **fields: Any) -> dict[str, Any]:
    """Create a project for the client's user and return it."""
    return created(client.post("/v1/projects", json={"name": name, **fields}))


def make_task(client: httpx.Client, project_id: int, title: str = "Do it", **fields: Any) -> dict:
    """Create a task in the project and return it."""
    return created(client.post(f"/v1/projects/{project_id}/tasks", json={"title": title, **fields}))


def etag_of(client: httpx.Client, path: str) -> str:
    """Return the current ETag of the resource at `path`."""
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


def merge_patch(client: httpx.Client, path: str, patch: dict[str, Any]) -> httpx.Response:
    """PATCH `path` with a merge patch, sending its current ETag in If-Match."""
    return client.patch(
        path,
        content=json.dumps(patch).encode(),
        headers={"Content-Type": MERGE_PATCH, "If-Match": etag_of(client, path)},
    )


def send(
    client: httpx.Client, method: str, path: str, request: dict[str, Any], **headers: str
) -> httpx.Response:
    """Send `method` to `path` with the options in `request` (`json`, `content`, `headers`),
    adding `headers`; for tables of writes such as `("PATCH", {"content": ..., "headers": ...})`.
    """
    options = {key: value for key, value in request.items() if key != "headers"}
    return client.request(
        method, path, headers={**request.get("headers", {}), **headers}, **options
    )


def links(response: httpx.Response) -> dict[str, str]:
    """Return the response's Link header as {rel: URL}."""
    return {link["rel"]: link["url"] for link in response.links.values()}


def walk(client: httpx.Client, url: str) -> list[list[dict[str, Any]]]:
    """Follow `Link: rel="next"` from `url`; return the items of each page, at most 50 pages."""
    pages: list[list[dict[str, Any]]] = []
    next_url: str | None = url
    while next_url is not None and len(pages) < 50:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        next_url = links(response).get("next")
    return pages


@contextlib.contextmanager
def production_environment(
    postgresql_url: str, redis_url: str, redis_db: int, **settings: str
) -> Iterator[dict[str, str]]:
    """Yield the environment of a Taskboard as deployed: PostgreSQL and Redis of its own.

    The database is a schema of its own (`own_schema`), dropped at the end; Redis is
    database `redis_db` of `redis_url`'s server, emptied before and after (each test module
    that uses this takes a number no other uses). `settings` are more variables.
    """
    import redis  # only the tests of deployed servers need it

    shared = f"{redis_url.rsplit('/', 1)[0]}/{redis_db}"
    store = redis.Redis.from_url(shared)
    store.flushdb()
    try:
        with own_schema(postgresql_url) as database_url:
            yield {"DATABASE_URL": database_url, "REDIS_URL": shared, **settings}
    finally:
        store.flushdb()
        store.close()
