"""Model resource declarations: mistakes refused early, generated methods, hooks, schema and spec.

Mistakes raise `DeclarationError` when the class is created, or at `init_app` for what needs
the URL; `methods`, a method of the class's own, and an abstract base's hooks change what is
generated; `make_model_schema` protects keys and versions; and the OpenAPI document names,
summarizes and lists the problems of every generated operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import marshmallow as ma
import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema
from openapi_spec_validator import validate
from sqlalchemy import Select, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from restkit import DeclarationError, operation
from restkit.problems import Conflict
from restkit.sqla import Filter, ModelCollection, ModelItem, ModelResource, make_model_schema
from tests.spec_helpers import build, mount
from tests.sqla_app import Label, Priority, Project, Task, db
from tests.sqla_app import make_app as make_shared_app
from tests.sqla_helpers import MERGE_PATCH, PROBLEM_JSON, Mounter, mounter, stored


class NotMapped:
    """A plain class."""


class PairBase(DeclarativeBase):
    """Declarative base of a model with a composite key."""


class Pair(PairBase):
    """A row named by two columns."""

    __tablename__ = "pair"
    left: Mapped[int] = mapped_column(primary_key=True)
    right: Mapped[int] = mapped_column(primary_key=True)


class InstanceSchema(SQLAlchemyAutoSchema):
    """A schema that loads model instances."""

    class Meta:
        model = Project
        load_instance = True


def declare(base: type[ModelResource], **attributes: Any) -> type[ModelResource]:
    return type("Declared", (base,), attributes)


@pytest.fixture
def make_app(sqla_database: tuple[str, dict[str, Any]]) -> Iterator[Mounter]:
    with mounter(sqla_database) as made:
        yield made


# --- mistakes at class creation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "attributes", "match"),
    [
        (ModelCollection, {"model": NotMapped}, "NotMapped'>, which is not a SQLAlchemy mapped"),
        (ModelItem, {"model": NotMapped}, "which is not a SQLAlchemy mapped class"),
        (
            ModelCollection,
            {"model": Project, "schema": InstanceSchema},
            r"Declared\.schema loads model instances \(load_instance=True\).*load_instance=False",
        ),
        (
            ModelCollection,
            {"model": Project, "methods": ("get", "put")},
            r"Declared\.methods names 'put'; a ModelCollection generates get, post\.",
        ),
        (
            ModelItem,
            {"model": Project, "methods": ("post",)},
            "a ModelItem generates get, put, patch, delete",
        ),
        (
            ModelCollection,
            {"model": Task, "filters": {"project": "eq"}},
            "Declared filters by 'project', which is not a column of Task. Use one of: done, ",
        ),
        (
            ModelCollection,
            {"model": Task, "filters": {"rank": "contains"}},
            "filters 'rank' with 'contains', which only suits text columns",
        ),
        (
            ModelCollection,
            {"model": Task, "filters": {"priority": "icontains"}},
            "filters 'priority' with 'icontains', which only suits text columns",
        ),
        (
            ModelCollection,
            {"model": Task, "filters": {"done": "lt"}},
            "filters 'done' with 'lt'; its type has no useful order. Use eq or in.",
        ),
        (
            ModelCollection,
            {"model": Task, "filters": {"title": "isnull"}},
            "filters 'title' with 'isnull', but the column is never null",
        ),
        (
            ModelCollection,
            {"model": Task, "filters": {"title": "like"}},
            "filters 'title' with 'like', which is not an operator. Use eq, in, lt",
        ),
        (
            ModelCollection,
            {"model": Task, "filters": {"named": Filter("title", "like")}},  # type: ignore[arg-type]
            "filters 'title' with 'like', which is not an operator",
        ),
        (ModelCollection, {"model": Task, "filters": {"title": ()}}, "with no operator"),
        (
            ModelCollection,
            {"model": Task, "sortable": ("labels",)},
            "Declared sorts by 'labels', which is not a column of Task",
        ),
        (
            ModelCollection,
            {"model": Task, "default_sort": "-nope"},
            "sorts by default by 'nope', which is not a column",
        ),
        (
            ModelCollection,
            {"model": Task, "search": ("rank",)},
            "Declared searches 'rank', which is not a text column",
        ),
        (
            ModelCollection,
            {"model": Pair},
            "Pair has a composite primary key, which model resources do not support",
        ),
        (
            ModelCollection,
            {"model": Task, "filters": {"done": "eq"}, "query_fields": {"done": ma.fields.Raw()}},
            "declares the query field 'done', which its filters, sort or search already read",
        ),
        (
            ModelCollection,
            {"model": Task, "search": ("title",), "query_fields": {"q": ma.fields.Raw()}},
            "query field 'q'",
        ),
    ],
)
def test_model_resource_with_mistake_raises_at_class_creation(
    base: type[ModelResource], attributes: dict[str, Any], match: str
) -> None:
    with pytest.raises(DeclarationError, match=match):
        declare(base, **attributes)


def test_model_item_of_composite_key_raises_at_class_creation() -> None:
    with pytest.raises(DeclarationError, match="composite primary key"):
        declare(ModelItem, model=Pair)


# --- mistakes at init_app -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "rule", "attributes", "match"),
    [
        (
            ModelCollection,
            "/owners/<int:owner_id>/tasks",
            {},
            r"Declared is mounted at '/owners/<int:owner_id>/tasks', whose URL variable "
            r"'owner_id' is not a column of Task\. Rename it after the column it selects by, "
            r"or override get_query\(self, \*\*path\) to use it\.",
        ),
        (
            ModelItem,
            "/owners/<int:owner_id>/tasks/<int:task_id>",
            {},
            "whose URL variable 'owner_id' is not a column of Task",
        ),
        (
            ModelItem,
            "/tasks",
            {},
            r"Declared needs a URL variable for the primary key, such as '/<int:id>'\.$",
        ),
        (
            ModelItem,
            "/tasks/<int:id>",
            {"lookup": "task_id"},
            "lookup='task_id' is not one of the URL's",
        ),
    ],
)
def test_model_resource_at_unfit_url_raises_at_init_app(
    base: type[ModelResource], rule: str, attributes: dict[str, Any], match: str
) -> None:
    resource = declare(base, model=Task, **attributes)

    with pytest.raises(DeclarationError, match=match):
        mount({rule: resource})


def _tasks_of_named_project(self: ModelResource, **path: Any) -> Select[Any]:
    return select(Task).join(Task.project).where(Project.name == path["name"])


def test_model_item_without_url_variable_and_own_get_query_raises_at_init_app() -> None:
    resource = declare(ModelItem, model=Task, get_query=_tasks_of_named_project)

    with pytest.raises(DeclarationError, match="needs a URL variable for the primary key"):
        mount({"/tasks": resource})


def test_collection_with_own_get_query_serves_url_variable_that_is_not_a_column(
    make_app: Mounter,
) -> None:
    # GET only: a POST would need an item resource to answer with the created row's URL.
    named = declare(
        ModelCollection, model=Task, get_query=_tasks_of_named_project, methods=("get",)
    )
    app = make_app({"/projects/<name>/tasks": named})
    with app.app_context():
        home, work = Project(name="Home"), Project(name="Work")
        db.session.add_all([Task(title="Milk", project=home), Task(title="Mail", project=work)])
        db.session.commit()

    response = app.test_client().get("/v1/projects/Home/tasks")

    assert response.status_code == 200
    assert [task["title"] for task in response.json] == ["Milk"]


# --- what is generated ----------------------------------------------------------------------


class ReadOnlyProjects(ModelCollection):
    """Projects that clients may only list."""

    model = Project
    methods = ("get",)


class ReadOnlyProjectItem(ModelItem):
    """A project that clients may only read."""

    model = Project
    methods = ("get",)


class KeptProjectItem(ModelItem):
    """A project whose own DELETE refuses, so its rows are archived instead."""

    model = Project

    @operation(status=204, summary="Archive a project")
    def delete(self, project_id: int) -> None:
        raise Conflict("Archive the project instead.")


class KeptProjectItemAgain(KeptProjectItem):
    """A subclass keeps its base's own DELETE."""


