"""Which schemas and fields `restkit.dumping` and `restkit.loading` may compile, and as what.

A field is compiled only when it is an instance of one of marshmallow's own classes (not a
subclass), the methods that class dumps with are still marshmallow's, and the instance
overrides none of them. The one instance override allowed is restkit's own hardening of
datetime fields (`restkit._fields.harden_for_dump`), recognised by its code object. A schema
is compiled only when it dumps with marshmallow's `dump`, `_serialize` and `get_attribute`,
into a plain `dict`, and has no `pre_dump` or `post_dump` hooks.

For loading, the rules are at the end: a schema is compiled when it loads with marshmallow's
own methods, into a plain `dict`, without hooks, `partial` or shared load keys; a field's
`Field.deserialize` is written out when the field keeps marshmallow's `deserialize`,
`_validate_missing`, `_validate` and `make_error` and has no field-level processors.
"""

from __future__ import annotations

import enum
from importlib.metadata import version
from types import CodeType
from typing import Any

import marshmallow as ma
from marshmallow import fields as mf
from marshmallow.decorators import (
    POST_DUMP,
    POST_LOAD,
    PRE_DUMP,
    PRE_LOAD,
    VALIDATES,
    VALIDATES_SCHEMA,
)
from marshmallow.exceptions import SCHEMA, RegistryError

from restkit._fields import harden_for_dump

__all__ = [
    "MAX_NESTING",
    "FieldKind",
    "field_kind",
    "has_standard_deserialize",
    "is_compilable_schema",
    "is_loadable_schema",
    "nested_schema",
    "owns_deserialize",
]

MAX_NESTING = 8
"""Nested schemas deeper than this are dumped by marshmallow (self-nesting has no end)."""

# The dump code below is written for marshmallow 4's fields; another major version falls back.
_SUPPORTED = version("marshmallow").split(".")[0] == "4"


class FieldKind(enum.Enum):
    """How the code generator writes a field; the value names its helper, if it has one."""

    RAW = "raw"
    BOOLEAN = "boolean"
    STRING = "string"
    UUID = "uuid"
    INTEGER = "integer"
    FLOAT = "float"
    DECIMAL = "decimal"
    TEMPORAL = "temporal"
    ENUM = "enum"
    LIST = "list"
    TUPLE = "tuple"
    MAPPING = "mapping"
    NESTED = "nested"
    PLUCK = "pluck"
    METHOD = "method"
    FUNCTION = "function"
    CONSTANT = "constant"


# Exact class -> (kind, the qualified name of the `_serialize` marshmallow gives it).
_KINDS: dict[type[Any], tuple[FieldKind, str]] = {
    mf.Raw: (FieldKind.RAW, "Field"),
    mf.Boolean: (FieldKind.BOOLEAN, "Field"),
    mf.String: (FieldKind.STRING, "String"),
    mf.Email: (FieldKind.STRING, "String"),
    mf.Url: (FieldKind.STRING, "String"),
    mf.UUID: (FieldKind.UUID, "UUID"),
    mf.Integer: (FieldKind.INTEGER, "Number"),
    mf.Float: (FieldKind.FLOAT, "Number"),
    mf.Decimal: (FieldKind.DECIMAL, "Number"),
    mf.DateTime: (FieldKind.TEMPORAL, "_TemporalField"),
    mf.NaiveDateTime: (FieldKind.TEMPORAL, "_TemporalField"),
    mf.AwareDateTime: (FieldKind.TEMPORAL, "_TemporalField"),
    mf.Date: (FieldKind.TEMPORAL, "_TemporalField"),
    mf.Time: (FieldKind.TEMPORAL, "_TemporalField"),
    mf.Enum: (FieldKind.ENUM, "Enum"),
    mf.List: (FieldKind.LIST, "List"),
    mf.Tuple: (FieldKind.TUPLE, "Tuple"),
    mf.Dict: (FieldKind.MAPPING, "Mapping"),
    mf.Nested: (FieldKind.NESTED, "Nested"),
    mf.Pluck: (FieldKind.PLUCK, "Pluck"),
    mf.Method: (FieldKind.METHOD, "Method"),
    mf.Function: (FieldKind.FUNCTION, "Function"),
    mf.Constant: (FieldKind.CONSTANT, "Constant"),
}
# Methods every compiled field must still have from marshmallow, by qualified name.
_COMMON = {"serialize": "Field.serialize", "get_value": "Field.get_value"}
_NUMBERS: dict[type[Any], dict[str, str]] = {
    mf.Integer: {"_format_num": "Number._format_num", "_to_string": "Number._to_string"},
    mf.Float: {"_format_num": "Number._format_num", "_to_string": "Number._to_string"},
    mf.Decimal: {"_format_num": "Decimal._format_num", "_to_string": "Decimal._to_string"},
}
# Instance attributes that would change what the class's code does.
_OVERRIDES = frozenset(
    {
        "_serialize",
        "serialize",
        "get_value",
        "_format_num",
        "_to_string",
        "_CHECK_ATTRIBUTE",
        "num_type",
        "mapping_type",
        "SERIALIZATION_FUNCS",
        "DEFAULT_FORMAT",
    }
)
_NESTING_ERRORS = (RegistryError, ValueError, TypeError, KeyError, AttributeError, NameError)


def _hardening_code() -> CodeType:
    """The code object of the wrapper `harden_for_dump` puts on a datetime field."""
    probe = ma.Schema.from_dict({"at": mf.DateTime()})()
    harden_for_dump(probe)
    code: CodeType = probe.fields["at"]._serialize.__code__
    return code


