"""The conditional requests page's app: ETags, 304, 412 and 428 on a to-do list.

Run it with `flask --app conditional run` and try it with curl; see docs/conditional.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from flask import Flask, url_for
from marshmallow import Schema, fields, validate

from restkit import Api, Blueprint, Conditional, Resource, operation
from restkit.problems import NotFound


# --8<-- [start:schemas]
class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    done = fields.Boolean(load_default=False)
    version = fields.Integer(dump_only=True)


# --8<-- [end:schemas]

# --8<-- [start:store]
# In memory, keyed by id. Every write bumps `version` and stamps `updated_at`.
TASKS: dict[int, dict[str, Any]] = {}
NEXT_ID = itertools.count(1)


def now() -> dt.datetime:
    """Return the current time, in UTC."""
    return dt.datetime.now(dt.UTC)


def find_task(task_id: int) -> dict[str, Any]:
    """Return the task with this id, or answer 404."""
    try:
        return TASKS[task_id]
    except KeyError:
        raise NotFound(f"There is no task {task_id}.") from None


# --8<-- [end:store]


# --8<-- [start:resources]
# Every response of the blueprint with a task in it gets a strong ETag from its version
# ("3") and a Last-Modified date; lists get a weak ETag computed from the body.
tasks = Blueprint(
    "tasks",
    description="The to-do list.",
    conditional=Conditional(version="version", last_modified="updated_at"),
)


@tasks.route("/tasks")
class Tasks(Resource):
    """The collection of tasks."""

    @operation(response=TaskSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List tasks, oldest first."""
        return list(TASKS.values())

    @operation(body=TaskSchema, response=TaskSchema, status=201)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Create a task."""
        task = {"id": next(NEXT_ID), "version": 1, "updated_at": now(), **body}
        TASKS[task["id"]] = task
        return task, 201, {"Location": url_for(".TaskItem", task_id=task["id"])}


@tasks.route("/tasks/<int:task_id>")
class TaskItem(Resource):
    """One task."""

    # The blueprint's declaration, and PUT and DELETE need If-Match (428 without it).
    conditional = Conditional(version="version", last_modified="updated_at", require_if_match=True)

    def get_object(self, task_id: int) -> dict[str, Any]:
        """Return the task the URL names: its preconditions are checked against it."""
        return find_task(task_id)

    @operation(response=TaskSchema)
    def get(self, task_id: int) -> dict[str, Any]:
        """Read a task."""
        return find_task(task_id)

    @operation(body=TaskSchema, response=TaskSchema)
    def put(self, task_id: int, body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """Replace a task; send its ETag in If-Match."""
        current.update(body, version=current["version"] + 1, updated_at=now())
        return current

    @operation(status=204)
    def delete(self, task_id: int) -> None:
        """Delete a task; send its ETag in If-Match."""
        del TASKS[task_id]


# --8<-- [end:resources]


# --8<-- [start:app]
api = Api(url_prefix="/v1")
api.register_blueprint(tasks)


def create_app() -> Flask:
    """Return a Flask app serving the API under /v1."""
    app = Flask(__name__)
    api.init_app(app)
    return app


# --8<-- [end:app]
