"""A small model API shared by the restkit.sqla tests: projects, their tasks and labels."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import marshmallow as ma
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from restkit import Api, Blueprint, CursorPagination, PagePagination
from restkit.sqla import Filter, ModelCollection, ModelItem


class Base(DeclarativeBase):
    """Declarative base of the test models."""


db = SQLAlchemy(model_class=Base)


class Priority(enum.Enum):
    """How urgent a task is."""

    low = "low"
    normal = "normal"
    high = "high"


class Project(db.Model):  # type: ignore[name-defined,misc]
    """A project: a unique name."""

    __tablename__ = "sqla_project"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    color: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Task(db.Model):  # type: ignore[name-defined,misc]
    """A task of a project, versioned."""

    __tablename__ = "sqla_task"
    __table_args__ = (UniqueConstraint("project_id", "title", name="sqla_task_title_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("sqla_project.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[Priority] = mapped_column(default=Priority.normal)
    rank: Mapped[int | None]
    done: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    project: Mapped[Project] = relationship()
    labels: Mapped[list[Label]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Label.id"
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Label(db.Model):  # type: ignore[name-defined,misc]
    """A label on a task."""

    __tablename__ = "sqla_label"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("sqla_task.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(30))
    task: Mapped[Task] = relationship(back_populates="labels")


class TaskSchema(ma.Schema):
    """A task with its project's name and its labels: two relationships to load."""

    id = ma.fields.Integer(dump_only=True)
    project_id = ma.fields.Integer(dump_only=True)
    project = ma.fields.Pluck("ProjectRef", "name", dump_only=True)
    title = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    notes = ma.fields.String(allow_none=True)
    priority = ma.fields.Enum(Priority, load_default=Priority.normal)
    rank = ma.fields.Integer(allow_none=True)
    done = ma.fields.Boolean(load_default=False)
    due_at = ma.fields.DateTime(allow_none=True)
    labels = ma.fields.Pluck("LabelRef", "name", many=True, dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class ProjectRef(ma.Schema):
    """A project's name, inside a task."""

    name = ma.fields.String()


class LabelRef(ma.Schema):
    """A label's name, inside a task."""

    name = ma.fields.String()


def make_blueprint() -> Blueprint:
    """Return the blueprint: projects by page, tasks by cursor, under /v1."""
    blueprint = Blueprint("work", url_prefix="")

    @blueprint.route("/projects")
    class Projects(ModelCollection):
        """The projects."""

        model = Project
        filters = {"name": ("eq", "icontains"), "color": ("eq", "isnull")}  # noqa: RUF012
        sortable = ("name", "created_at")
        default_sort = "name"
        pagination = PagePagination(default_size=10, max_size=50)

    @blueprint.route("/projects/<int:project_id>")
    class ProjectItem(ModelItem):
        """One project."""

        model = Project

    @blueprint.route("/projects/<int:project_id>/tasks")
    class ProjectTasks(ModelCollection):
        """The tasks of one project."""

        model = Task
        schema = TaskSchema
        filters = {  # noqa: RUF012
            "done": "eq",
            "priority": ("eq", "in"),
            "rank": ("eq", "lt", "lte", "gt", "gte", "isnull"),
            "due_at": ("lt", "gte", "isnull"),
            "title": ("contains", "icontains"),
            "due_before": Filter("due_at", "lt"),
        }
        sortable = ("due_at", "rank", "title", "priority")
        search = ("title", "notes")
        pagination = CursorPagination(default_size=3, max_size=100)

    @blueprint.route("/projects/<int:project_id>/tasks/<int:task_id>")
    class TaskItem(ModelItem):
        """One task."""

        model = Task
        schema = TaskSchema
        require_if_match = True

    return blueprint


def _foreign_keys_on(connection: Any, record: Any) -> None:
    connection.execute("PRAGMA foreign_keys=ON")


def make_app(url: str, engine_options: dict[str, Any] | None = None) -> Flask:
    """Return an app on the database at `url`, with the tables created."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options or {}
    app.secret_key = "sqla-tests-secret-key-of-32-bytes!"
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # SQLite checks foreign keys only when asked, per connection.
            event.listen(db.engine, "connect", _foreign_keys_on)
    api = Api(name="v1", url_prefix="/v1", title="Work", version="1.0.0")
    api.register_blueprint(make_blueprint())
    api.init_app(app)
    with app.app_context():
        db.create_all()
    return app
