"""Sign-up, sign-in and the caller: users, access tokens and `GET /v1/me`.

Access tokens are JSON Web Tokens signed (HS256) with the app's `SECRET_KEY`, read from the
app's config on each use, so every process that shares the key accepts every token.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import current_app, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from example_service.models import User, db
from example_service.schemas import (
    CredentialsSchema,
    NewUserSchema,
    TokenSchema,
    UserSchema,
)
from restkit import Blueprint, Identity, ResponseSpec, operation
from restkit.jwt import JwtBearer
from restkit.problems import Conflict, ServiceUnavailable, Unauthorized
from restkit.sqla import ModelCollection, ModelResource

TOKEN_LIFETIME = 3600  # seconds
TOKEN_RATE_LIMIT = os.environ.get("TASKBOARD_TOKEN_RATE_LIMIT", "10/minute")
REALM = "Taskboard"


def signing_secret(header: Mapping[str, Any]) -> str:
    """Return the key tokens are signed and verified with: the app's `SECRET_KEY`."""
    secret: str = current_app.config["SECRET_KEY"]
    return secret


def identify(claims: Mapping[str, Any]) -> Identity[User] | None:
    """Turn a verified token into its caller; a deleted user's tokens stop working."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.isdigit() or len(subject) > 18:
        return None
    user = db.session.get(User, int(subject))
    if user is None:
        return None
    return Identity(id=str(user.id), user=user, claims=claims)


tokens = JwtBearer(
    key=signing_secret,
    issuer="taskboard",
    leeway=30,
    identify=identify,
    realm=REALM,
    description="An access token from `POST /v1/auth/tokens`: `Authorization: Bearer <token>`.",
)

# Checked when no user has the email, so that the answer takes as long as for a wrong
# password and does not tell which emails have accounts.
_NOBODY = generate_password_hash(secrets.token_urlsafe(16))


def normalize_email(email: str) -> str:
    """Return the email as it is stored: trimmed and in lower case."""
    return email.strip().lower()


accounts = Blueprint("accounts", url_prefix="/v1", description="Sign-up, sign-in and the caller.")


@accounts.route("/users")
class Users(ModelCollection):
    """The app's users: anyone may sign up."""

    model = User
    schema = NewUserSchema
    methods = ()
    auth = False

    # The answer has its own schema, without the password: SDK generators treat a
    # write-only required field of a shared schema as required in responses too.
    @operation(
        body=NewUserSchema,
        response=UserSchema,
        status=201,
        problems=[Conflict, ServiceUnavailable],
        operation_id="createUser",
    )
    def post(self, body: dict[str, Any]) -> tuple[User, int, dict[str, str]]:
        """Sign up: create a user.

        The email must not belong to another user (409); it is stored in lower case.
        """
        user = self.create_object(body)
        return user, 201, {"Location": self.get_location(user)}

    def create_object(self, data: Mapping[str, Any], **path: Any) -> User:
        """Add the user with a hash of the password, never the password itself."""
        fields = {key: value for key, value in data.items() if key != "password"}
        fields["email"] = normalize_email(fields["email"])
        fields["password_hash"] = generate_password_hash(data["password"])
        user: User = super().create_object(fields, **path)
        return user

    def get_location(self, obj: Any, **path: Any) -> str:
        """Point at `GET /v1/me`, where the new user reads their account once signed in."""
        return url_for(".Me")


@accounts.route("/auth/tokens")
class Tokens(ModelResource):
    """Access tokens."""

    @operation(
        body=CredentialsSchema,
        # A token has no URL of its own: the 201 carries no Location (RFC 9110 §15.3.2).
        responses={201: ResponseSpec(TokenSchema, location=False)},
        problems=[Unauthorized],
        operation_id="createToken",
        auth=False,  # this is where callers get their credentials
        rate_limit=TOKEN_RATE_LIMIT,  # per client address: slows down password guessing
    )
    def post(self, body: dict[str, str]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Sign in: trade an email and password for an access token.

        The token is valid for an hour; sign in again for a new one.
        """
        user = db.session.execute(
            db.select(User).where(User.email == normalize_email(body["email"]))
        ).scalar_one_or_none()
        known = check_password_hash(user.password_hash if user else _NOBODY, body["password"])
        if user is None or not known:
            # RFC 9110 §15.5.2: a 401 carries a challenge, here the scheme the token is for.
            raise Unauthorized(
                "The email or password is not valid.",
                headers=[("WWW-Authenticate", f'Bearer realm="{REALM}"')],
            )
        token = tokens.make_token(str(user.id), expires_in=TOKEN_LIFETIME)
        body_out = {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME}
        # RFC 6749 §5.1: a response with a token must not be stored by caches.
        return body_out, 201, {"Cache-Control": "no-store"}


@accounts.route("/me")
class Me(ModelResource):
    """The signed-in user."""

    @operation(response=UserSchema, operation_id="getMe")
    def get(self, identity: Identity[User]) -> User:
        """Get the caller's account."""
        return identity.user
