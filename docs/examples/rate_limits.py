"""Rate limits on a small notes API: the example of docs/rate-limits.md.

Run it with `flask --app rate_limits run` and call it with curl; the test suite drives it
through the Flask test client.
"""

from __future__ import annotations

import functools
import itertools
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, request, url_for
from marshmallow import Schema, fields, validate
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Request

from restkit import Api, Blueprint, Resource, operation
from restkit.identity import set_client_id
from restkit.problems import NotFound, Unauthorized
from restkit.ratelimit import RateLimit


class NoteSchema(Schema):
    """A note as clients read and write it."""

    id = fields.Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=500))


class SignIn(Schema):
    """A user's credentials."""

    user = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenSchema(Schema):
    """A bearer token."""

    token = fields.String()


class Health(Schema):
    """Whether the service is up."""

    ok = fields.Boolean()


# The data lives in memory: enough for an example.
PASSWORDS = {"ada": "correct horse", "grace": "battery staple"}
TOKENS: dict[str, str] = {}  # token -> user
NOTES: dict[int, dict[str, Any]] = {}
NEXT_ID = itertools.count(1)


# --8<-- [start:identity]
def authenticate(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let a request with a valid bearer token through, as the user who owns the token."""

    @functools.wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user = TOKENS.get(token) if scheme.lower() == "bearer" else None
        if user is None:
            raise Unauthorized("Send 'Authorization: Bearer <token>'; get one at /v1/tokens.")
        set_client_id(user)  # from here on, rate limits count this user's requests
        return view(**kwargs)

    return wrapper


# --8<-- [end:identity]


# --8<-- [start:resources]
# Signing in is limited per address: 5 attempts a minute slow down password guessing.
auth = Blueprint("auth", rate_limit="5/minute")


@auth.route("/tokens")
class Tokens(Resource):
    """Bearer tokens."""

    @operation(body=SignIn, response=TokenSchema, problems=[Unauthorized])
    def post(self, body: dict[str, str]) -> dict[str, str]:
        """Sign in: trade a user's password for a token."""
        if PASSWORDS.get(body["user"]) != body["password"]:
            raise Unauthorized("Wrong user or password.")
        token = secrets.token_urlsafe(16)
        TOKENS[token] = body["user"]
        return {"token": token}


notes = Blueprint("notes")


@notes.route("/notes")
class Notes(Resource):
    """The caller's notes."""

    decorators = (authenticate,)
    rate_limit = "100/minute"  # GET and POST together, per user

    @operation(response=NoteSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List notes."""
        return list(NOTES.values())

    @operation(body=NoteSchema, response=NoteSchema, status=201, rate_limit="10/minute")
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Write a note: at most 10 a minute, on top of the resource's 100."""
        note = {"id": next(NEXT_ID), **body}
        NOTES[note["id"]] = note
        return note, 201, {"Location": url_for(".NoteItem", note_id=note["id"])}


@notes.route("/notes/<int:note_id>")
class NoteItem(Resource):
    """One note."""

    decorators = (authenticate,)

    @operation(response=NoteSchema)
    def get(self, note_id: int) -> dict[str, Any]:
        """Read a note."""
        if note_id not in NOTES:
            raise NotFound(f"There is no note {note_id}.")
        return NOTES[note_id]


@notes.route("/health")
class Status(Resource):
    """The load balancer's health check."""

    rate_limit = False  # never limited, whatever the API says

    @operation(response=Health)
    def get(self) -> dict[str, bool]:
        """Say the service is up."""
        return {"ok": True}


# --8<-- [end:resources]


# --8<-- [start:app]
def everyone(incoming: Request) -> str:
    """Count every request under one key, whoever sends it."""
    return "everyone"


api = Api(
    url_prefix="/v1",
    rate_limit=[
        "1000/hour",  # per client: the user, or the address before signing in
        RateLimit(20_000, timedelta(hours=1), key=everyone),  # for all clients together
    ],
)
api.register_blueprint(auth)
api.register_blueprint(notes)


def create_app(proxies: int = 0) -> Flask:
    """Return the app; `proxies`: how many proxies in front of it set X-Forwarded-For."""
    app = Flask(__name__)
    if proxies:
        # Behind a proxy, every request comes from the proxy's address: take the client's
        # from the X-Forwarded-For header that the trusted proxies set.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
    api.init_app(app)
    return app


# --8<-- [end:app]
