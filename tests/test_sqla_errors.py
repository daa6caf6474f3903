"""`database_problem`: what a database error means to the client, from synthetic exceptions.

SQLite reports constraints in its message ("UNIQUE constraint failed: t.a, t.b"); psycopg in
`sqlstate` and `diag` (constraint, column, and a detail that holds the values). The problem
names columns and rules, never values nor the driver's message; errors that are not the
database's are left alone (`None`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, UniqueConstraint
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import exc as orm_exc

from restkit.problems import Problem
from restkit.sqla import database_problem
from restkit.sqla.errors import RETRY_AFTER
from tests.sqla_app import Task

SECRET = "Zanzibar-42"
PROBLEM_JSON = "application/problem+json"

TABLE = Table(
    "item",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("owner_id", Integer),
    Column("code", String(20)),
    Column("name", String(20)),
    UniqueConstraint("owner_id", "name", name="item_owner_name_key"),
    Index("item_code_idx", "code", unique=True),
)


@dataclass
class Diag:
    """What psycopg's `Diagnostic` tells of an error."""

    constraint_name: str | None = None
    column_name: str | None = None
    message_detail: str | None = None


class PsycopgError(Exception):
    """A psycopg error: `sqlstate` and `diag` besides the server's message."""

    def __init__(self, sqlstate: str, diag: Diag, message: str = "") -> None:
        super().__init__(message or f"error with {SECRET}")
        self.sqlstate = sqlstate
        self.diag = diag


class Psycopg2Error(Exception):
    """A psycopg2 error: the state is `pgcode`."""

    def __init__(self, pgcode: str, diag: Diag) -> None:
        super().__init__(f"error with {SECRET}")
        self.pgcode = pgcode
        self.diag = diag


def integrity(
    orig: BaseException, statement: str = "INSERT INTO item (name) VALUES (?)"
) -> sa_exc.IntegrityError:
    return sa_exc.IntegrityError(statement, {"name": SECRET}, orig)


def rendered(problem: Problem | None) -> tuple[int, dict[str, str], dict[str, Any]]:
    """Return the status, headers and body of the problem's response."""
    assert problem is not None
    response = problem.get_response()
    body: dict[str, Any] = orjson.loads(response.get_data())
    assert SECRET not in response.get_data(as_text=True)
    return response.status_code, dict(response.headers), body


def unique(detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": "Conflict", "status": 409, "detail": detail}


def unprocessable(detail: str) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": detail,
        "errors": [],
    }


# --- integrity errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "UNIQUE constraint failed: item.owner_id, item.name",
            unique("Another resource already has this owner_id and name; choose another value."),
        ),
        (
            "UNIQUE constraint failed: item.code",
            unique("Another resource already has this code; choose another value."),
        ),
        ("NOT NULL constraint failed: item.name", unprocessable("name may not be null.")),
        (
            "FOREIGN KEY constraint failed",
            unprocessable("A reference points to a resource that does not exist."),
        ),
        (
            "CHECK constraint failed: positive",
            unprocessable("The values break the rule 'positive'."),
        ),
        ("CHECK constraint failed", unprocessable("The values break a rule.")),
        (
            "some new kind of integrity failure",
            unprocessable("The values conflict with the data already stored."),
        ),
    ],
)
@pytest.mark.parametrize("table", [TABLE, None])
def test_sqlite_integrity_error_becomes_problem_naming_columns(
    message: str, expected: dict[str, Any], table: Table | None
) -> None:
    status, headers, body = rendered(
        database_problem(integrity(sqlite3.IntegrityError(message)), table)
    )

    assert status == expected["status"]
    assert headers["Content-Type"] == PROBLEM_JSON
    assert "Retry-After" not in headers
    assert body == expected


@pytest.mark.parametrize(
    ("sqlstate", "diag", "table", "expected"),
    [
        (  # the constraint's columns, from the model's table
            "23505",
            Diag("item_owner_name_key", None, f"Key (owner_id, name)=(1, {SECRET}) exists."),
            TABLE,
            unique("Another resource already has this owner_id and name; choose another value."),
        ),
        (  # a unique index
            "23505",
            Diag("item_code_idx", None, f"Key (code)=({SECRET}) already exists."),
            TABLE,
            unique("Another resource already has this code; choose another value."),
        ),
        (  # the shared test model's constraint
            "23505",
            Diag("sqla_task_title_key"),
            Task.__table__,
            unique("Another resource already has this project_id and title; choose another value."),
        ),
        (  # an unnamed constraint: the columns of the detail, not its values
            "23505",
            Diag("item_name_key", None, f'Key ("name")=({SECRET}) already exists.'),
            None,
            unique("Another resource already has this name; choose another value."),
        ),
        (
            "23505",
            Diag(),
            None,
            unique("Another resource already has one of these unique values."),
        ),
        ("23502", Diag(None, "name"), TABLE, unprocessable("name may not be null.")),
        ("23502", Diag(), TABLE, unprocessable("A required value is missing.")),
        (
            "23503",
            Diag(
                "item_owner_id_fkey",
                None,
                f'Key (owner_id)=({SECRET}) is not present in table "owner".',
            ),
            TABLE,
            unprocessable("owner_id refers to a resource that does not exist."),
        ),
        (
            "23503",
            Diag("item_owner_id_fkey"),
            TABLE,
            unprocessable("A reference points to a resource that does not exist."),
        ),
        ("23514", Diag("positive"), TABLE, unprocessable("The values break the rule 'positive'.")),
        ("23514", Diag(), TABLE, unprocessable("The values break a rule.")),
        (
            "23P01",
            Diag("no_overlap"),
            TABLE,
            unprocessable("The values conflict with the data already stored."),
        ),
    ],
)
def test_postgresql_integrity_error_becomes_problem_without_values(
    sqlstate: str, diag: Diag, table: Table | None, expected: dict[str, Any]
) -> None:
    status, headers, body = rendered(
        database_problem(integrity(PsycopgError(sqlstate, diag)), table)
    )

    assert status == expected["status"]
    assert headers["Content-Type"] == PROBLEM_JSON
    assert body == expected


