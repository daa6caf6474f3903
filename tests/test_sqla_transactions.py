"""Model resources run each request in one transaction: committed on success, rolled back on error.

A hook that fails after its write has been flushed, a method that answers with an error
status, and a write that loses a race with another writer (412) all leave the database as it
was; a database that cannot be reached is a 503 with `Retry-After`, and the app recovers by
itself once it can be reached. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from restkit import Api, Blueprint, operation
from restkit.problems import Conflict
from restkit.sqla import ModelCollection, ModelItem, make_model_schema
from tests.sqla_app import Project, Task, TaskSchema, db
from tests.sqla_helpers import MERGE_PATCH, PROBLEM_JSON, Mounter, mounter, stored

REFUSED = "Refused after the write was flushed."


class CheckedTasks(ModelCollection):
    """Tasks whose create hook refuses some titles after the INSERT ran."""

    model = Task
    schema = TaskSchema

    def create_object(self, data: Any, **path: Any) -> Any:
        obj = super().create_object(data, **path)  # flushed: the row is in the transaction
        if data["title"] == "refused":
            raise Conflict(REFUSED)
        if data["title"] == "crash":
            raise RuntimeError("a bug in the hook")
        return obj


class CheckedTaskItem(ModelItem):
    """A task whose update hook refuses some titles after the UPDATE ran."""

    model = Task
    schema = TaskSchema
    require_if_match = True

    def update_object(self, obj: Any, data: Any) -> Any:
        updated = super().update_object(obj, data)  # flushed: the version is bumped
        if data.get("title") == "refused":
            raise Conflict(REFUSED)
        return updated


class RacedTaskItem(ModelItem):
    """A task another writer changes between the If-Match check and this request's UPDATE."""

    model = Task
    schema = TaskSchema
    require_if_match = True

    def update_object(self, obj: Any, data: Any) -> Any:
        # Another connection of the pool, committed at once: a concurrent request.
        with db.engine.begin() as connection:
            connection.execute(
                update(Task)
                .where(Task.id == obj.id)
                .values(notes="theirs", version=Task.version + 1)
            )
        return super().update_object(obj, data)


class RefusingProjects(ModelCollection):
    """Projects whose own POST writes a row, then answers with an error status."""

    model = Project

    @operation(body=make_model_schema(Project), status=201)
    def post(self, body: dict[str, Any]) -> Response:
        self.create_object(body)
        return Response(
            '{"title": "Conflict", "status": 409}', status=409, content_type=PROBLEM_JSON
        )


@pytest.fixture
def mount(sqla_database: tuple[str, dict[str, Any]]) -> Iterator[Mounter]:
    with mounter(sqla_database) as made:
        yield made


@pytest.fixture
def checked(mount: Mounter) -> Flask:
    return mount(
        {
            "/projects/<int:project_id>/tasks": CheckedTasks,
            "/projects/<int:project_id>/tasks/<int:task_id>": CheckedTaskItem,
        }
    )


def add_project(app: Flask, name: str = "Home") -> int:
    with app.app_context():
        project = Project(name=name)
        db.session.add(project)
        db.session.commit()
        project_id: int = project.id
        db.session.remove()
    return project_id


def add_task(client: FlaskClient, project_id: int, title: str = "Milk") -> int:
    response = client.post(f"/v1/projects/{project_id}/tasks", json={"title": title})
    assert response.status_code == 201
    task_id: int = response.json["id"]
    return task_id


def task_rows(app: Flask) -> list[tuple[Any, ...]]:
    return stored(app, Task, "title", "notes", "version")


# --- commit and rollback --------------------------------------------------------------------


def test_successful_writes_are_committed_and_seen_by_a_fresh_session(checked: Flask) -> None:
    client = checked.test_client()
    project_id = add_project(checked)

    created = client.post(f"/v1/projects/{project_id}/tasks", json={"title": "Milk"})
    after_create = task_rows(checked)
    patched = client.patch(
        created.headers["Location"],
        json={"notes": "2 l"},
        headers={"If-Match": created.headers["ETag"], "Content-Type": MERGE_PATCH},
    )

    assert created.status_code == 201
    assert after_create == [("Milk", None, 1)]
    assert patched.status_code == 200
    assert patched.headers["ETag"] == '"2"'
    assert task_rows(checked) == [("Milk", "2 l", 2)]


