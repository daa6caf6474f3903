"""Transactions the database gives up for a concurrent one are run again, then a 503.

PostgreSQL ends a transaction with a serialization failure (40001) or a deadlock (40P01)
when a concurrent one wins; nothing of it was written, and the same request usually succeeds
at once. Model resources run the request's transaction again, up to `transaction_attempts`,
before they answer 503 `TransactionConflict`. The conflicts here are raised by a hook, with
psycopg's own exceptions, after the hook's UPDATE was flushed: each attempt must start afresh
and only the last one's write may stay.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import psycopg.errors
import pytest
from flask import Flask
from sqlalchemy import exc as sa_exc

from restkit.problems import TransactionConflict
from restkit.sqla import ModelItem, database_problem
from tests.sqla_app import Project, Task, TaskSchema, db
from tests.sqla_helpers import MERGE_PATCH, PROBLEM_JSON, Mounter, mounter, stored


def _lost(error: Exception) -> sa_exc.OperationalError:
    return sa_exc.OperationalError("UPDATE tasks ...", {}, error)


class ContendedTaskItem(ModelItem):
    """A task whose update loses to a concurrent transaction `losses` times."""

    model = Task
    schema = TaskSchema
    losses: ClassVar[int] = 0
    calls: ClassVar[list[str]] = []

    def update_object(self, obj: Any, data: Any) -> Any:
        updated = super().update_object(obj, data)  # flushed: the UPDATE ran
        type(self).calls.append(data.get("title", ""))
        if len(type(self).calls) <= type(self).losses:
            raise _lost(psycopg.errors.SerializationFailure("could not serialize access"))
        return updated


class OneShotTaskItem(ContendedTaskItem):
    transaction_attempts = 1


@pytest.fixture
def mount(sqla_database: tuple[str, dict[str, Any]]) -> Iterator[Mounter]:
    with mounter(sqla_database) as made:
        yield made


def _app_with_task(mount: Mounter, resource: type[ModelItem]) -> tuple[Flask, tuple[int, int]]:
    app = mount({"/projects/<int:project_id>/tasks/<int:task_id>": resource})
    with app.app_context():
        project = Project(name="Home")
        db.session.add(project)
        db.session.flush()
        task = Task(title="Milk", project_id=project.id)
        db.session.add(task)
        db.session.commit()
        ids = (project.id, task.id)
        db.session.remove()
    return app, ids


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    ContendedTaskItem.calls = []
    yield
    ContendedTaskItem.losses = 0


def _patch(app: Flask, ids: tuple[int, int], title: str) -> Any:
    project_id, task_id = ids
    return app.test_client().patch(
        f"/v1/projects/{project_id}/tasks/{task_id}",
        data=f'{{"title": "{title}"}}',
        content_type=MERGE_PATCH,
    )


def test_transaction_lost_twice_is_run_again_and_written_once(mount: Mounter) -> None:
    ContendedTaskItem.losses = 2
    app, ids = _app_with_task(mount, ContendedTaskItem)

    response = _patch(app, ids, "Bread")

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["title"] == "Bread"
    assert ContendedTaskItem.calls == ["Bread", "Bread", "Bread"]
    assert stored(app, Task, "title", "version") == [("Bread", 2)]  # one write, one version


def test_transaction_lost_on_every_attempt_is_a_503_and_writes_nothing(mount: Mounter) -> None:
    ContendedTaskItem.losses = 99
    app, ids = _app_with_task(mount, ContendedTaskItem)

    response = _patch(app, ids, "Bread")

    assert response.status_code == 503
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["detail"] == (
        "The request collided with a concurrent one; retry shortly."
    )
    assert len(ContendedTaskItem.calls) == ContendedTaskItem.transaction_attempts == 3
    assert stored(app, Task, "title", "version") == [("Milk", 1)]


def test_transaction_attempts_of_one_answers_the_first_conflict(mount: Mounter) -> None:
    ContendedTaskItem.losses = 1
    app, ids = _app_with_task(mount, OneShotTaskItem)

    response = _patch(app, ids, "Bread")

    assert response.status_code == 503
    assert ContendedTaskItem.calls == ["Bread"]
    assert stored(app, Task, "title", "version") == [("Milk", 1)]


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.SerializationFailure("could not serialize access"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
    ],
    ids=["serialization-failure", "deadlock"],
)
def test_serialization_failures_and_deadlocks_are_transaction_conflicts(error: Exception) -> None:
    problem = database_problem(_lost(error))

    assert isinstance(problem, TransactionConflict)
    assert (problem.status, dict(problem.extra_headers)) == (503, {"Retry-After": "1"})


def test_other_operational_errors_are_not_retried_conflicts() -> None:
    problem = database_problem(_lost(psycopg.errors.AdminShutdown("terminating connection")))

    assert problem is not None
    assert not isinstance(problem, TransactionConflict)
    assert problem.status == 503
