"""Pagination by cursor: signed positions, bound to their list and filters, and their 422s."""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from restkit import Api, Blueprint, DeclarationError, ResponseError
from restkit.pagination import CursorPagination, Page, PageRequest, Pagination
from tests.pagination_helpers import (
    INTERNAL_ERROR,
    PROBLEM_JSON,
    SIZE_RANGE,
    Answer,
    Calls,
    Rows,
    ids,
    items,
    link_urls,
    links,
    numbered,
    unprocessable,
)
from tests.test_docs_examples import load_example

MakeClient = Callable[..., FlaskClient]

SECRET = "a secret of more than sixteen characters"
CURSORS = CursorPagination(default_size=3, max_size=5)
INVALID_CURSOR = (
    "The cursor is invalid, expired, or from another list or filter; start again from the "
    "first page (without cursor)."
)


def keyset(rows: Rows, page: PageRequest) -> Page[dict[str, int]]:
    """What a keyset list does: the rows after the last one seen, one more to know of more."""
    after = page.cursor if page.cursor is not None else 0
    found = [row for row in rows if row["id"] > after][: page.limit + 1]
    more = len(found) > page.limit
    found = found[: page.limit]
    return Page(found, next_cursor=found[-1]["id"] if more else None)


def by_offset(rows: Rows, page: PageRequest) -> Page[dict[str, int]]:
    """A list that can go back: its positions are offsets."""
    start = page.cursor or 0
    chunk = rows[start : start + page.limit]
    end = start + len(chunk)
    return Page(
        chunk,
        next_cursor=end if end < len(rows) else None,
        prev_cursor=max(0, start - page.limit) if start else None,
    )


def client_for(
    make_client: MakeClient,
    *,
    pagination: Pagination = CURSORS,
    answer: Answer = keyset,
    calls: Calls | None = None,
    rows: Rows | None = None,
) -> FlaskClient:
    resource = items(pagination, answer=answer, calls=calls, rows=rows or numbered(7))
    return make_client({"/items": resource}, config={"SECRET_KEY": SECRET})


def cursor_of(url: str) -> str:
    [cursor] = parse_qs(urlsplit(url).query)["cursor"]
    return cursor


def local(url: str) -> str:
    """Return an absolute link as the path and query the test client requests."""
    parts = urlsplit(url)
    return parts.path + "?" + parts.query if parts.query else parts.path


def walk(client: FlaskClient, url: str) -> list[list[int]]:
    """Follow the `next` links from `url` and return the ids of each page."""
    pages = []
    for _ in range(20):
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        pages.append(ids(response.get_json()))
        following = link_urls(response).get("next")
        if following is None:
            return pages
        url = local(following)
    raise AssertionError("more than 20 pages")


# --- pages -------------------------------------------------------------------------------


def test_cursor_first_page_has_first_and_next_links_only(make_client: MakeClient) -> None:
    calls: Calls = []
    client = client_for(make_client, calls=calls)

    response = client.get("/items")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "X-Total-Count" not in response.headers
    found = link_urls(response)
    assert list(found) == ["first", "next"]
    assert found["first"] == "http://localhost/items"
    assert found["next"] == "http://localhost/items?cursor=" + cursor_of(found["next"])
    assert ids(response.get_json()) == [1, 2, 3]
    assert calls == [(PageRequest("cursor", 3, number=1, cursor=None, count=False), None)]


@pytest.mark.parametrize(
    ("query", "pages"),
    [
        ("", [[1, 2, 3], [4, 5, 6], [7]]),
        ("?limit=1", [[1], [2], [3], [4], [5], [6], [7]]),
        ("?limit=2", [[1, 2], [3, 4], [5, 6], [7]]),
        ("?limit=5", [[1, 2, 3, 4, 5], [6, 7]]),
        ("?limit=4&done=true", [[1, 2, 3, 4], [5, 6, 7]]),
    ],
)
def test_cursor_following_next_links_visits_every_item_once(
    make_client: MakeClient, query: str, pages: list[list[int]]
) -> None:
    client = client_for(make_client)

    visited = walk(client, "/items" + query)

    assert visited == pages


