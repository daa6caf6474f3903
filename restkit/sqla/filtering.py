"""Filtering, sorting and searching a model list from its query string.

A `ModelCollection` declares what clients may filter and sort by; everything else is refused
with a 422 problem, so no client can make the database scan or order by an unindexed column
the API never promised. The syntax:

| query | selects |
| --- | --- |
| `?done=true` | `done` equals true (`eq`) |
| `?priority[in]=low&priority[in]=high` | `priority` is one of the values (`in`, the key repeated) |
| `?due_at[lt]=2026-12-01T00:00:00Z` | less than (`lt`; also `lte`, `gt`, `gte`) |
| `?title[contains]=Milk` | the text contains the value, case-sensitive (`contains`) |
| `?title[icontains]=milk` | the same, ignoring case (`icontains`) |
| `?due_at[isnull]=true` | `due_at` is null (`true`) or not (`false`) (`isnull`) |
| `?sort=-due_at,title` | ordered by `due_at` descending, then `title` |
| `?q=milk bread` | every word appears in one of the searched columns, ignoring case |

Conditions on several parameters all apply (AND). Values are loaded with the type of the
model's field (a date-time filter takes an ISO 8601 date-time), and every value is sent to the
database as a bound parameter: nothing a client sends is ever written into SQL text. The
wildcards `%` and `_` in a `contains` value match themselves.

Nulls sort last in ascending order and first in descending order, on every database, and the
primary key ends every ordering, so the order is total and pages never overlap.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import operator as operator_module
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args

import marshmallow as ma
from marshmallow_sqlalchemy import ModelConverter
from sqlalchemy import BigInteger, Column, Integer, Select, SmallInteger, and_, case, or_
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapper
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, DateTime
from sqlalchemy.types import Enum as SqlEnum

from restkit.errors import DeclarationError

__all__ = [
    "MAX_IN_VALUES",
    "MAX_SEARCH_WORDS",
    "OPERATORS",
    "Filter",
    "FilterPlan",
    "Operator",
    "SortKey",
    "integer_range",
]

Operator = Literal["eq", "in", "lt", "lte", "gt", "gte", "contains", "icontains", "isnull"]
"""A filter operator."""

OPERATORS: tuple[Operator, ...] = get_args(Operator)
"""Every filter operator, in the order they are documented."""

MAX_IN_VALUES = 100
"""The most values an `in` filter takes."""

MAX_SEARCH_WORDS = 10
"""The most words a `q` search takes."""

_ORDERED = (int, float, decimal.Decimal, str, dt.date, dt.datetime, dt.time, dt.timedelta)
_WORDS = {
    "eq": "equals the value",
    "in": "is one of the values (repeat the parameter for each)",
    "lt": "is less than the value",
    "lte": "is less than or equal to the value",
    "gt": "is greater than the value",
    "gte": "is greater than or equal to the value",
    "contains": "contains the text (case-sensitive)",
    "icontains": "contains the text, ignoring case",
}


@dataclass(frozen=True, slots=True)
class Filter:
    """A filter parameter with a name of its own, for one attribute and one operator.

    `filters = {"due_before": Filter("due_at", "lt")}` reads `?due_before=...`, where the
    shorthand `{"due_at": ["lt"]}` reads `?due_at[lt]=...`.

    Attributes:
        attribute: The model attribute filtered.
        operator: The operator applied.
    """

    attribute: str
    operator: Operator = "eq"


@dataclass(frozen=True, slots=True)
class SortKey:
    """One key of a list's order.

    An `Enum` column sorts in the order its members are declared (`low`, `normal`, `high`),
    on every database: SQLite stores the names as text, which would sort alphabetically, so
    the database orders by each member's position instead (a `CASE` expression).

    Attributes:
        attribute: The model attribute.
        column: The column it maps to.
        descending: Whether the order is descending.
        nullable: Whether the column may hold null.
        term: What the database orders and compares by: the column, or the position of the
            column's member for an `Enum` column.
        positions: For an `Enum` column, each member's position in its declaration.
    """

    attribute: str
    column: Column[Any]
    descending: bool
    nullable: bool
    term: ColumnElement[Any]
    positions: Mapping[Any, int] | None = None

    @classmethod
    def of(cls, attribute: str, column: Column[Any], descending: bool = False) -> SortKey:
        """Return the key that sorts by `column`, read as the model attribute `attribute`."""
        enum_class = getattr(column.type, "enum_class", None)
        if enum_class is None:
            return cls(attribute, column, descending, bool(column.nullable), column)
        positions = {member: index for index, member in enumerate(enum_class)}
        term = case(*((column == member, index) for member, index in positions.items()))
        return cls(attribute, column, descending, bool(column.nullable), term, positions)

    def to_term(self, value: Any) -> Any:
        """Return a row's value of the column as a value of `term`."""
        if self.positions is None or value is None:
            return value
        return self.positions[value]

    def order_by(self) -> ColumnElement[Any]:
        """Return the ORDER BY term: nulls last ascending, first descending."""
        if self.descending:
            term = self.term.desc()
            return term.nulls_first() if self.nullable else term
        term = self.term.asc()
        return term.nulls_last() if self.nullable else term


