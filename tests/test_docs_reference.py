"""The API reference (docs/reference/) covers every public module and every top-level name.

The reference pages are generated from docstrings by mkdocstrings, one `::: restkit.x`
directive per module; a module without one, or a page missing from the nav, would leave
its names undocumented without any build error.
"""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import pytest
import yaml

import restkit

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"
PUBLIC_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(restkit.__path__, prefix="restkit.")
    if not any(part.startswith("_") for part in info.name.split("."))
)
# A package whose own docstring is all it has: its modules have the directives.
PACKAGES_WITHOUT_OWN_NAMES = {"restkit.spec"}


def directives() -> dict[str, str]:
    """Map each module named in a `::: module` directive to its reference page."""
    found = {}
    for page in sorted(REFERENCE.glob("*.md")):
        for name in re.findall(r"^::: (\S+)$", page.read_text(encoding="utf-8"), re.MULTILINE):
            found[name] = page.name
    return found


def reference_nav() -> list[str]:
    """The pages listed under "API reference" in mkdocs.yml's nav."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    for entry in config["nav"]:
        if isinstance(entry, dict) and "API reference" in entry:
            return [next(iter(item.values())) for item in entry["API reference"]]
    raise AssertionError("mkdocs.yml has no 'API reference' section in its nav")


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_reference_public_module_has_a_directive(module_name: str) -> None:
    documented = directives()

    assert module_name in documented or module_name in PACKAGES_WITHOUT_OWN_NAMES, (
        f"{module_name} has no '::: {module_name}' in docs/reference/*.md"
    )


def test_reference_every_page_is_in_the_nav() -> None:
    pages = {f"reference/{page.name}" for page in REFERENCE.glob("*.md")}

    assert pages == set(reference_nav())


def test_reference_package_page_lists_every_top_level_name() -> None:
    text = (REFERENCE / "restkit.md").read_text(encoding="utf-8")

    listed = re.findall(r"^\| \[`(\w+)`\]\[(restkit\.[\w.]+)\]", text, re.MULTILINE)

    assert sorted(name for name, _ in listed) == sorted(restkit.__all__)
    for name, target in listed:
        module_name, _, attribute = target.rpartition(".")
        assert attribute == name
        assert getattr(restkit, name).__module__ == module_name, name
