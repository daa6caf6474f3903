"""The deprecation guide's app: an old search on its way out, and a method that is replaced.

`GET /v1/tasks/search` is deprecated since 1 September 2026 and goes away on 1 March 2027;
`PUT /v1/tasks/<id>` is deprecated in favour of PATCH. See docs/deprecation.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from marshmallow import Schema, fields, validate

from restkit import Api, Blueprint, Deprecation, Resource, operation
from restkit.problems import NotFound


class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    done = fields.Boolean(load_default=False)


class TaskFilter(Schema):
    """The query string of the task list."""

    q = fields.String(load_default="")


class SearchQuery(Schema):
    """The query string of the old search."""

    text = fields.String(required=True)


# The tasks live in memory, keyed by id: enough for an example.
TASKS: dict[int, dict[str, Any]] = {
    1: {"id": 1, "title": "Buy milk", "done": False},
    2: {"id": 2, "title": "Book the dentist", "done": True},
}


def find_tasks(text: str) -> list[dict[str, Any]]:
    """Return the tasks whose title contains `text`, ignoring case."""
    return [task for task in TASKS.values() if text.lower() in task["title"].lower()]


# --8<-- [start:resources]
tasks = Blueprint("tasks", description="The to-do list.")


@tasks.route("/tasks")
class Tasks(Resource):
    """The collection of tasks."""

    @operation(query=TaskFilter, response=TaskSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """List tasks, those whose title contains `q` if given."""
        return find_tasks(query["q"])


@tasks.route("/tasks/search")
class TaskSearch(Resource):
    """The first app versions' search, replaced by `GET /tasks?q=...`."""

    # Every operation of this resource is deprecated.
    deprecated = Deprecation(
        since=date(2026, 9, 1),
        sunset=date(2027, 3, 1),
        link="https://example.com/changelog#task-search",
    )

    @operation(query=SearchQuery, response=TaskSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Search tasks by title."""
        return find_tasks(query["text"])


@tasks.route("/tasks/<int:task_id>")
class TaskItem(Resource):
    """One task."""

    @operation(response=TaskSchema)
    def get(self, task_id: int) -> dict[str, Any]:
        """Read a task."""
        if task_id not in TASKS:
            raise NotFound(f"There is no task {task_id}.")
        return TASKS[task_id]

    # Only this operation is deprecated: no date is set yet.
    @operation(body=TaskSchema, response=TaskSchema, deprecated=True)
    def put(self, task_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Replace a task. Deprecated: send a PATCH instead."""
        if task_id not in TASKS:
            raise NotFound(f"There is no task {task_id}.")
        TASKS[task_id] = {"id": task_id, **body}
        return TASKS[task_id]


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
