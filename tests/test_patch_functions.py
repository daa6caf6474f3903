"""The functions of restkit.patch, without a request, and the patch= declaration."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from restkit import DeclarationError, Resource, operation
from restkit.patch import (
    JSON_PATCH,
    MERGE_PATCH,
    apply_json_patch,
    apply_merge_patch,
    check_json_patch,
    make_patch_formats,
    patch_media_types,
    writable_document,
)
from restkit.problems import Conflict, UnprocessableContent
from tests.patch_app import Body, TaskSchema

MakeClient = Callable[..., FlaskClient]

# --- the functions --------------------------------------------------------------------------

BAD_POINTER = (
    "A JSON Pointer (RFC 6901): empty, or '/' and tokens in which '~' is written '~0' "
    "and '/' is written '~1'."
)


# RFC 7396 Appendix A, every example.
@pytest.mark.parametrize(
    ("original", "patch", "result"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_apply_merge_patch_matches_rfc_7396_appendix_a(
    original: Any, patch: Any, result: Any
) -> None:
    before = copy.deepcopy(original)

    assert apply_merge_patch(original, patch) == result
    assert original == before


@pytest.mark.parametrize(
    ("patch", "result"),
    [
        ({"note": None}, {"title": "t", "note": None, "extra": {"k": 1}}),
        ({"missing": None}, {"title": "t", "note": "n", "extra": {"k": 1}}),
        ({"extra": {"k": None}}, {"title": "t", "note": "n", "extra": {}}),
        (
            {"place": {"zip": None}},
            {"title": "t", "note": "n", "extra": {"k": 1}, "place": {"zip": None}},
        ),
    ],
    ids=["field-set-to-none", "unknown-removed", "dict-member-removed", "nested-field-none"],
)
def test_apply_merge_patch_with_schema_sets_fields_to_none(
    patch: dict[str, Any], result: dict[str, Any]
) -> None:
    original = {"title": "t", "note": "n", "extra": {"k": 1}}

    assert apply_merge_patch(original, patch, TaskSchema()) == result


@pytest.mark.parametrize(
    ("patch", "errors"),
    [
        ("add", [("", "A JSON Patch is an array of operations.")]),
        ({"op": "add"}, [("", "A JSON Patch is an array of operations.")]),
        ([None, "x"], [("/0", "An operation is an object."), ("/1", "An operation is an object.")]),
        (
            [{"path": "/a"}],
            [("/0/op", "Unknown op None; use one of add, remove, replace, move, copy, test.")],
        ),
        (
            [{"op": "ADD", "path": "/a", "value": 1}],
            [("/0/op", "Unknown op 'ADD'; use one of add, remove, replace, move, copy, test.")],
        ),
        (
            [{"op": "add"}],
            [
                ("/0", "The 'add' operation needs 'path'."),
                ("/0", "The 'add' operation needs 'value'."),
            ],
        ),
        ([{"op": "copy", "path": "/a"}], [("/0", "The 'copy' operation needs 'from'.")]),
        ([{"op": "test", "path": "/a"}], [("/0", "The 'test' operation needs 'value'.")]),
        (
            [{"op": "remove", "path": 3}],
            [("/0/path", BAD_POINTER)],
        ),
        (
            [{"op": "remove", "path": "a"}],
            [("/0/path", BAD_POINTER)],
        ),
        (
            [{"op": "move", "from": "a", "path": "b"}],
            [
                ("/0/from", BAD_POINTER),
                ("/0/path", BAD_POINTER),
            ],
        ),
        ([{"op": "add", "path": "/a", "value": None}], []),
        ([{"op": "remove", "path": ""}], []),
        ([{"op": "move", "from": "", "path": "/a"}], []),
        ([{"op": "test", "path": "/a", "value": 1, "extra": True}], []),
        ([], []),
    ],
)
def test_check_json_patch_reports_each_malformed_member_at_its_pointer(
    patch: Any, errors: list[tuple[str, str]]
) -> None:
    found = check_json_patch(patch)

    assert [(error.location, error.pointer, error.detail) for error in found] == [
        ("body", pointer, detail) for pointer, detail in errors
    ]


def test_apply_json_patch_returns_a_new_document() -> None:
    document = {"a": {"b": 1}}

    result = apply_json_patch(document, [{"op": "replace", "path": "/a/b", "value": 2}])

    assert result == {"a": {"b": 2}}
    assert document == {"a": {"b": 1}}


@pytest.mark.parametrize(
    ("patch", "problem"),
    [
        ({}, UnprocessableContent),
        ([{"op": "remove", "path": "/x"}], Conflict),
        ([{"op": "test", "path": "/a", "value": 2}], Conflict),
    ],
)
def test_apply_json_patch_raises_the_problem(patch: Any, problem: type[Exception]) -> None:
    with pytest.raises(problem):
        apply_json_patch({"a": 1}, patch)


@pytest.mark.parametrize(
    ("value", "result"),
    [
        (
            {"id": 1, "title": "t", "place": {"city": "c", "checked_at": "x"}, "other": 1},
            {"title": "t", "place": {"city": "c"}, "other": 1},
        ),
        ([{"id": 1, "title": "a"}, {"id": 2}], [{"title": "a"}, {}]),
        ({"place": None}, {"place": None}),
        ("text", "text"),
    ],
    ids=["object", "list", "null-nested", "scalar"],
)
def test_writable_document_drops_read_only_members(value: Any, result: Any) -> None:
    assert writable_document(TaskSchema(), value) == result


# --- make_patch_formats and patch_media_types ---------------------------------------------


def test_patch_with_unhashable_format_raises_declaration_error() -> None:
    with pytest.raises(DeclarationError):
        make_patch_formats(("merge", ["json"]), "Tasks.patch")


@pytest.mark.parametrize(
    ("value", "media_types"),
    [
        (True, (MERGE_PATCH,)),
        (False, ()),
        (None, ()),
        ("merge", (MERGE_PATCH,)),
        ("json", (JSON_PATCH,)),
        (("merge", "json"), (MERGE_PATCH, JSON_PATCH)),
        (["json", "merge"], (JSON_PATCH, MERGE_PATCH)),
        (("merge", "merge"), (MERGE_PATCH,)),
    ],
)
def test_make_patch_formats_returns_media_types_in_declared_order(
    value: Any, media_types: tuple[str, ...]
) -> None:
    assert make_patch_formats(value, "Tasks.patch") == media_types


@pytest.mark.parametrize(
    ("formats", "named"),
    [
        ((MERGE_PATCH,), {"merge": MERGE_PATCH}),
        ((JSON_PATCH, MERGE_PATCH), {"merge": MERGE_PATCH, "json": JSON_PATCH}),
        ((), {}),
    ],
)
def test_patch_media_types_names_each_accepted_type(
    formats: tuple[str, ...], named: dict[str, str]
) -> None:
    assert patch_media_types(formats) == named


@pytest.mark.parametrize("value", [1, 1.0])
def test_apply_json_patch_test_of_an_equal_number_passes(value: Any) -> None:
    patch = [{"op": "test", "path": "/n", "value": value}]

    assert apply_json_patch({"n": 1}, patch) == {"n": 1}


@pytest.mark.parametrize("value", [True, "1", [1], None])
def test_apply_json_patch_test_of_another_json_type_raises_conflict(value: Any) -> None:
    patch = [{"op": "test", "path": "/n", "value": value}]

    with pytest.raises(Conflict, match=r"Operation 0 of the patch \(test '/n'\) failed"):
        apply_json_patch({"n": 1}, patch)


# --- the patch= declaration ------------------------------------------------------------------


def test_patch_declared_on_another_method_raises_declaration_error() -> None:
    with pytest.raises(DeclarationError, match=r"Bad\.put declares patch=\.\.\.; only a patch\("):

        class Bad(Resource):
            def get_object(self) -> Any: ...

            @operation(body=Body, response=Body, patch=True)
            def put(self, body: Any) -> Any: ...


def test_patch_declared_without_body_raises_declaration_error() -> None:
    with pytest.raises(DeclarationError, match=r"only a patch\(\) method with body=\.\.\."):

        class Bad(Resource):
            def get_object(self) -> Any: ...

            @operation(response=Body, patch=True)
            def patch(self) -> Any: ...


def test_patch_declared_without_get_object_raises_declaration_error() -> None:
    with pytest.raises(
        DeclarationError, match=r"Bad\.patch declares patch=\.\.\., which is applied"
    ):

        class Bad(Resource):
            @operation(body=Body, response=Body, patch=True)
            def patch(self, body: Any) -> Any: ...


@pytest.mark.parametrize("value", ["xml", ("merge", "xml"), (), [], 5, "MERGE"], ids=repr)
def test_patch_with_unknown_format_raises_declaration_error(value: Any) -> None:
    expected = (
        f"Bad.patch declares patch={value!r}; use patch=True (merge patch), patch='merge', "
        "patch='json' or patch=('merge', 'json')."
    )
    with pytest.raises(DeclarationError, match=f"^{re.escape(expected)}$"):

        class Bad(Resource):
            def get_object(self) -> Any: ...

            @operation(body=Body, response=Body, patch=value)
            def patch(self, body: Any) -> Any: ...


def test_patch_false_reads_an_ordinary_json_body(make_client: MakeClient) -> None:
    class Plain(Resource):
        @operation(body=Body, response=Body, patch=False)
        def patch(self, body: dict[str, Any]) -> Any:
            return body

    client = make_client({"/plain": Plain})

    response = client.patch("/plain", json={"title": "x"})

    assert response.status_code == 200
    assert response.get_json() == {"title": "x"}
