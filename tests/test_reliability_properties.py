"""Property tests of restkit's pure input functions: only documented problems, and round trips.

- Merge patch (RFC 7396): `apply_merge_patch` gives what the RFC's algorithm gives, `{}` is
  the identity, and the difference of two documents, applied to the first, gives the second.
- JSON Patch (RFC 6902): add-then-remove round trips, `test` succeeds on the current value
  and is a 409 otherwise, missing paths are a 409, and any list of operations gives a result,
  a 409 `Conflict` or a 422 `UnprocessableContent` whose pointers are in the patch.
- `If-Match` / `If-None-Match`: any value parses or raises `ValueError` (a 400 problem at the
  HTTP boundary), and written tag lists parse back to themselves.
- `restkit.spec.diff`: a document differs from nothing in itself, adding an optional
  response property or removing a required request property is reported by its documented
  rule, and random JSON-ish documents never crash it.

Request parsing, query strings and cursors are in test_reliability_properties_http.py.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonpointer
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from werkzeug.datastructures import Headers

from restkit.conditional import EntityTag, evaluate_preconditions, parse_entity_tags
from restkit.patch import apply_json_patch, apply_merge_patch
from restkit.problems import BadRequest, Conflict, InputError, UnprocessableContent
from restkit.spec.diff import Change, diff_specs, has_breaking
from tests.property_helpers import PROPERTY, canonical

KEYS = st.sampled_from(["a", "b", "c", "", "~", "a/b", "0", "-"]) | st.text(max_size=4)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
# Documents without null in objects: a merge patch cannot write such a member (RFC 7396 §1).
NO_NULL = st.recursive(
    SCALARS.filter(lambda value: value is not None),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=15,
)
POINTER = re.compile(r"(/([^~/]|~[01])*)*")


def json_value(value: Any) -> Any:
    """A comparable form in which 1, 1.0 and True differ and object member order does not."""
    if isinstance(value, dict):
        return ("object", sorted((key, json_value(item)) for key, item in value.items()))
    return canonical(value) if not isinstance(value, list) else [json_value(v) for v in value]


def rfc7396(target: Any, patch: Any) -> Any:
    """The MergePatch pseudocode of RFC 7396 §2, written out."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = rfc7396(result.get(name), value)
    return result


def merge_diff(before: Any, after: Any) -> Any:
    """Return the merge patch that turns `before` into `after`."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return after
    patch: dict[str, Any] = {name: None for name in before if name not in after}
    for name, value in after.items():
        if name not in before or json_value(before[name]) != json_value(value):
            patch[name] = merge_diff(before.get(name), value)
    return patch


@PROPERTY
@given(document=JSON, patch=JSON)
def test_merge_patch_gives_what_rfc_7396_gives(document: Any, patch: Any) -> None:
    kept = copy.deepcopy(document)
    assert json_value(apply_merge_patch(document, patch)) == json_value(rfc7396(document, patch))
    assert json_value(document) == json_value(kept)  # the document is never changed in place


@PROPERTY
@given(document=st.dictionaries(KEYS, JSON, max_size=5))
def test_merge_patch_empty_object_is_identity(document: dict[str, Any]) -> None:
    assert json_value(apply_merge_patch(document, {})) == json_value(document)


@PROPERTY
@given(before=st.dictionaries(KEYS, NO_NULL, max_size=5), after=NO_NULL)
def test_merge_patch_of_difference_turns_first_into_second(before: Any, after: Any) -> None:
    assert json_value(apply_merge_patch(before, merge_diff(before, after))) == json_value(after)


def pointers(document: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Return every (pointer, value) in a document, the whole document first."""
    found = [(prefix, document)]
    if isinstance(document, dict):
        for key, value in document.items():
            token = key.replace("~", "~0").replace("/", "~1")
            found += pointers(value, f"{prefix}/{token}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += pointers(value, f"{prefix}/{index}")
    return found


def containers(document: Any) -> list[tuple[str, Any]]:
    return [(p, v) for p, v in pointers(document) if isinstance(v, dict | list)]


@PROPERTY
@given(document=JSON.filter(lambda d: isinstance(d, dict | list)), data=st.data())
def test_json_patch_add_then_remove_round_trips(document: Any, data: st.DataObject) -> None:
    where, container = data.draw(st.sampled_from(containers(document)))
    if isinstance(container, dict):
        key = data.draw(KEYS.filter(lambda k: k not in container))
        path = f"{where}/{key.replace('~', '~0').replace('/', '~1')}"
    else:
        path = f"{where}/{data.draw(st.integers(0, len(container)))}"
    value = data.draw(JSON)
    added = apply_json_patch(document, [{"op": "add", "path": path, "value": value}])
    assert json_value(jsonpointer.resolve_pointer(added, path)) == json_value(value)
    removed = apply_json_patch(added, [{"op": "remove", "path": path}])
    assert json_value(removed) == json_value(document)


@PROPERTY
@given(document=JSON, data=st.data())
def test_json_patch_test_op_passes_on_current_value_and_conflicts_otherwise(
    document: Any, data: st.DataObject
) -> None:
    path, current = data.draw(st.sampled_from(pointers(document)))
    same = apply_json_patch(document, [{"op": "test", "path": path, "value": current}])
    assert json_value(same) == json_value(document)
    other = data.draw(JSON.filter(lambda v: v != current))
    with pytest.raises(Conflict) as raised:
        apply_json_patch(document, [{"op": "test", "path": path, "value": other}])
    assert (raised.value.status, raised.value.title) == (409, "Conflict")
    assert raised.value.detail.startswith("Operation 0 of the patch (test ")


@PROPERTY
@given(
    document=st.dictionaries(KEYS, JSON, max_size=4),
    key=KEYS,
    op=st.sampled_from(["remove", "replace", "move", "copy"]),
)
def test_json_patch_on_missing_path_is_409(document: dict[str, Any], key: str, op: str) -> None:
    assume(key not in document)
    missing = "/" + key.replace("~", "~0").replace("/", "~1")
    operation: dict[str, Any] = {"op": op, "path": missing, "value": 1}
    if op in ("move", "copy"):
        operation.update({"from": missing, "path": "/elsewhere"})
    with pytest.raises(Conflict) as raised:
        apply_json_patch(document, [operation])
    assert raised.value.status == 409
    assert "cannot be applied to the current resource" in raised.value.detail


OPERATION = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "drop"])},
    optional={
        "path": st.sampled_from(["", "/", "/a", "/a/b", "/0", "/-", "/a/-", "/~2", "/a~1b"])
        | st.text(max_size=5),
        "from": st.sampled_from(["", "/a", "/b/0", "/c", "/-"]) | st.integers(),
        "value": JSON,
    },
)
OPERATIONS = st.lists(OPERATION | JSON, max_size=4) | JSON


