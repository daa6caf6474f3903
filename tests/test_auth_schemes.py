"""restkit.auth through HTTP: ApiKey and HttpBasic, the authenticators' declaration errors,
the secrecy of credentials, and authentication's interplay with rate limits and idempotency.

HttpBearer, several authenticators, realms, verify outcomes and Identity are in test_auth.py.
"""

from __future__ import annotations

import base64
import hmac
import logging
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, fields
from werkzeug.test import TestResponse

import restkit.auth
from restkit import ApiKey, DeclarationError, HttpBasic, HttpBearer, Identity, Resource, operation
from restkit.auth import MAX_CREDENTIAL_LENGTH, Authenticator
from restkit.problems import Forbidden
from tests.ratelimit_helpers import Clock, freeze_clock, frozen_client_factory, limit_headers
from tests.test_auth import (
    ALICE,
    ALICE_KEY,
    ALICE_TOKEN,
    BOB,
    BOB_TOKEN,
    Me,
    Recorder,
    Who,
    alice_body,
    assert_problem,
    bearer_header,
    challenges,
    describe,
)

SECRET = "wrong-secret-Zq8xK2pL9vW4"
ZOE = Identity(id="zoe", user=None)
WHERE = {"header": "header", "query": "query parameter", "cookie": "cookie"}
NOT_VALID_LOGIN = "The user name or password is not valid."
BASIC_CHALLENGE = 'Basic realm="Tasks", charset="UTF-8"'


def send_key(
    client: FlaskClient, location: str, value: str, name: str = "X-API-Key"
) -> TestResponse:
    """GET /me with `value` in the header, query parameter or cookie `name`."""
    if location == "header":
        return client.get("/me", headers={name: value})
    if location == "query":
        return client.get("/me", query_string={name: value})
    client.set_cookie(name, value)
    return client.get("/me")


