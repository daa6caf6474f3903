"""Step 2 of the tutorial: add bookmarks with POST, their body checked by the schema.

Save it as `bookmarks.py`, run it with `flask --app bookmarks run` and call it with curl;
see docs/tutorial.md.
"""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask, url_for
from marshmallow import Schema, fields, validate

from restkit import Api, Blueprint, Resource, operation
from restkit.problems import NotFound


# --8<-- [start:schema]
class BookmarkSchema(Schema):
    """A bookmark as clients read and write it."""

    id = fields.Integer(dump_only=True)
    url = fields.URL(required=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    favorite = fields.Boolean(load_default=False)


# --8<-- [end:schema]


# --8<-- [start:data]
# The bookmarks live in memory, by id, until the process stops.
BOOKMARKS: dict[int, dict[str, Any]] = {}
NEXT_ID = itertools.count(1)


def find_bookmark(bookmark_id: int) -> dict[str, Any]:
    """Return the bookmark with this id, or answer 404."""
    try:
        return BOOKMARKS[bookmark_id]
    except KeyError:
        raise NotFound(f"There is no bookmark {bookmark_id}.") from None


# --8<-- [end:data]


# --8<-- [start:resources]
bookmarks = Blueprint("bookmarks", description="Saved links.")


@bookmarks.route("/bookmarks")
class Bookmarks(Resource):
    """The bookmarks."""

    @operation(response=BookmarkSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the bookmarks."""
        return list(BOOKMARKS.values())

    @operation(body=BookmarkSchema, response=BookmarkSchema, status=201)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Add a bookmark."""
        bookmark = {"id": next(NEXT_ID), **body}
        BOOKMARKS[bookmark["id"]] = bookmark
        location = url_for(".BookmarkItem", bookmark_id=bookmark["id"])
        return bookmark, 201, {"Location": location}


@bookmarks.route("/bookmarks/<int:bookmark_id>")
class BookmarkItem(Resource):
    """One bookmark."""

    @operation(response=BookmarkSchema)
    def get(self, bookmark_id: int) -> dict[str, Any]:
        """Read a bookmark."""
        return find_bookmark(bookmark_id)


# --8<-- [end:resources]


# --8<-- [start:app]
api = Api(title="Bookmarks", version="1.0.0")
api.register_blueprint(bookmarks)


def create_app() -> Flask:
    """Return the Flask app: `flask --app bookmarks run` finds it by this name."""
    app = Flask(__name__)
    api.init_app(app)
    return app


# --8<-- [end:app]
