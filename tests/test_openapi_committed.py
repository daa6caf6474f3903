"""The committed openapi/taskboard.* documents are what the example service serves now.

Client SDKs are generated from these files, so a change to the service that is not followed by
`make spec` would ship SDKs that disagree with the server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from openapi_spec_validator import validate

from example_service import create_app
from restkit.api import get_apis
from restkit.spec.document import spec_to_json, spec_to_yaml

COMMITTED = Path(__file__).resolve().parents[1] / "openapi"
STALE = "{name} is stale: run `make spec` and commit the result."


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    return get_apis(app)["v1"].make_spec(app)


def test_committed_json_equals_generated_spec(spec: dict[str, Any]) -> None:
    committed = (COMMITTED / "taskboard.json").read_bytes()

    assert committed == spec_to_json(spec), STALE.format(name="openapi/taskboard.json")


def test_committed_yaml_equals_generated_spec(spec: dict[str, Any]) -> None:
    committed = (COMMITTED / "taskboard.yaml").read_text(encoding="utf-8")

    assert committed == spec_to_yaml(spec), STALE.format(name="openapi/taskboard.yaml")


@pytest.mark.parametrize("name", ["taskboard.json", "taskboard.yaml"])
def test_committed_file_passes_cli_check(app: Flask, name: str) -> None:
    path = COMMITTED / name

    result = app.test_cli_runner().invoke(args=["restkit", "spec", "--check", str(path)])

    assert result.exit_code == 0, STALE.format(name=f"openapi/{name}") + "\n" + result.output


def test_committed_json_and_yaml_hold_the_same_document() -> None:
    as_json = json.loads((COMMITTED / "taskboard.json").read_text(encoding="utf-8"))
    as_yaml = yaml.safe_load((COMMITTED / "taskboard.yaml").read_text(encoding="utf-8"))

    assert as_json == as_yaml, "run `make spec` to write both files from one document"


@pytest.mark.parametrize("name", ["taskboard.json", "taskboard.yaml"])
def test_committed_file_is_valid_openapi_31(name: str) -> None:
    document = yaml.safe_load((COMMITTED / name).read_text(encoding="utf-8"))

    validate(document)
    assert document["openapi"] == "3.1.0"