def basic(user: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def basic_raw(payload: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(payload).decode()}


# ApiKey

LOCATIONS = [
    pytest.param("header", "X-API-Key", id="header"),
    pytest.param("header", "X-Partner-Key", id="header-named"),
    pytest.param("query", "api_key", id="query"),
    pytest.param("cookie", "session_key", id="cookie"),
]


def alice_key(static: bool, name: str, location: Any) -> ApiKey:
    """Alice's key, checked with `keys=` (static) or a `verify=` function."""
    known = {ALICE_KEY: ALICE}
    if static:
        return ApiKey(keys=known, name=name, location=location)
    return ApiKey(Recorder(known), name=name, location=location)


@pytest.mark.parametrize("static", [False, True], ids=["verify", "keys"])
@pytest.mark.parametrize(("location", "name"), LOCATIONS)
def test_api_key_in_its_location_passes_the_identity(
    make_client: Callable[..., FlaskClient], location: Any, name: str, static: bool
) -> None:
    api_key = alice_key(static, name, location)
    client = make_client({"/me": Me}, auth=api_key, title="Tasks")

    response = send_key(client, location, ALICE_KEY, name)

    assert response.status_code == 200
    assert response.get_json() == alice_body("apiKeyAuth")


@pytest.mark.parametrize("static", [False, True], ids=["verify", "keys"])
@pytest.mark.parametrize(("location", "name"), LOCATIONS)
def test_api_key_wrong_key_returns_401_naming_where_the_key_goes(
    make_client: Callable[..., FlaskClient], location: Any, name: str, static: bool
) -> None:
    api_key = alice_key(static, name, location)
    client = make_client({"/me": Me}, auth=api_key, title="Tasks")

    response = send_key(client, location, "not-a-known-key-at-all", name)

    assert_problem(response, 401, "The API key is not valid.")
    assert challenges(response) == [f'ApiKey realm="Tasks", in="{location}", name="{name}"']


@pytest.mark.parametrize(("location", "name"), LOCATIONS)
def test_api_key_empty_value_counts_as_absent(
    make_client: Callable[..., FlaskClient], location: Any, name: str
) -> None:
    verify = Recorder({"": ALICE})
    client = make_client(
        {"/me": Me}, auth=ApiKey(verify, name=name, location=location), title="Tasks"
    )

    response = send_key(client, location, "", name)

    assert_problem(
        response,
        401,
        f"This operation requires authentication. Send an API key in the {name} {WHERE[location]}.",
    )
    assert challenges(response) == [f'ApiKey realm="Tasks", in="{location}", name="{name}"']
    assert verify.calls == []


@pytest.mark.parametrize("location", ["query", "cookie"])
def test_api_key_in_another_location_counts_as_absent(
    make_client: Callable[..., FlaskClient], location: str
) -> None:
    verify = Recorder({ALICE_KEY: ALICE})
    client = make_client({"/me": Me}, auth=ApiKey(verify), title="Tasks")

    response = send_key(client, location, ALICE_KEY)

    assert_problem(
        response,
        401,
        "This operation requires authentication. Send an API key in the X-API-Key header.",
    )
    assert verify.calls == []


def test_api_key_longer_than_the_limit_is_refused_unverified(
    make_client: Callable[..., FlaskClient],
) -> None:
    verify = Recorder({})
    client = make_client({"/me": Me}, auth=ApiKey(verify), title="Tasks")

    response = send_key(client, "header", "k" * (MAX_CREDENTIAL_LENGTH + 1))

    assert_problem(response, 401, "The API key is not valid.")
    assert verify.calls == []


# HttpBasic


@pytest.fixture
def login() -> Recorder:
    return Recorder({("alice", "s3cret"): ALICE, ("Zoë", "pässwörd ✓"): ZOE})


@pytest.fixture
def basic_client(make_client: Callable[..., FlaskClient], login: Recorder) -> FlaskClient:
    return make_client({"/me": Me}, auth=HttpBasic(login), title="Tasks")


@pytest.mark.parametrize("scheme", ["Basic", "basic", "BASIC"])
def test_basic_with_valid_credentials_passes_the_identity(
    basic_client: FlaskClient, login: Recorder, scheme: str
) -> None:
    encoded = base64.b64encode(b"alice:s3cret").decode()

    response = basic_client.get("/me", headers={"Authorization": f"{scheme} {encoded}"})

    assert response.status_code == 200
    assert response.get_json() == alice_body("basicAuth")
    assert login.calls == [("alice", "s3cret")]


def test_basic_with_wrong_password_returns_401_with_charset(
    basic_client: FlaskClient, login: Recorder
) -> None:
    response = basic_client.get("/me", headers=basic("alice", "guess"))

    assert_problem(response, 401, NOT_VALID_LOGIN)
    assert challenges(response) == [BASIC_CHALLENGE]
    assert login.calls == [("alice", "guess")]


def test_basic_without_header_returns_401_with_charset(basic_client: FlaskClient) -> None:
    response = basic_client.get("/me")

    assert_problem(
        response,
        401,
        "This operation requires authentication. Send a user name and password (Basic) in "
        "the Authorization header.",
    )
    assert challenges(response) == [BASIC_CHALLENGE]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Authorization": "Basic"}, id="nothing"),
        pytest.param({"Authorization": "Basic !!!not-base64!!!"}, id="not-base64"),
        pytest.param({"Authorization": "Basic YWxpY2U6czNjcmV0"[:-1]}, id="bad-padding"),
        pytest.param(basic_raw(b"\xff\xfe:s3cret"), id="not-utf-8"),
        pytest.param(basic_raw(b"alice-s3cret"), id="no-colon"),
        pytest.param(basic_raw(b"alice:" + b"p" * MAX_CREDENTIAL_LENGTH), id="too-long"),
    ],
)
def test_basic_malformed_credentials_are_refused_unverified(
    basic_client: FlaskClient, login: Recorder, headers: dict[str, str]
) -> None:
    response = basic_client.get("/me", headers=headers)

    assert_problem(response, 401, NOT_VALID_LOGIN)
    assert challenges(response) == [BASIC_CHALLENGE]
    assert login.calls == []


