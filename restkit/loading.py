"""The load compiler: a marshmallow schema's `load` as specialised Python code, made once.

marshmallow loads a mapping through several layers of generic calls (`_do_load`,
`_deserialize`, a getter closure and `_call_and_store` per field, `Field.deserialize`, an
`ErrorStore` that copies and merges every message), and for a small JSON body that is most of
what parsing costs. `make_loader` reads a schema once and writes one Python function for it
that does the same work inline, calling each field's own `_deserialize` and validators.

The rule is equality: the compiled function returns exactly what
`schema.load(data, unknown=...)` returns, and where marshmallow raises `ValidationError`, it
raises one with equal `messages` (the same nesting, key order and strings), `valid_data` and
`data`. What the compiler cannot vouch for goes through marshmallow itself:

- a schema with `pre_load`, `post_load`, `validates` or `validates_schema` hooks, `partial`,
  `index_errors = False`, a custom `dict_class`, or its own loading methods is loaded by its
  own `load`, also when it is nested;
- a field that overrides `deserialize` (or the methods it calls), or has field-level
  `pre_load`/`post_load` functions, is loaded by its own `deserialize` (`Method`, `Function`
  and `Pluck` fields, and custom fields, are not special: their `_deserialize` is called as
  they have it);
- nesting deeper than a few levels (self-nesting schemas) is left to marshmallow.

Request parsing uses it unless the `compile_loads` setting is off (see `restkit.settings`).

Example:
    ```python
    from restkit.loading import make_loader

    load = make_loader(TaskSchema())
    load({"title": "Write"}) == TaskSchema().load({"title": "Write"})  # True, and faster
    ```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import marshmallow as ma

from restkit._dump_rules import is_loadable_schema
from restkit._load_codegen import LoadCodegen

__all__ = [
    "Loader",
    "ValidatingLoader",
    "explain_loader",
    "make_loader",
    "make_validating_loader",
]


class Loader(Protocol):
    """What `make_loader` returns: `schema.load` with only the `unknown` option."""

    def __call__(self, data: Any, *, unknown: str | None = None) -> Any:
        """Load `data` as `schema.load(data, unknown=unknown)` does."""


def make_loader(schema: ma.Schema, *, lazy: bool = False) -> Loader:
    """Return a function that loads like `schema.load`, compiled for this schema.

    The schema is read when it is compiled: its fields, their options and nested schemas
    (which are resolved then, if marshmallow has not resolved them yet). Change none of them
    afterwards.

    Args:
        schema: The schema instance; its `many`, `unknown`, `only` and `exclude` apply.
        lazy: Compile on the first call rather than now, so that an API with many
            operations starts as fast as without the compiler; request plans do this.

    Returns:
        A function `load(data, *, unknown=None)` equal to `schema.load(data, unknown=unknown)`:
        the same result, and a `ValidationError` with the same `messages` and `valid_data`.
        It calls the schema's own `load` when the schema cannot be compiled.
    """
    if is_loadable_schema(schema) is not None:
        return _own_load(schema)
    compiled: Callable[[Any, Any], Any] | None = None if lazy else LoadCodegen().compile(schema)

    def load(data: Any, *, unknown: str | None = None) -> Any:
        nonlocal compiled
        if compiled is None:
            # Two threads may both compile on the first calls; both functions are the same.
            compiled = LoadCodegen().compile(schema)
        return compiled(data, unknown)

    return load


class ValidatingLoader(Protocol):
    """What `make_validating_loader` returns: `schema.load` that returns its errors."""

    def __call__(self, data: Any, *, unknown: str | None = None) -> tuple[Any, Any]:
        """Return `(result, messages)`: the loaded data, or what was valid and the messages."""


def make_validating_loader(schema: ma.Schema, *, lazy: bool = False) -> ValidatingLoader:
    """Return a function that loads like `make_loader`'s, but returns the errors it finds.

    Raising and catching `ValidationError` is a good part of what an invalid input costs;
    request parsing, which turns the messages into a 422 problem anyway, takes them as a
    value.

    Args:
        schema: The schema instance, as for `make_loader`.
        lazy: Compile on the first call rather than now.

    Returns:
        A function `load(data, *, unknown=None)` returning `(result, messages)`. When
        `schema.load(data, unknown=unknown)` returns, `result` is what it returns and
        `messages` is empty; when it raises `ValidationError`, they are the error's
        `valid_data` and `messages`. Any other exception (from a schema's own
        `handle_error`, say) propagates.
    """
    compiled: Callable[[Any, Any], tuple[Any, Any]] | None = None

    def compile_now() -> Callable[[Any, Any], tuple[Any, Any]]:
        compilable = is_loadable_schema(schema) is None
        gathering = LoadCodegen().compile_gathering(schema) if compilable else None
        if gathering is not None:
            return gathering
        raising = make_loader(schema) if compilable else _own_load(schema)

        def catching(data: Any, unknown: Any) -> tuple[Any, Any]:
            try:
                return raising(data, unknown=unknown), {}
            except ma.ValidationError as error:
                return error.valid_data, error.messages

        return catching

    if not lazy:
        compiled = compile_now()

    def load(data: Any, *, unknown: str | None = None) -> tuple[Any, Any]:
        nonlocal compiled
        if compiled is None:
            compiled = compile_now()  # as in make_loader, two threads may both compile
        return compiled(data, unknown)

    return load


def _own_load(schema: ma.Schema) -> Loader:
    def load(data: Any, *, unknown: str | None = None) -> Any:
        return schema.load(data, unknown=unknown)  # type: ignore[arg-type]

    return load


def explain_loader(schema: ma.Schema) -> tuple[str, list[str]]:
    """Return the generated source for `schema` and what in it marshmallow loads itself.

    For tests and for curiosity: the first item is the Python source `make_loader` compiles,
    the second lists the schemas and fields it leaves to marshmallow, with the reason.
    """
    reason = is_loadable_schema(schema)
    if reason is not None:
        return "", [f"{type(schema).__name__}: {reason}"]
    codegen = LoadCodegen()
    codegen.compile(schema)
    return "\n".join(codegen.lines), codegen.fallbacks
