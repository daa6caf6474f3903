"""Input hygiene beyond the defaults: read-only fields under INCLUDE, Dict keys, instances."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import INCLUDE, Schema, fields, validate

from restkit import Resource, operation
from restkit.problems import Conflict


class OpenNote(Schema):
    class Meta:
        unknown = INCLUDE

    id = fields.Integer(dump_only=True)
    text = fields.String(required=True)


class OpenForm(Schema):
    class Meta:
        unknown = INCLUDE

    id = fields.Integer(dump_only=True)
    text = fields.String(required=True)


class Scores(Schema):
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(max=3)), values=fields.Integer()
    )


class Echo(Schema):
    value = fields.Raw()


class Notes(Resource):
    @operation(body=OpenNote, response=Echo)
    def post(self, body: dict[str, Any]) -> Any:
        return {"value": body}

    @operation(form=OpenForm, response=Echo)
    def put(self, form: dict[str, Any]) -> Any:
        return {"value": form}


class Boards(Resource):
    @operation(body=Scores, response=Echo)
    def post(self, body: dict[str, Any]) -> Any:
        return {"value": body}


def test_body_with_include_and_read_only_field_returns_422_and_never_passes_it(make_client):
    client = make_client({"/notes": Notes})

    response = client.post("/notes", json={"id": 99, "text": "hi", "extra": 1})

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.get_json()["errors"] == [
        {"in": "body", "pointer": "/id", "detail": "This field is read-only."}
    ]


def test_body_with_include_keeps_unknown_fields_that_are_not_read_only(make_client):
    client = make_client({"/notes": Notes})

    response = client.post("/notes", json={"text": "hi", "extra": 1})

    assert response.status_code == 200
    assert response.get_json() == {"value": {"text": "hi", "extra": 1}}


def test_form_with_include_and_read_only_field_names_it(make_client):
    client = make_client({"/notes": Notes})

    response = client.put("/notes", data={"id": "5", "text": "hi"})

    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"in": "form", "name": "id", "detail": "This field is read-only."}
    ]


def test_body_dict_key_and_value_errors_point_at_the_entry(make_client):
    client = make_client({"/boards": Boards})

    response = client.post("/boards", json={"scores": {"long": 1, "ok": "x"}})

    assert response.status_code == 422
    assert sorted(response.get_json()["errors"], key=lambda e: e["pointer"]) == [
        {"in": "body", "pointer": "/scores/long", "detail": "Key: Longer than maximum length 3."},
        {"in": "body", "pointer": "/scores/ok", "detail": "Not a valid integer."},
    ]


def test_problem_with_instance_renders_the_instance_member(make_client):
    class Orders(Resource):
        @operation(response=Echo)
        def get(self) -> Any:
            raise Conflict("Order 7 is closed.", instance="/orders/7")

    response = make_client({"/orders": Orders}).get("/orders")

    assert response.status_code == 409
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "Order 7 is closed.",
        "instance": "/orders/7",
    }


class Money(Schema):
    cents = fields.Integer(as_string=True)
    price = fields.Decimal(as_string=True)


class Prices(Resource):
    @operation(body=Money, response=Money)
    def post(self, body: dict[str, Any]) -> Any:
        return body


def test_body_as_string_numbers_given_strings_are_accepted(make_client):
    response = make_client({"/prices": Prices}).post(
        "/prices", json={"cents": "1999", "price": "19.99"}
    )

    assert response.status_code == 200
    assert response.get_json() == {"cents": "1999", "price": "19.99"}


@pytest.mark.parametrize(
    ("sent", "pointer"),
    [({"cents": 1999}, "/cents"), ({"cents": "19.5"}, "/cents"), ({"price": 19.99}, "/price")],
)
def test_body_as_string_numbers_given_numbers_return_422(make_client, sent, pointer):
    response = make_client({"/prices": Prices}).post("/prices", json=sent)

    assert response.status_code == 422
    assert [error["pointer"] for error in response.get_json()["errors"]] == [pointer]
