from __future__ import annotations

import marshmallow as ma
import pytest
from flask import Flask
from werkzeug.routing import Map
from werkzeug.routing.converters import BaseConverter

from restkit import Api, Blueprint, Resource, operation
from restkit.spec.paths import converter_schema, openapi_path, path_converters
from tests.spec_helpers import build, build_both, validated

OK = {"ok": ma.fields.Boolean()}


class Anything(Resource):
    """Takes any URL variables, so one resource fits every rule below."""

    @operation(response=OK)
    def get(self, **path): ...


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("/tasks", "/tasks"),
        ("/tasks/<task_id>", "/tasks/{task_id}"),
        ("/tasks/<int:task_id>", "/tasks/{task_id}"),
        ("/tasks/<int(min=1, max=9):task_id>/", "/tasks/{task_id}/"),
        ("/p/<int:project_id>/t/<uuid:task_id>", "/p/{project_id}/t/{task_id}"),
        ("/c/<string(length=2):code>", "/c/{code}"),
        ("/k/<any(open, closed):state>", "/k/{state}"),
        ("/f/<path:rest>", "/f/{rest}"),
    ],
)
def test_openapi_path_of_flask_rule_uses_braces(rule, expected):
    assert openapi_path(rule) == expected


def test_path_converters_are_in_rule_order():
    converters = path_converters("/p/<uuid:b>/<int:a>/<c>")

    assert list(converters) == ["b", "a", "c"]


# (converter as written in a rule, JSON Schema of the values it takes)
CONVERTERS = [
    ("int", {"type": "integer", "minimum": 0}),
    ("int(signed=True)", {"type": "integer"}),
    ("int(min=1)", {"type": "integer", "minimum": 1}),
    ("int(max=9)", {"type": "integer", "minimum": 0, "maximum": 9}),
    ("int(signed=True, max=5)", {"type": "integer", "maximum": 5}),
    ("float", {"type": "number", "minimum": 0}),
    ("float(signed=True)", {"type": "number"}),
    ("float(min=0.5, max=2.5)", {"type": "number", "minimum": 0.5, "maximum": 2.5}),
    ("uuid", {"type": "string", "format": "uuid"}),
    ("any(open, closed, archived)", {"type": "string", "enum": ["archived", "closed", "open"]}),
    ("path", {"type": "string", "minLength": 1}),
    ("string", {"type": "string", "pattern": "^[^/]+$", "minLength": 1}),
    ("default", {"type": "string", "pattern": "^[^/]+$", "minLength": 1}),
    ("string(length=2)", {"type": "string", "pattern": "^[^/]+$", "minLength": 2, "maxLength": 2}),
    (
        "string(minlength=2, maxlength=5)",
        {"type": "string", "pattern": "^[^/]+$", "minLength": 2, "maxLength": 5},
    ),
    (
        "string(maxlength=5)",
        {"type": "string", "pattern": "^[^/]+$", "minLength": 1, "maxLength": 5},
    ),
]


def _rule(converter):
    return "/x/<value>" if converter == "default" else f"/x/<{converter}:value>"


@pytest.mark.parametrize(("converter", "expected"), CONVERTERS)
def test_converter_schema_matches_what_the_converter_takes(converter, expected):
    assert converter_schema(path_converters(_rule(converter))["value"]) == expected


def test_document_path_parameter_of_an_app_converter_follows_its_regex():
    class HexConverter(BaseConverter):
        regex = "[0-9a-f]{24}"

    blueprint = Blueprint("test")
    blueprint.add_resource(Anything, "/x/<hex:value>")  # before the app, and its converter
    app = Flask(__name__)
    app.url_map.converters["hex"] = HexConverter
    api = Api()
    api.register_blueprint(blueprint)
    api.init_app(app)

    document = validated(api.spec(app))

    assert document["paths"]["/x/{value}"]["get"]["parameters"] == [
        {
            "in": "path",
            "name": "value",
            "required": True,
            "schema": {"type": "string", "pattern": "^[^/]+$", "minLength": 24, "maxLength": 24},
        }
    ]


def test_converter_schema_of_a_plain_converter_is_one_segment():
    assert converter_schema(BaseConverter(Map())) == {"type": "string", "pattern": "^[^/]+$"}


@pytest.mark.parametrize(("converter", "expected"), CONVERTERS)
def test_document_path_parameter_per_converter_is_required(converter, expected):
    for document in build_both({_rule(converter): Anything}):
        assert document["paths"]["/x/{value}"]["get"]["parameters"] == [
            {"in": "path", "name": "value", "required": True, "schema": expected}
        ]


def test_document_path_parameters_follow_the_rule_order():
    document = build({"/p/<uuid:project>/t/<int:task>": Anything})

    assert document["paths"]["/p/{project}/t/{task}"]["get"]["parameters"] == [
        {
            "in": "path",
            "name": "project",
            "required": True,
            "schema": {"type": "string", "format": "uuid"},
        },
        {
            "in": "path",
            "name": "task",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        },
    ]


def test_document_path_schema_replaces_converter_schemas():
    class TaskItem(Resource):
        @operation(
            path={
                "task_id": ma.fields.Integer(
                    validate=ma.validate.Range(min=1), metadata={"description": "The task."}
                )
            },
            response=OK,
        )
        def get(self, task_id): ...

    document = build({"/tasks/<int:task_id>": TaskItem})

    assert document["paths"]["/tasks/{task_id}"]["get"]["parameters"] == [
        {
            "in": "path",
            "name": "task_id",
            "description": "The task.",
            "schema": {"type": "integer", "minimum": 1},
            "required": True,
        }
    ]


def test_document_path_schema_with_data_key_names_the_url_variable():
    class TaskItem(Resource):
        @operation(path={"ident": ma.fields.UUID(data_key="task_id")}, response=OK)
        def get(self, ident): ...

    document = build({"/tasks/<uuid:task_id>": TaskItem})

    assert document["paths"]["/tasks/{task_id}"]["get"]["parameters"] == [
        {
            "in": "path",
            "name": "task_id",
            "schema": {"type": "string", "format": "uuid"},
            "required": True,
        }
    ]


def test_document_api_prefix_variable_is_a_path_parameter():
    document = build({"/tasks": Anything}, url_prefix="/<tenant>")

    assert document["paths"]["/{tenant}/tasks"]["get"]["parameters"] == [
        {
            "in": "path",
            "name": "tenant",
            "required": True,
            "schema": {"type": "string", "pattern": "^[^/]+$", "minLength": 1},
        }
    ]
