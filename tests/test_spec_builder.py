from __future__ import annotations

import datetime as dt
from decimal import Decimal

import marshmallow as ma
import pytest
from flask import Flask
from marshmallow import fields
from marshmallow.validate import Length, OneOf, Range, Regexp
from webargs.fields import DelimitedList

from restkit import Api, Blueprint, DeclarationError, Resource, ResponseSpec, operation
from restkit.problems import Conflict, TooManyRequests
from tests.spec_helpers import (
    DEFAULT_RESPONSE,
    OK,
    OK_RESPONSE,
    REF,
    TEXT,
    Ping,
    TaskSchema,
    build,
    build_both,
    declared,
    mount,
    operation_of,
    problem_response,
    validated,
)

# info and tags


def test_info_title_defaults_to_api_name():
    document = build({"/ping": Ping}, name="tasks-api")

    assert document["openapi"] == "3.1.0"
    assert document["info"] == {"title": "tasks-api", "version": "1.0.0"}


def test_info_takes_title_version_and_other_members():
    info = {"description": "Tasks, shared.", "contact": {"email": "team@example.com"}}
    spec31, spec30 = build_both({"/ping": Ping}, title="Tasks", version="2.1.0", info=info)

    assert (spec31["openapi"], spec30["openapi"]) == ("3.1.0", "3.0.3")
    assert spec31["info"] == spec30["info"] == {"title": "Tasks", "version": "2.1.0", **info}


def test_tags_one_per_blueprint_with_description_and_extra_operation_tags():
    tasks = Blueprint("tasks", description="The caller's tasks.")
    tasks.add_resource(declared(response=OK, tags=("admin", "beta")), "/tasks")
    health = Blueprint("health")
    health.add_resource(Ping, "/ping")
    app, api = Flask(__name__), Api()
    api.register_blueprint(tasks)
    api.register_blueprint(health)
    api.init_app(app)

    document = validated(api.spec(app))

    assert document["tags"] == [
        {"name": "tasks", "description": "The caller's tasks."},
        {"name": "health"},
    ]
    assert operation_of(document, "/tasks", "post")["tags"] == ["tasks", "admin", "beta"]
    assert operation_of(document, "/ping")["tags"] == ["health"]


def test_api_without_blueprints_has_no_tags_and_no_paths():
    app = Flask(__name__)
    api = Api(app)

    document = validated(api.spec(app))

    assert "tags" not in document
    assert document["paths"] == {}
    assert list(document["components"]["schemas"]) == ["InputError", "Problem", "ValidationProblem"]


# summary, description, deprecated


class Documented(Resource):
    @operation(response=OK)
    def get(self):
        """List the tasks.

        Newest first.

        Archived tasks are left out.
        """

    @operation(body=OK, response=OK, summary="Replace it.", description="All of it.")
    def put(self, body):
        """Ignored."""

    @operation(status=204, deprecated=True)
    def delete(self): ...


DEPRECATION_HEADERS = {"Deprecation": {"$ref": "#/components/headers/Deprecation"}}


def test_operation_summary_and_description_come_from_docstring_or_arguments():
    document = build({"/r": Documented})

    assert operation_of(document) == {
        "operationId": "getDocumented",
        "tags": ["test"],
        "summary": "List the tasks.",
        "description": "Newest first.\n\nArchived tasks are left out.",
        "responses": {"200": OK_RESPONSE, "default": DEFAULT_RESPONSE},
    }
    put = operation_of(document, method="put")
    assert (put["summary"], put["description"]) == ("Replace it.", "All of it.")
    assert operation_of(document, method="delete") == {
        "operationId": "deleteDocumented",
        "tags": ["test"],
        "deprecated": True,
        # A deprecated operation sends the Deprecation header with every response.
        "responses": {
            "204": {"description": "No Content", "headers": DEPRECATION_HEADERS},
            "default": {**DEFAULT_RESPONSE, "headers": DEPRECATION_HEADERS},
        },
    }


