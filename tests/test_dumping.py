"""The dump compiler (restkit.dumping): field by field, its fallbacks, and its switch."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import marshmallow as ma
import pytest
from marshmallow import fields as f

import restkit.rendering
from restkit import Resource, operation
from restkit._fields import copy_schema, harden_for_dump
from restkit.dumping import explain_dumper, make_dumper
from restkit.errors import DeclarationError
from restkit.settings import Settings

NAIVE = dt.datetime(2026, 3, 1, 9, 30)
PARIS = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


class Color(enum.Enum):
    RED = 1
    BLUE = "blue"


class Owner(ma.Schema):
    id = f.Integer()
    name = f.String(data_key="displayName")
    email = f.Email()


def owned(schema: ma.Schema) -> ma.Schema:
    """The schema as responses dump it: restkit's copy, datetimes hardened."""
    copy = copy_schema(schema)
    harden_for_dump(copy)
    return copy


def dump_both(field: f.Field[Any], value: Any) -> tuple[Any, Any]:
    schema = owned(ma.Schema.from_dict({"v": field})())
    dumper = make_dumper(schema)
    obj = {"v": value}
    return dumper(obj), schema.dump(obj)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (f.String(), b"caf\xc3\xa9", "café"),
        (f.String(), None, None),
        (f.Integer(), 2.9, 2),
        (f.Integer(as_string=True), 7, "7"),
        (f.Integer(), True, 1),
        (f.Float(), 3, 3.0),
        (f.Float(as_string=True), 0.5, "0.5"),
        (f.Decimal(), 0.1, decimal.Decimal("0.1")),
        (f.Decimal(places=2, as_string=True), decimal.Decimal("12.5"), "12.50"),
        (f.Decimal(places=0, rounding=decimal.ROUND_UP), decimal.Decimal("1.1"), 2),
        (f.Decimal(allow_nan=True, as_string=True), decimal.Decimal("-sNaN"), "NaN"),
        (f.Boolean(), "yes", "yes"),
        (f.Raw(), [1, {"a": 2}], [1, {"a": 2}]),
        (f.DateTime(), NAIVE, "2026-03-01T09:30:00+00:00"),
        (f.DateTime(), PARIS, "2026-03-01T09:30:00+01:00"),
        (f.AwareDateTime(), NAIVE, "2026-03-01T09:30:00+00:00"),
        (f.NaiveDateTime(), NAIVE, "2026-03-01T09:30:00"),
        (f.DateTime(format="timestamp"), NAIVE, 1772357400.0),
        (f.DateTime(format="%d/%m/%Y %H:%M %z"), NAIVE, "01/03/2026 09:30 +0000"),
        (f.DateTime(format="rfc"), NAIVE, "Sun, 01 Mar 2026 09:30:00 +0000"),
        (f.Date(), NAIVE, "2026-03-01"),
        (f.Date(format="%Y%m%d"), dt.date(2026, 3, 1), "20260301"),
        (f.Time(), dt.time(7, 5), "07:05:00"),
        (f.UUID(), uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (f.Url(), "https://example.com", "https://example.com"),
        (f.Enum(Color), Color.RED, "RED"),
        (f.Enum(Color, by_value=True), Color.BLUE, "blue"),
        (f.Enum(Color, by_value=f.String()), Color.RED, "1"),
        (f.List(f.DateTime()), [NAIVE], ["2026-03-01T09:30:00+00:00"]),
        (f.List(f.Integer()), "12", [1, 2]),
        (f.Tuple((f.Integer(), f.String())), ["1", 2], (1, "2")),
        (f.Dict(), [("a", 1)], {"a": 1}),
        (f.Dict(keys=f.String(), values=f.Float()), {b"k": 1}, {"k": 1.0}),
        (f.Dict(keys=f.Integer()), {"1": "x"}, {1: "x"}),
        (f.Dict(values=f.Integer()), {"a": "1", 2: 3.5}, {"a": 1, 2: 3}),
        (f.Nested(Owner, only=("id",)), {"id": 1, "name": "ann"}, {"id": 1}),
        (f.Nested(Owner, exclude=("email",)), {"name": "ann"}, {"displayName": "ann"}),
        (f.Nested(Owner, many=True), [{"id": 1}, {"id": 2}], [{"id": 1}, {"id": 2}]),
        (f.Nested(Owner), None, None),
        (f.Pluck(Owner, "name"), {"name": "ann"}, "ann"),
        (f.Pluck(Owner, "id", many=True), [{"id": 1}, {"id": 2}], [1, 2]),
        (f.Constant(42), "ignored", 42),
        (f.Function(lambda obj: sorted(obj)), None, ["v"]),
    ],
)
def test_dumping_field_equals_marshmallow(field: Any, value: Any, expected: Any) -> None:
    compiled, marshmallow = dump_both(field, value)

    assert repr(compiled) == repr(marshmallow)
    assert compiled == {"v": expected}


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (f.Integer(), "abc", ValueError),
        (f.Integer(), [], TypeError),
        (f.Float(), float("inf") * 0, None),
        (f.Integer(), float("inf"), OverflowError),
        (f.Decimal(), "abc", decimal.InvalidOperation),
        (f.Decimal(places=2), decimal.Decimal("1e40"), decimal.InvalidOperation),
        (f.DateTime(), "2026-03-01", TypeError),
        (f.Date(format="%Y"), "2026", AttributeError),
        (f.Enum(Color), "RED", AttributeError),
        (f.Tuple((f.Integer(),)), (1, 2), ValueError),
        (f.List(f.String()), 5, TypeError),
        (f.Pluck(Owner, "name"), {}, KeyError),
    ],
)
def test_dumping_bad_value_raises_as_marshmallow(field: Any, value: Any, error: Any) -> None:
    schema = owned(ma.Schema.from_dict({"v": field})())
    dumper = make_dumper(schema)
    if error is None:  # nan: no error, and nan != nan
        assert repr(dumper({"v": value})) == repr(schema.dump({"v": value}))
        return

    with pytest.raises(error):
        schema.dump({"v": value})
    with pytest.raises(error):
        dumper({"v": value})


