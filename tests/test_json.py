"""JSON in and out: exact numbers, strict text, bounded depth, and encoding failures as 500s."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, fields

from restkit import Resource, operation
from restkit._json import decode_json, encode_json
from restkit.problems import BadRequest

MakeClient = Callable[..., FlaskClient]

PROBLEM_JSON = "application/problem+json"

# 22 digits: beyond 64 bits, so the body takes the exact (standard library) path.
LONG = b"1234567890123456789012"
BIG = 2**70
NAIVE = dt.datetime(2024, 5, 1, 12, 30)


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def nested(depth: int, leaf: bytes = b"1") -> bytes:
    """Return a JSON array nested `depth` levels deep around `leaf`."""
    return b"[" * depth + leaf + b"]" * depth


# --- decode_json --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b'{"a": [1, 2.5, "x", null, true]}', {"a": [1, 2.5, "x", None, True]}),
        (b"123456789012345678901234567890", 123456789012345678901234567890),
        (b"-123456789012345678901234567890", -123456789012345678901234567890),
        (b"9223372036854775807", 2**63 - 1),
        (b"18446744073709551616", 2**64),
        (
            b'{"n": [' + LONG + b', "s", {"k": null, "t": false}], "f": 1.5, "e": []}',
            {"n": [int(LONG), "s", {"k": None, "t": False}], "f": 1.5, "e": []},
        ),
        (b'"' + LONG + b'"', LONG.decode()),
        (b"0.1234567890123456789", 0.1234567890123456789),
        (b'["\\ud83d\\ude00", ' + LONG + b"]", ["\U0001f600", int(LONG)]),
        (b'{"caf\xc3\xa9": ' + LONG + b"}", {"café": int(LONG)}),
    ],
)
def test_decode_json_valid_body_is_read_exactly(raw: bytes, value: Any) -> None:
    decoded = decode_json(raw, 32)

    assert decoded == value
    assert type(decoded) is type(value)


REJECTED = [
    pytest.param(b'["\xff"]', id="invalid-utf8"),
    pytest.param(b'["\xff", ' + LONG + b"]", id="invalid-utf8-exact"),
    pytest.param(b"\xef\xbb\xbf[" + LONG + b"]", id="bom-exact"),
    pytest.param(b"[NaN]", id="nan"),
    pytest.param(b"[NaN, " + LONG + b"]", id="nan-exact"),
    pytest.param(b"[Infinity]", id="infinity"),
    pytest.param(b"[Infinity, " + LONG + b"]", id="infinity-exact"),
    pytest.param(b"[-Infinity]", id="minus-infinity"),
    pytest.param(b"[-Infinity, " + LONG + b"]", id="minus-infinity-exact"),
    pytest.param(b"[1e400]", id="overflow"),
    pytest.param(b"[1e400, " + LONG + b"]", id="overflow-exact"),
    pytest.param(b'["\\ud800"]', id="lone-surrogate"),
    pytest.param(b'["\\ud800", ' + LONG + b"]", id="lone-surrogate-exact"),
    pytest.param(b'{"\\udc00": ' + LONG + b"}", id="lone-surrogate-key-exact"),
    pytest.param(b'{"a": {"b": ["\\ud800"]}, "n": ' + LONG + b"}", id="deep-surrogate-exact"),
    pytest.param(b"[1, ]", id="trailing-comma"),
    pytest.param(b"[" + LONG + b", ]", id="trailing-comma-exact"),
    pytest.param(b"[" + LONG, id="truncated-exact"),
    pytest.param(b"", id="empty"),
]


@pytest.mark.parametrize("raw", REJECTED)
def test_decode_json_invalid_body_raises_bad_request(raw: bytes) -> None:
    with pytest.raises(BadRequest) as caught:
        decode_json(raw, 32)

    assert caught.value.status == 400
    assert caught.value.detail.startswith("The request body is not valid JSON: ")


@pytest.mark.parametrize("leaf", [b"1", LONG], ids=["fast", "exact"])
@pytest.mark.parametrize(("limit", "depth"), [(1, 1), (3, 3), (32, 32)])
def test_decode_json_nested_exactly_to_limit_is_accepted(
    leaf: bytes, limit: int, depth: int
) -> None:
    value = decode_json(nested(depth, leaf), limit)

    for _ in range(depth):
        (value,) = value
    assert value == int(leaf)


@pytest.mark.parametrize("leaf", [b"1", LONG], ids=["fast", "exact"])
@pytest.mark.parametrize(("limit", "depth"), [(1, 2), (3, 4), (32, 33), (32, 2000), (32, 100_000)])
def test_decode_json_nested_deeper_than_limit_raises_bad_request_naming_it(
    leaf: bytes, limit: int, depth: int
) -> None:
    with pytest.raises(BadRequest) as caught:
        decode_json(nested(depth, leaf), limit)

    assert caught.value.detail == f"The request body is nested deeper than {limit} levels."


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b'"' + b"[" * 50 + b'"', "[" * 50),
        (b'{"a": "[[[[{{{{", "b": [1]}', {"a": "[[[[{{{{", "b": [1]}),
        (b'{"a": "[[[[{{{{", "b": {"c": ' + LONG + b"}}", {"a": "[[[[{{{{", "b": {"c": int(LONG)}}),
    ],
)
def test_decode_json_brackets_inside_strings_do_not_count_as_depth(raw: bytes, value: Any) -> None:
    assert decode_json(raw, 2) == value


# --- encode_json --------------------------------------------------------------------------


B = b"1180591620717411303424"  # BIG, as JSON


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        pytest.param({"price": Decimal("1.10")}, b'{"price":1.10}', id="decimal"),
        pytest.param([Decimal("0.1"), Decimal("-2"), Decimal("1E+3")], b"[0.1,-2,1E+3]"),
        pytest.param({"at": NAIVE}, b'{"at":"2024-05-01T12:30:00+00:00"}', id="naive-datetime"),
        pytest.param({1: "a", 2: "b"}, b'{"1":"a","2":"b"}', id="integer-keys"),
        pytest.param({"name": "é"}, b'{"name":"\xc3\xa9"}', id="utf8"),
        pytest.param(BIG, B, id="big"),
        pytest.param(-BIG, b"-" + B, id="minus-big"),
        pytest.param({"n": [1, BIG]}, b'{"n":[1,' + B + b"]}", id="nested-big"),
        pytest.param(
            {"n": BIG, "at": NAIVE, 1: "\xe9", "count": Decimal("5")},
            b'{"n":' + B + b',"at":"2024-05-01T12:30:00+00:00","1":"\xc3\xa9","count":5}',
            id="big-with-others",
        ),
        pytest.param(
            {"n": BIG, "price": Decimal("1.10")}, b'{"n":' + B + b',"price":1.10}', id="big-decimal"
        ),
        pytest.param(
            {"n": BIG, "x": Decimal("0.1000000000000000055511151231257827")},
            b'{"n":' + B + b',"x":0.1000000000000000055511151231257827}',
            id="big-long-decimal",
        ),
    ],
)
def test_encode_json_writes_values_exactly(value: Any, encoded: bytes) -> None:
    assert encode_json(value) == encoded


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"x": object()}, id="object"),
        pytest.param({"x": {1, 2}}, id="set"),
        pytest.param({"x": Decimal("NaN")}, id="decimal-nan"),
        pytest.param({"x": Decimal("Infinity")}, id="decimal-infinity"),
        pytest.param({"x": object(), "n": BIG}, id="object-exact"),
        pytest.param({"x": Decimal("NaN"), "n": BIG}, id="decimal-nan-exact"),
    ],
)
def test_encode_json_unencodable_value_raises_type_error(value: Any) -> None:
    with pytest.raises(TypeError):
        encode_json(value)


# --- through HTTP -------------------------------------------------------------------------


class Payload(Schema):
    value = fields.Raw()
    count = fields.Integer()


class EchoBack(Resource):
    @operation(body=Payload, response=Payload)
    def post(self, body: dict[str, Any]) -> Any:
        return body


@pytest.mark.parametrize(
    "raw",
    [
        b'{"value":123456789012345678901234567890}',
        b'{"value":-123456789012345678901234567890}',
        b'{"count":123456789012345678901234567890}',
        b'{"count":-123456789012345678901234567890}',
        b'{"value":[18446744073709551616,{"k":-18446744073709551617}],"count":9223372036854775807}',
        b'{"value":"123456789012345678901234567890"}',
    ],
)
def test_big_integers_round_trip_exactly(make_client: MakeClient, raw: bytes) -> None:
    client = make_client({"/echo": EchoBack})

    response = client.post("/echo", data=raw, content_type="application/json")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_data() == raw


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"value": "\xff"}', id="invalid-utf8"),
        pytest.param(b'{"value": "\xc3"}', id="truncated-utf8"),
        pytest.param(b'{"value": NaN}', id="nan"),
        pytest.param(b'{"value": Infinity}', id="infinity"),
        pytest.param(b'{"value": -Infinity, "count": ' + LONG + b"}", id="minus-infinity-exact"),
        pytest.param(b'{"value": "\\ud800", "count": ' + LONG + b"}", id="surrogate-exact"),
        pytest.param(b'{"value": "\\ud800"}', id="surrogate"),
        pytest.param(b'{"value": "\xff", "count": ' + LONG + b"}", id="invalid-utf8-exact"),
        pytest.param(b'{"value":', id="truncated"),
        pytest.param(b"{'value': 1}", id="single-quotes"),
        pytest.param(b'{"value": 1} x', id="trailing-data"),
        pytest.param(b'{"value": 1, "count": ' + LONG + b"} x", id="trailing-data-exact"),
    ],
)
def test_body_that_is_not_strict_json_returns_400(make_client: MakeClient, raw: bytes) -> None:
    client = make_client({"/echo": EchoBack})

    response = client.post("/echo", data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.content_type == PROBLEM_JSON
    body = response.get_json()
    assert body == problem(400, "Bad Request", body["detail"])
    assert body["detail"].startswith("The request body is not valid JSON: ")


# The limit from its default, from Api(max_json_depth=...), and from the app's config.
DEPTH_SETTINGS = [
    pytest.param({}, 32, id="default"),
    pytest.param({"max_json_depth": 3}, 3, id="api"),
    pytest.param({"config": {"RESTKIT_MAX_JSON_DEPTH": 3}}, 3, id="config"),
]


@pytest.mark.parametrize("leaf", [b"1", LONG], ids=["fast", "exact"])
@pytest.mark.parametrize("extra", [1, 2000], ids=["one-more", "far-deeper"])
@pytest.mark.parametrize(("settings", "limit"), DEPTH_SETTINGS)
def test_body_nested_deeper_than_limit_returns_400_naming_it(
    make_client: MakeClient, leaf: bytes, extra: int, settings: dict[str, Any], limit: int
) -> None:
    client = make_client({"/echo": EchoBack}, **settings)
    raw = b'{"value":' + nested(limit - 1 + extra, leaf) + b"}"

    response = client.post("/echo", data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == problem(
        400, "Bad Request", f"The request body is nested deeper than {limit} levels."
    )


@pytest.mark.parametrize("leaf", [b"1", LONG], ids=["fast", "exact"])
@pytest.mark.parametrize(("settings", "limit"), DEPTH_SETTINGS)
def test_body_nested_exactly_to_limit_is_accepted(
    make_client: MakeClient, leaf: bytes, settings: dict[str, Any], limit: int
) -> None:
    client = make_client({"/echo": EchoBack}, **settings)
    raw = b'{"value":' + nested(limit - 1, leaf) + b"}"

    response = client.post("/echo", data=raw, content_type="application/json")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_data() == raw


@pytest.mark.parametrize(
    ("returned", "encoded"),
    [
        (Decimal("1.10"), b'{"value":1.10}'),
        (NAIVE, b'{"value":"2024-05-01T12:30:00+00:00"}'),
        ({1: "a"}, b'{"value":{"1":"a"}}'),
        ([BIG, Decimal("2.50")], b'{"value":[1180591620717411303424,2.50]}'),
    ],
)
def test_response_raw_value_is_encoded_exactly(
    make_client: MakeClient, returned: Any, encoded: bytes
) -> None:
    class Value(Resource):
        @operation(response=Payload)
        def get(self) -> Any:
            return {"value": returned}

    client = make_client({"/value": Value})

    response = client.get("/value")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_data() == encoded


@pytest.mark.parametrize(
    "returned", [{1, 2}, object(), [object(), BIG]], ids=["set", "obj", "exact"]
)
def test_response_value_json_cannot_encode_returns_logged_500(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture, returned: Any
) -> None:
    class Broken(Resource):
        @operation(response=Payload)
        def get(self) -> Any:
            return {"value": returned}

    client = make_client({"/broken": Broken})

    with caplog.at_level(logging.ERROR):
        response = client.get("/broken")

    assert response.status_code == 500
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == problem(
        500, "Internal Server Error", "The server could not complete the request."
    )
    (record,) = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Exception on /broken [GET]"
    assert record.exc_info is not None
    assert record.exc_info[0] is TypeError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"price": "24.50", "count": 2}', {"price": "24.50", "count": 2}),
        (b'{"price": 0.1, "tags": [1.10]}', {"price": Decimal("0.1"), "tags": [Decimal("1.10")]}),
        (b'[{"deep": [{"x": 1e2}]}]', [{"deep": [{"x": Decimal("1E+2")}]}]),
        (b'{"n": 12345678901234567890}', {"n": 12345678901234567890}),
    ],
)
def test_decode_json_for_decimal_schemas_reads_fractions_exactly(raw, expected):
    from restkit._json import decode_json

    value = decode_json(raw, 32, decimals=True)

    assert value == expected
    assert [type(item) for item in _leaves(value)] == [type(item) for item in _leaves(expected)]


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
