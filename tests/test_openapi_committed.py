"""The committed openapi/ documents are what Taskboard serves now, in OpenAPI 3.1 and 3.0.

Client SDKs are generated from these files, so a change to the service that is not followed by
`make spec` would ship SDKs that disagree with the server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

from example_service import create_app
from restkit.api import get_apis
from restkit.spec.document import spec_to_json

COMMITTED = Path(__file__).resolve().parents[1] / "openapi"
STALE = "{name} is stale: run `make spec` and commit the result."
DOCUMENTS = {"openapi.json": "3.1.0", "openapi-3.0.json": "3.0.3"}


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "s" * 32})


def generated(app: Flask, version: str) -> dict[str, Any]:
    api = get_apis(app)["v1"]
    spec: dict[str, Any] = api.make_spec(app, openapi_version=version)
    return spec


@pytest.mark.parametrize(("name", "version"), DOCUMENTS.items())
def test_committed_document_equals_generated_spec(app: Flask, name: str, version: str) -> None:
    committed = (COMMITTED / name).read_bytes()

    assert committed == spec_to_json(generated(app, version)), STALE.format(name=f"openapi/{name}")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_committed_document_passes_cli_check(app: Flask, name: str) -> None:
    path = COMMITTED / name
    version = DOCUMENTS[name][:3]

    result = app.test_cli_runner().invoke(
        args=["restkit", "spec", "--openapi-version", version, "--check", str(path)]
    )

    assert result.exit_code == 0, STALE.format(name=f"openapi/{name}") + "\n" + result.output


@pytest.mark.parametrize(("name", "version"), DOCUMENTS.items())
def test_committed_document_is_valid_openapi(name: str, version: str) -> None:
    document = json.loads((COMMITTED / name).read_text(encoding="utf-8"))

    validate(document)
    assert document["openapi"] == version


def test_committed_documents_list_the_contract_operations() -> None:
    document = json.loads((COMMITTED / "openapi.json").read_text(encoding="utf-8"))

    operations = {
        (method.upper(), path): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }

    assert operations == {
        ("POST", "/v1/users"): "createUser",
        ("POST", "/v1/auth/tokens"): "createToken",
        ("GET", "/v1/me"): "getMe",
        ("GET", "/v1/projects"): "listProjects",
        ("POST", "/v1/projects"): "createProject",
        ("GET", "/v1/projects/{project_id}"): "getProject",
        ("PUT", "/v1/projects/{project_id}"): "updateProject",
        ("PATCH", "/v1/projects/{project_id}"): "patchProject",
        ("DELETE", "/v1/projects/{project_id}"): "deleteProject",
        ("GET", "/v1/projects/{project_id}/tasks"): "listTasks",
        ("POST", "/v1/projects/{project_id}/tasks"): "createTask",
        ("GET", "/v1/tasks/{task_id}"): "getTask",
        ("PUT", "/v1/tasks/{task_id}"): "updateTask",
        ("PATCH", "/v1/tasks/{task_id}"): "patchTask",
        ("DELETE", "/v1/tasks/{task_id}"): "deleteTask",
        ("POST", "/v1/tasks/{task_id}/complete"): "completeTask",
        ("GET", "/v1/tasks/{task_id}/attachments"): "listAttachments",
        ("POST", "/v1/tasks/{task_id}/attachments"): "createAttachment",
        ("GET", "/v1/attachments/{attachment_id}/content"): "getAttachmentContent",
        ("DELETE", "/v1/attachments/{attachment_id}"): "deleteAttachment",
        ("GET", "/healthz"): "getHealth",
    }
    complete = document["paths"]["/v1/tasks/{task_id}/complete"]["post"]
    assert complete["deprecated"] is True
    public = {"createUser", "createToken", "getHealth"}
    for path, item in document["paths"].items():
        for operation in item.values():
            expected = [] if operation["operationId"] in public else [{"bearerAuth": []}]
            assert operation["security"] == expected, path
