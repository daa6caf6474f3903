"""Hostile text in requests: NUL characters, bytes that are not UTF-8, malformed multipart."""

from __future__ import annotations

import io
from typing import Any

import pytest
from marshmallow import Schema, fields

from restkit import Idempotency, Resource, operation
from restkit._fields import NUL_MESSAGE

PROBLEM_JSON = "application/problem+json"
UTF8_MESSAGE = "Not valid UTF-8: percent-encode the value's UTF-8 bytes."


class Note(Schema):
    title = fields.String(required=True)
    tags = fields.List(fields.Email())


class Search(Schema):
    q = fields.String()
    page = fields.Integer()


class Upload(Schema):
    description = fields.String()


class Notes(Resource):
    @operation(body=Note, response=Note)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        return body

    @operation(query=Search, response=Search)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        return query


class Forms(Resource):
    @operation(form=Upload, files={"file": fields.Raw(required=True)}, response=Upload)
    def post(self, form: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        return form


def errors_of(response: Any, status: int) -> list[dict[str, str]]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == PROBLEM_JSON
    errors: list[dict[str, str]] = response.get_json().get("errors", [])
    return errors


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"title": "a\x00b"}, "/title"),
        ({"title": "ok", "tags": ["a@example.com", "b\x00@example.com"]}, "/tags/1"),
    ],
)
def test_nul_in_a_json_string_is_refused_with_its_pointer(make_client, body, pointer):
    response = make_client({"/notes": Notes}).post("/notes", json=body)

    assert errors_of(response, 422) == [{"in": "body", "pointer": pointer, "detail": NUL_MESSAGE}]


def test_nul_in_a_query_value_is_refused_by_name(make_client):
    response = make_client({"/notes": Notes}).get("/notes", query_string={"q": "a\x00b"})

    assert errors_of(response, 422) == [{"in": "query", "name": "q", "detail": NUL_MESSAGE}]


def test_nul_in_a_form_field_is_refused_by_name(make_client):
    data = {"description": "a\x00b", "file": (io.BytesIO(b"x"), "x.txt")}
    response = make_client({"/forms": Forms}).post("/forms", data=data)

    assert errors_of(response, 422) == [
        {"in": "form", "name": "description", "detail": NUL_MESSAGE}
    ]


def test_other_control_characters_and_unicode_are_kept(make_client):
    title = "tab\there, bell\x07, ünïcødé, 😀"
    response = make_client({"/notes": Notes}).post("/notes", json={"title": title})

    assert response.status_code == 200
    assert response.get_json() == {"title": title}


@pytest.mark.parametrize(
    ("query_string", "names"),
    [
        ("q=%ff%fe", ["q"]),
        ("q=ok&page=%c0%af", ["page"]),
        ("q=%ff&page=%ff&q=%fe", ["q", "page"]),
        ("q=\xff\xfe", ["q"]),  # raw bytes, not percent-encoded (WSGI gives them as latin-1)
    ],
)
def test_query_values_that_are_not_utf8_are_refused_by_name(make_client, query_string, names):
    client = make_client({"/notes": Notes})

    response = client.get("/notes", environ_overrides={"QUERY_STRING": query_string})

    assert errors_of(response, 422) == [
        {"in": "query", "name": name, "detail": UTF8_MESSAGE} for name in names
    ]


def test_percent_encoded_utf8_query_values_are_read(make_client):
    response = make_client({"/notes": Notes}).get("/notes?q=%C3%BC+%F0%9F%98%80")

    assert response.status_code == 200
    assert response.get_json() == {"q": "ü 😀"}


def test_multipart_without_boundary_is_a_400_that_says_so(make_client):
    client = make_client({"/forms": Forms})
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nx\r\n--x--\r\n'

    response = client.post("/forms", data=body, content_type="multipart/form-data")

    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "has no boundary" in response.get_json()["detail"]


