"""Helpers of the pagination tests: a paginated resource, `Link` headers, problems."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from marshmallow import Schema, fields
from werkzeug.test import TestResponse

from restkit import Resource, operation
from restkit.pagination import Page, PagePagination, PageRequest, Pagination

Rows = list[dict[str, int]]
Answer = Callable[[Rows, PageRequest], Any]
Calls = list[tuple[PageRequest, Any]]

PROBLEM_JSON = "application/problem+json"
PAGE_RANGE = "Must be greater than or equal to 1 and less than or equal to 2147483647."
SIZE_RANGE = "Must be greater than or equal to 1 and less than or equal to 5."  # of THREES

_LINK = re.compile(r'<([^<>]*)>; rel="([a-z]+)"')


def link_urls(response: TestResponse) -> dict[str, str]:
    """Return the `Link` header's absolute URLs by relation, in header order.

    The header must be exactly `<url>; rel="name"` entries joined by `", "`.
    """
    found: dict[str, str] = {}
    for part in response.headers["Link"].split(", "):
        match = _LINK.fullmatch(part)
        assert match is not None, f"not an RFC 8288 link: {part!r}"
        assert match[2] not in found, f"relation {match[2]!r} is repeated"
        found[match[2]] = match[1]
    return found


def normalized(url: str) -> str:
    """Return an absolute test-client URL as its path and its query sorted by name.

    `http://localhost/v1/items?page=2&done=true` becomes `/v1/items?done=true&page=2`, so a
    test can compare links without depending on the order restkit writes parameters in. The
    values of a repeated name keep their order (`?tag=b&tag=a` is not `?tag=a&tag=b`).
    """
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "localhost"), url
    query = sorted(parse_qsl(parts.query, keep_blank_values=True), key=lambda pair: pair[0])
    return parts.path + ("?" + urlencode(query) if query else "")


def links(response: TestResponse) -> dict[str, str]:
    """Return the `Link` header by relation, each URL `normalized`."""
    return {rel: normalized(url) for rel, url in link_urls(response).items()}


def unprocessable(*errors: tuple[str, str]) -> dict[str, Any]:
    """Return the 422 problem listing `(name, detail)` errors of query parameters."""
    count = len(errors)
    return {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": f"The request contains {count} invalid value{'s' if count > 1 else ''}.",
        "errors": [{"in": "query", "name": name, "detail": detail} for name, detail in errors],
    }


INTERNAL_ERROR = {
    "type": "about:blank",
    "title": "Internal Server Error",
    "status": 500,
    "detail": "The server could not complete the request.",
}

THREES = PagePagination(default_size=3, max_size=5)


class ItemSchema(Schema):
    id = fields.Integer()


def numbered(count: int) -> Rows:
    return [{"id": n} for n in range(1, count + 1)]


SEVEN = numbered(7)  # pages of 3: [1, 2, 3], [4, 5, 6], [7]


def counted(rows: Rows, page: PageRequest) -> Page[dict[str, int]]:
    """What a paginated method does: return one slice, and the total when asked to count."""
    return Page(
        rows[page.offset : page.offset + page.limit], total=len(rows) if page.count else None
    )


def items(
    pagination: Pagination | bool | None = THREES,
    *,
    on_resource: Pagination | bool | None = None,
    rows: Rows = SEVEN,
    answer: Answer = counted,
    query: type[Schema] | None = None,
    calls: Calls | None = None,
) -> type[Resource]:
    """Return a resource `Items` listing `rows`, whose get answers `answer(rows, page)`.

    `pagination` is the operation's declaration, `on_resource` the resource's.
    """

    def get(self: Resource, page: PageRequest, query: Any = None) -> Any:
        if calls is not None:
            calls.append((page, query))
        return answer(rows, page)

    declared = operation(query=query, response=ItemSchema(many=True), pagination=pagination)
    return type("Items", (Resource,), {"get": declared(get), "pagination": on_resource})


def ids(body: Any) -> list[int]:
    return [item["id"] for item in body]
