"""The example of docs/sqla.md (docs/examples/sqla.py), driven through the Flask test client.

Every `console` transcript of the page is replayed, in order, against a fresh app, and must
print exactly what the page shows; the tests below check what the page says in prose: the
rows are scoped to the caller, the owner is the server's to set, deleting a shelf deletes its
books, and the OpenAPI document is valid. Those with a database run on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from openapi_spec_validator import validate
from sqlalchemy import event, func, select

from restkit import DeclarationError
from restkit.sqla import ModelCollection, ModelItem
from tests.pagination_helpers import link_urls
from tests.test_docs_examples import load_example
from tests.transcripts import console_blocks as page_blocks
from tests.transcripts import curl_through, replay

PAGE = Path(__file__).resolve().parent.parent / "docs" / "sqla.md"
# The time the page's cursors were signed at, so that they come out the same.
SIGNED_AT = 1_800_000_000
ADA = {"Authorization": "Bearer ada-reading-token"}
ALAN = {"Authorization": "Bearer alan-reading-token"}
MERGE_PATCH = "application/merge-patch+json"


# --- replaying the page's transcripts ---------------------------------------------------------


def console_blocks() -> list[str]:
    """Return the text of each `console` block of docs/sqla.md, in page order."""
    return page_blocks(PAGE.read_text(encoding="utf-8"))


def transcripts(client: FlaskClient) -> list[str]:
    """Replay every block of the page, in order; return what each printed."""
    variables: dict[str, str] = {}
    return [replay(block, variables, curl_through(client)) for block in console_blocks()]


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_example("sqla", monkeypatch)


@pytest.fixture
def app(
    example: ModuleType,
    sqla_database: tuple[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    """The example's app on each test database, its cursors signed at `SIGNED_AT`."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: SIGNED_AT)
    url, options = sqla_database
    made: Flask = example.create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}
    )
    yield made
    with made.app_context():
        example.db.session.remove()
        example.db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def add_shelf(client: FlaskClient, name: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post("/v1/shelves", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def add_book(client: FlaskClient, shelf_id: int, title: str, **fields: Any) -> dict[str, Any]:
    book = {"title": title, "author": "George Eliot", **fields}
    response = client.post(f"/v1/shelves/{shelf_id}/books", json=book, headers=ADA)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


# --- the page -------------------------------------------------------------------------------


def test_page_transcripts_print_what_the_example_answers(client: FlaskClient) -> None:
    blocks = console_blocks()

    printed = transcripts(client)

    assert len(blocks) >= 8
    assert printed == blocks


def test_page_snippets_name_sections_of_the_example() -> None:
    page = PAGE.read_text(encoding="utf-8")
    source = (PAGE.parent / "examples" / "sqla.py").read_text(encoding="utf-8")

    included = re.findall(r'--8<-- "docs/examples/sqla\.py:(\w+)"', page)

    assert included == ["models", "schemas", "auth", "shelves", "books", "app"]
    for name in included:
        assert f"# --8<-- [start:{name}]" in source
        assert f"# --8<-- [end:{name}]" in source


# --- scoped to the caller -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("GET", None),
        ("PUT", {"name": "Mine now"}),
        ("PATCH", {"name": "Mine now"}),
        ("DELETE", None),
    ],
)
def test_example_shelf_of_another_reader_returns_404(
    client: FlaskClient, method: str, body: dict[str, Any] | None
) -> None:
    add_shelf(client, "Novels", ADA)
    content_type = "application/merge-patch+json" if method == "PATCH" else "application/json"

    response = client.open(
        "/v1/shelves/1", method=method, json=body, headers={**ALAN, "Content-Type": content_type}
    )
    still = client.get("/v1/shelves/1", headers=ADA)

    assert response.status_code == 404
    assert response.get_json()["detail"] == "The requested resource was not found."
    assert still.status_code == 200
    assert still.get_json() == {"id": 1, "owner": "ada", "name": "Novels", "description": None}


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("GET", None),
        ("PUT", {"title": "Dune", "author": "Frank Herbert"}),
        ("PATCH", {"pages": 1}),
        ("DELETE", None),
    ],
)
def test_example_book_of_another_reader_returns_404_even_with_its_etag(
    client: FlaskClient, method: str, body: dict[str, Any] | None
) -> None:
    add_shelf(client, "Novels", ADA)
    add_book(client, 1, "Middlemarch", pages=880)
    content_type = MERGE_PATCH if method == "PATCH" else "application/json"

    response = client.open(
        "/v1/shelves/1/books/1",
        method=method,
        json=body,
        headers={**ALAN, "If-Match": '"1"', "Content-Type": content_type},
    )
    still = client.get("/v1/shelves/1/books/1", headers=ADA)

    assert response.status_code == 404
    assert still.status_code == 200
    assert still.headers["ETag"] == '"1"'
    assert still.get_json()["pages"] == 880


