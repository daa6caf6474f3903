"""The task resource the PATCH tests share (tests/test_patch.py, tests/test_patch_json.py)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

from flask.testing import FlaskClient
from marshmallow import Schema, fields, validate
from werkzeug.test import TestResponse

from restkit import Resource, operation
from restkit.patch import MERGE_PATCH

PROBLEM_JSON = "application/problem+json"


class Place(Schema):
    city = fields.String(required=True)
    zip = fields.String(allow_none=True)
    checked_at = fields.DateTime(dump_only=True)


class TaskSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=20))
    note = fields.String(allow_none=True)
    done = fields.Boolean()
    tags = fields.List(fields.String())
    place = fields.Nested(Place, allow_none=True)
    extra = fields.Dict(keys=fields.String())


class Body(Schema):
    title = fields.String()


CHECKED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
TASK = {
    "id": 1,
    "title": "Buy milk",
    "note": "2 litres",
    "done": False,
    "tags": ["home"],
    "place": {"city": "Oslo", "zip": "0150", "checked_at": CHECKED},
    "extra": {"a": 1, "b": {"c": 2}},
}
# What the method receives for an empty patch: the writable members of TASK, loaded.
WRITABLE = {
    "title": "Buy milk",
    "note": "2 litres",
    "done": False,
    "tags": ["home"],
    "place": {"city": "Oslo", "zip": "0150"},
    "extra": {"a": 1, "b": {"c": 2}},
}

Calls = list[tuple[dict[str, Any], Any]]


def changed(changes: dict[str, Any], removed: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return WRITABLE with `changes` applied and the `removed` members left out."""
    result = {**copy.deepcopy(WRITABLE), **changes}
    for name in removed:
        del result[name]
    return result


def task_item(tasks: dict[int, Any], calls: Calls, formats: Any = ("merge", "json")) -> type:
    """Return a resource whose patch() records what it got and answers with the result."""

    class TaskItem(Resource):
        def get_object(self, task_id: int) -> Any:
            return tasks.get(task_id)

        @operation(body=TaskSchema, response=TaskSchema, patch=formats)
        def patch(self, task_id: int, body: dict[str, Any], current: Any) -> Any:
            calls.append((body, current))
            tasks[task_id] = {"id": task_id, **body}
            return tasks[task_id]

    return TaskItem


def send(
    client: FlaskClient, patch: Any, content_type: str | None = MERGE_PATCH, url: str = "/tasks/1"
) -> TestResponse:
    """PATCH `url` with `patch` as JSON (bytes are sent as they are)."""
    data = patch if isinstance(patch, bytes) else json.dumps(patch).encode()
    return client.patch(url, data=data, content_type=content_type)


def unprocessable(*errors: tuple[str, str]) -> dict[str, Any]:
    """Return the 422 problem listing body errors given as (pointer, detail)."""
    count = len(errors)
    return {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": f"The request contains {count} invalid value{'s' if count > 1 else ''}.",
        "errors": [{"in": "body", "pointer": p, "detail": d} for p, d in errors],
    }