class Options(ma.Schema):
    title = f.String(data_key="name")
    city = f.String(attribute="address.city")
    stars = f.Integer(dump_default=0)
    seen = f.DateTime(dump_default=lambda: NAIVE)
    gone = f.Integer(dump_default=lambda: ma.missing)
    secret = f.String(load_only=True)
    kind = f.Method("get_kind")
    nothing = f.Method()
    note = f.Function(lambda obj: ma.missing)
    items = f.Raw()

    def get_kind(self, obj: Any) -> str:
        return type(obj).__name__


@dataclass
class Address:
    city: str


@pytest.mark.parametrize(
    "obj",
    [
        {"title": "a", "address": {"city": "Lyon"}, "secret": "s", "stars": None},
        SimpleNamespace(title="a", address=Address("Lyon"), secret="s", items=3),
        SimpleNamespace(address=None),
        {},
        None,
    ],
    ids=["dict", "object", "none-inside", "empty", "none"],
)
def test_dumping_options_equal_marshmallow(obj: Any) -> None:
    schema = owned(Options())

    assert repr(make_dumper(schema)(obj)) == repr(schema.dump(obj))


def test_dumping_options_write_keys_in_marshmallow_order() -> None:
    schema = owned(Options(exclude=("items",)))

    dumped = make_dumper(schema)({"title": "a", "address": {"city": "Lyon"}})

    assert list(dumped) == ["name", "city", "stars", "seen", "kind"]
    assert dumped["seen"] == "2026-03-01T09:30:00+00:00"


def test_dumping_dict_key_named_like_a_dict_method_reads_the_method() -> None:
    # marshmallow reads obj["items"], then getattr(obj, "items"): the bound method.
    schema = Options(only=("items",))

    obj: dict[str, Any] = {}

    assert make_dumper(schema)(obj) == schema.dump(obj) == {"items": obj.items}


def test_dumping_many_schema_dumps_each_item_and_none_as_one() -> None:
    schema = Owner(many=True)
    dumper = make_dumper(schema)

    assert dumper([{"id": 1}, {"id": 2}]) == [{"id": 1}, {"id": 2}]
    assert dumper(None) == schema.dump(None) == {}


class Shout(f.String):
    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return str(value).upper()