def test_cursor_next_link_keeps_the_other_parameters(make_client: MakeClient) -> None:
    client = client_for(make_client)

    response = client.get("/items?limit=2&done=true&tag=b&tag=a")

    assert response.status_code == 200
    following = link_urls(response)["next"]
    assert links(response) == {
        "first": "/items?done=true&limit=2&tag=b&tag=a",
        "next": f"/items?cursor={cursor_of(following)}&done=true&limit=2&tag=b&tag=a",
    }


def test_cursor_last_page_has_no_next_link(make_client: MakeClient) -> None:
    client = client_for(make_client, rows=numbered(2))

    response = client.get("/items")

    assert response.status_code == 200
    assert links(response) == {"first": "/items"}
    assert ids(response.get_json()) == [1, 2]


def test_cursor_prev_link_goes_back_a_page(make_client: MakeClient) -> None:
    client = client_for(make_client, answer=by_offset)
    second = client.get(local(link_urls(client.get("/items")).get("next", "")))

    back = client.get(local(link_urls(second)["prev"]))

    assert second.status_code == 200
    assert list(link_urls(second)) == ["first", "prev", "next"]
    assert ids(second.get_json()) == [4, 5, 6]
    assert back.status_code == 200
    assert list(link_urls(back)) == ["first", "next"]  # position 0 is a position, not None
    assert ids(back.get_json()) == [1, 2, 3]


