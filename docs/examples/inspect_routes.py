"""Reading an API's declarations back: an example of docs/resources.md.

`Api.blueprints`, `Blueprint.routes` and `Route.operations` hold what was declared, as
frozen records, before any app is made.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from restkit import Api, Blueprint, Resource, operation


class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True)


tasks = Blueprint("tasks", description="The to-do list.")


@tasks.route("/tasks")
class Tasks(Resource):
    """The to-do list."""

    @operation(response=TaskSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the tasks."""
        return []

    @operation(body=TaskSchema, response=TaskSchema, status=201)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a task."""
        return {"id": 1, **body}, 201, {"Location": "/v1/tasks/1"}


@tasks.route("/tasks/<int:task_id>")
class TaskItem(Resource):
    """One task."""

    @operation(status=204)
    def delete(self, task_id: int) -> None:
        """Delete a task."""


api = Api(name="v1", url_prefix="/v1")
api.register_blueprint(tasks)


# --8<-- [start:table]
def route_table(api: Api) -> list[str]:
    """One line per operation: method, URL rule, method name, inputs and statuses."""
    lines = []
    for blueprint in api.blueprints:
        for route in blueprint.routes.values():
            rule = api.url_prefix + blueprint.url_prefix + route.rule
            for method, declared in route.operations.items():
                inputs = ", ".join(declared.inputs) or "-"
                statuses = ", ".join(map(str, declared.responses))
                lines.append(f"{method:6} {rule:24} {declared.qualname:16} {inputs:6} {statuses}")
    return lines


# --8<-- [end:table]