def test_read_only_resources_answer_405_to_writes_and_document_reads_only(
    make_app: Mounter,
) -> None:
    app = make_app(
        {"/projects": ReadOnlyProjects, "/projects/<int:project_id>": ReadOnlyProjectItem}
    )
    client = app.test_client()

    posted = client.post("/v1/projects", json={"name": "Home"})
    written = [
        client.open("/v1/projects/1", method=method, json={"name": "Home"})
        for method in ("PUT", "PATCH", "DELETE")
    ]
    listed = client.get("/v1/projects")
    document = client.get("/v1/openapi.json").json

    for response in (posted, *written):
        assert response.status_code == 405
        assert response.content_type == PROBLEM_JSON
    assert "POST" not in posted.headers["Allow"]
    assert listed.status_code == 200
    assert listed.json == []
    assert sorted(document["paths"]["/v1/projects"]) == ["get"]
    assert sorted(document["paths"]["/v1/projects/{project_id}"]) == ["get"]
    assert stored(app, Project, "name") == []


@pytest.mark.parametrize("resource", [KeptProjectItem, KeptProjectItemAgain])
def test_own_method_replaces_the_generated_one(
    make_app: Mounter, resource: type[ModelItem]
) -> None:
    app = make_app({"/projects/<int:project_id>": resource})
    with app.app_context():
        db.session.add(Project(name="Home"))
        db.session.commit()
    client = app.test_client()

    deleted = client.delete("/v1/projects/1")
    patched = client.patch(
        "/v1/projects/1", json={"name": "House"}, headers={"Content-Type": MERGE_PATCH}
    )

    assert deleted.status_code == 409
    assert deleted.json["detail"] == "Archive the project instead."
    assert patched.status_code == 200
    assert patched.json["name"] == "House"
    assert stored(app, Project, "name") == [("House",)]


