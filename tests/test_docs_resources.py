"""docs/resources.md, "Reading declarations back" (docs/examples/inspect_routes.py)."""

from __future__ import annotations

from types import ModuleType

import pytest

from restkit import Operation, ResponseSpec, Route
from tests.test_docs_examples import load_example


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_example("inspect_routes", monkeypatch)


def test_resources_route_table_matches_the_page(example: ModuleType) -> None:
    assert example.route_table(example.api) == [
        "GET    /v1/tasks                Tasks.get        -      200",
        "POST   /v1/tasks                Tasks.post       body   201",
        "DELETE /v1/tasks/<int:task_id>  TaskItem.delete  -      204",
    ]


def test_resources_records_are_the_documented_types(example: ModuleType) -> None:
    route = example.tasks.routes["TaskItem"]

    assert isinstance(route, Route)
    assert (route.rule, route.endpoint, route.resource) == (
        "/tasks/<int:task_id>",
        "TaskItem",
        example.TaskItem,
    )
    post = example.Tasks.operations["POST"]
    assert isinstance(post, Operation)
    assert (post.method, post.qualname, post.summary) == ("POST", "Tasks.post", "Create a task.")
    assert isinstance(post.responses[201], ResponseSpec)
    assert route.operations["DELETE"].path_arguments == ("task_id",)
    assert example.api.blueprints == (example.tasks,)


def test_resources_records_are_read_only(example: ModuleType) -> None:
    with pytest.raises(TypeError):
        example.tasks.routes["Other"] = example.tasks.routes["Tasks"]  # type: ignore[index]
    with pytest.raises(TypeError):
        example.Tasks.operations["PUT"] = example.Tasks.operations["GET"]  # type: ignore[index]
