"""Step 5 of the tutorial: callers send a token, and each sees only their own bookmarks.

Save it as `bookmarks.py`, run it with `flask --app bookmarks run` and call it with curl;
see docs/tutorial.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from restkit import Api, Blueprint, HttpBearer, Identity, PagePagination
from restkit.identity import get_identity
from restkit.problems import Unauthorized
from restkit.sqla import ModelCollection, ModelItem, ModelResource


# --8<-- [start:model]
class Base(DeclarativeBase):
    """The base class of the models."""


db = SQLAlchemy(model_class=Base)


class Bookmark(db.Model):
    """A saved link: one row of the `bookmark` table."""

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(50), index=True)  # who saved it
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(200))
    favorite: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    # SQLAlchemy adds 1 to the version on every UPDATE, and checks it did not change.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


# --8<-- [end:model]


class BookmarkSchema(Schema):
    """A bookmark as clients read and write it."""

    id = fields.Integer(dump_only=True)
    url = fields.URL(required=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    favorite = fields.Boolean(load_default=False)


# --8<-- [start:auth]
# Two users and their tokens, fixed for the tutorial. A real app keeps secrets out of its
# code: it looks tokens up in its database, or verifies signed ones (restkit.jwt).
callers = HttpBearer(
    tokens={
        "maya-3f9c1a7e52d8b604": Identity(id="maya", user=None),
        "leo-8b21d0c4f7e9a356": Identity(id="leo", user=None),
    }
)


def caller_id() -> str:
    """Return the id of the user who sent the request."""
    identity = get_identity()
    if identity is None:  # not reached: every operation needs a token
        raise Unauthorized()
    return identity.id


# --8<-- [end:auth]


# --8<-- [start:resources]
bookmarks = Blueprint("bookmarks", description="Saved links.")


class OwnBookmarks(ModelResource):
    """What both resources share: each user sees only their own bookmarks."""

    def get_query(self, **path: Any) -> Select[Any]:
        """Keep the caller's rows: those of others are a 404, as if they did not exist."""
        return super().get_query(**path).where(Bookmark.owner == caller_id())


@bookmarks.route("/bookmarks")
class Bookmarks(OwnBookmarks, ModelCollection):
    """The bookmarks: list them, add one."""

    model = Bookmark
    schema = BookmarkSchema
    filters = {"favorite": "eq", "title": "icontains"}  # noqa: RUF012
    sortable = ("title",)
    search = ("title", "url")
    pagination = PagePagination(default_size=20, max_size=100)

    def create_object(self, data: Mapping[str, Any], **path: Any) -> Bookmark:
        """Add a bookmark owned by the caller."""
        return super().create_object({**data, "owner": caller_id()}, **path)


@bookmarks.route("/bookmarks/<int:bookmark_id>")
class BookmarkItem(OwnBookmarks, ModelItem):
    """One bookmark: read, replace, change or delete it."""

    model = Bookmark
    schema = BookmarkSchema
    require_if_match = True  # PUT, PATCH and DELETE must send the ETag they read


# --8<-- [end:resources]


# --8<-- [start:app]
api = Api(title="Bookmarks", version="1.0.0", auth=callers)  # a token on every operation
api.register_blueprint(bookmarks)


def create_app() -> Flask:
    """Return the Flask app, with the database's tables created."""
    app = Flask(__name__)
    # An in-memory database, empty at each start; "sqlite:///bookmarks.db" keeps a file.
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)
    with app.app_context():
        db.create_all()
    api.init_app(app)
    return app


# --8<-- [end:app]
