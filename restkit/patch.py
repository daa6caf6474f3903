"""Real PATCH: JSON Merge Patch (RFC 7396) and, on request, JSON Patch (RFC 6902).

```python
class TaskItem(Resource):
    def get_object(self, task_id: int) -> Task:
        return db.get_or_404(Task, task_id)

    @operation(body=TaskSchema, response=TaskSchema, patch=("merge", "json"))
    def patch(self, task_id: int, body: dict, current: Task):
        update(current, body)          # body is the whole, validated result
        return current
```

restkit loads the current object with the resource's `get_object`, dumps it with the body
schema (its writable fields only), applies the patch to that document, and loads the result
with the full body schema, so required fields and validators hold for the result, not just
for the patch. The method receives the result as `body` (and, if it takes it, the object
as `current`).

- `application/merge-patch+json`: an object whose members replace those of the document;
  `null` clears a field (a field of the schema is set to `None`, so a nullable one is
  cleared and any other one is reported); an absent or empty body changes nothing.
- `application/json-patch+json` (with `patch=("merge", "json")`): a list of `add`, `remove`,
  `replace`, `move`, `copy` and `test` operations. A malformed list is a 422 problem with a
  pointer into it; an operation that cannot apply (a missing path, a failed `test`) is a 409.

Any other `Content-Type` is a 415 problem naming the accepted ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import jsonpatch
import jsonpointer
import marshmallow as ma

from restkit.errors import DeclarationError
from restkit.problems import Conflict, InputError, UnprocessableContent

__all__ = [
    "JSON_PATCH",
    "MERGE_PATCH",
    "PatchFormat",
    "apply_json_patch",
    "apply_merge_patch",
    "make_patch_formats",
    "writable_document",
]

MERGE_PATCH = "application/merge-patch+json"
"""The media type of a JSON Merge Patch (RFC 7396)."""

JSON_PATCH = "application/json-patch+json"
"""The media type of a JSON Patch (RFC 6902)."""

PatchFormat = Literal["merge", "json"]
"""A patch format as declared: `"merge"` or `"json"`."""

_MEDIA_TYPES = {"merge": MERGE_PATCH, "json": JSON_PATCH}
_POINTER = re.compile(r"(/([^~/]|~[01])*)*")
_OPERATIONS = {
    "add": ("path", "value"),
    "remove": ("path",),
    "replace": ("path", "value"),
    "move": ("from", "path"),
    "copy": ("from", "path"),
    "test": ("path", "value"),
}


def make_patch_formats(value: Any, culprit: str) -> tuple[str, ...]:
    """Return the media types of a `patch=` declaration (`True` is merge patch).

    Raises:
        DeclarationError: The value names no format.
    """
    if value is None or value is False:
        return ()
    if value is True:
        return (MERGE_PATCH,)
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, Iterable)
        or not items
        or any(not isinstance(item, str) or item not in _MEDIA_TYPES for item in items)
    ):
        raise DeclarationError(
            f"{culprit} declares patch={value!r}; use patch=True (merge patch), "
            "patch='merge', patch='json' or patch=('merge', 'json')."
        )
    return tuple(dict.fromkeys(_MEDIA_TYPES[item] for item in items))


def _field_by_key(schema: ma.Schema, key: str) -> ma.fields.Field[Any] | None:
    for name, field in schema.fields.items():
        if (field.data_key if field.data_key is not None else name) == key:
            return field
    return None


def _nested_schema(field: ma.fields.Field[Any] | None) -> ma.Schema | None:
    if isinstance(field, ma.fields.Nested) and not field.many:
        schema = field.schema
        return schema if isinstance(schema, ma.Schema) else None
    return None


def writable_document(schema: ma.Schema, value: Any) -> Any:
    """Return a dumped document without its read-only (`dump_only`) members, at any depth."""
    if isinstance(value, list):
        return [writable_document(schema, item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        field = _field_by_key(schema, key)
        if field is not None and field.dump_only:
            continue
        if isinstance(field, ma.fields.Nested) and isinstance(field.schema, ma.Schema):
            item = writable_document(field.schema, item)
        elif isinstance(field, ma.fields.List) and isinstance(field.inner, ma.fields.Nested):
            inner = field.inner.schema
            item = writable_document(inner, item) if isinstance(inner, ma.Schema) else item
        result[key] = item
    return result


def apply_merge_patch(document: Any, patch: Any, schema: ma.Schema | None = None) -> Any:
    """Apply a JSON Merge Patch (RFC 7396 §2) to a document and return the result.

    With a schema, `null` for one of its fields sets the field to `None` instead of removing
    it, so loading the result clears a nullable field (and reports any other one) rather
    than leaving it out. Members of free-form objects follow the RFC exactly.
    """
    if not isinstance(patch, dict):
        return patch
    target = dict(document) if isinstance(document, dict) else {}
    for key, value in patch.items():
        field = _field_by_key(schema, key) if schema is not None else None
        if value is None:
            if field is not None:
                target[key] = None
            else:
                target.pop(key, None)
        else:
            target[key] = apply_merge_patch(target.get(key), value, _nested_schema(field))
    return target


def _escape(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def check_json_patch(patch: Any) -> list[InputError]:
    """Return the errors of a malformed JSON Patch document, each at its pointer."""
    if not isinstance(patch, list):
        return [InputError("body", "A JSON Patch is an array of operations.", pointer="")]
    errors = []
    for index, operation in enumerate(patch):
        where = f"/{index}"
        if not isinstance(operation, dict):
            errors.append(InputError("body", "An operation is an object.", pointer=where))
            continue
        op = operation.get("op")
        if not isinstance(op, str) or op not in _OPERATIONS:
            errors.append(
                InputError(
                    "body",
                    f"Unknown op {op!r}; use one of {', '.join(_OPERATIONS)}.",
                    pointer=f"{where}/op",
                )
            )
            continue
        for member in _OPERATIONS[op]:
            if member not in operation:
                errors.append(
                    InputError(
                        "body", f"The {op!r} operation needs {member!r}.", pointer=f"{where}"
                    )
                )
            elif member in ("path", "from"):
                pointer = operation[member]
                if not isinstance(pointer, str) or _POINTER.fullmatch(pointer) is None:
                    errors.append(
                        InputError(
                            "body",
                            "A JSON Pointer (RFC 6901): empty, or '/' and tokens in which '~' "
                            "is written '~0' and '/' is written '~1'.",
                            pointer=f"{where}/{_escape(member)}",
                        )
                    )
    return errors


def apply_json_patch(document: Any, patch: Any) -> Any:
    """Apply a JSON Patch (RFC 6902) to a document and return the result.

    Raises:
        UnprocessableContent: The patch is malformed (each error at its pointer).
        Conflict: An operation cannot apply: its path does not exist, or a `test` failed.
    """
    errors = check_json_patch(patch)
    if errors:
        raise UnprocessableContent(errors)
    # One operation at a time, so a failure names the operation that failed.
    for index, operation in enumerate(patch):
        op, path = operation["op"], operation["path"]
        try:
            document = jsonpatch.apply_patch(document, [operation])
        except jsonpatch.JsonPatchTestFailed:
            raise Conflict(
                f"Operation {index} of the patch (test {path!r}) failed: the current value "
                "differs. Nothing was changed."
            ) from None
        except (
            jsonpatch.JsonPatchException,
            jsonpointer.JsonPointerException,
            KeyError,
            IndexError,
            TypeError,
            ValueError,
        ):
            raise Conflict(
                f"Operation {index} of the patch ({op} {path!r}) cannot be applied to the "
                "current resource: its path (or from) does not exist. Nothing was changed."
            ) from None
    return document


def patch_media_types(formats: Sequence[str]) -> Mapping[str, str]:
    """Return the accepted media types by their format name."""
    return {name: kind for name, kind in _MEDIA_TYPES.items() if kind in formats}