def test_example_book_added_to_a_shelf_of_another_reader_returns_404(
    app: Flask, client: FlaskClient, example: ModuleType
) -> None:
    add_shelf(client, "Novels", ADA)

    response = client.post(
        "/v1/shelves/1/books", json={"title": "Dune", "author": "Frank Herbert"}, headers=ALAN
    )

    assert response.status_code == 404
    assert response.get_json()["detail"] == "There is no shelf 1."
    with app.app_context():
        assert example.db.session.scalar(select(func.count()).select_from(example.Book)) == 0


def test_example_book_under_another_shelf_of_the_same_reader_returns_404(
    client: FlaskClient,
) -> None:
    add_shelf(client, "Novels", ADA)
    add_shelf(client, "Poetry", ADA)
    add_book(client, 1, "Middlemarch")

    wrong = client.get("/v1/shelves/2/books/1", headers=ADA)
    right = client.get("/v1/shelves/1/books/1", headers=ADA)

    assert wrong.status_code == 404
    assert right.status_code == 200


def test_example_shelves_list_only_the_callers_own(client: FlaskClient) -> None:
    add_shelf(client, "Novels", ADA)
    add_shelf(client, "Poetry", ADA)
    add_shelf(client, "Novels", ALAN)  # the name is unique per reader, not overall

    ada = client.get("/v1/shelves", headers=ADA)
    alan = client.get("/v1/shelves", headers=ALAN)

    assert ada.status_code == 200
    assert ada.headers["X-Total-Count"] == "2"
    assert [shelf["name"] for shelf in ada.get_json()] == ["Novels", "Poetry"]
    assert alan.headers["X-Total-Count"] == "1"
    assert alan.get_json() == [{"id": 3, "owner": "alan", "name": "Novels", "description": None}]


def test_example_owner_sent_by_the_client_returns_422(client: FlaskClient) -> None:
    response = client.post("/v1/shelves", json={"name": "Novels", "owner": "alan"}, headers=ADA)

    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"in": "body", "pointer": "/owner", "detail": "This field is read-only."}
    ]


def test_example_shelf_name_too_long_returns_422_before_the_database(
    client: FlaskClient,
) -> None:
    response = client.post("/v1/shelves", json={"name": "x" * 101}, headers=ADA)

    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"in": "body", "pointer": "/name", "detail": "Longer than maximum length 100."}
    ]


# --- writes ---------------------------------------------------------------------------------


def test_example_put_shelf_resets_the_fields_left_out(client: FlaskClient) -> None:
    response = client.post(
        "/v1/shelves", json={"name": "Novels", "description": "Long ones"}, headers=ADA
    )

    replaced = client.put("/v1/shelves/1", json={"name": "Fiction"}, headers=ADA)

    assert response.status_code == 201
    assert replaced.status_code == 200
    assert "ETag" not in replaced.headers  # a shelf has no version
    assert replaced.get_json() == {
        "id": 1,
        "owner": "ada",
        "name": "Fiction",
        "description": None,
    }


def test_example_delete_shelf_deletes_its_books(
    app: Flask, client: FlaskClient, example: ModuleType
) -> None:
    add_shelf(client, "Novels", ADA)
    add_shelf(client, "Poetry", ADA)
    add_book(client, 1, "Middlemarch")
    add_book(client, 2, "Aurora Leigh")

    response = client.delete("/v1/shelves/1", headers=ADA)

    assert response.status_code == 204
    with app.app_context():
        titles = example.db.session.scalars(select(example.Book.title)).all()
    assert titles == ["Aurora Leigh"]


