"""Start-up and full spec build: from nothing to the OpenAPI dict of a 200-resource API.

Each measurement runs in a fresh Python process (`python -m benchmarks.startup FRAMEWORK N`),
so no framework profits from modules another already imported or from a warm cache: the
clock starts before the framework (and Flask, and marshmallow) is imported and stops when
the whole OpenAPI document is in hand as a dict. The API has N generated resources with five
operations each (list, create, read, replace, delete), each with its own schema, declared as
each framework's users would write them by hand. Interpreter start-up, the same for all, is
not counted. One unmeasured run per framework first warms the disk cache and the `.pyc` files.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["BY_HAND", "BY_HAND_LAZY", "SPEC_FRAMEWORKS", "Startup", "measure_once", "run"]

ROOT = Path(__file__).resolve().parent.parent
BY_HAND = "Flask + apispec by hand"
BY_HAND_LAZY = "Flask + apispec by hand, URL builders on first use"
SPEC_FRAMEWORKS = (
    "restkit",
    "flask-smorest",
    "APIFlask",
    "Flask-RESTX",
    BY_HAND,
    BY_HAND_LAZY,
)
"""The frameworks that build an API description (the baseline of the ratio: flask-smorest).

`BY_HAND` is the floor of the frameworks built on Flask, marshmallow and apispec: plain Flask
routes and `APISpec.path` calls with the same schemas, no validation or serialization set up.
`BY_HAND_LAZY` is the same with the routes' URL builders compiled on first use, as restkit
compiles those of its routes (`restkit._rules.lazy_builders`): the lowest floor known.
"""
IMPORTS = {
    "restkit": ("flask", "marshmallow", "restkit"),
    "flask-smorest": ("flask", "marshmallow", "flask_smorest"),
    "APIFlask": ("flask", "marshmallow", "apiflask"),
    "Flask-RESTX": ("flask", "flask_restx"),
    BY_HAND: ("flask", "marshmallow", "apispec", "apispec.ext.marshmallow"),
    BY_HAND_LAZY: ("flask", "marshmallow", "apispec", "apispec.ext.marshmallow"),
}
"""The modules each framework's users import before they declare anything."""
UNTIMED = {BY_HAND_LAZY: ("restkit._rules",)}
"""Modules imported after the timed imports, off the clock: what a floor borrows."""
OPERATIONS = {"get", "put", "post", "delete", "patch"}


def _schema(index: int, owner: Any) -> Any:
    from marshmallow import Schema, fields, validate

    return type(
        f"Thing{index}Schema",
        (Schema,),
        {
            "id": fields.Integer(dump_only=True),
            "name": fields.String(required=True, validate=validate.Length(min=1, max=100)),
            "price": fields.Decimal(required=True, as_string=True),
            "tags": fields.List(fields.String()),
            "created_at": fields.DateTime(dump_only=True),
            "owner": fields.Nested(owner, dump_only=True),
        },
    )


def _owner() -> Any:
    from marshmallow import Schema, fields

    return type("OwnerSchema", (Schema,), {"id": fields.Integer(), "name": fields.String()})


def _views() -> dict[str, Any]:
    """Return five fresh view functions, one per operation (their bodies never run)."""

    def index(self: Any) -> Any:
        return []

    def create(self: Any, body: Any) -> Any:
        return body

    def read(self: Any, thing_id: int) -> Any:
        return None

    def replace(self: Any, body: Any, thing_id: int) -> Any:
        return body

    def remove(self: Any, thing_id: int) -> None:
        return None

    return {"index": index, "create": create, "read": read, "replace": replace, "remove": remove}


def build_restkit(count: int) -> dict[str, Any]:
    """Declare the generated API with restkit and return its OpenAPI document."""
    from flask import Flask

    from restkit import Api, Blueprint, Resource, operation

    owner, blueprint = _owner(), Blueprint("things")
    for i in range(count):
        schema, view = _schema(i, owner), _views()
        collection = {
            "get": operation(response=schema(many=True))(view["index"]),
            "post": operation(body=schema, response=schema, status=201)(view["create"]),
        }
        member = {
            "get": operation(response=schema)(view["read"]),
            "put": operation(body=schema, response=schema)(view["replace"]),
            "delete": operation(status=204)(view["remove"]),
        }
        blueprint.add_resource(type(f"Things{i}", (Resource,), collection), f"/things{i}")
        item = type(f"Thing{i}Item", (Resource,), member)
        blueprint.add_resource(item, f"/things{i}/<int:thing_id>")
    api = Api(title="Generated", version="1")
    api.register_blueprint(blueprint)
    app = Flask("generated")
    api.init_app(app)
    return dict(api.spec(app))


