"""Taskboard end to end: projects, over HTTP on both databases.

Page pagination, creation with idempotency keys, conditional reads and writes, merge-patch,
and the rule that another user's project does not exist for the caller.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.taskboard_live import (
    MERGE_PATCH,
    PROBLEM,
    etag_of,
    links,
    make_project,
    make_task,
    merge_patch,
    send,
)

pytest_plugins = ["tests.taskboard_live"]


def page_query(url: str) -> dict[str, str]:
    """Return the query of a Link URL as a dict."""
    return dict(httpx.URL(url).params)


# -- listProjects -------------------------------------------------------------------------------


def test_list_projects_of_new_user_returns_empty_page(new_user: httpx.Client) -> None:
    response = new_user.get("/v1/projects")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Total-Count"] == "0"
    assert response.json() == []


def test_list_projects_by_page_links_first_prev_next_last(new_user: httpx.Client) -> None:
    names = [f"Project {index}" for index in range(5)]
    for name in names:
        make_project(new_user, name)

    first = new_user.get("/v1/projects", params={"per_page": 2})
    middle = new_user.get("/v1/projects", params={"per_page": 2, "page": 2})
    last = new_user.get("/v1/projects", params={"per_page": 2, "page": 3})

    assert first.status_code == middle.status_code == last.status_code == 200
    assert first.headers["X-Total-Count"] == middle.headers["X-Total-Count"] == "5"
    assert last.headers["X-Total-Count"] == "5"
    first_links = {rel: page_query(url) for rel, url in links(first).items()}
    assert first_links == {
        "first": {"per_page": "2", "page": "1"},
        "next": {"per_page": "2", "page": "2"},
        "last": {"per_page": "2", "page": "3"},
    }
    middle_links = {rel: page_query(url)["page"] for rel, url in links(middle).items()}
    assert middle_links == {"first": "1", "prev": "1", "next": "3", "last": "3"}
    last_links = {rel: page_query(url)["page"] for rel, url in links(last).items()}
    assert last_links == {"first": "1", "prev": "2", "last": "3"}
    pages = [first.json(), middle.json(), last.json()]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [project["name"] for page in pages for project in page] == names


def test_list_projects_links_resolve_to_the_pages(new_user: httpx.Client) -> None:
    for index in range(3):
        make_project(new_user, f"Linked {index}")
    first = new_user.get("/v1/projects", params={"per_page": 2})

    followed = new_user.get(links(first)["next"])

    assert followed.status_code == 200
    assert [project["name"] for project in followed.json()] == ["Linked 2"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
    ],
    ids=["per-page-101", "per-page-0", "page-0", "page-not-a-number"],
)
def test_list_projects_with_bad_paging_returns_422_naming_it(
    alice: httpx.Client, params: dict[str, Any], name: str
) -> None:
    response = alice.get("/v1/projects", params=params)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    errors = response.json()["errors"]
    assert [(error["in"], error["name"]) for error in errors] == [("query", name)]


def test_list_projects_with_per_page_100_returns_200(alice: httpx.Client) -> None:
    response = alice.get("/v1/projects", params={"per_page": 100})

    assert response.status_code == 200
    assert len(response.json()) <= 100


def test_list_projects_returns_only_the_callers(new_user: httpx.Client, bob: httpx.Client) -> None:
    mine = make_project(new_user, "Mine")
    theirs = make_project(bob, "Theirs")

    response = new_user.get("/v1/projects", params={"per_page": 100})

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    ids = [project["id"] for project in response.json()]
    assert ids == [mine["id"]]
    assert theirs["id"] not in ids


# -- createProject ------------------------------------------------------------------------------


def test_create_project_returns_201_with_location_and_etag(alice: httpx.Client) -> None:
    response = alice.post("/v1/projects", json={"name": "Garden", "color": "#2e7d32"})

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    project = response.json()
    assert response.headers["Location"].endswith(f"/v1/projects/{project['id']}")
    assert response.headers["ETag"]
    assert set(project) == {"id", "name", "color", "created_at", "updated_at"}
    assert project["name"] == "Garden"
    assert project["color"] == "#2e7d32"
    fetched = alice.get(response.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.headers["ETag"] == response.headers["ETag"]
    assert fetched.json() == project


def test_create_project_without_color_stores_null(alice: httpx.Client) -> None:
    response = alice.post("/v1/projects", json={"name": "Plain"})

    assert response.status_code == 201
    assert response.json()["color"] is None


@pytest.mark.parametrize("color", ["#2E7D32", "#000000", None])
def test_create_project_with_valid_color_returns_201(
    alice: httpx.Client, color: str | None
) -> None:
    response = alice.post("/v1/projects", json={"name": "Colored", "color": color})

    assert response.status_code == 201
    assert response.json()["color"] == color


@pytest.mark.parametrize("color", ["red", "#abc", "2e7d32", "#gggggg", "#2e7d321", ""])
def test_create_project_with_invalid_color_returns_422(alice: httpx.Client, color: str) -> None:
    response = alice.post("/v1/projects", json={"name": "Colored", "color": color})

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    errors = response.json()["errors"]
    assert [(error["in"], error["pointer"]) for error in errors] == [("body", "/color")]


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"name": "x" * 101}, {}, {"name": "Ok", "owner_id": 1}, {"name": 7}],
    ids=["empty-name", "long-name", "no-name", "owner-id", "name-not-string"],
)
def test_create_project_with_invalid_body_returns_422(
    alice: httpx.Client, body: dict[str, Any]
) -> None:
    response = alice.post("/v1/projects", json=body)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    assert len(response.json()["errors"]) == 1


def test_create_project_with_100_character_name_returns_201(alice: httpx.Client) -> None:
    response = alice.post("/v1/projects", json={"name": "x" * 100})

    assert response.status_code == 201


def test_create_project_with_read_only_id_returns_422(alice: httpx.Client) -> None:
    response = alice.post("/v1/projects", json={"name": "Mine", "id": 1})

    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/id"]


def test_create_project_replayed_with_same_key_returns_same_response_once(
    new_user: httpx.Client,
) -> None:
    key = str(uuid.uuid4())
    body = {"name": "Once", "color": "#123456"}

    first = new_user.post("/v1/projects", json=body, headers={"Idempotency-Key": key})
    second = new_user.post("/v1/projects", json=body, headers={"Idempotency-Key": key})

    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.json() == first.json()
    listed = new_user.get("/v1/projects")
    assert listed.headers["X-Total-Count"] == "1"
    assert [project["id"] for project in listed.json()] == [first.json()["id"]]


def test_create_project_with_same_key_and_other_body_returns_422(
    new_user: httpx.Client,
) -> None:
    key = str(uuid.uuid4())
    assert (
        new_user.post(
            "/v1/projects", json={"name": "First"}, headers={"Idempotency-Key": key}
        ).status_code
        == 201
    )

    response = new_user.post(
        "/v1/projects", json={"name": "Second"}, headers={"Idempotency-Key": key}
    )

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    assert [error["name"] for error in response.json()["errors"]] == ["Idempotency-Key"]
    assert new_user.get("/v1/projects").headers["X-Total-Count"] == "1"


def test_create_project_with_same_key_from_other_user_creates_their_own(
    new_user: httpx.Client, bob: httpx.Client
) -> None:
    key = str(uuid.uuid4())
    mine = new_user.post(
        "/v1/projects", json={"name": "Shared key"}, headers={"Idempotency-Key": key}
    )

    theirs = bob.post("/v1/projects", json={"name": "Shared key"}, headers={"Idempotency-Key": key})

    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["id"] != mine.json()["id"]


# -- getProject ---------------------------------------------------------------------------------


def test_get_project_with_matching_if_none_match_returns_304(alice: httpx.Client) -> None:
    path = f"/v1/projects/{make_project(alice)['id']}"
    etag = etag_of(alice, path)

    response = alice.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["ETag"] == etag
    assert response.content == b""


def test_get_project_with_other_if_none_match_returns_200(alice: httpx.Client) -> None:
    path = f"/v1/projects/{make_project(alice)['id']}"

    response = alice.get(path, headers={"If-None-Match": '"not-the-etag"'})

    assert response.status_code == 200
    assert response.json()["name"] == "Chores"


def test_get_missing_project_returns_404_problem(alice: httpx.Client) -> None:
    response = alice.get("/v1/projects/987654321")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json()["status"] == 404


# -- updateProject, patchProject, deleteProject ------------------------------------------------

WRITES = [
    ("PUT", {"json": {"name": "Renamed", "color": "#abcdef"}}),
    ("PATCH", {"content": b'{"name": "Renamed"}', "headers": {"Content-Type": MERGE_PATCH}}),
    ("DELETE", {}),
]
WRITE_IDS = ["put", "patch", "delete"]


@pytest.mark.parametrize(("method", "request_"), WRITES, ids=WRITE_IDS)
def test_write_project_without_if_match_returns_428(
    alice: httpx.Client, method: str, request_: dict[str, Any]
) -> None:
    path = f"/v1/projects/{make_project(alice)['id']}"

    response = send(alice, method, path, request_)

    assert response.status_code == 428
    assert response.headers["Content-Type"] == PROBLEM
    assert alice.get(path).json()["name"] == "Chores"


@pytest.mark.parametrize(("method", "request_"), WRITES, ids=WRITE_IDS)
def test_write_project_with_stale_if_match_returns_412(
    alice: httpx.Client, method: str, request_: dict[str, Any]
) -> None:
    path = f"/v1/projects/{make_project(alice)['id']}"
    stale = etag_of(alice, path)
    assert merge_patch(alice, path, {"color": "#111111"}).status_code == 200

    response = send(alice, method, path, request_, **{"If-Match": stale})

    assert response.status_code == 412
    assert response.headers["Content-Type"] == PROBLEM
    assert alice.get(path).json()["name"] == "Chores"


def test_put_project_with_current_etag_replaces_it(alice: httpx.Client) -> None:
    project = make_project(alice, "Before", color="#111111")
    path = f"/v1/projects/{project['id']}"
    etag = etag_of(alice, path)

    response = alice.put(path, json={"name": "After"}, headers={"If-Match": etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    body = response.json()
    assert body["name"] == "After"
    assert body["color"] is None  # a replacement: the omitted color is back to its default
    assert body["id"] == project["id"]
    assert body["created_at"] == project["created_at"]
    assert alice.get(path).json() == body


def test_patch_project_with_current_etag_changes_only_given_fields(alice: httpx.Client) -> None:
    project = make_project(alice, "Before", color="#111111")
    path = f"/v1/projects/{project['id']}"
    etag = etag_of(alice, path)

    response = alice.patch(
        path, content=b'{"name": "After"}', headers={"If-Match": etag, "Content-Type": MERGE_PATCH}
    )

    assert response.status_code == 200
    assert response.headers["ETag"] not in ("", etag)
    assert response.json()["name"] == "After"
    assert response.json()["color"] == "#111111"
    assert etag_of(alice, path) == response.headers["ETag"]


def test_patch_project_with_null_color_clears_it(alice: httpx.Client) -> None:
    path = f"/v1/projects/{make_project(alice, color='#111111')['id']}"

    response = merge_patch(alice, path, {"color": None})

    assert response.status_code == 200
    assert response.json()["color"] is None


def test_patch_project_as_plain_json_returns_415(alice: httpx.Client) -> None:
    path = f"/v1/projects/{make_project(alice)['id']}"

    response = alice.patch(path, json={"name": "After"}, headers={"If-Match": etag_of(alice, path)})

    assert response.status_code == 415
    assert response.headers["Content-Type"] == PROBLEM


def test_patch_project_to_invalid_result_returns_422(alice: httpx.Client) -> None:
    path = f"/v1/projects/{make_project(alice)['id']}"

    response = merge_patch(alice, path, {"name": None})

    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/name"]


def test_delete_project_with_current_etag_returns_204_then_404(alice: httpx.Client) -> None:
    path = f"/v1/projects/{make_project(alice)['id']}"

    response = alice.delete(path, headers={"If-Match": etag_of(alice, path)})

    assert response.status_code == 204
    assert response.content == b""
    assert alice.get(path).status_code == 404


def test_delete_project_deletes_its_tasks(alice: httpx.Client) -> None:
    project = make_project(alice)
    tasks = [make_task(alice, project["id"], title) for title in ("One", "Two")]
    path = f"/v1/projects/{project['id']}"

    response = alice.delete(path, headers={"If-Match": etag_of(alice, path)})

    assert response.status_code == 204
    for task in tasks:
        assert alice.get(f"/v1/tasks/{task['id']}").status_code == 404
    assert alice.get(f"{path}/tasks").status_code == 404


# -- another user's project ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "request_"),
    [
        ("GET", "", {}),
        ("PUT", "", {"json": {"name": "Mine now"}}),
        (
            "PATCH",
            "",
            {"content": b'{"name": "Mine now"}', "headers": {"Content-Type": MERGE_PATCH}},
        ),
        ("DELETE", "", {}),
        ("GET", "/tasks", {}),
        ("POST", "/tasks", {"json": {"title": "Sneaky"}}),
    ],
    ids=["get", "put", "patch", "delete", "list-tasks", "create-task"],
)
def test_other_users_project_returns_404_for_every_method(
    alice: httpx.Client, bob: httpx.Client, method: str, suffix: str, request_: dict[str, Any]
) -> None:
    project = make_project(bob, "Bob's")
    path = f"/v1/projects/{project['id']}"
    etag = etag_of(bob, path)

    response = send(alice, method, path + suffix, request_, **{"If-Match": etag})

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM
    unchanged = bob.get(path)
    assert unchanged.status_code == 200
    assert unchanged.json() == project
    assert bob.get(f"{path}/tasks").json() == []
