"""JSON decoding and encoding for request and response bodies.

orjson does the common case. It reads integers beyond 64 bits as floats, silently losing
digits, and cannot write them; bodies with such numbers go through the standard library
instead, so no number is ever changed on the way in or out.
"""

from __future__ import annotations

import decimal
import json
import re
from typing import Any

import orjson

from restkit.problems import BadRequest

__all__ = ["decode_json", "encode_json"]

# Any run of 19 digits may be an integer beyond 64 bits (2**63 has 19 digits).
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_ENCODE_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


def decode_json(raw: bytes, max_depth: int) -> Any:
    """Parse a request body as JSON (RFC 8259), exactly.

    Args:
        raw: The body; it must be UTF-8.
        max_depth: The deepest nesting of arrays and objects allowed.

    Raises:
        BadRequest: The body is not valid UTF-8 JSON, or is nested deeper than allowed.
    """
    if _LONG_DIGITS.search(raw) is None:
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise BadRequest(f"The request body is not valid JSON: {error}.") from None
    else:
        value = _decode_exact(raw)
    # Nesting needs at least one bracket per level; most bodies have too few to check.
    if raw.count(b"[") + raw.count(b"{") > max_depth and _deeper_than(value, max_depth):
        raise BadRequest(f"The request body is nested deeper than {max_depth} levels.")
    return value


def _decode_exact(raw: bytes) -> Any:
    def reject_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON value")

    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=reject_constant)
        # The standard library accepts escaped lone surrogates ("\ud800"), which are not text.
        _check_text(value)
    except (UnicodeError, ValueError, RecursionError) as error:
        raise BadRequest(f"The request body is not valid JSON: {error}.") from None
    return value


def _check_text(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _deeper_than(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def encode_json(value: Any) -> bytes:
    """Serialize a dumped response body as compact UTF-8 JSON.

    Decimals are written as exact JSON numbers and naive datetimes as UTC.

    Raises:
        TypeError: The value holds something JSON cannot represent; a server bug.
    """
    try:
        return orjson.dumps(value, default=_orjson_default, option=_ENCODE_OPTIONS)
    except orjson.JSONEncodeError as error:
        if "64-bit" not in str(error):
            raise TypeError(str(error)) from error
    # An integer beyond 64 bits: the standard library writes it exactly.
    return json.dumps(
        value, default=_stdlib_default, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _orjson_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return orjson.Fragment(str(value))
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _stdlib_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    return orjson.loads(orjson.dumps(value, option=_ENCODE_OPTIONS))
