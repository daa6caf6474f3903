"""The flask-smorest migration page's app: a to-do list, ported from flask-smorest to restkit.

The page shows the flask-smorest code this replaces; run this one with
`flask --app migration run` and try it with curl. See docs/migrating-from-flask-smorest.md.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from restkit import (
    Api,
    Blueprint,
    Conditional,
    Page,
    PagePagination,
    PageRequest,
    Resource,
    operation,
)
from restkit.problems import NotFound
from restkit.spec.diff import Change, diff_specs


# --8<-- [start:schemas]
# The schemas move over unchanged.
class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    done = fields.Boolean(load_default=False)
    version = fields.Integer(dump_only=True)


class TaskFilterSchema(Schema):
    """The query string of the task list, besides the page parameters."""

    done = fields.Boolean()


# --8<-- [end:schemas]

# --8<-- [start:store]
# In memory, keyed by id: enough for an example. Every write bumps `version`.
TASKS: dict[int, dict[str, Any]] = {}
IDS = itertools.count(1)


def find_task(task_id: int) -> dict[str, Any]:
    """Return the task with this id, or answer 404."""
    try:
        return TASKS[task_id]
    except KeyError:
        # flask-smorest: abort(404, message=...)
        raise NotFound(f"There is no task {task_id}.") from None


# --8<-- [end:store]


# --8<-- [start:compat]
def page_metadata(number: int, size: int, total: int) -> dict[str, int]:
    """Return what flask-smorest's X-Pagination header said about a page."""
    if total == 0:
        return {"total": 0, "total_pages": 0}
    last = -(-total // size)  # the number of pages, rounded up
    metadata = {"total": total, "total_pages": last, "first_page": 1, "last_page": last}
    if number <= last:
        metadata["page"] = number
        if number > 1:
            metadata["previous_page"] = number - 1
        if number < last:
            metadata["next_page"] = number + 1
    return metadata


def legacy_x_pagination(view: Callable[..., Any]) -> Callable[..., Any]:
    """Add the X-Pagination header that app versions built for flask-smorest read.

    restkit sends the page links in `Link` and the total in `X-Total-Count`; this keeps the
    old header beside them until those app versions are gone.
    """

    @functools.wraps(view)
    def wrapper(**kwargs: Any) -> ResponseReturnValue:
        response = view(**kwargs)
        total = response.headers.get("X-Total-Count")
        if request.method in ("GET", "HEAD") and response.status_code == 200 and total:
            # restkit has checked both values by now: a bad one is a 422, not a 200.
            number = int(request.args.get("page", 1))
            size = int(request.args.get("per_page", PAGES.default_size))
            metadata = page_metadata(number, size, int(total))
            response.headers["X-Pagination"] = json.dumps(metadata)
        return response

    return wrapper


# --8<-- [end:compat]


# --8<-- [start:resources]
# flask-smorest's defaults: 10 per page, at most 100.
PAGES = PagePagination(default_size=10, max_size=100)

# flask-smorest: Blueprint("tasks", __name__, description=...)
tasks = Blueprint("tasks", description="The to-do list.")


@tasks.route("/tasks")
class Tasks(Resource):
    """The collection of tasks."""

    pagination = PAGES
    decorators = (legacy_x_pagination,)  # drop it once no installed app reads X-Pagination

    @operation(query=TaskFilterSchema, response=TaskSchema(many=True))
    def get(self, query: dict[str, Any], page: PageRequest) -> Page[dict[str, Any]]:
        """List tasks, oldest first."""
        done = query.get("done")
        found = [task for task in TASKS.values() if done is None or task["done"] == done]
        return Page(found[page.offset : page.offset + page.limit], total=len(found))

    @operation(body=TaskSchema, response=TaskSchema, status=201)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Create a task."""
        task = {"id": next(IDS), "version": 1, **body}
        TASKS[task["id"]] = task
        return task, 201, {"Location": url_for(".TaskItem", task_id=task["id"])}


@tasks.route("/tasks/<int:task_id>")
class TaskItem(Resource):
    """One task."""

    # flask-smorest: @blp.etag on each method, and blp.check_etag(...) in put and delete.
    conditional = Conditional(version="version", require_if_match=True)

    def get_object(self, task_id: int) -> dict[str, Any]:
        """Return the task the URL names: preconditions are checked against it."""
        return find_task(task_id)

    @operation(response=TaskSchema)
    def get(self, task_id: int, current: dict[str, Any]) -> dict[str, Any]:
        """Read a task."""
        return current

    @operation(body=TaskSchema, response=TaskSchema)
    def put(self, task_id: int, body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """Replace a task; send its ETag in If-Match."""
        current.update(body, version=current["version"] + 1)
        return current

    @operation(status=204)
    def delete(self, task_id: int) -> None:
        """Delete a task; send its ETag in If-Match."""
        del TASKS[task_id]


# --8<-- [end:resources]


# --8<-- [start:app]
# flask-smorest: API_TITLE, API_VERSION, OPENAPI_VERSION and OPENAPI_URL_PREFIX in the config.
api = Api(url_prefix="/v1", title="Tasks", version="1.0.0", openapi_version="3.0.3")
api.register_blueprint(tasks)


def create_app() -> Flask:
    """Return a Flask app serving the API under /v1, its document at /v1/openapi.json."""
    app = Flask(__name__)
    api.init_app(app)
    return app


# --8<-- [end:app]


# --8<-- [start:diff]
def diff_migrated(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Compare restkit's document with flask-smorest's, for the paths restkit serves.

    While some blueprints are still served by flask-smorest, restkit's document lacks their
    paths, which `flask restkit diff` would report as removed operations. This compares only
    the operations that moved.
    """

    def shape(path: str) -> str:  # /tasks/{task_id} and /tasks/{id} are one URL
        return re.sub(r"\{[^}]*\}", "{}", path)

    moved = {shape(path) for path in new.get("paths", {})}
    paths = {path: item for path, item in old.get("paths", {}).items() if shape(path) in moved}
    return diff_specs({**old, "paths": paths}, new)


# --8<-- [end:diff]
