"""restkit.spec.diff: schemas in both directions, `$ref`s, recursion, 3.0 and 3.1 spellings.

Each table row is an old and a new schema for the property `value` of a request body
(`POST /v1/tasks`) or of a response body (`GET /v1/tasks/{task_id}`), with the one rule and
breaking flag expected. Every document is validated by `make_doc`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from restkit.spec.diff import diff_specs
from tests.test_spec_diff import TASK_ID, make_doc

REQUEST_AT = "POST /v1/tasks request body"
RESPONSE_AT = "GET /v1/tasks/{task_id} response 200 body"
NULL = {"type": "null"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def document(
    direction: str,
    body: Any,
    *,
    version: str = "3.1.0",
    schemas: dict[str, Any] | None = None,
    base_uri: str = "",
) -> dict[str, Any]:
    """A document whose request (or response) body is `body`."""
    content = {"application/json": {"schema": body}}
    if direction == "request":
        post = {
            "requestBody": {"required": True, "content": content},
            "responses": {"204": {"description": "Created."}},
        }
        paths = {"/v1/tasks": {"post": post}}
    else:
        get = {
            "parameters": [TASK_ID],
            "responses": {"200": {"description": "OK.", "content": content}},
        }
        paths = {"/v1/tasks/{task_id}": {"get": get}}
    return make_doc(
        paths, version=version, components={"schemas": schemas or {}}, base_uri=base_uri
    )


def wrapped(value: Any, required: bool = False) -> dict[str, Any]:
    """An object schema with one property `value`."""
    schema = {"type": "object", "properties": {"value": value}}
    return {**schema, "required": ["value"]} if required else schema


def diff(old: Any, new: Any, direction: str, **options: Any) -> list[tuple[str, bool, str]]:
    before, after = document(direction, old, **options), document(direction, new, **options)
    at = REQUEST_AT if direction == "request" else RESPONSE_AT
    return [(c.rule, c.breaking, c.location.removeprefix(at)) for c in diff_specs(before, after)]


STRING = {"type": "string"}
INTEGER = {"type": "integer"}


def of(kind: str, **keywords: Any) -> dict[str, Any]:
    """A schema of one JSON type with some keywords: `of("string", maxLength=5)`."""
    return {"type": kind, **keywords}


NARROWED, WIDENED = "constraint-narrowed", "constraint-widened"

# (old `value` schema, new `value` schema, rule, breaking in a request, breaking in a response);
# None where the row does not apply to that direction
VALUE_CHANGES = [
    (STRING, of(["string", "null"]), "property-became-nullable", False, True),
    (of(["string", "null"]), STRING, "nullable-removed", True, False),
    (ref("Task"), {"anyOf": [ref("Task"), NULL]}, "property-became-nullable", False, True),
    ({"oneOf": [NULL, ref("Task")]}, ref("Task"), "nullable-removed", True, False),
    (STRING, INTEGER, "type-changed", True, True),
    (INTEGER, of("number"), "type-changed", False, True),
    (of("number"), INTEGER, "type-changed", True, False),
    (of(["string", "integer"]), STRING, "type-changed", True, False),
    ({}, STRING, "type-changed", True, False),
    (STRING, {}, "type-changed", False, True),
    (STRING, of("string", format="uuid"), "format-changed", True, False),
    (of("string", format="date-time"), STRING, "format-changed", False, True),
    (of("string", format="date-time"), of("string", format="date"), "format-changed", True, True),
    (of("integer", format="int32"), of("integer", format="int64"), "format-changed", False, True),
    (of("number", format="double"), of("number", format="float"), "format-changed", True, False),
    ({"enum": ["open", "done"]}, {"enum": ["open"]}, "enum-value-removed", True, False),
    ({"enum": ["open"]}, {"enum": ["open", "done"]}, "enum-value-added", False, True),
    ({"const": "open"}, {"enum": ["open", "done"]}, "enum-value-added", False, True),
    (STRING, of("string", enum=["open"]), NARROWED, True, False),
    (of("string", enum=["open"]), STRING, WIDENED, False, True),
    (of("string", maxLength=200), of("string", maxLength=100), NARROWED, True, False),
    (of("string", maxLength=100), of("string", maxLength=200), WIDENED, False, True),
    (of("string", maxLength=100), STRING, WIDENED, False, True),
    (STRING, of("string", minLength=1), NARROWED, True, False),
    (of("integer", minimum=0), of("integer", minimum=1), NARROWED, True, False),
    (of("integer", minimum=1), of("integer", minimum=0), WIDENED, False, True),
    (of("integer", maximum=10), of("integer", exclusiveMaximum=10), NARROWED, True, False),
    (of("integer", exclusiveMinimum=0), of("integer", minimum=0), WIDENED, False, True),
    (of("array", maxItems=50), of("array", maxItems=20), NARROWED, True, False),
    (of("array", minItems=1), of("array"), WIDENED, False, True),
    (of("object", maxProperties=5), of("object", maxProperties=9), WIDENED, False, True),
    (of("object"), of("object", minProperties=1), NARROWED, True, False),
    (STRING, of("string", pattern="^[a-z]+$"), NARROWED, True, False),
    (of("string", pattern="^[a-z]+$"), STRING, WIDENED, False, True),
    # a different pattern or step both narrows and widens: each direction hears what hurts it
    (of("string", pattern="^[a-z]+$"), of("string", pattern="^[0-9]+$"), NARROWED, True, None),
    (of("string", pattern="^[a-z]+$"), of("string", pattern="^[0-9]+$"), WIDENED, None, True),
    (of("integer", multipleOf=2), of("integer", multipleOf=3), NARROWED, True, None),
    (of("integer", multipleOf=2), of("integer", multipleOf=3), WIDENED, None, True),
    (INTEGER, of("integer", multipleOf=5), NARROWED, True, False),
    (of("integer", multipleOf=2), of("integer", multipleOf=4), NARROWED, True, False),
    (of("number", multipleOf=0.2), of("number", multipleOf=0.1), WIDENED, False, True),
    (of("integer", multipleOf=5), INTEGER, WIDENED, False, True),
    (of("array"), of("array", uniqueItems=True), NARROWED, True, False),
    (of("array", uniqueItems=True), of("array"), WIDENED, False, True),
    (of("object"), of("object", additionalProperties=False), NARROWED, True, False),
    (of("object", additionalProperties=False), of("object"), WIDENED, False, False),
    ({"not": STRING}, {"not": INTEGER}, "schema-changed", False, False),
    (of("array"), of("array", prefixItems=[STRING]), "schema-changed", False, False),
    (
        STRING,
        of("string", anyOf=[{"maxLength": 5}, {"format": "uuid"}]),
        "schema-changed",
        False,
        False,
    ),
    (
        {"oneOf": [ref("Task"), ref("Note")]},
        {"oneOf": [ref("Task")]},
        "variant-removed",
        True,
        False,
    ),
    ({"anyOf": [ref("Task")]}, {"anyOf": [ref("Task"), ref("Note")]}, "variant-added", False, True),
    (
        {"oneOf": [ref("Task"), ref("Note")], "discriminator": {"propertyName": "kind"}},
        {"oneOf": [ref("Task"), ref("Note")], "discriminator": {"propertyName": "type"}},
        "discriminator-changed",
        True,
        True,
    ),
]
ROWS = [
    (old, new, direction, rule, breaking)
    for old, new, rule, *flags in VALUE_CHANGES
    for direction, breaking in zip(("request", "response"), flags, strict=True)
    if breaking is not None
]
NOTE = {"type": "object", "properties": {"text": STRING}}
TASK = {"type": "object", "properties": {"title": STRING}}


@pytest.mark.parametrize(("old", "new", "direction", "rule", "breaking"), ROWS)
def test_diff_value_schema_changed_reports_rule_by_direction(old, new, direction, rule, breaking):
    schemas = {"Task": TASK, "Note": NOTE}

    changes = diff(wrapped(old), wrapped(new), direction, schemas=schemas)

    assert changes == [(rule, breaking, " /value")]


# (old body, new body, rule without its direction, breaking in a request, in a response);
# None where that direction sees no change
OBJECT = of("object")
PROPERTY_CHANGES = [
    (wrapped(STRING), OBJECT, "property-removed", True, True),
    (wrapped(STRING), of("object", additionalProperties=True), "property-removed", False, True),
    (wrapped(STRING), wrapped(of("string", readOnly=True)), "property-removed", True, None),
    (wrapped(STRING), wrapped(of("string", writeOnly=True)), "property-removed", None, True),
    (OBJECT, wrapped(STRING), "property-added", False, False),
    (OBJECT, wrapped(STRING, required=True), "property-added", True, False),
    (wrapped(STRING), wrapped(STRING, required=True), "property-became-required", True, False),
    (wrapped(STRING, required=True), wrapped(STRING), "property-became-optional", False, True),
    (OBJECT, wrapped(of("integer", readOnly=True), required=True), "property-added", None, False),
]
# the rules whose names do not follow "<direction>-<rule>"
PROPERTY_RULES = {
    ("request", "property-added", True): "required-request-property-added",
    ("response", "property-became-optional", True): "response-property-no-longer-required",
}
PROPERTY_ROWS = [
    (old, new, direction, PROPERTY_RULES.get((direction, rule, flag), f"{direction}-{rule}"), flag)
    for old, new, rule, *flags in PROPERTY_CHANGES
    for direction, flag in zip(("request", "response"), flags, strict=True)
    if flag is not None
]


@pytest.mark.parametrize(("old", "new", "direction", "rule", "breaking"), PROPERTY_ROWS)
def test_diff_property_changed_reports_rule_by_direction(old, new, direction, rule, breaking):
    assert diff(old, new, direction) == [(rule, breaking, " /value")]


@pytest.mark.parametrize(
    ("old", "new", "direction"),
    [
        (wrapped(STRING), wrapped({"type": "string", "writeOnly": True}), "request"),
        (wrapped(STRING), wrapped({"type": "string", "readOnly": True}), "response"),
        (
            {"type": "object"},
            wrapped({"type": "integer", "readOnly": True}, required=True),
            "request",
        ),
    ],
    ids=["write-only-request", "read-only-response", "read-only-added"],
)
def test_diff_property_hidden_in_other_direction_is_no_change(old, new, direction):
    assert diff(old, new, direction) == []


def test_diff_nested_array_and_map_changes_point_into_the_value():
    old = wrapped({"type": "array", "items": {"type": "object", "additionalProperties": INTEGER}})
    new = wrapped({"type": "array", "items": {"type": "object", "additionalProperties": STRING}})

    assert diff(old, new, "response") == [("type-changed", True, " /value/[]/*")]


def test_diff_property_names_are_escaped_as_json_pointer_tokens():
    old = {"type": "object", "properties": {"a/b~c": STRING}}
    new = {"type": "object", "properties": {"a/b~c": INTEGER}}

    assert diff(old, new, "request") == [("type-changed", True, " /a~1b~0c")]


def test_diff_enum_values_swapped_reports_removed_and_added():
    old, new = wrapped({"enum": ["open", "done"]}), wrapped({"enum": ["open", "closed"]})

    assert diff(old, new, "response") == [
        ("enum-value-added", True, " /value"),
        ("enum-value-removed", False, " /value"),
    ]


def test_diff_enum_message_names_values_as_json():
    before, after = (
        document("response", wrapped({"enum": ["open"]})),
        document("response", wrapped({"enum": ["open", 2]})),
    )

    [change] = diff_specs(before, after)

    assert change.message == (
        f"{RESPONSE_AT} /value: the enum gained 2; clients generated from the old document "
        "decode it into an enum type that has no such member, and fail."
    )


def test_diff_breaking_type_change_stops_there():
    old = wrapped({"type": "object", "properties": {"a": STRING}})

    assert diff(old, wrapped({"type": "string", "maxLength": 3}), "response") == [
        ("type-changed", True, " /value")
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"type": "string", "nullable": True}, {"type": ["string", "null"]}),
        ({"allOf": [ref("Task")], "nullable": True}, {"anyOf": [ref("Task"), NULL]}),
        (
            {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            {"type": "integer", "exclusiveMinimum": 0},
        ),
        (
            {"type": "integer", "maximum": 9, "exclusiveMaximum": True},
            {"type": "integer", "exclusiveMaximum": 9},
        ),
    ],
    ids=["nullable", "nullable-ref", "exclusive-minimum", "exclusive-maximum"],
)
def test_diff_3_0_spelling_against_3_1_spelling_is_no_change(old, new):
    schemas = {"Task": TASK}
    for direction in ("request", "response"):
        before = document(direction, wrapped(old), version="3.0.3", schemas=schemas)
        after = document(direction, wrapped(new), schemas=schemas)

        assert diff_specs(before, after) == []


@pytest.mark.parametrize(
    ("old", "new", "direction", "expected"),
    [
        (
            {"type": "string"},
            {"type": "string", "nullable": True},
            "response",
            ("property-became-nullable", True),
        ),
        (
            {"type": "string", "nullable": True},
            {"type": "string"},
            "request",
            ("nullable-removed", True),
        ),
        (
            {"type": "integer", "minimum": 0},
            {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            "request",
            ("constraint-narrowed", True),
        ),
    ],
    ids=["became-nullable", "nullable-removed", "exclusive-added"],
)
def test_diff_3_0_documents_read_3_0_keywords(old, new, direction, expected):
    rows = diff(wrapped(old), wrapped(new), direction, version="3.0.3")

    assert rows == [(*expected, " /value")]


def test_diff_3_1_tightest_of_minimum_and_exclusive_minimum_counts():
    old = wrapped({"type": "integer", "minimum": 0, "exclusiveMinimum": 5})

    assert diff(old, wrapped({"type": "integer", "exclusiveMinimum": 5}), "request") == []


def test_diff_component_renamed_with_same_shape_is_only_a_note():
    before = document("response", ref("Task"), schemas={"Task": TASK})
    after = document("response", ref("TaskOut"), schemas={"TaskOut": TASK})

    [change] = diff_specs(before, after)

    assert (change.rule, change.breaking) == ("component-renamed", False)
    assert change.location == "components/schemas/Task"
    assert "an SDK regenerated from the new document names the model TaskOut" in change.message


def test_diff_component_renamed_and_changed_reports_both():
    before = document("response", ref("Task"), schemas={"Task": TASK})
    after = document("response", ref("TaskOut"), schemas={"TaskOut": {"type": "object"}})

    assert [(c.rule, c.location) for c in diff_specs(before, after)] == [
        ("response-property-removed", f"{RESPONSE_AT} /title"),
        ("component-renamed", "components/schemas/Task"),
    ]


def test_diff_switching_to_another_existing_component_of_same_shape_is_no_change():
    schemas = {"Task": TASK, "Draft": TASK}

    assert diff(ref("Task"), ref("Draft"), "request", schemas=schemas) == []


def test_diff_inline_schema_and_its_component_are_the_same():
    assert diff(TASK, ref("Task"), "request", schemas={"Task": TASK}) == []


def test_diff_ref_with_sibling_keywords_applies_them():
    schemas = {"Task": TASK}
    nullable = {"$ref": "#/components/schemas/Task", "type": ["object", "null"]}

    assert diff(ref("Task"), nullable, "response", schemas=schemas) == [
        ("property-became-nullable", True, "")
    ]


def test_diff_all_of_is_compared_as_its_merged_schema():
    base = {"type": "object", "required": ["id"], "properties": {"id": INTEGER}}
    schemas = {"Base": base, "Task": TASK}
    old = {"allOf": [ref("Base"), ref("Task")]}
    new = {
        "allOf": [
            ref("Base"),
            {"type": "object", "required": ["title"], "properties": {"title": STRING}},
        ]
    }

    assert diff(old, new, "request", schemas=schemas) == [
        ("request-property-became-required", True, " /title")
    ]
    flat = {"type": "object", "required": ["id"], "properties": {"id": INTEGER, "title": STRING}}
    assert diff(old, flat, "request", schemas=schemas) == []
    assert (
        diff({"allOf": [STRING, {"maxLength": 5}]}, {"type": "string", "maxLength": 5}, "request")
        == []
    )


def test_diff_inline_alternatives_are_paired_by_position():
    old = wrapped({"oneOf": [STRING, INTEGER]})
    new = wrapped({"oneOf": [STRING, {"type": "number"}]})

    assert diff(old, new, "request") == [("type-changed", False, " /value")]


def test_diff_alternative_component_renamed_is_paired_not_removed():
    schemas = {"Task": TASK, "Note": NOTE, "Memo": NOTE}
    old = {"oneOf": [ref("Task"), ref("Note")]}

    rows = diff(old, {"oneOf": [ref("Task"), ref("Memo")]}, "response", schemas=schemas)

    assert rows == []


def test_diff_alternative_messages_name_the_component():
    schemas = {"Task": TASK, "Note": NOTE}
    before = document("response", {"oneOf": [ref("Task")]}, schemas=schemas)
    after = document("response", {"oneOf": [ref("Task"), ref("Note"), STRING]}, schemas=schemas)

    assert [c.message.split(";")[0] for c in diff_specs(before, after)] == [
        f"{RESPONSE_AT}: the alternative Note was added",
        f'{RESPONSE_AT}: the alternative {{"type": "string"}} was added',
    ]


NODE = {
    "type": "object",
    "properties": {"name": STRING, "children": {"type": "array", "items": ref("Node")}},
}


@pytest.mark.parametrize("direction", ["request", "response"])
def test_diff_recursive_schema_identical_is_no_change(direction):
    assert diff(ref("Node"), ref("Node"), direction, schemas={"Node": NODE}) == []


def test_diff_recursive_schema_change_is_reported_once():
    changed = {**NODE, "properties": {**NODE["properties"], "name": INTEGER}}
    before = document("response", ref("Node"), schemas={"Node": NODE})
    after = document("response", ref("Node"), schemas={"Node": changed})

    assert [(c.rule, c.location) for c in diff_specs(before, after)] == [
        ("type-changed", f"{RESPONSE_AT} /name")
    ]


def test_diff_recursive_schema_renamed_is_one_note():
    tree = {
        **NODE,
        "properties": {**NODE["properties"], "children": {"type": "array", "items": ref("Tree")}},
    }
    before = document("response", ref("Node"), schemas={"Node": NODE})
    after = document("response", ref("Tree"), schemas={"Tree": tree})

    assert [c.rule for c in diff_specs(before, after)] == ["component-renamed"]


def test_diff_mutually_recursive_schemas_terminate():
    schemas = {
        "Project": {
            "type": "object",
            "properties": {"tasks": {"type": "array", "items": ref("Item")}},
        },
        "Item": {"type": "object", "properties": {"project": ref("Project"), "title": STRING}},
    }
    changed = {**schemas, "Item": {"type": "object", "properties": {"project": ref("Project")}}}
    before = document("request", ref("Project"), schemas=schemas)
    after = document("request", ref("Project"), schemas=changed)

    assert [(c.rule, c.location) for c in diff_specs(before, after)] == [
        ("request-property-removed", f"{REQUEST_AT} /tasks/[]/title")
    ]


def test_diff_recursive_all_of_terminates():
    schemas = {"Node": {"allOf": [{"type": "object", "properties": {"next": ref("Node")}}]}}

    assert diff(ref("Node"), ref("Node"), "response", schemas=schemas) == []


def test_diff_external_refs_are_compared_by_text(tmp_path):
    (tmp_path / "common.json").write_text(json.dumps({"Task": TASK, "Note": NOTE}))
    options = {"base_uri": f"{tmp_path.as_uri()}/"}

    same = diff({"$ref": "common.json#/Task"}, {"$ref": "common.json#/Task"}, "response", **options)
    other = diff(
        {"$ref": "common.json#/Task"}, {"$ref": "common.json#/Note"}, "response", **options
    )

    assert same == []
    assert other == [("schema-changed", False, "")]


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("request", [("schema-changed", False, " /value"), ("type-changed", False, " /value")]),
        ("response", [("type-changed", True, " /value")]),
    ],
)
def test_diff_single_type_becoming_alternatives_compares_their_types(direction, expected):
    old, new = wrapped(STRING), wrapped({"oneOf": [STRING, INTEGER]})

    assert diff(old, new, direction) == expected


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"items": STRING}, {"type": "array", "items": STRING}),
        ({"properties": {"a": STRING}}, {"type": "object", "properties": {"a": STRING}}),
        ({"additionalProperties": STRING}, {"type": "object", "additionalProperties": STRING}),
        ({"type": "object"}, {"type": "object", "additionalProperties": True}),
        ({"type": "string", "maxLength": 5, "title": "Old"}, {"maxLength": 5, "type": "string"}),
        ({"type": "number", "multipleOf": 0.1}, {"type": "number", "multipleOf": 0.1}),
        ({"not": {"type": "string", "maxLength": 1}}, {"not": {"maxLength": 1, "type": "string"}}),
    ],
    ids=["array", "object", "map", "explicit-additional", "annotations", "float-step", "not"],
)
def test_diff_equivalent_spellings_are_no_change(old, new):
    for direction in ("request", "response"):
        assert diff(wrapped(old), wrapped(new), direction) == []


# (old `value` schema, new `value` schema, what the request's message says changed)
MESSAGES = [
    (INTEGER, of("integer", maximum=2147483647), "maximum changed from none to 2147483647"),
    (
        of("integer", minimum=-9007199254740993),
        of("integer", exclusiveMinimum=0),
        "minimum changed from -9007199254740993 to 0 (exclusive)",
    ),
    (
        of("number", maximum=0.1),
        of("number", maximum=2147483647.5),
        "maximum changed from 0.1 to 2147483647.5",
    ),
    (of("number", multipleOf=0.01), of("number"), "multipleOf changed from 0.01 to none"),
    (STRING, of("string", pattern="^a$"), 'the pattern changed from none to "^a$"'),
    (of("string", format="uuid"), STRING, "the format changed from uuid to none"),
]


@pytest.mark.parametrize(("old", "new", "expected"), MESSAGES)
def test_diff_message_shows_numbers_in_full_and_absent_keywords_as_none(old, new, expected):
    before, after = document("request", wrapped(old)), document("request", wrapped(new))

    [change] = diff_specs(before, after)

    assert f"{REQUEST_AT} /value: {expected}" in change.message


def test_diff_message_of_a_reference_no_longer_external_says_none(tmp_path):
    (tmp_path / "common.json").write_text(json.dumps({"Task": STRING}), encoding="utf-8")
    options = {"base_uri": f"{tmp_path.as_uri()}/"}
    before = document("response", {"$ref": "common.json#/Task"}, **options)
    after = document("response", STRING, **options)

    [change] = diff_specs(before, after)

    assert "the reference changed from common.json#/Task to none" in change.message
