"""The OpenAPI document describes each HTTP feature exactly as the view behaves."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
import pytest
from marshmallow import fields
from openapi_spec_validator import validate

from restkit import DeclarationError, Resource, operation
from restkit.conditional import Conditional
from restkit.deprecation import Deprecation
from restkit.idempotency import Idempotency
from restkit.pagination import CursorPagination, Page, PagePagination
from tests.spec_helpers import build, build_both, component_errors, mount, operation_of

SECRET = "s" * 32
HEADERS = "#/components/headers/"
PARAMETERS = "#/components/parameters/"


class TaskSchema(ma.Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True)
    note = fields.String(allow_none=True)
    version = fields.Integer(dump_only=True)


def listing(pagination: Any) -> type[Resource]:
    class Tasks(Resource):
        @operation(response=TaskSchema(many=True), pagination=pagination)
        def get(self, page=None):
            return Page([], total=0)

    return Tasks


def item(conditional: Conditional, *, patch_formats: Any = False) -> type[Resource]:
    class TaskItem(Resource):
        def get_object(self, id):
            return {"id": id, "title": "t", "version": 1}

        @operation(response=TaskSchema, conditional=conditional)
        def get(self, id):
            return self.get_object(id)

        @operation(body=TaskSchema, response=TaskSchema, conditional=conditional)
        def put(self, id, body):
            return body

        @operation(body=TaskSchema, response=TaskSchema, patch=patch_formats or True)
        def patch(self, id, body):
            return body

        @operation(status=204, conditional=conditional)
        def delete(self, id):
            return None

    return TaskItem


def refs(parameters: list[dict[str, Any]]) -> list[str]:
    return [p.get("$ref", p.get("name")) for p in parameters]


def test_spec_page_pagination_documents_parameters_and_headers():
    document = build({"/r": listing(PagePagination(default_size=5, max_size=50))})

    get = operation_of(document)
    parameters = {p["name"]: p for p in get["parameters"]}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    assert parameters["per_page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 50}
    assert "count" not in parameters
    assert get["responses"]["200"]["headers"] == {
        "Link": {"$ref": HEADERS + "Link"},
        "X-Total-Count": {"$ref": HEADERS + "X-Total-Count"},
    }
    assert "422" in get["responses"]
    assert set(document["components"]["headers"]) == {"Link", "X-Total-Count"}


@pytest.mark.parametrize(
    ("count", "parameter", "total_header"),
    [("always", False, True), ("on_request", True, True), ("never", False, False)],
)
def test_spec_page_pagination_count_option_shapes_parameter_and_header(
    count, parameter, total_header
):
    document = build({"/r": listing(PagePagination(count=count))})

    get = operation_of(document)
    assert ("count" in [p["name"] for p in get["parameters"]]) is parameter
    assert ("X-Total-Count" in get["responses"]["200"]["headers"]) is total_header


def test_spec_cursor_pagination_documents_cursor_and_limit():
    document = build(
        {"/r": listing(CursorPagination(default_size=5, max_size=10))}, cursor_secret=SECRET
    )

    parameters = {p["name"]: p for p in operation_of(document)["parameters"]}
    assert set(parameters) == {"cursor", "limit"}
    assert parameters["limit"]["schema"]["maximum"] == 10
    assert operation_of(document)["responses"]["200"]["headers"] == {
        "Link": {"$ref": HEADERS + "Link"}
    }


def test_spec_page_envelope_is_a_named_component_with_links():
    document = build({"/r": listing(PagePagination(envelope=True))})

    media = operation_of(document)["responses"]["200"]["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/TaskPage"}
    page = document["components"]["schemas"]["TaskPage"]
    assert page["required"] == ["items", "page", "per_page", "links"]
    assert page["properties"]["total"]["type"] == "integer"
    assert page["properties"]["items"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Task"},
    }
    assert page["properties"]["links"] == {"$ref": "#/components/schemas/PageLinks"}


def test_spec_envelope_matches_the_rendered_body(make_client):
    class Tasks(Resource):
        @operation(response=TaskSchema(many=True), pagination=PagePagination(envelope=True))
        def get(self, page):
            return Page([{"id": 1, "title": "a", "note": None, "version": 1}], total=3)

    app, api = mount({"/r": Tasks})
    document = api.spec(app)

    body = app.test_client().get("/r?per_page=1").get_json()

    assert component_errors(document, "TaskPage", body) == []
    assert set(body["links"]) == {"first", "next", "last"}


@pytest.mark.parametrize(("version", "null"), [("3.1.0", "type"), ("3.0.3", "nullable")])
def test_spec_cursor_envelope_has_nullable_next_cursor_in_both_versions(version, null):
    routes = {"/r": listing(CursorPagination(envelope=True))}

    document = build(routes, openapi_version=version, cursor_secret=SECRET)

    page = document["components"]["schemas"]["TaskCursorPage"]
    assert page["required"] == ["items", "limit", "next_cursor", "links"]
    cursor = page["properties"]["next_cursor"]
    assert (
        cursor.get("nullable") is True
        if null == "nullable"
        else cursor["type"]
        == [
            "string",
            "null",
        ]
    )


def test_spec_envelope_name_taken_by_a_user_schema_fails_at_init_app():
    class TaskPageSchema(ma.Schema):
        x = fields.Integer()

    class Other(Resource):
        @operation(response=TaskPageSchema)
        def get(self):
            return {}

    with pytest.raises(DeclarationError, match="TaskPage"):
        mount({"/a": Other, "/r": listing(PagePagination(envelope=True))})


def test_spec_conditional_get_documents_preconditions_304_and_validators():
    document = build({"/r/<int:id>": item(Conditional(version="version", last_modified="at"))})

    get = operation_of(document, "/r/{id}")
    assert refs(get["parameters"])[1:] == [
        PARAMETERS + "If-Match",
        PARAMETERS + "If-None-Match",
        PARAMETERS + "If-Modified-Since",
        PARAMETERS + "If-Unmodified-Since",
    ]
    assert get["responses"]["200"]["headers"] == {
        "ETag": {"$ref": HEADERS + "ETag"},
        "Last-Modified": {"$ref": HEADERS + "Last-Modified"},
    }
    assert get["responses"]["304"]["headers"] == get["responses"]["200"]["headers"]
    assert "content" not in get["responses"]["304"]
    assert {"400", "404", "412"} <= set(get["responses"])
    assert "428" not in get["responses"]


def test_spec_entity_tag_grammar_is_in_the_header_schemas():
    document = build({"/r/<int:id>": item(Conditional(version="version"))})

    etag = document["components"]["headers"]["ETag"]["schema"]["pattern"]
    if_match = document["components"]["parameters"]["If-Match"]["schema"]["pattern"]
    assert etag.startswith("^(W/)?")
    assert "\\*" in if_match


def test_spec_required_if_match_is_inline_and_428_listed_on_writes_only():
    document = build({"/r/<int:id>": item(Conditional(version="v", require_if_match=True))})

    put = operation_of(document, "/r/{id}", "put")
    if_match = next(p for p in put["parameters"] if p.get("name") == "If-Match")
    assert if_match["required"] is True
    assert if_match["in"] == "header"
    assert "If-Modified-Since" not in str(put["parameters"])
    assert {"412", "428"} <= set(put["responses"])
    assert "428" in operation_of(document, "/r/{id}", "delete")["responses"]
    assert "headers" not in operation_of(document, "/r/{id}", "delete")["responses"]["204"]
    assert "428" not in operation_of(document, "/r/{id}", "get")["responses"]


def test_spec_merge_patch_body_has_every_field_optional():
    document = build({"/r/<int:id>": item(Conditional(version="v"))})

    body = operation_of(document, "/r/{id}", "patch")["requestBody"]
    assert body["required"] is False
    assert list(body["content"]) == ["application/merge-patch+json"]
    schema = body["content"]["application/merge-patch+json"]["schema"]
    assert "required" not in schema
    assert set(schema["properties"]) >= {"title", "note"}


def test_spec_json_patch_body_is_an_array_of_operations_and_409_listed():
    document = build(
        {"/r/<int:id>": item(Conditional(version="v"), patch_formats=("merge", "json"))}
    )

    patch = operation_of(document, "/r/{id}", "patch")
    assert list(patch["requestBody"]["content"]) == [
        "application/merge-patch+json",
        "application/json-patch+json",
    ]
    assert patch["requestBody"]["content"]["application/json-patch+json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/JsonPatchOperation"},
    }
    assert "409" in patch["responses"]
    operation_schema = document["components"]["schemas"]["JsonPatchOperation"]
    assert operation_schema["properties"]["op"]["enum"] == [
        "add",
        "remove",
        "replace",
        "move",
        "copy",
        "test",
    ]


def creator(idempotency: Any) -> type[Resource]:
    class Creations(Resource):
        @operation(body=TaskSchema, response=TaskSchema, status=201, idempotency=idempotency)
        def post(self, body):
            return body, 201, {"Location": "/r/1"}

    return Creations


def test_spec_idempotency_documents_key_replay_header_and_problems():
    document = build({"/r": creator(True)})

    post = operation_of(document, "/r", "post")
    assert post["parameters"] == [{"$ref": PARAMETERS + "Idempotency-Key"}]
    assert post["responses"]["201"]["headers"]["Idempotent-Replayed"] == {
        "$ref": HEADERS + "Idempotent-Replayed"
    }
    assert {"400", "409", "422", "503"} <= set(post["responses"])
    assert post["responses"]["409"]["headers"] == {"Retry-After": {"$ref": HEADERS + "Retry-After"}}


def test_spec_required_idempotency_key_is_inline_and_required():
    document = build({"/r": creator(Idempotency(required=True))})

    (parameter,) = operation_of(document, "/r", "post")["parameters"]
    assert parameter["name"] == "Idempotency-Key"
    assert parameter["required"] is True


def test_spec_rate_limit_headers_on_every_response_and_429_with_retry_after():
    document = build({"/r": listing(False)}, rate_limit="10/minute")

    responses = operation_of(document)["responses"]
    limit_headers = {
        name: {"$ref": HEADERS + name}
        for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
    }
    for code in ("200", "429", "503", "default"):
        assert limit_headers.items() <= responses[code]["headers"].items(), code
    assert responses["429"]["headers"]["Retry-After"] == {"$ref": HEADERS + "Retry-After"}


def test_spec_store_failure_open_documents_no_503():
    document = build({"/r": listing(False)}, rate_limit="10/minute", store_failure="open")

    assert "503" not in operation_of(document)["responses"]


def test_spec_deprecation_headers_follow_the_declaration():
    deprecation = Deprecation(sunset=date(2027, 1, 1), link="https://example.com/v2")

    document = build({"/r": listing(False)}, deprecated=deprecation)

    get = operation_of(document)
    assert get["deprecated"] is True
    assert set(get["responses"]["200"]["headers"]) == {"Deprecation", "Sunset", "Link"}
    assert set(get["responses"]["default"]["headers"]) == {"Deprecation", "Sunset", "Link"}


def test_spec_without_features_has_no_header_or_parameter_components():
    document = build({"/r": listing(False)})

    assert set(document["components"]) == {"schemas"}


def test_spec_every_feature_together_validates_in_both_versions():
    conditional = Conditional(version="version", require_if_match=True)
    routes = {
        "/r": listing(CursorPagination(envelope=True)),
        "/r/<int:id>": item(conditional, patch_formats=("merge", "json")),
        "/c": creator(True),
    }

    for document in build_both(routes, cursor_secret=SECRET, rate_limit="5/second"):
        validate(document)
        assert "JsonPatchOperation" in document["components"]["schemas"]


def test_spec_page_envelopes_of_one_item_schema_share_one_component():
    class Counted(Resource):
        @operation(response=TaskSchema(many=True), pagination=PagePagination(envelope=True))
        def get(self, page):
            return Page([], total=0)

    class CountedOnRequest(Resource):
        @operation(
            response=TaskSchema(many=True),
            pagination=PagePagination(envelope=True, count="on_request"),
        )
        def get(self, page):
            return Page([], total=0)

    document = build({"/a": Counted, "/b": CountedOnRequest})

    for path in ("/a", "/b"):
        media = operation_of(document, path)["responses"]["200"]["content"]["application/json"]
        assert media["schema"] == {"$ref": "#/components/schemas/TaskPage"}


def test_spec_envelope_of_a_nameless_item_schema_is_inline():
    items = ma.Schema.from_dict({"name": fields.String()})(many=True)

    class Names(Resource):
        @operation(response=items, pagination=PagePagination(envelope=True))
        def get(self, page):
            return Page([], total=0)

    document = build({"/r": Names})

    schema = operation_of(document)["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "object"
    assert schema["properties"]["items"]["type"] == "array"
    assert schema["properties"]["links"] == {"$ref": "#/components/schemas/PageLinks"}
