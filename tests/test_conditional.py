"""Conditional requests: ETags and Last-Modified on reads, 304, and the docs example.

Writes (412, 428, 400) are in test_conditional_writes.py; the functions underneath
(parse_entity_tags, evaluate_preconditions, make_entity_tag) in test_conditional_functions.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Response
from flask.testing import FlaskClient
from werkzeug.http import parse_date
from werkzeug.test import TestResponse

from restkit import (
    Conditional,
    Page,
    PagePagination,
    PageRequest,
    Resource,
    ResponseError,
    operation,
)
from restkit.conditional import make_entity_tag
from tests.conditional_helpers import (
    PRECONDITION_FAILED,
    PRECONDITION_REQUIRED,
    PROBLEM_JSON,
    SECOND_AFTER,
    SECOND_BEFORE,
    T0,
    T0_HTTP,
    VERSIONED,
    WEAK_TAG,
    FakeDb,
    Row,
    TaskSchema,
    task_resources,
)
from tests.test_docs_examples import load_example

MakeClient = Callable[..., FlaskClient]


@pytest.fixture
def db() -> FakeDb:
    return FakeDb()


@pytest.fixture
def client(make_client: MakeClient, db: FakeDb) -> FlaskClient:
    return make_client(task_resources(db))


# --- GET: validators and 304 -------------------------------------------------------------


def test_conditional_get_with_version_sends_strong_etag_and_last_modified(
    client: FlaskClient,
) -> None:
    response = client.get("/tasks/1")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["ETag"] == '"3"'
    assert response.headers["Last-Modified"] == T0_HTTP
    assert response.get_json() == {"id": 1, "title": "Buy milk", "version": 3}


def test_conditional_get_without_last_modified_sends_etag_only(
    make_client: MakeClient, db: FakeDb
) -> None:
    client = make_client(task_resources(db, Conditional(version="version")))

    response = client.get("/tasks/1")

    assert response.status_code == 200
    assert response.headers["ETag"] == '"3"'
    assert "Last-Modified" not in response.headers


MATCHING = [
    '"3"',
    'W/"3"',  # RFC 9110 §13.1.2: If-None-Match compares weakly
    "*",
    ' "3" ',
    '"1", "3"',
    '"1",W/"3"',
    '"1", , "3",',  # empty list elements are allowed
]
NOT_MATCHING = ['"2"', '"1", "2"', '"33"', 'W/"2"', '""']
BODY = b'{"id":1,"title":"Buy milk","version":3}'


@pytest.mark.parametrize("if_none_match", MATCHING)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_conditional_if_none_match_that_matches_returns_304_without_body(
    client: FlaskClient, method: str, if_none_match: str
) -> None:
    response = client.open("/tasks/1", method=method, headers={"If-None-Match": if_none_match})

    assert response.status_code == 304
    assert "Content-Type" not in response.headers
    assert response.headers["ETag"] == '"3"'
    assert response.data == b""


@pytest.mark.parametrize("if_none_match", NOT_MATCHING)
@pytest.mark.parametrize(("method", "body"), [("GET", BODY), ("HEAD", b"")])
def test_conditional_if_none_match_that_does_not_match_returns_200(
    client: FlaskClient, method: str, body: bytes, if_none_match: str
) -> None:
    response = client.open("/tasks/1", method=method, headers={"If-None-Match": if_none_match})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["ETag"] == '"3"'
    assert response.headers["Last-Modified"] == T0_HTTP
    assert response.data == body


@pytest.mark.parametrize(
    "headers",
    [
        {"If-Modified-Since": T0_HTTP},
        {"If-Modified-Since": SECOND_AFTER},
        {"If-Modified-Since": "Friday, 02-Jan-26 03:04:05 GMT"},  # RFC 850 form
        {"If-Modified-Since": "Fri Jan  2 03:04:05 2026"},  # asctime form
        {"If-Modified-Since": SECOND_BEFORE, "If-None-Match": '"3"'},  # If-None-Match decides
    ],
)
def test_conditional_unmodified_since_if_modified_since_returns_304(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.get("/tasks/1", headers=headers)

    assert response.status_code == 304
    assert response.headers["ETag"] == '"3"'
    assert response.data == b""


@pytest.mark.parametrize(
    "headers",
    [
        {"If-Modified-Since": SECOND_BEFORE},
        {"If-Modified-Since": "yesterday"},  # RFC 9110 §13.1.3: invalid is ignored
        {"If-Modified-Since": ""},
        {"If-Modified-Since": SECOND_AFTER, "If-None-Match": '"2"'},  # §13.2.2 step 4
    ],
)
def test_conditional_modified_since_if_modified_since_returns_200(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.get("/tasks/1", headers=headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == '"3"'
    assert response.data == BODY


def test_conditional_if_modified_since_without_last_modified_is_ignored(
    make_client: MakeClient, db: FakeDb
) -> None:
    client = make_client(task_resources(db, Conditional(version="version")))

    response = client.get("/tasks/1", headers={"If-Modified-Since": SECOND_AFTER})

    assert response.status_code == 200
    assert response.get_json()["title"] == "Buy milk"


@pytest.mark.parametrize(
    "headers",
    [
        {"If-Match": '"2"'},
        {"If-Match": 'W/"3"'},
        {"If-Unmodified-Since": SECOND_BEFORE},
    ],
)
def test_conditional_get_with_failing_if_match_or_if_unmodified_since_returns_412(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.get("/tasks/1", headers=headers)

    assert response.status_code == 412
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == PRECONDITION_FAILED


@pytest.mark.parametrize(
    "headers", [{"If-Match": '"3"'}, {"If-Match": "*"}, {"If-Unmodified-Since": T0_HTTP}]
)
def test_conditional_get_with_holding_if_match_or_if_unmodified_since_returns_200(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.get("/tasks/1", headers=headers)

    assert response.status_code == 200
    assert response.data == BODY


def test_conditional_304_repeats_the_caching_headers_of_the_200(make_client: MakeClient) -> None:
    class Report(Resource):
        conditional = Conditional(version="version")

        @operation(response=TaskSchema)
        def get(self) -> tuple[Row, dict[str, str]]:
            headers = {
                "Cache-Control": "private, max-age=60",
                "Vary": "Accept-Language",
                "Expires": "Fri, 02 Jan 2026 04:04:05 GMT",
                "Content-Location": "/report/3",
                "X-Request-Id": "abc",
            }
            return {"id": 1, "title": "Report", "version": 3}, headers

    client = make_client({"/report": Report})

    response = client.get("/report", headers={"If-None-Match": '"3"'})

    assert response.status_code == 304
    assert dict(response.headers) == {
        "ETag": '"3"',
        "Cache-Control": "private, max-age=60",
        "Vary": "Accept-Language",
        "Expires": "Fri, 02 Jan 2026 04:04:05 GMT",
        "Content-Location": "/report/3",
    }
    assert response.data == b""


@pytest.mark.parametrize(
    ("stored", "header", "status"),
    [
        (T0, T0_HTTP, 304),
        (T0.replace(tzinfo=None), T0_HTTP, 304),  # naive: taken as UTC
        (T0 + dt.timedelta(microseconds=999_999), T0_HTTP, 304),  # whole seconds
        (T0.astimezone(dt.timezone(dt.timedelta(hours=-5))), T0_HTTP, 304),
        (None, None, 200),
    ],
    ids=["utc", "naive", "fraction", "offset", "none"],
)
def test_conditional_last_modified_is_sent_as_http_date(
    make_client: MakeClient,
    db: FakeDb,
    stored: dt.datetime | None,
    header: str | None,
    status: int,
) -> None:
    db.rows[1]["updated_at"] = stored
    client = make_client(task_resources(db))

    response = client.get("/tasks/1")
    unchanged = client.get("/tasks/1", headers={"If-Modified-Since": T0_HTTP})

    assert response.status_code == 200
    assert response.headers.get("Last-Modified") == header
    assert unchanged.status_code == status


def test_conditional_version_and_last_modified_may_be_functions(
    make_client: MakeClient, db: FakeDb
) -> None:
    conditional = Conditional(
        version=lambda task: f"v{task['version']}-{task['id']}",
        last_modified=lambda task: task["updated_at"] + dt.timedelta(days=1),
    )
    client = make_client(task_resources(db, conditional))

    response = client.get("/tasks/1")

    assert response.status_code == 200
    assert response.headers["ETag"] == '"v3-1"'
    assert response.headers["Last-Modified"] == "Sat, 03 Jan 2026 03:04:05 GMT"


def test_conditional_version_is_read_as_an_attribute_of_objects(make_client: MakeClient) -> None:
    @dataclass
    class Task:
        id: int
        title: str
        version: int
        updated_at: dt.datetime

    class TaskItem(Resource):
        conditional = VERSIONED

        @operation(response=TaskSchema)
        def get(self) -> Task:
            return Task(1, "Buy milk", 7, T0)

    client = make_client({"/task": TaskItem})

    response = client.get("/task")

    assert response.status_code == 200
    assert response.headers["ETag"] == '"7"'
    assert response.headers["Last-Modified"] == T0_HTTP


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"id": 1, "title": "x", "version": None, "updated_at": T0},
            "The version of {row!r} is None; a conditional resource's objects need one.",
        ),
        (
            {"id": 1, "title": "x", "version": 3, "updated_at": "2026-01-02"},
            "last_modified of {row!r} is '2026-01-02', not a datetime.",
        ),
    ],
    ids=["no-version", "not-a-datetime"],
)
def test_conditional_object_without_version_or_date_returns_logged_500(
    make_client: MakeClient, db: FakeDb, caplog: pytest.LogCaptureFixture, row: Row, message: str
) -> None:
    db.rows[1] = row
    client = make_client(task_resources(db))

    with caplog.at_level(logging.ERROR):
        response = client.get("/tasks/1")

    assert response.status_code == 500
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "ETag" not in response.headers
    (record,) = caplog.records
    assert record.exc_info is not None
    assert record.exc_info[0] is ResponseError
    assert str(record.exc_info[1]) == message.format(row=row)


# --- computed (weak) ETags ---------------------------------------------------------------


def test_conditional_without_version_sends_weak_etag_of_the_body(
    make_client: MakeClient, db: FakeDb
) -> None:
    client = make_client(task_resources(db, Conditional()))

    response = client.get("/tasks/1")
    again = client.get("/tasks/1")
    db.rows[1]["title"] = "Buy oat milk"
    changed = client.get("/tasks/1")

    assert response.status_code == 200
    assert WEAK_TAG.fullmatch(response.headers["ETag"])
    assert response.headers["ETag"] == str(make_entity_tag(response.data, weak=True))
    assert "Last-Modified" not in response.headers
    assert again.headers["ETag"] == response.headers["ETag"]
    assert WEAK_TAG.fullmatch(changed.headers["ETag"])
    assert changed.headers["ETag"] != response.headers["ETag"]


@pytest.mark.parametrize(
    "sent", [lambda tag: tag, lambda tag: tag.removeprefix("W/")], ids=["weak", "strong"]
)
def test_conditional_weak_etag_answers_if_none_match_with_304(
    make_client: MakeClient, db: FakeDb, sent: Callable[[str], str]
) -> None:
    client = make_client(task_resources(db, Conditional()))
    etag = client.get("/tasks/1").headers["ETag"]

    response = client.get("/tasks/1", headers={"If-None-Match": sent(etag)})

    assert response.status_code == 304
    assert response.headers["ETag"] == etag
    assert response.data == b""


@pytest.mark.parametrize("conditional", [VERSIONED, Conditional()])
def test_conditional_list_always_gets_a_computed_weak_etag(
    make_client: MakeClient, db: FakeDb, conditional: Conditional
) -> None:
    client = make_client(task_resources(db, conditional))

    response = client.get("/tasks")
    unchanged = client.get("/tasks", headers={"If-None-Match": response.headers["ETag"]})
    db.rows[2] = {"id": 2, "title": "Walk the dog", "version": 1, "updated_at": T0}
    changed = client.get("/tasks", headers={"If-None-Match": response.headers["ETag"]})

    assert response.status_code == 200
    assert WEAK_TAG.fullmatch(response.headers["ETag"])
    assert "Last-Modified" not in response.headers
    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert changed.headers["ETag"] != response.headers["ETag"]
    assert len(changed.get_json()) == 2


def paged_tasks(db: FakeDb) -> type[Resource]:
    class Tasks(Resource):
        conditional = Conditional()
        pagination = PagePagination(default_size=2)

        @operation(response=TaskSchema(many=True))
        def get(self, page: PageRequest) -> Page[Row]:
            rows = list(db.rows.values())
            return Page(rows[page.offset : page.offset + page.limit], total=len(rows))

    return Tasks


def test_conditional_paginated_page_answers_304_when_unchanged(
    make_client: MakeClient, db: FakeDb
) -> None:
    client = make_client({"/tasks": paged_tasks(db)})
    etag = client.get("/tasks").headers["ETag"]

    response = client.get("/tasks", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["ETag"] == etag
    assert WEAK_TAG.fullmatch(etag)


def test_conditional_paginated_page_whose_total_changed_sends_the_new_total(
    make_client: MakeClient, db: FakeDb
) -> None:
    db.rows[2] = {"id": 2, "title": "Walk the dog", "version": 1, "updated_at": T0}
    client = make_client({"/tasks": paged_tasks(db)})
    first = client.get("/tasks")
    db.rows[3] = {"id": 3, "title": "Call mum", "version": 1, "updated_at": T0}

    response = client.get("/tasks", headers={"If-None-Match": first.headers["ETag"]})

    assert first.headers["X-Total-Count"] == "2"
    assert response.headers.get("X-Total-Count") == "3"


def test_conditional_ready_response_is_sent_without_etag(make_client: MakeClient) -> None:
    class Export(Resource):
        conditional = VERSIONED

        @operation(response=TaskSchema)
        def get(self) -> Response:
            return Response("id,title\n1,Buy milk\n", content_type="text/csv")

    response = make_client({"/export": Export}).get("/export", headers={"If-None-Match": "*"})

    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert response.data == b"id,title\n1,Buy milk\n"


# --- the docs example (docs/conditional.md) ----------------------------------------------


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    return load_example("conditional", monkeypatch).create_app().test_client()


def create(client: FlaskClient, title: str = "Buy milk") -> TestResponse:
    response = client.post("/v1/tasks", json={"title": title})
    assert response.status_code == 201
    return response


def test_example_create_sends_strong_etag_and_last_modified(example: FlaskClient) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)

    response = create(example)

    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Location"] == "/v1/tasks/1"
    assert response.headers["ETag"] == '"1"'
    modified = parse_date(response.headers["Last-Modified"])
    assert modified is not None
    assert before <= modified <= dt.datetime.now(dt.UTC)
    assert response.get_json() == {"id": 1, "title": "Buy milk", "done": False, "version": 1}


def test_example_get_with_current_etag_returns_304(example: FlaskClient) -> None:
    create(example)

    read = example.get("/v1/tasks/1")
    again = example.get("/v1/tasks/1", headers={"If-None-Match": read.headers["ETag"]})

    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert again.status_code == 304
    assert dict(again.headers) == {"ETag": '"1"'}
    assert again.data == b""


def test_example_put_needs_the_current_etag(example: FlaskClient) -> None:
    create(example)

    missing = example.put("/v1/tasks/1", json={"title": "Buy oat milk"})
    fresh = example.put("/v1/tasks/1", json={"title": "Buy oat milk"}, headers={"If-Match": '"1"'})
    stale = example.put("/v1/tasks/1", json={"title": "Buy soy milk"}, headers={"If-Match": '"1"'})
    read = example.get("/v1/tasks/1")

    assert missing.status_code == 428
    assert missing.headers["Content-Type"] == PROBLEM_JSON
    assert missing.get_json() == PRECONDITION_REQUIRED
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] == '"2"'
    assert fresh.get_json() == {"id": 1, "title": "Buy oat milk", "done": False, "version": 2}
    assert stale.status_code == 412
    assert stale.get_json() == PRECONDITION_FAILED
    assert read.get_json()["title"] == "Buy oat milk"


def test_example_delete_with_etag_then_the_task_is_gone(example: FlaskClient) -> None:
    create(example)

    stale = example.delete("/v1/tasks/1", headers={"If-Match": '"7"'})
    deleted = example.delete("/v1/tasks/1", headers={"If-Match": '"1"'})
    again = example.delete("/v1/tasks/1")

    assert stale.status_code == 412
    assert deleted.status_code == 204
    assert "ETag" not in deleted.headers
    assert again.status_code == 404  # a missing task is a 404, even without If-Match
    assert again.get_json()["detail"] == "There is no task 1."


def test_example_list_has_a_weak_etag(example: FlaskClient) -> None:
    create(example)

    listed = example.get("/v1/tasks")
    unchanged = example.get("/v1/tasks", headers={"If-None-Match": listed.headers["ETag"]})
    create(example, "Walk the dog")
    changed = example.get("/v1/tasks", headers={"If-None-Match": listed.headers["ETag"]})

    assert listed.status_code == 200
    assert WEAK_TAG.fullmatch(listed.headers["ETag"])
    assert "Last-Modified" not in listed.headers
    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert len(changed.get_json()) == 2


def test_example_malformed_if_none_match_returns_400(example: FlaskClient) -> None:
    create(example)

    response = example.get("/v1/tasks/1", headers={"If-None-Match": "v2"})

    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json()["detail"] == (
        'The If-None-Match header must be * or a comma-separated list of entity-tags such as "v3" '
        'or W/"v3".'
    )
