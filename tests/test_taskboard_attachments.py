"""Taskboard end to end: files attached to tasks, over HTTP on both databases.

Multipart upload (at most 5 MiB), listing, download with conditional requests, deletion, and
the rule that another user's file does not exist for the caller.
"""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from tests.taskboard_live import PROBLEM, etag_of, make_project, make_task

pytest_plugins = ["tests.taskboard_live"]

MIB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def task_id(alice: httpx.Client) -> int:
    """A new task of Alice's, in a new project."""
    task_id: int = make_task(alice, make_project(alice, "Files")["id"], "With files")["id"]
    return task_id


def upload(
    client: httpx.Client,
    task_id: int,
    content: bytes = PNG,
    filename: str = "photo.png",
    content_type: str = "image/png",
    **form: str,
) -> httpx.Response:
    """POST a multipart upload of one file (and form fields) to the task."""
    return client.post(
        f"/v1/tasks/{task_id}/attachments",
        files={"file": (filename, content, content_type)},
        data=form,
    )


def uploaded(client: httpx.Client, task_id: int, **options: Any) -> dict[str, Any]:
    response = upload(client, task_id, **options)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# -- createAttachment ---------------------------------------------------------------------------


def test_upload_with_file_and_description_returns_201_with_metadata(
    alice: httpx.Client, task_id: int
) -> None:
    response = upload(alice, task_id, description="The receipt")

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    attachment = response.json()
    assert response.headers["Location"].endswith(f"/v1/attachments/{attachment['id']}/content")
    assert attachment == {
        "id": attachment["id"],
        "task_id": task_id,
        "filename": "photo.png",
        "content_type": "image/png",
        "size": len(PNG),
        "description": "The receipt",
        "created_at": attachment["created_at"],
    }
    assert attachment["created_at"].endswith("+00:00")


def test_upload_without_description_stores_null(alice: httpx.Client, task_id: int) -> None:
    attachment = uploaded(alice, task_id)

    assert attachment["description"] is None


