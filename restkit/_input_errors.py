"""marshmallow's validation messages turned into the flat `InputError`s of a 422 problem.

marshmallow reports errors as nested dicts and lists shaped like the data. A problem lists
each error on its own: a body error at a JSON pointer (RFC 6901) to the offending value, the
error of any other location by the name of the parameter, header, cookie or form field.

Walking a body's messages beside its schema tells apart what the messages alone cannot:
a read-only field sent by the client (marshmallow calls it unknown) and the keys and values of
a `Dict` field. The functions without a leading underscore are this module's interface.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow as ma
from marshmallow.exceptions import SCHEMA

from restkit.problems import InputError

__all__ = ["escape", "flat_messages", "pointer_errors", "read_only"]

_BY_KEY = "_restkit_fields_by_key"


def read_only(detail: str) -> str:
    """Return the message for a read-only field, given marshmallow's message for it."""
    return "This field is read-only." if detail == "Unknown field." else detail


def escape(token: Any) -> str:
    """Return a key written as one reference token of a JSON pointer."""
    # RFC 6901 §3: "~" is written "~0" and "/" is written "~1".
    text = str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def pointer_errors(messages: Any, pointer: str, context: Any, prefix: str = "") -> list[InputError]:
    """Return body errors at JSON pointers, walking the schema beside marshmallow's messages.

    `context` is the schema or field the messages belong to (or `None` when unknown); it tells
    read-only fields from unknown ones and the keys and values of `Dict` fields apart.
    """
    found: list[InputError] = []
    _collect(found, messages, pointer, context, prefix)
    return found


def _collect(
    found: list[InputError], messages: Any, pointer: str, context: Any, prefix: str = ""
) -> None:
    # Appends to one list rather than chaining generators, and tests exact types and the
    # context's kind (made once per class) before the slower ABC checks: a 422 is an
    # everyday answer.
    kind = _kind(context)
    if kind is _NESTED:
        context = context._schema
        kind = _kind(context)
    messages_type = type(messages)
    if messages_type is dict or (messages_type is not list and isinstance(messages, Mapping)):
        by_key = _fields_by_key(context) if kind is _SCHEMA else None
        for key, nested in messages.items():
            if key == SCHEMA:
                _collect(found, nested, pointer, None, prefix)
                continue
            child = f"{pointer}/{escape(key)}"
            if kind is _MAPPING and isinstance(nested, Mapping):
                # marshmallow reports {"key": [...], "value": [...]} under each entry of a Dict.
                for part, inner in nested.items():
                    if part == "key":
                        _collect(found, inner, child, context.key_field, "Key: ")
                    else:
                        _collect(found, inner, child, context.value_field)
                continue
            field = _child(context, kind, by_key, key)
            if _kind(field) is not _OTHER and field.dump_only:
                for message in _strings(nested):
                    found.append(InputError("body", read_only(message), pointer=child))
                continue
            if type(nested) is list:  # the common leaf, a field's messages: as below
                for item in nested:
                    if type(item) is str:
                        found.append(InputError("body", item, child))
                    elif isinstance(item, Mapping):
                        _collect(found, item, child, None)
                    else:
                        found.append(InputError("body", str(item), pointer=child))
                continue
            _collect(found, nested, child, field)
    elif messages_type is list or isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, Mapping):
                _collect(found, item, pointer, None)
            else:
                found.append(InputError("body", prefix + str(item), pointer=pointer))
    else:
        found.append(InputError("body", prefix + str(messages), pointer=pointer))


# What a context is, for the walk above: a schema, or a field of one of these kinds.
_SCHEMA, _NESTED, _MAPPING, _LIST, _TUPLE, _FIELD, _OTHER = (
    "schema",
    "nested",
    "mapping",
    "list",
    "tuple",
    "field",
    "other",
)
_KINDS: dict[type[Any], str] = {}


def _kind(context: Any) -> str:
    """Return what `context` is (one of the names above), found once per class."""
    cls = type(context)
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _OTHER
        for base, name in (
            (ma.Schema, _SCHEMA),
            (ma.fields.Nested, _NESTED),
            (ma.fields.Mapping, _MAPPING),
            (ma.fields.List, _LIST),
            (ma.fields.Tuple, _TUPLE),
            (ma.fields.Field, _FIELD),
        ):
            if isinstance(context, base):
                kind = name
                break
        _KINDS[cls] = kind
    return kind


def _child(context: Any, kind: str, by_key: dict[str, Any] | None, key: Any) -> Any:
    """Return the schema or field that the messages under `key` belong to, if known."""
    if by_key is not None:
        return context if isinstance(key, int) else by_key.get(key)  # int: a many=True item
    if not isinstance(key, int):
        return None
    if kind is _LIST:
        return context.inner
    if kind is _TUPLE and 0 <= key < len(context.tuple_fields):
        return context.tuple_fields[key]
    return None


def _fields_by_key(schema: ma.Schema) -> dict[str, ma.fields.Field[Any]]:
    """Return the schema's fields by the key they have in the data, made once per schema."""
    found: dict[str, ma.fields.Field[Any]] | None = schema.__dict__.get(_BY_KEY)
    if found is None:
        found = {}
        for name, field in schema.fields.items():
            found.setdefault(field.data_key if field.data_key is not None else name, field)
        schema.__dict__[_BY_KEY] = found  # restkit's own copy of the schema: it never changes
    return found


def _strings(messages: Any) -> list[str]:
    return [detail for _, detail in flat_messages(messages, "")]


def flat_messages(messages: Any, prefix: str) -> Iterable[tuple[str, str]]:
    """Yield (prefix, message) pairs; items of lists are prefixed `Item 1: `."""
    if isinstance(messages, Mapping):
        for key, nested in messages.items():
            inner = prefix if key == SCHEMA else f"{prefix}Item {key}: "
            yield from flat_messages(nested, inner)
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from flat_messages(item, prefix)
    else:
        yield prefix, str(messages)
