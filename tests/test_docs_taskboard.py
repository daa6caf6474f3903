"""docs/taskboard.md describes the service as it is: its operations and its settings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import example_service

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "taskboard.md").read_text(encoding="utf-8")


def table_rows(heading: str) -> list[list[str]]:
    """Return the cells of the first table after `## heading`, without the header rows."""
    section = PAGE.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


def test_taskboard_page_lists_every_operation_at_its_path() -> None:
    document = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    served = {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }

    documented: dict[str, str] = {}
    for names, where, _ in table_rows("The API"):
        ids = re.findall(r"`(\w+)`", names)
        path = where.strip("`").split(" ")[-1]
        for operation_id in ids:
            documented[operation_id] = path

    assert set(documented) == set(served)
    for operation_id, path in documented.items():
        assert served[operation_id].endswith(path), operation_id


def test_taskboard_page_lists_the_settings_create_app_reads() -> None:
    source = Path(example_service.__file__).read_text(encoding="utf-8")
    variables = [row[0].strip("`") for row in table_rows("Configuration")]

    assert variables == [
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "TASKBOARD_TOKEN_RATE_LIMIT",
        "TASKBOARD_PROXY_COUNT",
        "TASKBOARD_DEMO_DATA",
    ]
    for variable in variables:
        assert variable in source, variable