@pytest.mark.parametrize(
    ("position", "received"),
    [
        (0, 0),
        (False, False),
        ("", ""),
        ("b7f2", "b7f2"),
        (2.5, 2.5),
        ([3, "x"], [3, "x"]),
        ({"id": 3, "title": "Ünïcode ✓"}, {"id": 3, "title": "Ünïcode ✓"}),
        (dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2026-01-02T03:04:05+00:00"),
    ],
)
def test_cursor_position_comes_back_as_its_json_value(
    make_client: MakeClient, position: Any, received: Any
) -> None:
    calls: Calls = []

    def answer(rows: Rows, page: PageRequest) -> Page[dict[str, int]]:
        return Page(rows[:1], next_cursor=position if page.cursor is None else None)

    client = client_for(make_client, answer=answer, calls=calls)

    following = link_urls(client.get("/items"))["next"]
    response = client.get(local(following))

    assert response.status_code == 200
    assert links(response) == {"first": "/items"}
    assert calls[1][0].cursor == received


def test_cursor_bare_list_is_a_single_page(make_client: MakeClient) -> None:
    client = client_for(make_client, answer=lambda rows, page: rows[: page.limit])

    response = client.get("/items?limit=5")

    assert response.status_code == 200
    assert links(response) == {"first": "/items?limit=5"}
    assert ids(response.get_json()) == [1, 2, 3, 4, 5]


def test_cursor_page_parameter_is_not_read(make_client: MakeClient) -> None:
    client = client_for(make_client)

    response = client.get("/items?page=abc")

    assert response.status_code == 200
    assert ids(response.get_json()) == [1, 2, 3]


def test_cursor_head_returns_the_get_headers_without_body(make_client: MakeClient) -> None:
    client = client_for(make_client)

    response = client.head("/items")

    assert response.status_code == 200
    assert list(link_urls(response)) == ["first", "next"]
    assert response.data == b""


def test_cursor_envelope_carries_items_limit_next_cursor_and_links(
    make_client: MakeClient,
) -> None:
    pagination = CursorPagination(default_size=3, max_size=5, envelope=True)
    client = client_for(make_client, pagination=pagination)

    first = client.get("/items")
    body = first.get_json()
    last = client.get("/items?cursor=" + body["next_cursor"])

    assert first.status_code == 200
    assert first.headers["Content-Type"] == "application/json"
    assert body == {
        "items": [{"id": 1}, {"id": 2}, {"id": 3}],
        "limit": 3,
        "next_cursor": cursor_of(link_urls(first)["next"]),
        "links": link_urls(first),
    }
    assert last.status_code == 200
    assert ids(last.get_json()["items"]) == [4, 5, 6]
    assert last.get_json()["next_cursor"] is not None
    final = client.get("/items?cursor=" + last.get_json()["next_cursor"]).get_json()
    assert final == {
        "items": [{"id": 7}],
        "limit": 3,
        "next_cursor": None,
        "links": {"first": "http://localhost/items"},
    }


# --- invalid cursors and limits ----------------------------------------------------------


def tampered(cursor: str, index: int) -> str:
    """Return the cursor with the character at `index` replaced by another."""
    character = "B" if cursor[index] == "A" else "A"
    return cursor[:index] + character + cursor[index + 1 :]


@pytest.mark.parametrize(
    "forge",
    [
        lambda cursor: tampered(cursor, 0),  # the position
        lambda cursor: tampered(cursor, cursor.index(".") + 2),  # the timestamp
        lambda cursor: tampered(cursor, len(cursor) - 10),  # the signature
        lambda cursor: cursor.rsplit(".", 1)[0],  # no signature
        lambda cursor: cursor + "x",
        lambda cursor: "3",
        lambda cursor: "eyJwIjozfQ",  # {"p":3}, unsigned
        lambda cursor: "not a cursor at all",
    ],
    ids=["position", "timestamp", "signature", "unsigned", "longer", "raw", "base64", "junk"],
)
def test_cursor_forged_returns_422_naming_cursor(
    make_client: MakeClient, forge: Callable[[str], str]
) -> None:
    calls: Calls = []
    client = client_for(make_client, calls=calls)
    cursor = cursor_of(link_urls(client.get("/items"))["next"])

    response = client.get("/items", query_string={"cursor": forge(cursor)})

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "Link" not in response.headers
    assert response.get_json() == unprocessable(("cursor", INVALID_CURSOR))
    assert len(calls) == 1  # the first page only


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("cursor=", [("cursor", "Length must be between 1 and 4096.")]),
        ("cursor=" + "a" * 4097, [("cursor", "Length must be between 1 and 4096.")]),
        ("limit=6", [("limit", SIZE_RANGE)]),
        ("limit=0", [("limit", SIZE_RANGE)]),
        ("limit=three", [("limit", "Not a valid integer.")]),
        ("limit=1&limit=2", [("limit", "Expected one value, got 2.")]),
        ("cursor=a&cursor=b", [("cursor", "Expected one value, got 2.")]),
        ("cursor=junk&limit=9", [("limit", SIZE_RANGE)]),  # the cursor is read once it loads
    ],
)
def test_cursor_invalid_parameter_returns_422_naming_it(
    make_client: MakeClient, query: str, errors: list[tuple[str, str]]
) -> None:
    client = client_for(make_client)

    response = client.get("/items?" + query)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(*errors)


def test_cursor_signed_with_another_secret_returns_422(make_client: MakeClient) -> None:
    other = make_client(
        {"/items": items(CURSORS, answer=keyset)}, config={"SECRET_KEY": "another " + SECRET}
    )
    cursor = cursor_of(link_urls(other.get("/items"))["next"])
    client = client_for(make_client)

    response = client.get("/items", query_string={"cursor": cursor})

    assert response.status_code == 422
    assert response.get_json() == unprocessable(("cursor", INVALID_CURSOR))


def test_cursor_from_another_list_returns_422(make_client: MakeClient) -> None:
    notes = type("Notes", (items(CURSORS, answer=keyset),), {})
    client = make_client(
        {"/tasks": items(CURSORS, answer=keyset), "/notes": notes}, config={"SECRET_KEY": SECRET}
    )
    cursor = cursor_of(link_urls(client.get("/tasks"))["next"])

    same = client.get("/tasks", query_string={"cursor": cursor})
    other = client.get("/notes", query_string={"cursor": cursor})

    assert same.status_code == 200
    assert other.status_code == 422
    assert other.get_json() == unprocessable(("cursor", INVALID_CURSOR))


