"""The PATCH guide's app: a task changed with a merge patch or a JSON Patch.

`PATCH /v1/tasks/<id>` takes `application/merge-patch+json` (RFC 7396) or
`application/json-patch+json` (RFC 6902); see docs/patch.md.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from marshmallow import Schema, fields, validate

from restkit import Api, Blueprint, Resource, operation
from restkit.problems import NotFound


# --8<-- [start:schemas]
class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    note = fields.String(allow_none=True, load_default=None)  # null clears it
    done = fields.Boolean(load_default=False)
    tags = fields.List(fields.String(), load_default=list)


# --8<-- [end:schemas]

# The tasks live in memory, keyed by id: enough for an example.
TASKS: dict[int, dict[str, Any]] = {
    1: {"id": 1, "title": "Buy milk", "note": "Oat, 2 litres", "done": False, "tags": ["home"]},
}


# --8<-- [start:resource]
tasks = Blueprint("tasks", description="The to-do list.")


@tasks.route("/tasks/<int:task_id>")
class TaskItem(Resource):
    """One task."""

    def get_object(self, task_id: int) -> dict[str, Any] | None:
        """Return the task the URL names; `None` answers 404."""
        return TASKS.get(task_id)

    @operation(response=TaskSchema)
    def get(self, task_id: int) -> dict[str, Any]:
        """Read a task."""
        task = self.get_object(task_id)
        if task is None:
            raise NotFound(f"There is no task {task_id}.")
        return task

    @operation(body=TaskSchema, response=TaskSchema, patch=("merge", "json"))
    def patch(self, task_id: int, body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """Change a task with a merge patch or a JSON Patch."""
        # `body` is the whole task after the patch, validated with TaskSchema.
        current.update(body)
        return current


# --8<-- [end:resource]


# --8<-- [start:app]
api = Api(url_prefix="/v1")
api.register_blueprint(tasks)


def create_app() -> Flask:
    """Return a Flask app serving the API under /v1."""
    app = Flask(__name__)
    api.init_app(app)
    return app


# --8<-- [end:app]
