"""Taskboard's tables: users, their projects, the projects' tasks and the tasks' attachments.

Every row belongs to one user through its project, and a user's rows are deleted with the
row they hang from (`ON DELETE CASCADE`, and the ORM's `delete-orphan` cascade). Times are
naive `DateTime` columns that hold UTC. Projects and tasks carry a version that every write
increments: it is their `ETag`.
"""

from __future__ import annotations

import datetime as dt
import enum

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of Taskboard's models."""


db = SQLAlchemy(model_class=Base)


def utcnow() -> dt.datetime:
    """Return the current time in UTC, naive, as the `DateTime` columns hold it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Priority(enum.Enum):
    """How urgent a task is; lists sort in this order."""

    low = "low"
    normal = "normal"
    high = "high"


class User(db.Model):  # type: ignore[name-defined,misc]
    """Someone who signs in to the app. Emails are stored in lower case."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Project(db.Model):  # type: ignore[name-defined,misc]
    """A list of tasks, such as "Groceries", of one user."""

    __table_args__ = (Index("ix_project_owner", "owner_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    color: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    owner: Mapped[User] = relationship()
    tasks: Mapped[list[Task]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Task(db.Model):  # type: ignore[name-defined,misc]
    """Something to do, in a project."""

    __table_args__ = (Index("ix_task_project_created", "project_id", "created_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[Priority] = mapped_column(default=Priority.normal)
    due_at: Mapped[dt.datetime | None]
    done: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    project: Mapped[Project] = relationship(back_populates="tasks")
    tag_rows: Mapped[list[Tag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Tag.id"
    )
    # The tags as a list of strings: reading gives the names, assigning a list replaces the
    # rows (orphans are deleted).
    tags: AssociationProxy[list[str]] = association_proxy(
        "tag_rows", "name", creator=lambda name: Tag(name=name)
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="task", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Tag(db.Model):  # type: ignore[name-defined,misc]
    """One tag of a task; the `tag` filter finds tasks by these rows."""

    __table_args__ = (Index("ix_tag_name", "name", "task_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(30))


class Attachment(db.Model):  # type: ignore[name-defined,misc]
    """A file attached to a task.

    The bytes live in the database, so that every instance of the service sees them without
    a shared disk; lists never load them.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    task: Mapped[Task] = relationship(back_populates="attachments")