@dataclass(frozen=True, slots=True)
class _Parameter:
    name: str
    attribute: str
    operator: Operator
    column: Column[Any]
    naive_utc: bool


class _SortField(ma.fields.String):
    """`sort=-due_at,title`, loaded as `(("due_at", True), ("title", False))`."""

    def __init__(self, allowed: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allowed = tuple(allowed)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        keys: list[tuple[str, bool]] = []
        for part in text.split(","):
            name = part.strip(" ")  # only spaces, as the documented pattern says
            descending = name.startswith("-")
            name = name.removeprefix("-")
            if not name:
                raise ma.ValidationError(
                    f"An empty sort key. Sort by {_either(self.allowed)}, separated by commas."
                )
            if name not in self.allowed:
                raise ma.ValidationError(
                    f"Cannot sort by {name!r}. Sort by {_either(self.allowed)}; a leading '-' "
                    "sorts in descending order, and commas separate keys."
                )
            if any(name == seen for seen, _ in keys):
                continue  # as in SQL, a key's first place decides: later ones change nothing
            keys.append((name, descending))
        return tuple(keys)


class _ListQuery(ma.Schema):
    """The query schema of a model list: refuses unknown parameters with a useful message."""

    class Meta:
        unknown = ma.RAISE

    parameters: ClassVar[Mapping[str, _Parameter]] = {}
    operators: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    def handle_error(self, error: ma.ValidationError, data: Any, **kwargs: Any) -> None:
        """Say what is wrong with an unknown parameter: its field, or its operator."""
        messages = error.messages
        if not isinstance(messages, dict):
            raise error
        rewritten: dict[str, Any] = {}
        for key, value in messages.items():
            if value == ["Unknown field."]:
                value = [self._unknown(str(key))]
            rewritten[key] = value
        # In the order of the query string (marshmallow finds unknown keys through a set).
        order = {key: index for index, key in enumerate(data if isinstance(data, dict) else ())}
        ordered = dict(sorted(rewritten.items(), key=lambda item: order.get(item[0], -1)))
        raise ma.ValidationError(ordered, data=error.data, valid_data=error.valid_data)

    def _unknown(self, key: str) -> str:
        base, bracket, rest = key.partition("[")
        operators = self.operators.get(base)
        if operators is not None and (not bracket or rest.endswith("]")):
            return (
                f"{base} cannot be filtered with {rest[:-1] if bracket else 'eq'!r}; use "
                + _either([base if op == "eq" else f"{base}[{op}]" for op in operators])
                + "."
            )
        names = sorted(name for name in self.load_fields if name in self.parameters)
        others = sorted(name for name in self.load_fields if name not in self.parameters)
        if names and others:
            return (
                f"Unknown query parameter. This list filters by {_either(names)}, and also "
                f"takes {_both(others)}."
            )
        if names:
            return f"Unknown query parameter. This list filters by {_either(names)}."
        if others:
            return f"Unknown query parameter. This list takes {_both(others)}."
        return "Unknown query parameter."


class FilterPlan:
    """The filters, sort keys and search of one model list, checked at declaration.

    Args:
        model: The mapped class.
        schema: The list's response schema, whose fields give the filter values their types.
        filters: Attribute name to operator(s), or parameter name to `Filter`.
        sortable: The attributes clients may sort by.
        default_sort: The order when the client sends no `sort`, as `"-created_at"` or a
            list of such keys; the primary key when empty.
        search: The text columns `q` searches.
        extra: More query fields the resource reads itself.
        culprit: The resource, for error messages.

    Raises:
        DeclarationError: An attribute is not a column, or an operator does not suit its type.
    """

    def __init__(
        self,
        model: type[Any],
        schema: ma.Schema,
        *,
        filters: Mapping[str, str | Sequence[str] | Filter],
        sortable: Sequence[str],
        default_sort: str | Sequence[str],
        search: Sequence[str],
        extra: Mapping[str, ma.fields.Field[Any]],
        culprit: str,
    ) -> None:
        self.culprit = culprit
        self.mapper: Mapper[Any] = sa_inspect(model)
        primary = self.mapper.primary_key
        if len(primary) != 1:
            raise DeclarationError(
                f"{culprit}: {model.__name__} has a composite primary key, which model "
                "resources do not support. Add a single-column primary key."
            )
        self.primary = SortKey.of(self._attribute_of(primary[0]), primary[0])
        self.schema = schema
        fields: dict[str, ma.fields.Field[Any]] = {}
        parameters: dict[str, _Parameter] = {}
        operators: dict[str, tuple[str, ...]] = {}
        for key, value in filters.items():
            if isinstance(value, Filter):
                pairs: list[tuple[str, str, str]] = [(key, value.attribute, value.operator)]
            else:
                names = (value,) if isinstance(value, str) else tuple(value)
                if not names:
                    raise DeclarationError(f"{culprit} filters {key!r} with no operator.")
                operators[key] = names
                pairs = [(key if op == "eq" else f"{key}[{op}]", key, op) for op in names]
            for name, attribute, operator in pairs:
                parameter, field = self._parameter(name, attribute, str(operator))
                parameters[name] = parameter
                fields[name] = field
        self.parameters = parameters
        self.sortable = tuple(sortable)
        # Both directions of each sortable key, made once: a request only looks them up.
        self.sort_keys = {
            (name, descending): SortKey.of(name, column, descending)
            for name in self.sortable
            for column in (self._column(name, "sorts by"),)
            for descending in (False, True)
        }
        self.default_sort = self._default_sort(default_sort)
        if self.sortable:
            default = ",".join(
                ("-" if key.descending else "") + key.attribute for key in self.default_sort
            )
            example = ",".join([f"-{self.sortable[0]}", *self.sortable[1:2]])
            key = "(?:" + "|".join(re.escape(name) for name in self.sortable) + ")"
            fields["sort"] = _SortField(
                self.sortable,
                validate=ma.validate.Length(min=1, max=500),
                metadata={
                    # What _SortField reads, for clients and the spec's validators.
                    "pattern": f"^ *-?{key} *(?:, *-?{key} *)*$",
                    "description": "The order: comma-separated keys among "
                    f"{', '.join(self.sortable)}; a leading `-` sorts in descending order. "
                    "Nulls come last in ascending order and first in descending order. "
                    f"Default: `{default or self.primary.attribute}`.",
                    "example": example,
                },
            )
        self.search = tuple(self._column(name, "searches", text=True) for name in search)
        if self.search:
            fields["q"] = ma.fields.String(
                validate=[ma.validate.Length(min=1, max=200), _few_words],
                metadata={
                    "description": "Words that must all appear, ignoring case, in "
                    f"{_either(list(search))}; at most {MAX_SEARCH_WORDS} words.",
                    # What _few_words allows (and no NUL), for clients and the spec's validators.
                    "pattern": _WORDS_PATTERN,
                },
            )
        for name, field in extra.items():
            if name in fields:
                raise DeclarationError(
                    f"{culprit} declares the query field {name!r}, which its filters, sort or "
                    "search already read. Rename it."
                )
            fields[name] = field
        schema_class: Any = _ListQuery.from_dict(fields, name=f"{culprit}Query")
        schema_class.parameters = parameters
        schema_class.operators = operators
        self.schema_class: type[ma.Schema] = schema_class

    # -- declaration --------------------------------------------------------------------------

    def _attribute_of(self, column: Column[Any]) -> str:
        return str(self.mapper.get_property_by_column(column).key)

    def _column(self, name: str, verb: str, *, text: bool = False) -> Column[Any]:
        prop = self.mapper.column_attrs.get(name)
        if prop is None or len(prop.columns) != 1 or not isinstance(prop.columns[0], Column):
            columns = ", ".join(sorted(self.mapper.column_attrs.keys()))
            raise DeclarationError(
                f"{self.culprit} {verb} {name!r}, which is not a column of "
                f"{self.mapper.class_.__name__}. Use one of: {columns}."
            )
        column: Column[Any] = prop.columns[0]
        if text and _python_type(column) is not str:
            raise DeclarationError(f"{self.culprit} {verb} {name!r}, which is not a text column.")
        return column

    def _parameter(
        self, name: str, attribute: str, operator: str
    ) -> tuple[_Parameter, ma.fields.Field[Any]]:
        column = self._column(attribute, "filters by")
        if operator not in OPERATORS:
            raise DeclarationError(
                f"{self.culprit} filters {attribute!r} with {operator!r}, which is not an "
                f"operator. Use {_either(list(OPERATORS))}."
            )
        kind = _python_type(column)
        enum_or_bool = isinstance(column.type, SqlEnum | Boolean)
        if operator in ("contains", "icontains") and (kind is not str or enum_or_bool):
            raise DeclarationError(
                f"{self.culprit} filters {attribute!r} with {operator!r}, which only suits "
                "text columns."
            )
        if operator in ("lt", "lte", "gt", "gte") and (kind not in _ORDERED or enum_or_bool):
            raise DeclarationError(
                f"{self.culprit} filters {attribute!r} with {operator!r}; its type has no "
                "useful order. Use eq or in."
            )
        if operator == "isnull" and not column.nullable:
            raise DeclarationError(
                f"{self.culprit} filters {attribute!r} with 'isnull', but the column is never null."
            )
        naive_utc = isinstance(column.type, DateTime) and not column.type.timezone
        checked: Any = operator
        parameter = _Parameter(name, attribute, checked, column, naive_utc)
        if operator == "isnull":
            description = f"`true`: only items whose `{attribute}` is null; `false`: only others."
            return parameter, ma.fields.Boolean(metadata={"description": description})
        value = self._value_field(attribute, keep_rules=operator in ("eq", "in"))
        description = f"Only items whose `{attribute}` {_WORDS[operator]}."
        if operator in ("contains", "icontains"):
            value.validators = [ma.validate.Length(min=1, max=200)]
        elif kind is int and not enum_or_bool:
            # A value the column type cannot hold is refused here, the same on every database
            # (PostgreSQL would refuse to cast it, SQLite cannot bind one beyond 64 bits).
            low, high = integer_range(column)
            value.validators = [*value.validators, ma.validate.Range(min=low, max=high)]
        if operator == "in":
            value.metadata = {}
            items = ma.fields.List(
                value,
                validate=ma.validate.Length(min=1, max=MAX_IN_VALUES),
                metadata={"description": description},
            )
            return parameter, items
        value.metadata = {"description": description}
        return parameter, value

    def _value_field(self, attribute: str, *, keep_rules: bool) -> ma.fields.Field[Any]:
        declared = type(self.schema)._declared_fields
        source = None
        for name, field in declared.items():
            if (field.attribute or name) == attribute and name in self.schema.fields:
                source = field
                break
        if source is None:
            source = ModelConverter().property2field(self.mapper.attrs[attribute])
        field = copy.deepcopy(source)
        field.required = False
        field.allow_none = False
        field.load_default = ma.missing
        field.dump_default = ma.missing
        field.dump_only = False
        field.load_only = False
        field.data_key = None
        field.attribute = None
        if not keep_rules:
            field.validators = []
        return field

    def _default_sort(self, value: str | Sequence[str]) -> tuple[SortKey, ...]:
        names = [value] if isinstance(value, str) else list(value)
        keys = []
        for text in names:
            name = text.removeprefix("-")
            column = self._column(name, "sorts by default by")
            keys.append(SortKey.of(name, column, text.startswith("-")))
        return tuple(keys)

    # -- requests -----------------------------------------------------------------------------

    def where(self, statement: Select[Any], query: Mapping[str, Any]) -> Select[Any]:
        """Return the statement with the filters and the search the query asks for."""
        conditions: list[ColumnElement[bool]] = []
        for name, parameter in self.parameters.items():
            if name in query:
                conditions.append(_condition(parameter, query[name]))
        text = query.get("q")
        if text and self.search:
            for word in _search_words(text):
                conditions.append(
                    or_(*(column.icontains(word, autoescape=True) for column in self.search))
                )
        return statement.where(and_(*conditions)) if conditions else statement

    def order(self, query: Mapping[str, Any]) -> tuple[SortKey, ...]:
        """Return the order the query asks for, ended by the primary key."""
        asked = query.get("sort")
        keys = tuple(self.sort_keys[key] for key in asked) if asked else self.default_sort
        if any(key.column is self.primary.column for key in keys):
            return keys
        return (*keys, self.primary)


def _condition(parameter: _Parameter, value: Any) -> ColumnElement[bool]:
    column = parameter.column
    operator = parameter.operator
    if parameter.naive_utc:
        value = [_naive_utc(v) for v in value] if operator == "in" else _naive_utc(value)
    if operator == "in":
        return column.in_(value)
    if operator == "contains":
        # Case-sensitive on every database (SQLite's LIKE ignores the case of ASCII letters),
        # and no wildcards to escape.
        return _TextPosition(column, value) > 0
    if operator == "icontains":
        return column.icontains(value, autoescape=True)
    if operator == "isnull":
        return column.is_(None) if value else column.is_not(None)
    compare: Callable[[Any, Any], ColumnElement[bool]] = _COMPARISONS[operator]
    return compare(column, value)


_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator_module.eq,
    "lt": operator_module.lt,
    "lte": operator_module.le,
    "gt": operator_module.gt,
    "gte": operator_module.ge,
}


