"""Step 4 of the tutorial: ETags from a version column, If-Match on writes, PATCH.

Save it as `bookmarks.py`, run it with `flask --app bookmarks run` and call it with curl;
see docs/tutorial.md.
"""

from __future__ import annotations

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from marshmallow import Schema, fields, validate
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from restkit import Api, Blueprint, PagePagination
from restkit.sqla import ModelCollection, ModelItem


# --8<-- [start:model]
class Base(DeclarativeBase):
    """The base class of the models."""


db = SQLAlchemy(model_class=Base)


class Bookmark(db.Model):
    """A saved link: one row of the `bookmark` table."""

    id: Mapped[int] = mapped_column(primary_key=True)
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


# --8<-- [start:resources]
bookmarks = Blueprint("bookmarks", description="Saved links.")


@bookmarks.route("/bookmarks")
class Bookmarks(ModelCollection):
    """The bookmarks: list them, add one."""

    model = Bookmark
    schema = BookmarkSchema
    filters = {"favorite": "eq", "title": "icontains"}  # noqa: RUF012
    sortable = ("title",)
    search = ("title", "url")
    pagination = PagePagination(default_size=20, max_size=100)


@bookmarks.route("/bookmarks/<int:bookmark_id>")
class BookmarkItem(ModelItem):
    """One bookmark: read, replace, change or delete it."""

    model = Bookmark
    schema = BookmarkSchema
    require_if_match = True  # PUT, PATCH and DELETE must send the ETag they read


# --8<-- [end:resources]


# --8<-- [start:app]
api = Api(title="Bookmarks", version="1.0.0")
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