@pytest.mark.parametrize(
    ("user", "password", "expected"),
    [
        pytest.param("alice", "pa:ss:word", ("alice", "pa:ss:word"), id="colons-in-password"),
        pytest.param("", "s3cret", ("", "s3cret"), id="empty-user"),
        pytest.param("alice", "", ("alice", ""), id="empty-password"),
    ],
)
def test_basic_splits_at_the_first_colon(
    basic_client: FlaskClient,
    login: Recorder,
    user: str,
    password: str,
    expected: tuple[str, str],
) -> None:
    response = basic_client.get("/me", headers=basic(user, password))

    assert response.status_code == 401
    assert login.calls == [expected]


def test_basic_unicode_credentials_round_trip_as_utf_8(
    basic_client: FlaskClient, login: Recorder
) -> None:
    response = basic_client.get("/me", headers=basic("Zoë", "pässwörd ✓"))

    assert response.status_code == 200
    assert response.get_json()["id"] == "zoe"
    assert login.calls == [("Zoë", "pässwörd ✓")]


# Declaration errors


def verify_any(*credentials: str) -> Identity[Any] | None:
    return None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda: ApiKey(verify_any, location="body"), "location='body'", id="where"),
        pytest.param(
            lambda: ApiKey(verify_any, name="Authorization"), "other than Authorization", id="auth"
        ),
        pytest.param(
            lambda: ApiKey(verify_any, name="authorization"), "other than Authorization", id="lc"
        ),
        pytest.param(lambda: ApiKey(verify_any, name=""), "name=''", id="empty-name"),
        pytest.param(lambda: ApiKey(verify_any, name="X Key"), "name='X Key'", id="space"),
        pytest.param(lambda: ApiKey(), "exactly one of verify", id="neither"),
        pytest.param(lambda: ApiKey(verify_any, keys={ALICE_KEY: ALICE}), "exactly one", id="both"),
        pytest.param(lambda: ApiKey(keys={}), "non-empty dict", id="no-keys"),
        pytest.param(lambda: ApiKey(keys=[ALICE_KEY]), "non-empty dict", id="keys-list"),
        pytest.param(lambda: ApiKey(keys={"short-key": ALICE}), "at least 16", id="short"),
        pytest.param(lambda: ApiKey(keys={"k" * 15: ALICE}), "at least 16", id="fifteen"),
        pytest.param(lambda: ApiKey(keys={ALICE_KEY: "alice"}), "not str", id="not-identity"),
        pytest.param(lambda: ApiKey("verify"), "give a function", id="verify-not-callable"),
        pytest.param(lambda: ApiKey(verify_any, scheme_name="api key"), "scheme_name", id="scheme"),
        pytest.param(lambda: HttpBearer(), "HttpBearer needs exactly one", id="bearer-neither"),
        pytest.param(
            lambda: HttpBearer(verify_any, tokens={ALICE_TOKEN: ALICE}),
            "HttpBearer needs exactly one",
            id="bearer-both",
        ),
        pytest.param(lambda: HttpBearer(tokens={"short": ALICE}), "at least 16", id="bearer-short"),
        pytest.param(
            lambda: HttpBearer(tokens={ALICE_TOKEN: None}), "not NoneType", id="bearer-identity"
        ),
        pytest.param(lambda: HttpBasic(None), "HttpBasic was given verify=None", id="basic-none"),
        pytest.param(
            lambda: HttpBasic(verify_any, scheme_name=""), "scheme_name=''", id="basic-scheme"
        ),
    ],
)
def test_authenticator_declaration_mistakes_raise_declaration_error(
    make: Callable[[], Authenticator], message: str
) -> None:
    with pytest.raises(DeclarationError, match=re.escape(message)):
        make()


def test_api_key_header_name_outside_ascii_raises_declaration_error() -> None:
    with pytest.raises(DeclarationError, match="name='Clé'"):
        ApiKey(verify_any, name="Clé")


def test_api_key_of_exactly_sixteen_characters_is_accepted(
    make_client: Callable[..., FlaskClient],
) -> None:
    key = "k" * 16
    client = make_client({"/me": Me}, auth=ApiKey(keys={key: ALICE}))

    response = send_key(client, "header", key)

    assert response.status_code == 200


# Secrecy


