"""Property tests of the load compiler: for generated schemas and inputs, the compiled load
returns exactly what marshmallow's `Schema.load` returns (types, values, key order), and where
marshmallow raises `ValidationError`, the compiled function raises one with the same
`messages` (nesting, key order, strings), `valid_data` and `data`.

Schemas mix the field types the compiler knows with options (`required`, `allow_none`,
`load_default` values and callables, `data_key`, dotted `attribute`, validators, `dump_only`,
`load_only`), nesting, `many` and `unknown`, a custom field and a schema with a `post_load`
hook (both left to marshmallow), and restkit's hardened copies. Inputs are valid values,
wrong-typed and out-of-range ones, `None`, missing keys and unknown keys.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import uuid
from typing import Any

import marshmallow as ma
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from marshmallow import fields as f
from marshmallow import validate as v

from restkit._fields import copy_schema, harden_for_load
from restkit.loading import make_loader, make_validating_loader
from tests.property_helpers import NAMES, PROPERTY, Color, canonical


class Shout(f.String):
    """A custom field: its own `_deserialize`, called as it is."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return super()._deserialize(value, attr, data, **kwargs).upper()


class Loud(f.String):
    """A custom field that overrides `deserialize`: left to marshmallow."""

    def deserialize(self, value: Any, attr: Any = None, data: Any = None, **kwargs: Any) -> Any:
        if value is ma.missing:
            return "quiet"
        return super().deserialize(value, attr, data, **kwargs)


class Hooked(ma.Schema):
    @ma.post_load
    def mark(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["hooked"] = True
        return data


GARBAGE = st.sampled_from(
    [
        None,
        "",
        "abc",
        "a\x00b",
        "12",
        "1.5",
        "2024-01-02",
        "2024-01-02T03:04:05",
        "2024-01-02T03:04:05+02:00",
        "RED",
        "ann@example.com",
        b"bytes",
        b"\xff",
        0,
        -7,
        2**70,
        1.5,
        2.0,
        float("nan"),
        float("inf"),
        True,
        [],
        [1, "x", None],
        {},
        {"k": 1},
        decimal.Decimal("NaN"),
        decimal.Decimal("1E+40"),
        decimal.Decimal("3"),
    ]
)
SCALARS: dict[type[Any], st.SearchStrategy[Any]] = {
    f.String: st.text(max_size=4),
    f.Email: st.sampled_from(["ann@example.com", "not-an-email"]),
    f.Url: st.sampled_from(["https://example.com/x", "example"]),
    Shout: st.text(max_size=4),
    Loud: st.text(max_size=4),
    f.Integer: st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=3),
    f.Float: st.floats() | st.integers() | st.sampled_from(["1.5", "nan"]),
    f.Decimal: st.decimals(places=2, max_value=10**6, min_value=-(10**6)).map(str)
    | st.decimals(allow_nan=False, allow_infinity=False),
    f.Boolean: st.booleans() | st.sampled_from(["yes", "0", 1, 2]),
    f.Raw: st.integers() | st.text(max_size=3),
    f.UUID: st.uuids().map(str) | st.just(str(uuid.UUID(int=7))[:-1]),
    f.DateTime: st.datetimes(timezones=st.sampled_from([None, dt.UTC])).map(dt.datetime.isoformat),
    f.AwareDateTime: st.sampled_from(["2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00"]),
    f.Date: st.dates().map(dt.date.isoformat),
    f.Enum: st.sampled_from(["RED", "BLUE", 1, "blue", "GREEN"]),
}
SIZED = [
    [v.Length(min=1, max=3)],
    [v.Length(max=1), v.Length(min=2)],
    [v.Length(equal=2)],
    [v.Length(min=2, error="{input!r} has {min} or more")],  # formatted per value
    [v.Length(max=2, error="At most {max}, or {0}.")],  # a template that cannot format
    [v.Length(equal=1, error="Not {nope}.")],  # nor can this one
]
# Validators by the type a field loads to (a validator given another type raises TypeError).
VALIDATORS: dict[str, list[list[Any]]] = {
    "number": [
        [v.Range(min=0, max=10)],
        [v.Range(min=0), v.OneOf([1, 2, 3])],
        [v.Range(min=0, max=10, min_inclusive=False, max_inclusive=False)],
        [v.Range(max=5, error="{input} is over {max}")],
    ],
    "text": [
        *SIZED,
        [v.Regexp(r"^[a-z]+$")],
        [v.OneOf(["a", "RED"])],
        [v.OneOf(["a", "b"], labels=["A", "B"], error="{input} is not {labels}")],
        [v.Length(max=3), v.OneOf(["abc", "x"], error="Pick {choices}.")],
    ],
    "sized": SIZED,
    "any": [[v.OneOf(["a", 1, Color.RED])], [v.OneOf([[], "a"])]],
}
KINDS = {
    f.Integer: "number",
    f.Float: "number",
    f.Decimal: "number",
    f.String: "text",
    f.Email: "text",
    f.Url: "text",
    Shout: "text",
    Loud: "text",
    f.List: "sized",
    f.Dict: "sized",
}


