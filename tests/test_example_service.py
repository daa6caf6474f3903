from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from example_service import create_app
from tests.live import example_service

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def client() -> FlaskClient:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.test_client()


def test_projects_list_on_fresh_database_returns_demo_projects(client: FlaskClient) -> None:
    response = client.get("/v1/projects/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    names = [project["name"] for project in response.get_json()]
    assert names == ["Groceries", "Work"]
    assert response.get_json()[0]["created_at"].endswith("+00:00")


def test_projects_create_with_valid_body_returns_201_and_location(client: FlaskClient) -> None:
    response = client.post("/v1/projects/", json={"name": "Garden", "color": "#00ff00"})
    assert response.status_code == 201
    assert response.headers["Location"] == "/v1/projects/3"
    body = response.get_json()
    assert body["id"] == 3
    assert body["name"] == "Garden"
    assert body["color"] == "#00ff00"
    assert client.get("/v1/projects/3").get_json()["name"] == "Garden"


def test_projects_create_with_invalid_fields_returns_422_listing_each(client: FlaskClient) -> None:
    response = client.post("/v1/projects/", json={"name": "", "color": "red", "id": 7})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["errors"] == [
        {"in": "body", "pointer": "/name", "detail": "Length must be between 1 and 100."},
        {"in": "body", "pointer": "/color", "detail": "Use #rrggbb."},
        {"in": "body", "pointer": "/id", "detail": "This field is read-only."},
    ]


def test_project_get_missing_returns_404_problem(client: FlaskClient) -> None:
    response = client.get("/v1/projects/99")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Project 99 does not exist.",
    }


def test_project_delete_removes_it_and_its_tasks(client: FlaskClient) -> None:
    response = client.delete("/v1/projects/1")
    assert response.status_code == 204
    assert response.data == b""
    assert client.get("/v1/projects/1").status_code == 404
    assert client.get("/v1/projects/1/tasks/1").status_code == 404


def test_tasks_list_filtered_by_done_returns_matching_tasks(client: FlaskClient) -> None:
    response = client.get("/v1/projects/1/tasks?done=false")
    assert response.status_code == 200
    assert [task["title"] for task in response.get_json()] == ["Milk"]


def test_tasks_create_then_get_and_delete_round_trips(client: FlaskClient) -> None:
    created = client.post(
        "/v1/projects/2/tasks", json={"title": "Ship it", "due_at": "2030-01-02T03:04:05+02:00"}
    )
    assert created.status_code == 201
    location = created.headers["Location"]
    assert location == f"/v1/projects/2/tasks/{created.get_json()['id']}"
    fetched = client.get(location)
    assert fetched.status_code == 200
    assert fetched.get_json()["title"] == "Ship it"
    assert fetched.get_json()["done"] is False
    assert client.delete(location).status_code == 204
    assert client.get(location).status_code == 404


def test_task_of_another_project_returns_404(client: FlaskClient) -> None:
    response = client.get("/v1/projects/2/tasks/1")
    assert response.status_code == 404
    assert response.get_json()["detail"] == "Task 1 does not exist in project 2."


def test_tasks_of_missing_project_returns_404(client: FlaskClient) -> None:
    assert client.get("/v1/projects/42/tasks").status_code == 404
    assert client.post("/v1/projects/42/tasks", json={"title": "x"}).status_code == 404


def test_demo_data_disabled_gives_empty_database() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TASKBOARD_DEMO_DATA": False})
    assert app.test_client().get("/v1/projects/").get_json() == []


def test_module_entry_point_serves_over_http_on_port(tmp_path: Path) -> None:
    with (
        example_service(tmp_path) as base_url,
        urllib.request.urlopen(f"{base_url}/v1/projects/", timeout=5) as response,
    ):
        status, body = response.status, response.read()

    assert status == 200
    assert b"Groceries" in body
