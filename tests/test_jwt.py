"""restkit.jwt.JwtBearer with HMAC secrets: accepted tokens and the identity they make,
refused tokens and their challenges, the `identify` and `require` hooks, the OpenAPI security
scheme, and that a token is never echoed.

Keys other than HMAC secrets (RSA, EC, EdDSA, rotation) and declaration errors are in
`test_jwt_keys.py`.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from marshmallow import fields

from restkit import Api, Blueprint, Identity, Resource, operation
from restkit.auth import Rejection
from restkit.jwt import JwtBearer

SECRET = "s3cret-for-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCD"  # 64 bytes
OTHER_SECRET = "another-secret-nobody-should-accept-0123456789-abcdefghijklmnop"
NOW = int(time.time())
DAY = 86400
ME = {
    "id": fields.String(),
    "scopes": fields.List(fields.String()),
    "roles": fields.List(fields.String()),
    "scheme": fields.String(),
}


class Me(Resource):
    @operation(response=ME)
    def get(self, identity: Identity[Any]) -> dict[str, Any]:
        return {
            "id": identity.id,
            "scopes": sorted(identity.scopes),
            "roles": sorted(identity.roles),
            "scheme": identity.scheme,
        }


def serve(bearer: JwtBearer, resource: type[Resource] = Me) -> tuple[Api, Flask, FlaskClient]:
    """Mount `resource` at /me on an API titled "Tasks" that every operation of needs `bearer`."""
    blueprint = Blueprint("test")
    blueprint.add_resource(resource, "/me")
    app = Flask(__name__)
    api = Api(title="Tasks", auth=bearer)
    api.register_blueprint(blueprint)
    api.init_app(app)
    return api, app, app.test_client()


def get_me(client: FlaskClient, token: str) -> Any:
    return client.get("/me", headers={"Authorization": f"Bearer {token}"})


def sign(claims: dict[str, Any], key: str = SECRET, **options: Any) -> str:
    return jwt.encode(claims, key, algorithm=options.pop("algorithm", "HS256"), **options)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def craft(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    """Encode a token by hand, for tokens PyJWT refuses to make."""
    parts = [json.dumps(header).encode(), json.dumps(claims).encode(), signature]
    return ".".join(b64url(part) for part in parts)


def challenge(description: str) -> str:
    return f'Bearer realm="Tasks", error="invalid_token", error_description="{description}"'


# Accepted tokens and the identity they make


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_jwt_hmac_token_from_make_token_is_accepted(algorithm: str) -> None:
    bearer = JwtBearer(key=SECRET, algorithms=[algorithm])
    token = bearer.make_token("42", scopes=["tasks:read", "tasks:write"], roles=["admin"])
    _, _, client = serve(bearer)

    response = get_me(client, token)

    assert response.status_code == 200
    assert jwt.get_unverified_header(token)["alg"] == algorithm
    assert response.json == {
        "id": "42",
        "scopes": ["tasks:read", "tasks:write"],
        "roles": ["admin"],
        "scheme": "bearerAuth",
    }


def test_jwt_identity_holds_the_verified_claims_as_user_and_claims() -> None:
    bearer = JwtBearer(key=SECRET)
    token = bearer.make_token("42", expires_in=timedelta(minutes=5), claims={"email": "a@b.c"})

    identity = bearer.verify_token(token)

    assert isinstance(identity, Identity)
    assert identity.id == "42"
    assert identity.user == dict(identity.claims)
    assert identity.claims["email"] == "a@b.c"
    assert identity.claims["exp"] - identity.claims["iat"] == 300


def test_jwt_make_token_writes_scopes_space_separated_and_roles_as_a_list() -> None:
    bearer = JwtBearer(key=SECRET, issuer="https://issuer.example", audience="tasks-api")

    token = bearer.make_token("42", scopes=["a", "b"], roles=["admin", "staff"])

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["scope"] == "a b"
    assert claims["roles"] == ["admin", "staff"]
    assert claims["iss"] == "https://issuer.example"
    assert claims["aud"] == "tasks-api"
    assert isinstance(bearer.verify_token(token), Identity)


@pytest.mark.parametrize(
    ("extra", "scopes", "roles"),
    [
        ({}, [], []),
        ({"scope": "tasks:read tasks:write"}, ["tasks:read", "tasks:write"], []),
        ({"scope": ["tasks:read", "tasks:write"]}, ["tasks:read", "tasks:write"], []),
        ({"scope": ""}, [], []),
        ({"roles": ["admin", "staff"]}, [], ["admin", "staff"]),
        ({"roles": "admin staff"}, [], ["admin", "staff"]),
    ],
)
def test_jwt_scopes_and_roles_claims_become_the_identity(
    extra: dict[str, Any], scopes: list[str], roles: list[str]
) -> None:
    _, _, client = serve(JwtBearer(key=SECRET))

    response = get_me(client, sign({"sub": "42", "exp": NOW + DAY, **extra}))

    assert response.status_code == 200
    assert response.json["scopes"] == scopes
    assert response.json["roles"] == roles


def test_jwt_custom_scopes_and_roles_claims_are_read_and_written() -> None:
    bearer = JwtBearer(key=SECRET, scopes_claim="scp", roles_claim="groups")
    _, _, client = serve(bearer)
    made = bearer.make_token("42", scopes=["tasks:read"], roles=["admin"])
    signed = sign({"sub": "7", "exp": NOW + DAY, "scp": ["x"], "groups": ["g"], "scope": "no"})

    made_response = get_me(client, made)
    signed_response = get_me(client, signed)

    assert made_response.status_code == 200
    assert made_response.json["scopes"] == ["tasks:read"]
    assert made_response.json["roles"] == ["admin"]
    assert jwt.decode(made, options={"verify_signature": False})["scp"] == "tasks:read"
    assert signed_response.status_code == 200
    assert signed_response.json["scopes"] == ["x"]
    assert signed_response.json["roles"] == ["g"]


@pytest.mark.parametrize(
    ("options", "extra"),
    [
        ({}, {"scope": 5}),
        ({}, {"scope": ["tasks:read", 1]}),
        ({}, {"scope": {"tasks:read": True}}),
        ({}, {"roles": [["admin"]]}),
        ({}, {"roles": True}),
        ({"scopes_claim": "scp"}, {"scp": 5}),
        ({"roles_claim": "groups"}, {"groups": {"admin": 1}}),
    ],
)
def test_jwt_scopes_or_roles_claim_of_a_wrong_type_returns_401(
    options: dict[str, Any], extra: dict[str, Any]
) -> None:
    _, _, client = serve(JwtBearer(key=SECRET, **options))

    response = get_me(client, sign({"sub": "42", "exp": NOW + DAY, **extra}))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == challenge("The access token is not valid.")


# Refused tokens


def tampered() -> str:
    """A valid token's signature on another payload."""
    header, _, signature = sign({"sub": "42", "exp": NOW + DAY}).split(".")
    payload = b64url(json.dumps({"sub": "admin", "exp": NOW + DAY}).encode())
    return f"{header}.{payload}.{signature}"