def test_example_rename_to_a_taken_name_returns_409_and_keeps_the_shelf(
    client: FlaskClient,
) -> None:
    add_shelf(client, "Novels", ADA)
    add_shelf(client, "Poetry", ADA)

    response = client.patch(
        "/v1/shelves/2", json={"name": "Novels"}, headers={**ADA, "Content-Type": MERGE_PATCH}
    )
    after = client.get("/v1/shelves/2", headers=ADA)

    assert response.status_code == 409
    assert response.get_json()["detail"] == (
        "Another resource already has this owner and name; choose another value."
    )
    assert after.get_json()["name"] == "Poetry"


def test_example_read_at_with_an_offset_is_stored_in_utc(
    example: ModuleType, sqla_database: tuple[str, dict[str, Any]]
) -> None:
    url, options = sqla_database
    if url.startswith("postgresql"):
        # The PostgreSQL session converts with its own time zone: make it not UTC.
        arguments = options["connect_args"]
        options = {
            **options,
            "connect_args": {"options": arguments["options"] + " -ctimezone=Asia/Tokyo"},
        }
    made: Flask = example.create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}
    )
    try:
        client = made.test_client()
        add_shelf(client, "Novels", ADA)
        add_book(client, 1, "Dune", read_at="2025-03-01T20:00:00+02:00")

        response = client.get("/v1/shelves/1/books/1", headers=ADA)
    finally:
        with made.app_context():
            example.db.session.remove()
            example.db.engine.dispose()

    assert response.get_json()["read_at"] == "2025-03-01T18:00:00+00:00"


