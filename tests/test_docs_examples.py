"""The apps shown in the docs (docs/examples/), driven through the Flask test client.

Each test loads a fresh copy of the example module, so the in-memory data starts empty.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")


def load_example(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import docs/examples/<name>.py afresh, as `docs_examples_<name>`."""
    module_name = f"docs_examples_{name}"
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module_name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def quickstart(monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    return load_example("quickstart", monkeypatch).create_app().test_client()


@pytest.fixture
def uploads(monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    return load_example("uploads", monkeypatch).create_app().test_client()


def create_task(client: FlaskClient, **task: object) -> dict[str, object]:
    response = client.post("/v1/tasks", json=task)
    assert response.status_code == 201
    body = response.get_json()
    assert isinstance(body, dict)
    return body


# The quickstart (docs/quickstart.md)


def test_quickstart_create_returns_201_with_location(quickstart: FlaskClient) -> None:
    response = quickstart.post("/v1/tasks", json={"title": "Buy milk"})

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Location"] == "/v1/tasks/1"
    body = response.get_json()
    assert TIMESTAMP.fullmatch(body.pop("created_at"))
    assert body == {"id": 1, "title": "Buy milk", "done": False}


def test_quickstart_body_is_compact_json_in_schema_order(quickstart: FlaskClient) -> None:
    response = quickstart.post("/v1/tasks", json={"done": True, "title": "Book the dentist"})

    assert response.status_code == 201
    assert re.fullmatch(
        r'\{"id":1,"title":"Book the dentist","done":true,"created_at":"[^"]+"\}',
        response.get_data(as_text=True),
    )


def test_quickstart_list_returns_tasks_oldest_first(quickstart: FlaskClient) -> None:
    create_task(quickstart, title="Buy milk")
    create_task(quickstart, title="Book the dentist", done=True)

    response = quickstart.get("/v1/tasks")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert [(t["id"], t["title"], t["done"]) for t in response.get_json()] == [
        (1, "Buy milk", False),
        (2, "Book the dentist", True),
    ]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("?done=false", ["Buy milk"]),
        ("?done=true", ["Book the dentist"]),
        ("?limit=1", ["Buy milk"]),
        ("", ["Buy milk", "Book the dentist"]),
    ],
)
def test_quickstart_list_with_query_returns_matching_tasks(
    quickstart: FlaskClient, query: str, titles: list[str]
) -> None:
    create_task(quickstart, title="Buy milk")
    create_task(quickstart, title="Book the dentist", done=True)

    response = quickstart.get("/v1/tasks" + query)

    assert response.status_code == 200
    assert [task["title"] for task in response.get_json()] == titles


def test_quickstart_get_returns_the_task(quickstart: FlaskClient) -> None:
    created = create_task(quickstart, title="Buy milk")

    response = quickstart.get("/v1/tasks/1")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == created


def test_quickstart_create_with_invalid_body_returns_422_listing_each_value(
    quickstart: FlaskClient,
) -> None:
    response = quickstart.post("/v1/tasks", json={"title": "", "done": "yes", "id": 7})

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request contains 3 invalid values.",
        "errors": [
            {"in": "body", "pointer": "/title", "detail": "Length must be between 1 and 200."},
            {"in": "body", "pointer": "/done", "detail": "Not a valid boolean."},
            {"in": "body", "pointer": "/id", "detail": "This field is read-only."},
        ],
    }


def test_quickstart_list_with_invalid_query_returns_422_naming_parameters(
    quickstart: FlaskClient,
) -> None:
    response = quickstart.get("/v1/tasks?limit=500&done=maybe")

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request contains 2 invalid values.",
        "errors": [
            {"in": "query", "name": "done", "detail": "Not a valid boolean."},
            {
                "in": "query",
                "name": "limit",
                "detail": "Must be greater than or equal to 1 and less than or equal to 100.",
            },
        ],
    }


def test_quickstart_delete_returns_204_then_get_returns_404(quickstart: FlaskClient) -> None:
    create_task(quickstart, title="Buy milk")

    deleted = quickstart.delete("/v1/tasks/1")
    read = quickstart.get("/v1/tasks/1")

    assert deleted.status_code == 204
    assert "Content-Type" not in deleted.headers
    assert deleted.data == b""
    assert read.status_code == 404
    assert read.headers["Content-Type"] == "application/problem+json"
    assert read.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is no task 1.",
    }


def test_quickstart_delete_unknown_task_returns_404(quickstart: FlaskClient) -> None:
    response = quickstart.delete("/v1/tasks/9")

    assert response.status_code == 404
    assert response.get_json()["detail"] == "There is no task 9."


def test_quickstart_create_after_delete_never_reuses_an_id(quickstart: FlaskClient) -> None:
    create_task(quickstart, title="Buy milk")
    quickstart.delete("/v1/tasks/1")

    created = create_task(quickstart, title="Walk the dog")

    assert created["id"] == 2


