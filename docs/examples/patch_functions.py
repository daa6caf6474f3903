"""restkit's patch functions in your own code: an example of docs/patch.md.

A phone that was offline sends the changes it queued, each a patch of one task, in one
request. `apply_change` applies one of them exactly as `PATCH /tasks/<id>` would.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from restkit.patch import JSON_PATCH, apply_json_patch, apply_merge_patch, writable_document


class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    note = fields.String(allow_none=True, load_default=None)  # null clears it
    tags = fields.List(fields.String(), load_default=list)


# --8<-- [start:apply]
def apply_change(task: dict[str, Any], patch: Any, media_type: str) -> dict[str, Any]:
    """Return the task's writable fields after `patch`, validated as a PATCH would be.

    Raises:
        UnprocessableContent: A JSON Patch is malformed.
        Conflict: A JSON Patch operation cannot apply (a `test` failed, say).
        marshmallow.ValidationError: The result is not a valid task.
    """
    schema = TaskSchema()
    document = writable_document(schema, schema.dump(task))  # without `id`: read-only
    if media_type == JSON_PATCH:
        document = apply_json_patch(document, patch)
    else:  # restkit.patch.MERGE_PATCH
        document = apply_merge_patch(document, patch, schema)  # null sets a field to None
    loaded: dict[str, Any] = schema.load(document)
    return loaded


# --8<-- [end:apply]