@PROPERTY
@given(document=JSON, patch=OPERATIONS)
@example(document={"a": 1}, patch=[{"op": "remove", "path": ""}])
@example(document=[1], patch=[{"op": "move", "from": "", "path": "/0"}])
def test_json_patch_random_operations_give_result_or_documented_problem(
    document: Any, patch: Any
) -> None:
    try:
        apply_json_patch(document, patch)
    except (Conflict, UnprocessableContent) as problem:
        raised: Conflict | UnprocessableContent = problem
    else:
        return
    if isinstance(raised, Conflict):
        assert raised.status == 409
        assert raised.detail.startswith("Operation ")
    else:
        assert raised.status == 422
        assert raised.errors
        for error in raised.errors:
            assert isinstance(error, InputError)
            assert error.location == "body"
            assert error.pointer is not None
            assert POINTER.fullmatch(error.pointer)
            parent = error.pointer.rsplit("/", 1)[0] if error.pointer.count("/") > 1 else ""
            jsonpointer.resolve_pointer(patch, parent)  # the operation it names exists


ETAGC = st.characters(codec="latin-1", exclude_characters='"', min_codepoint=0x21).filter(
    lambda c: c != "\x7f"
)
TAGS = st.builds(EntityTag, st.text(ETAGC, max_size=8), st.booleans())
HEADER_TEXT = st.text(st.sampled_from(list(' \t,"W/*ab\x7f\x00é')), max_size=12) | st.text(
    st.characters(exclude_characters="\r\n")  # a header line holds no line break
)


@PROPERTY
@given(value=HEADER_TEXT)
@example(value="")
@example(value=",")
@example(value='"a" "b"')
def test_entity_tag_parsing_of_any_value_gives_tags_or_value_error(value: str) -> None:
    try:
        parsed = parse_entity_tags(value)
    except ValueError:
        with pytest.raises(BadRequest) as raised:
            evaluate_preconditions("PUT", Headers({"If-Match": value}), None, None)
        assert raised.value.status == 400
        assert raised.value.detail.startswith("The If-Match header must be * or")
        return
    assert parsed == "*" or (parsed and all(isinstance(tag, EntityTag) for tag in parsed))


