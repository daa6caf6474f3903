"""restkit.sqla pagination done by the database, on SQLite and PostgreSQL.

Pages by number are LIMIT/OFFSET with one COUNT of the filtered rows. Cursors are keyset
positions: walked here for every sort key (many nulls and ties) against the order computed in
Python, while rows are inserted and deleted between pages, and with cursors that belong to
another list or were tampered with. A list costs the same few statements however many rows,
labels and projects it dumps.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import delete, event, select

from tests.pagination_helpers import PROBLEM_JSON, link_urls, links, normalized, unprocessable
from tests.sqla_app import Label, Priority, Project, Task, db

Row = dict[str, Any]

INVALID_CURSOR = (
    "The cursor is invalid, expired, or from another list or filter; start again from the "
    "first page (without cursor)."
)
STALE_CURSOR = (
    "The cursor does not fit this list any more; start again from the first page (without cursor)."
)
DAYS = [dt.datetime(2026, 1, day, 12) for day in (3, 5, 9)]


def dialect(app: Flask) -> str:
    with app.app_context():
        return str(db.engine.dialect.name)


def seed(app: Flask, count: int, name: str = "walk", labels: int = 0, nulls: int = 2) -> int:
    """Add a project with `count` tasks of random (seeded) values; return the project's id.

    With `nulls=2`, a third of the ranks and two fifths of the due dates are null, and the
    others repeat, so every order has nulls and ties. Titles (`task007`) are unique, in random
    id order.
    """
    rng = random.Random(f"{name}-{count}")
    titles = [f"task{number:03d}" for number in range(count)]
    rng.shuffle(titles)
    with app.app_context():
        project = Project(name=name)
        db.session.add(project)
        db.session.flush()
        for title in titles:
            task = Task(
                project_id=project.id,
                title=title,
                priority=rng.choice(list(Priority)),
                rank=rng.choice([*[None] * nulls, 1, 2, 2, 3]),
                due_at=rng.choice([*[None] * nulls, *DAYS]),
                done=rng.random() < 0.5,
            )
            task.labels = [Label(name=f"label{n}") for n in range(labels)]
            db.session.add(task)
        db.session.commit()
        return int(project.id)


def snapshot(app: Flask, project_id: int) -> list[Row]:
    """Return the project's tasks as they are in the database."""
    with app.app_context():
        tasks = db.session.scalars(select(Task).where(Task.project_id == project_id)).all()
        return [
            {
                "id": task.id,
                "title": task.title,
                "priority": task.priority,
                "rank": task.rank,
                "due_at": task.due_at,
                "done": task.done,
            }
            for task in tasks
        ]


@functools.total_ordering
class Descending:
    """A value that sorts in reverse."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Descending) and self.value == other.value

    def __lt__(self, other: Descending) -> bool:
        return bool(self.value > other.value)


def order_key(row: Row, sort: str, kind: str) -> tuple[Any, ...]:
    """Where a row sorts in `sort`: nulls last ascending, first descending, then by id."""
    parts: list[Any] = []
    for name in sort.split(","):
        attribute = name.removeprefix("-")
        value = row[attribute]
        if attribute == "priority":  # members sort in declared order on every database
            value = list(Priority).index(value)
        if name.startswith("-"):
            parts.append((False, 0) if value is None else (True, Descending(value)))
        else:
            parts.append((True, 0) if value is None else (False, value))
    return (*parts, row["id"])


def expected_ids(rows: list[Row], sort: str, kind: str) -> list[int]:
    return [row["id"] for row in sorted(rows, key=lambda row: order_key(row, sort, kind))]


def pages(client: FlaskClient, url: str, size: int = 3) -> Iterator[list[Row]]:
    """Yield the tasks of each page, following `Link: rel="next"` (the request for the next
    page is made only when the caller asks for it, so it can change rows in between)."""
    first = normalized(f"http://localhost{url}")
    for _ in range(100):
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        found = link_urls(response)
        assert normalized(found["first"]) == first
        tasks: list[Row] = response.get_json()
        if "next" in found:
            assert len(tasks) == size
        yield tasks
        if "next" not in found:
            return
        url = found["next"]
    raise AssertionError("the walk did not end after 100 pages")


def walk(client: FlaskClient, url: str, size: int = 3) -> list[int]:
    return [task["id"] for tasks in pages(client, url, size) for task in tasks]


def next_cursor(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_json()
    return parse_qs(urlsplit(link_urls(response)["next"]).query)["cursor"][0]


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Record the SQL statements the app's engine sends while the block runs."""
    recorded: list[str] = []

    def record(*args: Any) -> None:
        recorded.append(args[2])  # conn, cursor, statement, parameters, context, executemany

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield recorded
    finally:
        event.remove(engine, "before_cursor_execute", record)


