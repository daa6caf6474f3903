"""What the load compiler writes as plain statements: text fields and the common validators.

An invalid value costs marshmallow an exception, and often several: the field's
`_deserialize` raises `make_error("invalid")`, a validator raises its message, the container
raises again with the messages of its items. On a 422 that is most of what loading costs. For
the cases below the compiled loader tests the value with an `if` and appends the very message
marshmallow would have raised (the same template, formatted with the same values):

- a `String` (or a subclass that keeps `String._deserialize`, such as `Email`) returns a `str`
  as it is, behind restkit's NUL check when the field is hardened, and refuses a value of an
  exact JSON type that is not text with its own "invalid" message;
- marshmallow's `Length`, `Range` and `OneOf`, exactly those classes, are their `__call__`
  written out.

Anything else (a subclass, a message template that does not format, a value of another type)
goes the general way, through the field's and the validator's own code.
"""

from __future__ import annotations

import decimal
import string
from collections.abc import Callable
from typing import Any

from marshmallow import fields as mf
from marshmallow import validate as mv

__all__ = ["NOT_TEXT", "text_test", "validator_lines"]

NOT_TEXT = frozenset({int, float, bool, list, dict, decimal.Decimal})
"""Types of decoded JSON that `String._deserialize` refuses as not text (exact types only)."""

Bind = Callable[[Any, str], str]


def text_test(field: Any) -> str | None:
    """Return the test, on a value named `{v}`, under which the field loads it unchanged.

    That is a `str` for marshmallow's `String._deserialize`, and a `str` without NUL behind
    restkit's hardening wrapper (`restkit._fields`). `None` when the field loads text some
    other way.
    """
    if getattr(type(field), "_deserialize", None) is not mf.String._deserialize:
        return None
    own = vars(field).get("_deserialize")
    if own is None:
        return "type({v}) is str"
    if getattr(own, "restkit_nul_free", False):
        return "type({v}) is str and '\\x00' not in {v}"
    return None


def validator_lines(validator: Any, bind: Bind) -> list[str] | None:
    """Return statements that append to `errors` what `validator(x)` would raise, or `None`.

    The statements read the value from `x` and use the local name `ln`.
    """
    if "_format_error" in vars(validator):
        return None
    kind = type(validator)
    if kind is mv.Length:
        return _length(validator, bind)
    if kind is mv.Range:
        return _range(validator, bind)
    if kind is mv.OneOf:
        return _one_of(validator, bind)
    return None


def _length(validator: mv.Length, bind: Bind) -> list[str] | None:
    # mv.Length.__call__: the length first, then `equal` alone, or `min`, then `max`.
    lines = ["ln = len(x)"]
    if validator.equal is not None:
        message = _message(validator, validator.message_equal, bind)
        if message is None:
            return None
        return [*lines, f"if ln != {bind(validator.equal, 'eq')}:", f"    errors.append({message})"]
    branch = "if"
    for bound, op, alone, both, other in (
        (validator.min, "<", validator.message_min, validator.message_all, validator.max),
        (validator.max, ">", validator.message_max, validator.message_all, validator.min),
    ):
        if bound is None:
            continue
        message = _message(validator, alone if other is None else both, bind)
        if message is None:
            return None
        lines += [f"{branch} ln {op} {bind(bound, 'lim')}:", f"    errors.append({message})"]
        branch = "elif"
    return lines


def _range(validator: mv.Range, bind: Bind) -> list[str] | None:
    # mv.Range.__call__: `min` first, then `max`, each inclusive or not.
    lines: list[str] = []
    branch = "if"
    for bound, inclusive, ops, alone, both, other in (
        (
            validator.min,
            validator.min_inclusive,
            ("<", "<="),
            validator.message_min,
            validator.message_all,
            validator.max,
        ),
        (
            validator.max,
            validator.max_inclusive,
            (">", ">="),
            validator.message_max,
            validator.message_all,
            validator.min,
        ),
    ):
        if bound is None:
            continue
        message = _message(validator, alone if other is None else both, bind)
        if message is None:
            return None
        op = ops[0] if inclusive else ops[1]
        lines += [f"{branch} x {op} {bind(bound, 'lim')}:", f"    errors.append({message})"]
        branch = "elif"
    return lines


def _one_of(validator: mv.OneOf, bind: Bind) -> list[str] | None:
    # mv.OneOf.__call__: a value that cannot be compared (TypeError) is refused too.
    message = _message(validator, None, bind)
    if message is None:
        return None
    choices = bind(validator.choices, "ch")
    return [
        "try:",
        f"    if x not in {choices}:",
        f"        errors.append({message})",
        "except TypeError:",
        f"    errors.append({message})",
    ]


def _message(validator: Any, template: str | None, bind: Bind) -> str | None:
    """Return an expression for the validator's message about `x`, or `None`.

    A message that does not mention the input is formatted once, here; one that does is
    formatted per value by the validator's own `_format_error`.
    """
    text = validator.error or template
    if not isinstance(text, str):
        return None
    args: tuple[Any, ...] = () if template is None else (template,)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return None
    names = {_root(name) for _, name, _, _ in parts if name is not None}
    nested = any(spec and "{" in spec for _, _, spec, _ in parts)
    if nested or "input" in names or any(not name.isidentifier() for name in names):
        extra = f", {bind(template, 'tm')}" if args else ""
        return f"{bind(validator._format_error, 'fe')}(x{extra})"
    try:
        formatted = validator._format_error(None, *args)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return None  # it raises for every value: leave that to the validator itself
    if not isinstance(formatted, str):
        return None
    return bind(formatted, "msg")


def _root(name: str) -> str:
    """Return the argument a replacement field reads: `input` of `{input.x}` or `{input[0]}`."""
    return name.split(".", 1)[0].split("[", 1)[0]
