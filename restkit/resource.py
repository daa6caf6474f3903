"""Resource classes: one URL, one method per HTTP verb, each declared with `operation`.

A `Resource` subclass is checked and resolved when the class is created: every `get`, `post`,
`put`, `patch` and `delete` method must be declared with `operation`, its inputs must suit the
HTTP method, and its signature must take every declared input. Mistakes raise
`DeclarationError` at import, never at the first request.

```python
class TaskItem(Resource):
    @operation(response=TaskSchema)
    def get(self, task_id: int):
        return get_task_or_404(task_id)
```
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

from restkit.errors import DeclarationError
from restkit.operation import (
    Operation,
    OperationDeclaration,
    check_method_inputs,
    get_declaration,
)

__all__ = ["HTTP_METHODS", "Resource"]

HTTP_METHODS: tuple[str, ...] = ("get", "put", "post", "delete", "patch")
"""The resource methods restkit serves, in the order they are documented."""


class Resource:
    """Base class of resources. Subclasses define `get`, `post`, `put`, `patch`, `delete`.

    An instance is created for every request, so a method may keep per-request state on `self`.

    Attributes:
        operations: The resolved operations by HTTP method (`"GET"`, ...), set at class creation.
        decorators: View decorators applied, in order, to the view function that serves this
            resource, as with Flask's `MethodView.decorators`.

    Example:
        ```python
        class Tasks(Resource):
            \"\"\"The caller's tasks.\"\"\"

            @operation(query=TaskFilter, response=TaskSchema(many=True))
            def get(self, query):
                \"\"\"List tasks.\"\"\"
                return find_tasks(**query)

            @operation(body=TaskSchema, response=TaskSchema, status=201)
            def post(self, body):
                \"\"\"Create a task.\"\"\"
                task = create_task(**body)
                return task, 201, {"Location": url_for(".TaskItem", task_id=task.id)}
        ```
    """

    operations: ClassVar[Mapping[str, Operation]] = MappingProxyType({})
    decorators: ClassVar[Sequence[Callable[[Callable[..., Any]], Callable[..., Any]]]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        operations: dict[str, Operation] = {}
        for name in HTTP_METHODS:
            function = getattr(cls, name, None)
            if function is None:
                continue
            declaration = get_declaration(function)
            if declaration is None:
                raise DeclarationError(
                    f"{cls.__name__}.{name} is not declared. Decorate it with "
                    "@operation(...) and declare at least its response, e.g. "
                    "@operation(response=SomeSchema)."
                )
            culprit = f"{cls.__name__}.{name}"
            check_method_inputs(culprit, name, declaration.inputs)
            _check_signature(culprit, function, declaration, ())
            summary, description = _docstring_parts(function)
            operations[name.upper()] = Operation(
                method=name.upper(),
                function_name=name,
                resource_name=cls.__name__,
                declaration=declaration,
                summary=declaration.summary or summary,
                description=declaration.description or description,
            )
        cls.operations = MappingProxyType(operations)


def bind_path(
    resource: type[Resource], arguments: Iterable[str], where: str, *, complete: bool = True
) -> dict[str, Operation]:
    """Return the resource's operations for a URL rule with these variables.

    Args:
        resource: The resource class.
        arguments: The URL variables of the rule.
        where: The rule, for error messages.
        complete: Whether `arguments` are all of the URL's variables. A blueprint does not
            know its API's prefix yet, so it passes `False` and the check that every required
            argument is supplied waits for `Api.init_app`.

    Raises:
        DeclarationError: A method cannot take one of the URL variables, or needs an argument
            that nothing supplies.
    """
    names = tuple(arguments)
    bound: dict[str, Operation] = {}
    for method, op in resource.operations.items():
        function = getattr(resource, op.function_name)
        path_arguments = names
        path_input = op.inputs.get("path")
        if path_input is not None:
            fields = path_input.schema.load_fields
            missing = [name for name in names if name not in _wire_names(fields)]
            if missing:
                raise DeclarationError(
                    f"{op.qualname} declares path=... without field(s) {', '.join(missing)} "
                    f"of the URL {where}. Add them to the path schema."
                )
            path_arguments = tuple(fields)
        _check_signature(
            op.qualname, function, op.declaration, path_arguments, where, complete=complete
        )
        bound[method] = Operation(
            method=op.method,
            function_name=op.function_name,
            resource_name=op.resource_name,
            declaration=op.declaration,
            path_arguments=path_arguments,
            summary=op.summary,
            description=op.description,
        )
    return bound


def _wire_names(fields: Mapping[str, Any]) -> set[str]:
    return {
        field.data_key if field.data_key is not None else name for name, field in fields.items()
    }


def _check_signature(
    culprit: str,
    function: Callable[..., Any],
    declaration: OperationDeclaration,
    path_arguments: tuple[str, ...],
    where: str | None = None,
    *,
    complete: bool = False,
) -> None:
    """Check the method's signature against its inputs and, when mounted, its URL."""
    parameters = list(inspect.signature(function).parameters.values())[1:]  # drop self
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    by_name = {
        p.name: p
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    supplied = [location for location in declaration.inputs if location != "path"]
    supplied_names = [*supplied, *path_arguments]
    if not takes_any:
        for location in supplied:
            if location not in by_name:
                raise DeclarationError(
                    f"{culprit} declares {location}=... but has no parameter named "
                    f"{location!r} to receive it. Add `{location}` to its parameters."
                )
        for name in path_arguments:
            if name not in by_name:
                raise DeclarationError(
                    f"{culprit} is mounted at {where}, whose URL variable {name!r} it does not "
                    f"accept. Add `{name}` to its parameters, or change the URL."
                )
    if not complete:
        return  # the URL's variables are not all known until the API is mounted
    for parameter in by_name.values():
        if parameter.default is inspect.Parameter.empty and parameter.name not in supplied_names:
            raise DeclarationError(
                f"{culprit} requires the argument {parameter.name!r}, which neither its "
                f"declared inputs nor the URL {where} supply. Give it a default, declare it, "
                "or remove it."
            )


def _docstring_parts(function: Callable[..., Any]) -> tuple[str | None, str | None]:
    doc = inspect.getdoc(function)
    if not doc:
        return None, None
    summary, _, rest = doc.partition("\n\n")
    return " ".join(summary.split()), rest.strip() or None
