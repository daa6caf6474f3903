"""Taskboard end to end: sign-up, sign-in and bearer tokens, over HTTP on both databases."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from tests.taskboard_live import PASSWORD, PROBLEM, Taskboard, expired_token

pytest_plugins = ["tests.taskboard_live"]

ROOT = Path(__file__).resolve().parents[1]
SPEC = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))


def unique_email() -> str:
    return f"someone-{uuid.uuid4().hex}@taskboard.test"


def sign_up_body(**fields: Any) -> dict[str, Any]:
    return {"email": unique_email(), "password": PASSWORD, "display_name": "Ada", **fields}


def protected_operations() -> list[tuple[str, str]]:
    """Every (method, path) the committed spec secures, with 1 for each path parameter."""
    operations = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            if operation.get("security", SPEC.get("security")):
                concrete = path
                for parameter in ("project_id", "task_id", "attachment_id"):
                    concrete = concrete.replace("{" + parameter + "}", "1")
                operations.append((method.upper(), concrete))
    return sorted(operations)


PROTECTED = protected_operations()


# -- createUser ---------------------------------------------------------------------------------


def test_create_user_with_valid_body_returns_201_without_password(
    anonymous: httpx.Client,
) -> None:
    body = sign_up_body(display_name="Ada Lovelace")

    response = anonymous.post("/v1/users", json=body)

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    location = urljoin(str(response.url), response.headers["Location"])
    assert location == str(anonymous.base_url.join("/v1/me"))
    user = response.json()
    assert set(user) == {"id", "email", "display_name", "created_at"}
    assert isinstance(user["id"], int)
    assert user["email"] == body["email"]
    assert user["display_name"] == "Ada Lovelace"
    assert PASSWORD not in response.text


def test_create_user_with_taken_email_returns_409_problem(anonymous: httpx.Client) -> None:
    body = sign_up_body()
    assert anonymous.post("/v1/users", json=body).status_code == 201

    response = anonymous.post("/v1/users", json={**body, "display_name": "Someone else"})

    assert response.status_code == 409
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json()["status"] == 409


def test_create_user_with_email_differing_only_in_case_returns_409(
    anonymous: httpx.Client,
) -> None:
    body = sign_up_body()
    assert anonymous.post("/v1/users", json=body).status_code == 201

    response = anonymous.post("/v1/users", json={**body, "email": body["email"].upper()})

    assert response.status_code == 409
    assert response.headers["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"password": "short12"}, "/password"),
        ({"email": "not-an-email"}, "/email"),
        ({"display_name": ""}, "/display_name"),
        ({"is_admin": True}, "/is_admin"),
        ({"id": 1}, "/id"),
    ],
    ids=["short-password", "bad-email", "empty-name", "unknown-field", "read-only-id"],
)
def test_create_user_with_invalid_field_returns_422_with_pointer(
    anonymous: httpx.Client, fields: dict[str, Any], pointer: str
) -> None:
    response = anonymous.post("/v1/users", json=sign_up_body(**fields))

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    errors = response.json()["errors"]
    assert [(error["in"], error["pointer"]) for error in errors] == [("body", pointer)]


def test_create_user_without_required_fields_returns_422_listing_each(
    anonymous: httpx.Client,
) -> None:
    response = anonymous.post("/v1/users", json={})

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    pointers = sorted(error["pointer"] for error in response.json()["errors"])
    assert pointers == ["/display_name", "/email", "/password"]


# -- createToken --------------------------------------------------------------------------------


def test_create_token_with_valid_credentials_returns_201_bearer_token(
    taskboard: Taskboard, anonymous: httpx.Client
) -> None:
    account = taskboard.sign_up()

    response = anonymous.post(
        "/v1/auth/tokens", json={"email": account.email, "password": account.password}
    )

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int)
    assert body["expires_in"] > 0
    me = anonymous.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == account.id


def test_create_token_with_email_in_other_case_returns_201(
    taskboard: Taskboard, anonymous: httpx.Client
) -> None:
    account = taskboard.sign_up()

    response = anonymous.post(
        "/v1/auth/tokens", json={"email": account.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 201
    assert response.json()["token_type"] == "Bearer"


@pytest.mark.parametrize("who", ["wrong-password", "unknown-email"])
def test_create_token_with_bad_credentials_returns_401_with_challenge(
    taskboard: Taskboard, anonymous: httpx.Client, who: str
) -> None:
    account = taskboard.shared_account("alice")
    credentials = (
        {"email": account.email, "password": "not the password"}
        if who == "wrong-password"
        else {"email": unique_email(), "password": PASSWORD}
    )

    response = anonymous.post("/v1/auth/tokens", json=credentials)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "access_token" not in response.text
    # The same answer for both, so a caller cannot tell which emails have accounts.
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "The email or password is not valid.",
    }


def test_create_token_without_password_returns_422(anonymous: httpx.Client) -> None:
    response = anonymous.post("/v1/auth/tokens", json={"email": unique_email()})

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    assert [error["pointer"] for error in response.json()["errors"]] == ["/password"]


# -- getMe --------------------------------------------------------------------------------------


def test_get_me_with_token_returns_the_caller(taskboard: Taskboard) -> None:
    account = taskboard.sign_up("Grace Hopper")

    response = taskboard.client(account.token).get("/v1/me")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "id": account.id,
        "email": account.email,
        "display_name": "Grace Hopper",
        "created_at": response.json()["created_at"],
    }
    assert response.json()["created_at"].endswith("+00:00")


def test_get_me_of_two_users_returns_each_their_own(
    taskboard: Taskboard, alice: httpx.Client, new_user: httpx.Client
) -> None:
    first = alice.get("/v1/me")
    second = new_user.get("/v1/me")

    assert first.status_code == second.status_code == 200
    assert first.json()["email"] == taskboard.shared_account("alice").email
    assert second.json()["id"] != first.json()["id"]


# -- every protected route ----------------------------------------------------------------------


def test_protected_operations_cover_the_contract() -> None:
    assert ("GET", "/v1/me") in PROTECTED
    assert ("POST", "/v1/tasks/1/attachments") in PROTECTED
    assert ("GET", "/v1/attachments/1/content") in PROTECTED
    assert len(PROTECTED) == 18
    unprotected = {("POST", "/v1/users"), ("POST", "/v1/auth/tokens"), ("GET", "/healthz")}
    assert unprotected.isdisjoint(PROTECTED)


@pytest.mark.parametrize("credentials", ["none", "garbage", "expired"])
@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_protected_route_without_valid_token_returns_401_with_challenge(
    taskboard: Taskboard, method: str, path: str, credentials: str
) -> None:
    headers = {
        "none": {},
        "garbage": {"Authorization": "Bearer not.a.token"},
        "expired": {"Authorization": f"Bearer {expired_token(1)}"},
    }[credentials]

    response = taskboard.client().request(method, path, headers=headers)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


def test_protected_route_with_other_scheme_returns_401(anonymous: httpx.Client) -> None:
    response = anonymous.get("/v1/me", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_of_existing_user_returns_401_invalid_token(
    taskboard: Taskboard, anonymous: httpx.Client
) -> None:
    account = taskboard.shared_account("alice")

    response = anonymous.get(
        "/v1/me", headers={"Authorization": f"Bearer {expired_token(account.id)}"}
    )

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
