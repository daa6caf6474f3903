"""Pagination: long lists in pages, by page number or by cursor, with one API for both.

```python
class Tasks(Resource):
    pagination = CursorPagination(default_size=20, max_size=100)

    @operation(query=TaskFilter, response=TaskSchema(many=True), pagination=True)
    def get(self, query, page: PageRequest):
        rows = find_tasks(query, after=page.cursor, limit=page.limit + 1)
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        return Page(rows, next_cursor=rows[-1].id if more else None)
```

Two kinds:

- **page** (`PagePagination`): `?page=2&per_page=20`. The method reads `page.offset` and
  `page.limit` and returns `Page(items, total=...)`. The total is sent as `X-Total-Count`
  and gives the `last` link; with `count="on_request"`, only when the client asks with
  `?count=true` (`page.count` tells the method).
- **cursor** (`CursorPagination`): `?limit=20&cursor=...`. The method reads `page.cursor`,
  the position it put in `next_cursor` (or `prev_cursor`) on the previous page, and returns
  `Page(items, next_cursor=...)`. restkit signs the position (itsdangerous, with the app's
  `SECRET_KEY`) into an opaque, tamper-evident cursor bound to the path and the other query
  parameters: a forged cursor, one from another list or filter, or one older than `max_age`
  is a 422 problem. Positions are JSON values (a datetime comes back as its ISO string).

Every page answers with an RFC 8288 `Link` header (`first`, `prev`, `next`, and `last` when
the total is known); with `envelope=True` the body is an object with `items`, the page's
details and `links` instead of a bare list. A page number past the end is an empty page; a
page size over the maximum or a page number over 2³¹-1 is a 422 problem.

Declare the defaults on an `Api`, a `Blueprint` or a `Resource` (`pagination=...`); every
GET whose response is a list is then paginated, and its method must take `page`. An
operation says `pagination=True` to use them, gives its own, or `pagination=False`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

import marshmallow as ma
import orjson
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

from restkit.errors import DeclarationError, ResponseError
from restkit.problems import InputError

__all__ = [
    "MAX_PAGE_NUMBER",
    "CursorPagination",
    "Page",
    "PagePagination",
    "PageRequest",
    "Pagination",
]

T = TypeVar("T")

MAX_PAGE_NUMBER = 2**31 - 1
"""The largest page number accepted; larger is a 422 problem."""

TOTAL_COUNT_HEADER = "X-Total-Count"


@dataclass(frozen=True, slots=True)
class Pagination:
    """What both kinds share. Use `PagePagination` or `CursorPagination`.

    Attributes:
        default_size: The page size when the client gives none.
        max_size: The largest page size a client may ask for.
        envelope: Whether the body is an object (`items`, page details, `links`) instead of
            a bare list; the `Link` header is sent either way.
    """

    default_size: int = 20
    max_size: int = 100
    envelope: bool = False

    kind: Literal["page", "cursor"] = field(default="page", init=False)

    def __post_init__(self) -> None:
        for name in ("default_size", "max_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise DeclarationError(
                    f"{type(self).__name__} {name}={value!r} must be a positive integer."
                )
        if self.default_size > self.max_size:
            raise DeclarationError(
                f"{type(self).__name__} default_size={self.default_size} is larger than "
                f"max_size={self.max_size}."
            )


@dataclass(frozen=True, slots=True)
class PagePagination(Pagination):
    """Pages by number: `?page=1&per_page=20`.

    Attributes:
        count: When the total is counted: `"always"`, `"on_request"` (when the client sends
            `?count=true`) or `"never"` (then there is no `last` link).
    """

    count: Literal["always", "on_request", "never"] = "always"

    def __post_init__(self) -> None:
        Pagination.__post_init__(self)
        if self.count not in ("always", "on_request", "never"):
            raise DeclarationError(
                f"PagePagination count={self.count!r}; use 'always', 'on_request' or 'never'."
            )
        object.__setattr__(self, "kind", "page")


@dataclass(frozen=True, slots=True)
class CursorPagination(Pagination):
    """Pages by opaque cursor: `?limit=20&cursor=...`, stable while rows come and go.

    Attributes:
        max_age: How long a cursor stays valid, in seconds; `None` for ever.
    """

    max_age: int | None = None

    def __post_init__(self) -> None:
        Pagination.__post_init__(self)
        if self.max_age is not None and (
            isinstance(self.max_age, bool) or not isinstance(self.max_age, int) or self.max_age < 1
        ):
            raise DeclarationError(f"CursorPagination max_age={self.max_age!r} must be seconds.")
        object.__setattr__(self, "kind", "cursor")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """The page a request asks for, passed to the method as `page`.

    Attributes:
        kind: `"page"` or `"cursor"`.
        limit: The page size (`per_page` or `limit`).
        number: The page number, from 1 (page kind; 1 for the cursor kind).
        cursor: The position the method put in the cursor, or `None` for the first page
            (cursor kind).
        count: Whether the method should count the total (page kind).
    """

    kind: Literal["page", "cursor"]
    limit: int
    number: int = 1
    cursor: Any = None
    count: bool = False

    @property
    def offset(self) -> int:
        """How many items come before this page: `(number - 1) * limit`."""
        return (self.number - 1) * self.limit


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of items, as a paginated method returns it.

    Attributes:
        items: The page's items, dumped with the operation's response schema.
        total: The number of items in all pages (page kind), when counted.
        has_next: Whether a next page exists (page kind), when there is no total; without
            either, a full page is taken to have a next one.
        next_cursor: The position after this page (cursor kind), or `None` on the last page.
        prev_cursor: The position before this page (cursor kind), if the method can go back.
    """

    items: Sequence[T]
    total: int | None = None
    has_next: bool | None = None
    next_cursor: Any = None
    prev_cursor: Any = None


