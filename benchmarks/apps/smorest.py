"""flask-smorest: a `MethodView` per URL, `@arguments` for the body, `@response` for the output.

Written as flask-smorest's documentation shows it; it shares the marshmallow schemas with the
other marshmallow apps. Its 422 body is its own (`{"code": 422, "errors": {"json": ...}}`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask.views import MethodView
from flask_smorest import Api, Blueprint, abort

from benchmarks.apps.data import ITEMS, Item, create_item, find_item
from benchmarks.apps.schemas import ItemSchema

__all__ = ["create_app"]


def make_blueprint() -> Blueprint:
    """Return the blueprint of the two item views."""
    blp = Blueprint("items", __name__, description="The catalogue.")

    @blp.route("/items")
    class Items(MethodView):
        @blp.response(200, ItemSchema(many=True))
        def get(self) -> list[Item]:
            """List items."""
            return list(ITEMS.values())

        @blp.arguments(ItemSchema)
        @blp.response(201, ItemSchema)
        def post(self, body: dict[str, Any]) -> tuple[Item, int, dict[str, str]]:
            """Create an item."""
            item = create_item(**body)
            return item, 201, {"Location": url_for("items.ItemDetail", item_id=item.id)}

    @blp.route("/items/<int:item_id>")
    class ItemDetail(MethodView):
        @blp.response(200, ItemSchema)
        def get(self, item_id: int) -> Item:
            """Read an item."""
            item = find_item(item_id)
            if item is None:
                abort(404)
            return item

    return blp


def create_app() -> Flask:
    """Return the flask-smorest app."""
    app = Flask(__name__)
    app.config.update(API_TITLE="Bench", API_VERSION="1", OPENAPI_VERSION="3.1.0")
    api = Api(app)
    api.register_blueprint(make_blueprint())
    return app
