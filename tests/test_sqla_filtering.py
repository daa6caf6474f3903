"""restkit.sqla filters, search and sort, on SQLite and PostgreSQL (the app of tests/sqla_app.py).

Every operator with typed values, the 422 problems of a bad query, the order of every sortable
key with nulls and ties, values that look like SQL or LIKE patterns, and the parameters the
spec documents. The `sqla_app` fixture runs each test on both databases.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from restkit.spec.builder import NUL_FREE_PATTERN
from tests.pagination_helpers import PROBLEM_JSON, unprocessable
from tests.sqla_app import Priority, Project, Task, db

Pairs = list[tuple[str, str]]

MILK = "Buy milk"
BREAD = "buy bread"
RENT = "Pay 100% of rent"
REPORT = "file_report"
MOM = "Call Mom"
TEMP = "Clean C:\\temp/*"
INVOICE = "O'Brien's invoice"
ALL = [MILK, BREAD, RENT, REPORT, MOM, TEMP, INVOICE]

# The tasks of the project "Home", inserted in this order, so the default order (by id) is
# this one: title, notes, priority, rank, done, due_at (naive, UTC).
HOME_TASKS = [
    (MILK, "2 litres, semi-skimmed", "low", 1, False, dt.datetime(2026, 3, 1, 9)),
    (BREAD, None, "normal", 2, True, dt.datetime(2026, 3, 1, 10)),
    (RENT, "before the 5th", "high", 3, False, dt.datetime(2026, 3, 2)),
    (REPORT, "Q1 report", "normal", None, False, None),
    (MOM, "about the MILK recipe", "high", 5, True, None),
    (TEMP, "rm -rf", "low", None, False, dt.datetime(2026, 2, 28, 23, 30)),
    (INVOICE, None, "normal", 7, False, dt.datetime(2026, 3, 5, 12)),
]

# Titles of lowercase letters only, which every collation orders alike: title, priority,
# rank, due_at. Ties on rank, due_at and priority; nulls on rank and due_at.
FRUITS = [
    ("kiwi", "high", 2, dt.datetime(2026, 5, 1)),
    ("apple", "low", None, None),
    ("fig", "normal", 2, dt.datetime(2026, 4, 1)),
    ("date", "high", None, dt.datetime(2026, 5, 1)),
    ("banana", "normal", 1, None),
    ("cherry", "low", 3, dt.datetime(2026, 4, 1)),
    ("grape", "high", 1, dt.datetime(2026, 6, 1)),
    ("elder", "normal", None, dt.datetime(2026, 4, 1)),
]

FILTERABLE = (
    "done, due_at[gte], due_at[isnull], due_at[lt], due_before, priority, priority[in], rank, "
    "rank[gt], rank[gte], rank[isnull], rank[lt], rank[lte], title[contains] or "
    "title[icontains]"
)
UNKNOWN = f"Unknown query parameter. This list filters by {FILTERABLE}, and also takes q and sort."
CANNOT_SORT = (
    "Cannot sort by {!r}. Sort by due_at, rank, title or priority; a leading '-' sorts in "
    "descending order, and commas separate keys."
)
EMPTY_SORT = "An empty sort key. Sort by due_at, rank, title or priority, separated by commas."
DUE_AT_EQ = "due_at cannot be filtered with 'eq'; use due_at[lt], due_at[gte] or due_at[isnull]."
PRIORITIES = "Must be one of: low, normal, high."
LENGTH_200 = "Length must be between 1 and 200."
ONE_VALUE = "Expected one value, got 2."
REGEX = "title cannot be filtered with 'regex'; use title[contains] or title[icontains]."
BETWEEN = (
    "rank cannot be filtered with 'between'; use rank, rank[lt], rank[lte], rank[gt], "
    "rank[gte] or rank[isnull]."
)


class Home(NamedTuple):
    """A seeded app: its client and the URL of the tasks of one project."""

    app: Flask
    client: FlaskClient
    url: str


def add_project(app: Flask, name: str, tasks: list[dict[str, Any]]) -> str:
    """Add a project with its tasks (in order) and return the URL of its task list."""
    with app.app_context():
        project = Project(name=name)
        db.session.add(project)
        db.session.flush()
        for values in tasks:
            db.session.add(Task(project_id=project.id, **values))
            db.session.flush()  # one by one: ids follow the list's order
        db.session.commit()
        return f"/v1/projects/{project.id}/tasks"


@pytest.fixture
def home(sqla_app: Flask) -> Home:
    """The project "Home" with HOME_TASKS, and a project "Work" whose task matches a lot."""
    fields = ("title", "notes", "priority", "rank", "done", "due_at")
    rows = [dict(zip(fields, row, strict=True)) for row in HOME_TASKS]
    for row in rows:
        row["priority"] = Priority[row["priority"]]
    url = add_project(sqla_app, "home", rows)
    add_project(sqla_app, "work", [{"title": MILK, "notes": "% _ \\ '", "rank": 1}])
    return Home(sqla_app, sqla_app.test_client(), url)


@pytest.fixture
def fruits(sqla_app: Flask) -> Home:
    """A project with the FRUITS tasks."""
    fields = ("title", "priority", "rank", "due_at")
    rows = [dict(zip(fields, row, strict=True)) for row in FRUITS]
    for row in rows:
        row["priority"] = Priority[row["priority"]]
    return Home(sqla_app, sqla_app.test_client(), add_project(sqla_app, "fruits", rows))


def titles(home: Home, pairs: Pairs) -> list[str]:
    """GET the list with the query `pairs` (one page of up to 100) and return its titles."""
    response = home.client.get(f"{home.url}?{urlencode([*pairs, ('limit', '100')])}")
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Type"] == "application/json"
    return [task["title"] for task in response.get_json()]


# -- operators ----------------------------------------------------------------------------------

Cases = list[tuple[Pairs, list[str]]]

# Each group is one test: a mismatch shows every query of the group with what it found.
FILTERS: dict[str, Cases] = {
    "eq and in": [
        ([], ALL),
        ([("done", "true")], [BREAD, MOM]),
        ([("done", "false")], [MILK, RENT, REPORT, TEMP, INVOICE]),
        ([("priority", "high")], [RENT, MOM]),
        ([("rank", "3")], [RENT]),
        ([("priority[in]", "low"), ("priority[in]", "high")], [MILK, RENT, MOM, TEMP]),
        ([("priority[in]", "normal")], [BREAD, REPORT, INVOICE]),
        ([("priority[in]", "low"), ("priority[in]", "low")], [MILK, TEMP]),
        ([("priority[in]", "low")] * 100, [MILK, TEMP]),
    ],
    "comparisons": [  # nulls never compare
        ([("rank[lt]", "3")], [MILK, BREAD]),
        ([("rank[lte]", "3")], [MILK, BREAD, RENT]),
        ([("rank[gt]", "3")], [MOM, INVOICE]),
        ([("rank[gte]", "5")], [MOM, INVOICE]),
        ([("rank[gt]", "-1")], [MILK, BREAD, RENT, MOM, INVOICE]),
        ([("rank[lt]", "1")], []),
    ],
    "isnull": [
        ([("rank[isnull]", "true")], [REPORT, TEMP]),
        ([("rank[isnull]", "false")], [MILK, BREAD, RENT, MOM, INVOICE]),
        ([("due_at[isnull]", "true")], [REPORT, MOM]),
        ([("due_at[isnull]", "false")], [MILK, BREAD, RENT, TEMP, INVOICE]),
    ],
    # Aware values are compared in UTC with the naive UTC column; naive values are UTC.
    "date-times": [
        ([("due_at[lt]", "2026-03-01T09:00:00Z")], [TEMP]),
        ([("due_at[lt]", "2026-03-01T09:00:00")], [TEMP]),
        ([("due_at[lt]", "2026-03-01T10:00:00+01:00")], [TEMP]),
        ([("due_at[lt]", "2026-03-01T10:00:01+01:00")], [MILK, TEMP]),
        ([("due_at[gte]", "2026-03-01T05:00:00-05:00")], [BREAD, RENT, INVOICE]),
        ([("due_at[gte]", "2026-03-01T00:30:00+01:00")], [MILK, BREAD, RENT, TEMP, INVOICE]),
        ([("due_at[gte]", "2026-03-01T00:30:01+01:00")], [MILK, BREAD, RENT, INVOICE]),
        ([("due_before", "2026-03-02T01:00:00+01:00")], [MILK, BREAD, TEMP]),
        ([("due_before", "2026-03-01T23:59:59-00:01")], [MILK, BREAD, RENT, TEMP]),
    ],
    # contains is case-sensitive on both databases; % and _ match themselves.
    "contains": [
        ([("title[contains]", "Buy")], [MILK]),
        ([("title[contains]", "buy")], [BREAD]),
        ([("title[contains]", "MILK")], []),
        ([("title[contains]", "%")], [RENT]),
        ([("title[contains]", "0%")], [RENT]),
        ([("title[contains]", "_")], [REPORT]),
        ([("title[contains]", "e_r")], [REPORT]),
        ([("title[contains]", "e%r")], []),
        ([("title[contains]", "B_y")], []),
        ([("title[contains]", "\\")], [TEMP]),
        ([("title[contains]", "p/")], [TEMP]),
        ([("title[contains]", "'")], [INVOICE]),
    ],
    "icontains": [
        ([("title[icontains]", "BUY")], [MILK, BREAD]),
        ([("title[icontains]", "milk")], [MILK]),
        ([("title[icontains]", "%")], [RENT]),
        ([("title[icontains]", "_")], [REPORT]),
        ([("title[icontains]", "B_Y")], []),
        ([("title[icontains]", "c:\\T")], [TEMP]),
        ([("title[icontains]", "/*")], [TEMP]),
        ([("title[icontains]", "o'brien")], [INVOICE]),
    ],
    "together": [  # every parameter applies
        (
            [
                ("done", "false"),
                ("priority[in]", "low"),
                ("priority[in]", "normal"),
                ("rank[isnull]", "false"),
            ],
            [MILK, INVOICE],
        ),
        ([("title[icontains]", "buy"), ("done", "true")], [BREAD]),
        ([("priority", "high"), ("due_at[isnull]", "true")], [MOM]),
        ([("rank[gte]", "2"), ("rank[lte]", "5")], [BREAD, RENT, MOM]),
        (
            [("due_at[gte]", "2026-03-01T00:00:00Z"), ("due_before", "2026-03-03T00:00:00Z")],
            [MILK, BREAD, RENT],
        ),
        ([("q", "milk"), ("done", "false")], [MILK]),
        ([("q", "milk"), ("priority", "low"), ("done", "true")], []),
    ],
}


def found_by_query(home: Home, cases: Cases) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Return what each query of the cases found, and what it should find, by query string."""
    found = {urlencode(pairs): titles(home, pairs) for pairs, _ in cases}
    return found, {urlencode(pairs): expected for pairs, expected in cases}


