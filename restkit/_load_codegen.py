"""Python source for `restkit.loading`: one function per schema, written from its fields.

The generated code is marshmallow 4's `Schema._do_load` and `Schema._deserialize` written out
for one schema: the same reads (`data.get(key, missing)`), the same order of fields, the same
unknown-key handling (over `set(data) - keys`, so in the same order), and errors collected into
the same nested dicts that marshmallow's `ErrorStore` builds. Each field is loaded by its own
code: `Field.deserialize` written out (missing, `None`, `load_default`, then the field's own
`_deserialize` and its validators, called as the field has them, so their messages are
theirs), with `List` and `Nested` written out too. A field whose loading the compiler cannot
vouch for is called through its own `deserialize`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from marshmallow import error_store
from marshmallow import fields as mf
from marshmallow import utils as mu

from restkit._codegen import SourceWriter
from restkit._dump_rules import (
    MAX_NESTING,
    has_standard_deserialize,
    is_loadable_schema,
    nested_schema,
    owns_deserialize,
)
from restkit._dump_rules import _resolves as resolves

__all__ = ["LoadCodegen"]

_MISSING = ma.missing
copy_containers: Callable[[Any], Any] = error_store.copy_containers


class LoadCodegen(SourceWriter):
    """Writes and compiles the functions that load one schema and the schemas it nests."""

    def __init__(self) -> None:
        super().__init__(
            {
                "_m": _MISSING,
                "_VE": ma.ValidationError,
                "_Mapping": Mapping,
                "_cc": copy_containers,
                "_copy": _copy,
                "_sv": mu.set_value,
                "_isseq": mu.is_sequence_but_not_string,
                "_iscoll": mu.is_collection,
            }
        )
        self._schemas: dict[int, str] = {}

    def compile(self, schema: ma.Schema) -> Callable[[Any, Any], Any]:
        """Return a function of `(data, unknown)` equal to `schema.load(data, unknown=...)`."""
        name = self.schema_function(schema, 0)
        function: Callable[[Any, Any], Any] = self.make_function(
            name, f"loader {type(schema).__name__}"
        )
        return function

    def schema_function(self, schema: ma.Schema, depth: int) -> str:
        """Return the name of a function of `(data, unknown)` equal to `schema.load`."""
        if id(schema) in self._schemas:
            return self._schemas[id(schema)]
        self._kept.append(schema)
        reason = is_loadable_schema(schema)
        if reason is not None:
            self.fallbacks.append(f"{type(schema).__name__}: {reason}")
            load = self.bind(schema.load, "sl")
            name = self.bind(None, "fl")
            self.lines += [
                f"def {name}(data, unknown):",
                f"    return {load}(data, unknown=unknown)",
            ]
            self._schemas[id(schema)] = name
            return name
        self._schemas[id(schema)] = name = self.bind(None, "load")
        item = self.bind(None, "item")
        body: list[str] = []
        for attr_name, field in schema.load_fields.items():
            body += self._field_statements(schema, attr_name, field, depth)
        keys = self.bind(
            {f.data_key if f.data_key is not None else n for n, f in schema.load_fields.items()},
            "keys",
        )
        type_error = self.bind(schema.error_messages["type"], "te")
        unknown_error = self.bind(schema.error_messages["unknown"], "ue")
        self.lines += [
            f"def {item}(data, unknown):",
            "    ret = {}",
            "    if not isinstance(data, _Mapping):",
            f"        return ret, {{'_schema': [{type_error}]}}",
            "    err = {}",
            "    get = data.get",
            *body,
            "    if unknown != 'exclude':",
            f"        for key in set(data) - {keys}:",
            "            value = data[key]",
            "            if unknown == 'include':",
            "                ret[key] = value",
            "            elif unknown == 'raise':",
            f"                err[key] = [{unknown_error}]",
            "    return ret, err",
            f"def {name}(data, unknown):",
            "    if unknown is None:",
            f"        unknown = {schema.unknown!r}",
        ]
        many = bool(schema.many)
        if many:
            self.lines += [
                "    result = []",
                "    if not _isseq(data):",
                f"        errors = {{'_schema': [{type_error}]}}",
                "    else:",
                "        errors = {}",
                "        for index, one in enumerate(data):",
                f"            ret, err = {item}(one, unknown)",
                "            result.append(ret)",
                "            if err:",
                "                errors[index] = err",
            ]
        else:
            self.lines.append(f"    result, errors = {item}(data, unknown)")
        handle = self.bind(schema.handle_error, "he")
        self.lines += [
            "    if errors:",
            "        exc = _VE(errors, data=data, valid_data=result)",
            f"        {handle}(exc, data, many={many!r}, partial=None)",
            "        raise exc",
            "    return result",
        ]
        return name

    def _field_statements(
        self, schema: ma.Schema, attr_name: str, field: Any, depth: int
    ) -> list[str]:
        """Write what `Schema._deserialize` does for one field, as statements."""
        key = repr(field.data_key if field.data_key is not None else attr_name)
        target = field.attribute or attr_name
        store = _store(target, "x")
        read = f"    v = get({key}, _m)"
        caught = [
            "    except _VE as e:",
            f"        err[{key}] = _cc(e.messages)",
            "        x = e.valid_data or _m",
            "    if x is not _m:",
            f"        {store}",
        ]
        missing = self._missing_messages(field)
        if missing is None:
            self.fallbacks.append(f"{type(schema).__name__}.{attr_name}: {type(field).__name__}")
            deserialize = self.bind(field.deserialize, "fd")
            return [read, "    try:", f"        x = {deserialize}(v, {key}, data)", *caught]
        required, null = missing
        convert = self.converter(field, depth)
        out = [read, "    if v is _m:"]
        if field.required:
            out.append(f"        err[{key}] = [{required}]")
        elif field.load_default is _MISSING:
            out.append("        pass")
        else:
            default = self.bind(field.load_default, "ld")
            call = "()" if callable(field.load_default) else ""
            out += [
                f"        x = {default}{call}",
                "        if x is not _m:",
                f"            {store}",
            ]
        out.append("    elif v is None:")
        if field.allow_none:
            out.append("        " + _store(target, "None"))
        else:
            out.append(f"        err[{key}] = [{null}]")
        out += [
            "    else:",
            "        try:",
            f"            x = {convert}(v, {key}, data)",
            "        except _VE as e:",
            f"            err[{key}] = _copy(e.messages)",
            "            x = e.valid_data or _m",
        ]
        if field.validators:
            # Validators run only on a converted value; their errors leave no valid data.
            out += ["        else:", *(f"            {line}" for line in self.validation(field))]
            out += [
                "            if errors:",
                f"                err[{key}] = errors",
                "                x = _m",
            ]
        return [*out, "        if x is not _m:", f"            {store}"]

    def _missing_messages(self, field: Any) -> tuple[str, str] | None:
        """Return the names of the field's "required" and "null" messages, if it is compiled."""
        if not has_standard_deserialize(field):
            return None
        names = []
        for kind in ("required", "null"):
            try:
                messages = field.make_error(kind).messages
            except (KeyError, IndexError, ValueError, AttributeError, AssertionError):
                return None
            if not (isinstance(messages, list) and len(messages) == 1):
                return None
            names.append(self.bind(messages[0], kind[0]))
        return names[0], names[1]

    def full(self, field: Any, depth: int) -> str:
        """Return a function of `(v, attr=None, data=None)` equal to `field.deserialize`."""
        missing = self._missing_messages(field)
        if missing is None:
            self.fallbacks.append(f"{type(field).__name__} (inner)")
            return self.bind(field.deserialize, "fd")
        required, null = missing
        core = self.core(field, depth)
        name = self.bind(None, "full")
        body = [f"def {name}(v, attr=None, data=None):", "    if v is _m:"]
        if field.required:
            body.append(f"        raise _VE({required})")
        default = field.load_default
        if default is _MISSING:
            body.append("        return _m")
        else:
            body.append(
                f"        return {self.bind(default, 'ld')}{'()' if callable(default) else ''}"
            )
        body.append("    if v is None:")
        body.append("        return None" if field.allow_none else f"        raise _VE({null})")
        self.lines += [*body, f"    return {core}(v, attr, data)"]
        return name

    def core(self, field: Any, depth: int) -> str:
        """Return a function of `(v, attr, data)`: the field's `_deserialize`, then validators.

        The value is neither missing nor `None` (the caller has handled those).
        """
        convert = self.converter(field, depth)
        if not field.validators:
            return convert
        name = self.bind(None, "core")
        self.lines += [
            f"def {name}(v, attr, data):",
            f"    x = {convert}(v, attr, data)",
            *(f"    {line}" for line in self.validation(field)),
            "    if errors:",
            "        raise _VE(errors)",
            "    return x",
        ]
        return name

    def converter(self, field: Any, depth: int) -> str:
        """Return a function of `(v, attr, data)` equal to the field's `_deserialize`."""
        body: list[str] | None = None
        invalid = self._invalid(field) if owns_deserialize(field, mf.List, "_deserialize") else None
        if invalid is not None:
            body = self._list(field, invalid, depth)
        elif (
            owns_deserialize(field, mf.Nested, "_deserialize", "_load", "_test_collection")
            and resolves(field)
            and depth < MAX_NESTING
        ):
            body = self._nested(field, depth)
        if body is None and _nul_free_string(field):
            # A str without NUL is returned as it is (String._deserialize behind restkit's NUL
            # check); anything else goes through both, for their errors.
            body = [
                "if type(v) is str and '\\x00' not in v:",
                "    x = v",
                "else:",
                f"    x = {self.bind(field._deserialize, 'ds')}(v, attr, data)",
            ]
        if body is None:
            return self.bind(field._deserialize, "ds")
        name = self.bind(None, "conv")
        self.lines += [f"def {name}(v, attr, data):", *(f"    {line}" for line in body)]
        self.lines.append("    return x")
        return name

    def validation(self, field: Any) -> list[str]:
        """Write marshmallow's `And(*field.validators)(x)`: every message, into `errors`.

        The messages are copied as marshmallow's error store copies them.
        """
        body = ["errors = []"]
        for validator in field.validators:
            body += [
                "try:",
                f"    {self.bind(validator, 'va')}(x)",
                "except _VE as e:",
                "    if isinstance(e.messages, dict): errors.append(_cc(e.messages))",
                "    else: errors.extend(_copy(e.messages))",
            ]
        return body

    def _invalid(self, field: Any) -> str | None:
        try:
            messages = field.make_error("invalid").messages
        except (KeyError, IndexError, ValueError, AttributeError, AssertionError):
            return None
        if not (isinstance(messages, list) and len(messages) == 1):
            return None
        return self.bind(messages[0], "inv")

    def _list(self, field: Any, invalid: str, depth: int) -> list[str]:
        # marshmallow's List._deserialize: each item through the inner field's deserialize.
        inner = self.full(field.inner, depth)
        return [
            "if not _iscoll(v):",
            f"    raise _VE({invalid})",
            "x = []",
            "errs = {}",
            "for index, each in enumerate(v):",
            "    try:",
            f"        x.append({inner}(each))",
            "    except _VE as e:",
            "        if e.valid_data is not None:",
            "            x.append(e.valid_data)",
            "        errs[index] = e.messages",
            "if errs:",
            "    raise _VE(errs, valid_data=x)",
        ]

    def _nested(self, field: Any, depth: int) -> list[str]:
        # marshmallow's Nested._deserialize: the collection test, then the schema's load with
        # the field's `unknown`; the error it raises carries the messages and the valid data.
        schema = nested_schema(field)
        load = self.schema_function(schema, depth + 1)
        body = []
        if schema.many or field.many:
            body.append(f"{self.bind(field._test_collection, 'tc')}(v)")
        body += [
            "try:",
            f"    x = {load}(v, {field.unknown!r})",
            "except _VE as e:",
            "    raise _VE(e.messages, valid_data=e.valid_data) from e",
        ]
        return body


def _nul_free_string(field: Any) -> bool:
    """Whether the field is a `String` whose loading is marshmallow's behind restkit's NUL check."""
    return (
        getattr(field._deserialize, "restkit_nul_free", False)
        and type(field)._deserialize is mf.String._deserialize
    )


def _store(target: str, value: str) -> str:
    """Write marshmallow's `set_value(ret, target, value)`: dotted targets make nested dicts."""
    return f"_sv(ret, {target!r}, {value})" if "." in target else f"ret[{target!r}] = {value}"


def _copy(messages: Any) -> Any:
    """Return marshmallow's `copy_containers(messages)`, quickly for the usual one message."""
    if type(messages) is list and len(messages) == 1 and type(messages[0]) is str:
        return [messages[0]]
    return copy_containers(messages)