# parameters

# id: (field, its schema in OpenAPI 3.1, in 3.0 when it differs)
QUERY_SCHEMAS = {
    "list-length": (
        fields.List(fields.Integer(), validate=Length(min=1, max=3)),
        {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "integer"}},
        None,
    ),
    "one-of": (
        fields.String(validate=OneOf(["open", "done"])),
        {"type": "string", "enum": ["open", "done"]},
        None,
    ),
    "length": (
        fields.String(validate=Length(2, 5)),
        {"type": "string", "minLength": 2, "maxLength": 5, **TEXT},
        None,
    ),
    "regexp": (
        fields.String(validate=Regexp("^[a-z]+$")),
        {"type": "string", "pattern": "^[a-z]+$"},
        None,
    ),
    "range": (
        fields.Integer(validate=Range(1, 10)),
        {"type": "integer", "minimum": 1, "maximum": 10},
        None,
    ),
    "exclusive-minimum": (
        fields.Integer(validate=Range(min=0, min_inclusive=False)),
        {"type": "integer", "exclusiveMinimum": 0},
        {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
    ),
    "exclusive-maximum": (
        fields.Float(validate=Range(max=1, max_inclusive=False)),
        {"type": "number", "exclusiveMaximum": 1},
        {"type": "number", "maximum": 1, "exclusiveMaximum": True},
    ),
    # several validators: the tightest bounds; other validators keep their own keywords
    "tightest-of-several": (
        fields.Integer(validate=[Range(min=0), Range(5, 10), Range(max=8), OneOf([5, 6])]),
        {"type": "integer", "enum": [5, 6], "minimum": 5, "maximum": 8},
        None,
    ),
    # at an equal bound the exclusive one is tighter, whatever the order
    "exclusive-wins-a-tie": (
        fields.Integer(validate=[Range(min=0, min_inclusive=False), Range(min=0)]),
        {"type": "integer", "exclusiveMinimum": 0},
        {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
    ),
    "nullable": (
        fields.String(allow_none=True),
        {"type": ["string", "null"], **TEXT},
        {"type": "string", "nullable": True, **TEXT},
    ),
    "example": (
        fields.String(metadata={"example": "milk"}),
        {"type": "string", "examples": ["milk"], **TEXT},
        {"type": "string", "example": "milk", **TEXT},
    ),
    "integer-as-string": (
        fields.Integer(as_string=True, allow_none=True, validate=Range(min=1)),
        {"type": ["string", "null"], "format": "number"},
        {"type": "string", "format": "number", "nullable": True},
    ),
    "decimal-as-string": (
        fields.Decimal(as_string=True, validate=Range(min=Decimal("0.01"))),
        {"type": "string", "format": "decimal"},
        None,
    ),
    "decimal-bounds": (
        fields.Decimal(validate=Range(min=Decimal("0.01"), max=Decimal(100))),
        {"type": "number", "minimum": 0.01, "maximum": 100},
        None,
    ),
    "date-range": (
        fields.Date(validate=Range(min=dt.date(2020, 1, 1))),
        {"type": "string", "format": "date", "x-minimum": "2020-01-01"},
        None,
    ),
}


@pytest.mark.parametrize(
    ("field", "schema31", "schema30"), QUERY_SCHEMAS.values(), ids=QUERY_SCHEMAS.keys()
)
def test_query_field_validators_become_parameter_schema_per_version(field, schema31, schema30):
    spec31, spec30 = build_both({"/r": declared(query={"q": field}, response=OK)})

    assert operation_of(spec31, method="post")["parameters"][0]["schema"] == schema31
    assert operation_of(spec30, method="post")["parameters"][0]["schema"] == (schema30 or schema31)


class TaskFilter(ma.Schema):
    tag = fields.List(fields.String())
    page = fields.Integer(required=True)
    since = fields.NaiveDateTime(metadata={"description": "Changed since."})
    rank = fields.Integer(dump_only=True)


def test_query_parameters_carry_required_lists_and_descriptions():
    parameters = operation_of(
        build({"/r": declared(query=TaskFilter, response=OK)}), method="post"
    )["parameters"]

    array = {"type": "array", "items": {"type": "string", **TEXT}}
    assert parameters == [
        {
            "in": "query",
            "name": "tag",
            "schema": array,
            "required": False,
            "explode": True,
            "style": "form",
        },
        {"in": "query", "name": "page", "schema": {"type": "integer"}, "required": True},
        {
            "in": "query",
            "name": "since",
            "description": "Changed since.",
            "schema": {"type": "string"},
            "required": False,
        },
    ]


def test_query_delimited_list_is_one_comma_separated_value():
    (parameter,) = operation_of(
        build({"/r": declared(query={"ids": DelimitedList(fields.Integer())}, response=OK)}),
        method="post",
    )["parameters"]

    assert parameter["schema"] == {"type": "array", "items": {"type": "integer"}}
    # restkit reads one value, "1,2,3", not a repeated key: style form without explode
    assert (parameter.get("style", "form"), parameter.get("explode", True)) == ("form", False)


class ClientHeaders(ma.Schema):
    x_request_id = fields.UUID(required=True)
    api_key = fields.String(data_key="X-API-Key")
    trace = fields.String(dump_only=True)


def test_header_parameters_are_named_as_read_and_cookies_by_field():
    R = declared(
        headers=ClientHeaders, cookies={"session_id": fields.String(required=True)}, response=OK
    )

    assert operation_of(build({"/r": R}), method="post")["parameters"] == [
        {
            "in": "header",
            "name": "X-Request-Id",
            "schema": {"type": "string", "format": "uuid"},
            "required": True,
        },
        {
            "in": "header",
            "name": "X-API-Key",
            "schema": {"type": "string", **TEXT},
            "required": False,
        },
        {
            "in": "cookie",
            "name": "session_id",
            "schema": {"type": "string", **TEXT},
            "required": True,
        },
    ]


@pytest.mark.parametrize("openapi_version", ["3.1.0", "3.0.3"])
def test_header_list_parameter_is_comma_separated_simple_style(openapi_version):
    R = declared(headers={"accept_language": fields.List(fields.String())}, response=OK)

    document = build({"/r": R}, openapi_version=openapi_version)

    (parameter,) = operation_of(document, method="post")["parameters"]
    assert (parameter["in"], parameter["name"]) == ("header", "Accept-Language")
    assert parameter["schema"] == {"type": "array", "items": {"type": "string", **TEXT}}
    # OpenAPI allows headers style "simple" only: "a, b" on one line, as restkit reads them
    assert (parameter.get("style", "simple"), parameter.get("explode", False)) == ("simple", False)


@pytest.mark.parametrize("location", ["query", "headers", "cookies"])
def test_many_schema_for_parameters_raises_declaration_error(location):
    # a query string, headers or cookies are one object, never a list of them
    with pytest.raises(DeclarationError):
        mount({"/r": declared(**{location: TaskFilter(many=True)}, response=OK)})


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M", "rfc", "timestamp"])
@pytest.mark.parametrize("openapi_version", ["3.1.0", "3.0.3"])
def test_datetime_with_custom_format_documents_a_valid_schema(fmt, openapi_version):
    class EventSchema(ma.Schema):
        at = fields.DateTime(format=fmt)

    document = build(
        {"/r": declared(body=EventSchema, response=OK)}, openapi_version=openapi_version
    )

    assert None not in document["components"]["schemas"]["Event"]["properties"]["at"].values()


# request bodies


def test_json_body_refers_to_component_with_request_example():
    class R(Resource):
        @operation(body=TaskSchema, response=OK, request_example={"title": "Milk"})
        def post(self, body): ...

        @operation(body=TaskSchema(many=True), response=OK)
        def put(self, body): ...

    document = build({"/r": R})

    media = {"schema": {"$ref": REF + "Task"}, "example": {"title": "Milk"}}
    assert operation_of(document, method="post")["requestBody"] == {
        "required": True,
        "content": {"application/json": media},
    }
    many = {"schema": {"type": "array", "items": {"$ref": REF + "Task"}}}
    assert operation_of(document, method="put")["requestBody"] == {
        "required": True,
        "content": {"application/json": many},
    }


class NoteForm(ma.Schema):
    title = fields.String(required=True)
    note = fields.String()


def test_form_body_offers_urlencoded_and_multipart():
    R = declared(form=NoteForm, response=OK, request_example={"title": "Lunch"})

    media = {"schema": {"$ref": REF + "NoteForm"}, "example": {"title": "Lunch"}}
    assert operation_of(build({"/r": R}), method="post")["requestBody"] == {
        "required": True,
        "content": {"application/x-www-form-urlencoded": media, "multipart/form-data": media},
    }


class UploadFiles(ma.Schema):
    file = fields.Raw(required=True, metadata={"description": "The receipt."})
    pages = fields.List(fields.Raw())


BINARY31 = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}
BINARY30 = {"type": "string", "format": "binary"}