# Lists the errors of a request with three unknown query parameters, in a new process.
ERROR_ORDER = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("sqla_example", "docs/examples/sqla.py")
example = sys.modules["sqla_example"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)
client = example.create_app().test_client()
token = {"Authorization": "Bearer ada-reading-token"}
client.post("/v1/shelves", json={"name": "Novels"}, headers=token)
answer = client.get("/v1/shelves/1/books?colour=red&pages[gt]=500&size=3", headers=token)
print(",".join(error["name"] for error in answer.get_json()["errors"]))
"""


@pytest.mark.parametrize("seed", ["0", "3"])
def test_example_unknown_parameters_are_reported_in_query_order(seed: str) -> None:
    found = subprocess.run(
        [sys.executable, "-c", ERROR_ORDER],
        cwd=PAGE.parent.parent,
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert found.stdout.strip() == "colour,pages[gt],size"


# --- queries --------------------------------------------------------------------------------


def test_example_list_loads_the_shelves_of_a_page_in_one_query(
    app: Flask, client: FlaskClient, example: ModuleType
) -> None:
    add_shelf(client, "Novels", ADA)
    for number in range(5):
        add_book(client, 1, f"Volume {number}")
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = example.db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get("/v1/shelves/1/books?limit=5", headers=ADA)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert response.status_code == 200
    assert len(response.get_json()) == 5
    # check_parents, the page of books, and the shelves of all of them: not one per book.
    assert len(statements) == 3


def test_example_read_since_with_an_offset_compares_in_utc(client: FlaskClient) -> None:
    add_shelf(client, "Novels", ADA)
    add_book(client, 1, "Dune", read_at="2025-03-01T18:00:00Z")

    before = client.get("/v1/shelves/1/books?read_since=2025-03-01T19:30:00%2B02:00", headers=ADA)
    after = client.get("/v1/shelves/1/books?read_since=2025-03-01T20:30:00%2B02:00", headers=ADA)

    assert before.status_code == 200
    assert [book["title"] for book in before.get_json()] == ["Dune"]
    assert after.get_json() == []


def test_example_cursor_pages_are_stable_under_inserts_and_deletes(client: FlaskClient) -> None:
    add_shelf(client, "Novels", ADA)
    for title in ("A", "C", "E", "G"):
        add_book(client, 1, title)
    first = client.get("/v1/shelves/1/books?sort=title", headers=ADA)
    add_book(client, 1, "B")  # before the position: not seen
    add_book(client, 1, "F")  # after it: seen
    client.delete("/v1/shelves/1/books/3", headers={**ADA, "If-Match": '"1"'})  # E

    second = client.get(link_urls(first)["next"], headers=ADA)

    assert [book["title"] for book in first.get_json()] == ["A", "C"]
    assert second.status_code == 200
    assert [book["title"] for book in second.get_json()] == ["F", "G"]


# --- the OpenAPI document -------------------------------------------------------------------


def test_example_spec_is_valid_and_describes_the_operations(
    app: Flask, example: ModuleType
) -> None:
    spec = example.api.spec(app)
    validate(spec)

    operations = {
        (method.upper(), path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }
    summaries = {key: operation["summary"] for key, operation in operations.items()}
    conflicts = sorted(
        key for key, operation in operations.items() if "409" in operation["responses"]
    )

    assert summaries == {
        ("GET", "/v1/shelves"): "List shelves",
        ("POST", "/v1/shelves"): "Create a shelf",
        ("GET", "/v1/shelves/{shelf_id}"): "Get a shelf",
        ("PUT", "/v1/shelves/{shelf_id}"): "Replace a shelf",
        ("PATCH", "/v1/shelves/{shelf_id}"): "Update a shelf",
        ("DELETE", "/v1/shelves/{shelf_id}"): "Delete a shelf",
        ("GET", "/v1/shelves/{shelf_id}/books"): "List books",
        ("POST", "/v1/shelves/{shelf_id}/books"): "Create a book",
        ("GET", "/v1/shelves/{shelf_id}/books/{book_id}"): "Get a book",
        ("PUT", "/v1/shelves/{shelf_id}/books/{book_id}"): "Replace a book",
        ("PATCH", "/v1/shelves/{shelf_id}/books/{book_id}"): "Update a book",
        ("DELETE", "/v1/shelves/{shelf_id}/books/{book_id}"): "Delete a book",
    }
    # The shelf's unique name makes its writes 409s; its books are deleted with it.
    assert conflicts == [
        ("PATCH", "/v1/shelves/{shelf_id}"),
        ("POST", "/v1/shelves"),
        ("PUT", "/v1/shelves/{shelf_id}"),
    ]
    assert all("503" in operation["responses"] for operation in operations.values())
    assert all(operation["security"] == [{"bearerAuth": []}] for operation in operations.values())


# --- declaration errors (the table of the page) ---------------------------------------------

DECLARATION_ERRORS = [
    (
        {"base": ModelCollection, "filters": {"isbn": "eq"}},
        "Books filters by 'isbn', which is not a column of Book. Use one of: author, id, pages, "
        "read_at, shelf_id, title, version.",
    ),
    (
        {"base": ModelCollection, "filters": {"pages": "between"}},
        "Books filters 'pages' with 'between', which is not an operator. Use eq, in, lt, lte, "
        "gt, gte, contains, icontains or isnull.",
    ),
    (
        {"base": ModelCollection, "filters": {"pages": "contains"}},
        "Books filters 'pages' with 'contains', which only suits text columns.",
    ),
    (
        {"base": ModelCollection, "filters": {"title": "isnull"}},
        "Books filters 'title' with 'isnull', but the column is never null.",
    ),
    (
        {"base": ModelCollection, "sortable": ("shelf",)},
        "Books sorts by 'shelf', which is not a column of Book. Use one of: author, id, pages, "
        "read_at, shelf_id, title, version.",
    ),
    (
        {"base": ModelCollection, "search": ("pages",)},
        "Books searches 'pages', which is not a text column.",
    ),
    (
        {"base": ModelItem, "methods": ("get", "post")},
        "Books.methods names 'post'; a ModelItem generates get, put, patch, delete.",
    ),
    (
        {"base": ModelItem, "model": dict},
        "Books.model is <class 'dict'>, which is not a SQLAlchemy mapped class.",
    ),
]


@pytest.mark.parametrize(("declared", "message"), DECLARATION_ERRORS)
def test_example_declaration_mistake_raises_the_message_of_the_page(
    example: ModuleType, declared: dict[str, Any], message: str
) -> None:
    attributes = {"model": example.Book, **declared}
    base = attributes.pop("base")

    with pytest.raises(DeclarationError) as raised:
        type("Books", (base,), attributes)

    assert str(raised.value) == message
    assert f"| `{message}` |" in PAGE.read_text(encoding="utf-8")
