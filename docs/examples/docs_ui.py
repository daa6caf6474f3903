"""The documentation pages of a small API: the example of docs/docs-ui.md.

The API serves its OpenAPI document with Swagger UI, ReDoc and Scalar under `/v1`. In
production the pages ask for the staff password (HTTP Basic), which the browser prompts
for. A part of the app that is not on restkit yet gets Swagger UI for its own, hand-written
document under `/legacy`.

Run it with `flask --app docs_ui run` and open http://127.0.0.1:5000/v1/docs.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from restkit import Api, Blueprint, Resource, operation
from restkit.docs_ui import DocsUI, make_docs_blueprint
from restkit.problems import Unauthorized


class TaskSchema(Schema):
    """A task as clients read it."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True)


tasks = Blueprint("tasks", description="The caller's to-do list.")


@tasks.route("/tasks")
class Tasks(Resource):
    """The to-do list."""

    @operation(response=TaskSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the tasks."""
        return [{"id": 1, "title": "Buy milk"}]


# --8<-- [start:guard]
def staff_only(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Ask for the staff password (HTTP Basic) when `DOCS_PASSWORD` is configured."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        expected = current_app.config.get("DOCS_PASSWORD")
        if expected is not None:
            given = request.authorization
            password = given.password if given is not None and given.type == "basic" else None
            # compare_digest takes as long for a wrong first letter as for a wrong last one
            if password is None or not hmac.compare_digest(password.encode(), expected.encode()):
                raise Unauthorized(
                    "The API documentation is for staff.",
                    headers={"WWW-Authenticate": 'Basic realm="Tasks API docs", charset="UTF-8"'},
                )
        return view(*args, **kwargs)

    return guarded


# --8<-- [end:guard]


# --8<-- [start:api]
api = Api(
    name="v1",
    url_prefix="/v1",
    title="Tasks API",
    version="1.2.0",
    spec_decorators=[staff_only],  # the document, the pages and their scripts
)
api.register_blueprint(tasks)
# --8<-- [end:api]


# --8<-- [start:standalone]
LEGACY_DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Tasks API (legacy)", "version": "0.9.0"},
    "paths": {
        "/legacy/todo": {
            "get": {
                "operationId": "listTodo",
                "responses": {"200": {"description": "The to-do list."}},
            }
        }
    },
}

legacy = FlaskBlueprint("legacy", __name__)


@legacy.get("/todo")
def list_todo() -> ResponseReturnValue:
    """The legacy to-do list."""
    return jsonify(["Buy milk"])


@legacy.get("/openapi.json")
def legacy_document() -> ResponseReturnValue:
    """The legacy part's hand-written OpenAPI document."""
    return jsonify(LEGACY_DOCUMENT)


legacy_docs = make_docs_blueprint(
    "legacy_docs",
    spec_url="/legacy/openapi.json",  # from the app's root, as the blueprints are mounted
    title="Tasks API (legacy)",
    ui=DocsUI(swagger_ui="/docs", redoc=None, scalar=None),  # Swagger UI only
)
# --8<-- [end:standalone]


# --8<-- [start:app]
def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Make the app; `config` may set `DOCS_PASSWORD` and the `RESTKIT_*` page paths."""
    app = Flask(__name__)
    app.config.update(config or {})
    api.init_app(app)
    app.register_blueprint(legacy, url_prefix="/legacy")
    app.register_blueprint(legacy_docs, url_prefix="/legacy")
    return app


# --8<-- [end:app]
