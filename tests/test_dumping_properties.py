"""Property tests of the dump compiler: for generated schemas and objects, the compiled dump
equals marshmallow's `Schema.dump` exactly (types, values, key order), and where marshmallow
raises, the compiled function raises the same exception type.

Schemas mix every field type the compiler knows, options (`data_key`, `attribute` with dots,
`dump_default`, `load_only`, `dump_only`), nesting, `many`, `only`/`exclude`, a custom field
and a schema with a `post_dump` hook (both left to marshmallow). Objects are dicts or attribute
objects with missing keys, `None`, out-of-range and wrong-typed values.
"""

from __future__ import annotations

import datetime as dt
import decimal
from types import SimpleNamespace
from typing import Any

import marshmallow as ma
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from marshmallow import fields as f

from restkit._fields import copy_schema, harden_for_dump
from restkit.dumping import make_dumper
from tests.property_helpers import NAMES, PROPERTY, Color, canonical


class Shout(f.String):
    """A custom field: the compiler leaves it to marshmallow."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value).upper()


class Record(SimpleNamespace):
    """An object with both items and attributes: marshmallow tries the item first."""

    def __getitem__(self, key: str) -> Any:
        if key in ("a", "o"):
            return f"item {key}"
        raise KeyError(key)


class Base(ma.Schema):
    def describe(self, obj: Any) -> str:
        return type(obj).__name__

    def nothing(self, obj: Any) -> Any:
        return ma.missing


class Hooked(Base):
    @ma.post_dump
    def mark(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["hooked"] = True
        return data


GARBAGE = st.sampled_from(
    [
        None,
        "abc",
        "12",
        "1.5",
        b"bytes",
        b"\xff",
        0,
        -7,
        2**70,
        1.5,
        float("nan"),
        float("inf"),
        True,
        [],
        [1, "x"],
        {},
        {"k": 1},
        (1, 2),
        decimal.Decimal("NaN"),
        decimal.Decimal("1E+40"),
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, 5),
        Color.RED,
        object(),
    ]
)
DATETIMES = st.datetimes(
    min_value=dt.datetime(1970, 1, 2), timezones=st.sampled_from([None, dt.UTC])
) | st.just(dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))))
SCALARS: dict[type[Any], st.SearchStrategy[Any]] = {
    f.String: st.text(max_size=4),
    f.Email: st.just("ann@example.com"),
    f.Url: st.just("https://example.com/x"),
    Shout: st.text(max_size=4),
    f.Integer: st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False),
    f.Float: st.floats() | st.integers(),
    f.Decimal: st.decimals(places=4, max_value=10**6, min_value=-(10**6)) | st.decimals(),
    f.Boolean: st.booleans(),
    f.Raw: st.integers() | st.text(max_size=3),
    f.UUID: st.uuids(),
    f.DateTime: DATETIMES,
    f.AwareDateTime: DATETIMES,
    f.NaiveDateTime: DATETIMES,
    f.Date: st.dates(min_value=dt.date(1900, 1, 1)) | DATETIMES,
    f.Time: st.times(),
    f.Enum: st.sampled_from(list(Color)),
}
DATE_FORMATS = [None, "iso", "%Y/%m/%d %H:%M", "timestamp", "timestamp_ms", "rfc"]


@st.composite
def scalar_fields(draw: st.DrawFn) -> f.Field[Any]:
    cls = draw(st.sampled_from(list(SCALARS)))
    if cls in (f.Integer, f.Float):
        return cls(as_string=draw(st.booleans()))
    if cls is f.Decimal:
        return f.Decimal(
            places=draw(st.sampled_from([None, 0, 2])),
            rounding=draw(st.sampled_from([None, decimal.ROUND_UP])),
            allow_nan=draw(st.booleans()),
            as_string=draw(st.booleans()),
        )
    if cls in (f.DateTime, f.AwareDateTime, f.NaiveDateTime):
        return cls(format=draw(st.sampled_from(DATE_FORMATS)))
    if cls in (f.Date, f.Time):
        return cls(format=draw(st.sampled_from([None, "iso", "%H-%M|%d"])))
    if cls is f.Enum:
        return f.Enum(Color, by_value=draw(st.sampled_from([False, True, f.String()])))
    return cls()


@st.composite
def fields(draw: st.DrawFn, depth: int) -> f.Field[Any]:
    kinds = ["scalar"] * 6 + ["function", "constant", "constant_missing"]
    if depth > 0:
        kinds += ["list", "list", "tuple", "dict", "nested", "nested"]
    kind = draw(st.sampled_from(kinds))
    if kind == "scalar":
        return draw(scalar_fields())
    if kind == "list":
        return f.List(draw(fields(depth - 1)))
    if kind == "tuple":
        return f.Tuple(draw(st.lists(fields(depth - 1), min_size=1, max_size=2)))
    if kind == "dict":
        keys = draw(st.sampled_from([None, f.String()]))
        return f.Dict(keys=keys, values=draw(st.none() | fields(depth - 1)))
    if kind == "nested":
        return draw(nested_fields(depth - 1))
    return _special(kind)


def _special(name: str) -> f.Field[Any]:
    if name == "method":
        return f.Method("describe")
    if name == "nothing":
        return f.Method("nothing")
    if name == "function":
        return f.Function(lambda obj: type(obj).__name__)
    return f.Constant(ma.missing if name == "constant_missing" else 7)


@st.composite
def nested_fields(draw: st.DrawFn, depth: int) -> f.Field[Any]:
    schema = draw(schemas(depth))
    try:
        type(schema)()  # as Nested makes it: without the drawn `only` and `exclude`
    except ValueError:
        assume(False)
    if draw(st.booleans()):
        names = [name for name, field in schema.dump_fields.items() if field._CHECK_ATTRIBUTE]
        if names:
            name = draw(st.sampled_from(names))
            return f.Pluck(type(schema), name, many=draw(st.booleans()))
    return f.Nested(type(schema), many=draw(st.sampled_from([None, False, True])))


@st.composite
def top_fields(draw: st.DrawFn, depth: int) -> f.Field[Any]:
    # A Method field binds to its schema, so it cannot be an item of a container.
    if draw(st.sampled_from([False] * 9 + [True])):
        field = _special(draw(st.sampled_from(["method", "nothing"])))
    else:
        field = draw(fields(depth))
    field.data_key = draw(st.sampled_from([None, None, "A", "a"]))
    if field._CHECK_ATTRIBUTE:
        field.attribute = draw(st.sampled_from([None, None, "o.p", "get", "other"]))
        default = draw(st.sampled_from(["none", "value", "callable", "missing"]))
        if default == "value":
            field.dump_default = "dflt"
        elif default == "callable":
            field.dump_default = lambda: 3
        elif default == "missing":
            field.dump_default = lambda: ma.missing
    field.load_only = draw(st.sampled_from([False] * 5 + [True]))
    return field


@st.composite
def schemas(draw: st.DrawFn, depth: int = 2) -> ma.Schema:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=6, unique=True))
    declared = {name: draw(top_fields(depth)) for name in names}
    base = draw(st.sampled_from([Base, Base, Base, Hooked]))
    only = None
    if draw(st.sampled_from([False, False, False, True])):
        only = draw(st.lists(st.sampled_from(names), unique=True, min_size=1))
    exclude = draw(st.sampled_from([[], [], [], names[-1:]]))
    try:
        return base.from_dict(declared)(only=only, exclude=exclude, many=draw(st.booleans()))
    except ValueError:  # colliding data keys or attributes
        assume(False)
        raise


def values(field: f.Field[Any]) -> st.SearchStrategy[Any]:
    good: st.SearchStrategy[Any]
    if isinstance(field, f.Nested):
        schema = field.schema
        good = objects(schema, many=bool(schema.many or field.many))
    elif isinstance(field, f.List):
        good = st.lists(values(field.inner), max_size=3)
    elif isinstance(field, f.Tuple):
        good = st.tuples(*(values(item) for item in field.tuple_fields))
    elif isinstance(field, f.Dict):
        inner = values(field.value_field) if field.value_field else st.integers()
        good = st.dictionaries(st.sampled_from(["k", "l"]), inner, max_size=2)
    else:
        good = SCALARS.get(type(field), st.integers())
    return st.sampled_from([0, 1, 2, 3, 4, 5]).flatmap(lambda n: GARBAGE if n == 0 else good)


@st.composite
def one_object(draw: st.DrawFn, schema: ma.Schema) -> Any:
    data: dict[str, Any] = {}
    for name, field in schema.dump_fields.items():
        if not field._CHECK_ATTRIBUTE or draw(st.sampled_from([False] * 5 + [True])):
            continue  # missing
        key = field.attribute or name
        value = draw(values(field))
        head, _, rest = key.partition(".")
        if rest:
            data.setdefault(head, {})[rest] = value
        else:
            data[key] = value
    shape = draw(st.sampled_from(["dict"] * 3 + ["namespace"] * 2 + ["record", "none", "int"]))
    if shape in ("namespace", "record"):
        cls = Record if shape == "record" else SimpleNamespace
        return cls(**{k: SimpleNamespace(**v) if k == "o" else v for k, v in data.items()})
    return {"dict": data, "none": None, "int": 5}.get(shape, data)


def objects(schema: ma.Schema, many: bool) -> st.SearchStrategy[Any]:
    if many:
        return st.lists(one_object(schema), max_size=3) | st.none() | st.just(5)
    return one_object(schema)


def outcome(dump: Any, obj: Any) -> tuple[str, Any]:
    try:
        return "ok", canonical(dump(obj))
    except Exception as error:  # any exception: its type must match
        return "raised", type(error)


def assert_same(schema: ma.Schema, data: st.DataObject) -> None:
    dumper = make_dumper(schema)  # first: it resolves nested schemas, as a dump would
    obj = data.draw(objects(schema, many=bool(schema.many)))

    assert outcome(dumper, obj) == outcome(schema.dump, obj)


@PROPERTY
@given(schema=schemas(), data=st.data())
def test_dump_properties_compiled_equals_marshmallow(schema: ma.Schema, data: st.DataObject):
    assert_same(schema, data)


@PROPERTY
@given(schema=schemas(), data=st.data())
def test_dump_properties_hardened_copy_equals_marshmallow(schema: ma.Schema, data: st.DataObject):
    owned = copy_schema(schema)
    harden_for_dump(owned)

    assert_same(owned, data)


@PROPERTY
@given(schema=schemas(depth=0), data=st.data(), hardened=st.booleans())
def test_dump_properties_flat_schema_equals_marshmallow(
    schema: ma.Schema, data: st.DataObject, hardened: bool
):
    if hardened:
        schema = copy_schema(schema)
        harden_for_dump(schema)

    assert_same(schema, data)


@settings(PROPERTY, max_examples=1000)
@given(field=scalar_fields(), data=st.data(), hardened=st.booleans())
def test_dump_properties_scalar_field_on_any_value(field: Any, data: st.DataObject, hardened: bool):
    schema = Base.from_dict({"v": field})()
    if hardened:
        schema = copy_schema(schema)
        harden_for_dump(schema)
    dumper = make_dumper(schema)
    value = data.draw(values(schema.fields["v"]))

    for obj in ({"v": value}, SimpleNamespace(v=value)):
        assert outcome(dumper, obj) == outcome(schema.dump, obj)