@pytest.mark.parametrize("group", list(FILTERS))
def test_filter_with_typed_values_returns_matching_rows(home: Home, group: str) -> None:
    found, expected = found_by_query(home, FILTERS[group])

    assert found == expected


SEARCHES = [
    ("milk", [MILK, MOM]),  # the title of one, the notes of the other
    ("MILK", [MILK, MOM]),
    ("milk mom", [MOM]),
    ("mom milk", [MOM]),
    ("buy", [MILK, BREAD]),
    ("  buy   milk ", [MILK]),
    ("report", [REPORT]),
    ("q1", [REPORT]),
    ("semi-skimmed LITRES", [MILK]),
    ("milk zzz", []),
    ("%", [RENT]),
    ("100% rent", [RENT]),
    ("_", [REPORT]),
    ("e_r", [REPORT]),
    ("e%r", []),
    ("b_y", []),
    ("\\", [TEMP]),
    ("/", [TEMP]),
    ("'", [INVOICE]),
]


def test_search_q_every_word_in_title_or_notes_returns_matching_rows(home: Home) -> None:
    cases = [([("q", text)], matching) for text, matching in SEARCHES]
    found, expected = found_by_query(home, cases)

    assert found == expected


def test_search_q_with_eleven_words_returns_422(home: Home) -> None:
    response = home.client.get(f"{home.url}?q=" + "+".join(["buy"] * 10 + ["zzz"]))

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json()["errors"] == [
        {"in": "query", "name": "q", "detail": "Search with at most 10 words."}
    ]


