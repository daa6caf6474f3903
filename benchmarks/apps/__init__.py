"""The same item API built with each framework; each module exposes `create_app()`."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from flask import Flask

__all__ = [
    "BASELINE",
    "FRAMEWORKS",
    "WITHOUT_COMPILER",
    "factory_path",
    "frameworks",
    "load_factory",
]

FRAMEWORKS: dict[str, str] = {
    "plain Flask": "benchmarks.apps.plain:create_app",
    "Flask + marshmallow": "benchmarks.apps.marshmallow_by_hand:create_app",
    "restkit": "benchmarks.apps.restkit_app:create_app",
    "flask-smorest": "benchmarks.apps.smorest:create_app",
    "APIFlask": "benchmarks.apps.apiflask_app:create_app",
    "Flask-RESTX": "benchmarks.apps.restx:create_app",
}
"""Each framework's display name and its app factory (`module:function`), the floor first."""

WITHOUT_COMPILER = "restkit, dump compiler off"
"""The restkit app with `compile_dumps=False`, measured too when restkit has that setting."""

BASELINE = "plain Flask"
"""The app every other is compared with."""


def has_dump_compiler() -> bool:
    """Whether this restkit has a dump compiler that a `compile_dumps` setting switches off."""
    from restkit.settings import Settings

    return "compile_dumps" in Settings.__dataclass_fields__


def frameworks() -> list[str]:
    """Return the apps to measure: every framework, and restkit without its compiler if any."""
    names = list(FRAMEWORKS)
    if has_dump_compiler():
        names.insert(names.index("restkit") + 1, WITHOUT_COMPILER)
    return names


def factory_path(framework: str) -> str:
    """Return a framework's app factory as `module:function`, as gunicorn takes it."""
    if framework == WITHOUT_COMPILER:
        return "benchmarks.apps.restkit_app:create_app_without_compiler"
    return FRAMEWORKS[framework]


def load_factory(framework: str) -> Callable[[], Flask]:
    """Return a framework's app factory."""
    module, function = factory_path(framework).split(":")
    factory: Callable[[], Flask] = getattr(importlib.import_module(module), function)
    return factory
