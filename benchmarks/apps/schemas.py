"""The marshmallow schemas shared by every app built on marshmallow.

Flask + marshmallow by hand, restkit, flask-smorest and APIFlask all load and dump with these
same classes (APIFlask accepts plain marshmallow schemas), so the differences measured
between them are the frameworks', not the schemas'.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

__all__ = ["ItemSchema", "OwnerSchema"]


class OwnerSchema(Schema):
    """The owner nested in an item."""

    id = fields.Integer()
    name = fields.String()


class ItemSchema(Schema):
    """An item as clients read it; `name`, `price` and `tags` are what they may write."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    price = fields.Decimal(required=True, as_string=True, validate=validate.Range(min=0))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=20)), load_default=list)
    created_at = fields.DateTime(dump_only=True)
    owner = fields.Nested(OwnerSchema, dump_only=True)