@st.composite
def scalar_fields(draw: st.DrawFn) -> f.Field[Any]:
    cls = draw(st.sampled_from(list(SCALARS)))
    if cls is f.Integer:
        return f.Integer(strict=draw(st.booleans()), as_string=draw(st.booleans()))
    if cls is f.Float:
        return f.Float(allow_nan=draw(st.booleans()), as_string=draw(st.booleans()))
    if cls is f.Decimal:
        return f.Decimal(places=draw(st.sampled_from([None, 2])), as_string=draw(st.booleans()))
    if cls is f.Enum:
        return f.Enum(Color, by_value=draw(st.sampled_from([False, True])))
    return cls()


@st.composite
def fields(draw: st.DrawFn, depth: int) -> f.Field[Any]:
    kinds = ["scalar"] * 5
    if depth > 0:
        kinds += ["list", "list", "dict", "nested", "nested"]
    kind = draw(st.sampled_from(kinds))
    if kind == "scalar":
        field = draw(scalar_fields())
    elif kind == "list":
        field = f.List(draw(fields(depth - 1)))
    elif kind == "dict":
        keys = draw(st.sampled_from([None, f.String(validate=v.Length(max=1))]))
        field = f.Dict(keys=keys, values=draw(st.none() | fields(depth - 1)))
    else:
        schema = draw(schemas(depth - 1))
        field = f.Nested(
            type(schema),
            many=draw(st.sampled_from([False, True])),
            unknown=draw(st.sampled_from([None, ma.EXCLUDE, ma.INCLUDE])),
        )
    field.allow_none = draw(st.booleans())
    if draw(st.booleans()):
        kind = KINDS.get(type(field), "any")
        field.validators = list(draw(st.sampled_from(VALIDATORS[kind])))
    return field


@st.composite
def top_fields(draw: st.DrawFn, depth: int) -> f.Field[Any]:
    field = draw(fields(depth))
    field.data_key = draw(st.sampled_from([None, None, "A", "a"]))
    field.attribute = draw(st.sampled_from([None, None, None, "o.p", "other"]))
    option = draw(st.sampled_from(["none", "required", "value", "callable", "none_default"]))
    if option == "required":
        field.required = True
    elif option == "value":
        field.load_default = "dflt"
    elif option == "callable":
        field.load_default = list
    elif option == "none_default":
        field.load_default = None
        field.allow_none = True
    field.dump_only = draw(st.sampled_from([False] * 5 + [True]))
    field.load_only = draw(st.sampled_from([False] * 5 + [True]))
    return field


@st.composite
def schemas(draw: st.DrawFn, depth: int = 2) -> ma.Schema:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True))
    declared = {name: draw(top_fields(depth)) for name in names}
    base = draw(st.sampled_from([ma.Schema] * 9 + [Hooked]))
    try:
        return base.from_dict(declared)(
            many=draw(st.sampled_from([False] * 3 + [True])),
            unknown=draw(st.sampled_from([ma.RAISE, ma.EXCLUDE, ma.INCLUDE])),
        )
    except ValueError:  # colliding data keys or attributes
        assume(False)
        raise


def values(field: f.Field[Any]) -> st.SearchStrategy[Any]:
    good: st.SearchStrategy[Any]
    if isinstance(field, f.Nested):
        schema = field.schema
        good = inputs(schema, many=bool(schema.many or field.many))
    elif isinstance(field, f.List):
        good = st.lists(values(field.inner), max_size=3)
    elif isinstance(field, f.Dict):
        inner = values(field.value_field) if field.value_field else st.integers()
        good = st.dictionaries(st.sampled_from(["k", "long"]), inner, max_size=2)
    else:
        good = SCALARS.get(type(field), st.integers())
    return st.sampled_from([0, 1, 2, 3, 4]).flatmap(lambda n: GARBAGE if n == 0 else good)


