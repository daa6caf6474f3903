"""restkit.auth through HTTP: HttpBearer, several authenticators on one operation, realms,
what verify functions may return or raise, Identity, and `make_authenticators`.

ApiKey, HttpBasic, the secrecy of credentials and the interplay with rate limits and
idempotency are in test_auth_schemes.py; JwtBearer in test_jwt.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, fields
from werkzeug.test import TestResponse

from restkit import ApiKey, DeclarationError, HttpBasic, HttpBearer, Identity, Resource, operation
from restkit.auth import MAX_CREDENTIAL_LENGTH, Authenticator, make_authenticators
from restkit.identity import get_identity
from restkit.problems import Forbidden

PROBLEM_JSON = "application/problem+json"
ALICE = Identity(
    id="alice", user={"name": "Alice"}, scopes={"tasks:write", "tasks:read"}, roles={"admin"}
)
BOB = Identity(id="bob", user=None)
ALICE_TOKEN = "alice-token-0123456789"
BOB_TOKEN = "bob-token-0123456789ab"
ALICE_KEY = "alice-key-0123456789ab"
MISSING_BEARER = (
    "This operation requires authentication. Send a bearer token in the Authorization header."
)
NOT_VALID = (
    'Bearer realm="Tasks", error="invalid_token", '
    'error_description="The access token is not valid."'
)
MALFORMED = (
    'Bearer realm="Tasks", error="invalid_token", '
    'error_description="The access token is malformed."'
)
SERVER_ERROR = {
    "type": "about:blank",
    "title": "Internal Server Error",
    "status": 500,
    "detail": "The server could not complete the request.",
}


class Who(Schema):
    id = fields.String()
    user = fields.Raw(allow_none=True)
    scopes = fields.List(fields.String())
    roles = fields.List(fields.String())
    scheme = fields.String()
    recorded = fields.Boolean()


def describe(identity: Identity[Any]) -> dict[str, Any]:
    """What `Me` answers: the identity, and whether `get_identity()` returns the same one."""
    return {
        "id": identity.id,
        "user": identity.user,
        "scopes": sorted(identity.scopes),
        "roles": sorted(identity.roles),
        "scheme": identity.scheme,
        "recorded": get_identity() is identity,
    }


class Me(Resource):
    @operation(response=Who)
    def get(self, identity: Identity[Any]) -> dict[str, Any]:
        return describe(identity)


class Recorder:
    """A verify function that records what it was given and looks it up in `known`."""

    def __init__(self, known: Mapping[Any, Any]) -> None:
        self.known = known
        self.calls: list[Any] = []

    def __call__(self, *credentials: str) -> Any:
        presented = credentials[0] if len(credentials) == 1 else credentials
        self.calls.append(presented)
        return self.known.get(presented)


def alice_body(scheme: str) -> dict[str, Any]:
    return {
        "id": "alice",
        "user": {"name": "Alice"},
        "scopes": ["tasks:read", "tasks:write"],
        "roles": ["admin"],
        "scheme": scheme,
        "recorded": True,
    }


def bearer_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def challenges(response: TestResponse) -> list[str]:
    return response.headers.getlist("WWW-Authenticate")


def assert_problem(response: TestResponse, status: int, detail: str) -> None:
    assert response.status_code == status
    assert response.content_type == PROBLEM_JSON
    assert response.get_json()["detail"] == detail


@pytest.fixture(params=["verify", "tokens"])
def bearer(request: pytest.FixtureRequest) -> HttpBearer:
    """A bearer authenticator knowing ALICE_TOKEN and BOB_TOKEN, by function or statically."""
    known = {ALICE_TOKEN: ALICE, BOB_TOKEN: BOB}
    if request.param == "verify":
        return HttpBearer(Recorder(known))
    return HttpBearer(tokens=known)


@pytest.fixture
def client(make_client: Callable[..., FlaskClient], bearer: HttpBearer) -> FlaskClient:
    return make_client({"/me": Me}, auth=bearer, title="Tasks")


# HttpBearer


def test_bearer_with_valid_token_passes_the_identity_to_the_method(client: FlaskClient) -> None:
    response = client.get("/me", headers=bearer_header(ALICE_TOKEN))

    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers
    assert response.get_json() == alice_body("bearerAuth")


@pytest.mark.parametrize("header", ["bearer {}", "BEARER {}", "bEaReR {}", "Bearer  {}  "])
def test_bearer_scheme_keyword_is_case_insensitive(client: FlaskClient, header: str) -> None:
    response = client.get("/me", headers={"Authorization": header.format(ALICE_TOKEN)})

    assert response.status_code == 200
    assert response.get_json()["id"] == "alice"


def test_bearer_identity_scheme_is_the_authenticators_scheme_name(
    make_client: Callable[..., FlaskClient],
) -> None:
    staff = HttpBearer(tokens={ALICE_TOKEN: ALICE}, scheme_name="staffToken")
    client = make_client({"/me": Me}, auth=staff)

    response = client.get("/me", headers=bearer_header(ALICE_TOKEN))

    assert response.status_code == 200
    assert response.get_json() == alice_body("staffToken")


def test_bearer_without_header_returns_401_with_a_challenge(client: FlaskClient) -> None:
    response = client.get("/me")

    assert_problem(response, 401, MISSING_BEARER)
    assert challenges(response) == ['Bearer realm="Tasks"']
    assert response.get_json()["title"] == "Unauthorized"


def test_bearer_with_wrong_token_returns_401_invalid_token(client: FlaskClient) -> None:
    response = client.get("/me", headers=bearer_header("not-a-known-token-at-all"))

    assert_problem(response, 401, "The access token is not valid.")
    assert challenges(response) == [NOT_VALID]


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer", id="no-token"),
        pytest.param("Bearer ", id="blank-token"),
        pytest.param(f"Bearer {ALICE_TOKEN} extra", id="space-inside"),
        pytest.param("Bearer tok!en-0123456789abc", id="illegal-character"),
        pytest.param("Bearer tok,en-0123456789abc", id="comma"),
        pytest.param("Bearer =abc", id="padding-first"),
        pytest.param("Bearer " + "a" * (MAX_CREDENTIAL_LENGTH + 1), id="too-long"),
    ],
)
def test_bearer_with_malformed_token_returns_401_without_verifying(
    make_client: Callable[..., FlaskClient], header: str
) -> None:
    verify = Recorder({})
    client = make_client({"/me": Me}, auth=HttpBearer(verify), title="Tasks")

    response = client.get("/me", headers={"Authorization": header})

    assert_problem(response, 401, "The access token is malformed.")
    assert challenges(response) == [MALFORMED]
    assert verify.calls == []


def test_bearer_token_of_the_longest_length_is_verified(
    make_client: Callable[..., FlaskClient],
) -> None:
    verify = Recorder({})
    client = make_client({"/me": Me}, auth=HttpBearer(verify), title="Tasks")
    token = "a" * MAX_CREDENTIAL_LENGTH

    response = client.get("/me", headers=bearer_header(token))

    assert_problem(response, 401, "The access token is not valid.")
    assert verify.calls == [token]


@pytest.mark.parametrize(
    "header", ["Basic YWxpY2U6c2VjcmV0", f"Token {ALICE_TOKEN}", f"Bearer{ALICE_TOKEN}"]
)
def test_bearer_ignores_other_schemes_as_absent(
    make_client: Callable[..., FlaskClient], header: str
) -> None:
    verify = Recorder({ALICE_TOKEN: ALICE})
    client = make_client({"/me": Me}, auth=HttpBearer(verify), title="Tasks")

    response = client.get("/me", headers={"Authorization": header})

    assert_problem(response, 401, MISSING_BEARER)
    assert challenges(response) == ['Bearer realm="Tasks"']
    assert verify.calls == []


@pytest.mark.parametrize(
    ("headers", "status", "expected_challenges"),
    [
        pytest.param({}, 401, ['Bearer realm="Tasks"'], id="missing"),
        pytest.param(bearer_header("not-a-known-token-at-all"), 401, [NOT_VALID], id="wrong"),
        pytest.param(bearer_header(ALICE_TOKEN), 200, [], id="valid"),
    ],
)
def test_head_on_an_authenticated_get_authenticates_like_get(
    client: FlaskClient, headers: dict[str, str], status: int, expected_challenges: list[str]
) -> None:
    response = client.head("/me", headers=headers)

    assert response.status_code == status
    assert challenges(response) == expected_challenges
    assert response.get_data() == b""


# Several authenticators on one operation


def several(*order: str) -> list[Authenticator]:
    made = {
        "bearer": HttpBearer(tokens={ALICE_TOKEN: ALICE}),
        "key": ApiKey(keys={ALICE_KEY: ALICE}),
        "basic": HttpBasic(Recorder({("alice", "secret"): ALICE})),
    }
    return [made[name] for name in order]


API_KEY_CHALLENGE = 'ApiKey realm="Tasks", in="header", name="X-API-Key"'
BASIC_CHALLENGE = 'Basic realm="Tasks", charset="UTF-8"'


@pytest.mark.parametrize(
    ("order", "expected_challenges", "detail"),
    [
        pytest.param(
            ("bearer", "key", "basic"),
            ['Bearer realm="Tasks"', API_KEY_CHALLENGE, BASIC_CHALLENGE],
            "This operation requires authentication. Send a bearer token in the Authorization "
            "header, an API key in the X-API-Key header, or a user name and password (Basic) "
            "in the Authorization header.",
            id="three",
        ),
        pytest.param(
            ("basic", "key"),
            [BASIC_CHALLENGE, API_KEY_CHALLENGE],
            "This operation requires authentication. Send a user name and password (Basic) in "
            "the Authorization header, or an API key in the X-API-Key header.",
            id="two",
        ),
    ],
)
def test_several_authenticators_send_one_challenge_per_scheme_in_order(
    make_client: Callable[..., FlaskClient],
    order: tuple[str, ...],
    expected_challenges: list[str],
    detail: str,
) -> None:
    client = make_client({"/me": Me}, auth=several(*order), title="Tasks")

    response = client.get("/me")

    assert_problem(response, 401, detail)
    assert challenges(response) == expected_challenges


@pytest.mark.parametrize(
    ("headers", "scheme"),
    [
        pytest.param(
            {**bearer_header("not-a-known-token-at-all"), "X-API-Key": ALICE_KEY},
            "apiKeyAuth",
            id="wrong-bearer-valid-key",
        ),
        pytest.param(
            {"Authorization": "Basic YWxpY2U6c2VjcmV0"}, "basicAuth", id="basic-not-bearer"
        ),
        pytest.param(
            {**bearer_header(ALICE_TOKEN), "X-API-Key": "not-a-known-key-at-all"},
            "bearerAuth",
            id="valid-bearer-wrong-key",
        ),
    ],
)
def test_several_authenticators_any_one_may_pass(
    make_client: Callable[..., FlaskClient], headers: dict[str, str], scheme: str
) -> None:
    client = make_client({"/me": Me}, auth=several("bearer", "key", "basic"), title="Tasks")

    response = client.get("/me", headers=headers)

    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers
    assert response.get_json() == alice_body(scheme)


@pytest.mark.parametrize(
    ("order", "detail", "expected_challenges"),
    [
        (("bearer", "key"), "The access token is not valid.", [NOT_VALID, API_KEY_CHALLENGE]),
        (("key", "bearer"), "The API key is not valid.", [API_KEY_CHALLENGE, NOT_VALID]),
    ],
)
def test_several_rejections_report_the_first_ones_detail(
    make_client: Callable[..., FlaskClient],
    order: tuple[str, ...],
    detail: str,
    expected_challenges: list[str],
) -> None:
    client = make_client({"/me": Me}, auth=several(*order), title="Tasks")
    headers = {**bearer_header("not-a-known-token-at-all"), "X-API-Key": "not-a-known-key-at-all"}

    response = client.get("/me", headers=headers)

    assert_problem(response, 401, detail)
    assert challenges(response) == expected_challenges


# Realm


def each_kind(realm: str | None) -> list[Authenticator]:
    return [
        HttpBearer(tokens={ALICE_TOKEN: ALICE}, realm=realm),
        ApiKey(keys={ALICE_KEY: ALICE}, realm=realm),
        HttpBasic(Recorder({}), realm=realm),
    ]


@pytest.mark.parametrize(
    ("api_kwargs", "realm", "expected"),
    [
        pytest.param({"title": "Tasks", "name": "tasks_v1"}, None, "Tasks", id="title"),
        pytest.param({"name": "tasks_v1"}, None, "tasks_v1", id="name"),
        pytest.param({"title": "Tasks"}, "Staff area", "Staff area", id="authenticator"),
    ],
)
def test_realm_defaults_to_the_api_title_and_an_authenticators_realm_wins(
    make_client: Callable[..., FlaskClient],
    api_kwargs: dict[str, Any],
    realm: str | None,
    expected: str,
) -> None:
    client = make_client({"/me": Me}, auth=each_kind(realm), **api_kwargs)

    response = client.get("/me")

    assert response.status_code == 401
    assert challenges(response) == [
        f'Bearer realm="{expected}"',
        f'ApiKey realm="{expected}", in="header", name="X-API-Key"',
        f'Basic realm="{expected}", charset="UTF-8"',
    ]


def test_realm_quotes_and_backslashes_are_escaped(
    make_client: Callable[..., FlaskClient],
) -> None:
    client = make_client({"/me": Me}, auth=each_kind(None), title='The "best" \\ API')

    response = client.get("/me")

    assert response.status_code == 401
    assert challenges(response) == [
        'Bearer realm="The \\"best\\" \\\\ API"',
        'ApiKey realm="The \\"best\\" \\\\ API", in="header", name="X-API-Key"',
        'Basic realm="The \\"best\\" \\\\ API", charset="UTF-8"',
    ]


def test_realm_from_a_title_outside_latin_1_is_still_a_sendable_header(
    make_client: Callable[..., FlaskClient],
) -> None:
    client = make_client({"/me": Me}, auth=HttpBearer(Recorder({})), title="任务 API ✓")

    response = client.get("/me")

    assert response.status_code == 401
    (challenge,) = challenges(response)
    assert challenge.startswith('Bearer realm="')
    challenge.encode("latin-1")  # PEP 3333: header values are ISO-8859-1


# What verify may return or raise


def forbid(*credentials: str) -> Any:
    raise Forbidden("This account is disabled.")


@pytest.mark.parametrize(
    ("authenticator", "headers"),
    [
        pytest.param(HttpBearer(forbid), bearer_header(ALICE_TOKEN), id="bearer"),
        pytest.param(ApiKey(forbid), {"X-API-Key": ALICE_KEY}, id="api-key"),
        pytest.param(HttpBasic(forbid), {"Authorization": "Basic YWxpY2U6c2VjcmV0"}, id="basic"),
    ],
)
def test_verify_raising_forbidden_answers_that_problem(
    make_client: Callable[..., FlaskClient], authenticator: Authenticator, headers: dict[str, str]
) -> None:
    client = make_client({"/me": Me}, auth=authenticator, title="Tasks")

    response = client.get("/me", headers=headers)

    assert_problem(response, 403, "This account is disabled.")
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize(
    ("authenticator", "headers", "message"),
    [
        pytest.param(
            HttpBearer(lambda token: {"id": "alice"}),
            bearer_header(ALICE_TOKEN),
            "HttpBearer's verify function returned dict",
            id="bearer",
        ),
        pytest.param(
            ApiKey(lambda key: key),
            {"X-API-Key": ALICE_KEY},
            "ApiKey's verify function returned str",
            id="api-key",
        ),
        pytest.param(
            HttpBasic(lambda user, password: True),
            {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
            "HttpBasic's verify function returned bool",
            id="basic",
        ),
    ],
)
def test_verify_returning_a_non_identity_answers_500_and_logs_the_error(
    make_client: Callable[..., FlaskClient],
    caplog: pytest.LogCaptureFixture,
    authenticator: Authenticator,
    headers: dict[str, str],
    message: str,
) -> None:
    client = make_client({"/me": Me}, auth=authenticator, title="Tasks")

    with caplog.at_level(logging.ERROR):
        response = client.get("/me", headers=headers)

    assert response.status_code == 500
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == SERVER_ERROR
    errors = [r.exc_info[1] for r in caplog.records if r.exc_info and r.exc_info[1]]
    assert [type(error) for error in errors] == [TypeError]
    assert str(errors[0]).startswith(message)


# Identity


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"id": ""}, id="empty-id"),
        pytest.param({"id": None}, id="none-id"),
        pytest.param({"id": 42}, id="int-id"),
        pytest.param({"scopes": "tasks:read"}, id="scopes-string"),
        pytest.param({"scopes": b"tasks:read"}, id="scopes-bytes"),
        pytest.param({"scopes": ["tasks:read", 1]}, id="scopes-not-strings"),
        pytest.param({"roles": "admin"}, id="roles-string"),
        pytest.param({"roles": [None]}, id="roles-not-strings"),
    ],
)
def test_identity_with_bad_values_raises_type_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match=r"Identity\.(id|scopes|roles) must be"):
        Identity(**{"id": "alice", "user": None, **kwargs})


def test_identity_normalises_scopes_roles_and_claims() -> None:
    claims = {"sub": "alice"}
    identity = Identity(
        id="alice", user=None, scopes=["a", "b", "a"], roles=("admin",), claims=claims
    )
    claims["sub"] = "mallory"

    assert identity.scopes == frozenset({"a", "b"})
    assert type(identity.scopes) is frozenset
    assert identity.roles == frozenset({"admin"})
    assert type(identity.roles) is frozenset
    assert dict(identity.claims) == {"sub": "alice"}
    with pytest.raises(TypeError):
        identity.claims["sub"] = "mallory"  # type: ignore[index]


def test_identity_keeps_scopes_given_as_an_iterator() -> None:
    identity = Identity(id="alice", user=None, scopes=iter(["tasks:read"]))

    assert identity.scopes == frozenset({"tasks:read"})


# make_authenticators

BEARER = HttpBearer(tokens={ALICE_TOKEN: ALICE})
KEY = ApiKey(keys={ALICE_KEY: ALICE})


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("bearer", id="string"),
        pytest.param([], id="empty-list"),
        pytest.param((), id="empty-tuple"),
        pytest.param([BEARER, "bearer"], id="list-with-string"),
        pytest.param([BEARER, object()], id="list-with-object"),
        pytest.param({BEARER}, id="set"),
        pytest.param(HttpBearer, id="class"),
        pytest.param(1, id="int"),
    ],
)
def test_make_authenticators_rejects_bad_values(value: Any) -> None:
    with pytest.raises(DeclarationError, match=r"^Api 'x' declares auth=.*HttpBearer\(\.\.\.\)"):
        make_authenticators(value, "Api 'x'")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (False, False),
        (BEARER, (BEARER,)),
        ([KEY, BEARER], (KEY, BEARER)),
        ([BEARER, KEY, BEARER, KEY], (BEARER, KEY)),
    ],
)
def test_make_authenticators_keeps_order_and_drops_duplicates(value: Any, expected: Any) -> None:
    assert make_authenticators(value, "Api 'x'") == expected


def test_api_with_a_string_auth_raises_declaration_error(
    make_client: Callable[..., FlaskClient],
) -> None:
    with pytest.raises(DeclarationError, match="declares auth='bearer'"):
        make_client({"/me": Me}, auth="bearer")


def test_duplicate_authenticators_send_one_challenge(
    make_client: Callable[..., FlaskClient],
) -> None:
    client = make_client({"/me": Me}, auth=[BEARER, BEARER], title="Tasks")

    response = client.get("/me")

    assert response.status_code == 401
    assert challenges(response) == ['Bearer realm="Tasks"']
