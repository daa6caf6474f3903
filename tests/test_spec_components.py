from __future__ import annotations

import re

import marshmallow as ma
import pytest
from marshmallow import fields

from restkit import DeclarationError, Resource, operation
from restkit.spec.document import spec_to_json
from tests.spec_helpers import (
    COMPONENTS,
    OK,
    REF,
    TEXT,
    Ping,
    TaskItem,
    TaskSchema,
    UserSchema,
    build,
    build_both,
    component_errors,
    declared,
    mount,
    operation_of,
    schema_objects,
    validated,
)

# components

USER = {
    "type": "object",
    "properties": {"name": {"type": "string", **TEXT}},
    "required": ["name"],
    "additionalProperties": False,
}


def _task(owner):
    properties = {
        "id": {"type": "integer", "readOnly": True},
        "title": {"type": "string", "minLength": 1, "maxLength": 100, **TEXT},
        "owner": owner,
        "watchers": {"type": "array", "items": {"$ref": REF + "User"}},
    }
    return {
        "type": "object",
        "properties": properties,
        "required": ["title"],
        "additionalProperties": False,
    }


def test_components_are_named_after_classes_sorted_shared_and_nested():
    class Me(Resource):
        @operation(response=UserSchema)
        def get(self): ...

    routes = {"/tasks": declared(body=TaskSchema, response=TaskSchema(many=True)), "/me": Me}
    spec31, spec30 = build_both(routes)

    assert (
        list(spec31["components"]["schemas"]) == list(spec30["components"]["schemas"]) == COMPONENTS
    )
    assert (
        spec31["components"]["schemas"]["User"] == spec30["components"]["schemas"]["User"] == USER
    )
    owner31 = {"anyOf": [{"$ref": REF + "User"}, {"type": "null"}]}
    assert spec31["components"]["schemas"]["Task"] == _task(owner31)
    owner30 = {"anyOf": [{"type": "object", "nullable": True}, {"$ref": REF + "User"}]}
    assert spec30["components"]["schemas"]["Task"] == _task(owner30)


@pytest.mark.parametrize(
    "narrowed",
    [
        TaskSchema(only=("id", "title")),
        TaskSchema(exclude=("owner",)),
        TaskSchema(partial=True),
        TaskSchema(load_only=("title",)),
        TaskSchema(dump_only=("title",)),
    ],
    ids=["only", "exclude", "partial", "load_only", "dump_only"],
)
def test_narrowed_schema_instance_is_inline_beside_its_class_component(narrowed):
    # Warnings are errors: apispec's "Multiple schemas resolved to the name" would fail this.
    document = build({"/r": declared(body=narrowed, response=TaskSchema)})

    schema = operation_of(document, method="post")["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert (schema["type"], list(schema["properties"])) == ("object", list(narrowed.fields))
    assert list(document["components"]["schemas"]) == COMPONENTS


def test_from_dict_and_dict_schemas_are_inline():
    body = ma.Schema.from_dict({"a": fields.String()})
    R = declared(body=body, response={"b": fields.Nested({"c": fields.Integer()})})

    post = operation_of(build({"/r": R}), method="post")

    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "type": "object",
        "properties": {"a": {"type": "string", **TEXT}},
        "additionalProperties": False,
    }
    inner = {
        "type": "object",
        "properties": {"c": {"type": "integer"}},
        "additionalProperties": False,
    }
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "object",
        "properties": {"b": inner},
        "additionalProperties": False,
    }


def test_two_classes_with_one_component_name_raise_declaration_error_naming_both():
    class Task(ma.Schema):
        other = fields.String()

    expected = (
        "Two schemas would both be the OpenAPI component 'Task': "
        "tests.spec_helpers.TaskSchema and tests.test_spec_components."
        "test_two_classes_with_one_component_name_raise_declaration_error_naming_both"
        ".<locals>.Task. Rename one of the classes"
    )
    with pytest.raises(DeclarationError, match=re.escape(expected)):
        mount({"/r": declared(body=TaskSchema, response=Task)})


class Strict(ma.Schema):
    name = fields.String()


class Lenient(Strict):
    class Meta:
        unknown = ma.EXCLUDE


class Open(Strict):
    class Meta:
        unknown = ma.INCLUDE


class Described(Strict):
    class Meta:
        description = "A strict schema with a description."


@pytest.mark.parametrize(
    ("schema", "expected"), [(Strict, False), (Lenient, None), (Open, True), (Described, False)]
)
def test_component_additional_properties_follow_unknown(schema, expected):
    document = build({"/r": declared(body=schema, response=OK)})

    assert (
        document["components"]["schemas"][schema.__name__].get("additionalProperties") == expected
    )


