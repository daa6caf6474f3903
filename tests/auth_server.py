"""A live app for tests/test_docs_ui_auth_browser.py: one operation per security scheme.

    PORT=8000 python -m tests.auth_server

Serves on http://127.0.0.1:$PORT only, with Swagger UI at `/v1/docs`. Each `GET /v1/whoami/*`
operation accepts exactly one scheme and answers the caller's identity id and the scheme
that accepted it, as JSON:

- `/bearer`: `Authorization: Bearer <BEARER_TOKEN>` (HttpBearer, static tokens);
- `/header-key`: `X-API-Key: <HEADER_KEY>` (ApiKey in a header);
- `/query-key`: `?api_key=<QUERY_KEY>` (ApiKey in a query parameter);
- `/cookie-key`: `Cookie: session_key=<COOKIE_KEY>` (ApiKey in a cookie);
- `/basic`: `Authorization: Basic ...` of BASIC_USER and BASIC_PASSWORD (HttpBasic);
- `/public`: no credentials; answers a null id.

The secrets are fixed test values, importable by the test that drives the docs page.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from flask import Flask
from marshmallow import Schema, fields

from restkit import Api, Blueprint, Resource, operation
from restkit.auth import ApiKey, HttpBasic, HttpBearer
from restkit.identity import Identity, get_identity

BEARER_TOKEN = "bearer-token-0123456789abcdef"
HEADER_KEY = "header-key-0123456789abcdef"
QUERY_KEY = "query-key-0123456789abcdef"
COOKIE_KEY = "cookie-key-0123456789abcdef"
BASIC_USER = "ada"
BASIC_PASSWORD = "correct horse battery staple"
COOKIE_NAME = "session_key"


class CallerSchema(Schema):
    """Who called, as restkit recorded it."""

    id = fields.String(allow_none=True)
    scheme = fields.String(allow_none=True)


def verify_password(username: str, password: str) -> Identity[None] | None:
    """Accept BASIC_USER with BASIC_PASSWORD, comparing both in constant time."""
    user_ok = hmac.compare_digest(username.encode(), BASIC_USER.encode())
    password_ok = hmac.compare_digest(password.encode(), BASIC_PASSWORD.encode())
    return Identity(id="basic-user", user=None) if user_ok and password_ok else None


bearer = HttpBearer(tokens={BEARER_TOKEN: Identity(id="bearer-client", user=None)})
header_key = ApiKey(
    keys={HEADER_KEY: Identity(id="header-key-client", user=None)},
    name="X-API-Key",
    location="header",
    scheme_name="headerKeyAuth",
)
query_key = ApiKey(
    keys={QUERY_KEY: Identity(id="query-key-client", user=None)},
    name="api_key",
    location="query",
    scheme_name="queryKeyAuth",
)
cookie_key = ApiKey(
    keys={COOKIE_KEY: Identity(id="cookie-key-client", user=None)},
    name=COOKIE_NAME,
    location="cookie",
    scheme_name="cookieKeyAuth",
)
basic = HttpBasic(verify_password)

whoami = Blueprint("whoami", url_prefix="/whoami", description="Who is calling, per scheme.")


def caller(identity: Identity[Any] | None) -> dict[str, str | None]:
    """Return the identity's id and scheme, or nulls for an anonymous caller."""
    if identity is None:
        return {"id": None, "scheme": None}
    return {"id": identity.id, "scheme": identity.scheme}


@whoami.route("/bearer")
class BearerCaller(Resource):
    """Accepts a bearer token only."""

    auth = bearer

    @operation(response=CallerSchema)
    def get(self, identity: Identity[None]) -> dict[str, str | None]:
        """Say who presented the bearer token."""
        return caller(identity)


@whoami.route("/header-key")
class HeaderKeyCaller(Resource):
    """Accepts an API key in the X-API-Key header only."""

    auth = header_key

    @operation(response=CallerSchema)
    def get(self, identity: Identity[None]) -> dict[str, str | None]:
        """Say who presented the header API key."""
        return caller(identity)


@whoami.route("/query-key")
class QueryKeyCaller(Resource):
    """Accepts an API key in the api_key query parameter only."""

    auth = query_key

    @operation(response=CallerSchema)
    def get(self, identity: Identity[None]) -> dict[str, str | None]:
        """Say who presented the query API key."""
        return caller(identity)


@whoami.route("/cookie-key")
class CookieKeyCaller(Resource):
    """Accepts an API key in the session_key cookie only."""

    auth = cookie_key

    @operation(response=CallerSchema)
    def get(self, identity: Identity[None]) -> dict[str, str | None]:
        """Say who presented the cookie API key."""
        return caller(identity)


@whoami.route("/basic")
class BasicCaller(Resource):
    """Accepts a user name and password (Basic) only."""

    auth = basic

    @operation(response=CallerSchema)
    def get(self, identity: Identity[None]) -> dict[str, str | None]:
        """Say who logged in with a password."""
        return caller(identity)


@whoami.route("/public")
class PublicCaller(Resource):
    """Needs no credentials."""

    auth = False

    @operation(response=CallerSchema)
    def get(self) -> dict[str, str | None]:
        """Say that nobody in particular is calling."""
        return caller(get_identity())


def create_app() -> Flask:
    """Build the app: the whoami operations and their docs under `/v1`."""
    app = Flask(__name__)
    api = Api(name="auth", url_prefix="/v1", title="Auth demo", version="1.0.0")
    api.register_blueprint(whoami)
    api.init_app(app)
    return app


def main() -> None:
    """Start the development server on the loopback interface."""
    port = int(os.environ.get("PORT", "8000"))
    app = create_app()
    print(f"Auth demo is serving on http://127.0.0.1:{port}/v1/docs")
    app.run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
