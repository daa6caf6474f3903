"""Plain Flask: hand-written dicts, hand-written validation and `jsonify` — the floor.

This is the code a careful developer writes with no library between Flask and the data: it
turns each row into a dict field by field, checks a body with `if` statements and answers
422 with every field error. Nothing here can be skipped by a framework that promises the same
output, so every other app is measured as a ratio to this one.
"""

from __future__ import annotations

import decimal
from typing import Any

from flask import Flask, abort, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from benchmarks.apps.data import ITEMS, Item, create_item, find_item

__all__ = ["create_app"]


def item_to_dict(item: Item) -> dict[str, Any]:
    """Return the JSON form of an item."""
    return {
        "id": item.id,
        "name": item.name,
        "price": str(item.price),
        "tags": list(item.tags),
        "created_at": item.created_at.isoformat(),
        "owner": {"id": item.owner.id, "name": item.owner.name},
    }


def validate_item(body: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check a create body by hand; return the loaded values and the errors by field."""
    if not isinstance(body, dict):
        return {}, {"_schema": ["Invalid input type."]}
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key in body.keys() - {"name", "price", "tags"}:
        errors[key] = ["Unknown field."]
    name = body.get("name")
    if name is None:
        errors["name"] = ["Missing data for required field."]
    elif not isinstance(name, str):
        errors["name"] = ["Not a valid string."]
    elif not 1 <= len(name) <= 100:
        errors["name"] = ["Length must be between 1 and 100."]
    else:
        data["name"] = name
    price = body.get("price")
    if price is None:
        errors["price"] = ["Missing data for required field."]
    else:
        try:
            value = decimal.Decimal(price if isinstance(price, str) else str(price))
        except (decimal.InvalidOperation, TypeError, ValueError):
            errors["price"] = ["Not a valid number."]
        else:
            if not value.is_finite() or value < 0:
                errors["price"] = ["Must be greater than or equal to 0."]
            else:
                data["price"] = value
    tags = body.get("tags", [])
    if not isinstance(tags, list):
        errors["tags"] = ["Not a valid list."]
    else:
        for index, tag in enumerate(tags):
            if not isinstance(tag, str):
                errors[f"tags.{index}"] = ["Not a valid string."]
            elif not 1 <= len(tag) <= 20:
                errors[f"tags.{index}"] = ["Length must be between 1 and 20."]
        data["tags"] = tags
    return data, errors


def create_app() -> Flask:
    """Return the plain Flask app."""
    app = Flask(__name__)

    @app.get("/items")
    def list_items() -> ResponseReturnValue:
        return jsonify([item_to_dict(item) for item in ITEMS.values()])

    @app.get("/items/<int:item_id>")
    def get_item(item_id: int) -> ResponseReturnValue:
        item = find_item(item_id)
        if item is None:
            abort(404)
        return jsonify(item_to_dict(item))

    @app.post("/items")
    def post_item() -> ResponseReturnValue:
        data, errors = validate_item(request.get_json())
        if errors:
            return jsonify({"errors": errors}), 422
        item = create_item(**data)
        location = url_for("get_item", item_id=item.id)
        return jsonify(item_to_dict(item)), 201, {"Location": location}

    return app
