"""Authentication and permissions on a small notes API: the example of docs/auth.md.

Users sign in at `POST /v1/tokens` and get a JSON Web Token; a partner's reporting app
calls with an API key. Run it with `flask --app auth run` and call it with curl; the test
suite drives it through the Flask test client.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, url_for
from marshmallow import Schema, fields, validate
from werkzeug.security import check_password_hash, generate_password_hash

from restkit import Api, Blueprint, Resource, operation
from restkit.auth import ApiKey
from restkit.identity import Identity
from restkit.jwt import JwtBearer
from restkit.permissions import Roles, Scopes
from restkit.problems import Forbidden, NotFound, Unauthorized


@dataclass
class User:
    """A user of the app."""

    id: str
    name: str
    password_hash: str
    scopes: tuple[str, ...]
    roles: tuple[str, ...] = ()


@dataclass
class Note:
    """A note, owned by the user who wrote it."""

    id: int
    owner: str
    text: str


@dataclass
class Counter:
    """How many notes a user keeps, for the reporting app."""

    owner: str
    notes: int = 0


class SignIn(Schema):
    """A user's name and password."""

    user = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenSchema(Schema):
    """An access token, as OAuth 2 servers answer (RFC 6749 §5.1)."""

    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class NoteSchema(Schema):
    """A note as clients read and write it."""

    id = fields.Integer(dump_only=True)
    owner = fields.String(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=500))


class UserSchema(Schema):
    """A user, as admins see them."""

    id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())


class CounterSchema(Schema):
    """How many notes a user keeps."""

    owner = fields.String()
    notes = fields.Integer()


class Health(Schema):
    """Whether the service is up."""

    ok = fields.Boolean()


# --8<-- [start:data]
# The data lives in memory: enough for an example. A real app keeps only the password
# hashes, made with generate_password_hash() when the user chose the password.
USERS = {
    "ada": User(
        id="ada",
        name="Ada Lovelace",
        password_hash=generate_password_hash("correct horse"),
        scopes=("notes:read", "notes:write"),
        roles=("admin",),
    ),
    "grace": User(
        id="grace",
        name="Grace Hopper",
        password_hash=generate_password_hash("battery staple"),
        scopes=("notes:read", "notes:write"),
    ),
    "alan": User(
        id="alan",
        name="Alan Turing",
        password_hash=generate_password_hash("enigma machine"),
        scopes=("notes:read",),  # may read notes, not write them
    ),
}
NOTES: dict[int, Note] = {}
NEXT_ID = itertools.count(1)
# --8<-- [end:data]


# --8<-- [start:schemes]
def identify(claims: Mapping[str, Any]) -> Identity[User] | None:
    """Turn a verified token into its caller: the user it names, if they still exist."""
    user = USERS.get(claims.get("sub", ""))
    if user is None:
        return None  # the user was deleted: their tokens stop working at once
    return Identity(
        id=user.id,
        user=user,
        scopes=claims.get("scope", "").split(),  # what the token was granted
        roles=user.roles,  # read from the user, so a revoked role is gone at once
        claims=claims,
    )


# Users: JSON Web Tokens, signed with a secret of at least 32 bytes. Without
# NOTES_JWT_SECRET a random one is made, and tokens die with the process.
tokens = JwtBearer(
    key=os.environ.get("NOTES_JWT_SECRET") or secrets.token_urlsafe(32),
    issuer="https://notes.example",
    audience="notes-api",
    leeway=30,  # seconds of clock skew forgiven
    identify=identify,
)

# The partner's reporting app: an API key in the X-API-Key header. Read real keys from
# the environment or a secrets manager; they are compared in constant time.
REPORTING_KEY = os.environ.get("NOTES_REPORTING_KEY") or "rk-demo-7Hq2xV9mWc4LpZ8t"
partner_key = ApiKey(
    keys={REPORTING_KEY: Identity(id="app:reporting", user=None, scopes={"reports:read"})},
    name="X-API-Key",
)
# --8<-- [end:schemes]


# --8<-- [start:tokens]
# Checked when the user name is unknown, so that the answer takes as long as for a wrong
# password and does not tell which names exist.
NOBODY = generate_password_hash(secrets.token_urlsafe(16))
TOKEN_LIFETIME = 3600  # seconds


def issue_token(user: User) -> str:
    """Make an access token for the user, carrying the user's scopes."""
    return tokens.make_token(user.id, scopes=user.scopes, expires_in=TOKEN_LIFETIME)


