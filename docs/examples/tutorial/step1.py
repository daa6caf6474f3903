"""Step 1 of the tutorial: a first resource, which lists two bookmarks kept in memory.

Save it as `bookmarks.py`, run it with `flask --app bookmarks run` and call it with curl;
see docs/tutorial.md.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from marshmallow import Schema, fields

from restkit import Api, Blueprint, Resource, operation


# --8<-- [start:schema]
class BookmarkSchema(Schema):
    """A bookmark as clients see it."""

    id = fields.Integer()
    url = fields.String()
    title = fields.String()


# --8<-- [end:schema]


# --8<-- [start:data]
# Two bookmarks, kept in memory for now.
BOOKMARKS: list[dict[str, Any]] = [
    {"id": 1, "url": "https://flask.palletsprojects.com/", "title": "Flask"},
    {"id": 2, "url": "https://www.rfc-editor.org/rfc/rfc9457", "title": "Problem Details"},
]
# --8<-- [end:data]


# --8<-- [start:resource]
bookmarks = Blueprint("bookmarks", description="Saved links.")


@bookmarks.route("/bookmarks")
class Bookmarks(Resource):
    """The bookmarks."""

    @operation(response=BookmarkSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the bookmarks."""
        return BOOKMARKS


# --8<-- [end:resource]


# --8<-- [start:app]
api = Api(title="Bookmarks", version="1.0.0")
api.register_blueprint(bookmarks)


def create_app() -> Flask:
    """Return the Flask app: `flask --app bookmarks run` finds it by this name."""
    app = Flask(__name__)
    api.init_app(app)
    return app


# --8<-- [end:app]
