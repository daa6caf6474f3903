"""Resource classes: one URL, one method per HTTP verb, each declared with `operation`.

A `Resource` subclass is checked and resolved when the class is created: every `get`, `post`,
`put`, `patch` and `delete` method must be declared with `operation` (and with `def`: restkit
views are synchronous, so an `async def` is refused), its inputs must suit the HTTP method,
and its signature must take every declared input. Mistakes raise `DeclarationError` at
import, never at the first request.

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
from types import FunctionType, MappingProxyType
from typing import Any, ClassVar

from restkit.auth import AuthLike
from restkit.conditional import Conditional
from restkit.deprecation import Deprecation
from restkit.errors import DeclarationError
from restkit.features import Policies, make_policies
from restkit.idempotency import Idempotency
from restkit.operation import (
    Operation,
    OperationDeclaration,
    check_method_inputs,
    get_declaration,
)
from restkit.pagination import Pagination
from restkit.permissions import Requirement
from restkit.ratelimit import RateLimitLike

__all__ = ["HTTP_METHODS", "Resource"]

HTTP_METHODS: tuple[str, ...] = ("get", "put", "post", "delete", "patch")
"""The resource methods restkit serves, in the order they are documented."""

_PARAMETERS = "__restkit_parameters__"


def get_parameters(function: Callable[..., Any]) -> Mapping[str, inspect.Parameter]:
    """Return the parameters of a resource method's signature, by name.

    Each method's signature is read once (at class creation) and kept on the function:
    mounting a resource and planning its views ask for it several times per method.
    """
    if type(function) is not FunctionType:  # a bound method, a builtin: read it each time
        return inspect.signature(function).parameters
    # Kept with the function it was read from: functools.wraps copies a function's __dict__
    # into its wrapper, whose signature may differ.
    entry = function.__dict__.get(_PARAMETERS)
    if entry is not None and entry[0] is function:
        found: Mapping[str, inspect.Parameter] = entry[1]
        return found
    parameters = inspect.signature(function).parameters
    function.__dict__[_PARAMETERS] = (function, parameters)
    return parameters


class Resource:
    """Base class of resources. Subclasses define `get`, `post`, `put`, `patch`, `delete`.

    An instance is created for every request, so a method may keep per-request state on `self`.

    A resource of one object may define `get_object(self, **path_arguments)`, which returns
    the object the URL names (or raises `NotFound`, or returns `None` for a 404). restkit
    calls it before a write to check `If-Match` (see `restkit.conditional`) and to apply a
    patch (see `restkit.patch`), and passes the object to the method as `current` when the
    method takes that argument. A method of any verb that takes `current` gets it too.

    A resource may define `transaction(self)`, a context manager that restkit enters around
    everything a method's request does once its input is read (loading the current object,
    the method, rendering the response) and exits with the exception, if any, or before
    answering. A response of status 400 or more also leaves it through an exception, so it
    can roll back. Model resources commit there (see `restkit.sqla`). When the transaction
    raises `TransactionConflict` (the database gave it up for a concurrent one), restkit runs
    it again with a fresh resource, up to `transaction_attempts` times in all (a class
    attribute; 1 unless set, 3 on model resources).

    A resource may also define `authorize_object(self, obj, identity, method)`, the
    object-level permission check: restkit then loads the object with `get_object` before
    every method of the resource and calls the hook with it, the caller's `Identity` (`None`
    on a public operation) and the HTTP method. Raise `NotFound` to hide an object the caller
    must not know of, or `Forbidden` to refuse the action; return to allow it. The OpenAPI
    document lists 403 and 404 for such a resource.

    Attributes:
        operations: The resolved operations by HTTP method (`"GET"`, ...), set at class creation.
        decorators: View decorators applied, in order, to the view function that serves this
            resource, as with Flask's `MethodView.decorators`.
        pagination: Pagination defaults of this resource's list operations.
        conditional: Conditional requests for this resource's operations.
        idempotency: `Idempotency-Key` handling for this resource's POST.
        rate_limit: Limits counted over all of this resource's operations.
        deprecated: Deprecation of all of this resource's operations.
        auth: Who may call this resource's operations (see `restkit.auth`).
        requires: What the caller needs, for all of them (see `restkit.permissions`).
        policies: The seven above, checked at class creation (see `restkit.features`).

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
    pagination: ClassVar[Pagination | bool | None] = None
    conditional: ClassVar[Conditional | bool | None] = None
    idempotency: ClassVar[Idempotency | bool | None] = None
    rate_limit: ClassVar[RateLimitLike | bool | None] = None
    deprecated: ClassVar[Deprecation | bool | None] = None
    auth: ClassVar[AuthLike] = None
    requires: ClassVar[Requirement | Sequence[Requirement] | bool | None] = None
    policies: ClassVar[Policies] = Policies()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.policies = make_policies(
            cls.__name__,
            pagination=cls.pagination,
            conditional=cls.conditional,
            idempotency=cls.idempotency,
            rate_limit=cls.rate_limit,
            deprecated=cls.deprecated,
            auth=cls.auth,
            requires=cls.requires,
        )
        _check_synchronous(cls)
        loader = getattr(cls, "get_object", None)
        if loader is not None and not callable(loader):
            raise DeclarationError(
                f"{cls.__name__}.get_object is {loader!r}; define it as a method that takes "
                "the URL's variables and returns the object."
            )
        check = getattr(cls, "authorize_object", None)
        if check is not None and (not callable(check) or loader is None):
            raise DeclarationError(
                f"{cls.__name__} defines authorize_object, which checks the object the URL "
                "names; define it as a method (self, obj, identity, method) and define "
                "get_object(self, **path_arguments) to load the object."
            )
        writes = [name for name in ("put", "patch", "delete") if getattr(cls, name, None)]
        if isinstance(cls.policies.conditional, Conditional) and writes and loader is None:
            raise DeclarationError(
                f"{cls.__name__} declares conditional=..., whose preconditions are checked "
                f"on {', '.join(writes)} against the current object; define "
                "get_object(self, **path_arguments) to load it."
            )
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
            _check_features(culprit, name, declaration, loads=loader is not None)
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

    @classmethod
    def check_url(cls, arguments: Sequence[str], where: str) -> None:
        """Check the URL this resource is mounted at, when its variables are all known.

        restkit calls it at `Api.init_app` for every URL the resource is mounted at. The
        default accepts any URL; a subclass raises `DeclarationError` for one it cannot
        serve (as model resources do for a URL variable that is not a column).

        Args:
            arguments: The URL's variables, in order.
            where: The URL rule, for error messages.
        """

    @classmethod
    def check_blueprint(cls, resources: Sequence[type[Resource]], where: str) -> None:
        """Check the resources mounted beside this one, when the whole blueprint is known.

        restkit calls it at `Api.init_app` for every resource of a blueprint, once all of its
        routes are mounted. The default accepts any company; a subclass raises
        `DeclarationError` when it depends on a neighbour that is missing or ambiguous (as a
        `ModelCollection` does on the item resource whose URL it answers a create with).

        Args:
            resources: The resource classes of the blueprint's routes, in the order added
                (a class mounted at two URLs appears twice).
            where: The blueprint, for error messages.
        """


