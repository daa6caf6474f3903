"""Helpers of the conditional request tests: a fake database of tasks and its resources."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient
from marshmallow import Schema, fields
from werkzeug.test import TestResponse

from restkit import Conditional, Resource, operation
from restkit.problems import NotFound

Row = dict[str, Any]

PROBLEM_JSON = "application/problem+json"
T0 = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
T0_HTTP = "Fri, 02 Jan 2026 03:04:05 GMT"
LATER_HTTP = "Fri, 02 Jan 2026 04:04:05 GMT"  # T0 + 1 hour, when a write stamps a row
SECOND_BEFORE = "Fri, 02 Jan 2026 03:04:04 GMT"
SECOND_AFTER = "Fri, 02 Jan 2026 03:04:06 GMT"
WEAK_TAG = re.compile(r'W/"[A-Za-z0-9_-]{22}"')
VERSIONED = Conditional(version="version", last_modified="updated_at")

PRECONDITION_FAILED = {
    "type": "about:blank",
    "title": "Precondition Failed",
    "status": 412,
    "detail": (
        "The resource has changed since you read it (or does not match your precondition). "
        "GET it again, reapply your change and send it with the new ETag in If-Match."
    ),
}
PRECONDITION_REQUIRED = {
    "type": "about:blank",
    "title": "Precondition Required",
    "status": 428,
    "detail": (
        "This resource requires If-Match on writes, so no change is lost: GET it, then send "
        "its ETag in If-Match."
    ),
}


class TaskSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True)
    version = fields.Integer(dump_only=True)


@dataclass
class FakeDb:
    """Tasks by id, and what the resources did to them."""

    rows: dict[int, Row] = field(
        default_factory=lambda: {1: {"id": 1, "title": "Buy milk", "version": 3, "updated_at": T0}}
    )
    writes: list[tuple[str, int]] = field(default_factory=list)
    loads: list[int] = field(default_factory=list)
    currents: list[Row] = field(default_factory=list)


def task_resources(
    db: FakeDb, declared: Conditional | bool | None = VERSIONED
) -> dict[str, type[Resource]]:
    """Return the task list and item resources over `db`, both with `conditional=declared`."""

    def write(method: str, task_id: int, current: Row | None, body: Row) -> Row:
        db.writes.append((method, task_id))
        db.currents.append(current)
        current = current if current is not None else db.rows[task_id]
        row = {
            **current,
            **body,
            "version": current["version"] + 1,
            "updated_at": current["updated_at"] + dt.timedelta(hours=1),
        }
        db.rows[task_id] = row
        return row

    class Tasks(Resource):
        conditional = declared

        @operation(response=TaskSchema(many=True))
        def get(self) -> list[Row]:
            return list(db.rows.values())

        @operation(body=TaskSchema, response=TaskSchema, status=201)
        def post(self, body: Row) -> tuple[Row, int, dict[str, str]]:
            task_id = max(db.rows, default=0) + 1
            db.rows[task_id] = {"id": task_id, "version": 1, "updated_at": T0, **body}
            db.writes.append(("POST", task_id))
            return db.rows[task_id], 201, {"Location": f"/tasks/{task_id}"}

    class TaskItem(Resource):
        conditional = declared

        def get_object(self, task_id: int) -> Row | None:
            db.loads.append(task_id)
            return db.rows.get(task_id)

        @operation(response=TaskSchema)
        def get(self, task_id: int) -> Row:
            if task_id not in db.rows:
                raise NotFound(f"There is no task {task_id}.")
            return db.rows[task_id]

        @operation(body=TaskSchema, response=TaskSchema)
        def put(self, task_id: int, body: Row, current: Row | None = None) -> Row:
            return write("PUT", task_id, current, body)

        @operation(body=TaskSchema(partial=True), response=TaskSchema)
        def patch(self, task_id: int, body: Row, current: Row | None = None) -> Row:
            return write("PATCH", task_id, current, body)

        @operation(status=204)
        def delete(self, task_id: int) -> None:
            db.writes.append(("DELETE", task_id))
            del db.rows[task_id]

    return {"/tasks": Tasks, "/tasks/<int:task_id>": TaskItem}


def send(
    client: FlaskClient, method: str, headers: dict[str, str], url: str = "/tasks/1"
) -> TestResponse:
    """Send a request with the body its method takes."""
    body = {"PUT": {"title": "Buy oat milk"}, "PATCH": {"title": "Buy oat milk"}}.get(method)
    return client.open(url, method=method, json=body, headers=headers)


UNCHANGED = {1: {"id": 1, "title": "Buy milk", "version": 3, "updated_at": T0}}