# -- pages by number ----------------------------------------------------------------------------


@pytest.fixture
def projects(sqla_app: Flask) -> FlaskClient:
    """23 projects, p01 to p23, added in random order; every third one has a color."""
    names = [f"p{number:02d}" for number in range(1, 24)]
    random.Random(23).shuffle(names)
    with sqla_app.app_context():
        for name in names:
            color = "#ff0000" if int(name[1:]) % 3 == 0 else None
            db.session.add(Project(name=name, color=color))
        db.session.commit()
    return sqla_app.test_client()


def page_links(query: list[tuple[str, str]], **pages_by_rel: int) -> dict[str, str]:
    return {
        rel: normalized(f"http://localhost/v1/projects?{urlencode([*query, ('page', number)])}")
        for rel, number in pages_by_rel.items()
    }


def names(first: int, last: int) -> list[str]:
    return [f"p{number:02d}" for number in range(first, last + 1)]


PAGES = [
    ([], names(1, 10), 23, {"first": 1, "next": 2, "last": 3}),
    ([("page", "2")], names(11, 20), 23, {"first": 1, "prev": 1, "next": 3, "last": 3}),
    ([("page", "3")], names(21, 23), 23, {"first": 1, "prev": 2, "last": 3}),
    ([("page", "4")], [], 23, {"first": 1, "prev": 3, "last": 3}),  # past the end: empty
    ([("page", "99")], [], 23, {"first": 1, "prev": 98, "last": 3}),
    ([("per_page", "50")], names(1, 23), 23, {"first": 1, "last": 1}),
    # The count is of the filtered rows.
    ([("name[icontains]", "P1"), ("per_page", "4")], names(10, 13), 10,
     {"first": 1, "next": 2, "last": 3}),
    ([("name[icontains]", "P1"), ("per_page", "4"), ("page", "3")], names(18, 19), 10,
     {"first": 1, "prev": 2, "last": 3}),
    ([("color[isnull]", "false"), ("sort", "-name"), ("per_page", "5")],
     ["p21", "p18", "p15", "p12", "p09"], 7, {"first": 1, "next": 2, "last": 2}),
    ([("color[isnull]", "false"), ("sort", "-name"), ("per_page", "5"), ("page", "2")],
     ["p06", "p03"], 7, {"first": 1, "prev": 1, "last": 2}),
    ([("color", "#ff0000"), ("page", "2")], [], 7, {"first": 1, "prev": 1, "last": 1}),
    ([("name", "nothing")], [], 0, {"first": 1, "last": 1}),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected", "total", "rels"), PAGES)
def test_page_list_is_limit_offset_with_total_and_links(
    projects: FlaskClient,
    query: list[tuple[str, str]],
    expected: list[str],
    total: int,
    rels: dict[str, int],
) -> None:
    response = projects.get(f"/v1/projects?{urlencode(query)}")

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == str(total)
    asked = [(name, value) for name, value in query if name != "page"]
    assert links(response) == page_links(asked, **rels)
    assert [project["name"] for project in response.get_json()] == expected


def test_page_list_counts_once_and_reads_one_page(sqla_app: Flask, projects: FlaskClient) -> None:
    with statements(sqla_app) as sent:
        response = projects.get("/v1/projects?per_page=5&page=2&name[icontains]=p")

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "23"
    assert len(response.get_json()) == 5
    assert len(sent) == 2
    counts = [text for text in sent if "count(*)" in text.lower()]
    assert len(counts) == 1
    assert "LIMIT" in sent[1].upper()
    assert "OFFSET" in sent[1].upper()


# -- cursors ------------------------------------------------------------------------------------

WALK_SORTS = [
    "due_at",
    "-due_at",
    "rank",
    "-rank",
    "title",
    "-title",
    "priority",
    "-priority",
    "-due_at,rank",
    "priority,-rank,title",
]


@pytest.mark.parametrize("sort", WALK_SORTS)
def test_cursor_walk_by_sort_returns_every_row_once_in_order(sqla_app: Flask, sort: str) -> None:
    project_id = seed(sqla_app, 25)
    rows = snapshot(sqla_app, project_id)

    seen = walk(sqla_app.test_client(), f"/v1/projects/{project_id}/tasks?sort={sort}")

    assert seen == expected_ids(rows, sort, dialect(sqla_app))


@pytest.mark.parametrize(
    ("query", "sort", "size", "keep"),
    [
        ("", "", 3, lambda row: True),  # by id
        ("", "title", 5, lambda row: True),  # 25 rows: the fifth page is full and last
        ("done=false", "-rank", 4, lambda row: not row["done"]),
        ("rank[isnull]=true", "due_at", 2, lambda row: row["rank"] is None),
        (
            "priority[in]=low&priority[in]=high",
            "-due_at,title",
            1,
            lambda row: row["priority"] is not Priority.normal,
        ),
        ("q=TASK01", "-priority", 3, lambda row: "task01" in row["title"]),
    ],
)
def test_cursor_walk_with_filter_returns_the_filtered_rows_in_order(
    sqla_app: Flask, query: str, sort: str, size: int, keep: Callable[[Row], bool]
) -> None:
    project_id = seed(sqla_app, 25)
    rows = [row for row in snapshot(sqla_app, project_id) if keep(row)]
    pairs = f"{query}&sort={sort}" if sort else query

    url = f"/v1/projects/{project_id}/tasks?{pairs}&limit={size}"

    seen = walk(sqla_app.test_client(), url, size)

    assert seen == expected_ids(rows, sort or "id", dialect(sqla_app))


def insert_around(app: Flask, project_id: int, number: int, cursor: Row) -> list[Row]:
    """Add two tasks, in turn among: values that sort at either end, nulls, and values tied
    with the cursor's (two a round, so the walk gets out of a block of nulls)."""
    values = [
        (f"aaa{number}", Priority.low, 0, dt.datetime(2000, 1, 1)),
        (f"zzz{number}", Priority.high, 99, dt.datetime(2100, 1, 1)),
        (f"nnn{number}", Priority.normal, None, None),
        (f"bbb{number}", Priority.low, None, None),
        (f"{cursor['title']}x", cursor["priority"], cursor["rank"], cursor["due_at"]),
    ]
    chosen = [values[(2 * number) % 5], values[(2 * number + 1) % 5]]
    fields = ("title", "priority", "rank", "due_at")
    with app.app_context():
        tasks = [Task(project_id=project_id, **dict(zip(fields, v, strict=True))) for v in chosen]
        db.session.add_all(tasks)
        db.session.commit()
        return [
            {"id": task.id, **dict(zip(fields, v, strict=True))}
            for task, v in zip(tasks, chosen, strict=True)
        ]


def remove(app: Flask, project_id: int, titles: set[str]) -> None:
    with app.app_context():
        db.session.execute(
            delete(Task).where(Task.project_id == project_id, Task.title.in_(titles))
        )
        db.session.commit()


@pytest.mark.parametrize("sort", ["due_at", "-due_at", "-rank,title", "title", "priority,-due_at"])
def test_cursor_walk_while_rows_change_sees_each_lasting_row_once(
    sqla_app: Flask, sort: str
) -> None:
    # Rows are known by title: SQLite gives a deleted largest id to the next row inserted.
    project_id = seed(sqla_app, 24, nulls=1)
    kind = dialect(sqla_app)
    initial = {row["title"]: row for row in snapshot(sqla_app, project_id)}
    every = dict(initial)  # every row that ever was

    def key(title: str) -> tuple[Any, ...]:
        return order_key(every[title], sort, kind)

    seen: list[str] = []
    read_deleted: set[str] = set()
    unread_deleted: set[str] = set()
    before: set[str] = set()
    after: set[str] = set()
    url = f"/v1/projects/{project_id}/tasks?sort={sort}"
    for number, tasks in enumerate(pages(sqla_app.test_client(), url)):
        titles = [task["title"] for task in tasks]
        seen.extend(titles)
        if number >= 6:
            continue
        cursor = titles[-1]
        # Delete a row already read, the row the cursor points at, and two not read yet.
        unread = sorted(
            (
                row["title"]
                for row in snapshot(sqla_app, project_id)
                if row["title"] in initial and key(row["title"]) > key(cursor)
            ),
            key=key,
        )
        doomed = {unread[len(unread) // 2], unread[-1]} if unread else set()
        remove(sqla_app, project_id, {titles[0], cursor} | doomed)
        read_deleted |= {titles[0], cursor}
        unread_deleted |= doomed
        for row in insert_around(sqla_app, project_id, number, every[cursor]):
            every[row["title"]] = row
            (after if key(row["title"]) > key(cursor) else before).add(row["title"])

    assert len(seen) == len(set(seen)), "a row was seen twice"
    lasting = set(initial) - read_deleted - unread_deleted
    assert sorted(lasting - set(seen)) == []
    assert sorted(unread_deleted & set(seen)) == []
    assert sorted(after - set(seen)) == []  # added after the position: read later
    assert sorted(before & set(seen)) == []  # added before it: never read
    assert before
    assert after
    assert unread_deleted
    assert seen == sorted(seen, key=key)


@pytest.fixture
def two_lists(sqla_app: Flask) -> tuple[FlaskClient, str, str]:
    first = seed(sqla_app, 10, "first")
    second = seed(sqla_app, 10, "second")
    return (
        sqla_app.test_client(),
        f"/v1/projects/{first}/tasks",
        f"/v1/projects/{second}/tasks",
    )


@pytest.mark.parametrize(
    ("made_for", "used_with"),
    [
        ("{a}?sort=title", "{a}?sort=-title"),
        ("{a}?sort=title", "{a}?sort=rank"),
        ("{a}?sort=title", "{a}"),
        ("{a}?sort=title", "{a}?sort=title&done=true"),
        ("{a}?sort=title&done=true", "{a}?sort=title&done=false"),
        ("{a}?sort=title&done=true", "{a}?sort=title"),
        ("{a}?sort=title", "{a}?sort=title&q=task"),
        ("{a}?sort=title", "{b}?sort=title"),
    ],
)
def test_cursor_from_another_list_returns_422(
    two_lists: tuple[FlaskClient, str, str], made_for: str, used_with: str
) -> None:
    client, a, b = two_lists
    cursor = next_cursor(client, made_for.format(a=a, b=b))
    separator = "&" if "?" in used_with else "?"

    response = client.get(f"{used_with.format(a=a, b=b)}{separator}cursor={cursor}")

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(("cursor", INVALID_CURSOR))


def flip(text: str, index: int) -> str:
    return text[:index] + ("B" if text[index] == "A" else "A") + text[index + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda cursor: flip(cursor, 0),  # the position and query hash
        lambda cursor: flip(cursor, -10),  # the signature
        lambda cursor: cursor.rsplit(".", 1)[0],  # no signature
        lambda cursor: cursor + "A",
        lambda cursor: "not-a-cursor",
    ],
)
def test_cursor_tampered_returns_422(
    two_lists: tuple[FlaskClient, str, str], tamper: Callable[[str], str]
) -> None:
    client, a, _ = two_lists
    cursor = next_cursor(client, f"{a}?sort=rank")

    response = client.get(f"{a}?sort=rank&cursor={tamper(cursor)}")

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(("cursor", INVALID_CURSOR))


@pytest.mark.parametrize(
    ("sort", "position"),
    [
        ("rank", [1]),
        ("rank", [1, 2, 3]),
        ("rank", {"rank": 1, "id": 2}),
        ("rank", "abc"),
        ("rank", ["abc", 2]),
        ("rank", [[1], 2]),
        ("title", [None, "x"]),
        ("due_at", ["yesterday", 2]),
        ("due_at", [5, 2]),
        ("priority", ["urgent", 2]),
        ("priority", [["low"], 2]),
    ],
)
def test_cursor_signed_with_position_that_does_not_fit_returns_422(
    sqla_app: Flask, two_lists: tuple[FlaskClient, str, str], sort: str, position: Any
) -> None:
    client, a, _ = two_lists
    serializer = URLSafeTimedSerializer(
        str(sqla_app.secret_key),
        salt="restkit.cursor",
        signer_kwargs={"digest_method": hashlib.sha256},
    )
    payload = serializer.loads(next_cursor(client, f"{a}?sort={sort}"))
    cursor = serializer.dumps({**payload, "p": position})

    response = client.get(f"{a}?sort={sort}&cursor={cursor}")

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(("cursor", STALE_CURSOR))


def test_cursor_with_another_limit_continues_from_its_position(sqla_app: Flask) -> None:
    project_id = seed(sqla_app, 12)
    url = f"/v1/projects/{project_id}/tasks?sort=-due_at"
    expected = expected_ids(snapshot(sqla_app, project_id), "-due_at", dialect(sqla_app))
    client = sqla_app.test_client()
    cursor = next_cursor(client, f"{url}&limit=2")

    response = client.get(f"{url}&limit=5&cursor={cursor}")

    assert response.status_code == 200
    assert "next" in link_urls(response)
    assert [task["id"] for task in response.get_json()] == expected[2:7]


# -- statements ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "query"), [(3, "limit=100"), (30, "limit=100"), (30, "")])
def test_task_list_statements_do_not_grow_with_rows(
    sqla_app: Flask, count: int, query: str
) -> None:
    project_id = seed(sqla_app, count, labels=2)
    client = sqla_app.test_client()

    with statements(sqla_app) as sent:
        response = client.get(f"/v1/projects/{project_id}/tasks?{query}")

    assert response.status_code == 200
    tasks = response.get_json()
    assert len(tasks) == (count if query else 3)
    assert {task["project"] for task in tasks} == {"walk"}
    assert {tuple(task["labels"]) for task in tasks} == {("label0", "label1")}
    # The parent check, the page, one selectin per relationship (labels, project); COMMIT
    # is not a cursor statement.
    assert len(sent) == 4
    tables = [text.split("FROM", 1)[1].split()[0] for text in sent]
    assert tables[:2] == ["sqla_project", "sqla_task"]
    assert sorted(tables[2:]) == ["sqla_label", "sqla_project"]
