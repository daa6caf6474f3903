"""restkit, through its public API only: two resources, one blueprint, one `Api`.

Written as the quickstart teaches: `@operation` declares the body and the response schema,
the method receives loaded data and returns objects; restkit parses, validates (422
problem+json with every error), dumps, encodes and adds nothing the declarations do not ask
for. The docs UIs and spec routes restkit mounts by default stay on, as in a real app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, url_for

from benchmarks.apps.data import ITEMS, Item, create_item, find_item
from benchmarks.apps.schemas import ItemSchema
from restkit import Api, Blueprint, Resource, operation
from restkit.problems import NotFound

__all__ = ["create_app"]

items = Blueprint("items", description="The catalogue.")


@items.route("/items")
class Items(Resource):
    """The collection of items."""

    @operation(response=ItemSchema(many=True))
    def get(self) -> list[Item]:
        """List items."""
        return list(ITEMS.values())

    @operation(body=ItemSchema, response=ItemSchema, status=201)
    def post(self, body: dict[str, Any]) -> tuple[Item, int, dict[str, str]]:
        """Create an item."""
        item = create_item(**body)
        return item, 201, {"Location": url_for(".ItemDetail", item_id=item.id)}


@items.route("/items/<int:item_id>")
class ItemDetail(Resource):
    """One item."""

    @operation(response=ItemSchema)
    def get(self, item_id: int) -> Item:
        """Read an item."""
        item = find_item(item_id)
        if item is None:
            raise NotFound(f"There is no item {item_id}.")
        return item


api = Api(title="Bench", version="1")
api.register_blueprint(items)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Return the restkit app; `config` updates the Flask config first (`RESTKIT_*` keys)."""
    app = Flask(__name__)
    app.config.update(config or {})
    api.init_app(app)
    return app


def create_app_without_compiler() -> Flask:
    """Return the restkit app with its dump compiler switched off (`compile_dumps=False`)."""
    return create_app({"RESTKIT_COMPILE_DUMPS": False})