NOT_VALID = "The access token is not valid."
REFUSALS = [
    pytest.param({}, sign({"sub": "42", "exp": NOW - 60}), "The access token expired.", id="exp"),
    pytest.param(
        {"leeway": 30},
        sign({"sub": "42", "exp": NOW - 120}),
        "The access token expired.",
        id="exp-beyond-leeway",
    ),
    pytest.param({}, sign({"sub": "42", "exp": NOW + DAY, "nbf": NOW + DAY}), NOT_VALID, id="nbf"),
    pytest.param(
        {},
        sign({"sub": "42", "exp": NOW + 2 * DAY, "iat": NOW + DAY}),
        NOT_VALID,
        id="iat-in-future",
    ),
    pytest.param({}, tampered(), NOT_VALID, id="wrong-signature"),
    pytest.param(
        {}, sign({"sub": "42", "exp": NOW + DAY}, OTHER_SECRET), NOT_VALID, id="other-secret"
    ),
    pytest.param(
        {"audience": "tasks-api"},
        sign({"sub": "42", "exp": NOW + DAY, "aud": "other"}),
        NOT_VALID,
        id="wrong-audience",
    ),
    pytest.param(
        {"audience": "tasks-api"},
        sign({"sub": "42", "exp": NOW + DAY}),
        NOT_VALID,
        id="missing-audience",
    ),
    pytest.param(
        {},
        sign({"sub": "42", "exp": NOW + DAY, "aud": "tasks-api"}),
        NOT_VALID,
        id="audience-when-none-configured",
    ),
    pytest.param(
        {"issuer": "https://issuer.example"},
        sign({"sub": "42", "exp": NOW + DAY, "iss": "https://evil.example"}),
        NOT_VALID,
        id="wrong-issuer",
    ),
    pytest.param(
        {"issuer": "https://issuer.example"},
        sign({"sub": "42", "exp": NOW + DAY}),
        NOT_VALID,
        id="missing-issuer",
    ),
    pytest.param({}, sign({"sub": "42"}), NOT_VALID, id="missing-exp"),
    pytest.param({}, sign({"exp": NOW + DAY}), NOT_VALID, id="missing-sub"),
    pytest.param({}, sign({"sub": "", "exp": NOW + DAY}), NOT_VALID, id="empty-sub"),
    pytest.param(
        {},
        sign({"sub": "42", "exp": NOW + DAY}, SECRET, algorithm="HS512"),
        NOT_VALID,
        id="other-hmac-algorithm",
    ),
    pytest.param({}, "not-a-jwt", NOT_VALID, id="garbage"),
    pytest.param({}, "a.b.c", NOT_VALID, id="garbage-three-parts"),
    pytest.param({}, "%%%", "The access token is malformed.", id="not-a-b64token"),
    pytest.param(
        {},
        craft({"alg": "none", "typ": "JWT"}, {"sub": "42", "exp": NOW + DAY}),
        NOT_VALID,
        id="alg-none",
    ),
    pytest.param(
        {},
        craft({"alg": "None", "typ": "JWT"}, {"sub": "42", "exp": NOW + DAY}),
        NOT_VALID,
        id="alg-None",
    ),
]