def test_create_hook_raising_a_problem_after_the_insert_rolls_it_back(checked: Flask) -> None:
    client = checked.test_client()
    project_id = add_project(checked)

    response = client.post(f"/v1/projects/{project_id}/tasks", json={"title": "refused"})
    later = client.post(f"/v1/projects/{project_id}/tasks", json={"title": "Milk"})

    assert response.status_code == 409
    assert "Location" not in response.headers
    assert response.content_type == PROBLEM_JSON
    assert response.json["detail"] == REFUSED
    assert later.status_code == 201
    assert task_rows(checked) == [("Milk", None, 1)]


def test_create_hook_raising_an_unexpected_error_answers_500_and_rolls_back(
    checked: Flask,
) -> None:
    client = checked.test_client()
    project_id = add_project(checked)

    response = client.post(f"/v1/projects/{project_id}/tasks", json={"title": "crash"})

    assert response.status_code == 500
    assert response.content_type == PROBLEM_JSON
    assert "a bug in the hook" not in response.get_data(as_text=True)
    assert task_rows(checked) == []


def test_update_hook_raising_after_the_update_rolls_it_back(checked: Flask) -> None:
    client = checked.test_client()
    project_id = add_project(checked)
    task_id = add_task(client, project_id)
    url = f"/v1/projects/{project_id}/tasks/{task_id}"

    response = client.put(url, json={"title": "refused"}, headers={"If-Match": '"1"'})
    current = client.get(url)

    assert response.status_code == 409
    assert response.content_type == PROBLEM_JSON
    assert response.json["detail"] == REFUSED
    assert current.status_code == 200
    assert current.headers["ETag"] == '"1"'
    assert current.json["title"] == "Milk"
    assert task_rows(checked) == [("Milk", None, 1)]


def test_method_answering_an_error_status_rolls_back_its_write(mount: Mounter) -> None:
    app = mount({"/projects": RefusingProjects})

    response = app.test_client().post("/v1/projects", json={"name": "Home"})

    assert response.status_code == 409
    assert response.content_type == PROBLEM_JSON
    assert response.json == {"title": "Conflict", "status": 409}
    assert stored(app, Project, "name") == []


# --- a lost race ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "headers", "body"),
    [
        ("PUT", {}, {"title": "Bread"}),
        ("PATCH", {"Content-Type": MERGE_PATCH}, {"title": "Bread"}),
    ],
)
def test_write_losing_a_race_to_another_writer_returns_412_and_keeps_their_change(
    mount: Mounter, method: str, headers: dict[str, str], body: dict[str, Any]
) -> None:
    app = mount(
        {
            "/projects/<int:project_id>/tasks": CheckedTasks,
            "/projects/<int:project_id>/tasks/<int:task_id>": RacedTaskItem,
        }
    )
    client = app.test_client()
    project_id = add_project(app)
    task_id = add_task(client, project_id)
    url = f"/v1/projects/{project_id}/tasks/{task_id}"

    # If-Match holds when it is checked; the other writer commits before the UPDATE.
    response = client.open(url, method=method, headers={**headers, "If-Match": '"1"'}, json=body)

    assert response.status_code == 412
    assert response.content_type == PROBLEM_JSON
    assert response.json["title"] == "Precondition Failed"
    assert response.json["detail"] == (
        "The resource was changed by another request while this one ran; read it again and "
        "send its new ETag in If-Match."
    )
    assert task_rows(app) == [("Milk", "theirs", 2)]


# --- an unreachable database ----------------------------------------------------------------


class NoteBase(DeclarativeBase):
    """Declarative base of the note model: tables of their own, on a database of their own."""


notes_db = SQLAlchemy(model_class=NoteBase)


class Note(notes_db.Model):  # type: ignore[name-defined,misc]
    """A note."""

    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(50))


class Notes(ModelCollection):
    """The notes."""

    model = Note


class NoteItem(ModelItem):
    """One note."""

    model = Note


