from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest

import restkit

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(restkit.__path__, prefix="restkit.")
    if not any(part.startswith("_") for part in info.name.split("."))
)


def _isort_key(name):
    """The order of ruff's RUF022 ("isort-style"): CONSTANTS, then Classes, then the rest.

    Within each group the sort is natural, so `v2` comes before `v10`.
    """
    if name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    natural = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
    return group, natural


def _public_names():
    for module_name in ["restkit", *PUBLIC_MODULES]:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            yield module_name, name, getattr(module, name)


def _own_members(cls):
    """Public functions and properties defined by restkit in `cls` or its restkit bases."""
    seen = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("restkit"):
            continue  # Exception, HTTPException, object: not ours to document
        for name, attribute in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(attribute, classmethod | staticmethod):
                yield name, attribute.__func__
            elif isinstance(attribute, property):
                yield name, attribute.fget
            elif inspect.isfunction(attribute):
                yield name, attribute


def test_public_modules_found():
    assert "restkit.api" in PUBLIC_MODULES
    assert "restkit.problems" in PUBLIC_MODULES
    assert not any(name.startswith("restkit._") for name in PUBLIC_MODULES)


def test_package_all_is_sorted_and_complete():
    assert restkit.__all__ == sorted(restkit.__all__, key=_isort_key)
    assert len(set(restkit.__all__)) == len(restkit.__all__)
    for name in restkit.__all__:
        assert hasattr(restkit, name), name


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_module_all_is_sorted_and_names_exist(module_name):
    module = importlib.import_module(module_name)

    assert isinstance(module.__all__, list)
    assert module.__all__ == sorted(module.__all__, key=_isort_key)
    assert len(set(module.__all__)) == len(module.__all__)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_module_has_docstring(module_name):
    module = importlib.import_module(module_name)

    assert (module.__doc__ or "").strip()


@pytest.mark.parametrize(
    ("module_name", "name", "value"),
    [row for row in _public_names() if inspect.isclass(row[2]) or inspect.isfunction(row[2])],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_public_class_or_function_has_docstring(module_name, name, value):
    doc = value.__doc__ or ""

    assert doc.strip(), f"{module_name}.{name} has no docstring"
    # dataclasses invent "Name(field: type, ...)" when a class has none
    assert not doc.startswith(f"{value.__name__}("), f"{module_name}.{name} has no docstring"


@pytest.mark.parametrize(
    ("qualname", "member"),
    [
        (f"{module_name}.{name}.{member_name}", member)
        for module_name, name, value in _public_names()
        if inspect.isclass(value)
        for member_name, member in _own_members(value)
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_public_method_or_property_has_docstring(qualname, member):
    assert (member.__doc__ or "").strip(), f"{qualname} has no docstring"


def test_public_members_checked_include_known_methods():
    members = {
        f"{cls.__name__}.{name}"
        for cls in (restkit.Api, restkit.Problem, restkit.Settings, restkit.Operation)
        for name, _ in _own_members(cls)
    }

    assert {
        "Api.init_app",
        "Api.blueprints",
        "Problem.to_dict",
        "Problem.get_response",
        "Settings.from_config",
        "Operation.qualname",
    } <= members
    assert "Problem.with_traceback" not in members


def test_package_ships_py_typed_marker():
    assert (Path(restkit.__file__).parent / "py.typed").is_file()


def test_package_version_matches_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

    assert restkit.__version__ == pyproject["project"]["version"]