service = Blueprint("service", description="Health, sign-in, users and reports.")


@service.route("/health")
class Status(Resource):
    """The load balancer's health check."""

    @operation(response=Health, auth=False)
    def get(self) -> dict[str, bool]:
        """Say the service is up; anyone may ask."""
        return {"ok": True}


@service.route("/tokens")
class Tokens(Resource):
    """Access tokens."""

    @operation(
        body=SignIn,
        response=TokenSchema,
        problems=[Unauthorized],
        auth=False,  # public: this is where callers get their credentials
        rate_limit="5/minute",  # per address: slows down password guessing
    )
    def post(self, body: dict[str, str]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Sign in: trade a user's name and password for an access token."""
        user = USERS.get(body["user"])
        known = check_password_hash(user.password_hash if user else NOBODY, body["password"])
        if user is None or not known:
            raise Unauthorized("The user name or password is not valid.")
        token = {"access_token": issue_token(user), "token_type": "Bearer"}
        # RFC 6749 §5.1: a response with a token must not be stored by caches.
        return {**token, "expires_in": TOKEN_LIFETIME}, 200, {"Cache-Control": "no-store"}


# --8<-- [end:tokens]


# --8<-- [start:notes]
# Notes are for users only: the blueprint accepts tokens, not the partner's key, and every
# operation of it needs the notes:read scope, on top of what each one asks.
notes = Blueprint(
    "notes", description="The callers' notes.", auth=tokens, requires=Scopes("notes:read")
)


@notes.route("/notes")
class Notes(Resource):
    """The caller's notes."""

    @operation(response=NoteSchema(many=True))
    def get(self, identity: Identity[User]) -> list[Note]:
        """List the caller's notes."""
        return [note for note in NOTES.values() if note.owner == identity.id]

    @operation(body=NoteSchema, response=NoteSchema, status=201, requires=Scopes("notes:write"))
    def post(
        self, body: dict[str, Any], identity: Identity[User]
    ) -> tuple[Note, int, dict[str, str]]:
        """Write a note, as the caller."""
        note = Note(id=next(NEXT_ID), owner=identity.user.id, text=body["text"])
        NOTES[note.id] = note
        return note, 201, {"Location": url_for(".NoteItem", note_id=note.id)}


ADMIN = Roles("admin")  # a requirement is also a test: ADMIN.allows(identity)


@notes.route("/notes/<int:note_id>")
class NoteItem(Resource):
    """One note: its owner and the admins may read it; only admins delete notes."""

    def get_object(self, note_id: int) -> Note | None:
        """Load the note the URL names."""
        return NOTES.get(note_id)

    def authorize_object(self, note: Note, identity: Identity[User], method: str) -> None:
        """Hide other users' notes from the caller; let only admins delete."""
        if note.owner != identity.id and not ADMIN.allows(identity):
            raise NotFound()  # the same 404 as a note that does not exist
        if method == "DELETE" and not ADMIN.allows(identity):
            raise Forbidden("Only an admin may delete notes.")

    @operation(response=NoteSchema)
    def get(self, note_id: int, current: Note) -> Note:
        """Read a note."""
        return current

    @operation(status=204, requires=Scopes("notes:write"))
    def delete(self, note_id: int) -> None:
        """Delete a note (admins only)."""
        del NOTES[note_id]


# --8<-- [end:notes]


# --8<-- [start:admin]
@service.route("/users")
class Users(Resource):
    """The app's users."""

    @operation(response=UserSchema(many=True), requires=Roles("admin"))
    def get(self) -> list[User]:
        """List the users (admins only)."""
        return list(USERS.values())


@service.route("/reports/notes")
class NoteReport(Resource):
    """How many notes each user keeps: for the reporting app, and for admins."""

    @operation(response=CounterSchema(many=True), requires=Scopes("reports:read") | ADMIN)
    def get(self) -> list[Counter]:
        """Count the notes of each user."""
        counters = {user_id: Counter(user_id) for user_id in USERS}
        for note in NOTES.values():
            counters[note.owner].notes += 1
        return list(counters.values())


# --8<-- [end:admin]


# --8<-- [start:app]
# Every operation needs a user's token or the partner's key, unless it says otherwise.
api = Api(url_prefix="/v1", title="Notes", auth=[tokens, partner_key])
api.register_blueprint(service)
api.register_blueprint(notes)


def create_app() -> Flask:
    """Return a Flask app serving the API under /v1."""
    app = Flask(__name__)
    api.init_app(app)
    return app


# --8<-- [end:app]
