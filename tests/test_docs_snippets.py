"""Every code include of the guide pages names a file and a section that exist.

The pages show code from docs/examples/ with `--8<-- "docs/examples/x.py:section"`; a
section whose markers were renamed or lost would leave a hole in the page, so each include
must find exactly one `[start:section]` and one `[end:section]` marker, in that order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = re.compile(r'^--8<-- "(docs/examples/[\w/]+\.py)(?::(\w+))?"$', re.MULTILINE)
INCLUDES = sorted(
    {
        (page.name, path, section)
        for page in (ROOT / "docs").glob("*.md")
        for path, section in INCLUDE.findall(page.read_text(encoding="utf-8"))
    }
)


def test_snippets_includes_found() -> None:
    assert ("docs-ui.md", "docs/examples/docs_ui.py", "guard") in INCLUDES


@pytest.mark.parametrize(("page", "path", "section"), INCLUDES)
def test_snippets_include_names_an_existing_section(page: str, path: str, section: str) -> None:
    source = ROOT / path

    assert source.is_file(), f"{page} includes {path}, which does not exist"
    if section:
        text = source.read_text(encoding="utf-8")
        starts = [m.start() for m in re.finditer(rf"# --8<-- \[start:{section}\]", text)]
        ends = [m.start() for m in re.finditer(rf"# --8<-- \[end:{section}\]", text)]
        assert len(starts) == len(ends) == 1, f"{page}: {path} has no single section {section!r}"
        assert starts[0] < ends[0]
