"""Responses whose body the method sends itself: `ResponseSpec(content_type=...)`."""

from __future__ import annotations

import io

import marshmallow as ma
import pytest
from flask import Response, send_file

from restkit import DeclarationError, Resource, ResponseSpec, operation
from restkit.api import get_apis

DOWNLOAD = ResponseSpec(
    description="The file's bytes.",
    content_type=("application/pdf", "*/*"),
    headers={"Content-Disposition": "`attachment`, with the file's name."},
)


class Report(Resource):
    @operation(responses={200: DOWNLOAD, 304: None})
    def get(self) -> Response:
        return send_file(
            io.BytesIO(b"%PDF-1.7 report"),
            mimetype="application/pdf",
            as_attachment=True,
            download_name="report é.pdf",
            etag="r1",
        )


class Broken(Resource):
    @operation(responses={200: ResponseSpec(content_type="text/csv")})
    def get(self) -> str:
        return "a,b\n1,2\n"


def test_file_response_is_sent_as_returned_with_its_headers(make_client):
    response = make_client({"/report": Report}).get("/report")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"report e.pdf\"; filename*=UTF-8''report%20%C3%A9.pdf"
    )
    assert response.headers["ETag"] == '"r1"'
    assert response.data == b"%PDF-1.7 report"


def test_file_response_with_matching_if_none_match_returns_304(make_client):
    response = make_client({"/report": Report}).get("/report", headers={"If-None-Match": '"r1"'})

    assert response.status_code == 304
    assert response.data == b""


def test_file_response_returned_as_an_object_is_a_500_naming_the_fix(make_client, caplog):
    response = make_client({"/broken": Broken}).get("/broken")

    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "declares as text/csv content that it sends itself" in caplog.text
    assert "Return a flask.Response" in caplog.text


@pytest.mark.parametrize("version", ["3.1.0", "3.0.3"])
def test_file_response_is_documented_as_binary_with_its_headers(make_client, version):
    client = make_client({"/report": Report}, config={"RESTKIT_OPENAPI_VERSION": version})

    spec = get_apis(client.application)["api"].spec(client.application)
    responses = spec["paths"]["/report"]["get"]["responses"]

    assert responses["200"] == {
        "description": "The file's bytes.",
        "headers": {
            "Content-Disposition": {
                "description": "`attachment`, with the file's name.",
                "schema": {"type": "string"},
            }
        },
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "*/*": {"schema": {"type": "string", "format": "binary"}},
        },
    }
    assert responses["304"] == {"description": "Not Modified"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"content_type": "pdf"}, "give a media type such as 'application/pdf'"),
        ({"content_type": 7}, "give a media type"),
        ({"content_type": ["text/csv", "csv"]}, "or a list of them"),
        ({"content_type": "text/csv", "schema": {}}, "both a schema and content_type"),
        ({"headers": {"Bad Name": "x"}}, "give a dict of header name to description"),
        ({"headers": {"X-Size": 7}}, "give a dict of header name to description"),
    ],
)
def test_response_spec_with_malformed_file_declaration_raises(kwargs, message):
    with pytest.raises(DeclarationError, match=message):
        ResponseSpec(**kwargs)


def test_file_response_for_a_status_without_body_raises():
    with pytest.raises(DeclarationError, match="a status that has no body"):

        class Empty(Resource):
            @operation(responses={200: None, 304: ResponseSpec(content_type="text/plain")})
            def get(self) -> None:
                return None


class Tokens(Resource):
    @operation(responses={201: ResponseSpec({"token": ma.fields.String()}, location=False)})
    def post(self) -> tuple[dict[str, str], int]:
        return {"token": "t-1"}, 201


def test_created_without_location_when_declared_so_returns_201(make_client):
    response = make_client({"/tokens": Tokens}).post("/tokens")

    assert response.status_code == 201
    assert "Location" not in response.headers
    assert response.get_json() == {"token": "t-1"}


def test_created_without_location_is_documented_without_the_header(make_client):
    client = make_client({"/tokens": Tokens})

    spec = get_apis(client.application)["api"].spec(client.application)

    assert "headers" not in spec["paths"]["/tokens"]["post"]["responses"]["201"]


def test_response_spec_with_non_boolean_location_raises():
    with pytest.raises(DeclarationError, match="give True or False"):
        ResponseSpec(location="yes")  # type: ignore[arg-type]
