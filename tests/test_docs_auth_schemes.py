"""docs/auth.md's options of every authenticator and "Writing your own scheme".

The options table (`scheme_name`, `description`, `realm`, `bearer_format`) as the document
and the challenges show them. The custom `Authenticator` of docs/examples/legacy_tokens.py
beside `HttpBearer`: the requests it accepts and refuses, the challenges and details of its
401s, its OpenAPI security scheme; and the section's other claims: an `HttpBearer` subclass
that overrides `verify_token`, and `set_identity` in a view decorator.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from marshmallow import Schema, fields
from openapi_spec_validator import validate

from restkit import Api, ApiKey, Blueprint, HttpBasic, HttpBearer, Identity, Resource, operation
from restkit.auth import MAX_CREDENTIAL_LENGTH, Rejection
from restkit.identity import client_key, get_client_id, get_identity, set_identity
from restkit.jwt import JwtBearer
from tests.test_docs_examples import load_example

PROBLEM_JSON = "application/problem+json"
ADA = "s3ss10n-ada-2f9a1c7e5b"
ALAN = "s3ss10n-alan-8d4e6f0a2c"
CHALLENGES = ['Bearer realm="Notes"', 'Token realm="Notes"']


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_example("legacy_tokens", monkeypatch)


@pytest.fixture
def client(example: ModuleType) -> FlaskClient:
    app: Flask = example.create_app()
    return app.test_client()


def test_auth_schemes_legacy_token_token_scheme_returns_the_caller(client: FlaskClient) -> None:
    response = client.get("/v1/me", headers={"Authorization": f"Token {ALAN}"})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Length"] == "38"
    assert response.get_data(as_text=True) == '{"user":"alan","scheme":"legacyToken"}'


@pytest.mark.parametrize(
    ("authorization", "scheme"),
    [
        (f"Bearer {ADA}", "bearerAuth"),
        (f"token {ADA}", "legacyToken"),  # RFC 9110 §11.1: schemes are case-insensitive
        (f"TOKEN   {ADA}", "legacyToken"),
    ],
)
def test_auth_schemes_legacy_token_either_scheme_accepts_the_same_session(
    client: FlaskClient, authorization: str, scheme: str
) -> None:
    response = client.get("/v1/me", headers={"Authorization": authorization})

    assert response.status_code == 200
    assert response.get_json() == {"user": "ada", "scheme": scheme}


def test_auth_schemes_legacy_token_without_credentials_returns_401_with_both_challenges(
    client: FlaskClient,
) -> None:
    response = client.get("/v1/me")

    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers["Content-Length"] == "220"
    assert response.headers.getlist("WWW-Authenticate") == CHALLENGES
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "This operation requires authentication. Send a bearer token in the "
        "Authorization header, or a session token in the Authorization header (Token <key>).",
    }


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        ("Token s3ss10n-nobody-0000000000", "The session token is not valid."),
        ("Token two words", "The session token is malformed."),
        ("Token " + "a" * (MAX_CREDENTIAL_LENGTH + 1), "The session token is malformed."),
        ("Token", "The session token is malformed."),
    ],
)
def test_auth_schemes_legacy_token_refused_token_returns_401_without_echoing_it(
    client: FlaskClient, authorization: str, detail: str
) -> None:
    response = client.get("/v1/me", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == CHALLENGES
    assert response.get_json()["detail"] == detail
    assert authorization.split(" ", 1)[-1] not in response.get_data(as_text=True)


def test_auth_schemes_legacy_token_other_scheme_counts_as_no_credentials(
    client: FlaskClient,
) -> None:
    response = client.get("/v1/me", headers={"Authorization": "Basic YWRhOnNlY3JldA=="})

    assert response.status_code == 401
    assert response.get_json()["detail"].startswith("This operation requires authentication.")


def test_auth_schemes_legacy_token_document_describes_both_schemes(client: FlaskClient) -> None:
    response = client.get("/v1/openapi.json")

    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["components"]["securitySchemes"]["legacyToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Versions 1.x of the app: `Authorization: Token <session token>`.",
    }
    operation_ = spec["paths"]["/v1/me"]["get"]
    assert operation_["security"] == [{"bearerAuth": []}, {"legacyToken": []}]
    assert operation_["responses"]["401"]["description"] == (
        "Unauthorized: credentials are missing or not valid. Accepted: `bearerAuth` or "
        "`legacyToken`."
    )


# An HttpBearer subclass, and set_identity in a decorator


class CallerSchema(Schema):
    user = fields.String(allow_none=True)


def me_app(auth: Any, decorators: tuple[Callable[..., Any], ...] = ()) -> Flask:
    blueprint = Blueprint("me")

    @blueprint.route("/me")
    class Me(Resource):
        @operation(response=CallerSchema)
        def get(self) -> dict[str, Any]:
            identity = get_identity()
            return {"user": None if identity is None else identity.id}

    Me.decorators = decorators
    app = Flask(__name__)
    api = Api(app, name="v1", url_prefix="/v1", auth=auth)
    api.register_blueprint(blueprint)
    return app


class ActiveTokens(HttpBearer):
    """Asks an authorization server whether a token is active (here, a set)."""

    active = frozenset({"opaque-token-of-grace"})

    def verify_token(self, token: str) -> Identity[Any] | Rejection:
        """Return the caller of an active token."""
        if token in self.active:
            return Identity(id="grace", user=None)
        return Rejection("The access token is not active.")


@pytest.mark.parametrize(
    ("authorization", "status", "body"),
    [
        ("Bearer opaque-token-of-grace", 200, {"user": "grace"}),
        ("Bearer opaque-token-of-alan", 401, "The access token is not active."),
        ("Bearer not a token", 401, "The access token is malformed."),
    ],
)
def test_auth_schemes_legacy_token_http_bearer_subclass_verifies_well_formed_tokens(
    authorization: str, status: int, body: Any
) -> None:
    client = me_app(ActiveTokens()).test_client()

    response = client.get("/v1/me", headers={"Authorization": authorization})

    assert response.status_code == status
    assert (response.get_json() if status == 200 else response.get_json()["detail"]) == body


def test_auth_schemes_legacy_token_set_identity_in_a_decorator_records_the_caller() -> None:
    seen: list[str | None] = []

    def device_header(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            set_identity(Identity(id=f"device:{request.headers['X-Device']}", user=None))
            response = view(**kwargs)
            seen.append(get_client_id())
            seen.append(client_key(request))
            return response

        return wrapped

    client = me_app(False, (device_header,)).test_client()

    response = client.get("/v1/me", headers={"X-Device": "7f3a"})

    assert response.status_code == 200
    assert response.get_json() == {"user": "device:7f3a"}
    assert seen == ["device:7f3a", "client:device:7f3a"]


# The options every authenticator takes


def test_auth_schemes_options_set_document_identity_and_challenge() -> None:
    def find(token: str) -> Identity[Any] | None:
        return Identity(id="ada", user=None) if token == ADA else None

    sessions = HttpBearer(
        find,
        scheme_name="sessionAuth",
        description="The session token the app received when the user signed in.",
        realm="Taskboard",
        bearer_format="opaque",
    )
    app = me_app(sessions)
    client = app.test_client()

    refused = client.get("/v1/me")
    spec = client.get("/v1/openapi.json").get_json()

    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="Taskboard"'
    assert spec["components"]["securitySchemes"] == {
        "sessionAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "opaque",
            "description": "The session token the app received when the user signed in.",
        }
    }


@pytest.mark.parametrize(
    ("authenticator", "name"),
    [
        (HttpBearer(tokens={ADA: Identity(id="ada", user=None)}), "bearerAuth"),
        (ApiKey(keys={ADA: Identity(id="ada", user=None)}), "apiKeyAuth"),
        (HttpBasic(lambda user, password: None), "basicAuth"),
        (JwtBearer(key="k" * 32), "bearerAuth"),
    ],
)
def test_auth_schemes_default_names_and_descriptions(authenticator: Any, name: str) -> None:
    scheme = authenticator.security_scheme()

    assert authenticator.scheme_name == name
    assert scheme["description"]
    assert scheme.get("bearerFormat") == ("JWT" if isinstance(authenticator, JwtBearer) else None)


def test_auth_schemes_default_realm_is_the_api_title(example: ModuleType) -> None:
    client = example.create_app().test_client()

    response = client.get("/v1/me")

    assert example.api.title == "Notes"
    assert response.headers.getlist("WWW-Authenticate")[0] == 'Bearer realm="Notes"'


def test_auth_schemes_unauthenticated_request_is_known_by_its_address() -> None:
    seen: list[str | None] = []

    def record(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            response = view(**kwargs)
            seen.extend([get_client_id(), client_key(request)])
            return response

        return wrapped

    client = me_app(False, (record,)).test_client()

    response = client.get("/v1/me")

    assert response.status_code == 200
    assert seen == [None, "address:127.0.0.1"]