class _Json:
    """itsdangerous's serializer interface over orjson."""

    @staticmethod
    def dumps(value: Any) -> str:
        return orjson.dumps(value).decode()

    @staticmethod
    def loads(value: str | bytes) -> Any:
        return orjson.loads(value)


class PaginationPlan:
    """Reads one operation's page parameters and writes its pages.

    Args:
        pagination: The declaration.
        secret: The key cursors are signed with (cursor kind).
    """

    def __init__(self, pagination: Pagination, secret: str | bytes | None = None) -> None:
        from restkit._locations import _LocationPlan

        self.pagination = pagination
        fields = query_fields(pagination)
        self.names = frozenset(fields)
        self.plan = _LocationPlan("query", ma.Schema.from_dict(fields)())
        self.signer: URLSafeTimedSerializer | None = None
        if isinstance(pagination, CursorPagination):
            if not secret:
                raise DeclarationError(
                    "Cursor pagination signs its cursors with the app's SECRET_KEY (or the "
                    "cursor_secret setting); set one."
                )
            self.signer = URLSafeTimedSerializer(
                secret,
                salt="restkit.cursor",
                serializer=_Json,
                signer_kwargs={"digest_method": hashlib.sha256},
            )

    def read(self, request: Request, errors: list[InputError]) -> PageRequest | None:
        """Return the requested page, or `None` after adding its errors to `errors`."""
        before = len(errors)
        values = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k in self.names])
        data = self.plan.read_multidict(values, errors)
        loaded = self.plan.load(data, errors)
        if loaded is None or len(errors) > before:
            return None
        pagination = self.pagination
        if isinstance(pagination, PagePagination):
            return PageRequest(
                "page",
                loaded.get("per_page", pagination.default_size),
                number=loaded.get("page", 1),
                count=pagination.count == "always" or loaded.get("count", False),
            )
        position = None
        cursor = loaded.get("cursor")
        if cursor is not None:
            position = self._decode(cursor, request, errors)
            if len(errors) > before:
                return None
        return PageRequest("cursor", loaded.get("limit", pagination.default_size), cursor=position)

    def _decode(self, cursor: str, request: Request, errors: list[InputError]) -> Any:
        if self.signer is None:
            raise AssertionError("a cursor plan has a signer")
        max_age = getattr(self.pagination, "max_age", None)
        try:
            payload = self.signer.loads(cursor, max_age=max_age)
        except BadData:
            payload = None
        if not isinstance(payload, dict) or payload.get("q") != _query_hash(request):
            errors.append(
                InputError(
                    "query",
                    "The cursor is invalid, expired, or from another list or filter; start "
                    "again from the first page (without cursor).",
                    name="cursor",
                )
            )
            return None
        return payload.get("p")

    def _encode(self, position: Any, request: Request) -> str:
        if self.signer is None:
            raise AssertionError("a cursor plan has a signer")
        try:
            token: str = self.signer.dumps({"p": position, "q": _query_hash(request)})
        except TypeError as error:
            raise ResponseError(
                f"A cursor position must be JSON (numbers, strings, lists, dicts); got "
                f"{position!r}: {error}"
            ) from None
        return token

    def page_of(self, value: Any, page: PageRequest, qualname: str) -> Page[Any]:
        """Return the method's return value as a `Page` (a bare list is one page)."""
        if isinstance(value, Page):
            result = value
        elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
            result = Page(value)
        else:
            raise ResponseError(
                f"{qualname} is paginated and returned {type(value).__name__}; return "
                "Page(items, ...) or a list."
            )
        if page.kind == "page" and page.count and result.total is None:
            raise ResponseError(
                f"{qualname} is paginated with a total count and returned a Page without "
                "total=...; count the items of all pages (or declare count='never')."
            )
        return result

    def links(self, request: Request, page: PageRequest, result: Page[Any]) -> dict[str, str]:
        """Return the page's links by relation: first, prev, next, last."""
        links: dict[str, str] = {}
        if page.kind == "page":
            links["first"] = _url(request, page=1)
            if page.number > 1:
                links["prev"] = _url(request, page=page.number - 1)
            last = None
            if result.total is not None and page.count:
                last = max(1, math.ceil(result.total / page.limit))
                has_next = page.number < last
            elif result.has_next is not None:
                has_next = result.has_next
            else:
                has_next = len(result.items) >= page.limit
            if has_next and page.number < MAX_PAGE_NUMBER:
                links["next"] = _url(request, page=page.number + 1)
            if last is not None:
                links["last"] = _url(request, page=last)
            return links
        links["first"] = _url(request, cursor=None)
        if result.prev_cursor is not None:
            links["prev"] = _url(request, cursor=self._encode(result.prev_cursor, request))
        if result.next_cursor is not None:
            links["next"] = _url(request, cursor=self._encode(result.next_cursor, request))
        return links

    def headers(
        self, links: Mapping[str, str], page: PageRequest, result: Page[Any]
    ) -> list[tuple[str, str]]:
        """Return the `Link` header and, when counted, `X-Total-Count`."""
        value = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
        headers = [("Link", value)]
        if page.kind == "page" and result.total is not None and page.count:
            headers.append((TOTAL_COUNT_HEADER, str(result.total)))
        return headers

    def envelope(
        self, items: Any, links: Mapping[str, str], page: PageRequest, result: Page[Any]
    ) -> dict[str, Any]:
        """Return the envelope body around the dumped items."""
        if page.kind == "page":
            body: dict[str, Any] = {"items": items, "page": page.number, "per_page": page.limit}
            if result.total is not None and page.count:
                body["total"] = result.total
        else:
            body = {
                "items": items,
                "limit": page.limit,
                "next_cursor": _cursor_of(links.get("next")),
            }
        body["links"] = dict(links)
        return body


