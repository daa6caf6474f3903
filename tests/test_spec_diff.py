"""restkit.spec.diff: operations, parameters, bodies, responses, security, and the report.

Every document is built with `make_doc`, which validates it with openapi-spec-validator, so
each test compares two real OpenAPI documents. Schema rules are in test_spec_diff_schemas.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from openapi_spec_validator import validate

from restkit.spec.diff import Change, diff_specs, has_breaking

TASK = {
    "type": "object",
    "required": ["id", "title"],
    "properties": {"id": {"type": "integer"}, "title": {"type": "string", "maxLength": 200}},
}
JSON_TASK = {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer"}}
LIMIT = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
BEARER = {"type": "http", "scheme": "bearer"}
API_KEY = {"type": "apiKey", "in": "header", "name": "X-API-Key"}
ITEM = "/v1/tasks/{task_id}"


def make_doc(
    paths: dict[str, Any],
    *,
    version: str = "3.1.0",
    components: dict[str, Any] | None = None,
    base_uri: str = "",
    **top: Any,
) -> dict[str, Any]:
    """Return an OpenAPI document with the Task schema, after validating it."""
    document = {
        "openapi": version,
        "info": {"title": "Taskboard", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": {"Task": TASK}, **(components or {})},
        **top,
    }
    validate(document, base_uri=base_uri)
    return document


def get_task(**changes: Any) -> dict[str, Any]:
    """The `GET /v1/tasks/{task_id}` operation, with `changes` applied."""
    operation = {
        "operationId": "getTask",
        "parameters": [TASK_ID],
        "responses": {"200": {"description": "The task.", "content": JSON_TASK}},
    }
    return {**operation, **changes}


def create_task(**changes: Any) -> dict[str, Any]:
    """The `POST /v1/tasks` operation, with `changes` applied."""
    operation = {
        "operationId": "createTask",
        "requestBody": {"required": True, "content": JSON_TASK},
        "responses": {"201": {"description": "Created.", "content": JSON_TASK}},
    }
    return {**operation, **changes}


def found(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, bool, str]]:
    return [(c.rule, c.breaking, c.location) for c in diff_specs(old, new)]


def test_diff_of_identical_documents_is_empty():
    old = make_doc({ITEM: {"get": get_task()}, "/v1/tasks": {"post": create_task()}})

    assert diff_specs(old, copy.deepcopy(old)) == []


def test_diff_of_same_api_in_3_0_and_3_1_is_empty():
    paths = {ITEM: {"get": get_task()}, "/v1/tasks": {"post": create_task()}}

    assert diff_specs(make_doc(paths, version="3.0.3"), make_doc(paths)) == []


@pytest.mark.parametrize(
    ("old_paths", "new_paths", "expected"),
    [
        (
            {ITEM: {"get": get_task(), "delete": get_task(operationId="delTask")}},
            {ITEM: {"get": get_task()}},
            [("operation-removed", True, "DELETE /v1/tasks/{task_id}")],
        ),
        (
            {ITEM: {"get": get_task()}},
            {ITEM: {"get": get_task()}, "/v1/tasks": {"post": create_task()}},
            [("operation-added", False, "POST /v1/tasks")],
        ),
        (
            {ITEM: {"get": get_task()}},
            {ITEM: {"get": get_task(operationId="fetchTask")}},
            [("operation-id-changed", True, "GET /v1/tasks/{task_id}")],
        ),
        (
            {ITEM: {"get": get_task()}},
            {ITEM: {"get": get_task(deprecated=True)}},
            [("operation-deprecated", False, "GET /v1/tasks/{task_id}")],
        ),
        (
            {ITEM: {"get": get_task(deprecated=True)}},
            {ITEM: {"get": get_task()}},
            [],
        ),
    ],
    ids=["removed", "added", "operation-id", "deprecated", "undeprecated"],
)
def test_diff_operations_changed_reports_rule(old_paths, new_paths, expected):
    assert found(make_doc(old_paths), make_doc(new_paths)) == expected


def test_diff_operation_id_added_is_breaking_and_says_both_names():
    without_id = {k: v for k, v in get_task().items() if k != "operationId"}
    old = make_doc({ITEM: {"get": without_id}})
    new = make_doc({ITEM: {"get": get_task()}})

    [change] = diff_specs(old, new)

    assert change.breaking
    assert "from none to getTask" in change.message


def test_diff_renamed_path_parameter_is_one_operation_and_not_breaking():
    renamed = {**TASK_ID, "name": "id"}
    old = make_doc({ITEM: {"get": get_task()}})
    new = make_doc({"/v1/tasks/{id}": {"get": get_task(parameters=[renamed])}})

    [change] = diff_specs(old, new)

    assert (change.rule, change.breaking) == ("path-parameter-renamed", False)
    assert change.location == "GET /v1/tasks/{task_id} path parameter task_id"
    assert "is now called id (GET /v1/tasks/{id})" in change.message


def test_diff_path_item_parameters_and_refs_are_resolved():
    old = make_doc({ITEM: {"parameters": [TASK_ID], "get": get_task(parameters=[])}})
    new = make_doc(
        {ITEM: {"$ref": "#/components/pathItems/Task"}},
        components={
            "pathItems": {
                "Task": {"get": get_task(parameters=[{"$ref": "#/components/parameters/TaskId"}])}
            },
            "parameters": {"TaskId": TASK_ID},
        },
    )

    assert diff_specs(old, new) == []


REQUIRED_LIMIT = {**LIMIT, "required": True}
TAGS = {**LIMIT, "schema": {"type": "array", "items": {"type": "string"}}}
INTEGER_JSON = {"application/json": {"schema": {"type": "integer"}}}
LIMIT_AS_CONTENT = {"name": "limit", "in": "query", "content": INTEGER_JSON}
REQUEST_ID = {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}}
SESSION = {"name": "session", "in": "cookie", "schema": {"type": "string"}}


@pytest.mark.parametrize(
    ("old_parameters", "new_parameters", "expected"),
    [
        ([LIMIT], [], [("parameter-removed", False, "query parameter limit")]),
        ([], [LIMIT], [("optional-parameter-added", False, "query parameter limit")]),
        ([], [REQUIRED_LIMIT], [("required-parameter-added", True, "query parameter limit")]),
        ([LIMIT], [REQUIRED_LIMIT], [("parameter-became-required", True, "query parameter limit")]),
        (
            [REQUIRED_LIMIT],
            [LIMIT],
            [("parameter-became-optional", False, "query parameter limit")],
        ),
        (
            [TAGS],
            [{**TAGS, "explode": False}],
            [("parameter-style-changed", True, "query parameter limit")],
        ),
        (
            [LIMIT],
            [{**LIMIT, "schema": {"type": "integer", "maximum": 100}}],
            [("constraint-narrowed", True, "query parameter limit")],
        ),
        ([LIMIT], [LIMIT_AS_CONTENT], []),
        ([REQUEST_ID], [{**REQUEST_ID, "name": "x-request-id"}], []),
        (
            [REQUEST_ID],
            [{**REQUEST_ID, "in": "query"}],
            [
                ("parameter-removed", False, "header parameter X-Request-Id"),
                ("optional-parameter-added", False, "query parameter X-Request-Id"),
            ],
        ),
        ([SESSION], [{**SESSION, "style": "form"}], []),
    ],
    ids=[
        "removed",
        "optional-added",
        "required-added",
        "became-required",
        "became-optional",
        "explode-changed",
        "schema-narrowed",
        "schema-as-content",
        "header-case",
        "moved-location",
        "explicit-default-style",
    ],
)
def test_diff_parameters_changed_reports_rule(old_parameters, new_parameters, expected):
    def document(parameters):
        return make_doc({ITEM: {"get": get_task(parameters=[TASK_ID, *parameters])}})

    at = "GET /v1/tasks/{task_id}"
    changes = found(document(old_parameters), document(new_parameters))

    assert changes == [(rule, breaking, f"{at} {where}") for rule, breaking, where in expected]


BODY = {"required": True, "content": JSON_TASK}
FORM = {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Task"}}}


@pytest.mark.parametrize(
    ("old_body", "new_body", "expected"),
    [
        (BODY, None, [("request-body-removed", True, "")]),
        (None, BODY, [("request-body-added", True, "")]),
        (None, {**BODY, "required": False}, [("request-body-added", False, "")]),
        ({**BODY, "required": False}, BODY, [("request-body-became-required", True, "")]),
        (BODY, {**BODY, "required": False}, [("request-body-became-optional", False, "")]),
        (
            {**BODY, "content": {**JSON_TASK, **FORM}},
            BODY,
            [("content-type-removed", True, " application/x-www-form-urlencoded")],
        ),
        (
            BODY,
            {**BODY, "content": {**JSON_TASK, **FORM}},
            [("content-type-added", False, " application/x-www-form-urlencoded")],
        ),
        (
            {**BODY, "content": FORM},
            {**BODY, "content": {"Application/X-WWW-Form-Urlencoded": FORM[next(iter(FORM))]}},
            [],
        ),
        (BODY, {"$ref": "#/components/requestBodies/Task"}, []),
    ],
    ids=[
        "removed",
        "added-required",
        "added-optional",
        "became-required",
        "became-optional",
        "media-removed",
        "media-added",
        "media-case",
        "ref",
    ],
)
def test_diff_request_body_changed_reports_rule(old_body, new_body, expected):
    def document(body):
        operation = create_task(requestBody=body) if body else create_task()
        if body is None:
            del operation["requestBody"]
        return make_doc(
            {"/v1/tasks": {"post": operation}},
            components={"requestBodies": {"Task": BODY}},
        )

    at = "POST /v1/tasks request body"
    expected = [(rule, breaking, f"{at}{where}") for rule, breaking, where in expected]

    assert found(document(old_body), document(new_body)) == expected


def test_diff_form_body_schema_change_names_media_type_in_location():
    def document(max_length):
        title = {"type": "string", "maxLength": max_length}
        schema = {"type": "object", "properties": {"title": title}}
        content = {"multipart/form-data": {"schema": schema}}
        return make_doc({"/v1/tasks": {"post": create_task(requestBody={"content": content})}})

    [change] = diff_specs(document(200), document(100))

    assert change.location == "POST /v1/tasks request body multipart/form-data /title"
    assert (change.rule, change.breaking) == ("constraint-narrowed", True)


OK = {"description": "The task.", "content": JSON_TASK}
GONE = {"description": "Not found.", "content": {"application/problem+json": {"schema": {}}}}
ETAG = {"ETag": {"schema": {"type": "string"}}}


@pytest.mark.parametrize(
    ("old_responses", "new_responses", "expected"),
    [
        ({"200": OK, "404": GONE}, {"200": OK}, [("response-status-removed", False, " 404")]),
        ({"200": OK, "202": OK}, {"200": OK}, [("response-status-removed", True, " 202")]),
        ({"200": OK}, {"200": OK, "202": OK}, [("response-status-added", True, " 202")]),
        ({"200": OK}, {"200": OK, "429": GONE}, [("response-status-added", False, " 429")]),
        ({"200": OK}, {"2XX": OK, "200": OK}, [("response-status-added", True, " 2XX")]),
        (
            {"200": OK},
            {"200": {"description": "Empty."}},
            [("content-type-removed", True, " 200 body application/json")],
        ),
        (
            {"200": {"description": "Empty."}},
            {"200": OK},
            [("content-type-added", False, " 200 body application/json")],
        ),
        (
            {"200": {**OK, "headers": ETAG}},
            {"200": OK},
            [("response-header-removed", True, " 200 header ETag")],
        ),
        (
            {"200": OK},
            {"200": {**OK, "headers": ETAG}},
            [("response-header-added", False, " 200 header ETag")],
        ),
        ({"200": {**OK, "headers": ETAG}}, {"200": {**OK, "headers": {"etag": ETAG["ETag"]}}}, []),
        (
            {"200": {**OK, "headers": ETAG}},
            {"200": {**OK, "headers": {"ETag": {"schema": {"type": "integer"}}}}},
            [("type-changed", True, " 200 header ETag")],
        ),
        (
            {"200": {**OK, "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}}},
            {"200": {**OK, "headers": ETAG}},
            [],
        ),
        ({"200": OK}, {"200": {"$ref": "#/components/responses/Task"}}, []),
    ],
    ids=[
        "error-removed",
        "success-removed",
        "success-added",
        "error-added",
        "range-added",
        "content-removed",
        "content-added",
        "header-removed",
        "header-added",
        "header-case",
        "header-schema",
        "header-ref",
        "response-ref",
    ],
)
def test_diff_responses_changed_reports_rule(old_responses, new_responses, expected):
    def document(responses):
        return make_doc(
            {ITEM: {"get": get_task(responses=responses)}},
            components={"responses": {"Task": OK}, "headers": ETAG},
        )

    at = "GET /v1/tasks/{task_id} response"
    expected = [(rule, breaking, f"{at}{where}") for rule, breaking, where in expected]

    assert found(document(old_responses), document(new_responses)) == expected


def test_diff_problem_response_schema_change_names_media_type_in_location():
    def document(detail_type):
        schema = {"type": "object", "properties": {"detail": {"type": detail_type}}}
        problem = {
            "description": "No.",
            "content": {"application/problem+json": {"schema": schema}},
        }
        return make_doc({ITEM: {"get": get_task(responses={"200": OK, "404": problem})}})

    [change] = diff_specs(document("string"), document("integer"))

    assert change.location == (
        "GET /v1/tasks/{task_id} response 404 body application/problem+json /detail"
    )


SCHEMES = {
    "bearer": BEARER,
    "apiKey": API_KEY,
    "oauth": {
        "type": "oauth2",
        "flows": {
            "clientCredentials": {
                "tokenUrl": "https://auth.example/token",
                "scopes": {"read": "", "write": ""},
            }
        },
    },
}


@pytest.mark.parametrize(
    ("old_security", "new_security", "expected"),
    [
        (None, [{"bearer": []}], ("security-added", True)),
        ([{}], [{"bearer": []}], ("security-added", True)),
        ([{"bearer": []}], None, ("security-removed", False)),
        ([{"bearer": []}], [{"bearer": []}, {}], ("security-removed", False)),
        ([{"bearer": []}], [{"apiKey": []}], ("security-changed", True)),
        ([{"bearer": []}], [{"bearer": []}, {"apiKey": []}], ("security-changed", False)),
        ([{"bearer": [], "apiKey": []}], [{"bearer": []}], ("security-changed", False)),
        ([{"bearer": []}], [{"bearer": [], "apiKey": []}], ("security-changed", True)),
        ([{"oauth": ["read", "write"]}], [{"oauth": ["read"]}], ("security-changed", False)),
        ([{"oauth": ["read"]}], [{"oauth": ["read", "write"]}], ("security-changed", True)),
    ],
    ids=[
        "added",
        "anonymous-then-required",
        "removed",
        "made-optional",
        "replaced",
        "alternative-added",
        "fewer-schemes",
        "more-schemes",
        "fewer-scopes",
        "more-scopes",
    ],
)
def test_diff_operation_security_changed_reports_rule(old_security, new_security, expected):
    def document(security):
        operation = get_task() if security is None else get_task(security=security)
        return make_doc({ITEM: {"get": operation}}, components={"securitySchemes": SCHEMES})

    [change] = diff_specs(document(old_security), document(new_security))

    assert (change.rule, change.breaking) == expected
    assert change.location == "GET /v1/tasks/{task_id}"


def test_diff_root_security_applies_unless_operation_overrides_it():
    paths = {
        ITEM: {"get": get_task()},
        "/v1/tasks": {"post": create_task(security=[])},
    }
    components = {"securitySchemes": SCHEMES}
    old = make_doc(paths, components=components)
    new = make_doc(paths, components=components, security=[{"bearer": []}])

    [change] = diff_specs(old, new)

    assert (change.rule, change.location) == ("security-added", "GET /v1/tasks/{task_id}")
    assert "from anonymous to bearer;" in change.message


def test_diff_security_message_lists_scopes():
    def document(scopes):
        operation = get_task(security=[{"oauth": scopes}])
        return make_doc({ITEM: {"get": operation}}, components={"securitySchemes": SCHEMES})

    [change] = diff_specs(document(["read"]), document(["read", "write"]))

    assert "from oauth (read) to oauth (read, write);" in change.message


@pytest.mark.parametrize(
    ("old_scheme", "new_scheme", "expected"),
    [
        (API_KEY, {**API_KEY, "name": "x-api-key"}, []),
        (
            API_KEY,
            {**API_KEY, "in": "query", "name": "api_key"},
            [("security-scheme-changed", True)],
        ),
        (BEARER, {"type": "http", "scheme": "Bearer"}, []),
        (BEARER, {"type": "http", "scheme": "basic"}, [("security-scheme-changed", True)]),
        (
            SCHEMES["oauth"],
            {
                "type": "oauth2",
                "flows": {"clientCredentials": {"tokenUrl": "https://id.example/t", "scopes": {}}},
            },
            [("security-scheme-changed", True)],
        ),
        (
            {"type": "openIdConnect", "openIdConnectUrl": "https://auth.example/.well-known"},
            {"$ref": "#/components/securitySchemes/other"},
            [],
        ),
    ],
    ids=["header-case", "moved", "bearer-case", "other-scheme", "token-url", "ref"],
)
def test_diff_security_scheme_changed_reports_rule(old_scheme, new_scheme, expected):
    def document(scheme):
        other = {"type": "openIdConnect", "openIdConnectUrl": "https://auth.example/.well-known"}
        return make_doc(
            {ITEM: {"get": get_task(security=[{"main": []}])}},
            components={"securitySchemes": {"main": scheme, "other": other}},
        )

    changes = diff_specs(document(old_scheme), document(new_scheme))

    assert [(c.rule, c.breaking) for c in changes] == expected
    assert all(c.location == "components/securitySchemes/main" for c in changes)


def test_diff_security_scheme_removed_says_what_clients_sent():
    def document(schemes, security):
        operation = get_task(security=security)
        return make_doc({ITEM: {"get": operation}}, components={"securitySchemes": schemes})

    old = document({"apiKey": API_KEY}, [{"apiKey": []}])
    new = document({"bearer": BEARER}, [{"apiKey": []}])

    [change] = diff_specs(old, new)

    assert change.message.startswith(
        "components/securitySchemes/apiKey changed from apiKey header x-api-key to nothing;"
    )


def test_diff_changes_are_sorted_by_location_then_rule():
    old = make_doc({ITEM: {"get": get_task()}, "/v1/tasks": {"post": create_task()}})
    new_task = {**TASK, "properties": {"id": {"type": "string"}, "title": {"type": "string"}}}
    new = make_doc(
        {
            ITEM: {"get": get_task(operationId="fetchTask")},
            "/v1/projects": {"get": get_task(operationId="listProjects", parameters=[])},
        },
        components={"schemas": {"Task": new_task}},
    )

    changes = diff_specs(old, new)

    assert [(c.location, c.rule) for c in changes] == [
        ("GET /v1/projects", "operation-added"),
        ("GET /v1/tasks/{task_id}", "operation-id-changed"),
        ("GET /v1/tasks/{task_id} response 200 body /id", "type-changed"),
        ("GET /v1/tasks/{task_id} response 200 body /title", "constraint-widened"),
        ("POST /v1/tasks", "operation-removed"),
    ]
    reordered = {"/v1/projects": new["paths"]["/v1/projects"], **new["paths"]}
    assert diff_specs(old, {**new, "paths": reordered}) == changes


def test_diff_messages_are_full_sentences_naming_the_location():
    old = make_doc({ITEM: {"get": get_task()}, "/v1/tasks": {"post": create_task()}})
    new = make_doc({ITEM: {"get": get_task(operationId="fetchTask")}})

    for change in diff_specs(old, new):
        assert change.message.startswith(change.location)
        assert change.message.endswith(".")


def test_change_str_renders_one_line_with_label_rule_and_message():
    breaking = Change(True, "operation-removed", "GET /v1/tasks", "GET /v1/tasks was removed.")
    harmless = Change(False, "enum-value-added", "GET /v1/tasks", "The enum gained x.")

    assert str(breaking) == "BREAKING operation-removed: GET /v1/tasks was removed."
    assert str(harmless) == "change enum-value-added: The enum gained x."


def test_diff_removed_operation_message_says_what_clients_get():
    old = make_doc({"/v1/tasks": {"post": create_task()}})
    new = make_doc({})

    assert [str(c) for c in diff_specs(old, new)] == [
        "BREAKING operation-removed: POST /v1/tasks was removed; old clients that call it get "
        "a 404 or 405."
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ([], False),
        ([Change(False, "operation-added", "GET /a", "GET /a was added.")], False),
        (
            [
                Change(False, "operation-added", "GET /a", "GET /a was added."),
                Change(True, "operation-removed", "GET /b", "GET /b was removed."),
            ],
            True,
        ),
    ],
    ids=["none", "harmless", "one-breaking"],
)
def test_has_breaking_with_changes_returns_whether_any_breaks(changes, expected):
    assert has_breaking(iter(changes)) is expected
