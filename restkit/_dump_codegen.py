"""Python source for `restkit.dumping`: one function per schema, written from its fields.

Every expression written here does what marshmallow 4's `Field._serialize` of that exact
built-in class does, with the same calls in the same order, so results and exceptions are the
same. A field it cannot vouch for (a subclass, an instance-level override, an unresolvable
`Nested`) is called through marshmallow itself, as `field._serialize(value, attr, obj)` or,
at the top of a schema, `field.serialize(name, obj, accessor=schema.get_attribute)`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import marshmallow as ma
from marshmallow import fields as mf
from marshmallow import schema as ms
from marshmallow import utils as mu

from restkit._codegen import SourceWriter
from restkit._dump_rules import (
    MAX_NESTING,
    FieldKind,
    field_kind,
    is_compilable_schema,
    nested_schema,
)

__all__ = ["Codegen"]

_MISSING = ma.missing


class Codegen(SourceWriter):
    """Writes and compiles the functions that dump one schema and the schemas it nests."""

    def __init__(self) -> None:
        super().__init__(
            {
                "_m": _MISSING,
                "_ett": mu.ensure_text_type,
                "_gv": getattr(ms, "get_value"),  # what Schema.get_attribute calls  # noqa: B009
                "_gvk": mu._get_value_for_key,
                "_Dec": getattr(mf, "decimal").Decimal,  # noqa: B009
                "_dtm": dt.datetime,
                "_UTC": dt.UTC,
            }
        )
        self._schemas: dict[tuple[int, bool], str] = {}

    def compile(self, schema: ma.Schema, many: bool) -> Callable[[Any], Any]:
        """Return the compiled function equal to `schema.dump(obj, many=many)`."""
        name = self.schema_function(schema, many, 0)
        function: Callable[[Any], Any] = self.make_function(name, f"dumper {type(schema).__name__}")
        return function

    def schema_function(self, schema: ma.Schema, many: bool, depth: int) -> str:
        """Return the name of a function equal to `schema.dump(obj, many=many)`."""
        key = (id(schema), many)
        if key in self._schemas:
            return self._schemas[key]
        self._kept.append(schema)
        reason = is_compilable_schema(schema)
        if reason is not None:
            self.fallbacks.append(f"{type(schema).__name__}: {reason}")
            dump = self.bind(schema.dump, "sd")
            name = self.bind(None, "fd")
            self.lines += [f"def {name}(obj):", f"    return {dump}(obj, many={many!r})"]
            self._schemas[key] = name
            return name
        one = self.bind(None, "one")
        self._schemas[key] = name = self.bind(None, "dump") if many else one
        accessor = self.bind(schema.get_attribute, "ga")
        plan = [
            self._plan(schema, name, field, accessor, depth)
            for name, field in schema.dump_fields.items()
        ]
        self.lines += [
            f"def {one}(obj):",
            "    ret = {}",
            "    if type(obj) is dict:",
            "        get = obj.get",
        ]
        self.lines += _body(plan, "dict")
        self.lines.append("    elif hasattr(obj, '__getitem__'):")
        self.lines += _body(plan, "item")
        self.lines += ["    else:", *_body(plan, "attr"), "    return ret"]
        if many:
            self.lines += [
                f"def {name}(obj):",
                "    if obj is not None:",
                f"        return [{one}(item) for item in obj]",
                f"    return {one}(None)",
            ]
        return name

    def _plan(
        self, schema: ma.Schema, attr_name: str, field: Any, accessor: str, depth: int
    ) -> _FieldPlan:
        """Write what dumping one field of a schema takes, whatever the object is."""
        key = repr(field.data_key if field.data_key is not None else attr_name)
        kind = field_kind(field)
        if kind is None or (
            field._CHECK_ATTRIBUTE and not isinstance(field.attribute or attr_name, str)
        ):
            self._fallback_note(schema, attr_name, field)
            serialize = self.bind(field.serialize, "fs")
            call = f"{serialize}({attr_name!r}, obj, accessor={accessor})"
            return _FieldPlan(key, None, None, "", call, True)
        source = None
        default = ""
        guarded = False
        if field._CHECK_ATTRIBUTE:
            source = field.attribute or attr_name
            value = field.dump_default
            guarded = value is _MISSING or callable(value)
            if value is not _MISSING:
                call = "()" if callable(value) else ""
                default = f"if v is _m: v = {self.bind(value, 'dd')}{call}"
        expr = self.expr(field, kind, "v", repr(attr_name), "obj", depth)
        return _FieldPlan(key, source, guarded, default, expr, _may_be_missing(field, kind, depth))

    def _fallback_note(self, schema: ma.Schema, name: str, field: mf.Field[Any]) -> None:
        self.fallbacks.append(f"{type(schema).__name__}.{name}: {type(field).__name__}")

    def expr(
        self, field: Any, kind: FieldKind | None, v: str, attr: str, obj: str, depth: int
    ) -> str:
        """Return an expression equal to `field._serialize(v, attr, obj)`; `v` is a name."""
        if kind is None:
            self.fallbacks.append(f"{type(field).__name__} (inner)")
            return f"{self.bind(field._serialize, 'fs')}({v}, {attr}, {obj})"
        if kind in (FieldKind.RAW, FieldKind.BOOLEAN):
            return v
        if kind is FieldKind.STRING:
            return f"({v} if type({v}) is str else None if {v} is None else _ett({v}))"
        if kind is FieldKind.UUID:
            return f"(None if {v} is None else str({v}))"
        if kind in (FieldKind.INTEGER, FieldKind.FLOAT):
            num = "int" if kind is FieldKind.INTEGER else "float"
            value = f"({v} if type({v}) is {num} else {num}({v}))"
            return f"(None if {v} is None else {f'str({value})' if field.as_string else value})"
        if kind is FieldKind.METHOD:
            method = field._serialize_method
            return "_m" if method is None else f"{self.bind(method, 'sm')}({obj})"
        if kind is FieldKind.FUNCTION:
            return f"{self.bind(field.serialize_func, 'sf')}({obj})"
        if kind is FieldKind.CONSTANT:
            return self.bind(field.constant, "k")
        if kind is FieldKind.LIST:
            item = f"i{depth}_{self._count}"
            inner = self.expr(field.inner, field_kind(field.inner), item, attr, obj, depth)
            return f"(None if {v} is None else [{inner} for {item} in {v}])"
        if kind is FieldKind.NESTED:
            dump = self._nested(field, depth)
            return f"(None if {v} is None else {dump}({v}))"
        if kind is FieldKind.TEMPORAL:
            return self._temporal(field, v)
        if kind is FieldKind.DECIMAL and not field.allow_nan and field.places is None:
            return f"(None if {v} is None else {_to_string(field, f'_Dec(str({v}))')})"
        helper = getattr(self, f"_def_{kind.value}")(field, depth)
        return f"{helper}({v}, {attr}, {obj})"

    def _nested(self, field: Any, depth: int) -> str:
        schema = nested_schema(field)
        many = schema.many or field.many
        if depth >= MAX_NESTING:
            # Self-nesting schemas: deeper levels go through marshmallow, which resolves them.
            return self.bind(functools.partial(schema.dump, many=many), "sd")
        return self.schema_function(schema, bool(many), depth + 1)

    def _define(self, hint: str, body: list[str]) -> str:
        name = self.bind(None, hint)
        self.lines += [f"def {name}(v, attr, obj):", *(f"    {line}" for line in body)]
        return name

    def _temporal(self, field: Any, v: str) -> str:
        value = v
        if field.__dict__.get("_serialize") is not None:  # restkit's harden_for_dump
            naive = f"isinstance({v}, _dtm) and {v}.tzinfo is None"
            value = f"({v}.replace(tzinfo=_UTC) if {naive} else {v})"
        data_format = field.format or field.DEFAULT_FORMAT
        function = field.SERIALIZATION_FUNCS.get(data_format)
        if function:
            return f"(None if {v} is None else {self.bind(function, 'tf')}({value}))"
        return f"(None if {v} is None else {value}.strftime({data_format!r}))"

    def _def_decimal(self, field: Any, depth: int) -> str:
        body = ["if v is None: return None", "num = _Dec(str(v))"]
        if field.allow_nan:
            body.append("if num.is_nan(): return " + _to_string(field, "_Dec('NaN')"))
        if field.places is not None:
            places = self.bind(field.places, "pl")
            rounding = self.bind(field.rounding, "rd")
            body.append(f"if num.is_finite(): num = num.quantize({places}, rounding={rounding})")
        body.append("return " + _to_string(field, "num"))
        return self._define("dec", body)

    def _def_enum(self, field: Any, depth: int) -> str:
        inner = self.expr(field.field, field_kind(field.field), "val", "attr", "obj", depth)
        member = "value" if field.by_value else "name"
        return self._define(
            "en", ["if v is None: return None", f"val = v.{member}", "return " + inner]
        )

    def _def_tuple(self, field: Any, depth: int) -> str:
        items = []
        for inner in field.tuple_fields:
            expr = self.expr(inner, field_kind(inner), "v", "attr", "obj", depth)
            items.append(self._define("ti", ["return " + expr]))
        functions = self.bind(None, "tfs")
        self.lines.append(f"{functions} = ({', '.join(items)},)")
        return self._define(
            "tu",
            [
                "if v is None: return None",
                f"return tuple(f(e, attr, obj) for f, e in zip({functions}, v, strict=True))",
            ],
        )

    def _def_mapping(self, field: Any, depth: int) -> str:
        body = ["if v is None: return None"]
        if not field.value_field and not field.key_field:
            return self._define("map", [*body, "return dict(v)"])
        if field.key_field is None:
            body.append("keys = {k: k for k in v}")
        else:
            key = self.expr(
                field.key_field, field_kind(field.key_field), "k", "None", "None", depth
            )
            body.append(f"keys = {{k: {key} for k in v}}")
        body.append("result = {}")
        if field.value_field is None:
            body += ["for k, x in v.items():", "    if k in keys: result[keys[k]] = x"]
        else:
            kind = field_kind(field.value_field)
            value = self.expr(field.value_field, kind, "x", "None", "None", depth)
            body += ["for k, x in v.items():", f"    result[keys[k]] = {value}"]
        return self._define("map", [*body, "return result"])

    def _def_pluck(self, field: Any, depth: int) -> str:
        dump = self._nested(field, depth)
        key = repr(field._field_data_key)
        picked = f"[d[{key}] for d in ret]" if field.many else f"ret[{key}]"
        body = ["if v is None: return None", f"ret = {dump}(v)", "if ret is None: return None"]
        return self._define("pk", [*body, f"return {picked}"])


class _FieldPlan(NamedTuple):
    """How one field of a schema is dumped: read (`source`), default, convert, store."""

    key: str
    source: str | None
    guarded: bool | None
    default: str
    expr: str
    may_be_missing: bool


def _body(plan: list[_FieldPlan], mode: str) -> list[str]:
    """Write the statements that dump every field of `obj`, read as `mode` says."""
    out = []
    for field in plan:
        pad = "        "
        if field.source is not None:
            out.append(f"{pad}v = {_access(field.source, mode)}")
            if field.default:
                out.append(pad + field.default)
            if field.guarded:
                out.append(f"{pad}if v is not _m:")
                pad += "    "
        if field.may_be_missing:
            out += [
                f"{pad}x = {field.expr}",
                f"{pad}if x is not _m:",
                f"{pad}    ret[{field.key}] = x",
            ]
        else:
            out.append(f"{pad}ret[{field.key}] = {field.expr}")
    return out or ["        pass"]


def _to_string(field: Any, value: str) -> str:
    return f"format({value}, 'f')" if field.as_string else value


def _access(key: str, mode: str) -> str:
    """Return an expression equal to marshmallow's `utils.get_value(obj, key, missing)`."""
    if "." in key:
        return f"_gv(obj, {key!r}, _m)"
    if mode == "attr":
        return f"getattr(obj, {key!r}, _m)"
    if mode == "item":
        return f"_gvk(obj, {key!r}, _m)"
    # An exact dict: `obj[key]` raises KeyError only, and then getattr finds nothing unless
    # the key names an attribute of dict itself.
    if hasattr(dict, key):
        return f"(obj[{key!r}] if {key!r} in obj else getattr(obj, {key!r}, _m))"
    return f"get({key!r}, _m)"


def _may_be_missing(field: Any, kind: FieldKind, depth: int) -> bool:
    """Whether the serialized value may be `missing`, which marshmallow leaves out."""
    if kind in (FieldKind.METHOD, FieldKind.FUNCTION):
        return True
    if kind is FieldKind.CONSTANT:
        return field.constant is _MISSING
    if kind is FieldKind.ENUM:
        return bool(field.by_value)
    if kind is FieldKind.NESTED:
        # A nested schema that marshmallow dumps itself (it has hooks) may return anything.
        compiled = is_compilable_schema(nested_schema(field)) is None
        return depth >= MAX_NESTING or not compiled
    return kind is FieldKind.PLUCK
