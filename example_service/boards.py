"""Projects and their tasks: each user sees and changes only their own.

Every resource here scopes its rows to the caller in `get_query`, so another user's project
or task is a 404 for every method, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from example_service.models import Project, Tag, Task, db
from example_service.schemas import ProjectSchema, TaskSchema
from restkit import (
    Blueprint,
    CursorPagination,
    Deprecation,
    PagePagination,
    operation,
)
from restkit.identity import get_identity
from restkit.problems import Unauthorized
from restkit.sqla import Filter, ModelCollection, ModelItem, ModelResource


def caller_id() -> int:
    """Return the signed-in user's id; every operation here needs a token."""
    identity = get_identity()
    if identity is None:  # not reached: authentication runs before the hooks
        raise Unauthorized()
    return int(identity.id)


# -- projects -----------------------------------------------------------------------------------

projects = Blueprint("projects", url_prefix="/v1", description="The caller's projects.")


class OwnProjects(ModelResource):
    """What the project resources share: the caller's projects only."""

    model = Project
    schema = ProjectSchema
    noun = ("project", "projects")

    def get_query(self, **path: Any) -> Select[Any]:
        """Keep the caller's projects: another user's is a 404."""
        return super().get_query(**path).where(Project.owner_id == caller_id())


@projects.route("/projects")
class Projects(OwnProjects, ModelCollection):
    """The caller's projects, by page."""

    default_sort = "name"
    sortable = ("name", "created_at")
    pagination = PagePagination(default_size=20, max_size=100)
    idempotency = True

    def create_object(self, data: Mapping[str, Any], **path: Any) -> Project:
        """Add a project owned by the caller."""
        project: Project = super().create_object({**data, "owner_id": caller_id()}, **path)
        return project


@projects.route("/projects/<int:project_id>")
class ProjectItem(OwnProjects, ModelItem):
    """One project; writes need its current ETag in If-Match. Deleting it deletes its tasks."""

    require_if_match = True


# -- tasks --------------------------------------------------------------------------------------

tasks = Blueprint("tasks", url_prefix="/v1", description="The tasks of the caller's projects.")


class OwnTasks(ModelResource):
    """What the task resources share: the tasks of the caller's projects, tags loaded."""

    model = Task
    schema = TaskSchema
    noun = ("task", "tasks")

    def get_query(self, **path: Any) -> Select[Any]:
        """Keep the tasks of the caller's projects: another user's task is a 404."""
        mine = Task.project.has(Project.owner_id == caller_id())
        return super().get_query(**path).where(mine).options(selectinload(Task.tag_rows))


@tasks.route("/tasks/<int:task_id>")
class TaskItem(OwnTasks, ModelItem):
    """One task; writes need its current ETag in If-Match."""

    require_if_match = True


@tasks.route("/projects/<int:project_id>/tasks")
class ProjectTasks(OwnTasks, ModelCollection):
    """The tasks of one of the caller's projects, by cursor."""

    filters = {  # noqa: RUF012
        "done": "eq",
        "priority": "eq",
        "due_before": Filter("due_at", "lt"),
        "due_after": Filter("due_at", "gte"),
    }
    query_fields = {  # noqa: RUF012
        "tag": fields.String(
            validate=validate.Length(1, 30),
            metadata={"description": "Only tasks with this tag."},
        )
    }
    search = ("title", "notes")
    sortable = ("due_at", "priority", "created_at", "title")
    default_sort = "created_at"
    pagination = CursorPagination(default_size=20, max_size=100)
    idempotency = True
    item = TaskItem  # the Location of a created task; the completion shortcut is another
    operation_ids = {"get": "listTasks", "post": "createTask"}  # noqa: RUF012

    def filter_query(self, statement: Select[Any], query: Mapping[str, Any]) -> Select[Any]:
        """Apply the declared filters, then `tag`: tasks that carry it."""
        statement = super().filter_query(statement, query)
        if "tag" in query:
            statement = statement.where(Task.tag_rows.any(Tag.name == query["tag"]))
        return statement


# The date the completion shortcut was deprecated, and when it goes away.
COMPLETE_DEPRECATED = Deprecation(
    since=dt.date(2026, 11, 1),
    sunset=dt.date(2027, 6, 1),
    link="https://taskboard.example/changelog#complete",
)


@tasks.route("/tasks/<int:task_id>/complete")
class TaskCompletion(OwnTasks, ModelItem):
    """The old way to mark a task done."""

    methods = ()

    @operation(response=TaskSchema, operation_id="completeTask", deprecated=COMPLETE_DEPRECATED)
    def post(self, task_id: int, current: Task) -> Task:
        """Mark a task done.

        Deprecated: send `PATCH /v1/tasks/{task_id}` with `{"done": true}` instead.
        """
        current.done = True
        db.session.flush()
        return current
