"""restkit.sqla on PostgreSQL: concurrent writers, races, an unreachable database, constraints.

Every test runs on the `postgresql` parameter of `sqla_database` only (a schema of its own on
the `DATABASE_TEST_URL` server): these are the behaviours SQLite cannot show, because it has
one writer at a time and no server to lose. Concurrent clients talk to a real HTTP server on
127.0.0.1; the database is reached through a TCP proxy that a test can stop and start again.
Every wait is bounded: socket, HTTP and barrier timeouts, and thread joins with a deadline.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from restkit import Api, Blueprint
from restkit.sqla import ModelCollection, ModelItem
from tests.sqla_app import Project, Task, TaskSchema, db, make_app

pytestmark = pytest.mark.parametrize("sqla_database", ["postgresql"], indirect=True)

T = TypeVar("T")
TIMEOUT = 10.0
"""Seconds any one network call or barrier may take."""
MERGE_PATCH = "application/merge-patch+json"
PROBLEM = "application/problem+json"
WRITERS = 8
INCREMENTS = 5


# -- helpers -----------------------------------------------------------------------------------


def run_threads(work: Callable[[int], T], count: int, seconds: float = 60) -> list[T]:
    """Run `work(0)` … `work(count - 1)` in threads; return their results, or raise the first
    error. Fails the test if a thread is still running after `seconds`."""
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            results[index] = work(index)
        except BaseException as error:  # handed to the main thread
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        pytest.fail(f"worker threads still running after {seconds} s")
    if errors:
        raise errors[0]
    return [results[index] for index in range(count)]


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve `app` over HTTP on 127.0.0.1 (one thread per connection); yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


@contextlib.contextmanager
def running(app: Flask) -> Iterator[Flask]:
    """Yield `app`, then close its session and engine (it was built by `db.init_app`)."""
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def make_api_app(url: str, options: Mapping[str, Any], blueprint: Blueprint) -> Flask:
    """An app on `db` (the models of tests/sqla_app.py) serving one blueprint under /v1."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(options)
    db.init_app(app)
    api = Api(name="v1", url_prefix="/v1", title="PostgreSQL", version="1.0.0")
    api.register_blueprint(blueprint)
    api.init_app(app)
    with app.app_context():
        db.create_all()
    return app


def send(client: FlaskClient, method: str, path: str, body: Any = None) -> Any:
    """Send a request with a JSON body (a merge patch for PATCH) through the test client."""
    if body is None:
        return client.open(path, method=method)
    kind = MERGE_PATCH if method == "PATCH" else "application/json"
    return client.open(path, method=method, data=json.dumps(body), content_type=kind)


def seed_task(client: httpx.Client) -> str:
    """Create a project and a task of rank 0 (version 1) over HTTP; return the task's path."""
    project = client.post("/v1/projects", json={"name": "Race"})
    assert project.status_code == 201, project.text
    path = f"/v1/projects/{project.json()['id']}/tasks"
    task = client.post(path, json={"title": "Count", "rank": 0})
    assert task.status_code == 201, task.text
    assert task.json()["version"] == 1
    return f"{path}/{task.json()['id']}"


