"""PATCH with a JSON Patch (RFC 6902): each operation, conflicts, and malformed documents."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from restkit.patch import JSON_PATCH
from tests.patch_app import (
    PROBLEM_JSON,
    TASK,
    WRITABLE,
    Calls,
    changed,
    send,
    task_item,
    unprocessable,
)

MakeClient = Callable[..., FlaskClient]

BAD_POINTER = (
    "A JSON Pointer (RFC 6901): empty, or '/' and tokens in which '~' is written '~0' "
    "and '/' is written '~1'."
)


def conflict(detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": "Conflict", "status": 409, "detail": detail}


@pytest.fixture
def tasks() -> dict[int, Any]:
    return {1: copy.deepcopy(TASK)}


@pytest.fixture
def calls() -> Calls:
    return []


@pytest.fixture
def client(make_client: MakeClient, tasks: dict[int, Any], calls: Calls) -> FlaskClient:
    return make_client({"/tasks/<int:task_id>": task_item(tasks, calls)})


# --- JSON Patch -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patch", "result"),
    [
        pytest.param(
            [{"op": "add", "path": "/tags/-", "value": "urgent"}],
            changed({"tags": ["home", "urgent"]}),
            id="add-to-list",
        ),
        pytest.param(
            [{"op": "add", "path": "/extra/x~1y", "value": 3}],
            changed({"extra": {"a": 1, "b": {"c": 2}, "x/y": 3}}),
            id="add-escaped-member",
        ),
        pytest.param([{"op": "remove", "path": "/note"}], changed({}, ("note",)), id="remove"),
        pytest.param(
            [{"op": "replace", "path": "/title", "value": "Walk"}],
            changed({"title": "Walk"}),
            id="replace",
        ),
        pytest.param(
            [{"op": "move", "from": "/note", "path": "/title"}],
            changed({"title": "2 litres"}, ("note",)),
            id="move",
        ),
        pytest.param(
            [{"op": "copy", "from": "/title", "path": "/note"}],
            changed({"note": "Buy milk"}),
            id="copy",
        ),
        pytest.param(
            [
                {"op": "test", "path": "/done", "value": False},
                {"op": "replace", "path": "/done", "value": True},
            ],
            changed({"done": True}),
            id="test-then-replace",
        ),
        pytest.param(
            [{"op": "replace", "path": "", "value": {"title": "New"}}],
            {"title": "New"},
            id="replace-whole-document",
        ),
        pytest.param([], WRITABLE, id="no-operations"),
    ],
)
def test_json_patch_operation_is_applied_and_method_gets_the_result(
    client: FlaskClient, calls: Calls, patch: list[Any], result: dict[str, Any]
) -> None:
    response = send(client, patch, content_type=JSON_PATCH)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == {"id": 1, **result}
    assert [body for body, _ in calls] == [result]


@pytest.mark.parametrize(
    ("patch", "detail"),
    [
        pytest.param(
            [{"op": "test", "path": "/title", "value": "Other"}],
            "Operation 0 of the patch (test '/title') failed: the current value differs.",
            id="test-failed",
        ),
        pytest.param(
            [
                {"op": "replace", "path": "/title", "value": "Walk"},
                {"op": "test", "path": "/done", "value": True},
            ],
            "Operation 1 of the patch (test '/done') failed: the current value differs.",
            id="second-test-failed",
        ),
        pytest.param(
            [{"op": "test", "path": "/missing", "value": 1}],
            "Operation 0 of the patch (test '/missing') failed: the current value differs.",
            id="test-missing-path",
        ),
        *(
            pytest.param(
                [operation],
                f"Operation 0 of the patch ({operation['op']} {operation['path']!r}) cannot be "
                "applied to the current resource: its path (or from) does not exist.",
                id=name,
            )
            for name, operation in [
                ("remove-missing", {"op": "remove", "path": "/missing"}),
                ("replace-missing", {"op": "replace", "path": "/place/country", "value": "NO"}),
                ("add-under-missing", {"op": "add", "path": "/missing/x", "value": 1}),
                ("remove-past-end", {"op": "remove", "path": "/tags/5"}),
                ("add-bad-index", {"op": "add", "path": "/tags/x", "value": "a"}),
                ("move-from-missing", {"op": "move", "from": "/missing", "path": "/title"}),
                ("copy-from-missing", {"op": "copy", "from": "/missing", "path": "/title"}),
            ]
        ),
    ],
)
def test_json_patch_that_cannot_apply_returns_409_and_writes_nothing(
    client: FlaskClient, tasks: dict[int, Any], calls: Calls, patch: list[Any], detail: str
) -> None:
    response = send(client, patch, content_type=JSON_PATCH)

    assert response.status_code == 409
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == conflict(f"{detail} Nothing was changed.")
    assert calls == []
    assert tasks[1] == TASK


@pytest.mark.parametrize(
    ("patch", "errors"),
    [
        pytest.param({}, [("", "A JSON Patch is an array of operations.")], id="not-an-array"),
        pytest.param([1], [("/0", "An operation is an object.")], id="op-not-an-object"),
        pytest.param(
            [{"op": "delete", "path": "/x"}],
            [("/0/op", "Unknown op 'delete'; use one of add, remove, replace, move, copy, test.")],
            id="unknown-op",
        ),
        pytest.param(
            [{"op": "remove"}], [("/0", "The 'remove' operation needs 'path'.")], id="path"
        ),
        pytest.param(
            [{"op": "replace", "path": "/title"}],
            [("/0", "The 'replace' operation needs 'value'.")],
            id="value",
        ),
        pytest.param(
            [{"op": "move", "path": "/title"}],
            [("/0", "The 'move' operation needs 'from'.")],
            id="from",
        ),
        pytest.param(
            [{"op": "test", "path": "/done", "value": False}, {"op": "remove", "path": "note"}],
            [("/1/path", BAD_POINTER)],
            id="relative-path",
        ),
    ],
)
def test_json_patch_malformed_returns_422_at_pointer_into_patch(
    client: FlaskClient, calls: Calls, patch: Any, errors: list[tuple[str, str]]
) -> None:
    response = send(client, patch, content_type=JSON_PATCH)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(*errors)
    assert calls == []


@pytest.mark.parametrize("op", [["add"], {"op": "add"}], ids=["list", "object"])
def test_json_patch_with_unhashable_op_returns_422(client: FlaskClient, op: Any) -> None:
    response = send(client, [{"op": op, "path": "/title", "value": "x"}], content_type=JSON_PATCH)

    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"] == "/0/op"


def test_json_patch_with_malformed_pointer_returns_422(client: FlaskClient) -> None:
    response = send(
        client, [{"op": "add", "path": "/extra/a~2", "value": 1}], content_type=JSON_PATCH
    )

    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"] == "/0/path"


@pytest.mark.parametrize(
    ("patch", "errors"),
    [
        pytest.param(
            [{"op": "remove", "path": "/title"}],
            [("/title", "Missing data for required field.")],
            id="required-removed",
        ),
        pytest.param(
            [{"op": "add", "path": "/id", "value": 7}],
            [("/id", "This field is read-only.")],
            id="read-only-added",
        ),
        pytest.param(
            [{"op": "add", "path": "/place/checked_at", "value": "2026-02-01T00:00:00+00:00"}],
            [("/place/checked_at", "This field is read-only.")],
            id="nested-read-only-added",
        ),
        pytest.param(
            [{"op": "replace", "path": "/title", "value": ""}],
            [("/title", "Length must be between 1 and 20.")],
            id="validator",
        ),
        pytest.param(
            [{"op": "replace", "path": "", "value": []}], [("", "Invalid input type.")], id="root"
        ),
    ],
)
def test_json_patch_with_invalid_result_returns_422(
    client: FlaskClient, calls: Calls, patch: list[Any], errors: list[tuple[str, str]]
) -> None:
    response = send(client, patch, content_type=JSON_PATCH)

    assert response.status_code == 422
    assert response.get_json() == unprocessable(*errors)
    assert calls == []


@pytest.mark.parametrize(
    ("value", "status"),
    [(False, 200), (0, 409), (None, 409), ("false", 409)],
    ids=["same", "zero", "null", "string"],
)
def test_json_patch_test_compares_json_types(client: FlaskClient, value: Any, status: int) -> None:
    patch = [{"op": "test", "path": "/done", "value": value}]

    response = send(client, patch, content_type=JSON_PATCH)

    assert response.status_code == status
