"""JSON decoding and encoding for request and response bodies.

orjson does the common case. It reads integers beyond 64 bits as floats, silently losing
digits, and cannot write them; bodies with such numbers go through the standard library
instead, so no number is ever changed on the way in or out.
"""

from __future__ import annotations

import decimal
import json
import math
import re
from typing import Any

import orjson

from restkit.problems import BadRequest

__all__ = ["decode_json", "encode_json"]

# Any run of 19 digits may be an integer beyond 64 bits (2**63 has 19 digits).
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_ENCODE_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


def decode_json(raw: bytes, max_depth: int, *, decimals: bool = False) -> Any:
    """Parse a request body as JSON (RFC 8259), exactly.

    Args:
        raw: The body; it must be UTF-8.
        max_depth: The deepest nesting of arrays and objects allowed.
        decimals: Read numbers with a fraction or exponent as `decimal.Decimal`, digit for
            digit, for schemas with `Decimal` fields (orjson would round them to floats).

    Raises:
        BadRequest: The body is not valid UTF-8 JSON, or is nested deeper than allowed.
    """
    if _LONG_DIGITS.search(raw) is None:
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            if "depth limit" in str(error) and _brackets(raw) > max_depth:
                raise _too_deep(max_depth) from None
            raise BadRequest(f"The request body is not valid JSON: {error}.") from None
        # orjson reads every fraction as a float; only then does a Decimal schema need the
        # slower exact reading (most bodies send decimals as strings, or none at all).
        if decimals and _has_float(value):
            value = _decode_exact(raw, decimals, max_depth)
    else:
        value = _decode_exact(raw, decimals, max_depth)
    # Nesting needs at least one bracket per level; most bodies have too few to check.
    if _brackets(raw) > max_depth and _deeper_than(value, max_depth):
        raise _too_deep(max_depth)
    return value


def _brackets(raw: bytes) -> int:
    return raw.count(b"[") + raw.count(b"{")


def _too_deep(max_depth: int) -> BadRequest:
    return BadRequest(f"The request body is nested deeper than {max_depth} levels.")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise ValueError(f"the number {text} is too large for a double")
    return value


def _decode_exact(raw: bytes, decimals: bool, max_depth: int) -> Any:
    def reject_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON value")

    try:
        value = json.loads(
            raw.decode("utf-8"),
            parse_constant=reject_constant,
            parse_float=decimal.Decimal if decimals else _finite_float,
        )
        # The standard library accepts escaped lone surrogates ("\ud800"), which are not text.
        _check_text(value)
    except RecursionError:
        raise _too_deep(max_depth) from None
    except (UnicodeError, ValueError) as error:
        raise BadRequest(f"The request body is not valid JSON: {error}.") from None
    return value


def _has_float(value: Any) -> bool:
    # orjson makes exactly these types, so exact tests do (and are quicker than isinstance).
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            return True
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
    return False


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

    Decimals and integers beyond 64 bits are written as exact JSON numbers, naive datetimes
    as UTC.

    Raises:
        TypeError: The value holds something JSON cannot represent; a server bug.
    """
    try:
        return orjson.dumps(value, default=_orjson_default, option=_ENCODE_OPTIONS)
    except orjson.JSONEncodeError as error:
        if "64-bit" not in str(error):
            raise TypeError(str(error)) from error
    # orjson cannot write integers beyond 64 bits; hand them over as ready-made JSON numbers.
    return orjson.dumps(
        _big_ints_as_fragments(value), default=_orjson_default, option=_ENCODE_OPTIONS
    )


def _orjson_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return orjson.Fragment(str(value))
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _big_ints_as_fragments(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return orjson.Fragment(str(value)) if not -(2**63) <= value < 2**64 else value
    if isinstance(value, dict):
        return {key: _big_ints_as_fragments(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_big_ints_as_fragments(item) for item in value]
    return value