class ColorScoped(ModelResource):
    """A base without a model: its hooks show a caller only the rows of their color."""

    def get_query(self, **path: Any) -> Select[Any]:
        color = request.headers.get("X-Color")
        return super().get_query(**path).where(self.model.color == color)  # type: ignore[union-attr]


class ScopedProjects(ColorScoped, ModelCollection):
    """The caller's projects."""

    model = Project


class ScopedProjectItem(ColorScoped, ModelItem):
    """One of the caller's projects."""

    model = Project


class ScopedProjectTasks(ModelCollection):
    """The tasks of a project: its item resource decides which projects the caller sees."""

    model = Task


@pytest.fixture
def scoped(make_app: Mounter) -> FlaskClient:
    app = make_app(
        {
            "/projects": ScopedProjects,
            "/projects/<int:project_id>": ScopedProjectItem,
            "/projects/<int:project_id>/tasks": ScopedProjectTasks,
            "/projects/<int:project_id>/tasks/<int:task_id>": declare(ModelItem, model=Task),
        }
    )
    with app.app_context():
        db.session.add_all([Project(name="Red", color="#ff0000"), Project(name="Blue")])
        db.session.commit()
    return app.test_client()


def test_abstract_base_generates_nothing() -> None:
    assert ColorScoped.operations == {}
    assert sorted(ScopedProjects.operations) == ["GET", "POST"]


def test_abstract_base_hooks_scope_lists_to_the_caller(scoped: FlaskClient) -> None:
    red = scoped.get("/v1/projects", headers={"X-Color": "#ff0000"})
    blue = scoped.get("/v1/projects", headers={"X-Color": "#0000ff"})

    assert red.status_code == 200
    assert [project["name"] for project in red.json] == ["Red"]
    assert blue.status_code == 200
    assert blue.json == []


