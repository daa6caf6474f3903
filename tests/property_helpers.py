"""What the property tests of the dump and load compilers share: settings, names, a comparison."""

from __future__ import annotations

import enum
import os
from typing import Any

from hypothesis import HealthCheck, settings

NAMES = ["a", "b", "c", "id", "items", "x_y"]
"""Field names the generated schemas use; `items` is also a dict method's name."""

PROPERTY = settings(
    # `make reliability` raises the count for a long run.
    max_examples=int(os.environ.get("RESTKIT_PROPERTY_EXAMPLES", "200")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Bounded and the same on every run, so that CI never finds a new example by chance.

`RESTKIT_PROPERTY_EXAMPLES` sets the number of examples per test (200 unless set)."""


class Color(enum.Enum):
    """An enum with a value of each kind."""

    RED = 1
    BLUE = "blue"


def canonical(value: Any) -> Any:
    """A comparable form that tells 1 from 1.0 and True, and dict key orders apart."""
    if isinstance(value, dict):
        return ("dict", [(canonical(k), canonical(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [canonical(item) for item in value])
    return (type(value).__qualname__, repr(value))
