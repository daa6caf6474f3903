"""The download example of docs/responses.md and docs/conditional.md (docs/examples/downloads.py).

A PDF sent as a ready response and documented with `ResponseSpec(content_type=...,
headers=...)`, tagged with `make_entity_tag`, answered 304 when the client's copy is current;
a replacement refused with 412 when `If-Match` names other bytes; and the building blocks of
`restkit.conditional` as the conditional page's table describes them.
"""

from __future__ import annotations

import io
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields
from openapi_spec_validator import validate
from werkzeug.datastructures import Headers

from restkit import Api, Blueprint, Resource, ResponseSpec, operation
from restkit.conditional import (
    EntityTag,
    evaluate_preconditions,
    make_entity_tag,
    parse_entity_tags,
)
from restkit.problems import BadRequest
from tests.test_docs_examples import load_example

PROBLEM_JSON = "application/problem+json"
MARCH_TAG = '"EvmN_pavG1jN7rVXllt92A"'
PDF = "/v1/reports/1/pdf"


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = load_example("downloads", monkeypatch)
    monkeypatch.setattr(module, "REPORTS", {1: dict(module.REPORTS[1])})
    return module


@pytest.fixture
def client(example: ModuleType) -> FlaskClient:
    app: Flask = example.create_app()
    return app.test_client()


def upload(content: bytes, mimetype: str = "application/pdf") -> dict[str, Any]:
    return {"file": (io.BytesIO(content), "april.pdf", mimetype)}


def test_downloads_get_returns_the_file_with_its_tag(client: FlaskClient) -> None:
    response = client.get(PDF)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == "28"
    assert response.headers["Content-Disposition"] == "attachment; filename=march.pdf"
    assert response.headers["ETag"] == MARCH_TAG
    assert response.get_data() == b"%PDF-1.7\n% the March report\n"


def test_downloads_get_with_current_tag_returns_304_without_body(client: FlaskClient) -> None:
    response = client.get(PDF, headers={"If-None-Match": MARCH_TAG})

    assert response.status_code == 304
    assert response.headers["ETag"] == MARCH_TAG
    assert response.headers["Content-Disposition"] == "attachment; filename=march.pdf"
    assert "Content-Type" not in response.headers
    assert response.get_data() == b""


def test_downloads_get_with_other_tag_returns_200(client: FlaskClient) -> None:
    response = client.get(PDF, headers={"If-None-Match": '"an-old-tag"'})

    assert response.status_code == 200


def test_downloads_get_unknown_report_returns_404_problem(client: FlaskClient) -> None:
    response = client.get("/v1/reports/9/pdf")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON


def test_downloads_put_with_current_tag_replaces_then_same_tag_gets_412(
    client: FlaskClient,
) -> None:
    first = client.put(PDF, data=upload(b"%PDF april"), headers={"If-Match": MARCH_TAG})
    second = client.put(PDF, data=upload(b"%PDF april"), headers={"If-Match": MARCH_TAG})

    assert first.status_code == 204
    assert second.status_code == 412
    assert second.headers["Content-Type"] == PROBLEM_JSON
    assert second.headers["Content-Length"] == "118"
    assert second.get_json() == {
        "type": "about:blank",
        "title": "Precondition Failed",
        "status": 412,
        "detail": "The file changed since you downloaded it.",
    }
    assert client.get(PDF).get_data() == b"%PDF april"


def test_downloads_put_with_malformed_if_match_returns_400(client: FlaskClient) -> None:
    response = client.put(PDF, data=upload(b"%PDF april"), headers={"If-Match": "march"})

    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON


def test_downloads_put_without_pdf_returns_422(client: FlaskClient) -> None:
    response = client.put(PDF, data=upload(b"hello", "text/plain"), headers={"If-Match": "*"})

    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"in": "files", "name": "file", "detail": "Send a PDF file."}
    ]


def test_downloads_document_describes_the_file_304_and_412(client: FlaskClient) -> None:
    response = client.get("/v1/openapi.json")

    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    operations = spec["paths"]["/v1/reports/{report_id}/pdf"]
    assert operations["get"]["responses"]["200"] == {
        "description": "The PDF file.",
        "headers": {
            "Content-Disposition": {
                "description": "`attachment`, with the file's name.",
                "schema": {"type": "string"},
            }
        },
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
    assert operations["get"]["responses"]["304"] == {"description": "Not Modified"}
    assert "412" in operations["put"]["responses"]


# What the pages say of ResponseSpec(content_type=...)


class Report(Schema):
    name = fields.String()


def test_downloads_content_type_status_answered_with_a_dict_returns_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reports = Blueprint("reports")

    @reports.route("/report")
    class ReportFile(Resource):
        @operation(responses={200: ResponseSpec(content_type="application/pdf")})
        def get(self) -> dict[str, str]:
            return {"name": "march.pdf"}

    app = Flask(__name__)
    Api(app, url_prefix="/v1").register_blueprint(reports)

    response = app.test_client().get("/v1/report")

    assert response.status_code == 500
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "ResponseError" in caplog.text


def test_downloads_content_type_with_schema_is_refused() -> None:
    from restkit.errors import DeclarationError

    with pytest.raises(DeclarationError, match="both a schema and content_type"):
        ResponseSpec(Report, content_type="application/pdf")


# The building blocks of restkit.conditional


@pytest.mark.parametrize(
    ("value", "weak", "header"),
    [
        (7, False, '"7"'),
        ("v7", True, 'W/"v7"'),
        (b"%PDF-1.7\n% the March report\n", False, MARCH_TAG),
    ],
)
def test_downloads_make_entity_tag_gives_the_header_form(
    value: object, weak: bool, header: str
) -> None:
    tag = make_entity_tag(value, weak=weak)

    assert str(tag) == header
    assert tag.opaque == header.removeprefix("W/").strip('"')


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("*", "*"),
        ('"a", W/"b"', [EntityTag("a"), EntityTag("b", weak=True)]),
    ],
)
def test_downloads_parse_entity_tags_reads_lists_and_star(header: str, parsed: object) -> None:
    assert parse_entity_tags(header) == parsed


def test_downloads_parse_entity_tags_with_bare_word_raises_value_error() -> None:
    with pytest.raises(ValueError, match="march"):
        parse_entity_tags("march")


@pytest.mark.parametrize(
    ("method", "headers", "outcome"),
    [
        ("GET", {"If-None-Match": '"7"'}, 304),
        ("GET", {"If-None-Match": '"8"'}, None),
        ("PUT", {"If-Match": '"8"'}, 412),
        ("PUT", {"If-Match": '"7"'}, None),
        ("PUT", {}, None),
    ],
)
def test_downloads_evaluate_preconditions_returns_none_304_or_412(
    method: str, headers: dict[str, str], outcome: int | None
) -> None:
    assert evaluate_preconditions(method, Headers(headers), make_entity_tag(7), None) == outcome


def test_downloads_evaluate_preconditions_with_malformed_header_raises_400() -> None:
    with pytest.raises(BadRequest):
        evaluate_preconditions("PUT", Headers({"If-Match": "seven"}), make_entity_tag(7), None)