class _TextPosition(FunctionElement[int]):
    """Where a text first occurs in a column, from 1; 0 when it does not."""

    type = Integer()
    inherit_cache = True


@compiles(_TextPosition)
def _position(element: _TextPosition, compiler: Any, **kw: Any) -> str:
    column, value = list(element.clauses)
    return f"POSITION({compiler.process(value, **kw)} IN {compiler.process(column, **kw)})"


@compiles(_TextPosition, "sqlite")
def _position_sqlite(element: _TextPosition, compiler: Any, **kw: Any) -> str:
    column, value = list(element.clauses)
    return f"instr({compiler.process(column, **kw)}, {compiler.process(value, **kw)})"


def integer_range(column: Column[Any]) -> tuple[int, int]:
    """Return the smallest and largest values of an integer column's type."""
    bits = 64
    if isinstance(column.type, SmallInteger):
        bits = 16
    elif isinstance(column.type, Integer) and not isinstance(column.type, BigInteger):
        bits = 32
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


# Words are separated by ASCII whitespace only: `\s` and str.split() disagree between
# JavaScript (the document's regex dialect) and Python on characters such as U+001C.
_SPACE = "[ \\t\\n\\r\\f\\v]"
_WORD = "[^ \\t\\n\\r\\f\\v\\x00]"
_WORDS_PATTERN = (
    f"^{_SPACE}*(?:{_WORD}+(?:{_SPACE}+{_WORD}+){{0,{MAX_SEARCH_WORDS - 1}}})?{_SPACE}*$"
)
_WORD_SPLIT = re.compile(f"{_SPACE}+")


def _search_words(text: str) -> list[str]:
    """Return the words of a search (`q`): the text split at ASCII whitespace."""
    return [word for word in _WORD_SPLIT.split(text) if word]


def _few_words(text: str) -> None:
    if len(_search_words(text)) > MAX_SEARCH_WORDS:
        raise ma.ValidationError(f"Search with at most {MAX_SEARCH_WORDS} words.")


def _naive_utc(value: Any) -> Any:
    # A column without time zone holds UTC: compare an aware value in UTC.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _python_type(column: Column[Any]) -> type[Any] | None:
    try:
        kind: type[Any] = column.type.python_type
    except NotImplementedError:
        return None
    return kind


def _both(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _either(names: Sequence[str]) -> str:
    quoted = [f"{name}" for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]