def test_upload_of_exactly_5_mib_returns_201(alice: httpx.Client, task_id: int) -> None:
    content = b"\x00\x01" * (5 * MIB // 2)

    response = upload(alice, task_id, content, "big.bin", "application/octet-stream")

    assert response.status_code == 201
    assert response.json()["size"] == 5 * MIB
    download = alice.get(response.headers["Location"])
    assert download.status_code == 200
    assert hashlib.sha256(download.content).digest() == hashlib.sha256(content).digest()


def test_upload_of_5_mib_and_1_byte_returns_413_problem(alice: httpx.Client, task_id: int) -> None:
    response = upload(alice, task_id, b"x" * (5 * MIB + 1), "big.bin", "application/octet-stream")

    assert response.status_code == 413
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json()["status"] == 413
    assert alice.get(f"/v1/tasks/{task_id}/attachments").json() == []


def test_upload_without_file_returns_422_naming_it(alice: httpx.Client, task_id: int) -> None:
    # A multipart body with the description only: (None, value) is a plain form field.
    response = alice.post(
        f"/v1/tasks/{task_id}/attachments", files={"description": (None, "No file")}
    )

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    errors = response.json()["errors"]
    assert [(error["in"], error["name"]) for error in errors] == [("files", "file")]


def test_upload_as_json_returns_415(alice: httpx.Client, task_id: int) -> None:
    response = alice.post(f"/v1/tasks/{task_id}/attachments", json={"file": "aGVsbG8="})

    assert response.status_code == 415
    assert response.headers["Content-Type"] == PROBLEM


def test_upload_with_long_description_returns_422(alice: httpx.Client, task_id: int) -> None:
    response = upload(alice, task_id, description="d" * 501)

    assert response.status_code == 422
    assert [error["name"] for error in response.json()["errors"]] == ["description"]


def test_upload_with_path_in_filename_keeps_the_base_name(
    alice: httpx.Client, task_id: int
) -> None:
    attachment = uploaded(alice, task_id, filename="../../etc/passwd", content_type="text/plain")

    assert attachment["filename"] == "passwd"


def test_upload_to_missing_task_returns_404(alice: httpx.Client) -> None:
    response = upload(alice, 987654321)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM


# -- listAttachments ----------------------------------------------------------------------------


def test_list_attachments_returns_the_tasks_files_oldest_first(
    alice: httpx.Client, task_id: int
) -> None:
    first = uploaded(alice, task_id, filename="a.png")
    second = uploaded(
        alice, task_id, content=b"%PDF-1.7", filename="b.pdf", content_type="application/pdf"
    )
    other_task = make_task(alice, make_project(alice)["id"])
    uploaded(alice, other_task["id"], filename="elsewhere.png")

    response = alice.get(f"/v1/tasks/{task_id}/attachments")

    assert response.status_code == 200
    assert response.json() == [first, second]


def test_list_attachments_of_task_without_files_returns_empty_list(
    alice: httpx.Client, task_id: int
) -> None:
    response = alice.get(f"/v1/tasks/{task_id}/attachments")

    assert response.status_code == 200
    assert response.json() == []


# -- getAttachmentContent -----------------------------------------------------------------------


def test_download_returns_identical_bytes_with_type_name_and_etag(
    alice: httpx.Client, task_id: int
) -> None:
    attachment = uploaded(alice, task_id, filename="receipt.png")

    response = alice.get(f"/v1/attachments/{attachment['id']}/content")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "receipt.png" in disposition
    assert response.headers["ETag"]
    assert response.headers["Content-Length"] == str(len(PNG))
    assert response.content == PNG


def test_download_of_non_ascii_filename_encodes_it_in_content_disposition(
    alice: httpx.Client, task_id: int
) -> None:
    attachment = uploaded(alice, task_id, filename="reçu d'été.png")

    response = alice.get(f"/v1/attachments/{attachment['id']}/content")

    assert response.status_code == 200
    assert attachment["filename"] == "reçu d'été.png"
    # RFC 6266 §4.3: the UTF-8 name in filename*, as header values are Latin-1 at best.
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''re%C3%A7u%20d%27%C3%A9t%C3%A9.png" in disposition


def test_download_with_matching_if_none_match_returns_304(
    alice: httpx.Client, task_id: int
) -> None:
    path = f"/v1/attachments/{uploaded(alice, task_id)['id']}/content"
    etag = etag_of(alice, path)

    response = alice.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_download_of_same_bytes_has_same_etag(alice: httpx.Client, task_id: int) -> None:
    first = uploaded(alice, task_id, filename="one.png")
    second = uploaded(alice, task_id, filename="two.png")
    third = uploaded(alice, task_id, content=b"other bytes", filename="three.png")

    etags = [etag_of(alice, f"/v1/attachments/{a['id']}/content") for a in (first, second, third)]

    assert etags[0] == etags[1]
    assert etags[2] != etags[0]


# -- deleteAttachment ---------------------------------------------------------------------------


def test_delete_attachment_returns_204_then_404(alice: httpx.Client, task_id: int) -> None:
    attachment = uploaded(alice, task_id)
    path = f"/v1/attachments/{attachment['id']}"

    response = alice.delete(path)

    assert response.status_code == 204
    assert response.content == b""
    assert alice.get(f"{path}/content").status_code == 404
    assert alice.delete(path).status_code == 404
    assert alice.get(f"/v1/tasks/{task_id}/attachments").json() == []


def test_delete_task_removes_its_attachments(alice: httpx.Client, task_id: int) -> None:
    attachment = uploaded(alice, task_id)
    task_path = f"/v1/tasks/{task_id}"

    deleted = alice.delete(task_path, headers={"If-Match": etag_of(alice, task_path)})

    assert deleted.status_code == 204
    assert alice.get(f"/v1/attachments/{attachment['id']}/content").status_code == 404
    assert alice.delete(f"/v1/attachments/{attachment['id']}").status_code == 404
    assert alice.get(f"{task_path}/attachments").status_code == 404


# -- another user's files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/attachments/{attachment}/content"),
        ("DELETE", "/v1/attachments/{attachment}"),
        ("GET", "/v1/tasks/{task}/attachments"),
    ],
    ids=["download", "delete", "list"],
)
def test_other_users_attachment_returns_404(
    alice: httpx.Client, bob: httpx.Client, method: str, path: str
) -> None:
    bobs_task = make_task(bob, make_project(bob, "Bob's")["id"])
    attachment = uploaded(bob, bobs_task["id"])

    response = alice.request(method, path.format(attachment=attachment["id"], task=bobs_task["id"]))

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM
    assert bob.get(f"/v1/attachments/{attachment['id']}/content").content == PNG


def test_upload_to_other_users_task_returns_404(alice: httpx.Client, bob: httpx.Client) -> None:
    bobs_task = make_task(bob, make_project(bob, "Bob's")["id"])

    response = upload(alice, bobs_task["id"])

    assert response.status_code == 404
    assert bob.get(f"/v1/tasks/{bobs_task['id']}/attachments").json() == []
