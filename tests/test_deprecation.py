"""Deprecation: deprecated operations send Deprecation, Sunset and Link headers."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from marshmallow import Schema, fields

from restkit import Api, Blueprint, DeclarationError, Deprecation, Resource, operation
from restkit.problems import NotFound
from restkit.stores import StoreError
from restkit.stores.memory import MemoryStore
from tests.test_docs_examples import load_example

PROBLEM_JSON = "application/problem+json"
SINCE = dt.date(2026, 9, 1)
SINCE_EPOCH = "@1788220800"  # 2026-09-01T00:00:00Z
SUNSET = dt.date(2027, 3, 1)
LINK = "https://example.com/changelog#tasks"
FULL = Deprecation(since=SINCE, sunset=SUNSET, link=LINK)
FULL_HEADERS = [
    ("Deprecation", SINCE_EPOCH),
    ("Sunset", "Mon, 01 Mar 2027 00:00:00 GMT"),
    ("Link", f'<{LINK}>; rel="deprecation"; type="text/html"'),
]


class TaskSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True)


def tasks_resource(resource_level: Any = None, **declared: dict[str, Any]) -> type[Resource]:
    """Return a resource with get and post, each declared with `declared[method]`."""

    class Tasks(Resource):
        deprecated = resource_level

        @operation(response=TaskSchema(many=True), **declared.get("get", {}))
        def get(self) -> Any:
            return [{"id": 1, "title": "Buy milk"}]

        @operation(body=TaskSchema, response=TaskSchema, status=201, **declared.get("post", {}))
        def post(self, body: dict[str, Any]) -> Any:
            if body["title"] == "missing":
                raise NotFound("There is no list for this task.")
            if body["title"] == "abort":
                abort(409)
            return {"id": 2, **body}, 201, {"Location": "/tasks/2"}

    return Tasks


def mount(
    resource: type[Resource], blueprint_level: Any = None, **api_kwargs: Any
) -> tuple[FlaskClient, dict[str, Any]]:
    """Mount `resource` at /tasks; return a test client and the OpenAPI document."""
    blueprint = Blueprint("tasks", deprecated=blueprint_level)
    blueprint.add_resource(resource, "/tasks")
    app = Flask(__name__)
    api = Api(**api_kwargs)
    api.register_blueprint(blueprint)
    api.init_app(app)
    return app.test_client(), dict(api.spec(app))


def deprecation_headers(response: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in response.headers if k in ("Deprecation", "Sunset", "Link")]


def test_deprecated_true_sends_deprecation_at_zero() -> None:
    client, _ = mount(tasks_resource(get={"deprecated": True}))

    response = client.get("/tasks")

    assert response.status_code == 200
    assert deprecation_headers(response) == [("Deprecation", "@0")]
    assert response.get_json() == [{"id": 1, "title": "Buy milk"}]


def test_deprecation_with_dates_and_link_sends_all_three_headers() -> None:
    client, _ = mount(tasks_resource(get={"deprecated": FULL}))

    response = client.get("/tasks")

    assert response.status_code == 200
    assert deprecation_headers(response) == FULL_HEADERS
    assert response.get_json() == [{"id": 1, "title": "Buy milk"}]


def test_operation_not_deprecated_sends_no_deprecation_headers() -> None:
    client, spec = mount(tasks_resource(post={"deprecated": True}))

    response = client.get("/tasks")

    assert response.status_code == 200
    assert deprecation_headers(response) == []
    assert "deprecated" not in spec["paths"]["/tasks"]["get"]


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        pytest.param({"json": {"title": "Walk"}}, 201, id="created"),
        pytest.param({"json": {"id": 3}}, 422, id="invalid-body"),
        pytest.param({"data": "x", "content_type": "text/plain"}, 415, id="media-type"),
        pytest.param({"data": "{", "content_type": "application/json"}, 400, id="bad-json"),
        pytest.param({"json": {"title": "missing"}}, 404, id="problem-from-method"),
    ],
)
def test_deprecation_headers_are_sent_on_every_answer_of_the_operation(
    request_kwargs: dict[str, Any], status: int
) -> None:
    client, _ = mount(tasks_resource(post={"deprecated": FULL}))

    response = client.post("/tasks", **request_kwargs)

    assert response.status_code == status
    assert deprecation_headers(response) == FULL_HEADERS


def test_deprecation_headers_are_sent_on_abort_from_the_method() -> None:
    client, _ = mount(tasks_resource(post={"deprecated": True}))

    response = client.post("/tasks", json={"title": "abort"})

    assert response.status_code == 409
    assert deprecation_headers(response) == [("Deprecation", "@0")]


class DownStore(MemoryStore):
    def add(self, key: str, value: bytes, ttl: float) -> bool:
        raise StoreError("connection refused")


def test_deprecation_headers_are_sent_on_503_when_the_store_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    resource = tasks_resource(post={"deprecated": True, "idempotency": True})
    client, _ = mount(resource, store=DownStore())

    with caplog.at_level(logging.CRITICAL, logger="restkit"):
        response = client.post("/tasks", json={"title": "Walk"}, headers={"Idempotency-Key": "k"})

    assert response.status_code == 503
    assert deprecation_headers(response) == [("Deprecation", "@0")]


def test_deprecation_headers_are_sent_on_head() -> None:
    client, _ = mount(tasks_resource(get={"deprecated": True}))

    response = client.head("/tasks")

    assert response.status_code == 200
    assert deprecation_headers(response) == [("Deprecation", "@0")]


def test_deprecation_headers_are_sent_on_304() -> None:
    client, _ = mount(tasks_resource(get={"deprecated": FULL, "conditional": True}))
    etag = client.get("/tasks").headers["ETag"]

    response = client.get("/tasks", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["ETag"] == etag
    assert deprecation_headers(response) == FULL_HEADERS
    assert response.data == b""


def test_deprecation_headers_are_sent_once_on_an_idempotent_replay() -> None:
    client, _ = mount(tasks_resource(post={"deprecated": True, "idempotency": True}))
    headers = {"Idempotency-Key": "key-1"}
    client.post("/tasks", json={"title": "Walk"}, headers=headers)

    replay = client.post("/tasks", json={"title": "Walk"}, headers=headers)

    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert deprecation_headers(replay) == [("Deprecation", "@0")]


def test_deprecation_link_is_added_beside_the_method_s_own_link() -> None:
    class Linked(Resource):
        @operation(response=TaskSchema(many=True), deprecated=FULL)
        def get(self) -> Any:
            return [], 200, {"Link": '</tasks?page=2>; rel="next"'}

    client, _ = mount(Linked)

    response = client.get("/tasks")

    assert response.headers.getlist("Link") == [
        '</tasks?page=2>; rel="next"',
        f'<{LINK}>; rel="deprecation"; type="text/html"',
    ]


# --- where it is declared -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_level", "blueprint_level", "api_level"),
    [(None, None, FULL), (None, FULL, None), (FULL, None, None)],
    ids=["api", "blueprint", "resource"],
)
def test_deprecation_declared_on_a_level_applies_to_all_its_operations(
    resource_level: Any, blueprint_level: Any, api_level: Any
) -> None:
    client, spec = mount(tasks_resource(resource_level), blueprint_level, deprecated=api_level)

    responses = [client.get("/tasks"), client.post("/tasks", json={"title": "Walk"})]

    assert [r.status_code for r in responses] == [200, 201]
    assert [deprecation_headers(r) for r in responses] == [FULL_HEADERS, FULL_HEADERS]
    assert spec["paths"]["/tasks"]["get"]["deprecated"] is True
    assert spec["paths"]["/tasks"]["post"]["deprecated"] is True


def test_deprecated_false_on_an_operation_overrides_its_blueprint() -> None:
    client, spec = mount(tasks_resource(get={"deprecated": False}), True)

    listed = client.get("/tasks")
    created = client.post("/tasks", json={"title": "Walk"})

    assert deprecation_headers(listed) == []
    assert deprecation_headers(created) == [("Deprecation", "@0")]
    assert "deprecated" not in spec["paths"]["/tasks"]["get"]
    assert spec["paths"]["/tasks"]["post"]["deprecated"] is True


def test_deprecation_of_the_nearest_level_wins() -> None:
    own = Deprecation(link="https://example.com/v2")
    client, _ = mount(tasks_resource(FULL, get={"deprecated": own}), deprecated=True)

    listed = client.get("/tasks")
    created = client.post("/tasks", json={"title": "Walk"})

    assert deprecation_headers(listed) == [
        ("Deprecation", "@0"),
        ("Link", '<https://example.com/v2>; rel="deprecation"; type="text/html"'),
    ]
    assert deprecation_headers(created) == FULL_HEADERS


def test_deprecated_true_is_a_bare_deprecation_even_under_a_configured_level() -> None:
    # docs/features.md: deprecated=True is the exception, always Deprecation() with no dates.
    client, _ = mount(tasks_resource(False, get={"deprecated": True}), deprecated=FULL)

    response = client.get("/tasks")

    assert deprecation_headers(response) == [("Deprecation", "@0")]


# --- the Deprecation value ------------------------------------------------------------------

PLUS_TWO = dt.timezone(dt.timedelta(hours=2))


@pytest.mark.parametrize(
    ("kwargs", "headers"),
    [
        ({}, [("Deprecation", "@0")]),
        ({"since": SINCE}, [("Deprecation", SINCE_EPOCH)]),
        ({"since": dt.datetime(2026, 9, 1, 2, 0, tzinfo=PLUS_TWO)}, [("Deprecation", SINCE_EPOCH)]),
        (
            {"sunset": dt.datetime(2027, 3, 1, 12, 30, tzinfo=dt.UTC)},
            [("Deprecation", "@0"), ("Sunset", "Mon, 01 Mar 2027 12:30:00 GMT")],
        ),
        (
            {"since": SINCE, "sunset": SINCE},
            [("Deprecation", SINCE_EPOCH), ("Sunset", "Tue, 01 Sep 2026 00:00:00 GMT")],
        ),
        (
            {"link": "http://example.com/why"},
            [
                ("Deprecation", "@0"),
                ("Link", '<http://example.com/why>; rel="deprecation"; type="text/html"'),
            ],
        ),
    ],
    ids=["bare", "date", "aware-datetime", "sunset-only", "sunset-equals-since", "http-link"],
)
def test_deprecation_headers_are_computed_from_its_values(
    kwargs: dict[str, Any], headers: list[tuple[str, str]]
) -> None:
    assert Deprecation(**kwargs).headers() == headers


def test_deprecation_keeps_dates_as_aware_utc_datetimes() -> None:
    deprecation = Deprecation(since=dt.datetime(2026, 9, 1, 2, 0, tzinfo=PLUS_TWO), sunset=SUNSET)

    assert deprecation.since == dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    assert deprecation.sunset == dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    assert deprecation.link is None
    assert deprecation == Deprecation(since=SINCE, sunset=SUNSET)


NAIVE = dt.datetime(2026, 9, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"since": NAIVE},
            f"Deprecation since={NAIVE!r} has no time zone; pass an aware datetime "
            "(tzinfo=UTC) or a date.",
        ),
        (
            {"sunset": NAIVE},
            f"Deprecation sunset={NAIVE!r} has no time zone; pass an aware datetime "
            "(tzinfo=UTC) or a date.",
        ),
        (
            {"since": "2026-09-01"},
            "Deprecation since='2026-09-01' is not a date or a datetime.",
        ),
        (
            {"since": SUNSET, "sunset": SINCE},
            f"Deprecation sunset={SINCE!r} comes before since={SUNSET!r}; an operation cannot "
            "go away before it is deprecated (RFC 9745 §3).",
        ),
        *(
            (
                {"link": link},
                f"Deprecation link={link!r} must be an absolute http(s) URL without spaces, "
                "quotes or angle brackets.",
            )
            for link in [
                "/changelog",
                "example.com/changelog",
                "ftp://example.com/changelog",
                "https://example.com/change log",
                'https://example.com/"changelog"',
                "https://example.com/<changelog>",
                42,
            ]
        ),
    ],
)
def test_deprecation_with_invalid_values_raises_declaration_error(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(DeclarationError) as raised:
        Deprecation(**kwargs)

    assert str(raised.value) == message


@pytest.mark.parametrize("value", ["yes", 1, SINCE])
def test_deprecated_of_wrong_type_raises_declaration_error(value: Any) -> None:
    with pytest.raises(DeclarationError) as raised:
        operation(response=TaskSchema, deprecated=value)(lambda self: None)

    assert str(raised.value).endswith(
        f"declares deprecated={value!r}; give Deprecation(...), True, False or None."
    )


# --- the docs example (docs/deprecation.md) -------------------------------------------------

SEARCH_HEADERS = [
    ("Deprecation", SINCE_EPOCH),
    ("Sunset", "Mon, 01 Mar 2027 00:00:00 GMT"),
    ("Link", '<https://example.com/changelog#task-search>; rel="deprecation"; type="text/html"'),
]


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Any:
    return load_example("deprecation", monkeypatch)


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "headers"),
    [
        ("get", "/v1/tasks/search?text=milk", {}, 200, SEARCH_HEADERS),
        ("get", "/v1/tasks/search", {}, 422, SEARCH_HEADERS),
        ("put", "/v1/tasks/1", {"json": {"title": "Buy oat milk"}}, 200, [("Deprecation", "@0")]),
        ("put", "/v1/tasks/7", {"json": {"title": "Walk"}}, 404, [("Deprecation", "@0")]),
        ("get", "/v1/tasks?q=milk", {}, 200, []),
        ("get", "/v1/tasks/1", {}, 200, []),
    ],
)
def test_deprecation_example_sends_the_headers_of_each_operation(
    example: Any,
    method: str,
    url: str,
    kwargs: dict[str, Any],
    status: int,
    headers: list[tuple[str, str]],
) -> None:
    client = example.create_app().test_client()

    response = getattr(client, method)(url, **kwargs)

    assert response.status_code == status
    assert deprecation_headers(response) == headers


def test_deprecation_example_search_answers_like_the_list(example: Any) -> None:
    client = example.create_app().test_client()

    old = client.get("/v1/tasks/search?text=MILK")
    new = client.get("/v1/tasks?q=milk")

    assert old.get_json() == new.get_json() == [{"id": 1, "title": "Buy milk", "done": False}]


def test_deprecation_example_spec_marks_deprecated_operations(example: Any) -> None:
    app = example.create_app()

    paths = example.api.spec(app)["paths"]

    assert paths["/v1/tasks/search"]["get"]["deprecated"] is True
    assert paths["/v1/tasks/{task_id}"]["put"]["deprecated"] is True
    assert "deprecated" not in paths["/v1/tasks"]["get"]
    assert "deprecated" not in paths["/v1/tasks/{task_id}"]["get"]