def test_problem_components_allow_extension_members():
    schemas = build({"/ping": Ping})["components"]["schemas"]

    problem = {
        "type": {
            "type": "string",
            "description": "A URI reference identifying the problem type.",
            "examples": ["about:blank"],
        },
        "title": {"type": "string", "description": "A short summary of the problem type."},
        "status": {
            "type": "integer",
            "minimum": 100,
            "maximum": 599,
            "description": "The HTTP status code.",
        },
        "detail": {"type": "string", "description": "An explanation of this occurrence."},
        "instance": {
            "type": "string",
            "description": "A URI reference identifying this occurrence.",
        },
    }
    required = ["detail", "status", "title", "type"]
    assert schemas["Problem"] == {
        "type": "object",
        "properties": problem,
        "required": required,
        "additionalProperties": True,
    }
    errors = {"type": "array", "items": {"$ref": REF + "InputError"}}
    assert schemas["ValidationProblem"] == {
        "type": "object",
        "properties": {**problem, "errors": errors},
        "required": ["detail", "errors", "status", "title", "type"],
        "additionalProperties": True,
    }
    assert schemas["InputError"]["additionalProperties"] is False


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "component"),
    [
        ("GET", "/tasks/x", None, 404, "Problem"),
        ("DELETE", "/tasks/1", None, 405, "Problem"),
        ("GET", "/tasks/1?page=0&page=1", None, 422, "ValidationProblem"),
        ("PUT", "/tasks/1", {"title": "", "owner": {}, "id": 3, "x": 1}, 422, "ValidationProblem"),
        ("PUT", "/tasks/1", [1], 422, "ValidationProblem"),
    ],
)
@pytest.mark.parametrize("openapi_version", ["3.1.0", "3.0.3"])
def test_rendered_problems_validate_against_their_documented_components(
    make_client, method, url, body, status, component, openapi_version
):
    # STYLE: the documented error schema is the code that renders errors
    document = build({"/tasks/<int:task_id>": TaskItem}, openapi_version=openapi_version)
    client = make_client({"/tasks/<int:task_id>": TaskItem})

    response = client.open(url, method=method, json=body)

    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert component_errors(document, component, response.json) == []


# examples


class NoteSchema(ma.Schema):
    text = fields.String(metadata={"example": "Call Ann"})
    tags = fields.List(fields.String(metadata={"example": "home"}), metadata={"example": ["home"]})
    author = fields.Nested(UserSchema, metadata={"example": {"name": "Ann"}})


def test_field_examples_are_examples_in_31_and_example_in_30():
    R = declared(
        query={"q": fields.String(metadata={"example": "milk"})},
        form={"f": fields.String()},
        response=NoteSchema,
        request_example={"f": "x"},
    )

    spec31, spec30 = build_both({"/r": R})

    note31 = spec31["components"]["schemas"]["Note"]["properties"]
    assert note31["text"] == {"type": "string", "examples": ["Call Ann"], **TEXT}
    assert note31["tags"] == {
        "type": "array",
        "items": {"type": "string", "examples": ["home"], **TEXT},
        "examples": [["home"]],
    }
    assert note31["author"] == {"examples": [{"name": "Ann"}], "$ref": REF + "User"}
    assert operation_of(spec31, method="post")["parameters"][0]["schema"]["examples"] == ["milk"]
    assert [schema for schema in schema_objects(spec31) if "example" in schema] == []
    note30 = spec30["components"]["schemas"]["Note"]["properties"]
    assert note30["text"] == {"type": "string", "example": "Call Ann", **TEXT}
    assert (note30["tags"]["example"], note30["tags"]["items"]["example"]) == (["home"], "home")
    assert operation_of(spec30, method="post")["parameters"][0]["schema"]["example"] == "milk"
    assert [schema for schema in schema_objects(spec30) if "examples" in schema] == []
    for document in (spec31, spec30):  # a media type object has an example in both versions
        content = operation_of(document, method="post")["requestBody"]["content"]
        assert content["multipart/form-data"]["example"] == {"f": "x"}


# determinism


def test_document_is_sorted_and_the_same_on_every_build():
    routes = {
        "/zebra": declared(body=TaskSchema, response=UserSchema),
        "/tasks/<int:task_id>": TaskItem,
    }
    first_app, first_api = mount({**routes, "/ping": Ping})
    second_app, second_api = mount({"/ping": Ping, **dict(reversed(routes.items()))})

    document = validated(first_api.spec(first_app))

    assert list(document["paths"]) == ["/ping", "/tasks/{task_id}", "/zebra"]
    assert list(document["components"]["schemas"]) == sorted(document["components"]["schemas"])
    assert spec_to_json(first_api.spec(first_app)) == spec_to_json(second_api.spec(second_app))