@pytest.mark.parametrize(("openapi_version", "binary"), [("3.1.0", BINARY31), ("3.0.3", BINARY30)])
def test_files_and_form_are_one_multipart_object_with_binary_files(openapi_version, binary):
    R = declared(form=NoteForm, files=UploadFiles, response=OK)

    document = build({"/r": R}, openapi_version=openapi_version)

    properties = {
        "title": {"type": "string", **TEXT},
        "note": {"type": "string", **TEXT},
        "file": {**binary, "description": "The receipt."},
        "pages": {"type": "array", "items": binary},
    }
    schema = {
        "type": "object",
        "properties": properties,
        "required": ["title", "file"],
        # both schemas refuse unknown fields, so an unknown part of either is refused
        "additionalProperties": False,
    }
    assert operation_of(document, method="post")["requestBody"] == {
        "required": True,
        "content": {"multipart/form-data": {"schema": schema}},
    }


@pytest.mark.parametrize("lenient", ["form", "files"])
def test_multipart_with_a_schema_excluding_unknown_fields_allows_additional_parts(lenient):
    schemas = {"form": NoteForm(), "files": UploadFiles()}
    schemas[lenient] = type(schemas[lenient])(unknown=ma.EXCLUDE)
    R = declared(**schemas, response=OK)

    schema = operation_of(build({"/r": R}), method="post")["requestBody"]["content"]
    assert "additionalProperties" not in schema["multipart/form-data"]["schema"]