def test_search_q_with_ten_words_applies_every_word(home: Home) -> None:
    assert titles(home, [("q", "buy " * 9 + "zzz")]) == []


# -- values that look like SQL ------------------------------------------------------------------

INJECTIONS = [
    ("'; DROP TABLE sqla_task; --", []),
    ('"; DROP TABLE sqla_project; --', []),
    ("' OR '1'='1", []),
    ("%' --", []),
    ("\\%", []),
    ("%", [RENT]),
    ("_", [REPORT]),
    ("\\", [TEMP]),
]


@pytest.mark.parametrize(("value", "expected"), INJECTIONS)
def test_filter_with_sql_like_value_matches_it_literally(
    home: Home, value: str, expected: list[str]
) -> None:
    found, wanted = found_by_query(
        home, [([(name, value)], expected) for name in ("title[contains]", "title[icontains]", "q")]
    )

    assert found == wanted
    assert titles(home, []) == ALL
    with home.app.app_context():
        assert sa.inspect(db.engine).has_table("sqla_task")


@pytest.mark.parametrize("value", [value for value, _ in INJECTIONS])
def test_project_filter_with_sql_like_value_returns_nothing(home: Home, value: str) -> None:
    for name in ("name", "name[icontains]"):
        response = home.client.get(f"/v1/projects?{urlencode({name: value})}")

        assert response.status_code == 200, name
        assert response.headers["X-Total-Count"] == "0", name
        assert response.get_json() == [], name
    names = [project["name"] for project in home.client.get("/v1/projects").get_json()]
    assert names == ["home", "work"]