_HARDENED = _hardening_code()


def field_kind(field: Any) -> FieldKind | None:
    """Return how to compile `field`, or `None` when marshmallow must dump it."""
    entry = _KINDS.get(type(field))
    if entry is None or not _SUPPORTED:
        return None
    kind, owner = entry
    cls = type(field)
    expected = {**_COMMON, "_serialize": f"{owner}._serialize", **_NUMBERS.get(cls, {})}
    for name, qualname in expected.items():
        method = getattr(cls, name)
        if method.__module__ != "marshmallow.fields" or method.__qualname__ != qualname:
            return None
    overridden = _OVERRIDES & field.__dict__.keys()
    if overridden and not (
        overridden == {"_serialize"} and kind is FieldKind.TEMPORAL and _is_hardened(field)
    ):
        return None
    if kind in (FieldKind.NESTED, FieldKind.PLUCK) and not _resolves(field):
        return None
    return kind


def _is_hardened(field: Any) -> bool:
    wrapper = field.__dict__["_serialize"]
    original = (getattr(wrapper, "__defaults__", None) or (None,))[0]
    return (
        getattr(wrapper, "__code__", None) is _HARDENED
        and getattr(original, "__self__", None) is field
        and getattr(original, "__func__", None) is getattr(type(field), "_serialize", None)
    )


def _resolves(field: Any) -> bool:
    """Whether a `Nested` or `Pluck` field's schema (and plucked key) can be found now.

    marshmallow resolves them on the first dump and raises there if it cannot; such a field
    is left to marshmallow, so it raises the same way, on every dump.
    """
    try:
        schema = field.schema
        if isinstance(field, mf.Pluck):
            field._field_data_key  # noqa: B018 - raises KeyError when the field is not there
    except _NESTING_ERRORS:
        return False
    return isinstance(schema, ma.Schema)


def nested_schema(field: Any) -> ma.Schema:
    """The resolved schema of a `Nested` or `Pluck` field that `field_kind` accepted."""
    schema: ma.Schema = field.schema
    return schema


def is_compilable_schema(schema: Any) -> str | None:
    """Return why `schema` must be dumped by marshmallow, or `None` if it can be compiled."""
    if not _SUPPORTED:
        return "marshmallow is not version 4"
    if not isinstance(schema, ma.Schema):
        return "not a marshmallow Schema"
    for name in ("dump", "_serialize", "get_attribute"):
        if getattr(type(schema), name) is not getattr(ma.Schema, name) or name in vars(schema):
            return f"it overrides {name}"
    if schema.dict_class is not dict:
        return "its dict_class is not dict"
    if schema._hooks.get(PRE_DUMP) or schema._hooks.get(POST_DUMP):
        return "it has pre_dump or post_dump hooks"
    return None


# --- Loading (restkit.loading) ---------------------------------------------------------------

# Schema methods a compiled load replaces; a schema that overrides one is loaded by marshmallow.
_SCHEMA_LOAD_METHODS = (
    "load",
    "_do_load",
    "_deserialize",
    "_call_and_store",
    "_invoke_field_validators",
    "handle_error",
)
# Field methods the compiled wrapper of `Field.deserialize` writes out.
_FIELD_LOAD_METHODS = ("deserialize", "_validate_missing", "_validate", "make_error")


def is_loadable_schema(schema: Any) -> str | None:
    """Return why `schema` must be loaded by marshmallow, or `None` if it can be compiled."""
    if not _SUPPORTED:
        return "marshmallow is not version 4"
    if not isinstance(schema, ma.Schema):
        return "not a marshmallow Schema"
    for name in _SCHEMA_LOAD_METHODS:
        if getattr(type(schema), name) is not getattr(ma.Schema, name) or name in vars(schema):
            return f"it overrides {name}"
    if schema.dict_class is not dict:
        return "its dict_class is not dict"
    if any(schema._hooks.get(tag) for tag in (PRE_LOAD, POST_LOAD, VALIDATES, VALIDATES_SCHEMA)):
        return "it has pre_load, post_load, validates or validates_schema hooks"
    if schema.partial is not None:
        return "it loads partially"
    if not schema.opts.index_errors:
        return "its index_errors option is off"
    keys = [f.data_key if f.data_key is not None else n for n, f in schema.load_fields.items()]
    if SCHEMA in keys:
        return f"a field is loaded from the key {SCHEMA!r}"
    if len(set(keys)) != len(keys):
        # marshmallow checks only dump keys; loading merges the errors of such fields.
        return "two of its fields are loaded from the same key"
    return None


def has_standard_deserialize(field: Any) -> bool:
    """Whether `field` loads with marshmallow's own `Field.deserialize` and validators.

    Its `_deserialize` may be anything (a custom one, or restkit's hardening wrappers): the
    compiled code calls it as the field has it.
    """
    if not _SUPPORTED or not isinstance(field, mf.Field):
        return False
    cls = type(field)
    for name in _FIELD_LOAD_METHODS:
        if getattr(cls, name) is not getattr(mf.Field, name) or name in vars(field):
            return False
    if cls._validate_all is not mf.Field._validate_all:  # a property: no instance override
        return False
    return not getattr(field, "pre_load", None) and not getattr(field, "post_load", None)


def owns_deserialize(field: Any, cls: type[Any], *names: str) -> bool:
    """Whether `field` is exactly a `cls` and loads with that class's own `names` methods."""
    return type(field) is cls and not any(name in vars(field) for name in names)
