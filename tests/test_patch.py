"""PATCH with a merge patch (RFC 7396): applied to the current object, the result validated.

JSON Patch is in tests/test_patch_json.py, the functions of restkit.patch in
tests/test_patch_functions.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, fields
from werkzeug.test import TestResponse

from restkit import Conditional, Resource, operation
from restkit.patch import JSON_PATCH, MERGE_PATCH
from restkit.problems import NotFound
from tests.patch_app import (
    PROBLEM_JSON,
    TASK,
    WRITABLE,
    Body,
    Calls,
    TaskSchema,
    changed,
    send,
    task_item,
    unprocessable,
)
from tests.test_docs_examples import load_example

MakeClient = Callable[..., FlaskClient]
BOTH = f"{MERGE_PATCH}, {JSON_PATCH}"


@pytest.fixture
def tasks() -> dict[int, Any]:
    return {1: copy.deepcopy(TASK)}


@pytest.fixture
def calls() -> Calls:
    return []


@pytest.fixture
def client(make_client: MakeClient, tasks: dict[int, Any], calls: Calls) -> FlaskClient:
    return make_client({"/tasks/<int:task_id>": task_item(tasks, calls)})


# --- merge patch ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patch", "result"),
    [
        pytest.param({"title": "Buy oat milk"}, changed({"title": "Buy oat milk"}), id="field"),
        pytest.param({"done": True}, changed({"done": True}), id="required-title-kept"),
        pytest.param({"note": None}, changed({"note": None}), id="null-clears-nullable"),
        pytest.param({"tags": ["work"]}, changed({"tags": ["work"]}), id="list-replaced"),
        pytest.param(
            {"place": {"city": "Bergen"}},
            changed({"place": {"city": "Bergen", "zip": "0150"}}),
            id="nested-merged",
        ),
        pytest.param(
            {"place": {"zip": None}},
            changed({"place": {"city": "Oslo", "zip": None}}),
            id="nested-null-clears-nullable",
        ),
        pytest.param({"place": None}, changed({"place": None}), id="nullable-nested-cleared"),
        pytest.param(
            {"extra": {"a": None, "d": 4}},
            changed({"extra": {"b": {"c": 2}, "d": 4}}),
            id="dict-member-removed",
        ),
        pytest.param(
            {"extra": {"b": {"c": None}}},
            changed({"extra": {"a": 1, "b": {}}}),
            id="dict-nested-member-removed",
        ),
        pytest.param({}, WRITABLE, id="empty-object"),
    ],
)
def test_merge_patch_is_applied_to_current_and_method_gets_the_result(
    client: FlaskClient, calls: Calls, patch: dict[str, Any], result: dict[str, Any]
) -> None:
    response = send(client, patch)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == {"id": 1, **result}
    assert [body for body, _ in calls] == [result]


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({}, id="absent"),
        pytest.param({"data": b""}, id="empty"),
        pytest.param({"data": b" \r\n"}, id="whitespace"),
        pytest.param({"data": b"", "content_type": "text/plain"}, id="empty-any-type"),
    ],
)
def test_merge_patch_without_body_changes_nothing(
    client: FlaskClient, calls: Calls, kwargs: dict[str, Any]
) -> None:
    response = client.patch("/tasks/1", **kwargs)

    assert response.status_code == 200
    assert response.get_json() == {"id": 1, **WRITABLE}
    assert [body for body, _ in calls] == [WRITABLE]


def test_merge_patch_passes_the_current_object_as_current(
    client: FlaskClient, tasks: dict[int, Any], calls: Calls
) -> None:
    current = tasks[1]

    response = send(client, {"done": True})

    assert response.status_code == 200
    assert len(calls) == 1
    assert calls[0][1] is current


@pytest.mark.parametrize(
    ("patch", "errors"),
    [
        pytest.param(
            {"title": None}, [("/title", "Field may not be null.")], id="null-not-nullable"
        ),
        pytest.param(
            {"title": ""}, [("/title", "Length must be between 1 and 20.")], id="validator"
        ),
        pytest.param({"done": "yes"}, [("/done", "Not a valid boolean.")], id="wrong-type"),
        pytest.param({"colour": "red"}, [("/colour", "Unknown field.")], id="unknown"),
        pytest.param({"id": 2}, [("/id", "This field is read-only.")], id="read-only"),
        pytest.param({"id": None}, [("/id", "This field is read-only.")], id="read-only-null"),
        pytest.param(
            {"place": {"checked_at": "2026-02-01T00:00:00+00:00"}},
            [("/place/checked_at", "This field is read-only.")],
            id="nested-read-only",
        ),
        pytest.param(
            {"place": {"city": None}},
            [("/place/city", "Field may not be null.")],
            id="nested-null-not-nullable",
        ),
        pytest.param(
            {"title": None, "id": 2},
            [("/title", "Field may not be null."), ("/id", "This field is read-only.")],
            id="several",
        ),
    ],
)
def test_merge_patch_with_invalid_result_returns_422_at_pointer(
    client: FlaskClient,
    tasks: dict[int, Any],
    calls: Calls,
    patch: dict[str, Any],
    errors: list[tuple[str, str]],
) -> None:
    response = send(client, patch)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(*errors)
    assert calls == []
    assert tasks[1] == TASK


@pytest.mark.parametrize("patch", [[], ["title"], "title", 1, True, None], ids=repr)
def test_merge_patch_that_is_not_an_object_returns_422(client: FlaskClient, patch: Any) -> None:
    response = send(client, patch)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(("", "A merge patch is a JSON object."))


@pytest.mark.parametrize(
    ("content_type", "detail"),
    [
        ("application/json", "The request body is application/json; send it as"),
        ("text/plain", "The request body is text/plain; send it as"),
        (None, "The request body has no Content-Type; send it as"),
    ],
)
def test_patch_with_other_content_type_returns_415_with_accept_patch(
    client: FlaskClient, calls: Calls, content_type: str | None, detail: str
) -> None:
    response = send(client, {"title": "Walk"}, content_type=content_type)

    assert response.status_code == 415
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers["Accept-Patch"] == BOTH
    assert response.headers["Accept"] == BOTH
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": f"{detail} {MERGE_PATCH} or {JSON_PATCH}.",
    }
    assert calls == []


@pytest.mark.parametrize(
    ("declared", "content_type", "accepted"),
    [
        (True, JSON_PATCH, MERGE_PATCH),
        ("merge", JSON_PATCH, MERGE_PATCH),
        ("json", MERGE_PATCH, JSON_PATCH),
        (("json", "merge"), "application/json", f"{JSON_PATCH}, {MERGE_PATCH}"),
    ],
)
def test_patch_format_not_declared_returns_415_naming_declared_ones(
    make_client: MakeClient,
    tasks: dict[int, Any],
    calls: Calls,
    declared: Any,
    content_type: str,
    accepted: str,
) -> None:
    client = make_client({"/tasks/<int:task_id>": task_item(tasks, calls, formats=declared)})

    response = send(client, [], content_type=content_type)

    assert response.status_code == 415
    assert response.headers["Accept-Patch"] == accepted
    assert calls == []


def test_merge_patch_with_charset_parameter_is_accepted(client: FlaskClient) -> None:
    response = send(client, {"done": True}, content_type=f"{MERGE_PATCH}; charset=utf-8")

    assert response.status_code == 200
    assert response.get_json()["done"] is True


@pytest.mark.parametrize("content_type", [MERGE_PATCH, JSON_PATCH])
def test_patch_with_invalid_json_returns_400(
    client: FlaskClient, calls: Calls, content_type: str
) -> None:
    response = send(client, b'{"title": ', content_type=content_type)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON
    body = response.get_json()
    assert (body["title"], body["status"]) == ("Bad Request", 400)
    assert body["detail"].startswith("The request body is not valid JSON: ")
    assert calls == []


def test_patch_nested_too_deeply_returns_400(
    make_client: MakeClient, tasks: dict[int, Any], calls: Calls
) -> None:
    client = make_client({"/tasks/<int:task_id>": task_item(tasks, calls)}, max_json_depth=2)

    response = send(client, {"extra": {"b": {"c": 3}}})

    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json()["detail"] == "The request body is nested deeper than 2 levels."
    assert calls == []


def with_length(client: FlaskClient, body: bytes) -> TestResponse:
    return client.patch("/tasks/1", data=body, content_type=MERGE_PATCH)


def chunked(client: FlaskClient, body: bytes) -> TestResponse:
    """Send `body` without Content-Length, as a server that decodes chunked bodies does."""
    return client.patch(
        "/tasks/1",
        input_stream=io.BytesIO(body),
        content_type=MERGE_PATCH,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize("sender", [with_length, chunked])
def test_patch_larger_than_limit_returns_413(
    make_client: MakeClient,
    tasks: dict[int, Any],
    calls: Calls,
    sender: Callable[[FlaskClient, bytes], TestResponse],
) -> None:
    client = make_client({"/tasks/<int:task_id>": task_item(tasks, calls)}, max_body_size=50)
    body = b'{"note":"' + b"x" * 40 + b'"}'  # 51 bytes

    response = sender(client, body)

    assert response.status_code == 413
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": "The request body is larger than 50 bytes.",
    }
    assert calls == []


# --- the current object ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patch", "content_type"),
    [
        ({"title": "Walk"}, MERGE_PATCH),
        ([{"op": "remove", "path": "/x"}], JSON_PATCH),
        ([], MERGE_PATCH),
    ],
)
def test_patch_of_missing_object_returns_404_before_reading_the_patch(
    client: FlaskClient, calls: Calls, patch: Any, content_type: str
) -> None:
    response = send(client, patch, content_type=content_type, url="/tasks/9")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "The requested resource was not found.",
    }
    assert calls == []


def test_patch_when_get_object_raises_not_found_returns_its_problem(
    make_client: MakeClient,
) -> None:
    class Missing(Resource):
        def get_object(self, task_id: int) -> Any:
            raise NotFound(f"There is no task {task_id}.")

        @operation(body=TaskSchema, response=TaskSchema, patch=True)
        def patch(self, task_id: int, body: dict[str, Any]) -> Any:
            raise AssertionError("not called")

    client = make_client({"/tasks/<int:task_id>": Missing})

    response = send(client, {"title": "Walk"}, url="/tasks/4")

    assert response.status_code == 404
    assert response.get_json()["detail"] == "There is no task 4."


def test_patch_method_without_current_parameter_gets_only_the_body(
    make_client: MakeClient,
) -> None:
    received: list[dict[str, Any]] = []

    class Notes(Resource):
        def get_object(self, note_id: int) -> Any:
            return {"id": note_id, "title": "Old"}

        @operation(body=TaskSchema, response=TaskSchema, patch=True)
        def patch(self, note_id: int, **arguments: Any) -> Any:
            received.append(arguments)
            return {"id": note_id, **arguments["body"]}

    client = make_client({"/notes/<int:note_id>": Notes})

    response = send(client, {"title": "New"}, url="/notes/3")

    assert response.status_code == 200
    assert response.get_json() == {"id": 3, "title": "New"}
    assert received == [{"body": {"title": "New"}}]


class Step(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()


class Due(Schema):
    due = fields.Date(data_key="dueDate", allow_none=True)
    steps = fields.List(fields.Nested(Step))
    owner = fields.Nested(Step, allow_none=True)


def deadline(received: list[Any]) -> type[Resource]:
    class Deadline(Resource):
        def get_object(self) -> Any:
            steps = [{"id": 1, "name": "a"}]
            return {"due": dt.date(2026, 5, 1), "steps": steps, "owner": {"id": 2, "name": "o"}}

        @operation(body=Due, response=Due, patch=True)
        def patch(self, body: dict[str, Any]) -> Any:
            received.append(body)
            return body

    return Deadline


@pytest.mark.parametrize(
    ("patch", "result"),
    [
        ({"dueDate": None}, {"due": None, "steps": [{"name": "a"}], "owner": {"name": "o"}}),
        (
            {"owner": {"name": "p"}},
            {"due": dt.date(2026, 5, 1), "steps": [{"name": "a"}], "owner": {"name": "p"}},
        ),
    ],
    ids=["null-by-data-key", "read-only-members-of-list-items-left-out"],
)
def test_patch_uses_wire_names_and_leaves_out_read_only_members_at_any_depth(
    make_client: MakeClient, patch: dict[str, Any], result: dict[str, Any]
) -> None:
    received: list[Any] = []
    client = make_client({"/deadline": deadline(received)})

    response = send(client, patch, url="/deadline")

    assert response.status_code == 200
    assert received == [result]


def test_patch_writing_read_only_member_of_a_list_item_returns_422(
    make_client: MakeClient,
) -> None:
    received: list[Any] = []
    client = make_client({"/deadline": deadline(received)})

    response = send(client, {"steps": [{"id": 9, "name": "b"}]}, url="/deadline")

    assert response.status_code == 422
    assert response.get_json() == unprocessable(("/steps/0/id", "This field is read-only."))
    assert received == []


@pytest.mark.parametrize(
    ("headers", "status"),
    [({"If-Match": '"3"'}, 422), ({"If-Match": '"2"'}, 412), ({}, 428)],
    ids=["current-then-invalid-patch", "stale", "missing"],
)
def test_conditional_patch_checks_if_match_before_applying_the_patch(
    make_client: MakeClient, headers: dict[str, str], status: int
) -> None:
    received: list[Any] = []

    class Versioned(Resource):
        conditional = Conditional(version="version", require_if_match=True)

        def get_object(self) -> Any:
            return {"title": "Old", "version": 3}

        @operation(body=Body, response=Body, patch=True)
        def patch(self, body: dict[str, Any]) -> Any:
            received.append(body)
            return body

    client = make_client({"/doc": Versioned})

    # An invalid patch: only a request that passes its preconditions gets to read it.
    response = client.patch("/doc", data="[]", content_type=MERGE_PATCH, headers=headers)

    assert response.status_code == status
    assert received == []


# --- the docs example (docs/patch.md) -------------------------------------------------------


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    return load_example("patch", monkeypatch).create_app().test_client()


def test_patch_example_merge_then_json_patch_change_the_task(example: FlaskClient) -> None:
    merged = send(example, {"done": True, "note": None}, url="/v1/tasks/1")
    appended = send(
        example,
        [
            {"op": "test", "path": "/done", "value": True},
            {"op": "add", "path": "/tags/-", "value": "errands"},
        ],
        content_type=JSON_PATCH,
        url="/v1/tasks/1",
    )
    read = example.get("/v1/tasks/1")

    assert merged.status_code == 200
    assert merged.headers["Content-Type"] == "application/json"
    assert merged.get_json() == {
        "id": 1,
        "title": "Buy milk",
        "note": None,
        "done": True,
        "tags": ["home"],
    }
    assert appended.status_code == 200
    assert appended.get_json()["tags"] == ["home", "errands"]
    assert read.get_json() == appended.get_json()


@pytest.mark.parametrize(
    ("patch", "content_type", "status", "detail"),
    [
        (
            [{"op": "test", "path": "/done", "value": True}],
            JSON_PATCH,
            409,
            "Operation 0 of the patch (test '/done') failed: the current value differs. "
            "Nothing was changed.",
        ),
        ({"title": None, "id": 7}, MERGE_PATCH, 422, "The request contains 2 invalid values."),
        (
            [{"op": "remove", "path": "/title"}],
            JSON_PATCH,
            422,
            "The request contains 1 invalid value.",
        ),
        (
            {"done": False},
            "application/json",
            415,
            f"The request body is application/json; send it as {MERGE_PATCH} or {JSON_PATCH}.",
        ),
    ],
    ids=["test-failed", "null-title-and-id", "required-removed", "plain-json"],
)
def test_patch_example_refused_patch_leaves_the_task_alone(
    example: FlaskClient, patch: Any, content_type: str, status: int, detail: str
) -> None:
    before = example.get("/v1/tasks/1").get_json()

    response = send(example, patch, content_type=content_type, url="/v1/tasks/1")

    assert response.status_code == status
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json()["detail"] == detail
    assert example.get("/v1/tasks/1").get_json() == before


def test_patch_example_unknown_task_returns_404(example: FlaskClient) -> None:
    response = send(example, {"done": True}, url="/v1/tasks/9")

    assert response.status_code == 404
    assert response.get_json()["detail"] == "The requested resource was not found."


class Meeting(Schema):
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)


class MeetingItem(Resource):
    # Stored the way a naive UTC column holds it: no offset.
    row: dict[str, Any] = {"title": "Standup", "starts_at": dt.datetime(2030, 1, 2, 9, 30)}  # noqa: RUF012

    def get_object(self) -> dict[str, Any]:
        return dict(self.row)

    @operation(body=Meeting, response=Meeting, patch=True)
    def patch(self, body: dict[str, Any]) -> dict[str, Any]:
        return body


def test_patch_leaving_a_naive_utc_datetime_alone_loads_it_as_aware(make_client):
    client = make_client({"/meeting": MeetingItem})

    response = client.patch("/meeting", json={"title": "Retro"}, content_type=MERGE_PATCH)

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"title": "Retro", "starts_at": "2030-01-02T09:30:00+00:00"}