# -- 422 problems -------------------------------------------------------------------------------

Errors = list[tuple[str, str]]

PROBLEMS: dict[str, list[tuple[Pairs, Errors]]] = {
    "unknown parameters": [
        ([("color", "red")], [("color", UNKNOWN)]),
        ([("due_at", "2026-03-01T00:00:00Z")], [("due_at", DUE_AT_EQ)]),
        ([("priority[in]x", "low")], [("priority[in]x", UNKNOWN)]),
        ([("title[regex]", "x")], [("title[regex]", REGEX)]),
        ([("rank[between]", "1")], [("rank[between]", BETWEEN)]),
    ],
    "wrong types": [
        ([("rank[lt]", "abc")], [("rank[lt]", "Not a valid integer.")]),
        ([("rank[lt]", "1.5")], [("rank[lt]", "Not a valid integer.")]),
        ([("rank", "")], [("rank", "Not a valid integer.")]),
        ([("due_at[gte]", "yesterday")], [("due_at[gte]", "Not a valid datetime.")]),
        ([("due_before", "2026-13-01T00:00:00Z")], [("due_before", "Not a valid datetime.")]),
        ([("priority", "urgent")], [("priority", PRIORITIES)]),
        ([("priority", "HIGH")], [("priority", PRIORITIES)]),
        (
            [("priority[in]", "low"), ("priority[in]", "urgent")],
            [("priority[in]", f"Item 1: {PRIORITIES}")],
        ),
        ([("done", "maybe")], [("done", "Not a valid boolean.")]),
        ([("rank[isnull]", "maybe")], [("rank[isnull]", "Not a valid boolean.")]),
    ],
    "lengths": [
        ([("priority[in]", "low")] * 101, [("priority[in]", "Length must be between 1 and 100.")]),
        ([("title[contains]", "")], [("title[contains]", LENGTH_200)]),
        ([("title[icontains]", "")], [("title[icontains]", LENGTH_200)]),
        ([("title[contains]", "x" * 201)], [("title[contains]", LENGTH_200)]),
        ([("q", "")], [("q", LENGTH_200)]),
        ([("q", "x" * 201)], [("q", LENGTH_200)]),
    ],
    "repeated keys": [
        ([("rank", "1"), ("rank", "2")], [("rank", ONE_VALUE)]),
        ([("done", "true"), ("done", "true")], [("done", ONE_VALUE)]),
        ([("title[contains]", "a"), ("title[contains]", "b")], [("title[contains]", ONE_VALUE)]),
        ([("due_before", "2026-01-01T00:00:00Z")] * 2, [("due_before", ONE_VALUE)]),
        ([("q", "a"), ("q", "b")], [("q", ONE_VALUE)]),
        ([("sort", "title"), ("sort", "rank")], [("sort", ONE_VALUE)]),
    ],
    "sort": [
        ([("sort", "color")], [("sort", CANNOT_SORT.format("color"))]),
        ([("sort", "id")], [("sort", CANNOT_SORT.format("id"))]),
        ([("sort", "-done")], [("sort", CANNOT_SORT.format("done"))]),
        ([("sort", "Title")], [("sort", CANNOT_SORT.format("Title"))]),
        ([("sort", "title,-color")], [("sort", CANNOT_SORT.format("color"))]),
        ([("sort", "--rank")], [("sort", CANNOT_SORT.format("-rank"))]),
        ([("sort", "title\t")], [("sort", CANNOT_SORT.format("title\t"))]),
        ([("sort", "")], [("sort", EMPTY_SORT)]),
        ([("sort", "title,")], [("sort", EMPTY_SORT)]),
        ([("sort", "-")], [("sort", EMPTY_SORT)]),
    ],
    "several": [  # every one reported, in the order of the query string
        (
            [("color", "red"), ("rank[lt]", "abc"), ("priority", "urgent")],
            [("color", UNKNOWN), ("rank[lt]", "Not a valid integer."), ("priority", PRIORITIES)],
        ),
        (
            [("priority", "urgent"), ("sort", "color"), ("title[regex]", "x")],
            [
                ("priority", PRIORITIES),
                ("sort", CANNOT_SORT.format("color")),
                ("title[regex]", REGEX),
            ],
        ),
    ],
}


