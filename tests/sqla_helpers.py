"""Build apps of model resources on the shared test models, for the restkit.sqla tests.

`tests/sqla_app.py` serves one fixed blueprint; the tests that subclass resources (to
override a hook, choose `methods`, scope rows) mount their own classes with `Mounter`, on
the same `db` and the same test database, and every engine it creates is disposed after.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event, select

from restkit import Api, Blueprint, Resource
from tests.sqla_app import db

PROBLEM_JSON = "application/problem+json"
MERGE_PATCH = "application/merge-patch+json"


def _foreign_keys_on(connection: Any, record: Any) -> None:
    connection.execute("PRAGMA foreign_keys=ON")


class Mounter:
    """Make apps serving given resources on one test database; `close` disposes them all."""

    def __init__(self, url: str, engine_options: dict[str, Any]) -> None:
        self.url = url
        self.engine_options = engine_options
        self.apps: list[tuple[Flask, SQLAlchemy]] = []

    def __call__(self, routes: Mapping[str, type[Resource]], extension: SQLAlchemy = db) -> Flask:
        """Return an app serving `routes` ({rule: resource}) under /v1, tables created.

        The models are those of `extension`: the shared test models by default.
        """
        app = Flask(__name__)
        app.config["SQLALCHEMY_DATABASE_URI"] = self.url
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = self.engine_options
        extension.init_app(app)
        self.apps.append((app, extension))
        blueprint = Blueprint("work")
        for rule, resource in routes.items():
            blueprint.add_resource(resource, rule)
        api = Api(name="v1", url_prefix="/v1", title="Work", version="1.0.0")
        api.register_blueprint(blueprint)
        api.init_app(app)
        with app.app_context():
            if extension.engine.dialect.name == "sqlite":
                event.listen(extension.engine, "connect", _foreign_keys_on)
            extension.create_all()
        return app

    def close(self) -> None:
        """Close the sessions and dispose the engines of every app made."""
        for app, extension in self.apps:
            with app.app_context():
                extension.session.remove()
                extension.engine.dispose()


@contextmanager
def mounter(database: tuple[str, dict[str, Any]]) -> Iterator[Mounter]:
    """Yield a `Mounter` on the database (`sqla_database`'s value), closed after."""
    made = Mounter(*database)
    try:
        yield made
    finally:
        made.close()


def stored(
    app: Flask, model: type[Any], *attributes: str, extension: SQLAlchemy = db
) -> list[tuple[Any, ...]]:
    """Return the committed rows of `model` as tuples of `attributes`, by primary key.

    Read in an app context of its own, so through a fresh session: only what was committed.
    """
    with app.app_context():
        columns = [getattr(model, name) for name in attributes]
        rows = extension.session.execute(select(*columns).order_by(model.id)).all()
        extension.session.remove()
    return [tuple(row) for row in rows]
