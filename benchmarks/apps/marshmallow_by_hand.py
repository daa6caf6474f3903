"""Flask + marshmallow by hand: `schema.load` and `schema.dump` in each view, a 422 written out.

What many Flask services look like before they adopt a framework: the same schemas as the
framework apps, called explicitly, and `jsonify` for the output.
"""

from __future__ import annotations

from flask import Flask, abort, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from benchmarks.apps.data import ITEMS, create_item, find_item
from benchmarks.apps.schemas import ItemSchema

__all__ = ["create_app"]

item_schema = ItemSchema()
items_schema = ItemSchema(many=True)


def create_app() -> Flask:
    """Return the Flask + marshmallow app."""
    app = Flask(__name__)

    @app.get("/items")
    def list_items() -> ResponseReturnValue:
        return jsonify(items_schema.dump(ITEMS.values()))

    @app.get("/items/<int:item_id>")
    def get_item(item_id: int) -> ResponseReturnValue:
        item = find_item(item_id)
        if item is None:
            abort(404)
        return jsonify(item_schema.dump(item))

    @app.post("/items")
    def post_item() -> ResponseReturnValue:
        try:
            data = item_schema.load(request.get_json())
        except ValidationError as error:
            return jsonify({"errors": error.messages}), 422
        item = create_item(**data)
        location = url_for("get_item", item_id=item.id)
        return jsonify(item_schema.dump(item)), 201, {"Location": location}

    return app