def test_files_without_required_fields_have_no_required_list():
    R = declared(files={"file": fields.Raw()}, response=OK)

    # An unknown text part is refused as an unknown file is (restkit.parsing._refuse_parts).
    schema = {"type": "object", "properties": {"file": BINARY31}, "additionalProperties": False}
    assert operation_of(build({"/r": R}), method="post")["requestBody"] == {
        "required": True,
        "content": {"multipart/form-data": {"schema": schema}},
    }


# responses and problems


def test_responses_document_each_status_with_schema_description_and_example():
    created = ResponseSpec(TaskSchema(), "The new task.", {"id": 1, "title": "Milk"})
    responses = {
        200: TaskSchema(many=True),
        201: created,
        202: ResponseSpec(description="Queued."),
        204: None,
    }
    R = declared(body=TaskSchema, responses=responses)

    location = {
        "description": "The URL of the created resource.",
        "required": True,
        "schema": {"type": "string", "format": "uri-reference"},
    }
    task = {"$ref": REF + "Task"}
    assert operation_of(build({"/r": R}), method="post")["responses"] == {
        "200": {
            "description": "OK",
            "content": {"application/json": {"schema": {"type": "array", "items": task}}},
        },
        "201": {
            "description": "The new task.",
            "headers": {"Location": location},
            "content": {
                "application/json": {"schema": task, "example": {"id": 1, "title": "Milk"}}
            },
        },
        "202": {"description": "Queued."},
        "204": {"description": "No Content"},
        "400": problem_response("Bad Request"),
        "413": problem_response("Content Too Large"),
        "415": problem_response("Unsupported Media Type"),
        "422": problem_response("Unprocessable Content", "ValidationProblem"),
        "default": DEFAULT_RESPONSE,
    }


