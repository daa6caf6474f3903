"""A Python SDK generated from openapi/taskboard.json works against the running service.

openapi-python-client turns the committed document into a typed client, the way a team would
ship one; the test then drives `python -m example_service` over real HTTP with it. A warning
from the generator means the document has a construct it cannot turn into code, which is a
bug in the document.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.live import example_service

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGE = "taskboard_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate the client package from the committed document; return its parent directory."""
    parent = tmp_path_factory.mktemp("sdk")
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(ROOT / "openapi" / "taskboard.json"),
            "--output-path",
            str(parent / PACKAGE),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        cwd=parent,
        # The generator formats its output with ruff, found on PATH: the venv's, under make test.
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert output.strip() == f"Generating {parent / PACKAGE}", output
    return parent


@pytest.fixture(scope="module")
def sdk(generated: Path) -> Iterator[ModuleType]:
    """Import the generated package (and its submodules on demand); unload it afterwards."""
    sys.path.insert(0, str(generated))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(generated))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


def sdk_module(name: str) -> Any:
    """Return a submodule of the generated package, such as `api.projects.list_projects`."""
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run the example service on a free port and a fresh SQLite file; yield its URL."""
    with example_service(tmp_path_factory.mktemp("server")) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def client(sdk: ModuleType, server: str) -> Iterator[Any]:
    with sdk.Client(base_url=server, raise_on_unexpected_status=True) as client:
        yield client


def test_generated_client_has_one_function_per_operation(sdk: ModuleType) -> None:
    for name in (
        "listProjects",
        "createProject",
        "getProject",
        "deleteProject",
        "listProjectTasks",
        "createProjectTask",
        "getTask",
        "deleteTask",
    ):
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
        module = sdk_module(f"api.projects.{snake}")
        assert callable(module.sync_detailed), name


def test_list_projects_returns_demo_projects_as_models(client: Any) -> None:
    models = sdk_module("models")

    projects = sdk_module("api.projects.list_projects").sync(client=client)

    assert [project.name for project in projects[:2]] == ["Groceries", "Work"]
    groceries = projects[0]
    assert isinstance(groceries, models.Project)
    assert groceries.id == 1
    assert groceries.color == "#2e7d32"
    assert isinstance(groceries.created_at, dt.datetime)
    assert groceries.created_at.utcoffset() == dt.timedelta(0)


def test_create_project_returns_201_model_and_location(client: Any) -> None:
    models = sdk_module("models")
    body = models.Project(name="Garden", color="#00ff00")

    response = sdk_module("api.projects.create_project").sync_detailed(client=client, body=body)

    assert response.status_code == HTTPStatus.CREATED
    created = response.parsed
    assert isinstance(created, models.Project)
    assert response.headers["Location"] == f"/v1/projects/{created.id}"
    assert created.name == "Garden"
    assert created.color == "#00ff00"
    assert isinstance(created.created_at, dt.datetime)

    fetched = sdk_module("api.projects.get_project").sync(client=client, project_id=created.id)

    assert isinstance(fetched, models.Project)
    assert fetched.to_dict() == created.to_dict()


def test_create_project_with_null_color_round_trips_none(client: Any) -> None:
    models = sdk_module("models")

    created = sdk_module("api.projects.create_project").sync(
        client=client, body=models.Project(name="Errands", color=None)
    )

    assert isinstance(created, models.Project)
    assert created.color is None


def test_list_project_tasks_filtered_by_done_false_returns_open_tasks(client: Any) -> None:
    models = sdk_module("models")

    tasks = sdk_module("api.projects.list_project_tasks").sync(
        client=client, project_id=1, done=False
    )

    assert [task.title for task in tasks] == ["Milk"]
    assert isinstance(tasks[0], models.Task)
    assert tasks[0].done is False
    assert tasks[0].project_id == 1


def test_create_then_delete_task_returns_204(client: Any) -> None:
    models = sdk_module("models")
    project = sdk_module("api.projects.create_project").sync(
        client=client, body=models.Project(name="Trip")
    )
    due = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

    created = sdk_module("api.projects.create_project_task").sync_detailed(
        client=client, project_id=project.id, body=models.Task(title="Pack", due_at=due)
    )

    assert created.status_code == HTTPStatus.CREATED
    task = created.parsed
    assert isinstance(task, models.Task)
    assert created.headers["Location"] == f"/v1/projects/{project.id}/tasks/{task.id}"
    assert task.title == "Pack"
    assert task.done is False
    assert task.due_at == due

    deleted = sdk_module("api.projects.delete_task").sync_detailed(
        client=client, project_id=project.id, task_id=task.id
    )

    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert deleted.parsed is None
    assert deleted.content == b""
    missing = sdk_module("api.projects.get_task").sync(
        client=client, project_id=project.id, task_id=task.id
    )
    assert isinstance(missing, models.Problem)
    assert missing.status == 404


def test_get_missing_project_parses_404_as_problem(client: Any) -> None:
    models = sdk_module("models")

    response = sdk_module("api.projects.get_project").sync_detailed(client=client, project_id=999)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.parsed
    assert isinstance(problem, models.Problem)
    assert problem.type_ == "about:blank"
    assert problem.title == "Not Found"
    assert problem.status == 404
    assert problem.detail == "Project 999 does not exist."


def test_create_project_with_invalid_body_parses_422_as_validation_problem(client: Any) -> None:
    models = sdk_module("models")

    response = sdk_module("api.projects.create_project").sync_detailed(
        client=client, body=models.Project(name="", color="red")
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    problem = response.parsed
    assert isinstance(problem, models.ValidationProblem)
    assert problem.status == 422
    assert problem.title == "Unprocessable Content"
    assert [(error.in_, error.pointer, error.detail) for error in problem.errors] == [
        (models.InputErrorIn.BODY, "/name", "Length must be between 1 and 100."),
        (models.InputErrorIn.BODY, "/color", "Use #rrggbb."),
    ]
    assert all(isinstance(error, models.InputError) for error in problem.errors)
