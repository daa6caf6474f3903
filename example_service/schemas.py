"""Taskboard's request and response schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class ProjectSchema(Schema):
    """A project as clients read and write it."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 100))
    color = fields.String(
        allow_none=True, validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Use #rrggbb.")
    )
    created_at = fields.DateTime(dump_only=True)


class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(1, 200))
    done = fields.Boolean(load_default=False)
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class TaskFilterSchema(Schema):
    """Query parameters of the task list."""

    done = fields.Boolean()
