"""Settings from the Flask config, the environment and `Api` arguments: docs/settings.md.

Two versions of a notes API on one app. Both take their limits from the app's config; `/v2`
accepts larger bodies, given as its own argument. Environment variables named
`FLASK_RESTKIT_...` override the config, so a deployment can change a setting without a
code change.
"""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask, url_for
from marshmallow import Schema, fields

from restkit import Api, Blueprint, Resource, operation
from restkit.problems import NotFound

NOTES: dict[int, dict[str, Any]] = {}
NEXT_ID = itertools.count(1)


class NoteSchema(Schema):
    """A note as clients read and write it."""

    id = fields.Integer(dump_only=True)
    text = fields.String(required=True)


notes = Blueprint("notes", description="Notes.")


@notes.route("/notes")
class Notes(Resource):
    """The notes."""

    @operation(body=NoteSchema, response=NoteSchema, status=201)
    def post(self, body: dict[str, Any]) -> Any:
        """Write a note."""
        note = {"id": next(NEXT_ID), **body}
        NOTES[note["id"]] = note
        return note, 201, {"Location": url_for(".NoteItem", note_id=note["id"])}


@notes.route("/notes/<int:note_id>")
class NoteItem(Resource):
    """One note."""

    @operation(response=NoteSchema)
    def get(self, note_id: int) -> Any:
        """Read a note."""
        if note_id not in NOTES:
            raise NotFound(f"There is no note {note_id}.")
        return NOTES[note_id]


# --8<-- [start:apis]
v1 = Api(name="v1", url_prefix="/v1")
v1.register_blueprint(notes)

v2 = Api(name="v2", url_prefix="/v2", max_body_size=10 * 1024 * 1024)  # this API's own
v2.register_blueprint(notes)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Make the app: settings first, then the APIs, which read them once."""
    app = Flask(__name__)
    app.config["RESTKIT_MAX_BODY_SIZE"] = 2 * 1024 * 1024  # every API without its own
    app.config["RESTKIT_MAX_JSON_DEPTH"] = 16
    app.config.from_prefixed_env()  # FLASK_RESTKIT_MAX_JSON_DEPTH=8 gives the int 8
    app.config.update(config or {})
    v1.init_app(app)
    v2.init_app(app)
    return app


# --8<-- [end:apis]