@pytest.mark.parametrize(("options", "token", "description"), REFUSALS)
def test_jwt_refused_token_returns_401_with_an_invalid_token_challenge(
    options: dict[str, Any], token: str, description: str
) -> None:
    _, _, client = serve(JwtBearer(key=SECRET, **options))

    response = get_me(client, token)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == challenge(description)
    assert response.content_type == "application/problem+json"
    assert response.json["detail"] == description


@pytest.mark.parametrize(("options", "token", "description"), REFUSALS)
def test_jwt_authenticate_returns_a_rejection_for_refused_tokens(
    options: dict[str, Any], token: str, description: str
) -> None:
    bearer = JwtBearer(key=SECRET, **options)
    headers = {"Authorization": f"Bearer {token}"}

    with Flask(__name__).test_request_context("/me", headers=headers):
        assert bearer.authenticate(request) == Rejection(description)


@pytest.mark.parametrize("leeway", [30, 30.0, timedelta(seconds=30)])
def test_jwt_leeway_accepts_a_token_expired_within_it(leeway: float | timedelta) -> None:
    _, _, client = serve(JwtBearer(key=SECRET, leeway=leeway))

    response = get_me(client, sign({"sub": "42", "exp": int(time.time()) - 10}))

    assert response.status_code == 200
    assert response.json["id"] == "42"


def test_jwt_leeway_accepts_a_token_not_yet_valid_within_it() -> None:
    _, _, client = serve(JwtBearer(key=SECRET, leeway=60))

    response = get_me(client, sign({"sub": "42", "exp": NOW + DAY, "nbf": NOW + 20}))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("options", "extra"),
    [
        ({"audience": "tasks-api"}, {"aud": "tasks-api"}),
        ({"audience": "tasks-api"}, {"aud": ["other", "tasks-api"]}),
        ({"audience": ["tasks-api", "admin-api"]}, {"aud": "admin-api"}),
        ({"issuer": "https://issuer.example"}, {"iss": "https://issuer.example"}),
    ],
)
def test_jwt_matching_audience_and_issuer_are_accepted(
    options: dict[str, Any], extra: dict[str, Any]
) -> None:
    _, _, client = serve(JwtBearer(key=SECRET, **options))

    response = get_me(client, sign({"sub": "42", "exp": NOW + DAY, **extra}))

    assert response.status_code == 200


def test_jwt_realm_of_the_authenticator_replaces_the_api_title() -> None:
    _, _, client = serve(JwtBearer(key=SECRET, realm="tasks"))

    response = get_me(client, sign({"sub": "42", "exp": NOW - 60}))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="tasks", error="invalid_token", error_description="The access token expired."'
    )


