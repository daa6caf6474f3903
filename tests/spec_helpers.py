"""Build OpenAPI documents of tiny apps for the spec tests, every one of them validated.

STYLE: every spec a test builds goes through openapi-spec-validator. `build` mounts resources
and returns the document `init_app` built; `validated` checks a document a test built itself
(several blueprints, a URL prefix, `Api.make_spec`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

import marshmallow as ma
import orjson
from flask import Flask
from jsonschema import Draft4Validator, Draft202012Validator
from marshmallow import fields
from marshmallow.validate import Length, Range
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from restkit import Api, Blueprint, Resource, operation
from restkit.spec.builder import NUL_FREE_PATTERN
from restkit.spec.document import spec_to_json

# Digests of the documents already validated in this run. Validation takes about 0.3 s a
# document and most tests build one of a few identical documents, so each distinct document
# is validated once; a document that differs by one byte is validated again.
_VALIDATED: set[str] = set()


def validate_once(document: Mapping[str, Any]) -> None:
    """Run openapi-spec-validator on the document unless this exact document passed before."""
    digest = hashlib.sha256(spec_to_json(document)).hexdigest()
    if digest not in _VALIDATED:
        validate(orjson.loads(spec_to_json(document)))
        _VALIDATED.add(digest)


def validated(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the document as plain JSON types, after openapi-spec-validator accepted it."""
    plain: dict[str, Any] = orjson.loads(spec_to_json(document))
    validate_once(plain)
    return plain


def mount(routes: Mapping[str, type[Resource]], **api_kwargs: Any) -> tuple[Flask, Api]:
    """Mount each resource at its rule in a blueprint named "test" of a fresh app and API."""
    blueprint = Blueprint("test")
    for rule, resource in routes.items():
        blueprint.add_resource(resource, rule)
    app = Flask(__name__)
    api = Api(**api_kwargs)
    api.register_blueprint(blueprint)
    api.init_app(app)
    return app, api


def build(
    routes: Mapping[str, type[Resource]], *, openapi_version: str = "3.1.0", **api_kwargs: Any
) -> dict[str, Any]:
    """Return the validated document of an API serving `routes` ({rule: Resource})."""
    app, api = mount(routes, openapi_version=openapi_version, **api_kwargs)
    return validated(api.spec(app))


def build_both(
    routes: Mapping[str, type[Resource]], **api_kwargs: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the validated OpenAPI 3.1 and 3.0 documents of the same routes."""
    return (
        build(routes, openapi_version="3.1.0", **api_kwargs),
        build(routes, openapi_version="3.0.3", **api_kwargs),
    )


# Fragments and walkers of documents, shared by the spec tests.

REF = "#/components/schemas/"
PROBLEM_TYPE = "application/problem+json"
TEXT = {"pattern": NUL_FREE_PATTERN}
"""What a string field that restkit reads documents besides its type: no NUL."""


def problem_response(description: str, component: str = "Problem") -> dict[str, Any]:
    """Return the response object the builder writes for a problem status."""
    return {
        "description": description,
        "content": {PROBLEM_TYPE: {"schema": {"$ref": REF + component}}},
    }


DEFAULT_RESPONSE = problem_response("Any other error, such as 405 or 500, as a problem.")


def operation_of(document: Mapping[str, Any], path: str = "/r", method: str = "get") -> Any:
    """Return one operation object of a document."""
    return document["paths"][path][method]


def _subschemas(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield schema
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), Mapping):
            yield from _subschemas(schema[key])
    for sub in schema.get("properties", {}).values():
        yield from _subschemas(sub)
    for key in ("anyOf", "allOf", "oneOf", "prefixItems"):
        for sub in schema.get(key, []):
            yield from _subschemas(sub)


def schema_objects(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Yield every schema object of a document, at any depth, and nothing else."""
    roots = list(document["components"]["schemas"].values())
    for item in document["paths"].values():
        for op in item.values():
            roots += [parameter["schema"] for parameter in op.get("parameters", [])]
            roots += [
                media["schema"] for media in op.get("requestBody", {}).get("content", {}).values()
            ]
            for response in op["responses"].values():
                roots += [media["schema"] for media in response.get("content", {}).values()]
                roots += [header["schema"] for header in response.get("headers", {}).values()]
    for root in roots:
        yield from _subschemas(root)


def component_errors(document: Mapping[str, Any], component: str, instance: Any) -> list[str]:
    """Return why `instance` is not valid against a component schema, resolving $refs.

    OpenAPI 3.1 schemas are JSON Schema 2020-12; OpenAPI 3.0's are a draft 4 dialect.
    """
    v31 = document["openapi"].startswith("3.1")
    specification = DRAFT202012 if v31 else DRAFT4
    validator = Draft202012Validator if v31 else Draft4Validator
    registry = Registry().with_resource("urn:openapi", specification.create_resource(document))
    schema = {"$ref": f"urn:openapi#/components/schemas/{component}"}
    return [error.message for error in validator(schema, registry=registry).iter_errors(instance)]


OK = {"ok": fields.Boolean()}
OK_SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "additionalProperties": False,
}
OK_RESPONSE = {"description": "OK", "content": {"application/json": {"schema": OK_SCHEMA}}}
COMPONENTS = ["InputError", "Problem", "Task", "User", "ValidationProblem"]


class UserSchema(ma.Schema):
    name = fields.String(required=True)


class TaskSchema(ma.Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=Length(min=1, max=100))
    owner = fields.Nested(UserSchema, allow_none=True)
    watchers = fields.List(fields.Nested(UserSchema))


class Ping(Resource):
    @operation(response=OK)
    def get(self): ...


def declared(**declaration):
    # A resource with one POST method, which takes whatever its declaration supplies.
    class R(Resource):
        @operation(**declaration)
        def post(self, **inputs): ...

    return R


class TaskItem(Resource):
    @operation(query={"page": fields.Integer(validate=Range(min=1))}, response=OK)
    def get(self, query, task_id):
        return {"ok": True}

    @operation(body=TaskSchema, response=OK)
    def put(self, body, task_id):
        return {"ok": True}
