"""Field semantics: JSON Schema types in bodies, strict strings elsewhere, offsets on dump."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, ValidationError, fields

from restkit import Resource, operation
from restkit._fields import copy_schema, harden_for_dump, harden_for_load

MakeClient = Callable[..., FlaskClient]

PROBLEM_JSON = "application/problem+json"


def unprocessable(*errors: dict[str, str]) -> dict[str, Any]:
    count = len(errors)
    return {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": f"The request contains {count} invalid value{'s' if count > 1 else ''}.",
        "errors": list(errors),
    }


class Echo(Schema):
    value = fields.Raw()


# --- scalars in a JSON body ---------------------------------------------------------------


class Numbers(Schema):
    count = fields.Integer()
    exact = fields.Integer(strict=True)
    ratio = fields.Float()
    ratio_text = fields.Float(as_string=True)
    price = fields.Decimal()
    price_text = fields.Decimal(as_string=True)
    active = fields.Boolean()


class NumberBody(Resource):
    """Answers with the repr of each loaded value, so types are visible."""

    @operation(body=Numbers, response=Echo)
    def post(self, body: dict[str, Any]) -> Any:
        return {"value": {name: repr(value) for name, value in body.items()}}


@pytest.mark.parametrize(
    ("field", "sent", "loaded"),
    [
        ("count", 20, "20"),
        ("count", 20.0, "20"),
        ("count", -3, "-3"),
        ("count", 0.0, "0"),
        ("exact", 20, "20"),
        ("exact", 20.0, "20"),
        ("ratio", 1, "1.0"),
        ("ratio", 1.5, "1.5"),
        ("ratio_text", "1.5", "1.5"),
        ("price", 0.1, "Decimal('0.1')"),
        ("price", 3, "Decimal('3')"),
        ("price_text", "0.10", "Decimal('0.10')"),
        ("active", True, "True"),
        ("active", False, "False"),
    ],
)
def test_body_scalar_json_value_is_accepted(
    make_client: MakeClient, field: str, sent: Any, loaded: str
) -> None:
    client = make_client({"/numbers": NumberBody})

    response = client.post("/numbers", json={field: sent})

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_json() == {"value": {field: loaded}}


@pytest.mark.parametrize(
    ("field", "sent", "detail"),
    [
        ("count", 2.5, "Not a valid integer."),
        ("count", "20", "Not a valid integer."),
        ("count", True, "Not a valid integer."),
        ("count", [20], "Not a valid integer."),
        ("exact", 2.5, "Not a valid integer."),
        ("exact", "20", "Not a valid integer."),
        ("exact", False, "Not a valid integer."),
        ("ratio", "1.5", "Not a valid number."),
        ("ratio", True, "Not a valid number."),
        ("ratio_text", False, "Not a valid number."),
        # as_string fields are documented as strings, so JSON numbers are refused.
        ("ratio_text", 1.5, "Not a valid number."),
        ("price_text", 2.5, "Not a valid number."),
        ("price", "0.1", "Not a valid number."),
        ("price", False, "Not a valid number."),
        ("price", {}, "Not a valid number."),
        ("active", "yes", "Not a valid boolean."),
        ("active", "true", "Not a valid boolean."),
        ("active", 1, "Not a valid boolean."),
        ("active", 0, "Not a valid boolean."),
    ],
)
def test_body_scalar_of_wrong_json_type_returns_422(
    make_client: MakeClient, field: str, sent: Any, detail: str
) -> None:
    client = make_client({"/numbers": NumberBody})

    response = client.post("/numbers", json={field: sent})

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == unprocessable(
        {"in": "body", "pointer": f"/{field}", "detail": detail}
    )


# --- scalars in string locations ----------------------------------------------------------


class Paging(Schema):
    limit = fields.Integer()
    archived = fields.Boolean()
    ratio = fields.Float()
    sizes = fields.List(fields.Integer())


class PagingQuery(Resource):
    @operation(query=Paging, response=Echo)
    def get(self, query: dict[str, Any]) -> Any:
        return {"value": {name: repr(value) for name, value in query.items()}}


@pytest.mark.parametrize(
    ("params", "loaded"),
    [
        ({"limit": "20"}, {"limit": "20"}),
        ({"limit": "-3"}, {"limit": "-3"}),
        ({"limit": "+4"}, {"limit": "4"}),
        ({"limit": "007"}, {"limit": "7"}),
        ({"archived": "true"}, {"archived": "True"}),
        ({"archived": "false"}, {"archived": "False"}),
        ({"ratio": "1.5"}, {"ratio": "1.5"}),
        ({"sizes": ["1", "+2"]}, {"sizes": "[1, 2]"}),
    ],
)
def test_query_string_value_is_accepted(
    make_client: MakeClient, params: dict[str, Any], loaded: dict[str, str]
) -> None:
    client = make_client({"/paging": PagingQuery})

    response = client.get("/paging", query_string=params)

    assert response.status_code == 200
    assert response.get_json() == {"value": loaded}


@pytest.mark.parametrize(
    ("name", "value", "detail"),
    [
        ("limit", "2_0", "Not a valid integer."),
        ("limit", " 20", "Not a valid integer."),
        ("limit", "20 ", "Not a valid integer."),
        ("limit", "20\n", "Not a valid integer."),
        ("limit", "2.5", "Not a valid integer."),
        ("limit", "\u0662", "Not a valid integer."),  # ARABIC-INDIC DIGIT TWO
        ("limit", "\uff12\uff10", "Not a valid integer."),  # FULLWIDTH DIGITS
        ("limit", "", "Not a valid integer."),
        ("limit", "--1", "Not a valid integer."),
        ("sizes", ["1", "2_0"], "Item 1: Not a valid integer."),
    ],
)
def test_query_integer_other_than_ascii_digits_returns_422(
    make_client: MakeClient, name: str, value: Any, detail: str
) -> None:
    client = make_client({"/paging": PagingQuery})

    response = client.get("/paging", query_string={name: value})

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == unprocessable({"in": "query", "name": name, "detail": detail})


# --- containers ---------------------------------------------------------------------------


class Point(Schema):
    x = fields.Integer()
    on = fields.Boolean()


class Shapes(Schema):
    point = fields.Nested(Point)
    points = fields.List(fields.Nested(Point))
    sizes = fields.List(fields.Integer())
    pair = fields.Tuple((fields.String(), fields.Integer()))
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    flags = fields.Dict(values=fields.Boolean())
    anything = fields.Dict()


class ShapeBody(Resource):
    @operation(body=Shapes, response=Echo)
    def post(self, body: dict[str, Any]) -> Any:
        return {"value": repr(body)}


def test_body_containers_take_integral_floats_as_integers(make_client: MakeClient) -> None:
    client = make_client({"/shapes": ShapeBody})

    response = client.post(
        "/shapes",
        json={
            "point": {"x": 20.0},
            "points": [{"x": 1, "on": True}],
            "sizes": [1.0, 2],
            "pair": ["a", 3.0],
            "scores": {"a": 4.0},
            "flags": {"b": False},
            "anything": {"c": "20"},
        },
    )

    assert response.status_code == 200
    assert response.get_json() == {
        "value": "{'point': {'x': 20}, 'points': [{'x': 1, 'on': True}], 'sizes': [1, 2], "
        "'pair': ('a', 3), 'scores': {'a': 4}, 'flags': {'b': False}, 'anything': {'c': '20'}}"
    }


@pytest.mark.parametrize(
    ("payload", "pointer", "detail"),
    [
        ({"point": {"x": "20"}}, "/point/x", "Not a valid integer."),
        ({"point": {"on": 1}}, "/point/on", "Not a valid boolean."),
        ({"points": [{"x": 1}, {"x": 2.5}]}, "/points/1/x", "Not a valid integer."),
        ({"sizes": [1, "2"]}, "/sizes/1", "Not a valid integer."),
        ({"sizes": [True]}, "/sizes/0", "Not a valid integer."),
        ({"pair": ["a", "3"]}, "/pair/1", "Not a valid integer."),
        ({"scores": {"a": "20"}}, "/scores/a", "Not a valid integer."),
        ({"flags": {"b": "yes"}}, "/flags/b", "Not a valid boolean."),
    ],
)
def test_body_rules_reach_nested_list_tuple_and_dict_values(
    make_client: MakeClient, payload: dict[str, Any], pointer: str, detail: str
) -> None:
    client = make_client({"/shapes": ShapeBody})

    response = client.post("/shapes", json=payload)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == unprocessable(
        {"in": "body", "pointer": pointer, "detail": detail}
    )


# --- self-referencing schemas -------------------------------------------------------------


class TreeNode(Schema):
    value = fields.Integer()
    children = fields.List(fields.Nested(lambda: TreeNode()))


class FieldsCategoryChain(Schema):
    value = fields.Integer()
    parent = fields.Nested("FieldsCategoryChain")


class Trees(Resource):
    @operation(body=TreeNode, response=TreeNode)
    def post(self, body: dict[str, Any]) -> Any:
        return body


class Chains(Resource):
    @operation(body=FieldsCategoryChain, response=FieldsCategoryChain)
    def post(self, body: dict[str, Any]) -> Any:
        return body


@pytest.mark.parametrize(
    ("rule", "sent", "answered"),
    [
        (
            "/trees",
            {"value": 1, "children": [{"value": 2, "children": [{"value": 3.0}]}]},
            b'{"value":1,"children":[{"value":2,"children":[{"value":3}]}]}',
        ),
        (
            "/chains",
            {"value": 1, "parent": {"value": 2, "parent": {"value": 3.0}}},
            b'{"value":1,"parent":{"value":2,"parent":{"value":3}}}',
        ),
    ],
)
def test_self_referencing_schema_mounts_and_loads(
    make_client: MakeClient, rule: str, sent: dict[str, Any], answered: bytes
) -> None:
    client = make_client({"/trees": Trees, "/chains": Chains})

    response = client.post(rule, json=sent)

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_data() == answered


@pytest.mark.parametrize(
    ("rule", "sent", "pointer"),
    [
        ("/trees", {"children": [{"children": [{"value": "3"}]}]}, "/children/0/children/0/value"),
        ("/chains", {"parent": {"parent": {"value": "3"}}}, "/parent/parent/value"),
    ],
)
def test_self_referencing_schema_applies_rules_below_the_top(
    make_client: MakeClient, rule: str, sent: dict[str, Any], pointer: str
) -> None:
    client = make_client({"/trees": Trees, "/chains": Chains})

    response = client.post(rule, json=sent)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == unprocessable(
        {"in": "body", "pointer": pointer, "detail": "Not a valid integer."}
    )


# --- dumping datetimes --------------------------------------------------------------------

NAIVE = dt.datetime(2024, 5, 1, 12, 30)
UTC_TEXT = "2024-05-01T12:30:00+00:00"
AWARE = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


class Stamp(Schema):
    at = fields.DateTime()


class Event(Schema):
    at = fields.DateTime()
    local = fields.NaiveDateTime()
    history = fields.List(fields.DateTime())
    origin = fields.Nested(Stamp)
    by_zone = fields.Dict(keys=fields.String(), values=fields.DateTime())


@pytest.mark.parametrize(
    ("returned", "dumped"),
    [
        ({"at": NAIVE}, {"at": "2024-05-01T12:30:00+00:00"}),
        ({"at": AWARE}, {"at": "2024-05-01T12:30:00+02:00"}),
        ({"at": None}, {"at": None}),
        ({"local": NAIVE}, {"local": "2024-05-01T12:30:00"}),
        (
            {"history": [NAIVE, AWARE]},
            {"history": ["2024-05-01T12:30:00+00:00", "2024-05-01T12:30:00+02:00"]},
        ),
        ({"origin": {"at": NAIVE}}, {"origin": {"at": "2024-05-01T12:30:00+00:00"}}),
        ({"by_zone": {"utc": NAIVE}}, {"by_zone": {"utc": "2024-05-01T12:30:00+00:00"}}),
    ],
)
def test_response_datetime_is_dumped_with_an_offset_unless_naive_field(
    make_client: MakeClient, returned: dict[str, Any], dumped: dict[str, Any]
) -> None:
    class Events(Resource):
        @operation(response=Event)
        def get(self) -> Any:
            return returned

    client = make_client({"/events": Events})

    response = client.get("/events")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_json() == dumped


# --- the user's schemas stay theirs -------------------------------------------------------


class Part(Schema):
    size = fields.Integer()
    made = fields.DateTime()


def make_order() -> Schema:
    """Return a new user schema with integer and datetime fields inside every container kind.

    Built per test: `shared_part` holds a schema object, as `Nested(PartSchema())` does in an
    app, and a test must not see what an earlier one did to it.
    """

    class Order(Schema):
        count = fields.Integer()
        sizes = fields.List(fields.Integer())
        pair = fields.Tuple((fields.Integer(),))
        scores = fields.Dict(keys=fields.String(), values=fields.Integer())
        part = fields.Nested(Part)
        shared_part = fields.Nested(Part())
        made = fields.List(fields.DateTime())

    return Order()


USER_LOADS = [
    pytest.param({"count": "20"}, {"count": 20}, id="field"),
    pytest.param({"sizes": ["20"]}, {"sizes": [20]}, id="list-item"),
    pytest.param({"pair": ["20"]}, {"pair": (20,)}, id="tuple-item"),
    pytest.param({"scores": {"a": "20"}}, {"scores": {"a": 20}}, id="dict-value"),
    pytest.param({"part": {"size": "20"}}, {"part": {"size": 20}}, id="nested-class"),
    pytest.param({"shared_part": {"size": "20"}}, {"shared_part": {"size": 20}}, id="nested-obj"),
]


@pytest.mark.parametrize(("payload", "loaded"), USER_LOADS)
@pytest.mark.parametrize(
    "first_load",
    [{}, {"part": {"size": 1}, "shared_part": {"size": 1}}],
    ids=["fresh", "nested-resolved"],
)
def test_mounted_schema_object_still_loads_leniently_with_marshmallow(
    make_client: MakeClient,
    payload: dict[str, Any],
    loaded: dict[str, Any],
    first_load: dict[str, Any],
) -> None:
    order = make_order()
    order.load(first_load)  # the app may use its schema before mounting it

    class Orders(Resource):
        @operation(body=order, response=Echo)
        def post(self, body: dict[str, Any]) -> Any:
            return {"value": None}

    client = make_client({"/orders": Orders})

    response = client.post("/orders", json=payload)

    assert response.status_code == 422
    assert order.load(payload) == loaded


def test_mounted_schema_class_leaves_its_nested_schema_object_lenient(
    make_client: MakeClient,
) -> None:
    shared = Part()

    class Order(Schema):
        part = fields.Nested(shared)

    class Orders(Resource):
        @operation(body=Order, response=Echo)
        def post(self, body: dict[str, Any]) -> Any:
            return {"value": None}

    client = make_client({"/orders": Orders})

    response = client.post("/orders", json={"part": {"size": "20"}})

    assert response.status_code == 422
    assert shared.load({"size": "20"}) == {"size": 20}
    assert Order().load({"part": {"size": "20"}}) == {"part": {"size": 20}}


@pytest.mark.parametrize(("payload", "loaded"), USER_LOADS)
def test_harden_for_load_changes_the_copy_only(
    payload: dict[str, Any], loaded: dict[str, Any]
) -> None:
    original = make_order()
    copy = copy_schema(original)

    harden_for_load(copy, json=True)

    assert copy is not original
    with pytest.raises(ValidationError):
        copy.load(payload)
    assert original.load(payload) == loaded


@pytest.mark.parametrize(
    ("value", "plain", "hardened"),
    [
        ({"made": [NAIVE]}, ["2024-05-01T12:30:00"], ["2024-05-01T12:30:00+00:00"]),
        ({"part": {"made": NAIVE}}, {"made": "2024-05-01T12:30:00"}, {"made": UTC_TEXT}),
        ({"shared_part": {"made": NAIVE}}, {"made": "2024-05-01T12:30:00"}, {"made": UTC_TEXT}),
    ],
    ids=["list-item", "nested-class", "nested-obj"],
)
def test_harden_for_dump_changes_the_copy_only(
    value: dict[str, Any], plain: Any, hardened: Any
) -> None:
    original = make_order()
    original.dump(value)  # resolves the nested schemas
    copy = copy_schema(original)

    harden_for_dump(copy)

    (name,) = value
    assert copy.dump(value) == {name: hardened}
    assert original.dump(value) == {name: plain}


# --- units: which fields are hardened for which location ----------------------------------


class Mixed(Schema):
    count = fields.Integer()
    ratio = fields.Float()
    price = fields.Decimal()
    active = fields.Boolean()
    at = fields.DateTime()
    local = fields.NaiveDateTime()


@pytest.mark.parametrize(
    ("data", "loaded"),
    [
        ({"count": "+20"}, {"count": 20}),
        ({"ratio": "1.5"}, {"ratio": 1.5}),
        ({"price": "0.1"}, {"price": Decimal("0.1")}),
        ({"active": "yes"}, {"active": True}),
    ],
)
def test_harden_for_load_of_string_location_keeps_text_parsing(
    data: dict[str, Any], loaded: dict[str, Any]
) -> None:
    schema = Mixed()

    harden_for_load(schema, json=False)

    assert schema.load(data) == loaded


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({"count": "2_0"}, {"count": ["Not a valid integer."]}),
        ({"count": "\u0662"}, {"count": ["Not a valid integer."]}),
    ],
)
def test_harden_for_load_of_string_location_rejects_non_ascii_integers(
    data: dict[str, Any], messages: dict[str, Any]
) -> None:
    schema = Mixed()

    harden_for_load(schema, json=False)

    with pytest.raises(ValidationError) as caught:
        schema.load(data)
    assert caught.value.messages == messages


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({"count": "20"}, {"count": ["Not a valid integer."]}),
        ({"ratio": "1.5"}, {"ratio": ["Not a valid number."]}),
        ({"price": True}, {"price": ["Not a valid number."]}),
        ({"active": "yes"}, {"active": ["Not a valid boolean."]}),
    ],
)
def test_harden_for_load_of_json_rejects_values_of_other_json_types(
    data: dict[str, Any], messages: dict[str, Any]
) -> None:
    schema = Mixed()

    harden_for_load(schema, json=True)

    with pytest.raises(ValidationError) as caught:
        schema.load(data)
    assert caught.value.messages == messages


def test_harden_for_dump_gives_naive_datetimes_utc_except_naive_fields() -> None:
    schema = Mixed()

    harden_for_dump(schema)

    assert schema.dump({"at": NAIVE, "local": NAIVE, "count": 1}) == {
        "at": "2024-05-01T12:30:00+00:00",
        "local": "2024-05-01T12:30:00",
        "count": 1,
    }