@pytest.mark.parametrize(
    "orig",
    [
        sqlite3.IntegrityError("FOREIGN KEY constraint failed"),
        PsycopgError(
            "23503",
            Diag("pet_owner_id_fkey", None, f'Key (id)=({SECRET}) is still referenced from "pet".'),
        ),
    ],
    ids=["sqlite", "postgresql"],
)
def test_foreign_key_error_of_a_delete_becomes_409(orig: Exception) -> None:
    error = integrity(orig, statement="DELETE FROM item WHERE item.id = ?")

    status, headers, body = rendered(database_problem(error, TABLE))

    assert status == 409
    assert headers["Content-Type"] == PROBLEM_JSON
    assert body == unique("Other resources still refer to this one; delete or move them first.")


def test_psycopg2_pgcode_is_read_like_sqlstate() -> None:
    diag = Diag("item_owner_name_key", None, f"Key (owner_id, name)=(1, {SECRET}) exists.")

    status, _, body = rendered(database_problem(integrity(Psycopg2Error("23505", diag)), TABLE))

    assert status == 409
    assert body["detail"] == (
        "Another resource already has this owner_id and name; choose another value."
    )


# --- other database errors ------------------------------------------------------------------


def test_stale_data_error_becomes_412() -> None:
    error = orm_exc.StaleDataError(f"UPDATE item SET name='{SECRET}' matched 0 rows")

    status, headers, body = rendered(database_problem(error, TABLE))

    assert status == 412
    assert headers["Content-Type"] == PROBLEM_JSON
    assert body == {
        "type": "about:blank",
        "title": "Precondition Failed",
        "status": 412,
        "detail": "The resource was changed by another request while this one ran; read it "
        "again and send its new ETag in If-Match.",
    }


def test_no_result_found_becomes_404() -> None:
    status, headers, body = rendered(database_problem(sa_exc.NoResultFound(SECRET)))

    assert status == 404
    assert headers["Content-Type"] == PROBLEM_JSON
    assert body["title"] == "Not Found"


def test_data_error_becomes_422_without_the_driver_message() -> None:
    error = sa_exc.DataError("INSERT", {}, Exception(f"value too long: {SECRET}"))

    status, headers, body = rendered(database_problem(error, TABLE))

    assert status == 422
    assert headers["Content-Type"] == PROBLEM_JSON
    assert body == unprocessable(
        "A value is out of range, too long, or of the wrong kind for the database."
    )


UNAVAILABLE = [
    sa_exc.OperationalError("SELECT 1", {}, Exception(f"could not connect to {SECRET}")),
    sa_exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked")),
    sa_exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")),
    sa_exc.TimeoutError(f"QueuePool limit of size 5 overflow 10 reached ({SECRET})"),
    sa_exc.DisconnectionError("the connection was closed"),
    sa_exc.DBAPIError("SELECT 1", {}, Exception("server closed"), connection_invalidated=True),
    sa_exc.ProgrammingError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
]


@pytest.mark.parametrize("error", UNAVAILABLE, ids=lambda error: type(error).__name__)
def test_unreachable_or_busy_database_becomes_503_with_retry_after(error: Exception) -> None:
    status, headers, body = rendered(database_problem(error, TABLE))

    assert status == 503
    assert headers["Retry-After"] == str(RETRY_AFTER) == "5"
    assert headers["Content-Type"] == PROBLEM_JSON
    assert body == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The database is unavailable or busy; retry shortly.",
    }


OTHERS = [
    ValueError("not the database's"),
    KeyError("name"),
    sa_exc.ProgrammingError("SELECT nope", {}, Exception("syntax error")),
    sa_exc.DBAPIError("SELECT 1", {}, Exception("odd")),
    sa_exc.MultipleResultsFound("two rows"),
    sa_exc.InvalidRequestError("a bug"),
    sa_exc.ArgumentError("a bug"),
    orm_exc.DetachedInstanceError("a bug"),
]


@pytest.mark.parametrize("error", OTHERS, ids=lambda error: type(error).__name__)
@pytest.mark.parametrize("table", [TABLE, None])
def test_other_errors_are_left_alone(error: Exception, table: Table | None) -> None:
    assert database_problem(error, table) is None