class Hooked(ma.Schema):
    id = f.Integer()

    @ma.post_dump
    def add_kind(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["kind"] = "hooked"
        return data


def test_dumping_custom_field_falls_back_to_its_serialize() -> None:
    schema = ma.Schema.from_dict({"id": f.Integer(), "name": Shout()})()

    _, fallbacks = explain_dumper(schema)

    assert fallbacks == ["GeneratedSchema.name: Shout"]
    assert make_dumper(schema)({"id": "1", "name": "ann"}) == {"id": 1, "name": "ANN"}


def test_dumping_schema_with_post_dump_is_dumped_by_marshmallow() -> None:
    schema = Hooked()

    assert make_dumper(schema) == schema.dump
    assert explain_dumper(schema) == ("", ["Hooked: it has pre_dump or post_dump hooks"])


def test_dumping_nested_schema_with_post_dump_is_dumped_by_marshmallow() -> None:
    schema = ma.Schema.from_dict({"child": f.Nested(Hooked, many=True)})()

    _, fallbacks = explain_dumper(schema)

    assert fallbacks == ["Hooked: it has pre_dump or post_dump hooks"]
    assert make_dumper(schema)({"child": [{"id": 1}]}) == {"child": [{"id": 1, "kind": "hooked"}]}


def test_dumping_self_nesting_schema_leaves_deep_levels_to_marshmallow() -> None:
    class Node(ma.Schema):
        name = f.String()
        child = f.Nested(lambda: Node())

    tree: dict[str, Any] = {"name": "leaf"}
    for depth in range(12):
        tree = {"name": f"n{depth}", "child": tree}
    schema = owned(Node())

    assert make_dumper(schema)(tree) == schema.dump(tree)


def test_dumping_lazy_dumper_compiles_on_first_call() -> None:
    schema = owned(Owner(many=True))
    dumper = make_dumper(schema, lazy=True)

    assert dumper([{"id": "1"}]) == dumper([{"id": "1"}]) == [{"id": 1}]
    assert dumper.__closure__ is not None
    assert any(
        getattr(cell.cell_contents, "__name__", "").startswith("_dump")
        for cell in dumper.__closure__
    )


def test_dumping_naive_datetime_field_is_not_hardened() -> None:
    source, _ = explain_dumper(owned(ma.Schema.from_dict({"at": f.NaiveDateTime()})()))

    assert "_UTC" not in source


# --- the switch ----------------------------------------------------------------------------


class Item(ma.Schema):
    id = f.Integer()
    name = f.String()
    price = f.Decimal(places=2)
    tags = f.List(f.String())
    created_at = f.AwareDateTime()
    owner = f.Nested(Owner)


class Items(Resource):
    @operation(response=Item(many=True))
    def get(self) -> list[dict[str, Any]]:
        return [
            {
                "id": i,
                "name": f"item {i}",
                "price": decimal.Decimal("9.99") + i,
                "tags": ["a", "b"][: i % 3],
                "created_at": NAIVE + dt.timedelta(hours=i),
                "owner": {"id": i % 4, "name": "ann", "email": None} if i % 5 else None,
            }
            for i in range(50)
        ]


def test_dumping_response_bytes_same_with_switch_on_and_off(make_client: Any) -> None:
    on = make_client({"/items": Items}).get("/items")
    off = make_client({"/items": Items}, config={"RESTKIT_COMPILE_DUMPS": False}).get("/items")

    assert on.status_code == off.status_code == 200
    assert on.headers == off.headers
    assert on.data == off.data
    assert on.json[1]["price"] == 10.99


@pytest.mark.parametrize(
    ("config", "compiled"), [({}, True), ({"RESTKIT_COMPILE_DUMPS": False}, False)]
)
def test_dumping_switch_chooses_the_dumper(
    make_client: Any, monkeypatch: pytest.MonkeyPatch, config: dict[str, Any], compiled: bool
) -> None:
    made: list[ma.Schema] = []

    def spy(schema: ma.Schema, *, lazy: bool = False) -> Any:
        made.append(schema)
        return make_dumper(schema, lazy=lazy)

    monkeypatch.setattr(restkit.rendering, "make_dumper", spy)

    response = make_client({"/items": Items}, config=config).get("/items")

    assert response.status_code == 200
    assert bool(made) is compiled


def test_dumping_switch_takes_booleans_only() -> None:
    assert Settings.from_config({"RESTKIT_COMPILE_DUMPS": False}, {}).compile_dumps is False
    with pytest.raises(DeclarationError, match=r"compile_dumps=\.\.\.\) must be True or False"):
        Settings.from_config({}, {"compile_dumps": "no"})