def test_idempotency_key_with_several_values_is_a_400(make_client):
    class Keyed(Resource):
        @operation(body=Note, response=Note, idempotency=Idempotency())
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            return body

    client = make_client({"/keyed": Keyed})

    refused = client.post("/keyed", json={"title": "a"}, headers={"Idempotency-Key": "k1,k2"})
    quoted = client.post("/keyed", json={"title": "a"}, headers={"Idempotency-Key": '"k1,k2"'})

    assert refused.status_code == 400
    assert "one Idempotency-Key header with one key" in refused.get_json()["detail"]
    assert quoted.status_code == 200


class FilesOnly(Resource):
    @operation(files={"file": fields.Raw(required=True)}, response={"size": fields.Integer()})
    def post(self, files: dict[str, Any]) -> dict[str, Any]:
        return {"size": len(files["file"].read())}


class FormOnly(Resource):
    @operation(form=Upload, response=Upload)
    def post(self, form: dict[str, Any]) -> dict[str, Any]:
        return form


def test_multipart_text_part_beside_declared_files_is_an_unknown_field(make_client):
    data = {"file": (io.BytesIO(b"abc"), "a.txt"), "extra": "1"}

    response = make_client({"/files": FilesOnly}).post("/files", data=data)

    assert errors_of(response, 422) == [{"in": "form", "name": "extra", "detail": "Unknown field."}]


def test_multipart_file_part_beside_declared_form_fields_is_an_unknown_field(make_client):
    data = {"description": "d", "stray": (io.BytesIO(b"abc"), "a.txt")}

    response = make_client({"/form": FormOnly}).post("/form", data=data)

    assert errors_of(response, 422) == [
        {"in": "files", "name": "stray", "detail": "Unknown field."}
    ]


def test_multipart_with_only_declared_parts_is_read(make_client):
    client = make_client({"/files": FilesOnly, "/form": FormOnly})

    files = client.post("/files", data={"file": (io.BytesIO(b"abc"), "a.txt")})
    form = client.post("/form", data={"description": "d"})
    urlencoded = client.post("/form", data={"description": "d"}, content_type=None)

    assert (files.status_code, files.get_json()) == (200, {"size": 3})
    assert (form.status_code, form.get_json()) == (200, {"description": "d"})
    assert urlencoded.status_code == 200


MULTIPART_BAD_TEXT = (
    b'--x\r\nContent-Disposition: form-data; name="description"\r\n\r\n\xff\xfe\r\n'
    b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc\r\n--x--\r\n'
)
UTF8_FORM = "Not valid UTF-8: send the field's text as UTF-8."


def test_multipart_text_field_that_is_not_utf8_is_refused_by_name(make_client):
    client = make_client({"/forms": Forms})

    response = client.post(
        "/forms", data=MULTIPART_BAD_TEXT, content_type="multipart/form-data; boundary=x"
    )

    assert errors_of(response, 422) == [{"in": "form", "name": "description", "detail": UTF8_FORM}]


@pytest.mark.parametrize("body", [b"description=%ff%fe", b"description=\xff\xfe"])
def test_urlencoded_field_that_is_not_utf8_is_refused_by_name(make_client, body):
    client = make_client({"/form": FormOnly})

    response = client.post("/form", data=body, content_type="application/x-www-form-urlencoded")

    assert errors_of(response, 422) == [{"in": "form", "name": "description", "detail": UTF8_FORM}]


def test_form_text_in_utf8_and_a_replacement_character_sent_as_such_are_read(make_client):
    client = make_client({"/form": FormOnly})
    text = "ünï \ufffd 😀"

    urlencoded = client.post("/form", data={"description": text})
    multipart = client.post("/form", data={"description": text}, content_type="multipart/form-data")

    assert urlencoded.get_json() == multipart.get_json() == {"description": text}


def test_form_part_with_a_latin1_charset_is_read_as_latin1(make_client):
    body = (
        b'--x\r\nContent-Disposition: form-data; name="description"\r\n'
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf\xe9\r\n--x--\r\n"
    )
    client = make_client({"/form": FormOnly})

    response = client.post("/form", data=body, content_type="multipart/form-data; boundary=x")

    assert (response.status_code, response.get_json()) == (200, {"description": "café"})