def test_jwt_request_without_a_token_returns_401_with_a_bare_challenge() -> None:
    _, _, client = serve(JwtBearer(key=SECRET))

    response = client.get("/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Tasks"'


# The identify and require hooks


@dataclass(frozen=True)
class User:
    id: int
    email: str
    active: bool


USERS = {
    "42": User(42, "ada@example.com", active=True),
    "7": User(7, "gone@example.com", active=False),
}


def identify_user(claims: Any) -> Identity[User] | None:
    user = USERS.get(claims.get("sub"))
    if user is None or not user.active:
        return None
    return Identity(id=str(user.id), user=user, roles=["member"], claims=claims)


class Profile(Resource):
    @operation(response={"email": fields.String(), "roles": fields.List(fields.String())})
    def get(self, identity: Identity[User]) -> dict[str, Any]:
        return {"email": identity.user.email, "roles": sorted(identity.roles)}


def test_jwt_identify_makes_the_identity_the_method_receives() -> None:
    _, _, client = serve(JwtBearer(key=SECRET, identify=identify_user), Profile)

    response = get_me(client, sign({"sub": "42", "exp": NOW + DAY}))

    assert response.status_code == 200
    assert response.json == {"email": "ada@example.com", "roles": ["member"]}


@pytest.mark.parametrize("subject", ["7", "999"])
def test_jwt_identify_returning_none_returns_401(subject: str) -> None:
    _, _, client = serve(JwtBearer(key=SECRET, identify=identify_user), Profile)

    response = get_me(client, sign({"sub": subject, "exp": NOW + DAY}))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == challenge("The access token is not valid.")


@pytest.mark.parametrize("returned", [{"id": "42"}, "42", USERS["42"], True])
def test_jwt_identify_returning_a_non_identity_returns_a_500_problem(
    returned: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _, _, client = serve(JwtBearer(key=SECRET, identify=lambda claims: returned), Profile)

    response = get_me(client, sign({"sub": "42", "exp": NOW + DAY}))

    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert "WWW-Authenticate" not in response.headers
    assert "return an Identity(...) or None" in caplog.text


def by_email(claims: Any) -> Identity[None] | None:
    email = claims.get("email")
    return Identity(id=email, user=None) if isinstance(email, str) and email else None


@pytest.mark.parametrize(
    ("require", "claims", "status"),
    [
        # with identify, sub is not required by default; exp still is
        (None, {"email": "a@b.c", "exp": NOW + DAY}, 200),
        (None, {"email": "a@b.c"}, 401),
        (["exp", "sub"], {"email": "a@b.c", "exp": NOW + DAY}, 401),
        (["exp", "sub"], {"email": "a@b.c", "exp": NOW + DAY, "sub": "42"}, 200),
        (["email"], {"email": "a@b.c"}, 200),
        ([], {"email": "a@b.c"}, 200),
        (["exp", "jti"], {"email": "a@b.c", "exp": NOW + DAY}, 401),
    ],
)
def test_jwt_require_with_identify_decides_the_required_claims(
    require: list[str] | None, claims: dict[str, Any], status: int
) -> None:
    _, _, client = serve(JwtBearer(key=SECRET, identify=by_email, require=require))

    response = get_me(client, sign(claims))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("require", "claims", "status"),
    [
        (["exp", "sub", "jti"], {"sub": "42", "exp": NOW + DAY}, 401),
        (["exp", "sub", "jti"], {"sub": "42", "exp": NOW + DAY, "jti": "t1"}, 200),
        (["sub"], {"sub": "42"}, 200),
    ],
)
def test_jwt_require_replaces_the_default_required_claims(
    require: list[str], claims: dict[str, Any], status: int
) -> None:
    _, _, client = serve(JwtBearer(key=SECRET, require=require))

    response = get_me(client, sign(claims))

    assert response.status_code == status


# The OpenAPI security scheme


@pytest.mark.parametrize(
    ("options", "name", "description"),
    [
        (
            {},
            "bearerAuth",
            "A JSON Web Token in the Authorization header: `Authorization: Bearer <token>`.",
        ),
        (
            {"scheme_name": "jwt", "description": "Tokens from our IdP."},
            "jwt",
            "Tokens from our IdP.",
        ),
    ],
)
def test_jwt_security_scheme_is_http_bearer_with_jwt_format(
    options: dict[str, Any], name: str, description: str
) -> None:
    api, app, _ = serve(JwtBearer(key=SECRET, **options))

    schemes = api.spec(app)["components"]["securitySchemes"]

    assert schemes == {
        name: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": description,
        }
    }
    assert api.spec(app)["paths"]["/me"]["get"]["security"] == [{name: []}]


# Tokens are never echoed


@pytest.mark.parametrize(
    ("identify", "token"),
    [
        (None, sign({"sub": "42", "exp": NOW - 60})),
        (None, sign({"sub": "42", "exp": NOW + DAY}, OTHER_SECRET)),
        (None, tampered()),
        (None, sign({"sub": "42", "exp": NOW + DAY, "aud": "x"})),
        (None, craft({"alg": "none", "typ": "JWT"}, {"sub": "42", "exp": NOW + DAY})),
        (None, "not-a-jwt-but-a-secret-value"),
        (identify_user, sign({"sub": "999", "exp": NOW + DAY})),
        (lambda claims: "not an identity", sign({"sub": "42", "exp": NOW + DAY})),
    ],
)
def test_jwt_refused_token_is_not_in_the_response_or_the_logs(
    identify: Any, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _, _, client = serve(JwtBearer(key=SECRET, identify=identify))

    response = get_me(client, token)

    assert response.status_code in (401, 500)
    pieces = [token, *(part for part in token.split(".") if len(part) > 8)]
    headers = str(list(response.headers.items()))
    for piece in pieces:
        assert piece not in headers
        assert piece not in response.get_data(as_text=True)
        assert piece not in caplog.text
        assert all(piece not in str(record.args) for record in caplog.records)
