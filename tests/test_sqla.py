"""Model resources over HTTP: create, read, replace, patch and delete rows, on both databases.

Through the shared app of `tests/sqla_app.py`: a 201 with `Location` and the version as a
strong `ETag`, 422 for read-only or invalid fields, 404 for rows outside the URL's scope, 409
naming the columns of a taken unique value, PUT resetting what it leaves out, and `If-Match`
required on the versioned model's writes. Transactions, races and an unreachable database are
in `test_sqla_transactions.py`; the declarations, the generated schema and the OpenAPI
document in `test_sqla_declarations.py`; `database_problem` on its own in
`test_sqla_errors.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.sqla_app import Project, Task
from tests.sqla_helpers import MERGE_PATCH, PROBLEM_JSON, stored

READ_ONLY = "This field is read-only."
TASK_FIELDS = ("title", "notes", "rank", "due_at", "version")


@pytest.fixture
def client(sqla_app: Flask) -> FlaskClient:
    return sqla_app.test_client()


def make_project(client: FlaskClient, name: str = "Home") -> int:
    response = client.post("/v1/projects", json={"name": name})
    assert response.status_code == 201
    project_id: int = response.json["id"]
    return project_id


def make_task(client: FlaskClient, project_id: int, **fields: Any) -> int:
    response = client.post(f"/v1/projects/{project_id}/tasks", json={"title": "Milk", **fields})
    assert response.status_code == 201
    task_id: int = response.json["id"]
    return task_id


def task_rows(app: Flask) -> list[tuple[Any, ...]]:
    return stored(app, Task, *TASK_FIELDS)


# --- collection POST --------------------------------------------------------------------------


def test_post_task_returns_201_with_location_strong_etag_and_dumped_row(
    sqla_app: Flask, client: FlaskClient
) -> None:
    project_id = make_project(client)
    response = client.post(
        f"/v1/projects/{project_id}/tasks",
        json={"title": "Milk", "notes": "2 l", "rank": 3, "due_at": "2026-12-01T09:30:00Z"},
    )

    assert response.status_code == 201
    task_id = response.json["id"]
    assert response.headers["Location"] == f"/v1/projects/{project_id}/tasks/{task_id}"
    assert response.headers["ETag"] == '"1"'
    assert response.content_type == "application/json"
    assert response.json == {
        "id": task_id,
        "project_id": project_id,
        "project": "Home",
        "title": "Milk",
        "notes": "2 l",
        "priority": "normal",
        "rank": 3,
        "done": False,
        "due_at": "2026-12-01T09:30:00+00:00",
        "labels": [],
        "version": 1,
    }
    assert client.get(response.headers["Location"]).json == response.json
    assert task_rows(sqla_app) == [("Milk", "2 l", 3, dt.datetime(2026, 12, 1, 9, 30), 1)]


def test_post_project_without_version_returns_201_without_etag(client: FlaskClient) -> None:
    response = client.post("/v1/projects", json={"name": "Home", "color": "#00ff00"})

    assert response.status_code == 201
    assert response.headers["Location"] == f"/v1/projects/{response.json['id']}"
    assert "ETag" not in response.headers
    assert response.json["name"] == "Home"
    assert response.json["color"] == "#00ff00"
    assert response.json["created_at"].endswith("+00:00")


def test_task_written_with_offset_is_stored_and_read_in_utc(
    sqla_app: Flask, client: FlaskClient
) -> None:
    project_id = make_project(client)
    created = client.post(
        f"/v1/projects/{project_id}/tasks",
        json={"title": "Milk", "due_at": "2026-12-01T09:30:00+02:00"},
    )
    url = created.headers["Location"]
    read = client.get(url)
    patched = client.patch(
        url,
        json={"due_at": "2026-12-02T09:30:00-05:00"},
        headers={"If-Match": '"1"', "Content-Type": MERGE_PATCH},
    )

    assert created.status_code == 201
    assert created.json["due_at"] == "2026-12-01T07:30:00+00:00"
    assert read.json["due_at"] == "2026-12-01T07:30:00+00:00"
    assert patched.status_code == 200
    assert patched.json["due_at"] == "2026-12-02T14:30:00+00:00"
    assert stored(sqla_app, Task, "due_at") == [(dt.datetime(2026, 12, 2, 14, 30),)]


@pytest.mark.parametrize(
    ("path", "body", "pointers"),
    [
        ("/v1/projects", {"name": "Home", "id": 7}, ["/id"]),
        ("/v1/projects/{p}/tasks", {"title": "Milk", "id": 9}, ["/id"]),
        ("/v1/projects/{p}/tasks", {"title": "Milk", "version": 3}, ["/version"]),
        ("/v1/projects/{p}/tasks", {"title": "Milk", "project_id": 2}, ["/project_id"]),
        (
            "/v1/projects/{p}/tasks",
            {"title": "Milk", "project_id": 2, "version": 3},
            ["/project_id", "/version"],
        ),
    ],
)
def test_post_with_read_only_field_returns_422_and_writes_nothing(
    sqla_app: Flask, client: FlaskClient, path: str, body: dict[str, Any], pointers: list[str]
) -> None:
    project_id = make_project(client, "Other")

    response = client.post(path.format(p=project_id), json=body)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    errors = sorted(response.json["errors"], key=lambda error: error["pointer"])
    assert errors == [{"in": "body", "pointer": p, "detail": READ_ONLY} for p in pointers]
    assert stored(sqla_app, Project, "name") == [("Other",)]
    assert task_rows(sqla_app) == []


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        ("/v1/projects", {}, "/name"),
        ("/v1/projects", {"name": "x" * 101}, "/name"),
        ("/v1/projects", {"name": 5}, "/name"),
        ("/v1/projects/{p}/tasks", {}, "/title"),
        ("/v1/projects/{p}/tasks", {"title": ""}, "/title"),
        ("/v1/projects/{p}/tasks", {"title": "Milk", "priority": "urgent"}, "/priority"),
        ("/v1/projects/{p}/tasks", {"title": "Milk", "due_at": "tomorrow"}, "/due_at"),
        ("/v1/projects/{p}/tasks", {"title": "Milk", "rank": "first"}, "/rank"),
    ],
)
def test_post_with_invalid_body_returns_422_with_pointer_and_writes_nothing(
    sqla_app: Flask, client: FlaskClient, path: str, body: dict[str, Any], pointer: str
) -> None:
    project_id = make_project(client, "Other")

    response = client.post(path.format(p=project_id), json=body)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert [error["pointer"] for error in response.json["errors"]] == [pointer]
    assert stored(sqla_app, Project, "name") == [("Other",)]
    assert task_rows(sqla_app) == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_nested_collection_under_missing_parent_returns_404(
    sqla_app: Flask, client: FlaskClient, method: str
) -> None:
    response = client.open("/v1/projects/999/tasks", method=method, json={"title": "Milk"})

    assert response.status_code == 404
    assert response.content_type == PROBLEM_JSON
    assert response.json["detail"] == "The sqla_project with id 999 does not exist."
    assert task_rows(sqla_app) == []


def test_post_project_with_taken_name_returns_409_naming_the_field_not_the_value(
    sqla_app: Flask, client: FlaskClient
) -> None:
    make_project(client, "Zanzibar")

    response = client.post("/v1/projects", json={"name": "Zanzibar", "color": "#123456"})

    assert response.status_code == 409
    assert response.content_type == PROBLEM_JSON
    assert response.json["detail"] == (
        "Another resource already has this name; choose another value."
    )
    assert "Zanzibar" not in response.get_data(as_text=True)
    assert stored(sqla_app, Project, "name", "color") == [("Zanzibar", None)]


def test_post_task_with_taken_title_in_project_returns_409_naming_both_columns(
    sqla_app: Flask, client: FlaskClient
) -> None:
    home = make_project(client, "Home")
    work = make_project(client, "Work")
    make_task(client, home, title="Quokka")

    taken = client.post(f"/v1/projects/{home}/tasks", json={"title": "Quokka", "rank": 1})
    elsewhere = client.post(f"/v1/projects/{work}/tasks", json={"title": "Quokka"})

    assert taken.status_code == 409
    assert taken.content_type == PROBLEM_JSON
    assert taken.json["detail"] == (
        "Another resource already has this project_id and title; choose another value."
    )
    assert "Quokka" not in taken.get_data(as_text=True)
    assert elsewhere.status_code == 201
    assert stored(sqla_app, Task, "project_id", "title", "rank") == [
        (home, "Quokka", None),
        (work, "Quokka", None),
    ]


def test_patch_project_to_taken_name_returns_409_and_keeps_the_row(
    sqla_app: Flask, client: FlaskClient
) -> None:
    make_project(client, "Home")
    work = make_project(client, "Work")

    response = client.patch(
        f"/v1/projects/{work}", json={"name": "Home"}, headers={"Content-Type": MERGE_PATCH}
    )

    assert response.status_code == 409
    assert response.content_type == PROBLEM_JSON
    assert "name" in response.json["detail"]
    assert "Home" not in response.json["detail"]
    assert stored(sqla_app, Project, "name") == [("Home",), ("Work",)]


# --- item GET -------------------------------------------------------------------------------


def test_get_task_returns_strong_etag_and_304_when_it_matches(client: FlaskClient) -> None:
    project_id = make_project(client)
    task_id = make_task(client, project_id)
    url = f"/v1/projects/{project_id}/tasks/{task_id}"

    response = client.get(url)
    unchanged = client.get(url, headers={"If-None-Match": '"1"'})
    changed = client.get(url, headers={"If-None-Match": '"0"'})

    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    assert response.json["title"] == "Milk"
    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == '"1"'
    assert unchanged.get_data() == b""
    assert changed.status_code == 200
    assert changed.json == response.json


@pytest.mark.parametrize(
    ("method", "headers", "body"),
    [
        ("GET", {}, None),
        ("PUT", {"If-Match": '"1"'}, {"title": "Bread"}),
        ("PATCH", {"If-Match": '"1"', "Content-Type": MERGE_PATCH}, {"title": "Bread"}),
        ("DELETE", {"If-Match": '"1"'}, None),
    ],
)
def test_task_of_another_project_or_missing_returns_404(
    sqla_app: Flask,
    client: FlaskClient,
    method: str,
    headers: dict[str, str],
    body: dict[str, Any] | None,
) -> None:
    home = make_project(client, "Home")
    work = make_project(client, "Work")
    task_id = make_task(client, home)

    other = client.open(
        f"/v1/projects/{work}/tasks/{task_id}", method=method, headers=headers, json=body
    )
    missing = client.open(
        f"/v1/projects/{home}/tasks/{task_id + 100}", method=method, headers=headers, json=body
    )

    for response in (other, missing):
        assert response.status_code == 404
        assert response.content_type == PROBLEM_JSON
        assert response.json["title"] == "Not Found"
    assert task_rows(sqla_app) == [("Milk", None, None, None, 1)]


# --- PUT and PATCH --------------------------------------------------------------------------


def test_put_task_resets_the_fields_it_leaves_out(sqla_app: Flask, client: FlaskClient) -> None:
    project_id = make_project(client)
    task_id = make_task(
        client,
        project_id,
        notes="2 l",
        rank=3,
        priority="high",
        done=True,
        due_at="2026-12-01T09:30:00Z",
    )

    response = client.put(
        f"/v1/projects/{project_id}/tasks/{task_id}",
        json={"title": "Bread"},
        headers={"If-Match": '"1"'},
    )

    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    body = response.json
    assert (body["title"], body["notes"], body["rank"], body["due_at"]) == (
        "Bread",
        None,
        None,
        None,
    )
    assert (body["priority"], body["done"], body["version"]) == ("normal", False, 2)
    assert task_rows(sqla_app) == [("Bread", None, None, None, 2)]


def test_put_project_resets_color_and_needs_no_if_match(
    sqla_app: Flask, client: FlaskClient
) -> None:
    response = client.post("/v1/projects", json={"name": "Home", "color": "#00ff00"})
    project_id = response.json["id"]

    replaced = client.put(f"/v1/projects/{project_id}", json={"name": "House"})

    assert replaced.status_code == 200
    assert "ETag" not in replaced.headers
    assert (replaced.json["name"], replaced.json["color"]) == ("House", None)
    assert stored(sqla_app, Project, "name", "color") == [("House", None)]


def test_patch_task_with_null_clears_the_field_and_keeps_the_others(
    sqla_app: Flask, client: FlaskClient
) -> None:
    project_id = make_project(client)
    task_id = make_task(client, project_id, notes="2 l", due_at="2026-12-01T09:30:00Z")

    response = client.patch(
        f"/v1/projects/{project_id}/tasks/{task_id}",
        json={"due_at": None},
        headers={"If-Match": '"1"', "Content-Type": MERGE_PATCH},
    )

    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    assert response.json["due_at"] is None
    assert (response.json["title"], response.json["notes"]) == ("Milk", "2 l")
    assert task_rows(sqla_app) == [("Milk", "2 l", None, None, 2)]


@pytest.mark.parametrize(
    ("patch", "pointer"),
    [({"title": None}, "/title"), ({"title": ""}, "/title"), ({"priority": "urgent"}, "/priority")],
)
def test_patch_task_with_invalid_result_returns_422_and_writes_nothing(
    sqla_app: Flask, client: FlaskClient, patch: dict[str, Any], pointer: str
) -> None:
    project_id = make_project(client)
    task_id = make_task(client, project_id)

    response = client.patch(
        f"/v1/projects/{project_id}/tasks/{task_id}",
        json=patch,
        headers={"If-Match": '"1"', "Content-Type": MERGE_PATCH},
    )

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert [error["pointer"] for error in response.json["errors"]] == [pointer]
    assert task_rows(sqla_app) == [("Milk", None, None, None, 1)]


WRITES = [
    ("PUT", {}, {"title": "Bread"}),
    ("PATCH", {"Content-Type": MERGE_PATCH}, {"title": "Bread"}),
    ("DELETE", {}, None),
]


@pytest.mark.parametrize(("method", "headers", "body"), WRITES)
@pytest.mark.parametrize(
    ("if_match", "status"), [(None, 428), ('"2"', 412), ('W/"1"', 412), ('"0", "7"', 412)]
)
def test_task_write_without_or_with_stale_if_match_is_refused_and_writes_nothing(
    sqla_app: Flask,
    client: FlaskClient,
    method: str,
    headers: dict[str, str],
    body: dict[str, Any] | None,
    if_match: str | None,
    status: int,
) -> None:
    project_id = make_project(client)
    task_id = make_task(client, project_id)
    sent = {**headers, **({"If-Match": if_match} if if_match else {})}

    response = client.open(
        f"/v1/projects/{project_id}/tasks/{task_id}", method=method, headers=sent, json=body
    )

    assert response.status_code == status
    assert response.content_type == PROBLEM_JSON
    assert task_rows(sqla_app) == [("Milk", None, None, None, 1)]


@pytest.mark.parametrize(("method", "headers", "body"), WRITES[:2])
def test_task_write_with_current_if_match_returns_200_and_the_next_etag(
    sqla_app: Flask,
    client: FlaskClient,
    method: str,
    headers: dict[str, str],
    body: dict[str, Any],
) -> None:
    project_id = make_project(client)
    task_id = make_task(client, project_id)

    response = client.open(
        f"/v1/projects/{project_id}/tasks/{task_id}",
        method=method,
        headers={**headers, "If-Match": '"1"'},
        json=body,
    )

    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    assert (response.json["title"], response.json["version"]) == ("Bread", 2)
    assert task_rows(sqla_app) == [("Bread", None, None, None, 2)]


def test_delete_task_with_current_if_match_returns_204_and_removes_it(
    sqla_app: Flask, client: FlaskClient
) -> None:
    project_id = make_project(client)
    task_id = make_task(client, project_id)
    url = f"/v1/projects/{project_id}/tasks/{task_id}"

    response = client.delete(url, headers={"If-Match": '"1"'})

    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get(url).status_code == 404
    assert task_rows(sqla_app) == []


@pytest.mark.parametrize(
    ("method", "headers", "body", "status"),
    [
        ("PUT", {}, {"name": "House"}, 200),
        ("PATCH", {"Content-Type": MERGE_PATCH}, {"name": "House"}, 200),
        ("DELETE", {}, None, 204),
    ],
)
def test_project_write_needs_no_if_match(
    sqla_app: Flask,
    client: FlaskClient,
    method: str,
    headers: dict[str, str],
    body: dict[str, Any] | None,
    status: int,
) -> None:
    project_id = make_project(client)

    response = client.open(f"/v1/projects/{project_id}", method=method, headers=headers, json=body)

    assert response.status_code == status
    assert "ETag" not in response.headers
    assert stored(sqla_app, Project, "name") == ([("House",)] if body else [])
