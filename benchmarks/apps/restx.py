"""Flask-RESTX: a namespace of `Resource` classes, models of `fields`, `expect(validate=True)`.

Written as Flask-RESTX's documentation shows it, with its own marshalling (`marshal_with`)
instead of marshmallow. Its validation is JSON Schema, generated from the model; it answers
a bad body with 400 (it has no 422), and checks the price's format with a pattern, since a
RESTX model has no decimal-as-string type. `strict=True` rejects unknown fields, like the
marshmallow apps.
"""

from __future__ import annotations

import decimal
from typing import Any

from flask import Flask, url_for
from flask_restx import Api, Namespace, Resource, fields

from benchmarks.apps.data import ITEMS, Item, create_item, find_item

__all__ = ["create_app"]

_PRICE = r"^[0-9]+(\.[0-9]+)?$"


def make_namespace() -> Namespace:
    """Return the namespace of the two item resources and their models."""
    ns = Namespace("items", description="The catalogue.", path="/items")
    owner = ns.model("Owner", {"id": fields.Integer, "name": fields.String})
    item = ns.model(
        "Item",
        {
            "id": fields.Integer(readonly=True),
            "name": fields.String(required=True, min_length=1, max_length=100),
            "price": fields.String(required=True, pattern=_PRICE),
            "tags": fields.List(fields.String(min_length=1, max_length=20)),
            "created_at": fields.DateTime(dt_format="iso8601", readonly=True),
            "owner": fields.Nested(owner, readonly=True),
        },
    )
    item_input = ns.model(
        "ItemInput",
        {
            "name": fields.String(required=True, min_length=1, max_length=100),
            "price": fields.String(required=True, pattern=_PRICE),
            "tags": fields.List(fields.String(min_length=1, max_length=20)),
        },
        strict=True,
    )

    @ns.route("")
    class Items(Resource):
        @ns.marshal_list_with(item)
        def get(self) -> list[Item]:
            """List items."""
            return list(ITEMS.values())

        @ns.expect(item_input, validate=True)
        @ns.marshal_with(item, code=201)
        def post(self) -> tuple[Item, int, dict[str, str]]:
            """Create an item."""
            body: dict[str, Any] = ns.payload
            created = create_item(
                body["name"], decimal.Decimal(body["price"]), body.get("tags", [])
            )
            return created, 201, {"Location": url_for("items_item_detail", item_id=created.id)}

    @ns.route("/<int:item_id>")
    class ItemDetail(Resource):
        @ns.marshal_with(item)
        def get(self, item_id: int) -> Item:
            """Read an item."""
            found = find_item(item_id)
            if found is None:
                ns.abort(404)
            return found

    return ns


def create_app() -> Flask:
    """Return the Flask-RESTX app."""
    app = Flask(__name__)
    api = Api(app, title="Bench", version="1")
    api.add_namespace(make_namespace())
    return app
