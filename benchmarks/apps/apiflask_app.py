"""APIFlask: route decorators on the app, `@app.input` for the body, `@app.output` for the output.

Written as APIFlask's documentation shows it; it shares the marshmallow schemas with the
other marshmallow apps (APIFlask takes plain marshmallow schemas). Its 422 body is its own
(`{"message": "Validation error", "detail": {"json": ...}}`).
"""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask, abort
from flask import Flask, url_for

from benchmarks.apps.data import ITEMS, Item, create_item, find_item
from benchmarks.apps.schemas import ItemSchema

__all__ = ["create_app"]


def create_app() -> Flask:
    """Return the APIFlask app."""
    app = APIFlask(__name__, title="Bench", version="1")

    @app.get("/items")
    @app.output(ItemSchema(many=True))
    def list_items() -> list[Item]:
        """List items."""
        return list(ITEMS.values())

    @app.get("/items/<int:item_id>")
    @app.output(ItemSchema)
    def get_item(item_id: int) -> Item:
        """Read an item."""
        item = find_item(item_id)
        if item is None:
            abort(404)
        return item

    @app.post("/items")
    @app.input(ItemSchema, location="json")
    @app.output(ItemSchema, status_code=201)
    def create(json_data: dict[str, Any]) -> tuple[Item, int, dict[str, str]]:
        """Create an item."""
        item = create_item(**json_data)
        return item, 201, {"Location": url_for("get_item", item_id=item.id)}

    return app
