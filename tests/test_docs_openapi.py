"""The claims of docs/openapi.md that its other tests do not cover.

The document from Python (docs/examples/openapi_python.py): `Api.spec`, `Api.make_spec`,
`get_apis`, `spec_to_json` and `spec_to_yaml`, and the two tests the page suggests a project
keeps. The command line's `flask restkit diff`, which needs no app. And the page's excerpts of
Taskboard's committed documents and its transcript of serving them, which must stay true to
`openapi/`.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.cli import cli as flask_cli
from openapi_spec_validator import validate

from example_service import create_app
from restkit.errors import DeclarationError
from restkit.spec.document import spec_to_yaml
from tests.test_docs_examples import load_example
from tests.transcripts import console_blocks, curl_through, replay

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "openapi.md").read_text(encoding="utf-8")
STALE_PAGE = "docs/openapi.md shows an old copy of openapi/{name}: paste the current one."


def section(heading: str) -> str:
    """Return the text of the page's `## heading` section."""
    return PAGE.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def yaml_block(first_line: str) -> str:
    """Return the page's ```yaml block that starts with `first_line`."""
    blocks = re.findall(r"^```yaml\n(.*?)^```$", PAGE, re.MULTILINE | re.DOTALL)
    [block] = [block for block in blocks if block.startswith(first_line + "\n")]
    return str(block)


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_example("openapi_python", monkeypatch)


def test_openapi_python_get_apis_returns_apis_in_mounting_order(example: ModuleType) -> None:
    app = example.create_app()

    apis = example.get_apis(app)

    assert list(apis) == ["v1", "v2"]
    assert apis["v1"] is example.v1
    assert example.get_apis(Flask(__name__)) == {}


def test_openapi_python_spec_is_the_served_document(example: ModuleType) -> None:
    app = example.create_app()

    served = app.test_client().get("/v1/openapi.json")

    assert served.status_code == 200
    assert served.get_data() == example.spec_to_json(example.v1.spec(app))
    served_yaml = app.test_client().get("/v1/openapi.yaml")
    assert served_yaml.status_code == 200
    assert served_yaml.get_data(as_text=True) == example.spec_to_yaml(example.v1.spec(app))


def test_openapi_python_write_documents_writes_both_versions_of_each_api(
    example: ModuleType, tmp_path: Path
) -> None:
    app = example.create_app()

    written = example.write_documents(app, tmp_path)

    assert [path.name for path in written] == [
        "v1.json",
        "v1-3.0.yaml",
        "v2.json",
        "v2-3.0.yaml",
    ]
    latest = json.loads((tmp_path / "v2.json").read_text(encoding="utf-8"))
    older = yaml.safe_load((tmp_path / "v1-3.0.yaml").read_text(encoding="utf-8"))
    assert (latest["openapi"], latest["info"]["version"]) == ("3.1.0", "2.0.0")
    assert (older["openapi"], older["info"]["version"]) == ("3.0.3", "1.4.0")
    assert list(latest["paths"]) == ["/v2/tasks"]
    validate(latest)
    validate(older)


def test_openapi_python_make_spec_leaves_the_served_document_alone(example: ModuleType) -> None:
    app = example.create_app()

    example.v1.make_spec(app, openapi_version="3.0")

    assert example.v1.spec(app)["openapi"] == "3.1.0"


def test_openapi_python_spec_of_app_without_the_api_raises(example: ModuleType) -> None:
    with pytest.raises(DeclarationError, match=r"Api 'v1' is not mounted on .*; call init_app"):
        example.v1.spec(Flask(__name__))


def test_openapi_python_suggested_tests_pass(example: ModuleType) -> None:
    example.test_openapi_documents_are_valid()
    example.test_every_operation_has_a_summary()


# flask restkit diff


def test_openapi_cli_diff_without_app_compares_two_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example: ModuleType
) -> None:
    monkeypatch.delenv("FLASK_APP", raising=False)
    # Flask's CLI sets FLASK_RUN_FROM_CLI in os.environ; undone after the test, so that
    # servers started later by other tests do not ignore app.run().
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")
    monkeypatch.chdir(tmp_path)  # no app.py or wsgi.py to find
    app = example.create_app()
    (tmp_path / "old.json").write_bytes(example.spec_to_json(example.v1.spec(app)))
    (tmp_path / "new.yaml").write_text(example.spec_to_yaml(example.v1.spec(app)))

    result = CliRunner().invoke(flask_cli, ["restkit", "diff", "old.json", "new.yaml"])

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "No breaking change (0 change(s)).\n"


# Taskboard's committed documents, as the page shows them


def committed(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((ROOT / "openapi" / name).read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize(
    ("first_line", "indent"),
    [("/healthz:", 2), ("Project:", 4), ("color:", 8), ("Problem:", 4)],
)
def test_openapi_page_yaml_excerpts_are_in_the_committed_document(
    first_line: str, indent: int
) -> None:
    as_yaml = spec_to_yaml(committed("openapi.json"))

    excerpt = textwrap.indent(yaml_block(first_line), " " * indent)

    assert excerpt in as_yaml, STALE_PAGE.format(name="openapi.json")


def test_openapi_page_30_excerpt_is_in_the_committed_30_document() -> None:
    color = committed("openapi-3.0.json")["components"]["schemas"]["Project"]["properties"]
    shown = re.search(r'^```json\n"color": (\{.*?^\})\n```$', PAGE, re.MULTILINE | re.DOTALL)

    assert shown is not None
    assert shown.group(1) == json.dumps(color["color"], indent=2), STALE_PAGE.format(
        name="openapi-3.0.json"
    )


def test_openapi_page_serving_transcript_replays_against_taskboard() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "s" * 32})
    [block] = console_blocks(section("Serving the document"))
    head, elided, tail = block.partition("\n  ...\n")

    shown = replay(block, {}, curl_through(app.test_client()))

    assert elided, "the page elides the body of the first answer with '  ...'"
    assert shown.startswith(head + "\n"), shown[: len(head) + 200]
    assert shown.endswith(tail), shown[-len(tail) - 200 :]
