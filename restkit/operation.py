"""Operation declarations and the immutable records they resolve into.

This module is pure: it never touches Flask's request globals, so operations can be built and
inspected (for example by the OpenAPI builder) without a request.

Use the `operation` decorator on the methods of a `Resource`:

```python
class Tasks(Resource):
    @operation(query=TaskFilter, response=TaskSchema(many=True))
    def get(self, query):
        ...

    @operation(body=TaskSchema, response=TaskSchema, status=201)
    def post(self, body):
        ...
```
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Never, TypeVar, cast

import marshmallow as ma

from restkit.auth import AuthLike
from restkit.conditional import Conditional
from restkit.deprecation import Deprecation
from restkit.errors import DeclarationError
from restkit.features import Features, Policies, make_policies
from restkit.idempotency import Idempotency
from restkit.pagination import Pagination
from restkit.patch import PatchFormat, make_patch_formats
from restkit.permissions import Requirement
from restkit.problems import Problem
from restkit.ratelimit import RateLimitLike

__all__ = [
    "LOCATIONS",
    "Input",
    "Location",
    "Operation",
    "OperationDeclaration",
    "ResponseSpec",
    "SchemaLike",
    "get_declaration",
    "operation",
]

Location = Literal["path", "query", "headers", "cookies", "body", "form", "files"]
"""Where a request carries inputs."""

LOCATIONS: tuple[Location, ...] = ("path", "query", "headers", "cookies", "body", "form", "files")
"""Every input location, in the order their errors are reported."""

SchemaLike = type[ma.Schema] | ma.Schema | Mapping[str, ma.fields.Field[Any]]
"""A schema as accepted by declarations: a `Schema` subclass, an instance, or a dict of fields."""

F = TypeVar("F", bound=Callable[..., Any])

_ATTRIBUTE = "__restkit_operation__"
_NO_BODY_METHODS = frozenset({"get", "head", "delete", "options"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 §5.6.2
_MEDIA_TYPE = re.compile(r"(\*/\*|[!#$%&'*+.^_`|~0-9A-Za-z-]+/(\*|[!#$%&'*+.^_`|~0-9A-Za-z-]+))")


class ResponseSpec:
    """One declared response of an operation.

    A response whose body is not JSON, such as a file's bytes, names its media type in
    `content_type`; the method then returns a ready `flask.Response` (for example from
    `flask.send_file`), and the document describes the body as binary data of that type.

    ```python
    @operation(responses={200: ResponseSpec(content_type="*/*", headers={
        "Content-Disposition": "attachment; filename=...",
    })})
    def get(self, file_id: int) -> Response: ...
    ```

    Args:
        schema: The schema the returned object is dumped with: a `Schema` subclass, an
            instance or a dict of fields; `None` for no body.
        description: A description for the OpenAPI document; defaults to the status phrase.
        example: An example body for the OpenAPI document.
        content_type: The media type of a body the method sends itself (not JSON), such as
            `"application/pdf"`, or `"*/*"` for any; or several, such as
            `("application/octet-stream", "*/*")` (SDK generators pick the first they know);
            not with `schema`.
        headers: Headers of this response to document, name to description (for example
            `Content-Disposition`); those of restkit's features are documented anyway.
        location: For a 201: whether it carries `Location`, the URL of what was created
            (the default, and checked on every response). `False` for a 201 whose result has
            no URL of its own, such as an access token: RFC 9110 §15.3.2 then takes the
            request's URL as what was created.

    Attributes:
        schema: The schema instance, or `None`.
        description: The description, or `None`.
        example: The example, or `None`.
        content_types: The media types of a body the method sends itself; empty for none.
        headers: The documented headers, name to description.
        location: Whether a 201 carries `Location`.

    Raises:
        DeclarationError: `schema` is not a schema, both `schema` and `content_type` are
            given, or `content_type` or `headers` are malformed.
    """

    __slots__ = ("content_types", "description", "example", "headers", "location", "schema")

    def __init__(
        self,
        schema: SchemaLike | None = None,
        description: str | None = None,
        example: Any = None,
        *,
        content_type: str | Sequence[str] | None = None,
        headers: Mapping[str, str] | None = None,
        location: bool = True,
    ) -> None:
        self.schema: ma.Schema | None = (
            None if schema is None else make_schema(schema, "ResponseSpec's schema")
        )
        if not isinstance(location, bool):
            raise DeclarationError(
                f"ResponseSpec was given location={location!r}; give True or False."
            )
        self.location = location
        types = (content_type,) if isinstance(content_type, str) else content_type or ()
        if types:
            if not isinstance(types, Sequence) or not all(
                isinstance(kind, str) and _MEDIA_TYPE.fullmatch(kind) for kind in types
            ):
                raise DeclarationError(
                    f"ResponseSpec was given content_type={content_type!r}; give a media type "
                    "such as 'application/pdf', 'image/*' or '*/*', or a list of them."
                )
            if self.schema is not None:
                raise DeclarationError(
                    "ResponseSpec was given both a schema and content_type: a schema describes "
                    "a JSON body, content_type a body the method sends itself. Give one."
                )
        if headers is not None and not all(
            isinstance(name, str) and _TOKEN.fullmatch(name) and isinstance(text, str)
            for name, text in headers.items()
        ):
            raise DeclarationError(
                f"ResponseSpec was given headers={headers!r}; give a dict of header name to "
                "description, such as {'Content-Disposition': 'The file name.'}."
            )
        self.description = description
        self.example = example
        self.content_types: tuple[str, ...] = tuple(types)
        self.headers: dict[str, str] = dict(headers or {})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResponseSpec):
            return NotImplemented
        mine = (self.schema, self.description, self.example, self.content_types, self.headers)
        theirs = (other.schema, other.description, other.example, other.content_types)
        return (*mine, self.location) == (*theirs, other.headers, other.location)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ResponseSpec({self.schema!r}, description={self.description!r})"


@dataclass(frozen=True, slots=True)
class Input:
    """One declared input: the schema that loads one location of the request."""

    location: Location
    schema: ma.Schema


@dataclass(frozen=True, slots=True)
class OperationDeclaration:
    """What the `operation` decorator records on a method, before the resource resolves it.

    Attributes:
        inputs: The declared inputs, keyed by location.
        responses: The declared responses, keyed by status code, in declaration order.
        operation_id: An explicit OpenAPI operationId, or `None` to derive one.
        summary: A one-line summary; defaults to the docstring's first line.
        description: A longer description; defaults to the rest of the docstring.
        tags: Extra OpenAPI tags, besides the blueprint's.
        max_body_size: This operation's own body size limit in bytes, or `None` for the API's.
        problems: The status codes of the problems the method itself raises (such as 409),
            which the OpenAPI document lists beside those restkit knows of.
        request_example: An example request body for the OpenAPI document.
        policies: The operation's own pagination, conditional, idempotency, rate limit,
            deprecation, auth and permission declarations (see `restkit.features`).
        patch: The patch media types a PATCH method accepts, if it applies patches.
    """

    inputs: Mapping[Location, Input]
    responses: Mapping[int, ResponseSpec]
    operation_id: str | None = None
    summary: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    max_body_size: int | None = None
    problems: tuple[int, ...] = ()
    request_example: Any = None
    policies: Policies = field(default_factory=Policies)
    patch: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Operation:
    """A resolved operation: one HTTP method of one resource, ready to plan and to document.

    Attributes:
        method: The HTTP method in upper case, for example `"GET"`.
        function_name: The name of the resource method that implements it, for example `"get"`.
        resource_name: The resource class's name.
        declaration: What the method declared.
        path_arguments: The URL variables the method receives as keyword arguments.
        summary: The summary for the OpenAPI document, if any.
        description: The description for the OpenAPI document, if any.
        features: The HTTP behaviours resolved from every level when the API was mounted
            (empty until then).
    """

    method: str
    function_name: str
    resource_name: str
    declaration: OperationDeclaration
    path_arguments: tuple[str, ...] = ()
    summary: str | None = None
    description: str | None = field(default=None)
    features: Features = field(default_factory=Features)

    @property
    def inputs(self) -> Mapping[Location, Input]:
        """The declared inputs, keyed by location."""
        return self.declaration.inputs

    @property
    def responses(self) -> Mapping[int, ResponseSpec]:
        """The declared responses, keyed by status code."""
        return self.declaration.responses

    @property
    def qualname(self) -> str:
        """`Resource.method`, the name used in error messages."""
        return f"{self.resource_name}.{self.function_name}"


_SHARED = "_restkit_instance"


def make_schema(value: SchemaLike, culprit: str) -> ma.Schema:
    """Return a schema instance for a declared schema, a class or a dict of fields.

    A class gives the same instance each time (made on its first declaration).

    Raises:
        DeclarationError: The value is not a schema.
    """
    if isinstance(value, ma.Schema):
        return value
    if isinstance(value, type) and issubclass(value, ma.Schema):
        # One instance per class, kept on the class: operations that declare the same class
        # share it, as restkit never changes a declared schema (it copies one to harden it).
        shared = vars(value).get(_SHARED)
        if shared is None:
            shared = value()
            setattr(value, _SHARED, shared)
        return cast(ma.Schema, shared)
    if isinstance(value, Mapping) and all(isinstance(f, ma.fields.Field) for f in value.values()):
        return ma.Schema.from_dict(dict(value))()
    raise DeclarationError(
        f"{culprit} is {value!r}, which is not a marshmallow schema. Pass a Schema subclass, "
        "an instance, or a dict of marshmallow fields."
    )


def operation(
    *,
    path: SchemaLike | None = None,
    query: SchemaLike | None = None,
    headers: SchemaLike | None = None,
    cookies: SchemaLike | None = None,
    body: SchemaLike | None = None,
    form: SchemaLike | None = None,
    files: SchemaLike | None = None,
    response: SchemaLike | None = None,
    status: int | None = None,
    responses: Mapping[int, SchemaLike | ResponseSpec | None] | None = None,
    operation_id: str | None = None,
    summary: str | None = None,
    description: str | None = None,
    tags: tuple[str, ...] = (),
    deprecated: Deprecation | bool | None = None,
    max_body_size: int | None = None,
    problems: Iterable[int | type[Problem]] = (),
    request_example: Any = None,
    pagination: Pagination | bool | None = None,
    conditional: Conditional | bool | None = None,
    idempotency: Idempotency | bool | None = None,
    rate_limit: RateLimitLike | Literal[False] | None = None,
    patch: PatchFormat | tuple[PatchFormat, ...] | bool = False,
    auth: AuthLike = None,
    requires: Requirement | Sequence[Requirement] | Literal[False] | None = None,
    **unknown: Never,
) -> Callable[[F], F]:
    """Declare a resource method's inputs and responses.

    Each input location given a schema is loaded with it, and the loaded data is passed to the
    method as the keyword argument of the same name (`query=...`, `body=...`). Path values are
    passed one keyword argument each, loaded through `path` when it is given. The errors of all
    locations of a request are reported together in one 422 problem.

    Declare the responses either with `response` and `status` (200 unless given) or, for
    several, with a `responses` mapping of status code to schema (`None` for no body). A view
    may only answer with a declared status, so the OpenAPI document stays true to the code.

    Args:
        path: Schema for the URL variables.
        query: Schema for the query string; a `List` field takes a repeated key.
        headers: Schema for request headers; a field `x_request_id` reads `X-Request-Id`
            unless it has a `data_key`.
        cookies: Schema for cookies.
        body: Schema for a JSON body (`application/json` or any `+json` type).
        form: Schema for form fields (urlencoded or multipart).
        files: Schema for uploaded files (multipart); use `marshmallow.fields.Raw` fields.
        response: The schema of the success response, or `None` for no body.
        status: The success status code, 200 unless given; `status=204` alone declares a
            response with no body.
        responses: Several responses, status code to schema or `ResponseSpec`.
        operation_id: The OpenAPI operationId, when the derived one does not fit.
        summary: The OpenAPI summary; defaults to the docstring's first line.
        description: The OpenAPI description; defaults to the rest of the docstring.
        tags: Extra OpenAPI tags.
        deprecated: Mark the operation deprecated: `True`, or a `Deprecation` with dates and
            a link, sent as `Deprecation` and `Sunset` headers (see `restkit.deprecation`).
        max_body_size: This operation's body size limit in bytes, for example for uploads.
        problems: The problems the method raises itself, as `restkit.problems` classes or
            status codes (`problems=[Conflict]`), for the OpenAPI document. Those restkit
            raises (400, 404, 413, 415, 422) are listed without asking.
        request_example: An example request body for the OpenAPI document.
        pagination: Paginate the list this GET returns: `True` (the defaults of the
            resource, blueprint or API), a `PagePagination` or `CursorPagination`, or
            `False`. The method takes `page` (see `restkit.pagination`).
        conditional: ETags, 304, 412 and 428 (see `restkit.conditional`).
        idempotency: Honour `Idempotency-Key` (see `restkit.idempotency`).
        rate_limit: Limit requests, such as `"10/minute"` (see `restkit.ratelimit`).
        patch: Apply the body as a patch to the current object: `"merge"` (or `True`),
            `"json"`, or both, `("merge", "json")` (see `restkit.patch`).
        auth: Who may call it: an authenticator, a list of them (any may pass), or `False`
            for a public operation (see `restkit.auth`). The method takes the caller as
            its `identity` argument when it has one.
        requires: The scopes, roles or checks the caller needs, besides those of the
            resource, blueprint and API (see `restkit.permissions`).
        **unknown: Nothing else is accepted: a misspelt location or option (`qery=...`)
            raises `DeclarationError` with a suggestion, and type checkers flag it too.

    Returns:
        A decorator that records the declaration on the method and returns it unchanged.

    Raises:
        DeclarationError: The declaration is inconsistent, or names an unknown location or
            option (see the message).

    Example:
        ```python
        class TaskItem(Resource):
            @operation(response=TaskSchema)
            def get(self, task_id: int):
                return get_task_or_404(task_id)

            @operation(responses={204: None})
            def delete(self, task_id: int):
                delete_task(task_id)
        ```
    """
    if unknown:
        raise DeclarationError(_unknown_arguments(unknown))
    given = {
        "path": path,
        "query": query,
        "headers": headers,
        "cookies": cookies,
        "body": body,
        "form": form,
        "files": files,
    }

    def decorate(function: F) -> F:
        # "Tasks.get", also for a class defined inside a function ("f.<locals>.Tasks.get").
        culprit = ".".join(function.__qualname__.split(".")[-2:])
        inputs: dict[Location, Input] = {}
        for location in LOCATIONS:
            value = given[location]
            if value is not None:
                schema = make_schema(value, f"{culprit}'s {location}=")
                if schema.many and location != "body":
                    raise DeclarationError(
                        f"{culprit} declares {location}= with a many=True schema; only a JSON "
                        f"body can be a list. Declare {location}= with one object's schema."
                    )
                inputs[location] = Input(location, schema)
        resolved = _resolve_responses(culprit, response, status, responses)
        if max_body_size is not None and (
            isinstance(max_body_size, bool)
            or not isinstance(max_body_size, int)
            or max_body_size < 1
        ):
            raise DeclarationError(
                f"{culprit} declares max_body_size={max_body_size!r}; "
                "give a positive number of bytes."
            )
        codes = tuple(_problem_status(culprit, problem) for problem in problems)
        policies = make_policies(
            culprit,
            pagination=pagination,
            conditional=conditional,
            idempotency=idempotency,
            rate_limit=rate_limit,
            deprecated=deprecated,
            auth=auth,
            requires=requires,
        )
        declaration = OperationDeclaration(
            inputs=MappingProxyType(inputs),
            responses=MappingProxyType(resolved),
            operation_id=operation_id,
            summary=summary,
            description=description,
            tags=tuple(tags),
            max_body_size=max_body_size,
            problems=codes,
            request_example=request_example,
            policies=policies,
            patch=make_patch_formats(patch, culprit),
        )
        setattr(function, _ATTRIBUTE, declaration)
        return function

    return decorate


def _problem_status(culprit: str, problem: int | type[Problem]) -> int:
    if isinstance(problem, type) and issubclass(problem, Problem):
        return problem.status
    if isinstance(problem, int) and not isinstance(problem, bool) and 400 <= problem <= 599:
        return problem
    raise DeclarationError(
        f"{culprit} declares problems=[..., {problem!r}, ...]; list restkit.problems classes "
        "(Conflict) or error status codes (409)."
    )


_OPTIONS = (
    "response",
    "status",
    "responses",
    "operation_id",
    "summary",
    "description",
    "tags",
    "deprecated",
    "max_body_size",
    "problems",
    "request_example",
    "pagination",
    "conditional",
    "idempotency",
    "rate_limit",
    "patch",
    "auth",
    "requires",
)


def _unknown_arguments(unknown: Mapping[str, Any]) -> str:
    names = sorted(unknown)
    hints = []
    for name in names:
        close = difflib.get_close_matches(name, [*LOCATIONS, *_OPTIONS], n=1)
        hints.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
    return (
        f"operation() got unknown argument(s) {', '.join(hints)}. The input locations are "
        f"{', '.join(LOCATIONS)}; the other options are {', '.join(_OPTIONS)}."
    )


def _resolve_responses(
    culprit: str,
    response: SchemaLike | None,
    status: int | None,
    responses: Mapping[int, SchemaLike | ResponseSpec | None] | None,
) -> dict[int, ResponseSpec]:
    if responses is not None and (response is not None or status is not None):
        raise DeclarationError(
            f"{culprit} declares both response=/status= and responses=; "
            "use one of them: responses={201: TaskSchema, 202: None} for several."
        )
    if responses is None:
        if response is None and status is None:
            raise DeclarationError(
                f"{culprit} declares no response. Add response=SomeSchema (200), "
                "status=204 for no body, or responses={...}."
            )
        code = status if status is not None else 200
        responses = {code: response}
    if not responses:
        raise DeclarationError(f"{culprit} declares responses={{}}; declare at least one.")
    resolved: dict[int, ResponseSpec] = {}
    for code, value in responses.items():
        if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
            raise DeclarationError(f"{culprit} declares a response for {code!r}; use 100-599.")
        if code < 200 or code >= 400:
            raise DeclarationError(
                f"{culprit} declares a {code} response; declare only success (2xx) and "
                "redirect (3xx) responses here. Errors are problems: raise restkit.problems "
                "classes instead."
            )
        if isinstance(value, ResponseSpec):
            spec = value
        elif value is None:
            spec = ResponseSpec(None)
        else:
            spec = ResponseSpec(make_schema(value, f"{culprit}'s response {code}"))
        if code in (204, 304) and (spec.schema is not None or spec.content_types):
            raise DeclarationError(
                f"{culprit} declares a schema for {code}, a status that has no body. "
                f"Declare {{{code}: None}} or use 200."
            )
        resolved[code] = spec
    if not any(200 <= code < 300 for code in resolved):
        raise DeclarationError(f"{culprit} declares no success (2xx) response; add one.")
    return resolved


def get_declaration(function: Callable[..., Any]) -> OperationDeclaration | None:
    """Return what `operation` recorded on `function`, or `None` if it was not decorated."""
    declaration = getattr(function, _ATTRIBUTE, None)
    return declaration if isinstance(declaration, OperationDeclaration) else None


def check_method_inputs(culprit: str, method: str, inputs: Mapping[Location, Input]) -> None:
    """Check that the inputs fit the HTTP method and each other.

    Raises:
        DeclarationError: A GET/DELETE with a body, a JSON body with form fields, and so on.
    """
    has_body = [location for location in ("body", "form", "files") if location in inputs]
    if has_body and method in _NO_BODY_METHODS:
        where = "query=..." if method != "delete" else "path or query=..."
        raise DeclarationError(
            f"{culprit} declares {has_body[0]}=...; {method.upper()} has no body. "
            f"Move it to {where} or to post()."
        )
    if "body" in inputs and ("form" in inputs or "files" in inputs):
        other = "form" if "form" in inputs else "files"
        raise DeclarationError(
            f"{culprit} declares both body=... (JSON) and {other}=...; a request has one body. "
            "Put every field in form=... and files=... (multipart) or all in body=... (JSON)."
        )
