"""Rate limits through HTTP: headers, 429, windows, keys, levels and other responses.

The clock of rate-limit plans is frozen (see tests/ratelimit_helpers.py), so windows and
`RateLimit-Reset` are exact. Declarations are in test_ratelimit_declarations.py, stores and
their failures in test_ratelimit_stores.py, several processes in test_ratelimit_processes.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from restkit import Api, Blueprint, Resource, operation
from restkit.deprecation import Deprecation
from restkit.identity import remote_address, set_client_id
from restkit.problems import Conflict
from restkit.ratelimit import RateLimit
from restkit.stores.memory import MemoryStore
from tests.ratelimit_helpers import (
    HOUR,
    Clock,
    Item,
    freeze_clock,
    frozen_client_factory,
    limit_headers,
    limited,
)
from tests.test_docs_examples import load_example


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze_clock(monkeypatch)


@pytest.fixture
def client_for(make_client: Callable[..., FlaskClient], clock: Clock) -> Callable[..., FlaskClient]:
    return frozen_client_factory(make_client, clock)


def plain(name: str, **attributes: Any) -> type[Resource]:
    """A resource `name` with an unlimited GET and POST, and the given class attributes."""

    class Things(Resource):
        @operation(response=Item)
        def get(self) -> dict[str, str]:
            return {"name": "thing"}

        @operation(body=Item, response=Item, status=201)
        def post(self, body: dict[str, str]) -> tuple[dict[str, str], int, dict[str, str]]:
            return body, 201, {"Location": "/new"}

    # A subclass, so that its attributes are resolved when it is created.
    return type(name, (Things,), dict(attributes))


def identify(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view decorator standing in for authentication: `X-Client` names the client."""

    @functools.wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        client = request.headers.get("X-Client")
        if client is not None:
            set_client_id(client)
        return view(**kwargs)

    return wrapper


# Counting, headers and 429


