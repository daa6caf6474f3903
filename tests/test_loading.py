"""The load compiler: targeted cases, what it leaves to marshmallow, and the switch."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import pytest
from marshmallow import fields as f
from marshmallow import validate as v

import restkit._dump_rules
import restkit._locations
from restkit import Resource, operation
from restkit._dump_rules import is_loadable_schema
from restkit._fields import copy_schema, harden_for_load
from restkit._load_codegen import LoadCodegen
from restkit.errors import DeclarationError
from restkit.loading import explain_loader, make_loader, make_validating_loader
from restkit.settings import Settings


def owned(schema: ma.Schema, *, json: bool = True) -> ma.Schema:
    copied = copy_schema(schema)
    harden_for_load(copied, json=json)
    return copied


def outcome(load: Any, data: Any, **kwargs: Any) -> tuple[str, Any, Any]:
    try:
        return "ok", load(data, **kwargs), None
    except ma.ValidationError as error:
        return "invalid", error.messages, error.valid_data
    except Exception as error:  # a broken error message raises: the same type either way
        return "raised", type(error), None


def assert_same(schema: ma.Schema, data: Any, **kwargs: Any) -> tuple[str, Any, Any]:
    compiled = outcome(make_loader(schema), data, **kwargs)
    expected = outcome(schema.load, data, **kwargs)
    assert compiled == expected
    # Equal dicts may still differ in key order, which the problem's error list follows.
    assert repr(compiled) == repr(expected)
    return compiled


class Owner(ma.Schema):
    id = f.Integer(required=True)
    name = f.String(validate=v.Length(min=1))


class Item(ma.Schema):
    id = f.Integer(dump_only=True)
    name = f.String(required=True, validate=v.Length(min=1, max=100))
    price = f.Decimal(required=True, as_string=True, validate=v.Range(min=0))
    tags = f.List(f.String(validate=v.Length(min=1, max=20)), load_default=list)
    owner = f.Nested(Owner, allow_none=True)
    owners = f.Nested(Owner, many=True, load_default=None)
    note = f.String(data_key="Note", attribute="meta.note")
    kind = f.String(load_only=True)


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Lamp", "price": "2.50"},
        {"name": "Lamp", "price": "2.50", "tags": ["a"], "Note": "n", "kind": "k"},
        {"name": "", "price": "cheap", "tags": ["ok", 7, ""]},
        {"name": None, "tags": None, "owner": None, "owners": None},
        {"name": "x", "price": "-1", "owner": {"name": ""}, "owners": [{"id": 1}, 5, {}]},
        {"name": "x", "price": "1", "owner": [], "owners": {"id": 1}},
        {"name": "x", "price": "1", "id": 3, "extra": 1, "other": [1]},
        [],
        "text",
        None,
    ],
)
@pytest.mark.parametrize("unknown", [None, ma.RAISE, ma.EXCLUDE, ma.INCLUDE])
@pytest.mark.parametrize("hardened", [False, True])
def test_loading_item_equals_marshmallow(data: Any, unknown: Any, hardened: bool) -> None:
    schema = owned(Item()) if hardened else Item()

    assert_same(schema, data, unknown=unknown)


def test_loading_invalid_body_reports_every_error_as_marshmallow() -> None:
    status, messages, valid = assert_same(
        owned(Item()), {"name": "", "price": "cheap", "tags": ["ok", 7], "id": 1, "zz": 2}
    )

    assert status == "invalid"
    assert list(messages)[:3] == ["name", "price", "tags"]
    assert messages["id"] == messages["zz"] == ["Unknown field."]
    assert messages["tags"] == {1: ["Not a valid string."]}
    assert valid == {"tags": ["ok"], "owners": None}


def test_loading_many_schema_indexes_errors_by_item() -> None:
    status, messages, valid = assert_same(
        Owner(many=True), [{"id": 1}, {"id": "x"}, 3, {"name": "a"}]
    )

    assert status == "invalid"
    assert list(messages) == [1, 2, 3]
    assert messages[2] == {"_schema": ["Invalid input type."]}
    assert valid == [{"id": 1}, {}, {}, {"name": "a"}]


def test_loading_load_default_callable_is_called_each_time() -> None:
    load = make_loader(Item())

    first = load({"name": "a", "price": "1"})
    second = load({"name": "a", "price": "1"})

    assert first["tags"] == second["tags"] == []
    assert first["tags"] is not second["tags"]


def test_loading_lazy_loader_compiles_on_first_call() -> None:
    load = make_loader(Owner(), lazy=True)

    assert load({"id": 1}) == load({"id": 1}) == {"id": 1}


class Hooked(ma.Schema):
    id = f.Integer()

    @ma.post_load
    def wrap(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {"wrapped": data}


class Validated(ma.Schema):
    id = f.Integer()

    @ma.validates("id")
    def check(self, value: int, data_key: str) -> None:
        if value < 0:
            raise ma.ValidationError("Negative.")


class Loud(f.String):
    def deserialize(self, value: Any, attr: Any = None, data: Any = None, **kwargs: Any) -> Any:
        return "loud"


@pytest.mark.parametrize(
    ("schema", "data", "reason"),
    [
        (Hooked(), {"id": 1}, "hooks"),
        (Validated(), {"id": -1}, "hooks"),
        (Owner(partial=True), {}, "partially"),
        (
            ma.Schema.from_dict({"a": f.String(), "b": f.String(data_key="a", load_only=True)})(),
            {"a": 1},
            "same key",
        ),
    ],
)
def test_loading_schema_it_cannot_vouch_for_is_loaded_by_marshmallow(
    schema: ma.Schema, data: Any, reason: str
) -> None:
    source, fallbacks = explain_loader(schema)

    assert source == ""
    assert reason in fallbacks[0]
    assert_same(schema, data)


def test_loading_nested_hooked_schema_is_loaded_by_marshmallow() -> None:
    schema = ma.Schema.from_dict({"h": f.Nested(Hooked), "l": f.List(Loud()), "m": Loud()})()
    source, fallbacks = explain_loader(schema)

    assert source
    assert any("Hooked" in reason for reason in fallbacks)
    assert any("Loud" in reason for reason in fallbacks)
    assert assert_same(schema, {"h": {"id": 1}, "l": ["a", None]})[1] == {
        "h": {"wrapped": {"id": 1}},
        "l": ["loud", "loud"],
        "m": "loud",
    }


class OwnLoad(ma.Schema):
    id = f.Integer()

    def load(self, data: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return {"own": True}


class OrderedDictSchema(ma.Schema):
    id = f.Integer()

    dict_class = type("Ordered", (dict,), {})


class NoIndex(ma.Schema):
    class Meta:
        index_errors = False

    id = f.Integer()


@pytest.mark.parametrize(
    ("schema", "data", "reason"),
    [
        (OwnLoad(), {"id": 1}, "overrides load"),
        (OrderedDictSchema(), {"id": 1}, "dict_class"),
        (NoIndex(many=True), [{"id": "x"}, {"id": "y"}], "index_errors"),
        (ma.Schema.from_dict({"_schema": f.String()})(), {"_schema": 1}, "'_schema'"),
    ],
)
def test_loading_schema_option_it_does_not_write_is_loaded_by_marshmallow(
    schema: ma.Schema, data: Any, reason: str
) -> None:
    assert reason in explain_loader(schema)[1][0]
    assert_same(schema, data)


def processed(field: Any) -> Any:
    field.pre_load = [str.strip]
    return field


class Lenient(f.String):
    @property
    def _validate_all(self) -> Any:
        return lambda value: None


@pytest.mark.parametrize(
    ("field", "data"),
    [
        (f.String(error_messages={"required": "{input} is required"}, required=True), {}),
        (f.String(error_messages={"null": ["No.", "None."]}), {"v": None}),
        (f.List(f.String(), error_messages={"invalid": "Not {input}."}), {"v": 3}),
        (f.List(f.String(), error_messages={"invalid": ["Not", "a list."]}), {"v": 3}),
        (f.List(f.String(error_messages={"null": "{x}"})), {"v": ["a", None]}),
        (processed(f.String()), {"v": " a "}),
        (Lenient(validate=v.Length(max=1)), {"v": "abc"}),
        (f.List(f.String(required=True)), {"v": ["a", ma.missing]}),
        (f.List(f.String(load_default="d")), {"v": [ma.missing, None, "b"]}),
        (f.List(f.String(allow_none=True, validate=v.Length(max=1))), {"v": [None, "ab"]}),
    ],
)
def test_loading_field_options_equal_marshmallow(field: Any, data: Any) -> None:
    assert_same(ma.Schema.from_dict({"v": field})(), data)


def test_loading_schema_met_twice_is_written_once() -> None:
    codegen = LoadCodegen()
    owner = Owner()

    assert codegen.schema_function(owner, 0) == codegen.schema_function(owner, 1)
    assert sum(line.startswith("def _item") for line in codegen.lines) == 1


def test_loading_without_marshmallow_4_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(restkit._dump_rules, "_SUPPORTED", False)

    assert explain_loader(Owner())[1] == ["Owner: marshmallow is not version 4"]
    assert not restkit._dump_rules.has_standard_deserialize(f.String())


def test_loading_rules_refuse_what_is_not_marshmallow() -> None:
    assert is_loadable_schema(object()) == "not a marshmallow Schema"
    assert not restkit._dump_rules.has_standard_deserialize(object())


# --- the switch, through an app ------------------------------------------------------------


class Items(Resource):
    @operation(body=Item, response=Item)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "id": 1}


BODIES = [
    {"name": "Lamp", "price": "2.50", "tags": ["a"], "owner": {"id": 2, "name": "ann"}},
    {"name": "", "price": "cheap", "tags": ["ok", 7], "owners": [{"id": "x"}, 1], "id": 4},
    {"name": "x", "price": 1, "zz": None, "owner": {"id": 1, "extra": 2}},
    [1, 2],
]


@pytest.mark.parametrize("body", BODIES)
def test_loading_response_bytes_same_with_switch_on_and_off(make_client: Any, body: Any) -> None:
    on = make_client({"/items": Items}).post("/items", json=body)
    off = make_client({"/items": Items}, config={"RESTKIT_COMPILE_LOADS": False}).post(
        "/items", json=body
    )

    assert on.status_code == off.status_code
    assert on.headers == off.headers
    assert on.data == off.data


@pytest.mark.parametrize(
    ("config", "compiled"), [({}, True), ({"RESTKIT_COMPILE_LOADS": False}, False)]
)
def test_loading_switch_chooses_the_loader(
    make_client: Any, monkeypatch: pytest.MonkeyPatch, config: dict[str, Any], compiled: bool
) -> None:
    made: list[ma.Schema] = []

    def spy(schema: ma.Schema, *, lazy: bool = False) -> Any:
        made.append(schema)
        return make_validating_loader(schema, lazy=lazy)

    monkeypatch.setattr(restkit._locations, "make_validating_loader", spy)

    # A schema of its own: operations that declare one schema share its plan and loader.
    class FreshItems(Resource):
        @operation(body=type("FreshItem", (Item,), {}), response=Item)
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            return {**body, "id": 1}

    response = make_client({"/items": FreshItems}, config=config).post(
        "/items", json={"name": "a", "price": "1"}
    )

    assert response.status_code == 200
    assert bool(made) is compiled


def test_loading_switch_takes_booleans_only() -> None:
    assert Settings.from_config({"RESTKIT_COMPILE_LOADS": False}, {}).compile_loads is False
    with pytest.raises(DeclarationError, match=r"compile_loads=\.\.\.\) must be True or False"):
        Settings.from_config({}, {"compile_loads": "no"})
