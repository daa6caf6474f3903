"""The dump compiler: a marshmallow schema's `dump` as specialised Python code, made once.

marshmallow dumps a value field by field through several layers of generic calls
(`Field.serialize`, `get_value`, the accessor, `_serialize`), and that is most of what a
response costs. `make_dumper` reads a schema once (response plans do it on the schema's
first response) and writes one Python function for it that does the same work inline: the
values are read the way marshmallow reads them (dict keys, then attributes; dotted
attributes), and each field type's own conversion is written out for that field.

The rule is equality: the compiled function returns exactly what `schema.dump(obj)` returns,
and raises the same exception where marshmallow raises. What the compiler cannot vouch for
goes through marshmallow itself:

- a field that is not one of marshmallow's own classes (a subclass, a custom field), or that
  overrides a dumping method on the instance, is dumped by its own `serialize`;
- a schema with `pre_dump` or `post_dump` hooks, a custom `dict_class`, or its own `dump`,
  `_serialize` or `get_attribute`, is dumped by its own `dump`, also when it is nested;
- nesting deeper than a few levels (self-nesting schemas) is left to marshmallow.

Responses use it unless the `compile_dumps` setting is off (see `restkit.settings`).

Example:
    ```python
    from restkit.dumping import make_dumper

    dump = make_dumper(TaskSchema(many=True))
    dump(tasks) == TaskSchema(many=True).dump(tasks)  # True, and several times faster
    ```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma

from restkit._dump_codegen import Codegen
from restkit._dump_rules import is_compilable_schema

__all__ = ["explain_dumper", "make_dumper"]


def make_dumper(schema: ma.Schema, *, lazy: bool = False) -> Callable[[Any], Any]:
    """Return a function that dumps like `schema.dump`, compiled for this schema.

    The schema is read when it is compiled: its fields, their options and nested schemas
    (which are resolved then, if marshmallow has not resolved them yet). Change none of them
    afterwards.

    Args:
        schema: The schema instance; its `many`, `only` and `exclude` apply.
        lazy: Compile on the first call rather than now, so that an API with many
            operations starts as fast as without the compiler; response plans do this.

    Returns:
        A function of one object, equal to `schema.dump(obj)`: the same output and the same
        exceptions. It is the schema's own `dump` when nothing of the schema can be compiled.
    """
    if is_compilable_schema(schema) is not None:
        return schema.dump
    if not lazy:
        return Codegen().compile(schema, bool(schema.many))
    compiled: Callable[[Any], Any] | None = None

    def dump(obj: Any) -> Any:
        nonlocal compiled
        if compiled is None:
            # Two threads may both compile on the first calls; both functions are the same.
            compiled = Codegen().compile(schema, bool(schema.many))
        return compiled(obj)

    return dump


def explain_dumper(schema: ma.Schema) -> tuple[str, list[str]]:
    """Return the generated source for `schema` and what in it marshmallow dumps itself.

    For tests and for curiosity: the first item is the Python source `make_dumper` compiles,
    the second lists the schemas and fields it leaves to marshmallow, with the reason.
    """
    codegen = Codegen()
    if is_compilable_schema(schema) is None:
        codegen.compile(schema, bool(schema.many))
        return "\n".join(codegen.lines), codegen.fallbacks
    return "", [f"{type(schema).__name__}: {is_compilable_schema(schema)}"]
