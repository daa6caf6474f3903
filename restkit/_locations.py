"""How one request location is read and loaded: its values found on the wire, then loaded.

A `_LocationPlan` owns a private, hardened copy of the schema declared for one location (path,
query, headers, cookies, body, form or files). It knows each declared field's name on the wire
and whether it takes every value of a repeated key; it reads the location's container into the
input the schema expects and loads it, turning marshmallow's messages into `InputError`s.

Plans hold nothing of one operation's, so `_location_plan` shares one per declared schema and
location; `restkit.parsing` builds them, and `restkit.pagination` reads page parameters with
one. The rules for header names, repeated keys and undeclared keys (`__all__`) are public
through `restkit.parsing`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import marshmallow as ma
from marshmallow.exceptions import SCHEMA
from werkzeug.datastructures import MultiDict

from restkit._fields import copy_schema, harden_for_load
from restkit._input_errors import escape, flat_messages, pointer_errors, read_only
from restkit.loading import ValidatingLoader, make_validating_loader
from restkit.operation import Location
from restkit.problems import InputError

__all__ = ["effective_unknown", "header_name", "is_multiple"]

# Locations whose values arrive as strings, parsed with string rules (see restkit._fields).
_STRING_LOCATIONS = frozenset({"path", "query", "headers", "cookies", "form", "files"})
# Locations that carry other things besides the declared values: ignore what is undeclared.
_LENIENT_LOCATIONS = frozenset({"path", "query", "headers", "cookies"})
_PLANS = "_restkit_location_plans"


def header_name(field_name: str) -> str:
    """Return the HTTP header a header-schema field reads when it has no `data_key`.

    `x_request_id` reads `X-Request-Id`. Header names are case-insensitive (RFC 9110 §5.1).
    """
    return "-".join(part.capitalize() for part in field_name.split("_"))


def is_multiple(field: ma.fields.Field[Any]) -> bool:
    """Whether a field takes every value of a repeated key (`?tag=a&tag=b`).

    `List` and `Tuple` fields do; a field may say otherwise with an `is_multiple` attribute,
    the convention of webargs (whose `DelimitedList` takes one comma-separated value).
    """
    explicit = getattr(field, "is_multiple", None)
    if explicit is not None:
        return bool(explicit)
    return isinstance(field, ma.fields.List | ma.fields.Tuple)


@dataclass(frozen=True, slots=True)
class _Key:
    """How one declared value is read: its name on the wire and in the schema's input."""

    wire: str
    key: str
    multiple: bool


def effective_unknown(
    schema: ma.Schema, location: Location
) -> Literal["exclude", "include", "raise"]:
    """Return how a location's schema treats undeclared keys: `RAISE`, `EXCLUDE` or `INCLUDE`.

    Path, query, header and cookie schemas ignore undeclared keys unless they set `unknown`
    themselves (requests carry many headers, and clients add tracking parameters); bodies and
    forms refuse them by default.
    """
    explicit = schema.unknown != ma.RAISE or hasattr(type(schema).Meta, "unknown")
    unknown: Literal["exclude", "include", "raise"] = (
        schema.unknown if explicit or location not in _LENIENT_LOCATIONS else "exclude"
    )
    return unknown


