"""Idempotency-Key: a POST retried with the same key runs once and replays its response.

Where it is declared: tests/test_idempotency_declarations.py; a failing store:
tests/test_idempotency_stores.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, Response, request
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from restkit import Api, Blueprint, InputError, Problem, Resource, operation
from restkit.idempotency import Idempotency
from restkit.identity import set_client_id
from restkit.problems import (
    BadRequest,
    Conflict,
    Gone,
    InternalServerError,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    UnprocessableContent,
)
from restkit.stores.memory import MemoryStore
from tests.idempotency_app import PROBLEM_JSON, TaskIn, TaskOut, post, raising, tasks_resource
from tests.test_docs_examples import load_example

MakeClient = Callable[..., FlaskClient]
KEY_USED = "This Idempotency-Key was used with another request; use a new key for a new request."


@pytest.fixture
def calls() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def client(make_client: MakeClient, calls: list[dict[str, Any]]) -> FlaskClient:
    return make_client({"/tasks": tasks_resource(calls)})


# --- replay ---------------------------------------------------------------------------------


def test_idempotency_first_request_runs_and_is_not_marked_replayed(
    client: FlaskClient, calls: list[dict[str, Any]]
) -> None:
    response = post(client)

    assert response.status_code == 201
    assert response.headers["Location"] == "/tasks/1"
    assert "Idempotent-Replayed" not in response.headers
    assert response.get_json() == {"id": 1, "title": "Buy milk"}
    assert calls == [{"title": "Buy milk"}]


def test_idempotency_retry_with_same_key_and_body_replays_without_running(
    client: FlaskClient, calls: list[dict[str, Any]]
) -> None:
    first = post(client)

    retries = [post(client) for _ in range(3)]

    for retry in retries:
        assert retry.status_code == 201
        assert retry.headers["Location"] == "/tasks/1"
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert dict(retry.headers) == {**dict(first.headers), "Idempotent-Replayed": "true"}
        assert retry.data == first.data
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("first_key", "second_key"), [(None, None), ("key-1", None), ("key-1", "key-2")]
)
def test_idempotency_without_key_or_with_new_key_runs_again(
    client: FlaskClient, calls: list[dict[str, Any]], first_key: Any, second_key: Any
) -> None:
    post(client, first_key)

    second = post(client, second_key)

    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert second.headers["Location"] == "/tasks/2"
    assert len(calls) == 2


def test_idempotency_does_not_store_headers_of_this_sending(make_client: MakeClient) -> None:
    class Sessions(Resource):
        @operation(body=TaskIn, response=TaskOut, status=201, idempotency=True)
        def post(self, body: dict[str, Any]) -> Any:
            headers = {"Set-Cookie": "session=1", "Date": "Tue, 01 Sep 2026 00:00:00 GMT"}
            return (
                {"id": 1, **body},
                201,
                {**headers, "Location": "/tasks/1", "X-Request-Id": "r-1"},
            )

    client = make_client({"/tasks": Sessions})
    post(client)

    retry = post(client)

    assert retry.status_code == 201
    assert retry.headers["X-Request-Id"] == "r-1"
    assert "Set-Cookie" not in retry.headers
    assert "Date" not in retry.headers


@pytest.mark.parametrize(("streamed", "runs"), [(False, 1), (True, 2)])
def test_idempotency_replays_a_ready_response_but_not_a_streamed_one(
    make_client: MakeClient, streamed: bool, runs: int
) -> None:
    calls: list[int] = []

    class Export(Resource):
        @operation(body=TaskIn, status=202, idempotency=True)
        def post(self, body: dict[str, Any]) -> Response:
            calls.append(1)
            data = (part for part in [b"a", b"b"]) if streamed else b"ab"
            return Response(data, status=202, mimetype="text/plain")

    client = make_client({"/tasks": Export})
    post(client)

    retry = post(client)

    assert retry.status_code == 202
    assert retry.data == b"ab"
    assert ("Idempotent-Replayed" in retry.headers) is not streamed
    assert len(calls) == runs


def test_idempotency_retry_with_other_headers_is_the_same_request(
    client: FlaskClient, calls: list[dict[str, Any]]
) -> None:
    post(client, headers={"User-Agent": "app/1.0", "X-Attempt": "1"})

    retry = post(client, headers={"User-Agent": "app/1.1", "X-Attempt": "2"})

    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert len(calls) == 1


# --- another request with the same key ------------------------------------------------------


FIRST = {"data": '{"title":"Buy milk"}', "content_type": "application/json"}


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"data": '{"title":"Walk the dog"}'}, id="body"),
        pytest.param({"url": "/archive"}, id="path"),
        pytest.param({"query_string": "dry=1"}, id="query"),
        pytest.param({"content_type": "application/vnd.task+json"}, id="content-type"),
        pytest.param({"data": '{"title": "Buy milk"}'}, id="json-spacing"),
    ],
)
def test_idempotency_same_key_with_another_request_returns_422(
    make_client: MakeClient, calls: list[dict[str, Any]], changes: dict[str, Any]
) -> None:
    client = make_client(
        {"/tasks": tasks_resource(calls), "/archive": tasks_resource(calls, name="Archive")}
    )
    key = {"Idempotency-Key": "key-1"}
    client.post("/tasks", headers=key, **FIRST)

    url = changes.pop("url", "/tasks")
    response = client.post(url, headers=key, **{**FIRST, **changes})

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "Idempotent-Replayed" not in response.headers
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request contains 1 invalid value.",
        "errors": [{"in": "headers", "name": "Idempotency-Key", "detail": KEY_USED}],
    }
    assert len(calls) == 1


# --- a duplicate while the first runs -------------------------------------------------------


STILL_RUNNING = "A request with this Idempotency-Key is still being processed; retry later."


@pytest.mark.parametrize(
    ("duplicate", "status", "retry_after", "detail"),
    [
        pytest.param({"title": "Buy milk"}, 409, "1", STILL_RUNNING, id="same-request"),
        pytest.param(
            {"title": "Other"}, 422, None, "The request contains 1 invalid value.", id="another"
        ),
    ],
)
def test_idempotency_duplicate_while_first_runs_returns_409_with_retry_after(
    make_client: MakeClient,
    calls: list[dict[str, Any]],
    duplicate: dict[str, Any],
    status: int,
    retry_after: str | None,
    detail: str,
) -> None:
    answers: list[TestResponse] = []

    def send_duplicate(body: dict[str, Any]) -> None:
        if len(calls) == 1:
            answers.append(post(client, body=duplicate))

    client = make_client({"/tasks": tasks_resource(calls, send_duplicate)})

    first = post(client)
    after = post(client)

    assert first.status_code == 201
    (during,) = answers
    assert during.status_code == status
    assert during.headers["Content-Type"] == PROBLEM_JSON
    assert during.headers.get("Retry-After") == retry_after
    assert during.get_json()["detail"] == detail
    assert after.status_code == 201
    assert after.headers["Idempotent-Replayed"] == "true"
    assert len(calls) == 1


def test_idempotency_key_held_past_lock_timeout_is_taken_over_by_a_retry(
    make_client: MakeClient, calls: list[dict[str, Any]]
) -> None:
    now = [1000.0]
    answers: list[TestResponse] = []

    def stall(body: dict[str, Any]) -> None:
        if len(calls) == 1:
            now[0] += 31  # the first request outlives its lock
            answers.append(post(client))

    resource = tasks_resource(calls, stall, idempotency=Idempotency(lock_timeout=30))
    client = make_client({"/tasks": resource}, store=MemoryStore(clock=lambda: now[0]))

    first = post(client)
    retry = post(client)

    assert first.status_code == 201
    assert answers[0].status_code == 201
    assert answers[0].headers["Location"] == "/tasks/2"
    # The request that took the key over stored its answer; the first could not.
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["Location"] == "/tasks/2"
    assert len(calls) == 2


# --- expiry ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("elapsed", "runs"), [(0, 1), (9.9, 1), (10, 2), (3600, 2)])
def test_idempotency_record_expires_after_ttl(
    make_client: MakeClient, calls: list[dict[str, Any]], elapsed: float, runs: int
) -> None:
    now = [1000.0]
    resource = tasks_resource(calls, idempotency=Idempotency(ttl=10))
    client = make_client({"/tasks": resource}, store=MemoryStore(clock=lambda: now[0]))
    post(client)
    now[0] += elapsed

    retry = post(client)

    assert retry.status_code == 201
    assert ("Idempotent-Replayed" in retry.headers) is (runs == 1)
    assert len(calls) == runs


# --- which answers are stored ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "stored"),
    [
        (BadRequest("The title is taken."), True),
        (NotFound("There is no project 7."), True),
        (Gone("The project was archived."), True),
        (UnprocessableContent([InputError("body", "Taken.", pointer="/title")]), True),
        (Problem("Slow.", status=408, title="Request Timeout"), False),
        (Conflict("The list is locked."), False),
        (Problem("Replay risk.", status=425, title="Too Early"), False),
        (TooManyRequests("Slow down."), False),
        (InternalServerError(), False),
        (ServiceUnavailable("Maintenance."), False),
    ],
    ids=lambda value: str(getattr(value, "status", value)),
)
def test_idempotency_stores_problems_a_retry_would_get_again(
    make_client: MakeClient, calls: list[dict[str, Any]], problem: Problem, stored: bool
) -> None:
    client = make_client({"/tasks": tasks_resource(calls, raising(problem))})
    first = post(client)

    retry = post(client)

    assert first.status_code == problem.status
    assert first.headers["Content-Type"] == PROBLEM_JSON
    assert retry.status_code == problem.status
    assert ("Idempotent-Replayed" in retry.headers) is stored
    assert retry.get_json() == first.get_json() == problem.to_dict()
    assert len(calls) == (1 if stored else 2)


def test_idempotency_exception_releases_the_key_so_a_retry_runs(
    make_client: MakeClient, calls: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    def fail_once(body: dict[str, Any]) -> None:
        if len(calls) == 1:
            raise RuntimeError("database went away")

    client = make_client({"/tasks": tasks_resource(calls, fail_once)})

    with caplog.at_level(logging.ERROR):
        first = post(client)
    retry = post(client)

    assert first.status_code == 500
    assert first.headers["Content-Type"] == PROBLEM_JSON
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry.headers
    assert retry.headers["Location"] == "/tasks/2"
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("first", "status"),
    [
        pytest.param({"json": {"title": ""}}, 422, id="invalid"),
        pytest.param({"data": '{"title": ', "content_type": "application/json"}, 400, id="json"),
        pytest.param({"data": "title=x", "content_type": "text/plain"}, 415, id="type"),
        pytest.param(
            {"data": b" " * (1024 * 1024 + 1), "content_type": "application/json"}, 413, id="size"
        ),
    ],
)
def test_idempotency_request_rejected_by_parsing_stores_nothing(
    client: FlaskClient, calls: list[dict[str, Any]], first: dict[str, Any], status: int
) -> None:
    rejected = client.post("/tasks", headers={"Idempotency-Key": "key-1"}, **first)

    accepted = post(client)

    assert rejected.status_code == status
    assert accepted.status_code == 201
    assert "Idempotent-Replayed" not in accepted.headers
    assert len(calls) == 1


# --- the key --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["", "   ", "a" * 256, "a b", "caf\xe9", "a\x7fb", '"abc', 'abc"', '""', '"', 'a"b'],
    ids=repr,
)
def test_idempotency_malformed_key_returns_400(
    client: FlaskClient, calls: list[dict[str, Any]], key: str
) -> None:
    response = post(client, key)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "The Idempotency-Key header must be 1 to 255 visible ASCII characters "
        "(no spaces), for example a UUID.",
    }
    assert calls == []


@pytest.mark.parametrize(
    ("first", "retry"),
    [
        ("a" * 255, "a" * 255),
        ('"' + "a" * 255 + '"', "a" * 255),
        ("abc", '"abc"'),
        ('"abc"', "abc"),
        ("550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-446655440000"),
        ("!#$%&'*+-.^_`|~", "!#$%&'*+-.^_`|~"),
    ],
    ids=["255", "quoted-255", "quoted-retry", "quoted-first", "uuid", "symbols"],
)
def test_idempotency_valid_key_is_replayed_quoted_or_not(
    client: FlaskClient, calls: list[dict[str, Any]], first: str, retry: str
) -> None:
    post(client, first)

    response = post(client, retry)

    assert response.status_code == 201
    assert response.headers["Idempotent-Replayed"] == "true"
    assert len(calls) == 1


def test_idempotency_required_without_key_returns_400(
    make_client: MakeClient, calls: list[dict[str, Any]]
) -> None:
    resource = tasks_resource(calls, idempotency=Idempotency(required=True))
    client = make_client({"/tasks": resource})

    missing = post(client, None)
    given = post(client)

    assert missing.status_code == 400
    assert missing.headers["Content-Type"] == PROBLEM_JSON
    assert missing.get_json()["detail"] == (
        "This operation requires an Idempotency-Key header: a unique value, such as a UUID, "
        "that you send again when you retry the request."
    )
    assert given.status_code == 201
    assert len(calls) == 1


def identify(view: Callable[..., Any]) -> Callable[..., Any]:
    """Stand in for authentication: the caller is whoever X-Client names."""

    def identified(**kwargs: Any) -> Any:
        set_client_id(request.headers.get("X-Client"))
        return view(**kwargs)

    return identified


@pytest.mark.parametrize(
    ("first", "second", "replayed"),
    [("alice", "alice", True), ("alice", "bob", False), (None, "alice", False), (None, None, True)],
)
def test_idempotency_keys_are_scoped_to_the_client(
    make_client: MakeClient,
    calls: list[dict[str, Any]],
    first: str | None,
    second: str | None,
    replayed: bool,
) -> None:
    resource = tasks_resource(calls)
    resource.decorators = [identify]
    client = make_client({"/tasks": resource})
    post(client, headers={"X-Client": first} if first else {})

    response = post(client, headers={"X-Client": second} if second else {})

    assert response.status_code == 201
    assert ("Idempotent-Replayed" in response.headers) is replayed
    assert len(calls) == (1 if replayed else 2)


def test_idempotency_keys_of_two_apis_on_one_store_are_apart() -> None:
    calls: list[dict[str, Any]] = []
    store = MemoryStore()
    app = Flask(__name__)
    for name in ("v1", "v2"):
        blueprint = Blueprint("tasks")
        blueprint.add_resource(tasks_resource(calls), "/tasks")
        api = Api(name=name, url_prefix=f"/{name}", store=store)
        api.register_blueprint(blueprint)
        api.init_app(app)
    client = app.test_client()

    responses = [post(client, url=f"/{name}/tasks") for name in ("v1", "v2")]

    assert [r.status_code for r in responses] == [201, 201]
    assert len(calls) == 2


# --- the docs example (docs/idempotency.md) -------------------------------------------------

ADA = {"Authorization": "Bearer token-ada"}
BOB = {"Authorization": "Bearer token-bob"}
KEY = {"Idempotency-Key": "8e03978e-40d5-43e8-bc93-6894a57f9324"}
PAYMENT = {"amount_cents": 1250, "payee": "Corner shop"}


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    return load_example("idempotency", monkeypatch).create_app().test_client()


def test_idempotency_example_retry_replays_the_created_task(example: FlaskClient) -> None:
    first = example.post("/v1/tasks", json={"title": "Buy milk"}, headers={**ADA, **KEY})
    retry = example.post("/v1/tasks", json={"title": "Buy milk"}, headers={**ADA, **KEY})
    other = example.post("/v1/tasks", json={"title": "Walk"}, headers={**ADA, **KEY})
    bob = example.post("/v1/tasks", json={"title": "Buy milk"}, headers={**BOB, **KEY})

    assert (first.status_code, first.headers["Location"]) == (201, "/v1/tasks/1")
    assert first.get_json() == {"id": 1, "title": "Buy milk"}
    assert (retry.status_code, retry.headers["Location"]) == (201, "/v1/tasks/1")
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.data == first.data
    assert other.status_code == 422
    assert other.get_json()["errors"] == [
        {"in": "headers", "name": "Idempotency-Key", "detail": KEY_USED}
    ]
    assert (bob.status_code, bob.headers["Location"]) == (201, "/v1/tasks/2")
    assert "Idempotent-Replayed" not in bob.headers


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 400), ({"Idempotency-Key": "not a key"}, 400), (KEY, 201)],
    ids=["missing", "malformed", "given"],
)
def test_idempotency_example_payment_requires_a_key(
    example: FlaskClient, headers: dict[str, str], status: int
) -> None:
    response = example.post("/v1/payments", json=PAYMENT, headers={**ADA, **headers})

    assert response.status_code == status


def test_idempotency_example_payment_is_made_once(example: FlaskClient) -> None:
    answers = [example.post("/v1/payments", json=PAYMENT, headers={**ADA, **KEY}) for _ in range(3)]
    payment = example.get(answers[0].headers["Location"], headers=ADA)

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None, "true", "true"]
    assert payment.status_code == 200
    assert payment.get_json() == {"id": 1, **PAYMENT}


def test_idempotency_example_without_token_returns_401(example: FlaskClient) -> None:
    response = example.post("/v1/tasks", json={"title": "Buy milk"}, headers=KEY)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM_JSON
