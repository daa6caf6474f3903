"""The pagination page's app: tasks listed by page number, an activity feed by cursor.

Run it with `flask --app pagination run` and try it with curl; see docs/pagination.md.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from marshmallow import Schema, fields

from restkit import (
    Api,
    Blueprint,
    CursorPagination,
    Page,
    PagePagination,
    PageRequest,
    Resource,
    operation,
)


# --8<-- [start:schemas]
class TaskSchema(Schema):
    """A task."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True)
    done = fields.Boolean(load_default=False)


class TaskFilter(Schema):
    """The query string of the task list, besides the page parameters."""

    done = fields.Boolean()


class EventSchema(Schema):
    """Something that happened to a task."""

    id = fields.Integer()
    message = fields.String()


# --8<-- [end:schemas]

# In memory, oldest first: enough for an example.
TASKS: list[dict[str, Any]] = [
    {"id": n, "title": f"Task {n}", "done": n % 3 == 0} for n in range(1, 8)
]
EVENTS: list[dict[str, Any]] = [{"id": n, "message": f"Task {n} created"} for n in range(1, 6)]


# --8<-- [start:tasks]
tasks = Blueprint("tasks", description="The to-do list.")


@tasks.route("/tasks")
class Tasks(Resource):
    """The collection of tasks."""

    # No pagination here: the list is paginated by the Api's PagePagination (below).
    @operation(query=TaskFilter, response=TaskSchema(many=True))
    def get(self, query: dict[str, Any], page: PageRequest) -> Page[dict[str, Any]]:
        """List tasks, oldest first."""
        done = query.get("done")
        found = [task for task in TASKS if done is None or task["done"] == done]
        return Page(found[page.offset : page.offset + page.limit], total=len(found))


# --8<-- [end:tasks]


# --8<-- [start:events]
@tasks.route("/events")
class Events(Resource):
    """What happened to the tasks, newest first."""

    pagination = CursorPagination(default_size=2, max_size=50, max_age=24 * 3600)

    @operation(response=EventSchema(many=True))
    def get(self, page: PageRequest) -> Page[dict[str, Any]]:
        """List events, newest first."""
        before = page.cursor  # the id this page starts below; None on the first page
        newest_first = sorted(EVENTS, key=lambda event: event["id"], reverse=True)
        rows = [event for event in newest_first if before is None or event["id"] < before]
        rows = rows[: page.limit + 1]  # one more than asked for says whether more follow
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        return Page(rows, next_cursor=rows[-1]["id"] if more else None)


# --8<-- [end:events]


# --8<-- [start:app]
api = Api(url_prefix="/v1", pagination=PagePagination(default_size=2, max_size=50))
api.register_blueprint(tasks)


def create_app() -> Flask:
    """Return a Flask app serving the API under /v1."""
    app = Flask(__name__)
    # Cursors are signed with the app's SECRET_KEY: set a real one outside development.
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev only: not a secret")
    api.init_app(app)
    return app


# --8<-- [end:app]