def _check_synchronous(cls: type[Resource]) -> None:
    """Refuse `async def` methods and hooks: restkit calls them and never awaits the result."""
    for name in (*HTTP_METHODS, "get_object", "authorize_object"):
        function = getattr(cls, name, None)
        if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
            raise DeclarationError(
                f"{cls.__name__}.{name} is an async def, but restkit views are synchronous: "
                "it would be called and its coroutine never awaited. Define it with def, and "
                "call async code from it with asyncio.run(...) (or use a synchronous client)."
            )


def _check_features(
    culprit: str, method: str, declaration: OperationDeclaration, *, loads: bool
) -> None:
    policies = declaration.policies
    if policies.idempotency and method not in ("post", "patch"):
        raise DeclarationError(
            f"{culprit} declares idempotency; {method.upper()} is idempotent by itself. "
            "Idempotency-Key is for POST (and PATCH)."
        )
    if policies.pagination and method != "get":
        raise DeclarationError(
            f"{culprit} declares pagination; only a GET returns pages. Move it to get()."
        )
    if declaration.patch:
        if method != "patch" or "body" not in declaration.inputs:
            raise DeclarationError(
                f"{culprit} declares patch=...; only a patch() method with body=... applies "
                "patches (the body schema validates the patched result)."
            )
        if not loads:
            raise DeclarationError(
                f"{culprit} declares patch=..., which is applied to the current object; define "
                "get_object(self, **path_arguments) on the resource to load it."
            )
    if policies.conditional and method in ("put", "patch", "delete") and not loads:
        raise DeclarationError(
            f"{culprit} declares conditional=..., whose preconditions are checked against the "
            "current object before the write; define get_object(self, **path_arguments) on "
            "the resource to load it."
        )


def bind_path(
    resource: type[Resource],
    arguments: Iterable[str],
    where: str,
    *,
    complete: bool = True,
    extra: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, Operation]:
    """Return the resource's operations for a URL rule with these variables.

    Args:
        resource: The resource class.
        arguments: The URL variables of the rule.
        where: The rule, for error messages.
        complete: Whether `arguments` are all of the URL's variables. A blueprint does not
            know its API's prefix yet, so it passes `False` and the check that every required
            argument is supplied waits for `Api.init_app`.
        extra: Other arguments restkit passes, by method (`page`, `current`).

    Raises:
        DeclarationError: A method cannot take one of the URL variables, or needs an argument
            that nothing supplies.
    """
    names = tuple(arguments)
    if complete:
        resource.check_url(names, where)
    bound: dict[str, Operation] = {}
    for method, op in resource.operations.items():
        clash = [name for name in (extra or {}).get(method, ()) if name in names]
        if clash:
            raise DeclarationError(
                f"{op.qualname} is mounted at {where}, whose URL variable {clash[0]!r} has the "
                f"name of the argument restkit passes as {clash[0]!r}. Rename the URL variable."
            )
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
            op.qualname,
            function,
            op.declaration,
            path_arguments,
            where,
            complete=complete,
            extra=(extra or {}).get(method, ()),
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
    extra: tuple[str, ...] = (),
) -> None:
    """Check the method's signature against its inputs and, when mounted, its URL."""
    parameters = list(get_parameters(function).values())[1:]  # drop self
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    by_name = {
        p.name: p
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    supplied = [location for location in declaration.inputs if location != "path"]
    supplied_names = [*supplied, *path_arguments, *extra]
    if not takes_any:
        if "page" in extra and "page" not in by_name:
            raise DeclarationError(
                f"{culprit} is paginated but has no parameter named 'page' to receive the "
                "requested page. Add `page` to its parameters (or declare pagination=False)."
            )
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
                "or remove it. (`page` goes to paginated GETs, `current` to methods of "
                "resources with get_object, `identity` to authenticated operations.)"
            )


def _docstring_parts(function: Callable[..., Any]) -> tuple[str | None, str | None]:
    doc = inspect.getdoc(function)
    if not doc:
        return None, None
    summary, _, rest = doc.partition("\n\n")
    return " ".join(summary.split()), rest.strip() or None
