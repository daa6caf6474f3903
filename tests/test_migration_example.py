"""The example of docs/migrating-from-flask-smorest.md (docs/examples/migration.py).

Every `console` transcript of the page is replayed, in order, against a fresh app and must
print exactly what the page shows; the tests below check what the page says in prose about
the ported API, the porting mistakes restkit catches, and the comparison with flask-smorest's
document.

The flask-smorest side cannot run here (it is not a dependency). What the page and these tests
quote of it was recorded from the page's "before" code on flask-smorest 0.47.0, webargs 8.7.1,
marshmallow 4.4.0 and apispec 6.10.1: `tests/migration_smorest_openapi.json` is the document
`flask openapi write --format=json` wrote for it, and `SMOREST_X_PAGINATION` holds the
`X-Pagination` headers it sent.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields
from werkzeug.routing import BaseConverter

from restkit import Api, Blueprint, DeclarationError, Resource, operation
from restkit.spec.diff import diff_specs
from tests.spec_helpers import mount, validated
from tests.test_docs_examples import load_example
from tests.transcripts import console_blocks as page_blocks
from tests.transcripts import curl_through, replay

PAGE = Path(__file__).resolve().parent.parent / "docs" / "migrating-from-flask-smorest.md"
SMOREST_DOCUMENT = Path(__file__).resolve().parent / "migration_smorest_openapi.json"
# flask-smorest's ETag for {"title": "Buy milk"}, task 1: a SHA-1 of its JSON.
SMOREST_ETAG = '"e9833ea7f2a7e14eb0b40c03cdf6f204d61a0a04"'


# --- replaying the page's transcripts ---------------------------------------------------------


def console_blocks() -> list[str]:
    """Return the text of each `console` block of the page, in page order."""
    return page_blocks(PAGE.read_text(encoding="utf-8"))


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_example("migration", monkeypatch)


@pytest.fixture
def app(example: ModuleType) -> Flask:
    made: Flask = example.create_app()
    return made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def add_tasks(client: FlaskClient, count: int) -> None:
    """Create tasks 1 to `count`; the even ones are done."""
    for number in range(1, count + 1):
        task = {"title": f"Task {number}", "done": number % 2 == 0}
        response = client.post("/v1/tasks", json=task)
        assert response.status_code == 201, response.get_json()


def smorest_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SMOREST_DOCUMENT.read_text(encoding="utf-8"))
    return document


# --- the page -------------------------------------------------------------------------------


def test_page_transcripts_print_what_the_example_answers(client: FlaskClient) -> None:
    blocks = console_blocks()

    printed = [replay(block, {}, curl_through(client)) for block in blocks]

    assert len(blocks) == 8
    assert printed == blocks


def test_page_snippets_name_sections_of_the_example() -> None:
    page = PAGE.read_text(encoding="utf-8")
    source = (PAGE.parent / "examples" / "migration.py").read_text(encoding="utf-8")

    included = re.findall(r'--8<-- "docs/examples/migration\.py:(\w+)"', page)

    assert included == ["schemas", "store", "resources", "app", "compat", "diff"]
    for name in included:
        assert f"# --8<-- [start:{name}]" in source
        assert f"# --8<-- [end:{name}]" in source


# --- the ported API ---------------------------------------------------------------------------


def test_example_document_is_valid_openapi_3_0_3_at_the_old_url(client: FlaskClient) -> None:
    response = client.get("/v1/openapi.json")

    assert response.status_code == 200
    document = validated(response.get_json())
    assert document["openapi"] == "3.0.3"
    assert document["info"]["title"] == "Tasks"
    assert document["info"]["version"] == "1.0.0"


def test_example_operation_ids_come_from_the_class_names(app: Flask, example: ModuleType) -> None:
    paths = example.api.spec(app)["paths"]

    ids = {
        (method, path): operation["operationId"]
        for path, item in paths.items()
        for method, operation in item.items()
    }

    assert ids == {
        ("get", "/v1/tasks"): "listTasks",
        ("post", "/v1/tasks"): "createTask",
        ("get", "/v1/tasks/{task_id}"): "getTask",
        ("put", "/v1/tasks/{task_id}"): "updateTask",
        ("delete", "/v1/tasks/{task_id}"): "deleteTask",
    }


def test_example_swagger_ui_loads_its_assets_from_the_app(client: FlaskClient) -> None:
    response = client.get("/v1/docs")
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.get_data(as_text=True))

    assert response.status_code == 200
    assert assets
    for asset in assets:
        assert asset.startswith("/v1/docs/")
        with client.get(asset) as served:
            assert served.status_code == 200


def test_example_url_outside_the_prefix_is_not_a_problem(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


# --- validation ------------------------------------------------------------------------------


def test_example_repeated_query_parameter_returns_422(client: FlaskClient) -> None:
    response = client.get("/v1/tasks?done=true&done=false")

    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"in": "query", "name": "done", "detail": "Expected one value, got 2."}
    ]


def test_example_body_over_1_mib_returns_413(client: FlaskClient) -> None:
    body = json.dumps({"title": "x" * (1024 * 1024)})

    response = client.post("/v1/tasks", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"


# --- pagination -------------------------------------------------------------------------------

# (tasks, flask-smorest's query, the same in restkit, the X-Pagination flask-smorest sent).
# Every second task is done.
SMOREST_X_PAGINATION = [
    (0, "", "", '{"total": 0, "total_pages": 0}'),
    (0, "page=3", "page=3", '{"total": 0, "total_pages": 0}'),
    (
        2,
        "page_size=1",
        "per_page=1",
        '{"total": 2, "total_pages": 2, "first_page": 1, "last_page": 2, "page": 1, '
        '"next_page": 2}',
    ),
    (
        2,
        "page_size=1&page=2",
        "per_page=1&page=2",
        '{"total": 2, "total_pages": 2, "first_page": 1, "last_page": 2, "page": 2, '
        '"previous_page": 1}',
    ),
    (
        2,
        "page_size=1&page=5",
        "per_page=1&page=5",
        '{"total": 2, "total_pages": 2, "first_page": 1, "last_page": 2}',
    ),
    (
        2,
        "done=false&page_size=5",
        "done=false&per_page=5",
        '{"total": 1, "total_pages": 1, "first_page": 1, "last_page": 1, "page": 1}',
    ),
    (
        12,
        "",
        "",
        '{"total": 12, "total_pages": 2, "first_page": 1, "last_page": 2, "page": 1, '
        '"next_page": 2}',
    ),
    (
        12,
        "page_size=5&page=3",
        "per_page=5&page=3",
        '{"total": 12, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 3, '
        '"previous_page": 2}',
    ),
]


@pytest.mark.parametrize(("count", "smorest_query", "query", "x_pagination"), SMOREST_X_PAGINATION)
def test_example_x_pagination_is_the_header_flask_smorest_sent(
    client: FlaskClient, count: int, smorest_query: str, query: str, x_pagination: str
) -> None:
    add_tasks(client, count)

    response = client.get(f"/v1/tasks?{query}")

    assert response.status_code == 200
    assert response.headers["X-Pagination"] == x_pagination


def test_example_page_size_of_an_old_client_is_ignored(client: FlaskClient) -> None:
    add_tasks(client, 2)

    response = client.get("/v1/tasks?page_size=1")

    assert response.status_code == 200
    assert json.loads(response.headers["X-Pagination"]) == {
        "total": 2,
        "total_pages": 1,
        "first_page": 1,
        "last_page": 1,
        "page": 1,
    }
    assert len(response.get_json()) == 2


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("POST", "/v1/tasks", {"title": "Buy milk"}, 201),
        ("GET", "/v1/tasks?per_page=0", None, 422),
        ("GET", "/v1/tasks?page=2147483648", None, 422),
    ],
)
def test_example_x_pagination_only_on_a_listed_page(
    client: FlaskClient, method: str, url: str, body: dict[str, Any] | None, status: int
) -> None:
    response = client.open(url, method=method, json=body)

    assert response.status_code == status
    assert "X-Pagination" not in response.headers


def test_example_head_of_the_list_has_x_pagination(client: FlaskClient) -> None:
    add_tasks(client, 1)

    response = client.head("/v1/tasks")

    assert response.status_code == 200
    assert json.loads(response.headers["X-Pagination"])["total"] == 1
    assert response.get_data() == b""


# --- ETags ------------------------------------------------------------------------------------


def test_example_tag_saved_from_flask_smorest_gets_200_and_the_new_tag(
    client: FlaskClient,
) -> None:
    add_tasks(client, 1)

    response = client.get("/v1/tasks/1", headers={"If-None-Match": SMOREST_ETAG})

    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_example_write_without_if_match_returns_428(client: FlaskClient, method: str) -> None:
    add_tasks(client, 1)
    body = {"title": "Buy oat milk"} if method == "PUT" else None

    response = client.open("/v1/tasks/1", method=method, json=body)

    assert response.status_code == 428
    assert client.get("/v1/tasks/1").get_json()["title"] == "Task 1"


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_example_write_to_a_missing_task_without_if_match_returns_404(
    client: FlaskClient, method: str
) -> None:
    body = {"title": "Buy oat milk"} if method == "PUT" else None

    response = client.open("/v1/tasks/9", method=method, json=body)

    assert response.status_code == 404
    assert response.get_json()["detail"] == "There is no task 9."


def test_example_delete_with_the_current_tag_returns_204(client: FlaskClient) -> None:
    add_tasks(client, 1)

    response = client.delete("/v1/tasks/1", headers={"If-Match": '"1"'})

    assert response.status_code == 204
    assert "ETag" not in response.headers
    assert client.get("/v1/tasks/1").status_code == 404


# --- porting mistakes -------------------------------------------------------------------------


class Task(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True)


def test_ported_201_without_location_returns_500() -> None:
    class Tasks(Resource):
        @operation(body=Task, response=Task, status=201)
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            return {"id": 1, **body}

    app, _ = mount({"/tasks": Tasks})

    response = app.test_client().post("/tasks", json={"title": "Buy milk"})

    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"


def test_ported_undeclared_status_returns_500() -> None:
    class Tasks(Resource):
        @operation(body=Task, response=Task, status=201)
        def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
            return {"id": 1, **body}, 202

    app, _ = mount({"/tasks": Tasks})

    response = app.test_client().post("/tasks", json={"title": "Buy milk"})

    assert response.status_code == 500
    assert response.get_json()["detail"] == "The server could not complete the request."


def test_leftover_smorest_abort_answers_without_its_message() -> None:
    # flask_smorest.abort is webargs' abort, re-exported.
    from webargs.flaskparser import abort

    class TaskItem(Resource):
        @operation(response=Task)
        def get(self, task_id: int) -> None:
            abort(404, message=f"There is no task {task_id}.")

    app, _ = mount({"/tasks/<int:task_id>": TaskItem})

    response = app.test_client().get("/tasks/9")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["detail"] == "The requested resource was not found."


def test_ported_body_parameter_by_position_fails_at_import() -> None:
    with pytest.raises(DeclarationError, match="has no parameter named 'body'"):

        class TaskItem(Resource):
            @operation(body=Task, response=Task)
            def put(self, changes: dict[str, Any], task_id: int) -> None: ...


def test_ported_docstring_after_three_dashes_is_published() -> None:
    class Tasks(Resource):
        @operation(response=Task(many=True))
        def get(self) -> list[Any]:
            """List tasks.

            Oldest first.
            ---
            Internal: reads the replica.
            """
            return []

    assert Tasks.operations["GET"].summary == "List tasks."
    assert Tasks.operations["GET"].description == (
        "Oldest first.\n---\nInternal: reads the replica."
    )


def test_ported_custom_field_takes_its_type_from_metadata() -> None:
    class ObjectIdField(fields.Field):
        pass

    class Thing(Schema):
        id = ObjectIdField(metadata={"type": "string", "format": "objectid"})

    class Things(Resource):
        @operation(response=Thing)
        def get(self) -> dict[str, Any]:
            return {"id": "5f1d7e"}

    app, api = mount({"/things": Things})

    properties = validated(api.spec(app))["components"]["schemas"]["Thing"]["properties"]

    assert properties["id"] == {"type": "string", "format": "objectid"}


# --- comparing with flask-smorest's document --------------------------------------------------

EXPECTED_BREAKING = {
    ("operation-id-changed", ""),
    ("content-type-removed", "response 412 body application/json"),
    ("content-type-removed", "response 422 body application/json"),
    ("content-type-removed", "response 428 body application/json"),
    ("content-type-removed", "response DEFAULT body application/json"),
    ("constraint-narrowed", "header parameter If-Match"),
    ("constraint-narrowed", "header parameter If-None-Match"),
    ("constraint-narrowed", "query parameter page"),
    # restkit refuses NUL in strings, and says so in a pattern, which flask-smorest's lacks
    ("constraint-narrowed", "request body /title"),
    ("response-header-removed", "response 200 header X-Pagination"),
}


def test_diff_with_smorest_document_finds_only_the_expected_breaking_changes(
    app: Flask, example: ModuleType
) -> None:
    changes = example.diff_migrated(smorest_document(), example.api.spec(app))

    breaking = [change for change in changes if change.breaking]
    kinds = {
        (change.rule, re.sub(r"^\S+ /v1/tasks(/\{task_id\})? ?", "", change.location))
        for change in breaking
    }

    assert (len(changes), len(breaking)) == (67, 24)
    assert kinds == EXPECTED_BREAKING
    assert {change.rule for change in changes if not change.breaking} >= {
        "parameter-removed",
        "optional-parameter-added",
        "response-header-added",
        "response-status-added",
        "content-type-added",
    }


def test_diff_ignores_paths_flask_smorest_still_serves(app: Flask, example: ModuleType) -> None:
    old = smorest_document()
    old["paths"]["/v1/projects/{project_id}"] = copy.deepcopy(old["paths"]["/v1/tasks/{task_id}"])
    new = example.api.spec(app)

    migrated = example.diff_migrated(old, new)
    whole = diff_specs(old, new)

    assert not [change for change in migrated if change.rule == "operation-removed"]
    assert {change.location for change in whole if change.rule == "operation-removed"} == {
        "DELETE /v1/projects/{project_id}",
        "GET /v1/projects/{project_id}",
        "PUT /v1/projects/{project_id}",
    }


def test_diff_reports_a_schema_the_port_changed(app: Flask, example: ModuleType) -> None:
    new = copy.deepcopy(example.api.spec(app))
    del new["components"]["schemas"]["Task"]["properties"]["done"]

    changes = example.diff_migrated(smorest_document(), new)

    assert "request-property-removed" in {change.rule for change in changes if change.breaking}
    assert "response-property-removed" in {change.rule for change in changes if change.breaking}


# --- restkit bugs found while writing the page, now fixed -------------------------------------


def test_diff_message_of_a_large_bound_shows_every_digit(app: Flask, example: ModuleType) -> None:
    changes = example.diff_migrated(smorest_document(), example.api.spec(app))

    page = next(change for change in changes if change.location.endswith("parameter page"))

    assert "2147483647" in page.message


def test_resource_at_a_rule_with_an_app_converter_is_served() -> None:
    class HexConverter(BaseConverter):
        regex = "[0-9a-f]{24}"

    things = Blueprint("things")

    @things.route("/things/<hex:thing_id>")
    class ThingItem(Resource):
        @operation(response={"id": fields.String()})
        def get(self, thing_id: str) -> dict[str, str]:
            return {"id": thing_id}

    app = Flask(__name__)
    app.url_map.converters["hex"] = HexConverter
    api = Api()
    api.register_blueprint(things)
    api.init_app(app)

    response = app.test_client().get("/things/" + "a" * 24)

    assert response.status_code == 200
    assert response.get_json() == {"id": "a" * 24}


def test_async_method_fails_at_declaration() -> None:
    with pytest.raises(DeclarationError):

        class Things(Resource):
            @operation(response={"id": fields.String()})
            async def get(self) -> dict[str, str]:
                return {"id": "a"}
