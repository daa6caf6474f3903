"""The example of docs/auth.md (docs/examples/auth.py), driven through the Flask test client.

Signing in, the 401s and 403s each scheme answers with, notes seen and written as the
caller, other users' notes hidden, admin-only operations, the partner's API key, and the
security the example's OpenAPI document declares.

The example hashes its demo passwords when imported (about 0.1 s each), so it is loaded once
for this module, and its app made once; every test gets empty notes. Tests that sign in
through the rate-limited `POST /v1/tokens` get a new app, whose limit counts from zero.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from restkit.stores.memory import MemoryStore
from tests.ratelimit_helpers import freeze_clock, limit_headers
from tests.test_docs_examples import load_example

PROBLEM_JSON = "application/problem+json"
BEARER_CHALLENGE = 'Bearer realm="Notes"'
KEY_CHALLENGE = 'ApiKey realm="Notes", in="header", name="X-API-Key"'
# Right in every way but the key it is signed with.
OTHER_SECRET_CLAIMS = {
    "sub": "ada",
    "scope": "notes:read",
    "iss": "https://notes.example",
    "aud": "notes-api",
    "exp": 4_102_444_800,  # 2100
}


@pytest.fixture(scope="module")
def example() -> Iterator[ModuleType]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield load_example("auth", monkeypatch)


@pytest.fixture(scope="module")
def app(example: ModuleType) -> Flask:
    """One app for the tests that do not sign in through the rate-limited endpoint."""
    shared: Flask = example.create_app()
    return shared


@pytest.fixture
def client(example: ModuleType, app: Flask, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    monkeypatch.setattr(example, "NOTES", {})
    monkeypatch.setattr(example, "NEXT_ID", itertools.count(1))
    return app.test_client()


@pytest.fixture
def signing_in(example: ModuleType, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    """A new app, whose sign-in limit counts from zero in an exact window."""
    clock = freeze_clock(monkeypatch)
    monkeypatch.setattr(example.api, "store", MemoryStore(clock=clock))
    fresh: Flask = example.create_app()
    return fresh.test_client()


def bearer(example: ModuleType, user: str) -> dict[str, str]:
    """The header of a token the example issues to `user`, as `POST /v1/tokens` would."""
    return {"Authorization": f"Bearer {example.issue_token(example.USERS[user])}"}


def partner(example: ModuleType) -> dict[str, str]:
    return {"X-API-Key": example.REPORTING_KEY}


def write_note(client: FlaskClient, headers: dict[str, str], text: str) -> dict[str, Any]:
    response = client.post("/v1/notes", json={"text": text}, headers=headers)
    assert response.status_code == 201
    body: dict[str, Any] = response.get_json()
    return body


# Signing in


def test_auth_example_sign_in_returns_a_token_the_api_accepts(signing_in: FlaskClient) -> None:
    response = signing_in.post("/v1/tokens", json={"user": "grace", "password": "battery staple"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body.keys() == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    notes = signing_in.get("/v1/notes", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert notes.status_code == 200
    assert notes.get_json() == []


def test_auth_example_token_carries_the_user_s_scopes_and_the_api_s_claims(
    example: ModuleType, signing_in: FlaskClient
) -> None:
    response = signing_in.post("/v1/tokens", json={"user": "alan", "password": "enigma machine"})

    assert response.status_code == 200
    claims = jwt.decode(response.get_json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "alan"
    assert claims["scope"] == "notes:read"
    assert (claims["iss"], claims["aud"]) == ("https://notes.example", "notes-api")
    assert claims["exp"] - claims["iat"] == 3600
    assert "roles" not in claims  # read from the user on every request


@pytest.mark.parametrize(
    ("user", "password"),
    [("ada", "correct battery"), ("nobody", "correct horse"), ("grace", "")],
)
def test_auth_example_sign_in_with_wrong_credentials_returns_401(
    signing_in: FlaskClient, user: str, password: str
) -> None:
    response = signing_in.post("/v1/tokens", json={"user": user, "password": password})

    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json()["detail"] == "The user name or password is not valid."


def test_auth_example_sign_in_is_rate_limited_per_address(signing_in: FlaskClient) -> None:
    here = {"REMOTE_ADDR": "203.0.113.7"}

    guesses = [
        signing_in.post(
            "/v1/tokens", json={"user": "ada", "password": f"guess {n}"}, environ_base=here
        )
        for n in range(6)
    ]
    elsewhere = signing_in.post(
        "/v1/tokens",
        json={"user": "ada", "password": "correct horse"},
        environ_base={"REMOTE_ADDR": "198.51.100.1"},
    )

    assert [response.status_code for response in guesses] == [401] * 5 + [429]
    assert limit_headers(guesses[0]) == ("5", "4", "45")
    assert guesses[5].headers["Retry-After"] == "45"
    assert guesses[5].headers["Content-Type"] == PROBLEM_JSON
    assert elsewhere.status_code == 200


# 401: no credentials, or credentials refused


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Key": "rk-demo-7Hq2xV9mWc4LpZ8t"}, {"Authorization": "Basic YWRhOnB3"}],
    ids=["nothing", "partner-key", "basic"],
)
def test_auth_example_notes_without_a_token_returns_401_with_bearer_challenge(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.get("/v1/notes", headers=headers)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers.getlist("WWW-Authenticate") == [BEARER_CHALLENGE]
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "This operation requires authentication. Send a bearer token in the "
        "Authorization header.",
    }


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        (lambda ex: "not-a-jwt", "The access token is not valid."),
        (lambda ex: "two words", "The access token is malformed."),
        (lambda ex: ex.tokens.make_token("ada", expires_in=-31), "The access token expired."),
        (lambda ex: jwt.encode(OTHER_SECRET_CLAIMS, "x" * 32), "The access token is not valid."),
        (lambda ex: ex.tokens.make_token("mallory"), "The access token is not valid."),
    ],
    ids=["garbage", "malformed", "expired", "other-secret", "unknown-user"],
)
def test_auth_example_refused_token_returns_401_with_rfc_6750_error(
    example: ModuleType, client: FlaskClient, make_token: Any, reason: str
) -> None:
    response = client.get("/v1/notes", headers={"Authorization": f"Bearer {make_token(example)}"})

    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == [
        f'{BEARER_CHALLENGE}, error="invalid_token", error_description="{reason}"'
    ]
    assert response.get_json()["detail"] == reason


def test_auth_example_token_expired_within_the_leeway_is_accepted(
    example: ModuleType, client: FlaskClient
) -> None:
    token = example.tokens.make_token("ada", scopes=["notes:read"], expires_in=-20)

    response = client.get("/v1/notes", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200


def test_auth_example_token_of_a_deleted_user_stops_working(
    example: ModuleType, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = bearer(example, "grace")
    users = {name: user for name, user in example.USERS.items() if name != "grace"}
    monkeypatch.setattr(example, "USERS", users)

    response = client.get("/v1/notes", headers=headers)

    assert response.status_code == 401
    assert response.get_json()["detail"] == "The access token is not valid."


def test_auth_example_report_with_wrong_key_returns_401_with_every_challenge(
    client: FlaskClient,
) -> None:
    response = client.get("/v1/reports/notes", headers={"X-API-Key": "rk-guessed-0000000000"})

    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == [BEARER_CHALLENGE, KEY_CHALLENGE]
    assert response.get_json()["detail"] == "The API key is not valid."


# Notes, as the caller


def test_auth_example_notes_are_written_and_listed_as_the_caller(
    example: ModuleType, client: FlaskClient
) -> None:
    grace, ada = bearer(example, "grace"), bearer(example, "ada")

    response = client.post("/v1/notes", json={"text": "Call the bank"}, headers=grace)
    write_note(client, ada, "Review the budget")

    assert response.status_code == 201
    assert response.headers["Location"] == "/v1/notes/1"
    assert response.get_json() == {"id": 1, "owner": "grace", "text": "Call the bank"}
    assert client.get("/v1/notes", headers=grace).get_json() == [response.get_json()]
    assert client.get("/v1/notes/1", headers=grace).get_json() == response.get_json()
    assert [note["owner"] for note in client.get("/v1/notes", headers=ada).get_json()] == ["ada"]


def test_auth_example_post_without_write_scope_returns_403_insufficient_scope(
    example: ModuleType, client: FlaskClient
) -> None:
    response = client.post("/v1/notes", json={"text": "Hello"}, headers=bearer(example, "alan"))

    assert response.status_code == 403
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers.getlist("WWW-Authenticate") == [
        f'{BEARER_CHALLENGE}, error="insufficient_scope", scope="notes:write"'  # the one missing
    ]
    assert response.get_json()["detail"] == "You need scope 'notes:read' and scope 'notes:write'."
    assert client.get("/v1/notes", headers=bearer(example, "alan")).get_json() == []


def test_auth_example_scope_is_checked_before_the_body(
    example: ModuleType, client: FlaskClient
) -> None:
    response = client.post("/v1/notes", json={"text": ""}, headers=bearer(example, "alan"))

    assert response.status_code == 403


def test_auth_example_other_user_s_note_is_hidden_as_404(
    example: ModuleType, client: FlaskClient
) -> None:
    write_note(client, bearer(example, "grace"), "Private")
    alan = bearer(example, "alan")

    hidden = client.get("/v1/notes/1", headers=alan)
    missing = client.get("/v1/notes/99", headers=alan)

    assert hidden.status_code == missing.status_code == 404
    assert hidden.headers["Content-Type"] == PROBLEM_JSON
    assert hidden.get_data() == missing.get_data()


def test_auth_example_admin_reads_any_note(example: ModuleType, client: FlaskClient) -> None:
    note = write_note(client, bearer(example, "grace"), "Private")

    response = client.get("/v1/notes/1", headers=bearer(example, "ada"))

    assert response.status_code == 200
    assert response.get_json() == note


@pytest.mark.parametrize(
    ("user", "detail"),
    [
        ("grace", "Only an admin may delete notes."),  # authorize_object refuses
        ("alan", "You need scope 'notes:read' and scope 'notes:write'."),  # requires= refuses
    ],
)
def test_auth_example_delete_by_non_admin_returns_403(
    example: ModuleType, client: FlaskClient, user: str, detail: str
) -> None:
    write_note(client, bearer(example, "grace"), "Call the bank")

    response = client.delete("/v1/notes/1", headers=bearer(example, user))

    assert response.status_code == 403
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json()["detail"] == detail
    assert list(example.NOTES) == [1]


def test_auth_example_delete_by_admin_returns_204(example: ModuleType, client: FlaskClient) -> None:
    write_note(client, bearer(example, "grace"), "Call the bank")
    ada = bearer(example, "ada")

    response = client.delete("/v1/notes/1", headers=ada)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get("/v1/notes/1", headers=ada).status_code == 404


def test_auth_example_delete_of_a_hidden_note_returns_404(
    example: ModuleType, client: FlaskClient
) -> None:
    write_note(client, bearer(example, "ada"), "Admins only")

    response = client.delete("/v1/notes/1", headers=bearer(example, "grace"))

    assert response.status_code == 404
    assert list(example.NOTES) == [1]


# Admins and the partner


def test_auth_example_users_as_admin_returns_the_users(
    example: ModuleType, client: FlaskClient
) -> None:
    response = client.get("/v1/users", headers=bearer(example, "ada"))

    assert response.status_code == 200
    assert [user["id"] for user in response.get_json()] == ["ada", "grace", "alan"]
    assert response.get_json()[0] == {"id": "ada", "name": "Ada Lovelace", "roles": ["admin"]}


@pytest.mark.parametrize("who", ["grace", "partner"])
def test_auth_example_users_without_admin_role_returns_403(
    example: ModuleType, client: FlaskClient, who: str
) -> None:
    headers = partner(example) if who == "partner" else bearer(example, who)

    response = client.get("/v1/users", headers=headers)

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response.headers  # a role is not a scope
    assert response.get_json()["detail"] == "You need role 'admin'."


@pytest.mark.parametrize("who", ["partner", "ada"])
def test_auth_example_report_for_partner_key_or_admin_counts_notes(
    example: ModuleType, client: FlaskClient, who: str
) -> None:
    write_note(client, bearer(example, "grace"), "One")
    write_note(client, bearer(example, "grace"), "Two")
    headers = partner(example) if who == "partner" else bearer(example, who)

    response = client.get("/v1/reports/notes", headers=headers)

    assert response.status_code == 200
    assert response.get_json() == [
        {"owner": "ada", "notes": 0},
        {"owner": "grace", "notes": 2},
        {"owner": "alan", "notes": 0},
    ]


def test_auth_example_report_for_other_users_returns_403(
    example: ModuleType, client: FlaskClient
) -> None:
    response = client.get("/v1/reports/notes", headers=bearer(example, "grace"))

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response.headers  # either scope or role would do
    assert response.get_json()["detail"] == "You need scope 'reports:read' or role 'admin'."


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-a-jwt"}, {"X-API-Key": "wrong"}]
)
def test_auth_example_health_is_public_and_ignores_credentials(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.get("/v1/health", headers=headers)

    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers
    assert response.get_json() == {"ok": True}


# The OpenAPI document


@pytest.fixture
def spec(example: ModuleType, client: FlaskClient) -> dict[str, Any]:
    document: dict[str, Any] = example.api.spec(client.application)
    return document


def test_auth_example_spec_has_a_security_scheme_per_authenticator(
    spec: dict[str, Any],
) -> None:
    assert spec["components"]["securitySchemes"] == {
        "apiKeyAuth": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An API key in the `X-API-Key` header.",
        },
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A JSON Web Token in the Authorization header: "
            "`Authorization: Bearer <token>`.",
        },
    }


@pytest.mark.parametrize(
    ("path", "method", "security"),
    [
        ("/v1/health", "get", []),
        ("/v1/tokens", "post", []),
        ("/v1/notes", "get", [{"bearerAuth": ["notes:read"]}]),
        ("/v1/notes", "post", [{"bearerAuth": ["notes:read", "notes:write"]}]),
        ("/v1/notes/{note_id}", "delete", [{"bearerAuth": ["notes:read", "notes:write"]}]),
        ("/v1/users", "get", [{"bearerAuth": ["admin"]}, {"apiKeyAuth": ["admin"]}]),
        ("/v1/reports/notes", "get", [{"bearerAuth": []}, {"apiKeyAuth": []}]),
    ],
)
def test_auth_example_spec_declares_each_operation_s_security(
    spec: dict[str, Any], path: str, method: str, security: list[dict[str, list[str]]]
) -> None:
    assert spec["paths"][path][method]["security"] == security


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/v1/health", "get", {"200", "default"}),
        ("/v1/notes", "get", {"200", "401", "403", "default"}),
        ("/v1/notes/{note_id}", "get", {"200", "401", "403", "404", "default"}),
        ("/v1/users", "get", {"200", "401", "403", "default"}),
    ],
)
def test_auth_example_spec_documents_401_403_and_404(
    spec: dict[str, Any], path: str, method: str, statuses: set[str]
) -> None:
    assert set(spec["paths"][path][method]["responses"]) == statuses


def test_auth_example_spec_401_and_scope_403_carry_www_authenticate(
    spec: dict[str, Any],
) -> None:
    responses = spec["paths"]["/v1/notes"]["post"]["responses"]
    challenge = {"$ref": "#/components/headers/WWW-Authenticate"}

    assert responses["401"]["headers"] == {"WWW-Authenticate": challenge}
    assert responses["403"]["headers"] == {"WWW-Authenticate": challenge}
    assert responses["403"]["description"] == (
        "Forbidden: the caller needs scope 'notes:read' and scope 'notes:write'."
    )


def test_auth_example_spec_in_openapi_3_0_leaves_requirement_lists_empty(
    example: ModuleType, client: FlaskClient
) -> None:
    spec = example.api.make_spec(client.application, openapi_version="3.0")

    assert spec["paths"]["/v1/notes"]["post"]["security"] == [{"bearerAuth": []}]