@pytest.mark.parametrize(
    ("method", "body", "status"),
    [
        ("GET", None, 200),
        ("PUT", {"name": "Rouge", "color": "#ff0000"}, 200),
        ("DELETE", None, 204),
    ],
)
def test_abstract_base_hooks_hide_other_rows_from_items(
    scoped: FlaskClient, method: str, body: dict[str, Any] | None, status: int
) -> None:
    own = scoped.open("/v1/projects/1", method=method, json=body, headers={"X-Color": "#ff0000"})
    other = scoped.open("/v1/projects/2", method=method, json=body, headers={"X-Color": "#ff0000"})

    assert own.status_code == status
    assert other.status_code == 404
    assert other.content_type == PROBLEM_JSON
    assert scoped.get("/v1/projects/2", headers={"X-Color": "#ff0000"}).status_code == 404


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("POST", {"title": "Milk"})])
def test_nested_collection_under_parent_hidden_by_its_item_returns_404(
    scoped: FlaskClient, method: str, body: dict[str, Any] | None
) -> None:
    red = {"X-Color": "#ff0000"}

    own = scoped.open("/v1/projects/1/tasks", method=method, json=body, headers=red)
    hidden = scoped.open("/v1/projects/2/tasks", method=method, json=body, headers=red)

    assert own.status_code == (200 if method == "GET" else 201)
    assert hidden.status_code == 404
    assert hidden.content_type == PROBLEM_JSON
    assert hidden.json["detail"] == "The sqla_project with id 2 does not exist."


# --- the generated schema -------------------------------------------------------------------


def _dump_only(schema: ma.Schema) -> set[str]:
    return {name for name, field in schema.fields.items() if field.dump_only}


@pytest.mark.parametrize(
    ("options", "dump_only", "absent"),
    [
        ({}, {"id", "version", "project_id"}, set()),
        ({"writable": ("project_id",)}, {"id", "version"}, set()),
        ({"read_only": ("done",)}, {"id", "version", "project_id", "done"}, set()),
        ({"exclude": ("notes", "rank")}, {"id", "version", "project_id"}, {"notes", "rank"}),
    ],
)
def test_make_model_schema_protects_keys_and_version(
    options: dict[str, Any], dump_only: set[str], absent: set[str]
) -> None:
    schema_class = make_model_schema(Task, **options)
    schema = schema_class()

    assert schema_class.__name__ == "TaskSchema"
    assert _dump_only(schema) == dump_only
    assert (
        set(schema.fields)
        == {"id", "project_id", "title", "notes", "priority", "rank", "done", "due_at", "version"}
        - absent
    )


def test_make_model_schema_loads_dicts_with_column_rules() -> None:
    schema = make_model_schema(Project)()

    assert schema.load({"name": "x" * 100}) == {"name": "x" * 100}
    with pytest.raises(ma.ValidationError) as raised:
        schema.load({"name": "x" * 101})
    assert raised.value.messages == {"name": ["Longer than maximum length 100."]}


class WritableTasks(ModelCollection):
    """Tasks whose project the body names, without their notes."""

    model = Task
    writable = ("project_id",)
    exclude = ("notes",)


class GeneratedTaskItem(ModelItem):
    """A task with the generated schema, and one field clients may only read."""

    model = Task
    read_only = ("rank",)


def test_generated_schema_options_apply_over_http(make_app: Mounter) -> None:
    app = make_app({"/tasks": WritableTasks, "/tasks/<int:id>": GeneratedTaskItem})
    with app.app_context():
        db.session.add(Project(name="Home"))
        db.session.commit()
    client = app.test_client()

    created = client.post("/v1/tasks", json={"project_id": 1, "title": "Milk", "priority": "high"})
    ranked = client.put("/v1/tasks/1", json={"title": "Bread", "rank": 1})
    replaced = client.put("/v1/tasks/1", json={"title": "Bread"}, headers={"If-Match": '"1"'})

    assert created.status_code == 201
    assert created.headers["Location"] == "/v1/tasks/1"
    assert "notes" not in created.json
    assert (created.json["project_id"], created.json["priority"]) == (1, "high")
    assert ranked.status_code == 422
    assert ranked.json["errors"][0]["pointer"] == "/rank"
    assert replaced.status_code == 200
    # PUT resets what it leaves out to the column default.
    assert (replaced.json["priority"], replaced.json["done"]) == ("normal", False)
    assert stored(app, Task, "title", "priority", "version") == [("Bread", Priority.normal, 2)]