class _LocationPlan:
    """Reads and loads one location with a private, hardened copy of its schema."""

    def __init__(
        self, location: Location, declared: ma.Schema, *, compile_loads: bool = False
    ) -> None:
        self.location = location
        self.declared_schema = declared
        self.compile_loads = compile_loads
        # The copy has the declared schema's fields, keys and options: read them from it.
        self.unknown = effective_unknown(declared, location)
        self.keys: list[_Key] = []
        for name, field in declared.load_fields.items():
            key = field.data_key if field.data_key is not None else name
            wire = header_name(key) if location == "headers" and field.data_key is None else key
            self.keys.append(_Key(wire, key, is_multiple(field)))
        self.multiple = frozenset(k.key for k in self.keys if k.multiple)
        self.declared = frozenset(k.key for k in self.keys)
        self.wire_names = {k.key: k.wire for k in self.keys}
        self.read_only = frozenset(
            field.data_key if field.data_key is not None else name
            for name, field in declared.fields.items()
            if field.dump_only
        )

    @functools.cached_property
    def schema(self) -> ma.Schema:
        """The private, hardened copy of the declared schema, made on the first request."""
        schema = copy_schema(self.declared_schema)
        harden_for_load(schema, json=self.location not in _STRING_LOCATIONS)
        return schema

    @functools.cached_property
    def load_schema(self) -> ValidatingLoader:
        """The schema's load, compiled on the first request unless `compile_loads` is off."""
        if self.compile_loads:
            return make_validating_loader(self.schema)
        return self._own_load

    def load(self, data: Any, errors: list[InputError]) -> Any:
        if self.unknown == ma.INCLUDE and self.read_only and isinstance(data, dict):
            # INCLUDE would pass dump_only fields through as unknown ones: no mass assignment.
            for key in self.read_only.intersection(data):
                del data[key]
                errors.append(self._read_only_error(key))
        result, messages = self.load_schema(data, unknown=self.unknown)
        if messages:
            errors.extend(self.input_errors(messages))
            return None
        return result

    def _own_load(self, data: Any, *, unknown: str | None = None) -> tuple[Any, Any]:
        try:
            return self.schema.load(data, unknown=unknown), {}  # type: ignore[arg-type]
        except ma.ValidationError as error:
            return error.valid_data, error.messages

    def _read_only_error(self, key: str) -> InputError:
        detail = read_only("Unknown field.")
        if self.location == "body":
            return InputError("body", detail, pointer=f"/{escape(key)}")
        return InputError(self.location, detail, name=key)

    def read_multidict(
        self, values: MultiDict[str, Any], errors: list[InputError]
    ) -> dict[str, Any]:
        """Return the values of a query string or form, lists for multiple fields."""
        data: dict[str, Any] = {}
        for key, items in values.lists():
            if key in self.multiple:
                data[key] = items
                continue
            # A repeated single-valued key is reported once; its first value stands in for it,
            # so the schema does not also call it missing.
            data[key] = items[0]
            # An undeclared key is ignored (or refused as unknown) whether repeated or not.
            if len(items) > 1 and (key in self.declared or self.unknown != ma.EXCLUDE):
                errors.append(
                    InputError(self.location, f"Expected one value, got {len(items)}.", name=key)
                )
        return data

    def read_declared(self, values: Any, *, split_lists: bool) -> dict[str, Any]:
        """Return the declared values of headers or cookies (case rules are the container's)."""
        data: dict[str, Any] = {}
        for key in self.keys:
            items = values.getlist(key.wire)
            if not items:
                continue
            if key.multiple:
                if split_lists:
                    # RFC 9110 §5.3: a list-based field may come as one comma-separated line.
                    items = [part.strip() for item in items for part in item.split(",")]
                data[key.key] = [item for item in items if item]
                continue
            # WSGI servers join repeated header lines into one ("a, b"), so a single-valued
            # header has one line; of repeated cookies, the first is the most specific one.
            data[key.key] = items[0]
        return data

    def input_errors(self, messages: Any) -> list[InputError]:
        """Turn marshmallow's nested messages into flat `InputError`s for this location."""
        if self.location == "body":
            return pointer_errors(messages, "", self.schema)
        found: list[InputError] = []
        if not isinstance(messages, Mapping):
            return [InputError(self.location, str(message), name="") for message in messages]
        for key, nested in messages.items():
            name = "" if key == SCHEMA else self.wire_names.get(key, key)
            for prefix, detail in flat_messages(nested, ""):
                detail = read_only(detail) if key in self.read_only else detail
                found.append(InputError(self.location, prefix + detail, name=str(name)))
        return found


def _location_plan(location: Location, declared: ma.Schema, compile_loads: bool) -> _LocationPlan:
    """Return the plan of a declared schema at a location, shared by its operations.

    A plan holds nothing of one operation's, so operations that declare the same schema
    instance (or class) at the same location share one hardened copy and one compiled loader.
    """
    plans: dict[tuple[Location, bool], _LocationPlan] | None = vars(declared).get(_PLANS)
    if plans is None:
        plans = {}
        setattr(declared, _PLANS, plans)
    plan = plans.get((location, compile_loads))
    if plan is None:
        plan = plans[location, compile_loads] = _LocationPlan(
            location, declared, compile_loads=compile_loads
        )
    return plan
