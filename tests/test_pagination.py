"""Pagination by page number: defaults, Link and X-Total-Count, counting, envelopes, 422s.

The cursor kind is in test_pagination_cursor.py; the levels a pagination is declared on and
the declaration errors are in test_pagination_levels.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from restkit import ResponseError
from restkit.pagination import MAX_PAGE_NUMBER, Page, PagePagination, PageRequest
from tests.pagination_helpers import (
    INTERNAL_ERROR,
    PAGE_RANGE,
    PROBLEM_JSON,
    SIZE_RANGE,
    THREES,
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

MakeClient = Callable[..., FlaskClient]

NOT_INTEGER = "Not a valid integer."


# --- defaults, Link and X-Total-Count ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "number", "limit", "offset", "page_ids"),
    [
        ("", 1, 3, 0, [1, 2, 3]),
        ("?page=2", 2, 3, 3, [4, 5, 6]),
        ("?page=2&per_page=2", 2, 2, 2, [3, 4]),
        ("?per_page=5", 1, 5, 0, [1, 2, 3, 4, 5]),
    ],
)
def test_page_parameters_reach_the_method_with_defaults_and_offset(
    make_client: MakeClient, query: str, number: int, limit: int, offset: int, page_ids: list[int]
) -> None:
    calls: Calls = []
    client = make_client({"/items": items(calls=calls)})

    response = client.get("/items" + query)

    assert response.status_code == 200
    assert ids(response.get_json()) == page_ids
    [(page, _)] = calls
    assert page == PageRequest("page", limit, number=number, cursor=None, count=True)
    assert page.offset == offset


def test_page_default_pagination_has_size_20_and_maximum_100(make_client: MakeClient) -> None:
    client = make_client({"/items": items(True, rows=numbered(150))})

    first = client.get("/items")
    largest = client.get("/items?per_page=100")
    over = client.get("/items?per_page=101")

    assert first.status_code == 200
    assert ids(first.get_json()) == list(range(1, 21))
    assert largest.status_code == 200
    assert len(largest.get_json()) == 100
    assert over.status_code == 422
    assert over.get_json()["errors"] == [
        {
            "in": "query",
            "name": "per_page",
            "detail": "Must be greater than or equal to 1 and less than or equal to 100.",
        }
    ]


def test_page_link_header_is_rfc8288_with_absolute_urls(make_client: MakeClient) -> None:
    client = make_client({"/items": items()}, url_prefix="/v1")

    response = client.get("/v1/items?page=2")

    assert response.status_code == 200
    assert response.headers["Link"] == (
        '<http://localhost/v1/items?page=1>; rel="first", '
        '<http://localhost/v1/items?page=1>; rel="prev", '
        '<http://localhost/v1/items?page=3>; rel="next", '
        '<http://localhost/v1/items?page=3>; rel="last"'
    )
    assert response.headers["X-Total-Count"] == "7"


@pytest.mark.parametrize(
    ("query", "expected", "page_ids"),
    [
        (
            "",
            {"first": "/items?page=1", "next": "/items?page=2", "last": "/items?page=3"},
            [1, 2, 3],
        ),
        (
            "?page=2",
            {
                "first": "/items?page=1",
                "prev": "/items?page=1",
                "next": "/items?page=3",
                "last": "/items?page=3",
            },
            [4, 5, 6],
        ),
        (
            "?page=3",
            {"first": "/items?page=1", "prev": "/items?page=2", "last": "/items?page=3"},
            [7],
        ),
        (
            "?page=2&per_page=5",
            {
                "first": "/items?page=1&per_page=5",
                "prev": "/items?page=1&per_page=5",
                "last": "/items?page=2&per_page=5",
            },
            [6, 7],
        ),
        (
            "?per_page=5",
            {
                "first": "/items?page=1&per_page=5",
                "next": "/items?page=2&per_page=5",
                "last": "/items?page=2&per_page=5",
            },
            [1, 2, 3, 4, 5],
        ),
        (
            "?tag=b&page=2&done=true&tag=a",
            {
                "first": "/items?done=true&page=1&tag=b&tag=a",
                "prev": "/items?done=true&page=1&tag=b&tag=a",
                "next": "/items?done=true&page=3&tag=b&tag=a",
                "last": "/items?done=true&page=3&tag=b&tag=a",
            },
            [4, 5, 6],
        ),
    ],
    ids=["first", "middle", "last", "sized-last", "sized-first", "other-parameters"],
)
def test_page_links_point_at_first_prev_next_last(
    make_client: MakeClient, query: str, expected: dict[str, str], page_ids: list[int]
) -> None:
    client = make_client({"/items": items()})

    response = client.get("/items" + query)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert links(response) == expected
    assert list(links(response)) == list(expected)  # in the order first, prev, next, last
    assert response.headers["X-Total-Count"] == "7"
    assert ids(response.get_json()) == page_ids


@pytest.mark.parametrize(
    ("number", "prev"), [(4, "3"), (100, "99"), (MAX_PAGE_NUMBER, str(MAX_PAGE_NUMBER - 1))]
)
def test_page_past_the_end_returns_empty_200_page(
    make_client: MakeClient, number: int, prev: str
) -> None:
    client = make_client({"/items": items()})

    response = client.get(f"/items?page={number}")

    assert response.status_code == 200
    assert links(response) == {
        "first": "/items?page=1",
        "prev": f"/items?page={prev}",
        "last": "/items?page=3",
    }
    assert response.headers["X-Total-Count"] == "7"
    assert response.get_json() == []


def test_page_of_empty_list_has_last_page_one_and_total_zero(make_client: MakeClient) -> None:
    client = make_client({"/items": items(rows=[])})

    response = client.get("/items")

    assert response.status_code == 200
    assert links(response) == {"first": "/items?page=1", "last": "/items?page=1"}
    assert response.headers["X-Total-Count"] == "0"
    assert response.get_json() == []


def test_page_head_returns_the_get_headers_without_body(make_client: MakeClient) -> None:
    client = make_client({"/items": items()})

    response = client.head("/items?page=2")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Link"] == client.get("/items?page=2").headers["Link"]
    assert response.headers["X-Total-Count"] == "7"
    assert response.data == b""


# --- invalid page parameters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("page=0", [("page", PAGE_RANGE)]),
        ("page=-1", [("page", PAGE_RANGE)]),
        ("page=abc", [("page", NOT_INTEGER)]),
        ("page=", [("page", NOT_INTEGER)]),
        ("page=1.5", [("page", NOT_INTEGER)]),
        ("page=2e3", [("page", NOT_INTEGER)]),
        ("page=%201", [("page", NOT_INTEGER)]),
        ("page=1_0", [("page", NOT_INTEGER)]),
        ("page=%D9%A3", [("page", NOT_INTEGER)]),  # an Arabic-Indic 3, which int() reads
        ("page=0x10", [("page", NOT_INTEGER)]),
        (f"page={MAX_PAGE_NUMBER + 1}", [("page", PAGE_RANGE)]),
        (f"page={2**64}", [("page", PAGE_RANGE)]),
        ("page=" + "9" * 5000, [("page", NOT_INTEGER)]),  # longer than int() converts
        ("per_page=6", [("per_page", SIZE_RANGE)]),
        ("per_page=0", [("per_page", SIZE_RANGE)]),
        ("per_page=-3", [("per_page", SIZE_RANGE)]),
        ("per_page=many", [("per_page", NOT_INTEGER)]),
        ("page=0&per_page=6", [("page", PAGE_RANGE), ("per_page", SIZE_RANGE)]),
        ("page=1&page=2", [("page", "Expected one value, got 2.")]),
        ("per_page=2&per_page=2", [("per_page", "Expected one value, got 2.")]),
    ],
)
def test_page_with_invalid_parameter_returns_422_naming_it(
    make_client: MakeClient, query: str, errors: list[tuple[str, str]]
) -> None:
    calls: Calls = []
    client = make_client({"/items": items(calls=calls)})

    response = client.get("/items?" + query)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "Link" not in response.headers
    assert response.get_json() == unprocessable(*errors)
    assert calls == []


def test_page_largest_page_number_is_accepted_without_next_link(make_client: MakeClient) -> None:
    def more(rows: Rows, page: PageRequest) -> Page[dict[str, int]]:
        return Page(rows[:1], has_next=True)

    client = make_client({"/items": items(PagePagination(count="never"), answer=more)})

    response = client.get(f"/items?page={MAX_PAGE_NUMBER}")

    assert response.status_code == 200
    # A next page would be over the maximum, which no request can ask for.
    assert links(response) == {
        "first": "/items?page=1",
        "prev": f"/items?page={MAX_PAGE_NUMBER - 1}",
    }


# --- counting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "counts", "total", "relations", "first"),
    [
        ("", False, None, ["first", "next"], "/items?page=1"),
        ("?count=false", False, None, ["first", "next"], "/items?count=false&page=1"),
        ("?count=true", True, "7", ["first", "next", "last"], "/items?count=true&page=1"),
        ("?count=1", True, "7", ["first", "next", "last"], "/items?count=1&page=1"),
    ],
)
def test_page_count_on_request_counts_only_when_asked(
    make_client: MakeClient,
    query: str,
    counts: bool,
    total: str | None,
    relations: list[str],
    first: str,
) -> None:
    calls: Calls = []
    pagination = PagePagination(default_size=3, count="on_request")
    client = make_client({"/items": items(pagination, calls=calls)})

    response = client.get("/items" + query)

    assert response.status_code == 200
    assert list(links(response)) == relations
    assert links(response)["first"] == first  # the count parameter is kept in every link
    assert response.headers.get("X-Total-Count") == total
    assert ids(response.get_json()) == [1, 2, 3]
    [(page, _)] = calls
    assert page.count is counts


def test_page_count_on_request_with_invalid_count_returns_422(make_client: MakeClient) -> None:
    pagination = PagePagination(count="on_request")
    client = make_client({"/items": items(pagination)})

    response = client.get("/items?count=maybe")

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(("count", "Not a valid boolean."))


@pytest.mark.parametrize("pagination", [THREES, PagePagination(count="never")])
def test_page_count_parameter_is_ignored_unless_count_is_on_request(
    make_client: MakeClient, pagination: PagePagination
) -> None:
    calls: Calls = []
    client = make_client({"/items": items(pagination, calls=calls)})

    response = client.get("/items?count=maybe")

    assert response.status_code == 200
    [(page, _)] = calls
    assert page.count is (pagination.count == "always")


@pytest.mark.parametrize(
    ("query", "expected", "page_ids"),
    [
        ("", {"first": "/items?page=1", "next": "/items?page=2"}, [1, 2, 3]),
        (
            "?page=2",
            {"first": "/items?page=1", "prev": "/items?page=1", "next": "/items?page=3"},
            [4, 5, 6],
        ),
        ("?page=3", {"first": "/items?page=1", "prev": "/items?page=2"}, [7]),
    ],
)
def test_page_count_never_sends_no_total_and_no_last_link(
    make_client: MakeClient, query: str, expected: dict[str, str], page_ids: list[int]
) -> None:
    calls: Calls = []
    pagination = PagePagination(default_size=3, count="never")
    client = make_client({"/items": items(pagination, calls=calls)})

    response = client.get("/items" + query)

    assert response.status_code == 200
    assert "X-Total-Count" not in response.headers
    assert links(response) == expected
    assert ids(response.get_json()) == page_ids
    assert calls[0][0].count is False


@pytest.mark.parametrize(
    ("pagination", "query"),
    [
        (PagePagination(default_size=3, count="never"), ""),
        (PagePagination(default_size=3, count="on_request"), "?count=false"),
    ],
    ids=["never", "not-requested"],
)
def test_page_total_returned_without_counting_is_not_used(
    make_client: MakeClient, pagination: PagePagination, query: str
) -> None:
    def always_counts(rows: Rows, page: PageRequest) -> Page[dict[str, int]]:
        return Page(rows[page.offset : page.offset + page.limit], total=len(rows))

    client = make_client({"/items": items(pagination, answer=always_counts)})

    response = client.get("/items" + query)

    assert response.status_code == 200
    assert "X-Total-Count" not in response.headers
    assert "last" not in links(response)


# --- what the method returns -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "query", "has_next"),
    [
        (6, "?page=1", True),  # a full page
        (6, "?page=2", True),  # a full page: the next one turns out empty
        (6, "?page=3", False),  # empty
        (7, "?page=3", False),  # not full
    ],
)
def test_page_without_total_or_has_next_takes_a_full_page_to_have_a_next(
    make_client: MakeClient, rows: int, query: str, has_next: bool
) -> None:
    client = make_client(
        {"/items": items(PagePagination(default_size=3, count="never"), rows=numbered(rows))}
    )

    response = client.get("/items" + query)

    assert response.status_code == 200
    assert ("next" in links(response)) is has_next


@pytest.mark.parametrize(
    ("size", "has_next", "expected"),
    [(3, False, False), (1, True, True), (0, True, True), (3, None, True), (1, None, False)],
    ids=["full-but-last", "short-but-more", "empty-but-more", "full-rule", "short-rule"],
)
def test_page_has_next_decides_the_next_link_without_total(
    make_client: MakeClient, size: int, has_next: bool | None, expected: bool
) -> None:
    def answer(rows: Rows, page: PageRequest) -> Page[dict[str, int]]:
        return Page(rows[:size], has_next=has_next)

    client = make_client(
        {"/items": items(PagePagination(default_size=3, count="never"), answer=answer)}
    )

    response = client.get("/items?page=2")

    assert response.status_code == 200
    assert ("next" in links(response)) is expected
    assert response.headers.get("X-Total-Count") is None


def test_page_total_wins_over_has_next(make_client: MakeClient) -> None:
    def answer(rows: Rows, page: PageRequest) -> Page[dict[str, int]]:
        return Page(rows[:3], total=3, has_next=True)

    client = make_client({"/items": items(answer=answer)})

    response = client.get("/items")

    assert response.status_code == 200
    assert links(response) == {"first": "/items?page=1", "last": "/items?page=1"}


def test_page_bare_list_is_one_page_by_the_full_page_rule(make_client: MakeClient) -> None:
    def answer(rows: Rows, page: PageRequest) -> Any:
        return rows[page.offset : page.offset + page.limit]

    client = make_client(
        {"/items": items(PagePagination(default_size=3, count="never"), answer=answer)}
    )

    response = client.get("/items?page=2")

    assert response.status_code == 200
    assert "X-Total-Count" not in response.headers
    assert links(response) == {
        "first": "/items?page=1",
        "prev": "/items?page=1",
        "next": "/items?page=3",
    }
    assert ids(response.get_json()) == [4, 5, 6]


def test_page_tuple_with_headers_keeps_them_beside_the_link(make_client: MakeClient) -> None:
    def answer(rows: Rows, page: PageRequest) -> Any:
        return Page(rows[:3], total=7), {"Cache-Control": "no-store"}

    client = make_client({"/items": items(answer=answer)})

    response = client.get("/items")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Total-Count"] == "7"
    assert "next" in links(response)


@pytest.mark.parametrize(
    ("pagination", "query", "answer", "message"),
    [
        (
            THREES,
            "",
            lambda rows, page: Page(rows[:3]),
            "Items.get is paginated with a total count and returned a Page without total=...",
        ),
        (
            THREES,
            "",
            lambda rows, page: rows[:3],
            "Items.get is paginated with a total count and returned a Page without total=...",
        ),
        (
            PagePagination(count="on_request"),
            "?count=true",
            lambda rows, page: Page(rows[:3]),
            "Items.get is paginated with a total count and returned a Page without total=...",
        ),
        (
            THREES,
            "",
            lambda rows, page: {"id": 1},
            "Items.get is paginated and returned dict; return Page(items, ...) or a list.",
        ),
        (
            THREES,
            "",
            lambda rows, page: "1, 2, 3",
            "Items.get is paginated and returned str; return Page(items, ...) or a list.",
        ),
    ],
    ids=["page-without-total", "list-without-total", "requested-count", "dict", "str"],
)
def test_page_method_returning_no_total_or_no_list_returns_logged_500(
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
    pagination: PagePagination,
    query: str,
    answer: Answer,
    message: str,
) -> None:
    client = make_client({"/items": items(pagination, answer=answer)})

    with caplog.at_level(logging.ERROR):
        response = client.get("/items" + query)

    assert response.status_code == 500
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "Link" not in response.headers
    assert response.get_json() == INTERNAL_ERROR
    (record,) = caplog.records
    assert record.getMessage() == "Exception on /items [GET]"
    assert record.exc_info is not None
    assert record.exc_info[0] is ResponseError
    assert str(record.exc_info[1]).startswith(message)


# --- the envelope ------------------------------------------------------------------------


def test_page_envelope_wraps_items_with_page_details_and_links(make_client: MakeClient) -> None:
    pagination = PagePagination(default_size=3, envelope=True)
    client = make_client({"/items": items(pagination)}, url_prefix="/v1")

    response = client.get("/v1/items?page=2")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Total-Count"] == "7"
    base = "http://localhost/v1/items"
    expected = {
        "first": f"{base}?page=1",
        "prev": f"{base}?page=1",
        "next": f"{base}?page=3",
        "last": f"{base}?page=3",
    }
    assert link_urls(response) == expected
    assert response.get_json() == {
        "items": [{"id": 4}, {"id": 5}, {"id": 6}],
        "page": 2,
        "per_page": 3,
        "total": 7,
        "links": expected,
    }


@pytest.mark.parametrize(
    ("count", "query"), [("never", ""), ("on_request", ""), ("on_request", "?count=false")]
)
def test_page_envelope_without_counting_has_no_total(
    make_client: MakeClient, count: Any, query: str
) -> None:
    pagination = PagePagination(default_size=3, count=count, envelope=True)
    client = make_client({"/items": items(pagination)})

    response = client.get("/items" + query)

    assert response.status_code == 200
    assert "X-Total-Count" not in response.headers
    body = response.get_json()
    assert list(body) == ["items", "page", "per_page", "links"]
    assert body["items"] == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert body["links"] == link_urls(response)


def test_page_envelope_of_bare_list_wraps_it(make_client: MakeClient) -> None:
    def answer(rows: Rows, page: PageRequest) -> Any:
        return rows[:2]

    pagination = PagePagination(default_size=3, count="never", envelope=True)
    client = make_client({"/items": items(pagination, answer=answer)})

    response = client.get("/items")

    assert response.status_code == 200
    assert response.get_json() == {
        "items": [{"id": 1}, {"id": 2}],
        "page": 1,
        "per_page": 3,
        "links": {"first": "http://localhost/items?page=1"},
    }
