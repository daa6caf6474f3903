"""Flask URL rules as OpenAPI paths, with path parameters from the rules' converters.

`/tasks/<int:task_id>` becomes `/tasks/{task_id}` with an integer parameter whose bounds are
the converter's: Werkzeug's `int` takes digits only, so its minimum is 0 unless it is
`signed`, and `min=`/`max=` arguments become `minimum`/`maximum`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.routing.converters import (
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UUIDConverter,
)

from restkit._rules import parse_rule

__all__ = ["converter_schema", "openapi_path", "path_converters"]

_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([A-Za-z_][A-Za-z0-9_]*)>")
_LENGTH = re.compile(r"\{(\d+)(?:,(\d*))?\}$")


def openapi_path(rule: str) -> str:
    """Return the OpenAPI path template of a Flask rule: `<int:id>` becomes `{id}`."""
    return _VARIABLE.sub(lambda match: "{" + match.group(1) + "}", rule)


def path_converters(
    rule: str, converters: Mapping[str, type[BaseConverter]] | None = None
) -> dict[str, BaseConverter]:
    """Return the converter of each variable of a Flask rule, in the rule's order.

    Args:
        rule: The URL rule, such as `/tasks/<int:task_id>`.
        converters: The converters by name, such as an app's `url_map.converters`;
            Werkzeug's own when `None`.
    """
    return dict(parse_rule(rule, converters).converters)


def converter_schema(converter: BaseConverter) -> dict[str, Any]:
    """Return the JSON Schema of the values a converter accepts."""
    if isinstance(converter, IntegerConverter | FloatConverter):
        schema: dict[str, Any] = {
            "type": "integer" if isinstance(converter, IntegerConverter) else "number"
        }
        minimum = converter.min
        if minimum is None and not converter.signed:
            minimum = 0  # the unsigned regex takes digits only
        if minimum is not None:
            schema["minimum"] = minimum
        if converter.max is not None:
            schema["maximum"] = converter.max
        return schema
    if isinstance(converter, UUIDConverter):
        return {"type": "string", "format": "uuid"}
    if isinstance(converter, AnyConverter):
        return {"type": "string", "enum": sorted(converter.items)}
    if isinstance(converter, PathConverter):
        return {"type": "string", "minLength": 1}
    schema = {"type": "string", "pattern": "^[^/]+$"}
    length = _LENGTH.search(converter.regex)
    if length is not None:
        low, high = length.group(1), length.group(2)
        schema["minLength"] = int(low)
        if high is None:
            schema["maxLength"] = int(low)
        elif high:
            schema["maxLength"] = int(high)
    return schema
