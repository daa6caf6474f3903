"""What a database error means to the client: the problem a model resource answers with.

| the database says | the client gets |
| --- | --- |
| a unique constraint is violated | 409, naming the fields whose values are taken |
| a row that others still refer to is deleted | 409 |
| a foreign key, NOT NULL or CHECK constraint is violated | 422, naming the field or rule |
| a value does not fit its column | 422 |
| the row changed since it was read (`version_id_col`) | 412 |
| `.one()` found no row | 404 |
| it gave the transaction up for another (deadlock) | 503 `TransactionConflict`, after retries |
| it cannot be reached or is busy | 503 with `Retry-After` |

The details name columns and constraints, never values nor the driver's own message, so no
data of other rows and no internals reach the client. Any other error is left alone and
becomes the usual logged 500.

A `TransactionConflict` is first retried: restkit runs the request's transaction again, up to
the resource's `transaction_attempts`, and answers the 503 only when every attempt lost.

Importing `restkit.sqla` registers `database_problem` with restkit's error handler
(`restkit.problems.add_error_translator`), so a database error met outside a model resource
(a resource's own query, an authenticator that loads the user from the database) is answered
the same way: a lost database is a 503 wherever the request met it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import exc as orm_exc

from restkit.problems import (
    Conflict,
    NotFound,
    PreconditionFailed,
    Problem,
    ServiceUnavailable,
    TransactionConflict,
    UnprocessableContent,
    add_error_translator,
)

__all__ = ["RETRY_AFTER", "database_problem"]

RETRY_AFTER = 5
"""Seconds a client is asked to wait (`Retry-After`) when the database is unavailable."""

# SQLSTATE classes (ISO SQL, used by PostgreSQL and others): 23 is integrity.
_UNIQUE = "23505"
_FOREIGN_KEY = "23503"
_NOT_NULL = "23502"
_CHECK = "23514"
_RETRYABLE = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
_SQLITE_COLUMNS = re.compile(r"constraint failed: (.+)$")
_POSTGRES_KEY = re.compile(r"^Key \((.+?)\)=")


def database_problem(error: BaseException, table: Table | None = None) -> Problem | None:
    """Return the problem a database error stands for, or `None` for any other error.

    Args:
        error: The exception raised by SQLAlchemy.
        table: The model's table, whose constraints give the details their field names.
    """
    if isinstance(error, orm_exc.StaleDataError):
        return PreconditionFailed(
            "The resource was changed by another request while this one ran; read it again "
            "and send its new ETag in If-Match."
        )
    if isinstance(error, sa_exc.NoResultFound):
        return NotFound()
    if isinstance(error, sa_exc.IntegrityError):
        return _integrity_problem(error, table)
    if isinstance(error, sa_exc.DataError):
        return UnprocessableContent(
            detail="A value is out of range, too long, or of the wrong kind for the database."
        )
    if isinstance(error, sa_exc.DBAPIError) and _sqlstate(error) in _RETRYABLE:
        return TransactionConflict(headers={"Retry-After": "1"})
    if isinstance(
        error,
        sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.DisconnectionError
        | sa_exc.TimeoutError,
    ) or (isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated):
        return ServiceUnavailable(
            "The database is unavailable or busy; retry shortly.",
            headers={"Retry-After": str(RETRY_AFTER)},
        )
    return None


# Database errors met outside a model resource (a resource's own query, an authenticator that
# loads the user) are the same problems, only without a table to name fields from.
add_error_translator(database_problem)


def _sqlstate(error: sa_exc.DBAPIError) -> str | None:
    original = error.orig
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return state if isinstance(state, str) else None


def _integrity_problem(error: sa_exc.IntegrityError, table: Table | None) -> Problem:
    original = error.orig
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    message = str(original)
    diag = getattr(original, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if state == _UNIQUE or message.startswith("UNIQUE constraint failed"):
        names = (
            _sqlite_columns(message)
            or _constraint_columns(table, constraint)
            or _postgres_key(diag)
        )
        if names:
            return Conflict(
                f"Another resource already has this {_join(names)}; choose another value."
            )
        return Conflict("Another resource already has one of these unique values.")
    if state == _NOT_NULL or message.startswith("NOT NULL constraint failed"):
        column = getattr(diag, "column_name", None)
        names = [column] if column else _sqlite_columns(message)
        return UnprocessableContent(
            detail=f"{_join(names) or 'A field'} may not be null."
            if names
            else "A required value is missing."
        )
    deleting = (error.statement or "").lstrip().upper().startswith("DELETE")
    foreign_key = state == _FOREIGN_KEY or message.startswith("FOREIGN KEY constraint failed")
    if foreign_key and deleting:
        return Conflict("Other resources still refer to this one; delete or move them first.")
    if foreign_key:
        names = _constraint_columns(table, constraint) or _postgres_key(diag)
        return UnprocessableContent(
            detail=f"{_join(names)} refers to a resource that does not exist."
            if names
            else "A reference points to a resource that does not exist."
        )
    if state == _CHECK or message.startswith("CHECK constraint failed"):
        rule = constraint or _sqlite_rule(message)
        return UnprocessableContent(
            detail=f"The values break the rule {rule!r}." if rule else "The values break a rule."
        )
    return UnprocessableContent(detail="The values conflict with the data already stored.")


def _sqlite_columns(message: str) -> list[str]:
    # SQLite: "UNIQUE constraint failed: task.project_id, task.title"
    match = _SQLITE_COLUMNS.search(message)
    if match is None:
        return []
    return [part.strip().rpartition(".")[2] for part in match.group(1).split(",")]


def _postgres_key(diag: Any) -> list[str]:
    # PostgreSQL: 'Key (project_id, title)=(1, Milk) already exists.' The values stay out.
    match = _POSTGRES_KEY.match(getattr(diag, "message_detail", None) or "")
    if match is None:
        return []
    return [part.strip().strip('"') for part in match.group(1).split(",")]


def _sqlite_rule(message: str) -> str | None:
    match = _SQLITE_COLUMNS.search(message)
    return match.group(1).strip() if match else None


def _constraint_columns(table: Table | None, name: str | None) -> list[str]:
    if table is None or name is None:
        return []
    candidates: Iterable[Any] = [*table.constraints, *table.indexes]
    for candidate in candidates:
        if candidate.name == name:
            return [column.name for column in candidate.columns]
    return []


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
