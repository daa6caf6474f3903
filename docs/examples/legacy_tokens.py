"""A scheme restkit does not ship, `Authorization: Token <key>`: an example of docs/auth.md.

Versions 1.x of a phone app, written for an earlier backend, send their session token as
`Authorization: Token <key>`; versions 2.x send `Authorization: Bearer <key>`. The API
accepts both, for the same sessions, until the last 1.x install is gone.

Run it with `flask --app legacy_tokens run`; the test suite drives it through the Flask test
client.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Flask
from marshmallow import Schema, fields
from werkzeug.wrappers import Request

from restkit import Api, Blueprint, HttpBearer, Identity, Resource, operation
from restkit.auth import MAX_CREDENTIAL_LENGTH, Authenticator, Rejection

# The sessions, by the SHA-256 of their token: a leaked table opens no account.
SESSIONS = {
    hashlib.sha256(b"s3ss10n-ada-2f9a1c7e5b").hexdigest(): "ada",
    hashlib.sha256(b"s3ss10n-alan-8d4e6f0a2c").hexdigest(): "alan",
}


def find_session(token: str) -> Identity[str] | None:
    """Return the caller a session token belongs to, or `None`."""
    user = SESSIONS.get(hashlib.sha256(token.encode()).hexdigest())
    return Identity(id=user, user=user) if user is not None else None


# --8<-- [start:scheme]
_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")  # what the 1.x app's tokens are made of


class LegacyToken(Authenticator):
    """A session token in `Authorization: Token <key>`, as versions 1.x of the app send it."""

    def __init__(self, verify: Any, *, scheme_name: str = "legacyToken") -> None:
        super().__init__(scheme_name, description=None, realm=None)
        self.verify = verify

    def authenticate(self, request: Request) -> Identity[Any] | Rejection | None:
        """Return the caller, a `Rejection` saying why not, or `None` without a token."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "token":
            return None  # no credentials of this scheme: another one may accept the request
        token = token.strip()
        if len(token) > MAX_CREDENTIAL_LENGTH or not _TOKEN.fullmatch(token):
            return Rejection("The session token is malformed.")  # never repeat the token
        identity = self.verify(token)
        return identity if identity is not None else Rejection("The session token is not valid.")

    def challenge(self, realm: str, rejection: Rejection | None) -> str:
        """Return the `WWW-Authenticate` challenge of a 401."""
        quoted = realm.replace("\\", "\\\\").replace('"', '\\"')
        return f'Token realm="{quoted}"'

    def security_scheme(self) -> dict[str, Any]:
        """Return the OpenAPI security scheme: the closest is an API key in `Authorization`."""
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Versions 1.x of the app: `Authorization: Token <session token>`.",
        }

    def describe(self) -> str:
        """Complete "Send ..." in the 401 of a request without credentials."""
        return "a session token in the Authorization header (Token <key>)"


# --8<-- [end:scheme]


class CallerSchema(Schema):
    """Who is calling, and how they proved it."""

    user = fields.String()
    scheme = fields.String()


me = Blueprint("me", description="The caller.")


@me.route("/me")
class Me(Resource):
    """The caller."""

    @operation(response=CallerSchema)
    def get(self, identity: Identity[str]) -> dict[str, Any]:
        """Say who is calling."""
        return {"user": identity.user, "scheme": identity.scheme}


# --8<-- [start:app]
api = Api(
    name="v1",
    url_prefix="/v1",
    title="Notes",
    auth=[HttpBearer(find_session), LegacyToken(find_session)],  # 2.x first, then 1.x
)
api.register_blueprint(me)
# --8<-- [end:app]


def create_app() -> Flask:
    """Make the app."""
    app = Flask(__name__)
    api.init_app(app)
    return app
