"""The model resources page's app: a reading list of shelves and books, in SQLAlchemy.

Every caller sees only their own shelves and the books on them. Run it with
`flask --app sqla run` (an in-memory SQLite database, empty at each start; set
`DATABASE_URL` for another) and try it with curl; see docs/sqla.md.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from marshmallow import Schema, fields, validate
from sqlalchemy import ForeignKey, Select, String, Text, UniqueConstraint, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from restkit import Api, Blueprint, CursorPagination, HttpBearer, PagePagination
from restkit.identity import Identity, get_identity
from restkit.problems import NotFound, Unauthorized
from restkit.sqla import Filter, ModelCollection, ModelItem, ModelResource


# --8<-- [start:models]
class Base(DeclarativeBase):
    """The declarative base of the models."""


db = SQLAlchemy(model_class=Base)


class Shelf(db.Model):  # type: ignore[name-defined,misc]
    """A shelf of one reader's books; its name is unique among the reader's shelves."""

    __table_args__ = (UniqueConstraint("owner", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(50))  # the reader's id, set by the server
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)


class Book(db.Model):  # type: ignore[name-defined,misc]
    """A book on a shelf. Every write increments its version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("shelf.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))
    pages: Mapped[int | None]
    read_at: Mapped[dt.datetime | None]  # naive: holds UTC
    version: Mapped[int] = mapped_column(default=1)
    shelf: Mapped[Shelf] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


# --8<-- [end:models]


# --8<-- [start:schemas]
class ShelfName(Schema):
    """The name of a book's shelf."""

    name = fields.String()


class BookSchema(Schema):
    """A book as clients read and write it, with the name of its shelf."""

    id = fields.Integer(dump_only=True)
    shelf_id = fields.Integer(dump_only=True)
    shelf = fields.Pluck(ShelfName, "name", dump_only=True)  # loaded for the whole page
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    author = fields.String(required=True, validate=validate.Length(min=1, max=100))
    pages = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    read_at = fields.DateTime(allow_none=True)
    version = fields.Integer(dump_only=True)


# --8<-- [end:schemas]


# --8<-- [start:auth]
# Two readers with fixed demo tokens; a real app looks tokens up in its database.
readers = HttpBearer(
    tokens={
        "ada-reading-token": Identity(id="ada", user=None),
        "alan-reading-token": Identity(id="alan", user=None),
    }
)


def reader() -> str:
    """Return the id of the caller: every operation needs a token, so there is one."""
    identity = get_identity()
    if identity is None:  # not reached: authentication runs before the hooks
        raise Unauthorized()
    return identity.id


# --8<-- [end:auth]


# --8<-- [start:shelves]
reading = Blueprint("reading", description="The caller's shelves and books.")


class OwnShelves(ModelResource):
    """What the shelf resources share: the caller's shelves only, owner read-only."""

    read_only = ("owner",)
    noun = ("shelf", "shelves")  # for the summaries: "List shelves", "Create a shelf"

    def get_query(self, **path: Any) -> Select[Any]:
        """Scope every operation to the caller's shelves: others' are a 404."""
        return super().get_query(**path).where(Shelf.owner == reader())


@reading.route("/shelves")
class Shelves(OwnShelves, ModelCollection):
    """The caller's shelves."""

    model = Shelf
    filters = {"name": ("eq", "icontains")}  # noqa: RUF012
    sortable = ("name",)
    default_sort = "name"
    pagination = PagePagination(default_size=10, max_size=50)

    def create_object(self, data: Mapping[str, Any], **path: Any) -> Shelf:
        """Add a shelf owned by the caller."""
        shelf: Shelf = super().create_object({**data, "owner": reader()}, **path)
        return shelf


@reading.route("/shelves/<int:shelf_id>")
class ShelfItem(OwnShelves, ModelItem):
    """One of the caller's shelves; deleting it deletes its books."""

    model = Shelf


# --8<-- [end:shelves]


# --8<-- [start:books]
class OwnBooks(ModelResource):
    """What the book resources share: the books on the caller's shelves only."""

    schema = BookSchema

    def get_query(self, **path: Any) -> Select[Any]:
        """Keep the books of the URL's shelf (`super()`), if the shelf is the caller's."""
        return super().get_query(**path).join(Book.shelf).where(Shelf.owner == reader())


@reading.route("/shelves/<int:shelf_id>/books")
class ShelfBooks(OwnBooks, ModelCollection):
    """The books on one of the caller's shelves."""

    model = Book
    filters = {  # noqa: RUF012
        "author": ("eq", "in"),
        "pages": ("lt", "gte"),
        "title": "icontains",
        "read_at": "isnull",
        "read_since": Filter("read_at", "gte"),
    }
    sortable = ("title", "author", "pages", "read_at")
    default_sort = ("author", "title")
    search = ("title", "author")
    pagination = CursorPagination(default_size=2, max_size=50)

    def check_parents(self, **path: Any) -> None:
        """Answer 404 unless the shelf exists and is the caller's: before list and create."""
        shelf_id = path["shelf_id"]
        mine = select(Shelf.id).where(Shelf.id == shelf_id, Shelf.owner == reader())
        if db.session.scalar(mine) is None:
            raise NotFound(f"There is no shelf {shelf_id}.")


@reading.route("/shelves/<int:shelf_id>/books/<int:book_id>")
class BookItem(OwnBooks, ModelItem):
    """One book; writes need its current ETag in If-Match."""

    model = Book
    require_if_match = True


# --8<-- [end:books]


# --8<-- [start:app]
api = Api(url_prefix="/v1", title="Reading list", version="1.0.0", auth=readers)
api.register_blueprint(reading)


def enable_foreign_keys(connection: Any, record: Any) -> None:
    """Have SQLite check foreign keys (and cascade deletes): it does only when asked."""
    connection.execute("PRAGMA foreign_keys=ON")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Return a Flask app serving the API under /v1, with the tables created."""
    app = Flask(__name__)
    app.config.update(
        # Cursors are signed with the app's SECRET_KEY: set a real one outside development.
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev only: not a secret"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", "sqlite://"),
        # Test each pooled connection before use, so one the server closed is replaced.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
    )
    app.config.update(config or {})
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", enable_foreign_keys)
        db.create_all()
    api.init_app(app)
    return app


# --8<-- [end:app]
