"""Property tests of request parsing through the Flask test client: never a 500.

A small restkit app with a representative body schema (strings with `Length`, an `Integer`
with `Range`, a `Decimal`, a `List`, a `Nested` object and a list of them, an `Enum`, a
`DateTime`) is sent random JSON bodies (huge integers, deep lists, any unicode, NUL), random
bytes and random `Content-Type`s. Every answer is a 201 whose body is what the schema dumps
for the loaded input, or a documented problem (400, 413, 415, 422) as
`application/problem+json` whose `errors` pointers are JSON Pointers into the sent document.

Paginated lists (by page number and by cursor) are sent random query strings and answer 200
or a 422 naming a sent parameter. Cursor positions (ints, any unicode, None, datetimes,
decimals as the sqla layer writes them) round trip through the `next` link, and a mutated
or random cursor is the documented 422, or (when the mutation changes no decoded byte: base64's
spare bits, characters outside its alphabet) the same position. The sqla layer's keyset
positions round trip through JSON, and any JSON position decodes to values or its 422.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jsonpointer
import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import event, example, given
from hypothesis import strategies as st
from marshmallow import Schema, fields, validate
from werkzeug.test import TestResponse

from restkit import Api, Blueprint, Resource, operation
from restkit._fields import NUL_MESSAGE
from restkit.pagination import CursorPagination, Page, PagePagination, PageRequest
from restkit.problems import UnprocessableContent
from restkit.sqla.filtering import SortKey
from restkit.sqla.paging import decode_position, encode_position
from tests.property_helpers import PROPERTY

PROBLEM_JSON = "application/problem+json"
POINTER = re.compile(r"(/([^~/]|~[01])*)*")
SECRET = "a secret of more than sixteen characters"
MAX_BODY = 4096
INVALID_CURSOR = (
    "The cursor is invalid, expired, or from another list or filter; start again from the "
    "first page (without cursor)."
)


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Part(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=10))
    qty = fields.Integer(validate=validate.Range(min=0, max=100))


class ItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=20))
    count = fields.Integer(validate=validate.Range(min=0, max=1000))
    price = fields.Decimal(places=2, as_string=True)
    tags = fields.List(
        fields.String(validate=validate.Length(max=5)), validate=validate.Length(max=4)
    )
    part = fields.Nested(Part)
    parts = fields.List(fields.Nested(Part))
    color = fields.Enum(Color)
    due = fields.DateTime()


class Filter(Schema):
    done = fields.Boolean()
    q = fields.String(validate=validate.Length(max=10))
    min = fields.Integer(validate=validate.Range(min=0))
    tag = fields.List(fields.String())


class Items(Resource):
    @operation(body=ItemSchema, response=ItemSchema, status=201)
    def post(self, body: dict[str, Any]) -> Any:
        return {"id": 1, **body}, 201, {"Location": "/items/1"}


class Row(Schema):
    id = fields.Integer()


def numbered(page: PageRequest) -> Any:
    rows = [{"id": n} for n in range(1, 8)]
    return Page(rows[page.offset : page.offset + page.limit], total=len(rows))


class Pages(Resource):
    @operation(
        query=Filter, response=Row(many=True), pagination=PagePagination(default_size=3, max_size=5)
    )
    def get(self, query: Any, page: PageRequest) -> Any:
        return numbered(page)


seen: list[Any] = []  # the cursor positions the cursor list received, latest last
answers: list[Any] = []  # the position the cursor list answers with as its next cursor


class Cursors(Resource):
    @operation(
        query=Filter,
        response=Row(many=True),
        pagination=CursorPagination(default_size=3, max_size=5),
    )
    def get(self, query: Any, page: PageRequest) -> Any:
        seen.append(page.cursor)
        return Page([{"id": 1}], next_cursor=answers[-1] if answers else None)


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    blueprint = Blueprint("reliability")
    for resource, rule in ((Items, "/items"), (Pages, "/pages"), (Cursors, "/cursors")):
        blueprint.add_resource(resource, rule)
    app = Flask(__name__)
    app.config["SECRET_KEY"] = SECRET
    api = Api(max_body_size=MAX_BODY)
    api.register_blueprint(blueprint)
    api.init_app(app)
    return app.test_client()


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**200), 2**200)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["", "\x00", "red", "RED", "2024-01-02T03:04:05", "12.345", "a" * 30])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=25,
)
FIELD_VALUES = {
    "title": st.text(max_size=25) | SCALARS,
    "count": st.integers(-5, 1005) | st.integers(2**63, 2**70) | SCALARS,
    "price": st.decimals(allow_nan=False, allow_infinity=False).map(str) | SCALARS,
    "tags": st.lists(st.text(max_size=6), max_size=5) | JSON,
    "part": st.fixed_dictionaries({}, optional={"name": SCALARS, "qty": SCALARS}) | JSON,
    "parts": st.lists(st.fixed_dictionaries({"name": st.text(max_size=12)}), max_size=3) | JSON,
    "color": st.sampled_from(["RED", "BLUE", "red", "GREEN"]) | SCALARS,
    "due": st.datetimes().map(dt.datetime.isoformat) | SCALARS,
    "id": SCALARS,
    "other": JSON,
}
VALID = st.fixed_dictionaries(
    {"title": st.text(min_size=1, max_size=20)},
    optional={
        "count": st.integers(0, 1000),
        "price": st.decimals("-1e6", "1e6", places=2).map(str),
        "tags": st.lists(st.text(max_size=5), max_size=4),
        "part": st.fixed_dictionaries({"name": st.text(min_size=1, max_size=10)}),
        "color": st.sampled_from(["RED", "BLUE"]),
        "due": st.datetimes().map(dt.datetime.isoformat),
    },
)
BODIES = (
    VALID
    | st.fixed_dictionaries({}, optional=FIELD_VALUES)
    | JSON
    | st.integers(1, 300).map(lambda depth: json.loads("[" * depth + "]" * depth))
    # around the body size limit: 413 above it, the schema's 422 at or below it
    | st.integers(MAX_BODY - 16, MAX_BODY + 16).map(lambda size: {"title": "x" * (size - 13)})
)


def pointer_is_in(pointer: str, document: Any) -> bool:
    """Whether a pointer names a value of the document, or a member missing from an object."""
    if pointer == "":
        return True
    parent, _, last = pointer.rpartition("/")
    try:
        container = jsonpointer.resolve_pointer(document, parent)
    except jsonpointer.JsonPointerException:
        return False
    token = last.replace("~1", "/").replace("~0", "~")
    if isinstance(container, list):
        return token.isdigit() and int(token) < len(container)
    return isinstance(container, dict)


def assert_problem(response: TestResponse, statuses: tuple[int, ...]) -> dict[str, Any]:
    """Check a problem response and return its body."""
    assert response.status_code in statuses, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == PROBLEM_JSON
    body = response.get_json()
    assert body["status"] == response.status_code
    assert body["type"] == "about:blank"
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert body["title"]
    assert body["detail"]
    assert ("errors" in body) == (response.status_code == 422)
    return body


@PROPERTY
@given(body=BODIES)
@example(body={"title": "a", "count": 2**64})
@example(body={"title": "\x00", "tags": ["\x00"], "part": {"name": "x" * 11}})
@example(body={"title": "a", "parts": [{"name": ""}, {"qty": 1}]})
def test_random_json_body_gives_201_or_documented_problem(client: FlaskClient, body: Any) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    response = client.post("/items", data=raw, content_type="application/json")
    event(f"status {response.status_code}")
    if response.status_code == 201:
        assert response.headers["Content-Type"] == "application/json"
        loaded = ItemSchema().load(body)
        if "due" in loaded and loaded["due"].tzinfo is None:
            loaded["due"] = loaded["due"].replace(tzinfo=dt.UTC)  # restkit sends naive as UTC
        expected = ItemSchema().dump({"id": 1, **loaded})
        assert response.get_json() == json.loads(json.dumps(expected))
        return
    if len(raw) > MAX_BODY:
        assert_problem(response, (413,))
        return
    problem = assert_problem(response, (400, 422))
    for error in problem.get("errors", []):
        assert error["in"] == "body"
        assert POINTER.fullmatch(error["pointer"]), error
        assert pointer_is_in(error["pointer"], body), (error, body)


CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "text/plain",
        "application/problem+json",
        "application/x-www-form-urlencoded",
    ]
) | st.text(st.characters(exclude_characters="\r\n"), max_size=12)


@PROPERTY
@given(
    raw=st.binary(max_size=64) | BODIES.map(lambda v: json.dumps(v).encode()),
    content_type=CONTENT_TYPES,
)
@example(raw=b'{"title": "\xff"}', content_type="application/json")
@example(raw=b'{"title": "a", "title": "b"}', content_type="application/json; charset=latin-1")
def test_random_bytes_and_content_type_give_201_or_documented_problem(
    client: FlaskClient, raw: bytes, content_type: str | None
) -> None:
    response = client.post("/items", data=raw, content_type=content_type)
    event(f"status {response.status_code}")
    if response.status_code != 201:
        assert_problem(response, (400, 413, 415, 422))


QUERY_KEYS = st.sampled_from(
    ["done", "q", "min", "tag", "page", "per_page", "limit", "cursor", "x"]
)
QUERY_VALUES = st.sampled_from(
    ["", "0", "1", "-1", "5", "6", "true", "no", "2147483648", str(2**64), str(10**400), "\x00"]
) | st.text(max_size=12)
QUERIES = st.lists(st.tuples(QUERY_KEYS | st.text(max_size=4), QUERY_VALUES), max_size=6)


def assert_query_problem(response: TestResponse, sent: list[tuple[str, str]]) -> None:
    problem = assert_problem(response, (422,))
    names = {key for key, _ in sent}
    for error in problem["errors"]:
        assert error["in"] == "query"
        assert error["name"] in names, (error, sent)


@PROPERTY
@given(query=QUERIES, path=st.sampled_from(["/pages", "/cursors"]))
@example(query=[("page", str(2**64))], path="/pages")
@example(query=[("per_page", "1"), ("per_page", "2")], path="/pages")
@example(query=[("cursor", "\x00")], path="/cursors")
def test_random_query_string_gives_200_or_422(
    client: FlaskClient, query: list[tuple[str, str]], path: str
) -> None:
    response = client.get(f"{path}?{urlencode(query)}")
    event(f"status {response.status_code}")
    if response.status_code == 200:
        assert response.headers["Content-Type"] == "application/json"
        assert response.get_json() == [{"id": n} for n in range(1, 8)][: len(response.get_json())]
        assert 'rel="first"' in response.headers["Link"]
        return
    assert_query_problem(response, query)


KEYSET_VALUES = (
    st.none()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text()
    | st.datetimes(timezones=st.sampled_from([None, dt.UTC]))
    # decimals as the sqla layer writes them into positions: their text
    | st.decimals(allow_nan=False, allow_infinity=False).map(str)
)
POSITIONS = st.lists(KEYSET_VALUES, min_size=1, max_size=4)


def next_cursor(client: FlaskClient, position: Any, query: str = "q=a") -> str:
    answers.append(position)
    response = client.get(f"/cursors?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    [url] = [part for part in response.headers["Link"].split(", ") if part.endswith('"next"')]
    [cursor] = parse_qs(urlsplit(url[1 : url.index(">")]).query)["cursor"]
    return cursor


@PROPERTY
@given(position=POSITIONS)
def test_cursor_position_round_trips_through_next_link(client: FlaskClient, position: Any) -> None:
    cursor = next_cursor(client, position)
    response = client.get("/cursors", query_string={"q": "a", "cursor": cursor})
    assert response.status_code == 200, response.get_data(as_text=True)
    # Positions are JSON: a datetime comes back as its ISO text (docs: restkit.pagination).
    assert seen[-1] == orjson.loads(orjson.dumps(position))


CURSOR_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."


@PROPERTY
@given(position=POSITIONS, data=st.data())
def test_mutated_cursor_gives_422_or_same_position(
    client: FlaskClient, position: Any, data: st.DataObject
) -> None:
    cursor = next_cursor(client, position)
    kind = data.draw(st.sampled_from(["replace", "cut", "append", "random", "other filter"]))
    query = {"q": "a"}
    if kind == "replace":
        at = data.draw(st.integers(0, len(cursor) - 1))
        char = data.draw(st.sampled_from(CURSOR_ALPHABET).filter(lambda c: c != cursor[at]))
        forged = cursor[:at] + char + cursor[at + 1 :]
    elif kind == "cut":
        forged = cursor[: data.draw(st.integers(1, len(cursor) - 1))]
    elif kind == "append":
        forged = cursor + data.draw(st.text(min_size=1, max_size=4))
    elif kind == "random":
        forged = data.draw(st.text(CURSOR_ALPHABET, min_size=1) | st.text(min_size=1))
    else:
        forged, query = cursor, {"q": "b"}
    seen.clear()
    response = client.get("/cursors", query_string={**query, "cursor": forged})
    if response.status_code == 200:
        # base64's last character has spare bits, and its decoder skips characters outside
        # its alphabet: such a change alters no decoded byte, so the position is the same.
        assert kind in ("replace", "append")
        assert seen == [orjson.loads(orjson.dumps(position))]
        return
    problem = assert_problem(response, (422,))
    # A NUL is refused before the cursor is read, as in any other string.
    detail = NUL_MESSAGE if "\x00" in forged else INVALID_CURSOR
    assert problem["errors"] == [{"in": "query", "name": "cursor", "detail": detail}]
    assert seen == []


class Sortable(sa.orm.DeclarativeBase):
    """The models of the keyset position tests."""


class Row(Sortable):
    __tablename__ = "row"
    id = sa.orm.mapped_column(sa.Integer, primary_key=True)
    title = sa.orm.mapped_column(sa.String, nullable=True)
    due = sa.orm.mapped_column(sa.DateTime(timezone=True), nullable=True)
    price = sa.orm.mapped_column(sa.Numeric, nullable=True)
    ref = sa.orm.mapped_column(sa.Uuid, nullable=True)
    span = sa.orm.mapped_column(sa.Interval, nullable=True)


SORT_KEYS = [SortKey.of(name, Row.__table__.c[name]) for name in ("title", "due", "price", "id")]
ROW_VALUES = st.fixed_dictionaries(
    {
        "title": st.none() | st.text(),
        "due": st.none()
        | st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5))])),
        "price": st.none() | st.decimals(allow_nan=False, allow_infinity=False),
        "id": st.integers(-(2**63), 2**63 - 1),
    }
)


@PROPERTY
@given(values=ROW_VALUES)
def test_keyset_position_round_trips_through_json(values: dict[str, Any]) -> None:
    position = encode_position(Row(**values), SORT_KEYS)
    # What a cursor carries: the position as JSON, signed.
    carried = orjson.loads(orjson.dumps(position))
    assert decode_position(carried, SORT_KEYS) == [values[key.attribute] for key in SORT_KEYS]


@pytest.mark.parametrize("column", ["price", "ref", "span"])
@PROPERTY
@given(position=JSON)
@example(position=["abc"])
@example(position=[5])
@example(position=[1e300])
def test_keyset_position_of_any_json_gives_values_or_422(column: str, position: Any) -> None:
    try:
        decode_position(position, [SortKey.of(column, Row.__table__.c[column])])
    except UnprocessableContent as problem:
        raised = problem
    else:
        return
    [error] = raised.errors
    assert (raised.status, error.location, error.name) == (422, "query", "cursor")