def build_smorest(count: int) -> dict[str, Any]:
    """Declare the generated API with flask-smorest and return its OpenAPI document."""
    from flask import Flask
    from flask.views import MethodView
    from flask_smorest import Api, Blueprint

    app = Flask("generated")
    app.config.update(API_TITLE="Generated", API_VERSION="1", OPENAPI_VERSION="3.1.0")
    api, blp, owner = Api(app), Blueprint("things", "things"), _owner()
    for i in range(count):
        schema, view = _schema(i, owner), _views()
        collection = {
            "get": blp.response(200, schema(many=True))(view["index"]),
            "post": blp.arguments(schema)(blp.response(201, schema)(view["create"])),
        }
        member = {
            "get": blp.response(200, schema)(view["read"]),
            "put": blp.arguments(schema)(blp.response(200, schema)(view["replace"])),
            "delete": blp.response(204)(view["remove"]),
        }
        blp.route(f"/things{i}")(type(f"Things{i}", (MethodView,), collection))
        blp.route(f"/things{i}/<int:thing_id>")(type(f"Thing{i}Item", (MethodView,), member))
    api.register_blueprint(blp)
    spec: dict[str, Any] = api.spec.to_dict()
    return spec


def build_apiflask(count: int) -> dict[str, Any]:
    """Declare the generated API with APIFlask and return its OpenAPI document."""
    from apiflask import APIFlask

    app, owner = APIFlask("generated", title="Generated", version="1"), _owner()
    for i in range(count):
        schema, view = _schema(i, owner), _views()
        rule, member = f"/things{i}", f"/things{i}/<int:thing_id>"
        name = f"things{i}"
        app.get(rule, endpoint=f"list_{name}")(app.output(schema(many=True))(view["index"]))
        create = app.input(schema, location="json")(
            app.output(schema, status_code=201)(view["create"])
        )
        app.post(rule, endpoint=f"create_{name}")(create)
        app.get(member, endpoint=f"get_{name}")(app.output(schema)(view["read"]))
        replace = app.input(schema, location="json")(app.output(schema)(view["replace"]))
        app.put(member, endpoint=f"replace_{name}")(replace)
        app.delete(member, endpoint=f"delete_{name}")(
            app.output({}, status_code=204)(view["remove"])
        )
    with app.app_context():
        spec = app.spec
    assert isinstance(spec, dict)  # APIFlask's JSON spec format, the default
    return spec


def build_restx(count: int) -> dict[str, Any]:
    """Declare the generated API with Flask-RESTX and return its (Swagger 2.0) document."""
    from flask import Flask
    from flask_restx import Api, Resource, fields

    app = Flask("generated")
    api = Api(app, title="Generated", version="1")
    ns = api.namespace("things", path="/")
    owner = api.model("Owner", {"id": fields.Integer, "name": fields.String})
    for i in range(count):
        model = api.model(
            f"Thing{i}",
            {
                "id": fields.Integer(readonly=True),
                "name": fields.String(required=True, min_length=1, max_length=100),
                "price": fields.String(required=True),
                "tags": fields.List(fields.String),
                "created_at": fields.DateTime(readonly=True),
                "owner": fields.Nested(owner, readonly=True),
            },
        )
        view = _views()
        collection = {
            "get": ns.marshal_list_with(model)(view["index"]),
            "post": ns.expect(model, validate=True)(
                ns.marshal_with(model, code=201)(view["create"])
            ),
        }
        member = {
            "get": ns.marshal_with(model)(view["read"]),
            "put": ns.expect(model, validate=True)(ns.marshal_with(model)(view["replace"])),
            "delete": ns.response(204, "Deleted")(view["remove"]),
        }
        ns.route(f"/things{i}")(type(f"Things{i}", (Resource,), collection))
        ns.route(f"/things{i}/<int:thing_id>")(type(f"Thing{i}Item", (Resource,), member))
    with app.test_request_context():
        spec: dict[str, Any] = api.__schema__
    return spec


