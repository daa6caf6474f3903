"""The load compiler's inline checks and its validating loader (errors returned, not raised)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import pytest
from marshmallow import fields as f
from marshmallow import validate as v

from restkit._fields import copy_schema, harden_for_load
from restkit._load_inline import text_test, validator_lines
from restkit.loading import explain_loader, make_validating_loader


class Item(ma.Schema):
    name = f.String(required=True, validate=v.Length(min=1, max=100))
    price = f.Integer(validate=v.Range(min=0, max=10, max_inclusive=False))
    size = f.String(validate=v.OneOf(["S", "M", "L"]))
    tags = f.List(f.String(validate=v.Length(min=1, max=20)))


def hardened(schema: ma.Schema) -> ma.Schema:
    owned = copy_schema(schema)
    harden_for_load(owned, json=True)
    return owned


def test_loading_inline_validating_loader_returns_result_and_no_messages() -> None:
    load = make_validating_loader(Item())

    result, messages = load({"name": "Lamp", "price": 3, "size": "S", "tags": ["a"]})

    assert result == {"name": "Lamp", "price": 3, "size": "S", "tags": ["a"]}
    assert not messages


def test_loading_inline_validating_loader_returns_marshmallow_messages() -> None:
    data = {"name": "", "price": 10, "size": "XL", "tags": ["ok", 7, ""], "extra": 1}
    with pytest.raises(ma.ValidationError) as raised:
        Item().load(data)

    result, messages = make_validating_loader(Item())(data)

    assert messages == raised.value.messages
    assert repr(messages) == repr(raised.value.messages)  # the same key order
    assert result == raised.value.valid_data == {"tags": ["ok"]}  # what was valid
    assert make_validating_loader(Item(), lazy=True)(data, unknown=ma.EXCLUDE) == (
        {"tags": ["ok"]},
        {key: value for key, value in messages.items() if key != "extra"},
    )


class Refusing(Item):
    def handle_error(self, error: ma.ValidationError, data: Any, **kwargs: Any) -> None:
        raise LookupError("refused by the schema")


class Hooked(Item):
    @ma.post_load
    def mark(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {**data, "hooked": True}


def test_loading_inline_validating_loader_lets_handle_error_raise() -> None:
    load = make_validating_loader(Refusing())

    assert load({"name": "Lamp"}) == ({"name": "Lamp"}, {})
    with pytest.raises(LookupError, match="refused by the schema"):
        load({"name": ""})


def test_loading_inline_validating_loader_of_schema_left_to_marshmallow() -> None:
    load = make_validating_loader(Hooked())

    assert load({"name": "Lamp"}) == ({"name": "Lamp", "hooked": True}, {})
    assert load({"name": 5}) == ({}, {"name": ["Not a valid string."]})


def test_loading_inline_checks_are_written_out() -> None:
    source, fallbacks = explain_loader(hardened(Item()))

    assert fallbacks == []
    assert "type(v) is str and '\\x00' not in v" in source  # text, behind the NUL check
    assert "ln = len(x)" in source  # Length
    assert "if x >= " in source  # Range(max=10, max_inclusive=False)
    assert "if x not in " in source  # OneOf
    assert "for index, x in enumerate(v):" in source  # a List of text, in the item's loop


@pytest.mark.parametrize(
    ("field", "test"),
    [
        (f.String(), "type({v}) is str"),
        (f.Email(), "type({v}) is str"),
        (f.Integer(), None),
        (None, None),
    ],
)
def test_loading_inline_text_test_is_for_string_loading(field: Any, test: str | None) -> None:
    assert text_test(field) == test


def test_loading_inline_text_test_refuses_a_replaced_deserialize() -> None:
    field = f.String()
    field._deserialize = lambda value, attr, data, **kwargs: value  # type: ignore[method-assign]

    assert text_test(field) is None


class Between(v.Length):
    """A subclass: its `__call__` may be anything, so it is called."""


@pytest.mark.parametrize(
    "validator",
    [
        Between(min=1),
        v.Regexp("^a"),
        v.Length(min=1, error=5),  # type: ignore[arg-type]
        v.Length(min=1, error="{"),
        v.Length(min=1, error="{nope}"),
    ],
)
def test_loading_inline_validator_not_written_out_is_called(validator: Any) -> None:
    assert validator_lines(validator, lambda value, hint: hint) is None


@pytest.mark.parametrize(
    ("validator", "value", "message"),
    [
        (v.Length(min=2, error="{input!r} is short"), "a", "'a' is short"),
        (v.Range(max=5, error="{input} > {max}"), 7, "7 > 5"),
        (v.OneOf(["a"], error="{input} not in {choices}"), "b", "b not in a"),
        (v.OneOf(["a"]), ["unhashable"], "Must be one of: a."),
    ],
)
def test_loading_inline_messages_equal_the_validators(
    validator: Any, value: Any, message: str
) -> None:
    schema = ma.Schema.from_dict({"v": f.Raw(validate=validator)})()

    _, messages = make_validating_loader(schema)({"v": value})

    assert messages == {"v": [message]}
    with pytest.raises(ma.ValidationError) as raised:
        schema.load({"v": value})
    assert raised.value.messages == messages