def done_cursor(client: FlaskClient) -> str:
    """Return the next cursor of the first page of `?done=true`."""
    return cursor_of(link_urls(client.get("/items?done=true"))["next"])


@pytest.mark.parametrize(
    "query",
    [
        "done=true",
        "done=true&limit=5",  # the page size may change between pages
        "limit=1&done=true",
    ],
)
def test_cursor_with_the_filters_of_its_list_is_accepted(
    make_client: MakeClient, query: str
) -> None:
    client = client_for(make_client)

    response = client.get(f"/items?{query}&cursor={done_cursor(client)}")

    assert response.status_code == 200
    assert ids(response.get_json())[0] == 4


@pytest.mark.parametrize(
    "query",
    [
        "done=false",
        "",
        "done=true&done=true",
        "done=true&tag=a",
        "done=True",  # compared as sent, before any schema loads it
    ],
)
def test_cursor_with_other_filters_returns_422(make_client: MakeClient, query: str) -> None:
    client = client_for(make_client)

    response = client.get(f"/items?{query}&cursor={done_cursor(client)}")

    assert response.status_code == 422
    assert response.get_json() == unprocessable(("cursor", INVALID_CURSOR))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The time itsdangerous signs and checks cursors at; set `clock[0]` to move it."""
    now = [1_800_000_000]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now[0])
    return now


def aged_cursor(make_client: MakeClient) -> tuple[FlaskClient, str]:
    """Serve cursors valid for 60 seconds; return the client and a next cursor."""
    client = client_for(make_client, pagination=CursorPagination(default_size=3, max_age=60))
    return client, cursor_of(link_urls(client.get("/items"))["next"])


@pytest.mark.parametrize("elapsed", [0, 59, 60])
def test_cursor_within_max_age_is_accepted(
    make_client: MakeClient, clock: list[int], elapsed: int
) -> None:
    client, cursor = aged_cursor(make_client)
    clock[0] += elapsed

    response = client.get("/items", query_string={"cursor": cursor})

    assert response.status_code == 200
    assert ids(response.get_json()) == [4, 5, 6]


@pytest.mark.parametrize("elapsed", [61, 86_400, -1])  # -1: signed in the future
def test_cursor_older_than_max_age_returns_422(
    make_client: MakeClient, clock: list[int], elapsed: int
) -> None:
    client, cursor = aged_cursor(make_client)
    clock[0] += elapsed

    response = client.get("/items", query_string={"cursor": cursor})

    assert response.status_code == 422
    assert response.get_json() == unprocessable(("cursor", INVALID_CURSOR))


def test_cursor_without_max_age_never_expires(make_client: MakeClient, clock: list[int]) -> None:
    client = client_for(make_client)
    cursor = cursor_of(link_urls(client.get("/items"))["next"])
    clock[0] += 10 * 365 * 86_400

    response = client.get("/items", query_string={"cursor": cursor})

    assert response.status_code == 200
    assert ids(response.get_json()) == [4, 5, 6]


@pytest.mark.parametrize("position", [object(), {1, 2}, decimal.Decimal("1.5"), b"3"])
@pytest.mark.parametrize("relation", ["next_cursor", "prev_cursor"])
def test_cursor_position_that_is_not_json_returns_logged_500(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture, position: Any, relation: str
) -> None:
    def answer(rows: Rows, page: PageRequest) -> Page[dict[str, int]]:
        return Page(rows[:3], **{relation: position})

    client = client_for(make_client, answer=answer)

    with caplog.at_level(logging.ERROR):
        response = client.get("/items")

    assert response.status_code == 500
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "Link" not in response.headers
    assert response.get_json() == INTERNAL_ERROR
    (record,) = caplog.records
    assert record.exc_info is not None
    assert record.exc_info[0] is ResponseError
    assert str(record.exc_info[1]).startswith(
        f"A cursor position must be JSON (numbers, strings, lists, dicts); got {position!r}: "
    )


# --- the secret --------------------------------------------------------------------------


MISSING_SECRET = (
    "Cursor pagination signs its cursors with the app's SECRET_KEY (or the cursor_secret "
    "setting); set one."
)


@pytest.mark.parametrize("config", [{}, {"SECRET_KEY": ""}, {"SECRET_KEY": None}])
def test_cursor_without_secret_raises_at_init_app(
    make_client: MakeClient, config: dict[str, Any]
) -> None:
    with pytest.raises(DeclarationError, match=f"^{re.escape(MISSING_SECRET)}$"):
        make_client({"/items": items(CURSORS, answer=keyset)}, config=config)


def mount(secret_key: str | None = None, **settings: Any) -> FlaskClient:
    """Serve the keyset list on an app with this SECRET_KEY and these settings (or config)."""
    app = Flask(__name__)
    app.secret_key = secret_key
    app.config.update({key: settings.pop(key) for key in list(settings) if key.isupper()})
    blueprint = Blueprint("test")
    blueprint.add_resource(items(CURSORS, answer=keyset), "/items")
    api = Api(**settings)
    api.register_blueprint(blueprint)
    api.init_app(app)
    return app.test_client()


OTHER = "another " + SECRET


@pytest.mark.parametrize(
    ("signer", "reader", "status"),
    [
        ({"cursor_secret": SECRET}, {"cursor_secret": SECRET}, 200),
        ({"RESTKIT_CURSOR_SECRET": SECRET}, {"cursor_secret": SECRET}, 200),
        (
            {"secret_key": "one key", "cursor_secret": SECRET},
            {"secret_key": "two key", "cursor_secret": SECRET},
            200,
        ),
        ({"secret_key": SECRET}, {"secret_key": SECRET, "cursor_secret": OTHER}, 422),
        ({"secret_key": SECRET}, {"secret_key": SECRET}, 200),
        ({"cursor_secret": SECRET}, {"cursor_secret": OTHER}, 422),
    ],
    ids=["setting", "config", "over-secret-key", "not-secret-key", "secret-key", "other"],
)
def test_cursor_secret_setting_signs_cursors(
    signer: dict[str, Any], reader: dict[str, Any], status: int
) -> None:
    cursor = cursor_of(link_urls(mount(**signer).get("/items"))["next"])

    response = mount(**reader).get("/items", query_string={"cursor": cursor})

    assert response.status_code == status


@pytest.mark.parametrize("secret", ["short", "", 12345678901234567])
def test_cursor_secret_setting_that_is_not_a_long_string_raises(secret: Any) -> None:
    with pytest.raises(
        DeclarationError,
        match=re.escape(
            "Api(cursor_secret=...) must be a secret string of at least 16 characters, or None."
        ),
    ):
        Api(cursor_secret=secret)


# --- the docs example (docs/pagination.md) -----------------------------------------------


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    return load_example("pagination", monkeypatch).create_app().test_client()


def test_example_events_follow_next_links_newest_first(example: FlaskClient) -> None:
    pages = walk(example, "/v1/events")

    assert pages == [[5, 4], [3, 2], [1]]


def test_example_events_first_page_links_and_body(example: FlaskClient) -> None:
    response = example.get("/v1/events")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert list(link_urls(response)) == ["first", "next"]
    assert link_urls(response)["first"] == "http://localhost/v1/events"
    assert response.get_json() == [
        {"id": 5, "message": "Task 5 created"},
        {"id": 4, "message": "Task 4 created"},
    ]


def test_example_events_cursor_expires_after_a_day(example: FlaskClient, clock: list[int]) -> None:
    cursor = cursor_of(link_urls(example.get("/v1/events"))["next"])
    clock[0] += 24 * 3600 + 1

    response = example.get("/v1/events", query_string={"cursor": cursor})

    assert response.status_code == 422
    assert response.get_json() == unprocessable(("cursor", INVALID_CURSOR))
