"""`flask restkit spec` and `flask restkit diff`, driven through Flask's CLI test runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import marshmallow as ma
import pytest
import yaml
from click.testing import Result
from flask import Flask
from openapi_spec_validator import validate

from example_service import create_app
from restkit import Api, Blueprint, Resource, operation
from restkit.cli import restkit_cli

Item = {"id": ma.fields.Integer(dump_only=True), "title": ma.fields.String(required=True)}
ItemSchema = ma.Schema.from_dict(Item)


def list_tasks(self: Resource) -> Any:
    """List tasks."""
    return []


def create_task(self: Resource, body: dict[str, Any]) -> Any:
    """Create a task."""
    return {"id": 1, **body}, 201, {"Location": "/tasks/1"}


def get_task(self: Resource, task_id: int) -> Any:
    """Get a task."""
    return {"id": task_id, "title": "x"}


def delete_task(self: Resource, task_id: int) -> None:
    """Delete a task."""


def make_app(*, with_post: bool = True, with_delete: bool = False, apis: int = 1) -> Flask:
    """An app with `apis` APIs (`v1`, `v2`, ...), each serving `/tasks` and `/tasks/<id>`.

    `with_post` and `with_delete` add `createTask` and `deleteTask`: two apps that differ only
    in them give an old and a new version of one API.
    """
    collection: dict[str, Any] = {"get": operation(response=ItemSchema(many=True))(list_tasks)}
    if with_post:
        collection["post"] = operation(body=Item, response=Item, status=201)(create_task)
    item: dict[str, Any] = {"get": operation(response=Item)(get_task)}
    if with_delete:
        item["delete"] = operation(status=204)(delete_task)
    # Built with type() so that both versions keep the class names the operationIds come from.
    tasks = type("Tasks", (Resource,), collection)
    task_item = type("TaskItem", (Resource,), item)

    app = Flask(__name__)
    for number in range(1, apis + 1):
        blueprint = Blueprint("tasks")
        blueprint.add_resource(tasks, "/tasks")
        blueprint.add_resource(task_item, "/tasks/<int:task_id>")
        api = Api(name=f"v{number}", url_prefix=f"/v{number}", title=f"Tasks v{number}")
        api.register_blueprint(blueprint)
        api.init_app(app)
    return app


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["restkit", *args])


def load_valid(path: Path) -> dict[str, Any]:
    """Read a document the CLI wrote and check it against the OpenAPI schema."""
    text = path.read_text(encoding="utf-8")
    document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    validate(document)
    return document


@pytest.fixture(scope="module")
def taskboard() -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


# flask restkit spec


def test_spec_without_options_writes_json_to_stdout(taskboard: Flask) -> None:
    result = run(taskboard, "spec")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "Taskboard"
    assert "/v1/projects/{project_id}" in document["paths"]
    assert result.stderr == ""


def test_spec_with_format_yaml_writes_yaml_to_stdout(taskboard: Flask) -> None:
    as_json = run(taskboard, "spec")
    as_yaml = run(taskboard, "spec", "--format", "yaml")

    assert as_yaml.exit_code == 0, as_yaml.output
    assert as_yaml.stdout.startswith("openapi: 3.1.0\n")
    document = yaml.safe_load(as_yaml.stdout)
    validate(document)
    assert document == json.loads(as_json.stdout)


@pytest.mark.parametrize(
    ("name", "form"),
    [("spec.json", "json"), ("spec.yaml", "yaml"), ("spec.yml", "yaml"), ("spec.txt", "json")],
)
def test_spec_with_output_picks_format_from_extension(
    taskboard: Flask, tmp_path: Path, name: str, form: str
) -> None:
    path = tmp_path / name

    result = run(taskboard, "spec", "-o", str(path))

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote {path}.\n"
    text = path.read_text(encoding="utf-8")
    document = json.loads(text) if form == "json" else yaml.safe_load(text)
    assert text.startswith("{\n" if form == "json" else "openapi: 3.1.0\n")
    validate(document)


def test_spec_with_format_overrides_the_extension(taskboard: Flask, tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"

    result = run(taskboard, "spec", "--format", "json", "-o", str(path))

    assert result.exit_code == 0, result.output
    validate(json.loads(path.read_text(encoding="utf-8")))


def test_spec_with_output_in_missing_directory_creates_it(taskboard: Flask, tmp_path: Path) -> None:
    path = tmp_path / "build" / "openapi" / "taskboard.json"

    result = run(taskboard, "spec", "--output", str(path))

    assert result.exit_code == 0, result.output
    assert load_valid(path)["info"]["title"] == "Taskboard"


@pytest.mark.parametrize("name", ["spec.json", "spec.yaml"])
def test_spec_run_twice_writes_identical_bytes(tmp_path: Path, name: str) -> None:
    first, second = tmp_path / "first" / name, tmp_path / "second" / name

    # Two apps built separately: nothing may depend on the order things were created in.
    for path in (first, second):
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert run(app, "spec", "-o", str(path)).exit_code == 0

    assert first.read_bytes() == second.read_bytes()
    load_valid(first)


def test_spec_stdout_matches_file_output(taskboard: Flask, tmp_path: Path) -> None:
    path = tmp_path / "spec.json"

    run(taskboard, "spec", "-o", str(path))
    result = run(taskboard, "spec")

    assert result.stdout_bytes == path.read_bytes()
    load_valid(path)


def test_spec_with_openapi_version_30_writes_303(taskboard: Flask, tmp_path: Path) -> None:
    path = tmp_path / "spec.json"

    result = run(taskboard, "spec", "--openapi-version", "3.0", "-o", str(path))

    assert result.exit_code == 0, result.output
    document = load_valid(path)
    assert document["openapi"] == "3.0.3"
    color = document["components"]["schemas"]["Project"]["properties"]["color"]
    assert color == {"type": "string", "nullable": True, "pattern": "^#[0-9a-fA-F]{6}$"}


def test_spec_with_unknown_openapi_version_is_a_usage_error(taskboard: Flask) -> None:
    result = run(taskboard, "spec", "--openapi-version", "2.0")

    assert result.exit_code == 2
    assert "'2.0' is not one of '3.0', '3.1'" in result.stderr


# flask restkit spec --check


@pytest.mark.parametrize("name", ["taskboard.json", "taskboard.yaml"])
def test_spec_check_on_current_file_exits_0(taskboard: Flask, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    run(taskboard, "spec", "-o", str(path))

    result = run(taskboard, "spec", "--check", str(path))

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path} is up to date.\n"
    load_valid(path)


@pytest.mark.parametrize("name", ["tasks.json", "tasks.yaml"])
def test_spec_check_on_stale_file_exits_1_with_diff_and_hint(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    run(make_app(with_post=False), "spec", "-o", str(path))
    load_valid(path)

    result = run(make_app(with_post=True), "spec", "--check", str(path))

    assert result.exit_code == 1
    assert f"--- {path} (committed)\n+++ {path} (current)\n@@ " in result.stdout
    added = [line for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert any("createTask" in line for line in added)
    assert result.stderr == (
        f"{path} is stale: regenerate it with `flask --app <your app> restkit spec -o {path}`.\n"
    )


def test_spec_check_stale_hint_repeats_the_options_of_the_check(tmp_path: Path) -> None:
    path = tmp_path / "tasks.txt"
    run(
        make_app(with_post=False),
        "spec",
        "--openapi-version",
        "3.0",
        "--format",
        "yaml",
        "-o",
        str(path),
    )

    result = run(
        make_app(with_post=True),
        "spec",
        "--openapi-version",
        "3.0",
        "--format",
        "yaml",
        "--check",
        str(path),
    )

    assert result.exit_code == 1
    assert result.stderr == (
        f"{path} is stale: regenerate it with `flask --app <your app> restkit spec "
        f"--openapi-version 3.0 --format yaml -o {path}`.\n"
    )


def test_spec_check_on_stale_file_leaves_it_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    run(make_app(with_post=False), "spec", "-o", str(path))
    load_valid(path)
    before = path.read_bytes()

    assert run(make_app(with_post=True), "spec", "--check", str(path)).exit_code == 1

    assert path.read_bytes() == before


def test_spec_check_of_30_file_compares_with_30_document(taskboard: Flask, tmp_path: Path) -> None:
    path = tmp_path / "taskboard-3.0.json"
    run(taskboard, "spec", "--openapi-version", "3.0", "-o", str(path))
    load_valid(path)

    current = run(taskboard, "spec", "--openapi-version", "3.0", "--check", str(path))
    other_version = run(taskboard, "spec", "--check", str(path))

    assert current.exit_code == 0, current.output
    assert other_version.exit_code == 1
    assert '-  "openapi": "3.0.3",\n+  "openapi": "3.1.0",\n' in other_version.stdout


def test_spec_check_of_missing_file_is_a_usage_error(taskboard: Flask, tmp_path: Path) -> None:
    result = run(taskboard, "spec", "--check", str(tmp_path / "nowhere.json"))

    assert result.exit_code == 2
    assert "does not exist" in result.stderr


# choosing the API


@pytest.mark.parametrize("name", ["v1", "v2"])
def test_spec_with_api_writes_that_api(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.json"

    result = run(make_app(apis=2), "spec", "--api", name, "-o", str(path))

    assert result.exit_code == 0, result.output
    document = load_valid(path)
    assert document["info"]["title"] == f"Tasks {name}"
    assert sorted(document["paths"]) == [f"/{name}/tasks", f"/{name}/tasks/{{task_id}}"]


def test_spec_with_api_on_single_api_app_accepts_its_name(tmp_path: Path) -> None:
    path = tmp_path / "v1.json"

    result = run(make_app(), "spec", "--api", "v1", "-o", str(path))

    assert result.exit_code == 0, result.output
    assert load_valid(path)["info"]["title"] == "Tasks v1"


def test_spec_without_api_on_two_api_app_is_a_usage_error_listing_names() -> None:
    result = run(make_app(apis=2), "spec")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "The app mounts several APIs; pick one with --api: v1, v2." in result.stderr


def test_spec_with_unknown_api_is_a_usage_error_listing_names() -> None:
    result = run(make_app(apis=2), "spec", "--api", "v3")

    assert result.exit_code == 2
    assert "No API named 'v3'; the app mounts v1, v2." in result.stderr


def test_spec_on_app_without_api_is_a_usage_error() -> None:
    app = Flask(__name__)
    app.cli.add_command(restkit_cli)  # Api.init_app adds it; an app without an Api has none

    result = run(app, "spec")

    assert result.exit_code == 2
    assert "The app mounts no restkit Api." in result.stderr


def test_restkit_command_on_app_that_never_mounted_an_api_is_unknown() -> None:
    result = run(Flask(__name__), "spec")

    assert result.exit_code == 2
    assert "No such command 'restkit'" in result.stderr


# flask restkit diff


def write_spec(app: Flask, path: Path) -> Path:
    result = run(app, "spec", "-o", str(path))
    assert result.exit_code == 0, result.output
    load_valid(path)
    return path


def test_diff_of_identical_documents_exits_0(tmp_path: Path) -> None:
    old = write_spec(make_app(), tmp_path / "old.json")
    new = write_spec(make_app(), tmp_path / "new.json")

    result = run(make_app(), "diff", str(old), str(new))

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "No breaking change (0 change(s)).\n"


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_diff_with_removed_operation_exits_1_with_breaking_line(
    tmp_path: Path, suffix: str
) -> None:
    old = write_spec(make_app(with_post=True), tmp_path / f"old{suffix}")
    new = write_spec(make_app(with_post=False), tmp_path / f"new{suffix}")

    result = run(make_app(), "diff", str(old), str(new))

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "BREAKING operation-removed: POST /v1/tasks was removed; "
        "old clients that call it get a 404 or 405."
    ]
    assert result.stderr == "1 breaking change(s) of 1.\n"


def test_diff_with_only_added_operation_exits_0(tmp_path: Path) -> None:
    old = write_spec(make_app(with_post=False), tmp_path / "old.json")
    new = write_spec(make_app(with_post=True, with_delete=True), tmp_path / "new.yml")

    result = run(make_app(), "diff", str(old), str(new))

    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == [
        "change operation-added: DELETE /v1/tasks/{task_id} was added; old clients do not call it.",
        "change operation-added: POST /v1/tasks was added; old clients do not call it.",
    ]
    assert result.stderr == "No breaking change (2 change(s)).\n"


def test_diff_of_json_and_yaml_of_same_api_exits_0(taskboard: Flask, tmp_path: Path) -> None:
    old = write_spec(taskboard, tmp_path / "taskboard.json")
    new = write_spec(taskboard, tmp_path / "taskboard.yaml")

    result = run(taskboard, "diff", str(old), str(new))

    assert result.exit_code == 0, result.output
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("broken.json", '{"openapi": "3.1.0",'),
        ("broken.yaml", "openapi: [3.1.0\npaths: {}\n"),
    ],
)
def test_diff_with_unparsable_file_is_a_usage_error(tmp_path: Path, name: str, text: str) -> None:
    good = write_spec(make_app(), tmp_path / "good.json")
    broken = tmp_path / name
    broken.write_text(text, encoding="utf-8")

    for args in ((str(broken), str(good)), (str(good), str(broken))):
        result = run(make_app(), "diff", *args)

        assert result.exit_code == 2
        assert f"{broken} is not valid JSON or YAML" in result.stderr


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("swagger.json", '{"swagger": "2.0", "info": {}, "paths": {}}'),
        ("list.yaml", "- openapi\n- 3.1.0\n"),
        ("scalar.yaml", "openapi\n"),
    ],
)
def test_diff_with_non_openapi_file_is_a_usage_error(tmp_path: Path, name: str, text: str) -> None:
    good = write_spec(make_app(), tmp_path / "good.json")
    other = tmp_path / name
    other.write_text(text, encoding="utf-8")

    result = run(make_app(), "diff", str(good), str(other))

    assert result.exit_code == 2
    assert f"{other} is not an OpenAPI document." in result.stderr


def test_diff_of_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    good = write_spec(make_app(), tmp_path / "good.json")

    result = run(make_app(), "diff", str(good), str(tmp_path / "nowhere.json"))

    assert result.exit_code == 2
    assert "does not exist" in result.stderr