def _cursor_of(url: str | None) -> str | None:
    if url is None:
        return None
    return parse_qs(urlsplit(url).query)["cursor"][0]


def query_fields(pagination: Pagination) -> dict[str, ma.fields.Field[Any]]:
    """Return the query parameters of a pagination, as marshmallow fields."""
    size = ma.validate.Range(min=1, max=pagination.max_size)
    if isinstance(pagination, PagePagination):
        fields: dict[str, ma.fields.Field[Any]] = {
            "page": ma.fields.Integer(
                validate=ma.validate.Range(min=1, max=MAX_PAGE_NUMBER),
                metadata={"description": "The page number, from 1."},
            ),
            "per_page": ma.fields.Integer(
                validate=size,
                metadata={"description": f"Items per page; {pagination.default_size} by default."},
            ),
        }
        if pagination.count == "on_request":
            fields["count"] = ma.fields.Boolean(
                metadata={"description": "Whether to count the items of all pages."}
            )
        return fields
    return {
        "cursor": ma.fields.String(
            validate=ma.validate.Length(min=1, max=4096),
            metadata={"description": "The `next` (or `prev`) cursor of the previous page."},
        ),
        "limit": ma.fields.Integer(
            validate=size,
            metadata={"description": f"Items per page; {pagination.default_size} by default."},
        ),
    }


def _query_hash(request: Request) -> str:
    # A cursor is valid only for the list and filters it came from.
    parts = sorted(
        (key, value)
        for key, value in request.args.items(multi=True)
        if key not in ("cursor", "limit")
    )
    text = orjson.dumps([request.path, parts])
    return hashlib.sha256(text).hexdigest()[:16]


def _url(request: Request, **changes: Any) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    args.extend((k, str(v)) for k, v in changes.items() if v is not None)
    query = urlencode(args)
    return request.base_url + ("?" + query if query else "")
