"""Taskboard's tables: projects and their tasks."""

from __future__ import annotations

import datetime as dt

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of Taskboard's models."""


db = SQLAlchemy(model_class=Base)


class Project(db.Model):
    """A list of tasks, such as "Groceries"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    color: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    tasks: Mapped[list[Task]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Task.id"
    )


class Task(db.Model):
    """Something to do, in a project."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    project: Mapped[Project] = relationship(back_populates="tasks")


def seed_demo_data() -> None:
    """Add a few projects and tasks when the database has none."""
    if db.session.scalar(select(func.count()).select_from(Project)):
        return
    groceries = Project(name="Groceries", color="#2e7d32")
    groceries.tasks = [Task(title="Milk"), Task(title="Bread", done=True)]
    work = Project(name="Work", color="#1565c0")
    work.tasks = [Task(title="Write the release notes")]
    db.session.add_all([groceries, work])
    db.session.commit()
