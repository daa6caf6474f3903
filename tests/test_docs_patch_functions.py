"""restkit's patch functions used on their own: docs/patch.md (docs/examples/patch_functions.py)."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

import pytest
from marshmallow import ValidationError

from restkit.patch import JSON_PATCH, MERGE_PATCH, apply_json_patch, apply_merge_patch
from restkit.problems import Conflict, UnprocessableContent
from tests.test_docs_examples import load_example

TASK = {"id": 1, "title": "Buy milk", "note": "Oat, 2 litres", "tags": ["home"]}


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_example("patch_functions", monkeypatch)


@pytest.mark.parametrize(
    ("patch", "media_type", "result"),
    [
        (
            {"note": None, "tags": ["shop"]},
            MERGE_PATCH,
            {"title": "Buy milk", "note": None, "tags": ["shop"]},
        ),
        ({}, MERGE_PATCH, {"title": "Buy milk", "note": "Oat, 2 litres", "tags": ["home"]}),
        (
            [
                {"op": "test", "path": "/title", "value": "Buy milk"},
                {"op": "add", "path": "/tags/-", "value": "weekly"},
            ],
            JSON_PATCH,
            {"title": "Buy milk", "note": "Oat, 2 litres", "tags": ["home", "weekly"]},
        ),
    ],
)
def test_patch_functions_apply_change_returns_the_patched_writable_task(
    example: ModuleType, patch: Any, media_type: str, result: dict[str, Any]
) -> None:
    task = copy.deepcopy(TASK)

    assert example.apply_change(task, patch, media_type) == result
    assert task == TASK  # the arguments are left as they were


def test_patch_functions_failed_test_raises_conflict(example: ModuleType) -> None:
    patch = [{"op": "test", "path": "/title", "value": "Buy bread"}]

    with pytest.raises(Conflict) as error:
        example.apply_change(TASK, patch, JSON_PATCH)

    assert error.value.to_dict()["status"] == 409


def test_patch_functions_malformed_json_patch_raises_422_at_its_pointer(
    example: ModuleType,
) -> None:
    with pytest.raises(UnprocessableContent) as error:
        example.apply_change(TASK, [{"op": "jump", "path": "/title"}], JSON_PATCH)

    assert error.value.to_dict()["errors"] == [
        {
            "in": "body",
            "pointer": "/0/op",
            "detail": "Unknown op 'jump'; use one of add, remove, replace, move, copy, test.",
        }
    ]


@pytest.mark.parametrize(
    ("patch", "messages"),
    [
        ({"title": None}, {"title": ["Field may not be null."]}),
        ({"id": 7}, {"id": ["Unknown field."]}),  # plain marshmallow: not "read-only"
    ],
)
def test_patch_functions_invalid_result_raises_validation_error(
    example: ModuleType, patch: dict[str, Any], messages: dict[str, list[str]]
) -> None:
    with pytest.raises(ValidationError) as error:
        example.apply_change(TASK, patch, MERGE_PATCH)

    assert error.value.messages == messages


def test_patch_functions_merge_patch_without_schema_follows_rfc_7396() -> None:
    assert apply_merge_patch({"a": 1, "b": {"c": 2}}, {"a": None, "b": {"d": 3}}) == {
        "b": {"c": 2, "d": 3}
    }


def test_patch_functions_json_patch_leaves_the_document_alone() -> None:
    document = {"tags": ["home"]}

    patched = apply_json_patch(document, [{"op": "remove", "path": "/tags/0"}])

    assert patched == {"tags": []}
    assert document == {"tags": ["home"]}
