"""JSON Schema semantics for marshmallow fields, applied to restkit's own copies of schemas.

marshmallow's defaults are lenient where an OpenAPI client expects strictness: a non-strict
`Integer` truncates `2.5` to `2` and accepts `"20"` in a JSON body, `Boolean` accepts `"yes"`,
and a naive datetime is dumped without an offset. restkit copies every declared schema once, at
declaration time, and wraps the methods of the affected field *instances* so that:

- in a JSON body, `Integer` takes integers as JSON Schema defines them (`20` and `20.0`, not
  `2.5`, `"20"` or `true`); `Float` and `Decimal` take JSON numbers; a number field with
  `as_string=True` is documented and sent as a string, so it takes strings only; `Boolean`
  takes `true` and `false` only;
- in string locations (query, path, headers, cookies, form), `Integer` takes ASCII digits with
  an optional sign only (Python's `int()` would also take `"2_0"` and `" 20 "`);
- on dump, a naive datetime is taken as UTC, so it always has an offset (RFC 3339).
  `NaiveDateTime` fields keep dumping naive values: that field type is an explicit choice.

The user's schema objects are never changed. Nothing here runs per request except the wrapped
checks themselves.
"""

from __future__ import annotations

import copy
import copyreg
import datetime as dt
import decimal
import re
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma

__all__ = ["copy_schema", "harden_for_dump", "harden_for_load", "has_decimal"]

_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")
_MAX_SAME_CLASS_DEPTH = 4


def copy_schema(schema: ma.Schema) -> ma.Schema:
    """Return a copy of `schema` whose every field, at every depth, restkit may change.

    marshmallow copies fields shallowly: the items of a `List`, `Tuple` or `Dict` and the
    schema of a `Nested` field are shared with the user's schema and its class. This copies each
    of them, so the hardening below never reaches the user's objects.
    """
    return _own_schema(schema, {})


def _own_schema(schema: ma.Schema, depth_by_class: dict[type, int]) -> ma.Schema:
    cls = type(schema)
    depth_by_class = {**depth_by_class, cls: depth_by_class.get(cls, 0) + 1}
    owned: ma.Schema = _shallow_copy(schema)
    clones = {name: _own_field(field, depth_by_class) for name, field in schema.fields.items()}
    owned.fields = clones
    owned.load_fields = {name: clones[name] for name in schema.load_fields}
    owned.dump_fields = {name: clones[name] for name in schema.dump_fields}
    owned.declared_fields = {**schema.declared_fields, **clones}
    for field in clones.values():
        field.parent = owned
    return owned


def _own_field(field: ma.fields.Field[Any], depth_by_class: dict[type, int]) -> Any:
    clone: Any = _shallow_copy(field)
    if isinstance(field, ma.fields.Nested):
        nested = field.schema
        # Self-referencing schemas (Nested(lambda: Node())) nest without end: own a few levels,
        # which covers the trees clients send; deeper levels keep marshmallow's own rules.
        if depth_by_class.get(type(nested), 0) < _MAX_SAME_CLASS_DEPTH:
            clone._schema = _own_schema(nested, depth_by_class)
        else:
            clone._schema = None
    elif isinstance(field, ma.fields.List):
        clone.inner = _own_field(field.inner, depth_by_class)
    elif isinstance(field, ma.fields.Tuple):
        clone.tuple_fields = [_own_field(item, depth_by_class) for item in field.tuple_fields]
    elif isinstance(field, ma.fields.Mapping):
        if field.key_field is not None:
            clone.key_field = _own_field(field.key_field, depth_by_class)
        if field.value_field is not None:
            clone.value_field = _own_field(field.value_field, depth_by_class)
    return clone


def _shallow_copy(value: Any) -> Any:
    """Return `copy.copy(value)`, without its generic protocol for plain instances.

    `copy.copy` goes through `__reduce_ex__` and `copyreg` for every field: most of the time
    restkit spends copying schemas at start-up. For an instance of a class that customises
    none of that protocol, the same copy is a new instance with the same `__dict__`.
    """
    cls: Any = type(value)
    plain = _PLAIN_CLASSES.get(cls)
    if plain is None:
        plain = _PLAIN_CLASSES[cls] = _copies_plainly(cls)
    if not plain:
        return copy.copy(value)
    clone = cls.__new__(cls)
    clone.__dict__.update(value.__dict__)
    return clone


def _copies_plainly(cls: type) -> bool:
    """Whether `copy.copy` of a `cls` instance is a new instance with a copy of its `__dict__`."""
    return (
        cls not in copy._copy_dispatch  # type: ignore[attr-defined]
        and cls not in copyreg.dispatch_table
        and not issubclass(cls, type)
        and getattr(cls, "__copy__", None) is None
        and getattr(cls, "__setstate__", None) is None
        and cls.__reduce_ex__ is object.__reduce_ex__
        and cls.__reduce__ is object.__reduce__
        and getattr(cls, "__getstate__", object.__getstate__) is object.__getstate__
        and not copyreg._slotnames(cls)  # type: ignore[attr-defined]
        and "__dict__" in dir(cls)
    )


