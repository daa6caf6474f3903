"""The quickstart's app: a to-do list API that lists, creates, reads and deletes tasks.

Run it with `flask --app quickstart run` and try it with curl; see docs/quickstart.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from flask import Flask, url_for
from marshmallow import Schema, fields, validate

from restkit import Api, Blueprint, Resource, operation
from restkit.problems import NotFound


# --8<-- [start:schemas]
class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    done = fields.Boolean(load_default=False)
    created_at = fields.DateTime(dump_only=True)


class TaskFilter(Schema):
    """The query string of the task list."""

    done = fields.Boolean()
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


# --8<-- [end:schemas]


# --8<-- [start:store]
# The tasks live in memory, keyed by id: enough for a tutorial, gone when the process stops.
TASKS: dict[int, dict[str, Any]] = {}
NEXT_ID = itertools.count(1)  # ids are never reused, even after a delete


def find_task(task_id: int) -> dict[str, Any]:
    """Return the task with this id, or answer 404."""
    try:
        return TASKS[task_id]
    except KeyError:
        raise NotFound(f"There is no task {task_id}.") from None


# --8<-- [end:store]


# --8<-- [start:resources]
tasks = Blueprint("tasks", description="The to-do list.")


@tasks.route("/tasks")
class Tasks(Resource):
    """The collection of tasks."""

    @operation(query=TaskFilter, response=TaskSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """List tasks, oldest first."""
        done = query.get("done")
        found = [task for task in TASKS.values() if done is None or task["done"] == done]
        return found[: query["limit"]]

    @operation(body=TaskSchema, response=TaskSchema, status=201)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Create a task."""
        task = {"id": next(NEXT_ID), "created_at": dt.datetime.now(dt.UTC), **body}
        TASKS[task["id"]] = task
        return task, 201, {"Location": url_for(".TaskItem", task_id=task["id"])}


@tasks.route("/tasks/<int:task_id>")
class TaskItem(Resource):
    """One task."""

    @operation(response=TaskSchema)
    def get(self, task_id: int) -> dict[str, Any]:
        """Read a task."""
        return find_task(task_id)

    @operation(status=204)
    def delete(self, task_id: int) -> None:
        """Delete a task."""
        find_task(task_id)
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
