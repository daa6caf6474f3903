"""What the model resources share about rows: which values a column can hold, how to store.

`restkit.sqla.resource`, `restkit.sqla.collection` and `restkit.sqla.item` use these.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy import inspect as sa_inspect

from restkit.blueprint import rule_arguments
from restkit.sqla.filtering import integer_range

__all__ = ["fits", "last_argument", "storable", "table_of"]


def table_of(model: type[Any] | None) -> Table | None:
    """Return the model's table, if it is mapped to one."""
    if model is None:
        return None
    table = sa_inspect(model).local_table
    return table if isinstance(table, Table) else None


@functools.lru_cache(maxsize=256)
def last_argument(rule: str) -> str:
    """Return the last variable of a URL rule: an item's primary key by default."""
    arguments = rule_arguments(rule)
    return arguments[-1] if arguments else ""


def fits(column: Any, value: Any) -> bool:
    """Whether an integer column can hold the value: if not, no row has it."""
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return True
    if kind is not int:
        return True
    low, high = integer_range(column)
    return low <= value <= high


def storable(naive: frozenset[str], data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the data with aware date-times of naive columns in UTC: such columns hold UTC."""
    if not naive:
        return data
    stored = dict(data)
    for name in naive.intersection(data):
        value = data[name]
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            stored[name] = value.astimezone(dt.UTC).replace(tzinfo=None)
    return stored