_PLAIN_CLASSES: weakref.WeakKeyDictionary[type, bool] = weakref.WeakKeyDictionary()


def harden_for_load(schema: ma.Schema, *, json: bool) -> None:
    """Make `schema`'s fields load values the way the OpenAPI document describes them.

    Args:
        schema: A schema restkit owns (see `copy_schema`); changed in place.
        json: `True` for a JSON body (typed values), `False` for string locations.

    Strings refuse the NUL character in every location.
    """
    for field in _walk(schema):
        if isinstance(field, ma.fields.Integer):
            _wrap_validated(field, _json_integer if json else _string_integer)
        elif json and isinstance(field, ma.fields.Float | ma.fields.Decimal):
            _wrap_validated(field, _json_number)
        elif json and isinstance(field, ma.fields.Boolean):
            _wrap_deserialize(field, _json_boolean)
        elif isinstance(field, ma.fields.String):
            _wrap_deserialize(field, _no_nul, marker="restkit_nul_free")  # compiler inlines it


def harden_for_dump(schema: ma.Schema) -> None:
    """Make `schema`'s datetime fields dump naive values as UTC, with an offset.

    Args:
        schema: A schema restkit owns (see `copy_schema`); changed in place.
    """
    for field in _walk(schema):
        if isinstance(field, ma.fields.DateTime) and not isinstance(field, ma.fields.NaiveDateTime):
            original = field._serialize

            def serialize(
                value: Any,
                attr: str | None,
                obj: Any,
                _original: Callable[..., Any] = original,
                **kwargs: Any,
            ) -> Any:
                if isinstance(value, dt.datetime) and value.tzinfo is None:
                    value = value.replace(tzinfo=dt.UTC)
                return _original(value, attr, obj, **kwargs)

            field._serialize = serialize  # type: ignore[method-assign]


def has_decimal(schema: ma.Schema) -> bool:
    """Whether any field of the (owned) schema, at any depth, is a `Decimal`."""
    return any(isinstance(field, ma.fields.Decimal) for field in _walk(schema))


def _walk(schema: ma.Schema) -> Iterator[ma.fields.Field[Any]]:
    """Yield every field of an owned schema, its nested schemas and container items."""
    for field in schema.fields.values():
        yield from _walk_field(field)


def _walk_field(field: ma.fields.Field[Any]) -> Iterator[ma.fields.Field[Any]]:
    yield field
    if isinstance(field, ma.fields.Nested):
        if field._schema is not None:
            yield from _walk(field._schema)
    elif isinstance(field, ma.fields.List):
        yield from _walk_field(field.inner)
    elif isinstance(field, ma.fields.Tuple):
        for item in field.tuple_fields:
            yield from _walk_field(item)
    elif isinstance(field, ma.fields.Mapping):
        if field.key_field is not None:
            yield from _walk_field(field.key_field)
        if field.value_field is not None:
            yield from _walk_field(field.value_field)


def _wrap_validated(field: Any, check: Callable[[Any, Any], Any]) -> None:
    original = field._validated

    def validated(value: Any) -> Any:
        return original(check(field, value))

    field._validated = validated


def _wrap_deserialize(
    field: Any, check: Callable[[Any, Any], Any], marker: str | None = None
) -> None:
    original = field._deserialize

    def deserialize(value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return original(check(field, value), attr, data, **kwargs)

    if marker is not None:
        deserialize.__dict__[marker] = True  # tells the load compiler which check this is
    field._deserialize = deserialize


def _json_integer(field: Any, value: Any) -> Any:
    if field.as_string:
        # Documented as a string, so only a string of digits is taken.
        if isinstance(value, str) and _ASCII_INTEGER.fullmatch(value) is not None:
            return value
        raise field.make_error("invalid", input=value)
    # JSON Schema: "integer" matches any number with a zero fractional part, such as 1.0.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, decimal.Decimal) and value.is_finite() and value == value.to_integral():
        return int(value)
    raise field.make_error("invalid", input=value)


def _string_integer(field: Any, value: Any) -> Any:
    if isinstance(value, str) and _ASCII_INTEGER.fullmatch(value) is None:
        raise field.make_error("invalid", input=value)
    return value


def _json_number(field: Any, value: Any) -> Any:
    if field.as_string:
        # Documented as a string (exact decimals survive every client's JSON parser).
        if isinstance(value, str):
            return value
        raise field.make_error("invalid", input=value)
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return value
    raise field.make_error("invalid", input=value)


NUL_MESSAGE = "Must not contain the NUL character (U+0000)."


def _no_nul(field: Any, value: Any) -> Any:
    # Text with NUL cannot be stored by PostgreSQL and cuts C strings short in other systems;
    # it is refused on the way in, as Django REST framework's CharField does.
    if isinstance(value, str) and "\x00" in value:
        raise ma.ValidationError(NUL_MESSAGE)
    return value


def _json_boolean(field: Any, value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise field.make_error("invalid", input=value)
