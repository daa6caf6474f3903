"""A Python SDK generated from the committed documents drives Taskboard through a user's day.

openapi-python-client turns openapi/openapi.json (3.1) and openapi/openapi-3.0.json into typed
clients, the way a team would ship one; a warning from the generator means the document has
a construct it cannot turn into code, which is a bug in the document. The 3.1 client then
drives `python -m example_service` over real HTTP: sign up, sign in, create a project and
tasks, list them with filters and pages, patch with If-Match, upload and download an
attachment, and delete.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.live import example_service

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGE = "taskboard_client"
NEXT = re.compile(r'<([^>]*)>; rel="next"')


def generate(document: str, parent: Path) -> Path:
    """Generate the client package from a committed document; return its parent directory."""
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(ROOT / "openapi" / document),
            "--output-path",
            str(parent / PACKAGE),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        cwd=parent,
        # The generator formats its output with ruff, found on PATH: the venv's, under make test.
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert output.strip() == f"Generating {parent / PACKAGE}", output
    return parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate("openapi.json", tmp_path_factory.mktemp("sdk"))


def test_client_from_the_30_document_generates_without_warnings(tmp_path: Path) -> None:
    parent = generate("openapi-3.0.json", tmp_path)

    assert (parent / PACKAGE / "api" / "tasks" / "patch_task.py").is_file()


@pytest.fixture(scope="module")
def sdk(generated: Path) -> Iterator[ModuleType]:
    """Import the generated package (and its submodules on demand); unload it afterwards."""
    sys.path.insert(0, str(generated))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(generated))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


def call(name: str) -> Any:
    """Return an operation's module of the generated package, such as `tasks.patch_task`."""
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def models() -> Any:
    return importlib.import_module(f"{PACKAGE}.models")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run Taskboard on a free port and a fresh SQLite file; yield its URL."""
    with example_service(tmp_path_factory.mktemp("server")) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def anonymous(sdk: ModuleType, server: str) -> Iterator[Any]:
    with sdk.Client(base_url=server, raise_on_unexpected_status=True) as client:
        yield client


@pytest.fixture(scope="module")
def user(sdk: ModuleType, server: str, anonymous: Any) -> Iterator[Any]:
    """Sign up a fresh user and sign in: yield a client that sends their token."""
    email = f"sam-{uuid.uuid4().hex[:8]}@example.com"
    signed_up = call("accounts.create_user").sync_detailed(
        client=anonymous,
        body=models().NewUser(email=email, password="correct horse", display_name="Sam"),
    )
    assert signed_up.status_code == HTTPStatus.CREATED
    assert signed_up.parsed.email == email
    token = call("accounts.create_token").sync(
        client=anonymous, body=models().Credentials(email=email, password="correct horse")
    )
    assert isinstance(token, models().Token)
    assert token.token_type == "Bearer"
    with sdk.AuthenticatedClient(
        base_url=server, token=token.access_token, raise_on_unexpected_status=True
    ) as client:
        yield client


def test_generated_client_has_one_function_per_operation(sdk: ModuleType) -> None:
    operations = {
        "accounts": ("create_user", "create_token", "get_me"),
        "health": ("get_health",),
        "projects": (
            "list_projects",
            "create_project",
            "get_project",
            "update_project",
            "patch_project",
            "delete_project",
        ),
        "tasks": (
            "list_tasks",
            "create_task",
            "get_task",
            "update_task",
            "patch_task",
            "delete_task",
            "complete_task",
        ),
        "attachments": (
            "list_attachments",
            "create_attachment",
            "get_attachment_content",
            "delete_attachment",
        ),
    }

    for tag, names in operations.items():
        for name in names:
            assert callable(call(f"{tag}.{name}").sync_detailed), name


def test_wrong_password_parses_401_as_problem(anonymous: Any) -> None:
    response = call("accounts.create_token").sync_detailed(
        client=anonymous, body=models().Credentials(email="nobody@example.com", password="nope")
    )

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Taskboard"'
    assert isinstance(response.parsed, models().Problem)
    assert response.parsed.detail == "The email or password is not valid."


def test_journey_from_sign_up_to_cleanup(user: Any) -> None:
    me = call("accounts.get_me").sync(client=user)
    assert isinstance(me, models().User)
    assert me.display_name == "Sam"

    # A project, then tasks in it.
    project = call("projects.create_project").sync_detailed(
        client=user, body=models().Project(name="Moving house", color="#aa3300")
    )
    assert project.status_code == HTTPStatus.CREATED
    assert project.headers["Location"] == f"/v1/projects/{project.parsed.id}"
    project_id = project.parsed.id
    due = dt.datetime(2030, 5, 1, 9, 0, tzinfo=dt.UTC)
    titles = ["Book the van", "Pack the books", "Pack the kitchen", "Tell the bank", "Party"]
    for index, title in enumerate(titles):
        created = call("tasks.create_task").sync_detailed(
            client=user,
            project_id=project_id,
            body=models().Task(
                title=title,
                priority=models().TaskPriority.HIGH if index == 0 else models().TaskPriority.NORMAL,
                tags=["packing"] if title.startswith("Pack") else [],
                due_at=due + dt.timedelta(days=index),
            ),
        )
        assert created.status_code == HTTPStatus.CREATED, created.content
        assert created.parsed.title == title
        assert created.parsed.due_at == due + dt.timedelta(days=index)

    # Filters, sorting and cursor pages.
    packing = call("tasks.list_tasks").sync(client=user, project_id=project_id, tag="packing")
    assert [task.title for task in packing] == ["Pack the books", "Pack the kitchen"]
    urgent = call("tasks.list_tasks").sync(
        client=user, project_id=project_id, priority=models().ListTasksPriority.HIGH
    )
    assert [task.title for task in urgent] == ["Book the van"]
    seen, cursor = [], None
    for _ in range(5):
        page = call("tasks.list_tasks").sync_detailed(
            client=user,
            project_id=project_id,
            sort="-due_at",
            limit=2,
            **({"cursor": cursor} if cursor else {}),
        )
        assert page.status_code == HTTPStatus.OK
        seen += [task.title for task in page.parsed]
        found = NEXT.search(page.headers.get("Link", ""))
        if found is None:
            break
        cursor = re.search(r"cursor=([^&]+)", found.group(1)).group(1)  # type: ignore[union-attr]
        cursor = cursor.replace("%3D", "=")
    assert seen == list(reversed(titles))

    # Patch with If-Match: the ETag of the last read, then a stale one.
    task = packing[0]
    read = call("tasks.get_task").sync_detailed(client=user, task_id=task.id)
    etag = read.headers["ETag"]
    patched = call("tasks.patch_task").sync_detailed(
        client=user,
        task_id=task.id,
        if_match=etag,
        body=models().PatchTaskBody(done=True, due_at=None),
    )
    assert patched.status_code == HTTPStatus.OK
    assert patched.parsed.done is True
    assert patched.parsed.due_at is None
    assert patched.parsed.title == "Pack the books"
    stale = call("tasks.patch_task").sync_detailed(
        client=user, task_id=task.id, if_match=etag, body=models().PatchTaskBody(done=False)
    )
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert isinstance(stale.parsed, models().Problem)

    # Upload an attachment, list it, download its bytes.
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    file = importlib.import_module(f"{PACKAGE}.types").File(
        payload=io.BytesIO(content), file_name="floor plan.png", mime_type="image/png"
    )
    uploaded = call("attachments.create_attachment").sync_detailed(
        client=user,
        task_id=task.id,
        body=models().CreateAttachmentBody(file=file, description="Where the boxes go"),
    )
    assert uploaded.status_code == HTTPStatus.CREATED, uploaded.content
    attachment = uploaded.parsed
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "floor plan.png",
        "image/png",
        len(content),
    )
    listed = call("attachments.list_attachments").sync(client=user, task_id=task.id)
    assert [item.id for item in listed] == [attachment.id]
    downloaded = call("attachments.get_attachment_content").sync_detailed(
        client=user, attachment_id=attachment.id
    )
    assert downloaded.status_code == HTTPStatus.OK
    assert downloaded.headers["Content-Type"] == "image/png"
    assert downloaded.parsed.payload.read() == content

    # Clean up: the attachment, then the project (its tasks go with it).
    removed = call("attachments.delete_attachment").sync_detailed(
        client=user, attachment_id=attachment.id
    )
    assert removed.status_code == HTTPStatus.NO_CONTENT
    current = call("projects.get_project").sync_detailed(client=user, project_id=project_id)
    deleted = call("projects.delete_project").sync_detailed(
        client=user, project_id=project_id, if_match=current.headers["ETag"]
    )
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    gone = call("tasks.get_task").sync_detailed(client=user, task_id=task.id)
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert isinstance(gone.parsed, models().Problem)


def test_invalid_task_parses_422_as_validation_problem(user: Any) -> None:
    project = call("projects.create_project").sync(client=user, body=models().Project(name="X"))

    response = call("tasks.create_task").sync_detailed(
        client=user, project_id=project.id, body=models().Task(title="", tags=["x" * 31])
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    problem = response.parsed
    assert isinstance(problem, models().ValidationProblem)
    assert [(error.in_, error.pointer) for error in problem.errors] == [
        (models().InputErrorIn.BODY, "/title"),
        (models().InputErrorIn.BODY, "/tags/0"),
    ]