@pytest.mark.parametrize("group", list(PROBLEMS))
def test_filter_with_bad_query_returns_422(home: Home, group: str) -> None:
    found = {}
    for pairs, _ in PROBLEMS[group]:
        response = home.client.get(f"{home.url}?{urlencode(pairs)}")
        found[urlencode(pairs)] = (
            response.status_code,
            response.headers["Content-Type"],
            response.get_json(),
        )

    assert found == {
        urlencode(pairs): (422, PROBLEM_JSON, unprocessable(*errors))
        for pairs, errors in PROBLEMS[group]
    }


@pytest.mark.parametrize("value", [10**23, 2**31])
def test_filter_with_integer_beyond_the_column_type_returns_422(home: Home, value: int) -> None:
    response = home.client.get(f"{home.url}?rank[lt]={value}")

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json()["errors"] == [
        {
            "in": "query",
            "name": "rank[lt]",
            "detail": "Must be greater than or equal to -2147483648 and less than or equal to "
            "2147483647.",
        }
    ]


@pytest.mark.parametrize("url", ["/v1/projects/{big}", "/v1/projects/{big}/tasks"])
def test_path_id_beyond_the_column_type_returns_404(home: Home, url: str) -> None:
    response = home.client.get(url.format(big=10**23))

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON


def test_filter_on_missing_project_returns_404(home: Home) -> None:
    response = home.client.get("/v1/projects/9999/tasks?done=true")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json()["detail"] == "The sqla_project with id 9999 does not exist."


# -- sort ---------------------------------------------------------------------------------------