def make_notes_app(url: str) -> Flask:
    """Return an app of notes on `url`, without creating its tables."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    notes_db.init_app(app)
    blueprint = Blueprint("notes")
    blueprint.add_resource(Notes, "/notes")
    blueprint.add_resource(NoteItem, "/notes/<int:id>")
    api = Api(name="v1", url_prefix="/v1", title="Notes", version="1.0.0")
    api.register_blueprint(blueprint)
    api.init_app(app)
    return app


@pytest.fixture
def notes_app(tmp_path: Path) -> Iterator[Flask]:
    # The file's directory does not exist yet: SQLite cannot open the database.
    app = make_notes_app(f"sqlite:///{tmp_path / 'later' / 'notes.db'}")
    yield app
    with app.app_context():
        notes_db.session.remove()
        notes_db.engine.dispose()


UNREACHABLE = [
    ("GET", "/v1/notes", None),
    ("POST", "/v1/notes", {"text": "Milk"}),
    ("GET", "/v1/notes/1", None),
    ("PUT", "/v1/notes/1", {"text": "Bread"}),
    ("DELETE", "/v1/notes/1", None),
]


@pytest.mark.parametrize(("method", "url", "body"), UNREACHABLE)
def test_unreachable_sqlite_database_returns_503_with_retry_after(
    notes_app: Flask,
    caplog: pytest.LogCaptureFixture,
    method: str,
    url: str,
    body: dict[str, Any] | None,
) -> None:
    with caplog.at_level(logging.ERROR, logger="restkit"):
        response = notes_app.test_client().open(url, method=method, json=body)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.content_type == PROBLEM_JSON
    assert response.json == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The database is unavailable or busy; retry shortly.",
    }
    assert "unable to open" not in response.get_data(as_text=True)
    assert [record.getMessage() for record in caplog.records] == ["The database is unavailable."]


def test_unreachable_sqlite_database_recovers_without_restart(
    notes_app: Flask, tmp_path: Path
) -> None:
    client = notes_app.test_client()
    before = client.get("/v1/notes")
    (tmp_path / "later").mkdir()
    with notes_app.app_context():
        notes_db.create_all()

    listed = client.get("/v1/notes")
    created = client.post("/v1/notes", json={"text": "Milk"})
    fetched = client.get(created.headers["Location"])

    assert before.status_code == 503
    assert listed.status_code == 200
    assert listed.json == []
    assert created.status_code == 201
    assert created.headers["Location"] == f"/v1/notes/{created.json['id']}"
    assert fetched.status_code == 200
    assert fetched.json == {"id": created.json["id"], "text": "Milk"}


# --- deleting a row others refer to ---------------------------------------------------------


class OwnerBase(DeclarativeBase):
    """Declarative base of owners and pets: a reference without ON DELETE."""


owners_db = SQLAlchemy(model_class=OwnerBase)


class Owner(owners_db.Model):  # type: ignore[name-defined,misc]
    """An owner of pets."""

    __tablename__ = "owner"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Pet(owners_db.Model):  # type: ignore[name-defined,misc]
    """A pet, which keeps its owner from being deleted."""

    __tablename__ = "pet"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"))


class OwnerItem(ModelItem):
    """One owner."""

    model = Owner


def test_delete_of_row_others_refer_to_returns_409_and_keeps_it(mount: Mounter) -> None:
    app = mount({"/owners/<int:id>": OwnerItem}, owners_db)
    with app.app_context():
        owners_db.session.add_all([Owner(id=1, name="Ann"), Owner(id=2, name="Bob")])
        owners_db.session.flush()
        owners_db.session.add(Pet(id=1, owner_id=1))
        owners_db.session.commit()

    response = app.test_client().delete("/v1/owners/1")
    alone = app.test_client().delete("/v1/owners/2")

    assert alone.status_code == 204
    assert response.status_code == 409
    assert response.content_type == PROBLEM_JSON
    assert response.json["detail"] == (
        "Other resources still refer to this one; delete or move them first."
    )
    assert stored(app, Owner, "name", extension=owners_db) == [("Ann",)]  # Bob had no pet: deleted


# -- If-Match required by a subclass -----------------------------------------------------------


class SharedTasks(ModelItem):
    """A base that names the model: its subclasses inherit what it made."""

    model = Task
    schema = TaskSchema


class StrictTaskItem(SharedTasks):
    """Asks for If-Match where its base did not."""

    require_if_match = True


def test_subclass_requiring_if_match_of_a_base_with_the_model_returns_428(mount: Mounter) -> None:
    app = mount({"/tasks/<int:task_id>": StrictTaskItem})
    client = app.test_client()
    with app.app_context():
        db.session.add(Project(name="Home"))
        db.session.flush()
        db.session.add(Task(project_id=1, title="Paint"))
        db.session.commit()

    refused = client.patch("/v1/tasks/1", json={"done": True}, content_type=MERGE_PATCH)
    current = client.get("/v1/tasks/1")
    accepted = client.patch(
        "/v1/tasks/1",
        json={"done": True},
        content_type=MERGE_PATCH,
        headers={"If-Match": current.headers["ETag"]},
    )

    assert refused.status_code == 428
    assert refused.headers["Content-Type"] == PROBLEM_JSON
    assert accepted.status_code == 200
    assert accepted.get_json()["done"] is True
    assert SharedTasks.conditional is not StrictTaskItem.conditional