def test_quickstart_unsupported_method_returns_405_with_allow(quickstart: FlaskClient) -> None:
    response = quickstart.put("/v1/tasks/2")

    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) == {"DELETE", "GET", "HEAD", "OPTIONS"}
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": "This method is not allowed on this resource.",
    }


def test_quickstart_unknown_url_under_prefix_returns_404_problem(
    quickstart: FlaskClient,
) -> None:
    response = quickstart.get("/v1/projects")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "The requested resource was not found.",
    }


def test_quickstart_form_body_returns_415_with_accept(quickstart: FlaskClient) -> None:
    response = quickstart.post("/v1/tasks", data={"title": "Buy milk"})

    assert response.status_code == 415
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Accept"] == "application/json"
    assert response.get_json()["detail"] == (
        "The request body is application/x-www-form-urlencoded; send it as application/json."
    )


# The upload example (docs/inputs.md)


def upload(
    client: FlaskClient,
    content: bytes = b"%PDF-1.7 receipt",
    filename: str = "receipt.pdf",
    content_type: str = "application/pdf",
    **form: str,
) -> TestResponse:
    file = FileStorage(io.BytesIO(content), filename, content_type=content_type)
    # Encoded here, in memory: the test client spools large multipart bodies to a temporary
    # file that it never closes, which pytest reports as an unraisable ResourceWarning.
    boundary, data = encode_multipart(MultiDict([*form.items(), ("file", file)]))
    return client.post(
        "/v1/attachments", data=data, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_uploads_multipart_post_returns_201_with_location(uploads: FlaskClient) -> None:
    response = upload(uploads, description="Lunch receipt")

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Location"] == "/v1/attachments/1/content"
    assert response.get_json() == {
        "id": 1,
        "filename": "receipt.pdf",
        "content_type": "application/pdf",
        "size": 16,
        "description": "Lunch receipt",
    }


def test_uploads_without_description_uses_empty_default(uploads: FlaskClient) -> None:
    response = upload(uploads)

    assert response.status_code == 201
    assert response.get_json()["description"] == ""


def test_uploads_download_returns_the_stored_bytes(uploads: FlaskClient) -> None:
    upload(uploads, content=b"\x89PNG...", filename="photo.png", content_type="image/png")

    response = uploads.get("/v1/attachments/1/content")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.data == b"\x89PNG..."


def test_uploads_download_unknown_id_returns_404(uploads: FlaskClient) -> None:
    response = uploads.get("/v1/attachments/7/content")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["detail"] == "There is no attachment 7."


def test_uploads_with_invalid_field_and_file_returns_422_for_both(uploads: FlaskClient) -> None:
    response = upload(
        uploads,
        content=b"MZ",
        filename="setup.exe",
        content_type="application/octet-stream",
        description="x" * 501,
    )

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request contains 2 invalid values.",
        "errors": [
            {"in": "form", "name": "description", "detail": "Longer than maximum length 500."},
            {"in": "files", "name": "file", "detail": "Send a PNG, JPEG or PDF file."},
        ],
    }


def test_uploads_without_file_returns_422_missing(uploads: FlaskClient) -> None:
    response = uploads.post(
        "/v1/attachments", data={"description": "No file"}, content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"in": "files", "name": "file", "detail": "Missing data for required field."}
    ]


def test_uploads_unknown_form_field_returns_422(uploads: FlaskClient) -> None:
    response = upload(uploads, folder="receipts")

    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"in": "form", "name": "folder", "detail": "Unknown field."}
    ]


@pytest.mark.parametrize(
    ("kwargs", "received"),
    [
        ({"json": {"description": "x"}}, "application/json"),
        ({"data": {"description": "x"}}, "application/x-www-form-urlencoded"),
    ],
)
def test_uploads_without_multipart_returns_415(
    uploads: FlaskClient, kwargs: dict[str, object], received: str
) -> None:
    response = uploads.post("/v1/attachments", **kwargs)

    assert response.status_code == 415
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Accept"] == "multipart/form-data"
    assert response.get_json()["detail"] == (
        f"The request body is {received}; send it as multipart/form-data."
    )


def test_uploads_over_the_operation_limit_returns_413(uploads: FlaskClient) -> None:
    response = upload(uploads, content=b"0" * (5 * 1024 * 1024), filename="big.pdf")

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": "The request body is larger than 5242880 bytes.",
    }


def test_uploads_over_the_api_limit_but_within_the_operation_limit_returns_201(
    uploads: FlaskClient,
) -> None:
    response = upload(uploads, content=b"0" * (2 * 1024 * 1024), filename="scan.pdf")

    assert response.status_code == 201
    assert response.get_json()["size"] == 2 * 1024 * 1024