SORTS = [
    ("", ["kiwi", "apple", "fig", "date", "banana", "cherry", "grape", "elder"]),  # by id
    ("title", ["apple", "banana", "cherry", "date", "elder", "fig", "grape", "kiwi"]),
    ("-title", ["kiwi", "grape", "fig", "elder", "date", "cherry", "banana", "apple"]),
    # Nulls last ascending, first descending; ties by id, ascending either way.
    ("rank", ["banana", "grape", "kiwi", "fig", "cherry", "apple", "date", "elder"]),
    ("-rank", ["apple", "date", "elder", "cherry", "kiwi", "fig", "banana", "grape"]),
    ("due_at", ["fig", "cherry", "elder", "kiwi", "date", "grape", "apple", "banana"]),
    ("-due_at", ["apple", "banana", "grape", "kiwi", "date", "fig", "cherry", "elder"]),
    ("-due_at,title", ["apple", "banana", "grape", "date", "kiwi", "cherry", "elder", "fig"]),
    ("rank,-title", ["grape", "banana", "kiwi", "fig", "cherry", "elder", "date", "apple"]),
    ("due_at, -rank", ["elder", "cherry", "fig", "date", "kiwi", "grape", "apple", "banana"]),
    ("-rank,due_at", ["elder", "date", "apple", "cherry", "fig", "kiwi", "grape", "banana"]),
]


@pytest.mark.parametrize(("sort", "expected"), SORTS)
def test_sort_by_keys_returns_same_order_on_every_database(
    fruits: Home, sort: str, expected: list[str]
) -> None:
    assert titles(fruits, [("sort", sort)] if sort else []) == expected


# An Enum column sorts in declared order (low < normal < high) on every database, although
# SQLite stores the names as text, which would sort alphabetically (high < low < normal).
ENUM_ORDERS = {
    "priority": ["apple", "cherry", "fig", "banana", "elder", "kiwi", "date", "grape"],
    "-priority": ["kiwi", "date", "grape", "fig", "banana", "elder", "apple", "cherry"],
}


@pytest.mark.parametrize("sort", ["priority", "-priority"])
def test_sort_by_enum_follows_declared_order_on_every_database(fruits: Home, sort: str) -> None:
    assert titles(fruits, [("sort", sort)]) == ENUM_ORDERS[sort]


@pytest.mark.parametrize(
    ("sort", "first_places"),
    [("title,-title", "title"), ("-title,title", "-title"), ("-rank,due_at,rank", "-rank,due_at")],
)
def test_sort_with_repeated_key_follows_its_first_place(
    fruits: Home, sort: str, first_places: str
) -> None:
    # As in SQL's ORDER BY, a key's later places change nothing.
    assert titles(fruits, [("sort", sort)]) == dict(SORTS)[first_places]


def test_sort_with_filter_orders_the_filtered_rows(fruits: Home) -> None:
    pairs = [("sort", "-due_at,title"), ("rank[isnull]", "false")]

    assert titles(fruits, pairs) == ["banana", "grape", "kiwi", "cherry", "fig"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["apple", "banana", "cherry", "date"]),  # default_sort = "name"
        ("?sort=-name", ["date", "cherry", "banana", "apple"]),
        ("?sort=created_at", ["cherry", "apple", "date", "banana"]),  # ties: by id
    ],
)
def test_project_list_sort_returns_declared_order(
    sqla_app: Flask, query: str, expected: list[str]
) -> None:
    with sqla_app.app_context():
        when = dt.datetime(2026, 1, 1)
        for name in ("cherry", "apple", "date", "banana"):
            db.session.add(Project(name=name, created_at=when))
            db.session.flush()
        db.session.commit()

    response = sqla_app.test_client().get(f"/v1/projects{query}")

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "4"
    assert [project["name"] for project in response.get_json()] == expected


# -- the spec -----------------------------------------------------------------------------------