@pytest.mark.parametrize(("length", "status"), [(100, 201), (101, 422)])
def test_string_column_length_is_enforced_over_http(
    sqla_app: Flask, length: int, status: int
) -> None:
    response = sqla_app.test_client().post("/v1/projects", json={"name": "x" * length})

    assert response.status_code == status
    assert len(stored(sqla_app, Project, "name")) == (1 if status == 201 else 0)


# --- the OpenAPI document -------------------------------------------------------------------

OPERATIONS = [
    ("/v1/projects", "get", "listProjects", "List projects"),
    ("/v1/projects", "post", "createProject", "Create a project"),
    ("/v1/projects/{project_id}", "get", "getProject", "Get a project"),
    ("/v1/projects/{project_id}", "put", "updateProject", "Replace a project"),
    ("/v1/projects/{project_id}", "patch", "patchProject", "Update a project"),
    ("/v1/projects/{project_id}", "delete", "deleteProject", "Delete a project"),
    ("/v1/projects/{project_id}/tasks", "get", "listProjectTasks", "List tasks"),
    ("/v1/projects/{project_id}/tasks", "post", "createProjectTask", "Create a task"),
    ("/v1/projects/{project_id}/tasks/{task_id}", "get", "getTask", "Get a task"),
    ("/v1/projects/{project_id}/tasks/{task_id}", "put", "updateTask", "Replace a task"),
    ("/v1/projects/{project_id}/tasks/{task_id}", "patch", "patchTask", "Update a task"),
    ("/v1/projects/{project_id}/tasks/{task_id}", "delete", "deleteTask", "Delete a task"),
]
# 409: unique constraints on create and update. Deletes cascade (ON DELETE CASCADE), so
# no row others refer to can stop one.
CONFLICTS = {
    "createProject", "updateProject", "patchProject",
    "createProjectTask", "updateTask", "patchTask",
}  # fmt: skip
# 412: a conditional request whose precondition fails; 428: writes without If-Match.
FAILED_PRECONDITIONS = {"listProjectTasks", "getTask", "updateTask", "patchTask", "deleteTask"}
REQUIRED_PRECONDITIONS = {"updateTask", "patchTask", "deleteTask"}


@pytest.fixture(scope="module")
def document() -> Iterator[dict[str, Any]]:
    """The shared app's document, served at /v1/openapi.json: the same on every database."""
    app = make_shared_app("sqlite://")
    response = app.test_client().get("/v1/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json
    # Built once for the module, before the function-scoped validating fixture: validate here.
    validate(spec)
    yield spec
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_spec_names_and_summarizes_every_generated_operation(document: dict[str, Any]) -> None:
    found = [
        (path, method, op["operationId"], op["summary"])
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    ]

    assert sorted(found) == sorted(OPERATIONS)


def test_spec_documents_503_with_retry_after_on_every_operation(document: dict[str, Any]) -> None:
    for path, method, _, _ in OPERATIONS:
        unavailable = document["paths"][path][method]["responses"]["503"]
        assert unavailable["headers"] == {
            "Retry-After": {"$ref": "#/components/headers/Retry-After"}
        }
        assert "application/problem+json" in unavailable["content"]
    assert "Retry-After" in document["components"]["headers"]


@pytest.mark.parametrize(("path", "method", "operation_id", "summary"), OPERATIONS)
def test_spec_documents_409_412_and_428_where_they_happen(
    document: dict[str, Any], path: str, method: str, operation_id: str, summary: str
) -> None:
    responses = document["paths"][path][method]["responses"]

    assert ("409" in responses) == (operation_id in CONFLICTS)
    assert ("412" in responses) == (operation_id in FAILED_PRECONDITIONS)
    assert ("428" in responses) == (operation_id in REQUIRED_PRECONDITIONS)


def test_spec_of_model_without_unique_or_referrers_documents_no_409() -> None:
    class Labels(ModelCollection):
        model = Label

    class LabelItem(ModelItem):
        model = Label

    spec = build({"/labels": Labels, "/labels/<int:id>": LabelItem})

    for item in spec["paths"].values():
        for method, op in item.items():
            if method != "parameters":
                assert "409" not in op["responses"]
                assert "503" in op["responses"]
    assert spec["paths"]["/labels"]["post"]["summary"] == "Create a label"
