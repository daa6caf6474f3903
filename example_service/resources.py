"""Taskboard's resources, mounted under `/v1`."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from example_service.models import Project, Task, db
from example_service.schemas import ProjectSchema, TaskFilterSchema, TaskSchema
from restkit import Api, Blueprint, Resource, operation
from restkit.problems import NotFound

api = Api(
    name="v1",
    url_prefix="/v1",
    title="Taskboard",
    version="1.0.0",
    info={"description": "The backend of Taskboard, a to-do app for phones."},
)
projects = Blueprint("projects", url_prefix="/projects", description="Projects and their tasks.")


def get_project_or_404(project_id: int) -> Project:
    """Return the project, or raise a 404 problem."""
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound(f"Project {project_id} does not exist.")
    return project


@projects.route("/")
class Projects(Resource):
    """The collection of projects."""

    @operation(response=ProjectSchema(many=True))
    def get(self) -> Any:
        """List projects."""
        return db.session.scalars(select(Project).order_by(Project.id)).all()

    @operation(body=ProjectSchema, response=ProjectSchema, status=201)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a project."""
        project = Project(**body)
        db.session.add(project)
        db.session.commit()
        location = url_for(".ProjectItem", project_id=project.id)
        return project, 201, {"Location": location}


@projects.route("/<int:project_id>")
class ProjectItem(Resource):
    """One project."""

    @operation(response=ProjectSchema)
    def get(self, project_id: int) -> Any:
        """Get a project."""
        return get_project_or_404(project_id)

    @operation(status=204)
    def delete(self, project_id: int) -> None:
        """Delete a project and its tasks."""
        db.session.delete(get_project_or_404(project_id))
        db.session.commit()


@projects.route("/<int:project_id>/tasks")
class ProjectTasks(Resource):
    """The tasks of one project."""

    @operation(query=TaskFilterSchema, response=TaskSchema(many=True))
    def get(self, project_id: int, query: dict[str, Any]) -> Any:
        """List a project's tasks, optionally only done or open ones."""
        statement = select(Task).where(Task.project_id == get_project_or_404(project_id).id)
        if "done" in query:
            statement = statement.where(Task.done == query["done"])
        return db.session.scalars(statement.order_by(Task.id)).all()

    @operation(body=TaskSchema, response=TaskSchema, status=201)
    def post(self, project_id: int, body: dict[str, Any]) -> Any:
        """Add a task to a project."""
        task = Task(project=get_project_or_404(project_id), **body)
        db.session.add(task)
        db.session.commit()
        location = url_for(".TaskItem", project_id=project_id, task_id=task.id)
        return task, 201, {"Location": location}


@projects.route("/<int:project_id>/tasks/<int:task_id>")
class TaskItem(Resource):
    """One task."""

    @operation(response=TaskSchema)
    def get(self, project_id: int, task_id: int) -> Any:
        """Get a task."""
        task = db.session.get(Task, task_id)
        if task is None or task.project_id != project_id:
            raise NotFound(f"Task {task_id} does not exist in project {project_id}.")
        return task

    @operation(status=204)
    def delete(self, project_id: int, task_id: int) -> None:
        """Delete a task."""
        db.session.delete(self.get(project_id, task_id))
        db.session.commit()


api.register_blueprint(projects)