DATE_TIME = {"type": "string", "format": "date-time"}
INTEGER = {"type": "integer"}
INT32 = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}  # the column's range
BOOLEAN = {"type": "boolean"}
PRIORITY = {"type": "string", "enum": ["low", "normal", "high"]}
TEXT = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NUL_FREE_PATTERN}
WORDS = (
    r"^[ \t\n\r\f\v]*(?:[^ \t\n\r\f\v\x00]+(?:[ \t\n\r\f\v]+[^ \t\n\r\f\v\x00]+){0,9})?"
    r"[ \t\n\r\f\v]*$"
)
"""At most 10 words (MAX_SEARCH_WORDS) split at ASCII whitespace, no NUL: q as it is read."""
SORT_KEY = "(?:due_at|rank|title|priority)"
SORT = {
    "type": "string",
    "minLength": 1,
    "maxLength": 500,
    "pattern": f"^ *-?{SORT_KEY} *(?:, *-?{SORT_KEY} *)*$",
    "examples": ["-due_at,rank"],
}
IN = {"type": "array", "minItems": 1, "maxItems": 100, "items": PRIORITY}
ONLY = "Only items whose `{}` {}."
IS_NULL = "`true`: only items whose `{}` is null; `false`: only others."
SORT_TEXT = (
    "The order: comma-separated keys among due_at, rank, title, priority; a leading `-` sorts "
    "in descending order. Nulls come last in ascending order and first in descending order. "
    "Default: `id`."
)
# The task list's query parameters, in order: name, description, schema, more.
SPEC_PARAMETERS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("done", ONLY.format("done", "equals the value"), BOOLEAN, {}),
    ("priority", ONLY.format("priority", "equals the value"), PRIORITY, {}),
    # A List query field: an array, one repeated key per value.
    ("priority[in]",
     ONLY.format("priority", "is one of the values (repeat the parameter for each)"), IN,
     {"explode": True, "style": "form"}),
    ("rank", ONLY.format("rank", "equals the value"), INT32, {}),
    ("rank[lt]", ONLY.format("rank", "is less than the value"), INT32, {}),
    ("rank[lte]", ONLY.format("rank", "is less than or equal to the value"), INT32, {}),
    ("rank[gt]", ONLY.format("rank", "is greater than the value"), INT32, {}),
    ("rank[gte]", ONLY.format("rank", "is greater than or equal to the value"), INT32, {}),
    ("rank[isnull]", IS_NULL.format("rank"), BOOLEAN, {}),
    ("due_at[lt]", ONLY.format("due_at", "is less than the value"), DATE_TIME, {}),
    ("due_at[gte]", ONLY.format("due_at", "is greater than or equal to the value"), DATE_TIME,
     {}),
    ("due_at[isnull]", IS_NULL.format("due_at"), BOOLEAN, {}),
    ("title[contains]", ONLY.format("title", "contains the text (case-sensitive)"), TEXT, {}),
    ("title[icontains]", ONLY.format("title", "contains the text, ignoring case"), TEXT, {}),
    ("due_before", ONLY.format("due_at", "is less than the value"), DATE_TIME, {}),
    ("sort", SORT_TEXT, SORT, {}),
    ("q", "Words that must all appear, ignoring case, in title or notes; at most 10 words.",
     {"type": "string", "minLength": 1, "maxLength": 200, "pattern": WORDS}, {}),
    ("cursor", "The `next` (or `prev`) cursor of the previous page.",
     {"type": "string", "minLength": 1, "maxLength": 4096, "pattern": NUL_FREE_PATTERN}, {}),
    ("limit", "Items per page; 3 by default.", {"type": "integer", "minimum": 1, "maximum": 100},
     {}),
]  # fmt: skip


def test_spec_documents_every_filter_sort_and_search_parameter(sqla_app: Flask) -> None:
    response = sqla_app.test_client().get("/v1/openapi.json")

    assert response.status_code == 200
    operation = response.get_json()["paths"]["/v1/projects/{project_id}/tasks"]["get"]
    parameters = [p for p in operation["parameters"] if p.get("in") == "query"]
    assert parameters == [
        {
            "in": "query",
            "name": name,
            "description": description,
            "schema": schema,
            "required": False,
            **more,
        }
        for name, description, schema, more in SPEC_PARAMETERS
    ]


def test_search_words_are_split_at_ascii_whitespace_only() -> None:
    from restkit.sqla.filtering import _WORDS_PATTERN, _search_words

    text = "a\x1cb c\u00a0d\te"  # U+001C and a no-break space join words; a tab parts them

    assert _search_words(text) == ["a\x1cb", "c\u00a0d", "e"]
    assert re.fullmatch(_WORDS_PATTERN, " ".join(["w"] * 10))
    assert not re.fullmatch(_WORDS_PATTERN, " ".join(["w"] * 11))
    assert re.fullmatch(_WORDS_PATTERN, "\x1c".join(["w"] * 11))  # one word, as it is read