@pytest.mark.parametrize(
    ("authenticator", "send", "secrets"),
    [
        pytest.param(
            HttpBearer(Recorder({})),
            lambda c: c.get("/me", headers=bearer_header(SECRET)),
            [SECRET],
            id="bearer-verify",
        ),
        pytest.param(
            HttpBearer(tokens={ALICE_TOKEN: ALICE}),
            lambda c: c.get("/me", headers=bearer_header(SECRET)),
            [SECRET],
            id="bearer-tokens",
        ),
        pytest.param(
            HttpBearer(Recorder({})),
            lambda c: c.get("/me", headers=bearer_header(SECRET + "!")),
            [SECRET],
            id="bearer-malformed",
        ),
        pytest.param(
            ApiKey(keys={ALICE_KEY: ALICE}),
            lambda c: send_key(c, "header", SECRET),
            [SECRET],
            id="key-header",
        ),
        pytest.param(
            ApiKey(Recorder({}), name="api_key", location="query"),
            lambda c: send_key(c, "query", SECRET, "api_key"),
            [SECRET],
            id="key-query",
        ),
        pytest.param(
            ApiKey(Recorder({}), location="cookie"),
            lambda c: send_key(c, "cookie", SECRET),
            [SECRET],
            id="key-cookie",
        ),
        pytest.param(
            HttpBasic(Recorder({})),
            lambda c: c.get("/me", headers=basic("alice", SECRET)),
            [SECRET, basic("alice", SECRET)["Authorization"][6:]],
            id="basic",
        ),
    ],
)
def test_rejected_credentials_never_appear_in_responses_or_logs(
    make_client: Callable[..., FlaskClient],
    caplog: pytest.LogCaptureFixture,
    authenticator: Authenticator,
    send: Callable[[FlaskClient], TestResponse],
    secrets: list[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="restkit")
    client = make_client({"/me": Me}, auth=authenticator, title="Tasks")

    response = send(client)

    assert response.status_code == 401
    headers = str(response.headers)
    body = response.get_data(as_text=True)
    logged = [record.getMessage() for record in caplog.records] + [caplog.text]
    for secret in secrets:
        assert secret not in headers
        assert secret not in body
        assert not any(secret in text for text in logged)


def test_verify_returning_the_credential_logs_no_credential(
    make_client: Callable[..., FlaskClient], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client({"/me": Me}, auth=HttpBearer(lambda token: token), title="Tasks")

    response = client.get("/me", headers=bearer_header(SECRET))

    assert response.status_code == 500
    assert SECRET not in str(response.headers)
    assert SECRET not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert "returned str" in caplog.text
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    ("presented", "status"),
    [("first", 200), ("middle", 200), ("last", 200), ("unknown", 401)],
)
@pytest.mark.parametrize("kind", ["tokens", "keys"])
def test_static_secrets_are_all_compared_whichever_matches(
    make_client: Callable[..., FlaskClient],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    presented: str,
    status: int,
) -> None:
    secrets = {name: f"{name}-secret-0123456789abcdef" for name in ("first", "middle", "last")}
    known = {secret: Identity(id=name, user=None) for name, secret in secrets.items()}
    authenticator = HttpBearer(tokens=known) if kind == "tokens" else ApiKey(keys=known)
    client = make_client({"/me": Me}, auth=authenticator)
    compared: list[bool] = []

    def counting(a: bytes, b: bytes) -> bool:
        compared.append(hmac.compare_digest(a, b))
        return compared[-1]

    monkeypatch.setattr(restkit.auth, "hmac", SimpleNamespace(compare_digest=counting))
    value = secrets.get(presented, "unknown-secret-0123456789abcdef")

    response = client.get("/me", headers={**bearer_header(value), "X-API-Key": value})

    assert response.status_code == status
    assert len(compared) == 3
    assert compared.count(True) == (1 if status == 200 else 0)


# Interplay with rate limits and idempotency


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze_clock(monkeypatch)


@pytest.fixture
def limited_client(make_client: Callable[..., FlaskClient], clock: Clock) -> FlaskClient:
    bearer = HttpBearer(tokens={ALICE_TOKEN: ALICE, BOB_TOKEN: BOB})
    make = frozen_client_factory(make_client, clock)
    return make({"/me": Me}, auth=bearer, rate_limit="2/minute", title="Tasks")


def test_rate_limit_counts_authenticated_callers_by_identity(limited_client: FlaskClient) -> None:
    tokens = [ALICE_TOKEN, BOB_TOKEN, ALICE_TOKEN, BOB_TOKEN, ALICE_TOKEN, BOB_TOKEN]

    responses = [limited_client.get("/me", headers=bearer_header(t)) for t in tokens]

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429, 429]
    assert [limit_headers(r) for r in responses] == [
        ("2", "1", "45"),
        ("2", "1", "45"),
        ("2", "0", "45"),
        ("2", "0", "45"),
        ("2", "0", "45"),
        ("2", "0", "45"),
    ]
    assert [r.get_json()["id"] for r in responses[:4]] == ["alice", "bob", "alice", "bob"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param(bearer_header("not-a-known-token-at-all"), id="wrong"),
        pytest.param({"Authorization": "Bearer"}, id="malformed"),
    ],
)
def test_rate_limit_counts_failing_clients_by_address_before_the_401(
    limited_client: FlaskClient, headers: dict[str, str]
) -> None:
    failing = [limited_client.get("/me", headers=headers) for _ in range(3)]
    elsewhere = limited_client.get(
        "/me", headers=headers, environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    valid = limited_client.get("/me", headers=bearer_header(ALICE_TOKEN))

    assert [r.status_code for r in failing] == [401, 401, 429]
    assert [limit_headers(r) for r in failing] == [
        ("2", "1", "45"),
        ("2", "0", "45"),
        ("2", "0", "45"),
    ]
    assert [len(challenges(r)) for r in failing] == [1, 1, 0]
    assert failing[2].headers["Retry-After"] == "45"
    assert (elsewhere.status_code, limit_headers(elsewhere)) == (401, ("2", "1", "45"))
    assert (valid.status_code, limit_headers(valid)) == (200, ("2", "1", "45"))


def forbid(token: str) -> Identity[Any] | None:
    raise Forbidden("This account is disabled.")


def test_verify_raising_forbidden_is_counted_by_the_rate_limit(
    make_client: Callable[..., FlaskClient], clock: Clock
) -> None:
    make = frozen_client_factory(make_client, clock)
    client = make({"/me": Me}, auth=HttpBearer(forbid), rate_limit="1/minute")

    first, second = (client.get("/me", headers=bearer_header(ALICE_TOKEN)) for _ in range(2))

    assert (first.status_code, second.status_code) == (403, 429)
    assert limit_headers(first) == ("1", "0", "45")


class NoteIn(Schema):
    text = fields.String(required=True)


def notes_resource(calls: list[str]) -> type[Resource]:
    class Notes(Resource):
        @operation(body=NoteIn, response=Who, status=201)
        def post(self, body: dict[str, str], identity: Identity[Any]) -> Any:
            calls.append(identity.id)
            return describe(identity), 201, {"Location": "/notes/1"}

    return Notes


def test_idempotency_key_does_not_replay_across_identities(
    make_client: Callable[..., FlaskClient],
) -> None:
    calls: list[str] = []
    bearer = HttpBearer(tokens={ALICE_TOKEN: ALICE, BOB_TOKEN: BOB})
    client = make_client({"/notes": notes_resource(calls)}, auth=bearer, idempotency=True)

    def post(token: str) -> TestResponse:
        headers = {**bearer_header(token), "Idempotency-Key": "same-key"}
        return client.post("/notes", json={"text": "hello"}, headers=headers)

    alice, bob, alice_again = post(ALICE_TOKEN), post(BOB_TOKEN), post(ALICE_TOKEN)

    assert [r.status_code for r in (alice, bob, alice_again)] == [201, 201, 201]
    assert [r.headers.get("Idempotent-Replayed") for r in (alice, bob, alice_again)] == [
        None,
        None,
        "true",
    ]
    assert [r.get_json()["id"] for r in (alice, bob, alice_again)] == ["alice", "bob", "alice"]
    assert calls == ["alice", "bob"]
