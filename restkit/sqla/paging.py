"""Pagination done by the database: LIMIT/OFFSET with COUNT, or keyset for cursors.

- **page**: the page's rows are `ORDER BY ... LIMIT per_page OFFSET (page - 1) * per_page`,
  and the total is a `COUNT(*)` of the filtered rows (only when the pagination counts).
- **cursor**: the cursor holds the sort-key values and the primary key of the page's last
  row; the next page is the rows strictly after that position in the list's order
  (`WHERE (due_at, id) > (:due_at, :id)`, spelled out so it also holds for descending keys
  and for nulls, which sort last ascending and first descending). A row inserted or deleted
  elsewhere in the list never shifts a page: every row that was there all along is read
  exactly once. The database finds the position with an index on the sort key and the
  primary key, however deep the page.

One row more than the page size is read to know whether another page follows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.sql.elements import ColumnElement

from restkit.pagination import Page, PageRequest
from restkit.problems import InputError, UnprocessableContent
from restkit.sqla.filtering import SortKey

__all__ = ["decode_position", "encode_position", "keyset_after", "paginate"]


def paginate(
    session: Session,
    statement: Select[Any],
    keys: Sequence[SortKey],
    page: PageRequest | None,
    options: Sequence[ORMOption] = (),
) -> Sequence[Any] | Page[Any]:
    """Return the rows of one page of `statement` in the order of `keys`.

    Args:
        session: The session to query with.
        statement: The filtered statement, without order.
        keys: The order, ended by the primary key.
        page: The page asked for, or `None` for every row.
        options: Loader options (eager loads) for the rows.
    """
    ordered = statement.order_by(*(key.order_by() for key in keys)).options(*options)
    if page is None:
        return session.scalars(ordered).all()
    if page.kind == "page":
        total = None
        if page.count:
            counted = select(func.count()).select_from(statement.order_by(None).subquery())
            total = session.scalar(counted) or 0
        extra = 0 if total is not None else 1
        rows = list(session.scalars(ordered.limit(page.limit + extra).offset(page.offset)))
        if total is not None:
            return Page(rows, total=total)
        return Page(rows[: page.limit], has_next=len(rows) > page.limit)
    if page.cursor is not None:
        values = decode_position(page.cursor, keys)
        ordered = ordered.where(keyset_after(keys, values))
    rows = list(session.scalars(ordered.limit(page.limit + 1)))
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = encode_position(rows[-1], keys) if more else None
    return Page(rows, next_cursor=next_cursor)


def keyset_after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Return the condition "after the position `values`" in the order of `keys`.

    Lexicographic: some key is strictly after its value while every key before it is equal.
    """
    clauses: list[ColumnElement[bool]] = []
    for index, key in enumerate(keys):
        beyond = _beyond(key, values[index])
        if beyond is None:
            continue
        equal = [_equal(k, v) for k, v in zip(keys[:index], values[:index], strict=True)]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses) if clauses else false()


def _beyond(key: SortKey, value: Any) -> ColumnElement[bool] | None:
    column = key.column
    term, compared = _compared(key, value)
    if key.descending:  # nulls first, then from the largest value down
        return column.is_not(None) if value is None else term.__lt__(compared)
    if value is None:  # ascending: nothing comes after the nulls at the end
        return None
    greater: ColumnElement[bool] = term.__gt__(compared)
    return or_(greater, column.is_(None)) if key.nullable else greater


def _equal(key: SortKey, value: Any) -> ColumnElement[bool]:
    return key.column.is_(None) if value is None else key.column == value


def _compared(key: SortKey, value: Any) -> tuple[ColumnElement[Any], Any]:
    return key.term, key.to_term(value)


def encode_position(row: Any, keys: Sequence[SortKey]) -> list[Any]:
    """Return the JSON position of a row: its value of each key."""
    return [_to_json(getattr(row, key.attribute)) for key in keys]


def decode_position(position: Any, keys: Sequence[SortKey]) -> list[Any]:
    """Return the values of a position, typed as the columns are.

    Raises:
        UnprocessableContent: The position does not fit the keys (the list's order changed
            since the cursor was made).
    """
    if not isinstance(position, list) or len(position) != len(keys):
        raise _stale_cursor()
    try:
        return [_from_json(value, key) for value, key in zip(position, keys, strict=True)]
    except (TypeError, ValueError, KeyError, ArithmeticError, AttributeError):
        # ArithmeticError: a number that no Decimal or timedelta takes; AttributeError: a
        # value of the wrong JSON type for the column's converter (a number for a UUID).
        raise _stale_cursor() from None


def _stale_cursor() -> UnprocessableContent:
    return UnprocessableContent(
        [
            InputError(
                "query",
                "The cursor does not fit this list any more; start again from the first page "
                "(without cursor).",
                name="cursor",
            )
        ]
    )


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


def _from_json(value: Any, key: SortKey) -> Any:
    if value is None:
        return None
    try:
        kind: type[Any] = key.column.type.python_type
    except NotImplementedError:
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise TypeError(value)
        return value
    if issubclass(kind, enum.Enum):
        return kind[value]
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is dt.time:
        return dt.time.fromisoformat(value)
    if kind is dt.timedelta:
        return dt.timedelta(seconds=value)
    if kind in (decimal.Decimal, uuid.UUID, int, float, str):
        return kind(value)
    return value
