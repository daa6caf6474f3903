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
from restkit._load_inline import NOT_TEXT, text_test, validator_lines

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
                "_NT": NOT_TEXT,
            }
        )
        self._schemas: dict[int, str] = {}
        self._items: dict[int, str] = {}  # the function that loads one item, by schema

    def compile(self, schema: ma.Schema) -> Callable[[Any, Any], Any]:
        """Return a function of `(data, unknown)` equal to `schema.load(data, unknown=...)`."""
        name = self.schema_function(schema, 0)
        function: Callable[[Any, Any], Any] = self.make_function(
            name, f"loader {type(schema).__name__}"
        )
        return function

    def compile_gathering(self, schema: ma.Schema) -> Callable[[Any, Any], Any] | None:
        """Return a function of `(data, unknown)` that returns `(result, messages)`.

        It is `compile(schema)` that returns marshmallow's messages instead of raising them
        (empty when the data is valid), for a schema that marshmallow's default
        `handle_error` would leave as they are; `None` for any other schema.
        """
        if type(schema).handle_error is not ma.Schema.handle_error:
            return None
        self.schema_function(schema, 0)
        item = self._items.get(id(schema))
        if item is None:
            return None
        name = self.bind(None, "gather")
        self.lines += [f"def {name}(data, unknown):", *self._gather(schema, item)]
        self.lines.append("    return result, errors")
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
            *self._gather(schema, item),
        ]
        handle = self.bind(schema.handle_error, "he")
        self.lines += [
            "    if errors:",
            "        exc = _VE(errors, data=data, valid_data=result)",
            f"        {handle}(exc, data, many={bool(schema.many)!r}, partial=None)",
            "        raise exc",
            "    return result",
        ]
        self._items[id(schema)] = item
        return name

    def _gather(self, schema: ma.Schema, item: str) -> list[str]:
        """Write the start of a schema's load: `result` and the `errors` of every item."""
        lines = ["    if unknown is None:", f"        unknown = {schema.unknown!r}"]
        if not schema.many:
            return [*lines, f"    result, errors = {item}(data, unknown)"]
        type_error = self.bind(schema.error_messages["type"], "te")
        return [
            *lines,
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
        general = [
            "try:",
            f"    x = {convert}(v, {key}, data)",
            "except _VE as e:",
            f"    err[{key}] = _copy(e.messages)",
            "    x = e.valid_data or _m",
        ]
        if field.validators:
            # Validators run only on a converted value; their errors leave no valid data.
            general += ["else:", *(f"    {line}" for line in self._validated(field, key))]
        fast = self._fast_branches(field, key, depth)
        if fast:
            general = [*fast, "else:", *(f"    {line}" for line in general)]
        out += ["    else:", *(f"        {line}" for line in general)]
        return [*out, "        if x is not _m:", f"            {store}"]

    def _validated(self, field: Any, key: str) -> list[str]:
        """Write the field's validators on `x`: their messages under `key`, and no value."""
        return [
            *self.validation(field),
            "if errors:",
            f"    err[{key}] = errors",
            "    x = _m",
        ]

    def _fast_branches(self, field: Any, key: str, depth: int) -> list[str]:
        """Write `if`/`elif` branches that load the usual values of a field without raising.

        Text for a text field, and a list of text for a `List` of one: the value as it is, or
        the messages marshmallow would raise (see `restkit._load_inline`). Empty when the
        field has none; other values take the `else` that follows.
        """
        test = text_test(field)
        if test is not None:
            lines = [f"if {test.format(v='v')}:", "    x = v"]
            if field.validators:
                lines += [f"    {line}" for line in self._validated(field, key)]
            invalid = self._invalid(field)
            if invalid is not None:
                lines += ["elif type(v) in _NT:", f"    err[{key}] = [{invalid}]", "    x = _m"]
            return lines
        if not owns_deserialize(field, mf.List, "_deserialize"):
            return []
        inner = field.inner
        test = text_test(inner)
        if test is None or self._invalid(field) is None or self._missing_messages(inner) is None:
            return []
        # marshmallow's List._deserialize over a list, each text item loaded in the loop.
        item = [f"    if {test.format(v='x')}:"]
        if inner.validators:
            item += [f"        {line}" for line in self.validation(inner)]
            item += ["        if errors:", "            errs[index] = errors", "        else:"]
            item += ["            xs.append(x)"]
        else:
            item += ["        xs.append(x)"]
        invalid = self._invalid(inner)
        if invalid is not None:
            item += ["    elif type(x) in _NT:", f"        errs[index] = [{invalid}]"]
        lines = [
            "if type(v) is list:",
            "    xs = []",
            "    errs = {}",
            "    for index, x in enumerate(v):",
            *(f"    {line}" for line in item),
            "        else:",
            "            try:",
            f"                xs.append({self.full(inner, depth)}(x))",
            "            except _VE as e:",
            "                if e.valid_data is not None:",
            "                    xs.append(e.valid_data)",
            "                errs[index] = _copy(e.messages)",
            "    if errs:",
            f"        err[{key}] = errs",
            "        x = xs or _m",
            "    else:",
            "        x = xs",
        ]
        if field.validators:
            lines += [f"        {line}" for line in self._validated(field, key)]
        return lines

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
        test = text_test(field) if body is None else None
        if test is not None:
            # Text is returned as it is (String._deserialize, behind restkit's NUL check when
            # hardened); anything else goes through the field's own code, for its errors.
            body = [
                f"if {test.format(v='v')}:",
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
            inline = validator_lines(validator, self.bind)
            if inline is not None:
                body += inline
                continue
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


def _store(target: str, value: str) -> str:
    """Write marshmallow's `set_value(ret, target, value)`: dotted targets make nested dicts."""
    return f"_sv(ret, {target!r}, {value})" if "." in target else f"ret[{target!r}] = {value}"


def _copy(messages: Any) -> Any:
    """Return marshmallow's `copy_containers(messages)`, quickly for the usual one message."""
    if type(messages) is list and len(messages) == 1 and type(messages[0]) is str:
        return [messages[0]]
    return copy_containers(messages)