def test_rate_limit_within_limit_counts_down_remaining(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for({"/items": limited("3/minute")})

    responses = [client.get("/items") for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert [limit_headers(response) for response in responses] == [
        ("3", "2", "45"),
        ("3", "1", "45"),
        ("3", "0", "45"),
    ]
    assert [response.get_json() for response in responses] == [[{"name": "first"}]] * 3


def test_rate_limit_over_limit_returns_429_problem(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for({"/items": limited("3/minute")})
    for _ in range(3):
        client.get("/items")

    response = client.get("/items")

    assert response.status_code == 429
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "45"
    assert limit_headers(response) == ("3", "0", "45")
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too many requests; retry in 45 seconds.",
    }


def test_rate_limit_with_real_clock_resets_within_the_period(
    make_client: Callable[..., FlaskClient],
) -> None:
    client = make_client({"/items": limited("3/minute")})

    response = client.get("/items")

    assert response.status_code == 200
    assert response.headers["RateLimit-Limit"] == "3"
    assert response.headers["RateLimit-Remaining"] == "2"
    assert 1 <= int(response.headers["RateLimit-Reset"]) <= 60


@pytest.mark.parametrize(
    ("later", "status", "headers", "retry_after"),
    [
        (HOUR + 59.5, 429, ("3", "0", "1"), "1"),  # half a second left: never "0"
        (HOUR + 60, 200, ("3", "2", "60"), None),  # the next window
        (HOUR + 61.2, 200, ("3", "2", "59"), None),
        (HOUR + 600, 200, ("3", "2", "60"), None),
    ],
)
def test_rate_limit_later_in_time_follows_the_fixed_window(
    client_for: Callable[..., FlaskClient],
    clock: Clock,
    later: float,
    status: int,
    headers: tuple[str, str, str],
    retry_after: str | None,
) -> None:
    client = client_for({"/items": limited("3/minute")})
    for _ in range(4):
        client.get("/items")
    clock.now = later

    response = client.get("/items")

    assert response.status_code == status
    assert limit_headers(response) == headers
    assert response.headers.get("Retry-After") == retry_after


def test_rate_limit_at_window_edge_allows_a_burst_of_twice_the_limit(
    client_for: Callable[..., FlaskClient], clock: Clock
) -> None:
    client = client_for({"/items": limited("3/minute")})
    clock.now = HOUR + 59.9
    before = [client.get("/items").status_code for _ in range(4)]
    clock.now = HOUR + 60.0

    after = [client.get("/items").status_code for _ in range(4)]

    assert before == [200, 200, 200, 429]
    assert after == [200, 200, 200, 429]


def test_rate_limit_head_counts_with_get(client_for: Callable[..., FlaskClient]) -> None:
    client = client_for({"/items": limited("2/minute")})

    statuses = [client.head("/items").status_code, client.get("/items").status_code]
    response = client.head("/items")

    assert statuses == [200, 200]
    assert response.status_code == 429
    assert limit_headers(response) == ("2", "0", "45")


# Keys: who a request is counted for


@pytest.mark.parametrize(
    ("calls", "statuses"),
    [
        # (address, X-Client) per request: the address counts when no client id is set
        ([("10.0.0.1", None), ("10.0.0.1", None), ("10.0.0.2", None)], [200, 429, 200]),
        # a client id counts across addresses, and apart from its address
        ([("10.0.0.1", "alice"), ("10.0.0.2", "alice")], [200, 429]),
        ([("10.0.0.1", "alice"), ("10.0.0.1", "bob"), ("10.0.0.1", None)], [200, 200, 200]),
    ],
)
def test_rate_limit_default_key_counts_per_client_id_else_address(
    client_for: Callable[..., FlaskClient],
    calls: list[tuple[str, str | None]],
    statuses: list[int],
) -> None:
    resource = limited("1/minute")
    resource.decorators = [identify]
    client = client_for({"/items": resource})

    responses = [
        client.get(
            "/items",
            environ_base={"REMOTE_ADDR": address},
            headers={"X-Client": who} if who else {},
        )
        for address, who in calls
    ]

    assert [response.status_code for response in responses] == statuses


def test_rate_limit_custom_key_function_decides_who_is_counted(
    client_for: Callable[..., FlaskClient],
) -> None:
    def by_api_key(request: Any) -> str:
        return f"key:{request.headers.get('X-Api-Key', '')}"

    client = client_for({"/items": limited(RateLimit("1/minute", key=by_api_key))})

    first = client.get(
        "/items", headers={"X-Api-Key": "k1"}, environ_base={"REMOTE_ADDR": "1.1.1.1"}
    )
    same_key = client.get(
        "/items", headers={"X-Api-Key": "k1"}, environ_base={"REMOTE_ADDR": "2.2.2.2"}
    )
    other_key = client.get(
        "/items", headers={"X-Api-Key": "k2"}, environ_base={"REMOTE_ADDR": "1.1.1.1"}
    )

    assert [first.status_code, same_key.status_code, other_key.status_code] == [200, 429, 200]


def test_rate_limit_same_limit_by_client_and_by_address_counts_each_request_once(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for(
        {"/items": limited([RateLimit("3/minute"), RateLimit("3/minute", key=remote_address)])}
    )

    statuses = [client.get("/items").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_rate_limit_long_endpoint_names_keep_store_keys_short(
    make_client: Callable[..., FlaskClient], clock: Clock
) -> None:
    keys: list[str] = []

    class RecordingStore(MemoryStore):
        def increment(self, key: str, ttl: float) -> tuple[int, float]:
            keys.append(key)
            return super().increment(key, ttl)

    blueprint = Blueprint("b" * 80)
    blueprint.add_resource(limited("1/minute"), "/items", endpoint="e" * 150)
    app = Flask(__name__)
    api = Api(name="a" * 40, store=RecordingStore(clock=clock), rate_limit="5/minute")
    api.register_blueprint(blueprint)
    api.init_app(app)
    client = app.test_client()

    statuses = [client.get("/items").status_code for _ in range(2)]

    assert statuses == [200, 429]
    assert len(set(keys)) == 2
    assert max(len(key) for key in keys) <= 200  # the Store contract


# Several limits, and the levels that declare them


def test_rate_limit_several_limits_report_the_one_closest_to_running_out(
    client_for: Callable[..., FlaskClient], clock: Clock
) -> None:
    client = client_for({"/items": limited(["3/minute", "5/hour"])})
    first_minute = [limit_headers(client.get("/items")) for _ in range(3)]
    clock.now = HOUR + 60

    second_minute = [client.get("/items") for _ in range(3)]

    assert first_minute == [("3", "2", "45"), ("3", "1", "45"), ("3", "0", "45")]
    assert [response.status_code for response in second_minute] == [200, 200, 429]
    assert [limit_headers(response) for response in second_minute] == [
        ("5", "1", "3540"),
        ("5", "0", "3540"),
        ("5", "0", "3540"),
    ]
    assert second_minute[2].headers["Retry-After"] == "3540"


def test_rate_limit_several_exceeded_retry_after_is_the_longest_wait(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for({"/items": limited(["3/minute", "3/hour"])})
    for _ in range(3):
        client.get("/items")

    response = client.get("/items")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3585"
    assert limit_headers(response) == ("3", "0", "3585")


@pytest.mark.parametrize(
    ("api_kwargs", "bp_a", "bp_b", "things", "paths", "statuses"),
    [
        # an API-wide limit counts the requests to all its operations together
        (
            {"rate_limit": "3/minute"},
            {},
            {},
            {},
            ["/a/x", "/a/y", "/b/x", "/a/x"],
            [200] * 3 + [429],
        ),
        # a blueprint's counts its own operations, and leaves other blueprints alone
        (
            {},
            {"rate_limit": "3/minute"},
            {},
            {},
            ["/a/x", "/a/y", "/a/x", "/b/x", "/a/y"],
            [200] * 4 + [429],
        ),
        # a resource's counts its methods together, and leaves other resources alone
        (
            {},
            {},
            {},
            {"rate_limit": "3/minute"},
            ["/a/x", "/a/x!", "/a/y", "/b/x", "/a/x!", "/a/x"],
            [200, 201, 200, 200, 201, 429],
        ),
    ],
)
def test_rate_limit_level_counts_the_operations_under_it_together(
    make_client: Callable[..., FlaskClient],
    clock: Clock,
    api_kwargs: dict[str, Any],
    bp_a: dict[str, Any],
    bp_b: dict[str, Any],
    things: dict[str, Any],
    paths: list[str],
    statuses: list[int],
) -> None:
    """Paths ending in "!" are POSTs; /a/x has the `things` class attributes."""
    app = Flask(__name__)
    api = Api(store=MemoryStore(clock=clock), **api_kwargs)
    for name, options in (("a", bp_a), ("b", bp_b)):
        blueprint = Blueprint(name, url_prefix=f"/{name}", **options)
        blueprint.add_resource(plain(f"Things{name}", **(things if name == "a" else {})), "/x")
        blueprint.add_resource(limited(None, f"Items{name}"), "/y")
        api.register_blueprint(blueprint)
    api.init_app(app)
    client = app.test_client()

    responses = [
        client.post(path[:-1], json={"name": "n"}) if path.endswith("!") else client.get(path)
        for path in paths
    ]

    assert [response.status_code for response in responses] == statuses
    assert limit_headers(responses[-1]) == ("3", "0", "45")


def test_rate_limit_levels_stack_with_the_operation_s_own(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for(
        {"/limited": limited("2/minute"), "/other": limited(None, "Others")}, rate_limit="5/minute"
    )

    own = [client.get("/limited") for _ in range(3)]
    other = client.get("/other")

    assert [response.status_code for response in own] == [200, 200, 429]
    assert [limit_headers(response) for response in own] == [
        ("2", "1", "45"),
        ("2", "0", "45"),
        ("2", "0", "45"),
    ]
    # The refused request counted against the API's limit too: 5 - 4.
    assert other.status_code == 200
    assert limit_headers(other) == ("5", "1", "45")


@pytest.mark.parametrize(
    ("operation_limit", "resource_limit", "headers"),
    [
        (False, None, (None, None, None)),  # an operation's False drops every inherited limit
        (False, "2/minute", (None, None, None)),
        ("4/minute", False, ("4", "3", "45")),  # a resource's drops those above, keeps its own
        (None, False, (None, None, None)),
    ],
)
def test_rate_limit_false_drops_inherited_limits(
    client_for: Callable[..., FlaskClient],
    operation_limit: Any,
    resource_limit: Any,
    headers: tuple[str | None, ...],
) -> None:
    resource = limited(operation_limit)
    resource = type(resource.__name__, (resource,), {"rate_limit": resource_limit})
    client = client_for({"/items": resource}, rate_limit="1/minute")

    responses = [client.get("/items") for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]
    assert limit_headers(responses[0]) == headers


# Limits and other responses


class Orders(Resource):
    rate_limit = "3/minute"

    @operation(body=Item, response=Item, status=201, problems=[Conflict], idempotency=True)
    def post(self, body: dict[str, str]) -> tuple[dict[str, str], int, dict[str, str]]:
        if body["name"] == "taken":
            raise Conflict("That name is taken.")
        return body, 201, {"Location": "/orders/1"}


@pytest.mark.parametrize(
    ("body", "status"),
    [({"name": 5}, 422), ({"name": "taken"}, 409), ({"name": "fine"}, 201)],
)
def test_rate_limit_headers_on_problem_responses_too(
    client_for: Callable[..., FlaskClient], body: dict[str, Any], status: int
) -> None:
    client = client_for({"/orders": Orders})

    response = client.post("/orders", json=body)

    assert response.status_code == status
    assert limit_headers(response) == ("3", "2", "45")


def test_rate_limit_idempotent_replay_counts_and_sends_fresh_headers(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for({"/orders": Orders})
    headers = {"Idempotency-Key": "order-1"}

    first = client.post("/orders", json={"name": "fine"}, headers=headers)
    replay = client.post("/orders", json={"name": "fine"}, headers=headers)

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers.getlist("RateLimit-Remaining") == ["1"]
    assert replay.get_json() == first.get_json() == {"name": "fine"}


def test_rate_limit_429_of_deprecated_operation_carries_deprecation(
    client_for: Callable[..., FlaskClient],
) -> None:
    sunset = Deprecation(since=date(2026, 1, 1), sunset=date(2027, 1, 1))
    client = client_for({"/items": limited("1/minute", deprecated=sunset)})
    client.get("/items")

    response = client.get("/items")

    assert response.status_code == 429
    assert response.headers["Deprecation"] == "@1767225600"
    assert response.headers["Sunset"] == "Fri, 01 Jan 2027 00:00:00 GMT"
    assert response.headers["Retry-After"] == "45"


# The example of docs/rate-limits.md (docs/examples/rate_limits.py)


@pytest.fixture
def notes_example(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> ModuleType:
    return load_example("rate_limits", monkeypatch)


def sign_in(client: FlaskClient, password: str, **kwargs: Any) -> TestResponse:
    return client.post("/v1/tokens", json={"user": "ada", "password": password}, **kwargs)


def bearer(client: FlaskClient, user: str, password: str) -> dict[str, str]:
    response = client.post("/v1/tokens", json={"user": user, "password": password})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_rate_limit_example_sign_in_is_limited_per_address(notes_example: ModuleType) -> None:
    client = notes_example.create_app().test_client()
    near = {"REMOTE_ADDR": "10.0.0.1"}

    guesses = [sign_in(client, "guess", environ_base=near) for _ in range(6)]
    elsewhere = sign_in(client, "correct horse", environ_base={"REMOTE_ADDR": "10.0.0.2"})

    assert [response.status_code for response in guesses] == [401] * 5 + [429]
    assert limit_headers(guesses[0]) == ("5", "4", "45")
    assert guesses[5].headers["Retry-After"] == "45"
    assert elsewhere.status_code == 200
    assert elsewhere.get_json().keys() == {"token"}


def test_rate_limit_example_writes_are_limited_per_user(notes_example: ModuleType) -> None:
    client = notes_example.create_app().test_client()
    ada = bearer(client, "ada", "correct horse")
    grace = bearer(client, "grace", "battery staple")

    writes = [client.post("/v1/notes", json={"text": f"{n}"}, headers=ada) for n in range(11)]
    listing = client.get("/v1/notes", headers=ada)
    other_user = client.post("/v1/notes", json={"text": "hello"}, headers=grace)

    assert [response.status_code for response in writes] == [201] * 10 + [429]
    assert writes[0].headers["Location"] == "/v1/notes/1"
    assert limit_headers(writes[0]) == ("10", "9", "45")
    assert limit_headers(writes[10]) == ("10", "0", "45")
    assert listing.status_code == 200
    assert limit_headers(listing) == ("100", "88", "45")  # GET and POST count together
    assert len(listing.get_json()) == 10
    assert other_user.status_code == 201
    assert limit_headers(other_user) == ("10", "9", "45")


def test_rate_limit_example_refused_by_authentication_is_not_counted(
    notes_example: ModuleType,
) -> None:
    client = notes_example.create_app().test_client()

    response = client.get("/v1/notes")

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert limit_headers(response) == (None, None, None)


def test_rate_limit_example_health_check_is_never_limited(notes_example: ModuleType) -> None:
    client = notes_example.create_app().test_client()

    responses = [client.get("/v1/health") for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert limit_headers(responses[2]) == (None, None, None)
    assert responses[2].get_json() == {"ok": True}


@pytest.mark.parametrize(("proxies", "last_status"), [(0, 429), (1, 401)])
def test_rate_limit_example_behind_proxy_counts_forwarded_address(
    notes_example: ModuleType, proxies: int, last_status: int
) -> None:
    client = notes_example.create_app(proxies=proxies).test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.254"}

    statuses = [
        sign_in(
            client, "guess", headers={"X-Forwarded-For": f"203.0.113.{n}"}, environ_base=proxy
        ).status_code
        for n in range(6)
    ]

    assert statuses == [401] * 5 + [last_status]