@PROPERTY
@given(tags=st.lists(TAGS, min_size=1, max_size=5), separator=st.sampled_from([",", ", ", " ,,\t"]))
def test_entity_tag_list_written_and_parsed_round_trips(
    tags: list[EntityTag], separator: str
) -> None:
    assert parse_entity_tags(separator.join(str(tag) for tag in tags)) == tags


def post_items(body: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.1 document with one operation: POST /items, with its two schemas."""

    def content(schema: dict[str, Any]) -> dict[str, Any]:
        return {"content": {"application/json": {"schema": schema}}}

    return {
        "openapi": "3.1.0",
        "info": {"title": "Items", "version": "1"},
        "paths": {
            "/items": {
                "post": {
                    "operationId": "createItem",
                    "requestBody": {"required": True, **content(body)},
                    "responses": {"201": {"description": "Created.", **content(response)}},
                }
            }
        },
    }


SCHEMA_TYPES = st.sampled_from(["string", "integer", "number", "boolean"]).map(
    lambda kind: {"type": kind}
)
NAMES = st.text("abcxyz_", min_size=1, max_size=5)
OBJECTS = st.builds(
    lambda properties, data: {
        "type": "object",
        "properties": properties,
        "required": sorted(data.draw(st.sets(st.sampled_from(sorted(properties or {"x": 0}))))),
        "additionalProperties": False,
    },
    st.dictionaries(NAMES, SCHEMA_TYPES, min_size=1, max_size=4),
    st.data(),
)


@PROPERTY
@given(body=OBJECTS, response=OBJECTS)
def test_spec_diff_of_document_with_itself_is_empty(
    body: dict[str, Any], response: dict[str, Any]
) -> None:
    document = post_items(body, response)
    assert diff_specs(document, copy.deepcopy(document)) == []


@PROPERTY
@given(body=OBJECTS, response=OBJECTS, name=NAMES, kind=SCHEMA_TYPES)
def test_spec_diff_optional_response_property_added_is_not_breaking(
    body: dict[str, Any], response: dict[str, Any], name: str, kind: dict[str, Any]
) -> None:
    assume(name not in response["properties"])
    wider = copy.deepcopy(response)
    wider["properties"][name] = kind
    changes = diff_specs(post_items(body, response), post_items(body, wider))
    assert [(c.breaking, c.rule, c.location) for c in changes] == [
        (False, "response-property-added", f"POST /items response 201 body /{name}")
    ]


@PROPERTY
@given(body=OBJECTS, response=OBJECTS, data=st.data())
def test_spec_diff_required_request_property_removed_is_breaking(
    body: dict[str, Any], response: dict[str, Any], data: st.DataObject
) -> None:
    assume(body["required"])
    name = data.draw(st.sampled_from(body["required"]))
    narrower = copy.deepcopy(body)
    del narrower["properties"][name]
    narrower["required"].remove(name)
    changes = diff_specs(post_items(body, response), post_items(narrower, response))
    assert [(c.breaking, c.rule, c.location) for c in changes] == [
        (True, "request-property-removed", f"POST /items request body /{name}")
    ]
    assert has_breaking(changes)


SPEC_WORDS = st.sampled_from(
    [
        "openapi",
        "paths",
        "components",
        "schemas",
        "get",
        "post",
        "parameters",
        "in",
        "name",
        "required",
        "requestBody",
        "responses",
        "content",
        "application/json",
        "schema",
        "$ref",
        "properties",
        "type",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "enum",
        "nullable",
        "readOnly",
        "writeOnly",
        "security",
        "securitySchemes",
        "additionalProperties",
        "maximum",
        "exclusiveMinimum",
        "headers",
        "style",
        "explode",
        "200",
        "default",
    ]
)
REFS = st.sampled_from(["#/components/schemas/A", "#/components", "#/", "#/x~1y", "other.json"])
SPEC_JSON = st.recursive(
    SCALARS | REFS | st.just("#/components/schemas/A"),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            SPEC_WORDS | st.sampled_from(["/items/{id}", "/a", "A"]), inner, max_size=5
        )
    ),
    max_leaves=30,
)
SPECS = st.fixed_dictionaries(
    {"openapi": st.just("3.1.0"), "paths": SPEC_JSON, "components": SPEC_JSON}
) | st.dictionaries(SPEC_WORDS, SPEC_JSON, max_size=4)


@PROPERTY
@given(old=SPECS, new=SPECS)
def test_spec_diff_of_random_documents_never_crashes(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    changes = diff_specs(old, new)
    assert all(isinstance(change, Change) and change.message for change in changes)
    assert diff_specs(old, copy.deepcopy(old)) == []