BODY_PROBLEMS = ["200", "400", "413", "415", "422", "default"]


@pytest.mark.parametrize(
    ("rule", "declaration", "statuses"),
    [
        ("/r", {}, ["200", "default"]),
        ("/r/<int:id>", {}, ["200", "404", "default"]),
        ("/r", {"query": OK}, ["200", "422", "default"]),
        ("/r", {"cookies": OK}, ["200", "422", "default"]),
        ("/r", {"body": OK}, BODY_PROBLEMS),
        ("/r", {"form": OK}, BODY_PROBLEMS),
        ("/r", {"files": OK}, BODY_PROBLEMS),
        ("/r/<int:id>", {"problems": [Conflict, 429]}, ["200", "404", "409", "429", "default"]),
    ],
)
def test_problem_responses_follow_inputs_path_and_declared_problems(rule, declaration, statuses):
    document = build({rule: declared(response=OK, **declaration)})

    assert (
        list(operation_of(document, rule.replace("<int:id>", "{id}"), "post")["responses"])
        == statuses
    )


def test_problem_responses_name_their_title_and_schema():
    R = declared(query=OK, problems=[Conflict, TooManyRequests, 418], status=204)

    assert operation_of(build({"/r/<int:id>": R}), "/r/{id}", "post")["responses"] == {
        "204": {"description": "No Content"},
        "404": problem_response("Not Found"),
        "409": problem_response("Conflict"),
        "418": problem_response("I'm a Teapot"),
        "422": problem_response("Unprocessable Content", "ValidationProblem"),
        "429": problem_response("Too Many Requests"),
        "default": DEFAULT_RESPONSE,
    }


# the finished document: plain JSON values, nothing shared


def test_document_values_are_plain_json_numbers_from_decimals():
    query = {"price": fields.Decimal(validate=Range(min=Decimal("0.50"), max=Decimal("1E+3")))}
    document = build({"/r": declared(query=query, response=OK)})

    schema = operation_of(document, method="post")["parameters"][0]["schema"]
    assert (schema["minimum"], schema["maximum"]) == (0.5, 1000)
    assert (type(schema["minimum"]), type(schema["maximum"])) == (float, int)


def test_document_keeps_integers_beyond_64_bits_exactly():
    query = {"big": fields.Integer(validate=Range(min=-(2**70), max=2**70))}
    document = build({"/r": declared(query=query, response=OK)})

    schema = operation_of(document, method="post")["parameters"][0]["schema"]
    assert (schema["minimum"], schema["maximum"]) == (-(2**70), 2**70)


def test_document_shares_no_objects_between_operations():
    class Two(Resource):
        @operation(body=TaskSchema, response=TaskSchema)
        def post(self, body): ...

        @operation(body=TaskSchema, response=TaskSchema)
        def put(self, body): ...

    document = build({"/r": Two})
    post, put = operation_of(document, method="post"), operation_of(document, method="put")
    assert post["responses"]["422"] == put["responses"]["422"]
    assert post["responses"]["422"] is not put["responses"]["422"]
    assert post["requestBody"] is not put["requestBody"]


def test_document_with_integers_beyond_64_bits_is_served_as_json():
    query = {"big": fields.Integer(validate=Range(max=2**70))}
    app, _ = mount({"/r": declared(query=query, response=OK)})

    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    assert b'"maximum": 1180591620717411303424' in response.data
    parameter = response.get_json()["paths"]["/r"]["post"]["parameters"][0]
    assert parameter["schema"]["maximum"] == 2**70