def build_by_hand(count: int, *, lazy: bool = False) -> dict[str, Any]:
    """Declare the generated API as plain Flask routes and apispec paths; return the document.

    With `lazy`, the routes' URL builders are compiled on first use, as restkit's are.
    """
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin
    from flask import Flask

    app, owner = Flask("generated"), _owner()
    if lazy:
        from restkit._rules import lazy_builders

        app.url_rule_class = lazy_builders(app.url_rule_class)
    spec = APISpec("Generated", "1", "3.1.0", plugins=[MarshmallowPlugin()])
    for i in range(count):
        schema, view = _schema(i, owner), _views()
        app.add_url_rule(f"/things{i}", f"things{i}", view["index"], methods=["GET", "POST"])
        member, methods = f"/things{i}/<int:thing_id>", ["GET", "PUT", "DELETE"]
        app.add_url_rule(member, f"thing{i}", view["read"], methods=methods)

        def body(code: str, content: Any) -> dict[str, Any]:
            json = {"application/json": {"schema": content}}
            return {code: {"description": "OK", "content": json}}

        spec.path(
            path=f"/things{i}",
            operations={
                "get": {"responses": body("200", schema(many=True))},
                "post": {
                    "requestBody": {"content": body("", schema)[""]["content"]},
                    "responses": body("201", schema),
                },
            },
        )
        thing_id = {
            "name": "thing_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
        spec.path(
            path=f"/things{i}/{{thing_id}}",
            parameters=[thing_id],
            operations={
                "get": {"responses": body("200", schema)},
                "put": {
                    "requestBody": {"content": body("", schema)[""]["content"]},
                    "responses": body("200", schema),
                },
                "delete": {"responses": {"204": {"description": "Deleted"}}},
            },
        )
    document: dict[str, Any] = spec.to_dict()
    return document


BUILDERS = {
    "restkit": build_restkit,
    "flask-smorest": build_smorest,
    "APIFlask": build_apiflask,
    "Flask-RESTX": build_restx,
    BY_HAND: build_by_hand,
    BY_HAND_LAZY: lambda count: build_by_hand(count, lazy=True),
}


def count_operations(spec: dict[str, Any]) -> int:
    """Return how many operations an OpenAPI or Swagger document describes."""
    return sum(len(OPERATIONS & set(item)) for item in spec.get("paths", {}).values())


# Every framework starts from cached bytecode, as an installed package does: pip compiles the
# peers' modules when it installs them, while restkit's (an editable install) are compiled on
# first import, which PYTHONDONTWRITEBYTECODE would turn into every import.
_BYTECODE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure_once(framework: str, count: int) -> tuple[float, float, int]:
    """Run one fresh process; return its seconds to the spec, of them in imports, and the
    operations the document holds."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.startup", framework, str(count)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env=_BYTECODE_ENV,
    ).stdout
    result = json.loads(output.splitlines()[-1])
    return result["seconds"], result["imports"], result["operations"]


@dataclass(frozen=True)
class Startup:
    """The start-up results.

    Attributes:
        resources: How many resources the generated API has (five operations each).
        seconds: The median seconds to the spec, by framework.
        imports: The median seconds of those spent importing the framework.
        operations: The operations each framework's document describes.
    """

    resources: int
    seconds: dict[str, float]
    imports: dict[str, float]
    operations: dict[str, int]


def run(quick: bool = False) -> Startup:
    """Measure every framework, interleaved, in fresh processes; return the medians."""
    count, runs = (20, 1) if quick else (200, 5)
    for framework in SPEC_FRAMEWORKS if not quick else ():
        measure_once(framework, count)  # unmeasured: writes the bytecode, warms the disk cache
    seconds: dict[str, list[float]] = {framework: [] for framework in SPEC_FRAMEWORKS}
    imports: dict[str, list[float]] = {framework: [] for framework in SPEC_FRAMEWORKS}
    operations: dict[str, int] = {}
    for _ in range(runs):
        for framework in SPEC_FRAMEWORKS:
            took, imported, operations[framework] = measure_once(framework, count)
            seconds[framework].append(took)
            imports[framework].append(imported)
    return Startup(count, _medians(seconds), _medians(imports), operations)


def _medians(values: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(numbers) for name, numbers in values.items()}


def main() -> None:
    """The child process: build one framework's API and print the time it took as JSON."""
    framework, count = sys.argv[1], int(sys.argv[2])
    started = time.perf_counter()
    for module in IMPORTS[framework]:
        importlib.import_module(module)
    imported = time.perf_counter() - started
    paused = time.perf_counter()
    for module in UNTIMED.get(framework, ()):
        importlib.import_module(module)
    started += time.perf_counter() - paused
    spec = BUILDERS[framework](count)
    seconds = time.perf_counter() - started
    print(
        json.dumps({"seconds": seconds, "imports": imported, "operations": count_operations(spec)})
    )


if __name__ == "__main__":
    main()
