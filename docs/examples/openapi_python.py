"""The OpenAPI document from Python: the example of docs/openapi.md.

An app with two APIs, a script that writes the document of each in both OpenAPI versions,
and two tests a project can keep in its own suite (`pip install openapi-spec-validator`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from marshmallow import Schema, fields
from openapi_spec_validator import validate

from restkit import Api, Blueprint, Resource, operation
from restkit.api import get_apis
from restkit.spec.document import spec_to_json, spec_to_yaml


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
        return []


v1 = Api(name="v1", url_prefix="/v1", title="Tasks API", version="1.4.0")
v1.register_blueprint(tasks)
v2 = Api(name="v2", url_prefix="/v2", title="Tasks API", version="2.0.0")
v2.register_blueprint(tasks)


def create_app() -> Flask:
    """Make the app, with both APIs."""
    app = Flask(__name__)
    v1.init_app(app)
    v2.init_app(app)
    return app


# --8<-- [start:write]
def write_documents(app: Flask, directory: Path) -> list[Path]:
    """Write every API's document, in OpenAPI 3.1 (JSON) and 3.0.3 (YAML)."""
    written = []
    for name, api in get_apis(app).items():  # {"v1": v1, "v2": v2}, in mounting order
        latest = directory / f"{name}.json"
        latest.write_bytes(spec_to_json(api.spec(app)))  # the document the API serves
        older = directory / f"{name}-3.0.yaml"
        older.write_text(spec_to_yaml(api.make_spec(app, openapi_version="3.0")))
        written += [latest, older]
    return written


# --8<-- [end:write]


# --8<-- [start:tests]
def test_openapi_documents_are_valid() -> None:
    """Every API's document is valid OpenAPI, in both versions."""
    app = create_app()
    for api in get_apis(app).values():
        validate(api.spec(app))
        validate(api.make_spec(app, openapi_version="3.0"))


def test_every_operation_has_a_summary() -> None:
    """Every operation has a docstring, which becomes its summary."""
    app = create_app()
    spec = v1.spec(app)
    missing = [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, described in item.items()
        if "summary" not in described
    ]
    assert missing == []


# --8<-- [end:tests]