def patch_together(base_url: str, path: str, etag: str, ranks: list[int]) -> list[httpx.Response]:
    """PATCH `path` from one thread per rank at once (a barrier), all with `If-Match: etag`."""
    barrier = threading.Barrier(len(ranks))

    def write(index: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as own:
            barrier.wait(TIMEOUT)
            return own.patch(
                path,
                content=json.dumps({"rank": ranks[index]}),
                headers={"If-Match": etag, "Content-Type": MERGE_PATCH},
            )

    return run_threads(write, len(ranks))


class TcpProxy:
    """A TCP proxy from 127.0.0.1:`port` to `target`.

    `stop()` closes the listener and every open connection, as a database that goes away;
    `start()` listens again on the same port.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._stopping = threading.Event()
        self._spawn(self._accept, listener, self._stopping)

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(TIMEOUT)
        assert not any(thread.is_alive() for thread in threads), "the proxy did not stop"

    def _spawn(self, function: Callable[..., None], *arguments: Any) -> None:
        thread = threading.Thread(target=function, args=arguments, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket, stopping: threading.Event) -> None:
        with listener:
            while not stopping.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                try:
                    upstream = socket.create_connection(self.target, timeout=TIMEOUT)
                except OSError:
                    client.close()
                    continue
                self._spawn(self._pipe, client, upstream, stopping)

    @staticmethod
    def _pipe(client: socket.socket, upstream: socket.socket, stopping: threading.Event) -> None:
        peers = {client: upstream, upstream: client}
        with client, upstream, selectors.DefaultSelector() as selector:
            for end in peers:
                end.settimeout(TIMEOUT)
                selector.register(end, selectors.EVENT_READ)
            while not stopping.is_set():
                for key, _ in selector.select(timeout=0.05):
                    try:
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            return
                        peers[key.fileobj].sendall(data)  # type: ignore[index]
                    except OSError:
                        return


@pytest.fixture
def proxy(sqla_database: tuple[str, dict[str, Any]]) -> Iterator[TcpProxy]:
    """A started proxy to the test database's server; stopped after the test."""
    url = sa.make_url(sqla_database[0])
    tcp_proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    tcp_proxy.start()
    yield tcp_proxy
    tcp_proxy.stop()


@pytest.fixture
def pg_engine(sqla_database: tuple[str, dict[str, Any]]) -> Iterator[sa.Engine]:
    """An engine straight to the test's schema, to see what the app committed."""
    engine = sa.create_engine(sqla_database[0], **sqla_database[1])
    yield engine
    engine.dispose()


def proxied(
    sqla_database: tuple[str, dict[str, Any]], proxy: TcpProxy, *, pre_ping: bool
) -> tuple[str, dict[str, Any]]:
    """The test database's URL and engine options, through the proxy."""
    url, options = sqla_database
    through = sa.make_url(url).set(port=proxy.port).render_as_string(hide_password=False)
    connect_args = {**options["connect_args"], "connect_timeout": int(TIMEOUT)}
    return through, {"connect_args": connect_args, "pool_pre_ping": pre_ping}


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == PROBLEM
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["status"] == 503


# -- 1. no lost update with concurrent If-Match writers ----------------------------------------


def test_sqla_concurrent_if_match_writers_lose_no_update(sqla_app: Flask) -> None:
    with serve(sqla_app) as base_url:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            path = seed_task(client)

        def increment(_: int) -> list[tuple[int, str]]:
            successes = []
            with httpx.Client(base_url=base_url, timeout=TIMEOUT) as own:
                for _ in range(INCREMENTS):
                    # Each 412 means another writer succeeded in between, so a writer loses
                    # at most WRITERS * INCREMENTS times in all.
                    for _attempt in range(WRITERS * INCREMENTS):
                        read = own.get(path)
                        assert read.status_code == 200, read.text
                        written = own.patch(
                            path,
                            content=json.dumps({"rank": read.json()["rank"] + 1}),
                            headers={"If-Match": read.headers["ETag"], "Content-Type": MERGE_PATCH},
                        )
                        if written.status_code == 412:
                            assert written.headers["Content-Type"] == PROBLEM
                            continue
                        assert written.status_code == 200, written.text
                        successes.append((written.json()["version"], written.headers["ETag"]))
                        break
                    else:
                        pytest.fail("a writer lost more races than there were writes")
            return successes

        outcomes = run_threads(increment, WRITERS)
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            final = client.get(path)

    successes = [success for outcome in outcomes for success in outcome]
    versions = sorted(version for version, _ in successes)
    assert final.status_code == 200
    assert final.headers["ETag"] == f'"{1 + len(successes)}"'
    assert len(successes) == WRITERS * INCREMENTS
    assert versions == list(range(2, 2 + WRITERS * INCREMENTS))
    assert all(etag == f'"{version}"' for version, etag in successes)
    assert final.json()["rank"] == WRITERS * INCREMENTS
    assert final.json()["version"] == 1 + len(successes)


def test_sqla_writers_with_same_etag_one_wins_per_version(sqla_app: Flask) -> None:
    rounds = 3
    with serve(sqla_app) as base_url, httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
        path = seed_task(client)
        for version in range(1, 1 + rounds):
            etag = client.get(path).headers["ETag"]
            ranks = [100 * version + index for index in range(WRITERS)]
            responses = patch_together(base_url, path, etag, ranks)
            stored = client.get(path).json()

            assert etag == f'"{version}"'
            statuses = sorted(response.status_code for response in responses)
            assert statuses == [200] + [412] * (WRITERS - 1)
            winner = next(r for r in responses if r.status_code == 200)
            losers = [r for r in responses if r.status_code == 412]
            assert winner.headers["ETag"] == f'"{version + 1}"'
            assert all(r.headers["Content-Type"] == PROBLEM for r in losers)
            assert winner.json()["version"] == version + 1
            assert (stored["rank"], stored["version"]) == (winner.json()["rank"], version + 1)


# -- 2. the race window: both writers pass If-Match before either writes -----------------------


def test_sqla_writers_past_if_match_together_one_gets_412(
    sqla_database: tuple[str, dict[str, Any]], pg_engine: sa.Engine
) -> None:
    barrier = threading.Barrier(2)
    blueprint = Blueprint("racing", url_prefix="")

    @blueprint.route("/tasks/<int:task_id>")
    class RacingTaskItem(ModelItem):
        """A task whose writers wait for each other after their If-Match check."""

        model = Task
        schema = TaskSchema
        require_if_match = True

        def update_object(self, obj: Any, data: Mapping[str, Any]) -> Any:
            barrier.wait(TIMEOUT)  # both requests have read version 1 and passed If-Match
            return super().update_object(obj, data)

    with running(make_api_app(*sqla_database, blueprint)) as app:
        with app.app_context():
            project = Project(name="Race")
            task = Task(project=project, title="Both", rank=0)
            db.session.add(task)
            db.session.commit()
            task_id = task.id
            db.session.remove()
        with serve(app) as base_url:
            responses = patch_together(base_url, f"/v1/tasks/{task_id}", '"1"', [1, 2])

    assert sorted(response.status_code for response in responses) == [200, 412]
    winner, loser = sorted(responses, key=lambda response: response.status_code)
    assert winner.headers["ETag"] == '"2"'
    assert loser.headers["Content-Type"] == PROBLEM
    assert loser.json()["status"] == 412
    assert "changed by another request while this one ran" in loser.json()["detail"]
    with pg_engine.connect() as connection:
        stored = connection.execute(sa.select(Task.rank, Task.version)).one()
    assert tuple(stored) == (winner.json()["rank"], 2)


# -- 3. the database unreachable, then back ----------------------------------------------------

REQUESTS_WHILE_DOWN = [
    ("GET", "/v1/projects", None),
    ("GET", "/v1/projects/{id}", None),
    ("POST", "/v1/projects", {"name": "Written while down"}),
    ("PUT", "/v1/projects/{id}", {"name": "Replaced while down"}),
    ("PATCH", "/v1/projects/{id}", {"color": "#ff0000"}),
    ("DELETE", "/v1/projects/{id}", None),
]


@pytest.mark.parametrize(("pre_ping", "failures_after_return"), [(True, 0), (False, 1)])
@pytest.mark.parametrize(("method", "path", "body"), REQUESTS_WHILE_DOWN)
def test_sqla_database_down_returns_503_then_recovers(
    sqla_database: tuple[str, dict[str, Any]],
    proxy: TcpProxy,
    method: str,
    path: str,
    body: Any,
    pre_ping: bool,
    failures_after_return: int,
) -> None:
    with running(make_app(*proxied(sqla_database, proxy, pre_ping=pre_ping))) as app:
        client = app.test_client()
        created = send(client, "POST", "/v1/projects", {"name": "Up"})
        assert created.status_code == 201
        project_id = created.get_json()["id"]
        assert send(client, "GET", f"/v1/projects/{project_id}").status_code == 200

        proxy.stop()
        down = [send(client, method, path.format(id=project_id), body) for _ in range(2)]
        proxy.start()
        after = [send(client, "GET", "/v1/projects") for _ in range(1 + failures_after_return)]
        listed = send(client, "GET", "/v1/projects")

    for response in down:
        assert_unavailable(response)
    statuses = [response.status_code for response in after]
    assert 200 in statuses
    assert statuses.index(200) <= failures_after_return
    for response in after[: statuses.index(200)]:
        assert_unavailable(response)
    assert listed.status_code == 200
    assert [(p["name"], p["color"]) for p in listed.get_json()] == [("Up", None)]


@pytest.mark.parametrize(("pre_ping", "failures_after_return"), [(True, 0), (False, 1)])
def test_sqla_database_restarted_between_requests_reconnects(
    sqla_database: tuple[str, dict[str, Any]],
    proxy: TcpProxy,
    pre_ping: bool,
    failures_after_return: int,
) -> None:
    with running(make_app(*proxied(sqla_database, proxy, pre_ping=pre_ping))) as app:
        client = app.test_client()
        assert send(client, "GET", "/v1/projects").status_code == 200
        proxy.stop()  # the pooled connection dies with no request to notice
        proxy.start()
        after = [send(client, "GET", "/v1/projects") for _ in range(1 + failures_after_return)]

    statuses = [response.status_code for response in after]
    assert 200 in statuses
    assert statuses.index(200) <= failures_after_return
    for response in after[: statuses.index(200)]:
        assert_unavailable(response)


def test_sqla_connection_lost_after_insert_returns_503_and_writes_nothing(
    sqla_database: tuple[str, dict[str, Any]], proxy: TcpProxy, pg_engine: sa.Engine
) -> None:
    blueprint = Blueprint("dropping", url_prefix="")

    @blueprint.route("/projects")
    class DroppingProjects(ModelCollection):
        """Projects whose database goes away after the INSERT, before the COMMIT."""

        model = Project

        def create_object(self, data: Mapping[str, Any], **path: Any) -> Any:
            obj = super().create_object(data, **path)  # flushed: the INSERT ran
            proxy.stop()
            return obj

    @blueprint.route("/projects/<int:project_id>")
    class DroppingProjectItem(ModelItem):
        """One project."""

        model = Project

    options = proxied(sqla_database, proxy, pre_ping=True)
    with running(make_api_app(*options, blueprint)) as app:
        client = app.test_client()
        lost = send(client, "POST", "/v1/projects", {"name": "Half"})
        proxy.start()
        listed = send(client, "GET", "/v1/projects")

    assert_unavailable(lost)
    assert listed.status_code == 200
    assert listed.get_json() == []
    with pg_engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


# -- 4. a unique value claimed by concurrent writers -------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "fields"),
    [
        ("/v1/projects", {"name": "Same"}, "name"),
        ("/v1/projects/{id}/tasks", {"title": "Same"}, "project_id and title"),
    ],
)
def test_sqla_concurrent_posts_of_unique_value_one_201_rest_409(
    sqla_app: Flask, path: str, body: dict[str, Any], fields: str
) -> None:
    with serve(sqla_app) as base_url:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            project = client.post("/v1/projects", json={"name": "Parent"})
        target = path.format(id=project.json()["id"])
        barrier = threading.Barrier(WRITERS)

        def create(_: int) -> Any:
            with httpx.Client(base_url=base_url, timeout=TIMEOUT) as own:
                barrier.wait(TIMEOUT)
                return own.post(target, json=body)

        responses = run_threads(create, WRITERS)
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            listed = client.get(target)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (WRITERS - 1)
    for response in responses:
        if response.status_code == 409:
            assert response.headers["Content-Type"] == PROBLEM
            assert response.json()["status"] == 409
            assert fields in response.json()["detail"]
            assert "Same" not in response.json()["detail"]
    named = [item for item in listed.json() if body.items() <= item.items()]
    assert len(named) == 1