@st.composite
def one_input(draw: st.DrawFn, schema: ma.Schema) -> Any:
    data: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if draw(st.sampled_from([False] * 4 + [True])):
            continue  # missing
        data[field.data_key if field.data_key is not None else name] = draw(values(field))
    for key in draw(st.lists(st.sampled_from(["zz", "_schema", "a", "A", "other"]), max_size=2)):
        data.setdefault(key, draw(GARBAGE))
    shape = draw(st.sampled_from(["dict"] * 8 + ["none", "list", "str"]))
    return {"dict": data, "none": None, "list": [data], "str": "text"}[shape]


def inputs(schema: ma.Schema, many: bool) -> st.SearchStrategy[Any]:
    if many:
        return st.lists(one_input(schema), max_size=3) | st.sampled_from([None, 5, "ab", {}])
    return one_input(schema)


def outcome(load: Any, data: Any, unknown: str | None) -> tuple[Any, ...]:
    data = copy.deepcopy(data)
    try:
        return "ok", canonical(load(data, unknown=unknown))
    except ma.ValidationError as error:
        return (
            "invalid",
            canonical(error.messages),
            canonical(error.valid_data),
            canonical(error.data),
        )
    except Exception as error:  # any other exception: its type must match
        return "raised", type(error)


def gathered(load: Any, data: Any, unknown: str | None) -> tuple[Any, ...]:
    """Return `outcome` of a validating loader, which returns its errors as a value."""
    data = copy.deepcopy(data)
    try:
        result, messages = load(data, unknown=unknown)
    except Exception as error:
        return "raised", type(error)
    if messages:
        return "invalid", canonical(messages), canonical(result)
    return "ok", canonical(result)


def assert_same(schema: ma.Schema, data: st.DataObject) -> None:
    loader = make_loader(schema)  # first: it resolves nested schemas, as a load would
    validating = make_validating_loader(schema)
    value = data.draw(inputs(schema, many=bool(schema.many)))
    unknown = data.draw(st.sampled_from([None, None, ma.RAISE, ma.EXCLUDE, ma.INCLUDE]))

    expected = outcome(schema.load, value, unknown)
    assert outcome(loader, value, unknown) == expected
    assert gathered(validating, value, unknown) == expected[:3]


@PROPERTY
@given(schema=schemas(), data=st.data())
def test_load_properties_compiled_equals_marshmallow(schema: ma.Schema, data: st.DataObject):
    assert_same(schema, data)


@PROPERTY
@given(schema=schemas(), data=st.data(), json=st.booleans())
def test_load_properties_hardened_copy_equals_marshmallow(
    schema: ma.Schema, data: st.DataObject, json: bool
):
    owned = copy_schema(schema)
    harden_for_load(owned, json=json)

    assert_same(owned, data)


@settings(PROPERTY, max_examples=300)
@given(field=fields(depth=1), data=st.data(), json=st.sampled_from([None, True, False]))
def test_load_properties_one_field_on_any_value(field: Any, data: st.DataObject, json: Any):
    schema = ma.Schema.from_dict({"v": field})()
    if json is not None:
        schema = copy_schema(schema)
        harden_for_load(schema, json=json)
    loader = make_loader(schema)
    value = data.draw(values(schema.fields["v"]))

    expected = outcome(schema.load, {"v": value}, None)
    assert outcome(loader, {"v": value}, None) == expected
    assert gathered(make_validating_loader(schema), {"v": value}, None) == expected[:3]


TEXT_ITEMS = st.text(max_size=4) | GARBAGE


@st.composite
def text_fields(draw: st.DrawFn) -> f.Field[Any]:
    """A text field, or a list of one, as the compiler writes them inline."""
    cls = draw(st.sampled_from([f.String, f.Email, Shout, Loud]))
    validators = [*draw(st.sampled_from([[], *SIZED])), *draw(st.sampled_from(VALIDATORS["text"]))]
    field = cls(allow_none=draw(st.booleans()), validate=validators)
    if draw(st.booleans()):
        return field
    return f.List(field, validate=list(draw(st.sampled_from([[], *SIZED]))))


@settings(PROPERTY, max_examples=300)
@given(field=text_fields(), data=st.data(), json=st.sampled_from([None, True, False]))
def test_load_properties_text_and_lists_of_text(field: Any, data: st.DataObject, json: Any):
    schema = ma.Schema.from_dict({"v": field})()
    if json is not None:
        schema = copy_schema(schema)
        harden_for_load(schema, json=json)
    value = data.draw(st.lists(TEXT_ITEMS, max_size=4) | TEXT_ITEMS)

    expected = outcome(schema.load, {"v": value}, None)
    assert outcome(make_loader(schema), {"v": value}, None) == expected
    assert gathered(make_validating_loader(schema), {"v": value}, None) == expected[:3]
