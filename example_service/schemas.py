"""Taskboard's request and response schemas: what the app sends and receives."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from example_service.models import Priority

COLOR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Use a color as #rrggbb, such as #2e7d32.")


class NewUserSchema(Schema):
    """A sign-up: the password is hashed and never sent back."""

    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 128))
    display_name = fields.String(required=True, validate=validate.Length(1, 100))
    created_at = fields.DateTime(dump_only=True)


class UserSchema(Schema):
    """A user, as the user sees themselves."""

    id = fields.Integer()
    email = fields.Email()
    display_name = fields.String()
    created_at = fields.DateTime()


class CredentialsSchema(Schema):
    """An email and password, traded for an access token."""

    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 128))


class TokenSchema(Schema):
    """An access token, as OAuth 2 servers answer one (RFC 6749 §5.1)."""

    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds it is valid."})


class ProjectSchema(Schema):
    """A project as clients read and write it."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 100))
    color = fields.String(load_default=None, allow_none=True, validate=COLOR)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(1, 200))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    priority = fields.Enum(Priority, load_default=Priority.normal)
    due_at = fields.AwareDateTime(
        load_default=None, allow_none=True, metadata={"description": "When it is due."}
    )
    tags = fields.List(
        fields.String(validate=validate.Length(1, 30)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    done = fields.Boolean(load_default=False)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class AttachmentSchema(Schema):
    """A file attached to a task, without its bytes (`GET .../content` sends those)."""

    id = fields.Integer()
    task_id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "In bytes."})
    description = fields.String(allow_none=True)
    created_at = fields.DateTime()


class AttachmentFormSchema(Schema):
    """The text fields of an upload."""

    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=500)
    )


class AttachmentFilesSchema(Schema):
    """The file of an upload: any type, at most 5 MiB."""

    file = fields.Raw(required=True, metadata={"description": "The file, at most 5 MiB."})


class HealthSchema(Schema):
    """Whether the service can serve requests."""

    status = fields.String(required=True, metadata={"example": "ok"})
