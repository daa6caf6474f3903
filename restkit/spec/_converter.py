"""marshmallow schemas to JSON Schema: apispec's converter with what restkit does differently.

restkit reads and writes some fields other than apispec assumes (numbers sent as strings,
naive date-times, timestamps, strings without NUL), keeps exclusive bounds, writes the
examples of OpenAPI 3.1, and names components after their classes, refusing two classes
under one name. `restkit.spec.builder` plugs these into apispec's marshmallow plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from apispec.ext.marshmallow.common import MODIFIERS
from apispec.ext.marshmallow.openapi import OpenAPIConverter

from restkit.errors import DeclarationError
from restkit.problems import InputErrorSchema, ProblemSchema

__all__ = [
    "NUL_FREE_PATTERN",
    "ComponentNames",
    "Converter",
    "component_name",
    "translate_examples",
    "true_types",
    "types_of",
]


def component_name(schema: type[ma.Schema] | ma.Schema) -> str | None:
    """Return the component name of a schema, or `None` to write it inline.

    The name is the class's name without a `Schema` suffix (`TaskSchema` → `Task`). A schema
    instance narrowed by `only`, `exclude`, `partial`, `load_only` or `dump_only` is another
    shape than its class, so it is written inline; so are the nameless schemas of
    `Schema.from_dict` and dicts of fields.
    """
    cls = schema if isinstance(schema, type) else type(schema)
    if not isinstance(schema, type) and any(getattr(schema, name) for name in MODIFIERS):
        return None
    name = cls.__name__
    if name in ("Schema", "GeneratedSchema"):
        return None
    if name.endswith("Schema") and len(name) > len("Schema"):
        name = name[: -len("Schema")]
    return name


class Converter(OpenAPIConverter):
    """apispec's converter, with the translations that differ between OpenAPI versions."""

    def field2range(self, field: ma.fields.Field[Any], ret: dict[str, Any]) -> dict[str, Any]:
        """Translate `Range` validators, exclusive bounds included (apispec drops them)."""
        if not set(types_of(ret)) & {"number", "integer"}:
            return dict(super().field2range(field, ret))
        lower: tuple[Any, bool] | None = None
        upper: tuple[Any, bool] | None = None
        for validator in field.validators:
            if not isinstance(validator, ma.validate.Range):
                continue
            # The tightest bound wins; of two equal ones, the exclusive one.
            if validator.min is not None:
                candidate = (validator.min, validator.min_inclusive)
                if lower is None or (candidate[0], not candidate[1]) > (lower[0], not lower[1]):
                    lower = candidate
            if validator.max is not None:
                candidate = (validator.max, validator.max_inclusive)
                if upper is None or (candidate[0], candidate[1]) < (upper[0], upper[1]):
                    upper = candidate
        attributes: dict[str, Any] = {}
        for bound, keyword in ((lower, "Minimum"), (upper, "Maximum")):
            if bound is None:
                continue
            value, inclusive = bound
            if inclusive:
                attributes[keyword.lower()] = value
            elif self.openapi_version.minor >= 1:
                attributes[f"exclusive{keyword}"] = value  # JSON Schema 2020-12: a number
            else:
                attributes[keyword.lower()] = value  # OpenAPI 3.0: a boolean beside it
                attributes[f"exclusive{keyword}"] = True
        return attributes

    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        """Write `additionalProperties` from `unknown` also when `Meta.description` is set."""
        converted: dict[str, Any] = super().schema2jsonschema(schema)
        instance = schema if isinstance(schema, ma.Schema) else schema()
        if "additionalProperties" not in converted and instance.unknown != ma.EXCLUDE:
            converted["additionalProperties"] = instance.unknown == ma.INCLUDE
        return converted


NUL_FREE_PATTERN = "^[^\\x00]*$"
"""The pattern of a string without the NUL character, which restkit refuses on input."""


def types_of(schema: Mapping[str, Any]) -> list[str]:
    """Return the JSON Schema types a schema object allows (`type` as a list)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        return kind
    return [kind] if isinstance(kind, str) else []


def true_types(
    converter: OpenAPIConverter, field: ma.fields.Field[Any], ret: dict[str, Any], **_: Any
) -> dict[str, Any]:
    """Correct what apispec writes for fields that restkit sends differently."""
    if isinstance(field, ma.fields.Number) and field.as_string:
        # as_string numbers are sent as strings, and restkit reads them only as strings.
        kinds = types_of(ret)
        ret["type"] = ["string", *[kind for kind in kinds if kind == "null"]]
        if len(ret["type"]) == 1:
            ret["type"] = "string"
        ret["format"] = "decimal" if isinstance(field, ma.fields.Decimal) else "number"
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            ret.pop(keyword, None)
    elif isinstance(field, ma.fields.NaiveDateTime) and ret.get("format") == "date-time":
        # A naive datetime has no offset, which RFC 3339's date-time requires.
        ret.pop("format")
        ret.setdefault("description", "A date and time without a time zone offset.")
    elif isinstance(field, ma.fields.DateTime) and field.format in ("timestamp", "timestamp_ms"):
        # Dumped as a number of seconds (or milliseconds) since 1970.
        ret["type"] = ["number", "null"] if "null" in types_of(ret) else "number"
        for keyword in ("format", "pattern", "min", "max"):
            ret.pop(keyword, None)
    if (
        isinstance(field, ma.fields.String)
        and _read_by_restkit(field)
        and "string" in types_of(ret)
        and not {"pattern", "format", "enum", "const"} & ret.keys()
    ):
        # restkit refuses NUL in strings (restkit._fields); other constraints already do.
        ret["pattern"] = NUL_FREE_PATTERN
    # apispec leaves null keywords for formats it does not know (strftime patterns, "rfc").
    for keyword in [keyword for keyword, value in ret.items() if value is None]:
        ret.pop(keyword)
    return {}


def _read_by_restkit(field: ma.fields.Field[Any]) -> bool:
    """Whether restkit loads the field's values: bound in a schema, in no dump-only field.

    An `Enum`'s own string field is unbound (its values are the enum's); restkit's problem
    schemas only answer.
    """
    node: Any = field
    while isinstance(node, ma.fields.Field):
        if node.dump_only:
            return False
        node = node.parent
    return isinstance(node, ma.Schema) and not isinstance(node, ProblemSchema | InputErrorSchema)


def translate_examples(
    converter: OpenAPIConverter, field: ma.fields.Field[Any], ret: dict[str, Any], **_: Any
) -> dict[str, Any]:
    """Write a field's `example` as `examples`, for OpenAPI 3.1."""
    # OpenAPI 3.1 schemas are JSON Schema 2020-12, where `example` gave way to `examples`.
    if "example" in ret:
        ret["examples"] = [ret.pop("example")]
    return {}


class ComponentNames:
    """Resolves component names and refuses two different schemas under one name."""

    def __init__(self) -> None:
        self.owners: dict[str, type[ma.Schema]] = {}

    def __call__(self, schema: type[ma.Schema] | ma.Schema) -> str | None:
        name = component_name(schema)
        if name is None:
            return None
        cls = schema if isinstance(schema, type) else type(schema)
        owner = self.owners.setdefault(name, cls)
        if owner is not cls:
            raise DeclarationError(
                f"Two schemas would both be the OpenAPI component {name!r}: "
                f"{_qualified(owner)} and {_qualified(cls)}. Rename one of the classes; "
                "component names come from class names without the 'Schema' suffix."
            )
        return name


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
