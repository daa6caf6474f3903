"""Problem details (RFC 9457): the one error format of every restkit API.

Raise a `Problem` subclass anywhere in a view to answer with `application/problem+json`:

```python
from restkit.problems import Conflict

raise Conflict("That email address is already registered.", extensions={"field": "email"})
```

Each class carries defaults for `status`, `title`, `type` and `detail`; an instance may
override any of them. `UnprocessableContent` carries the `errors` list of invalid inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

import marshmallow as ma
import orjson
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from restkit.dumping import make_dumper

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "BadRequest",
    "Conflict",
    "ContentTooLarge",
    "Forbidden",
    "Gone",
    "InputError",
    "InputErrorSchema",
    "InternalServerError",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotFound",
    "PreconditionFailed",
    "PreconditionRequired",
    "Problem",
    "ProblemSchema",
    "ServiceUnavailable",
    "TooManyRequests",
    "TransactionConflict",
    "Unauthorized",
    "UnprocessableContent",
    "UnsupportedMediaType",
    "ValidationProblemSchema",
    "add_error_translator",
    "problem_for_status",
    "translate_error",
]

PROBLEM_CONTENT_TYPE = "application/problem+json"
"""The media type of every error response (RFC 9457 §3)."""

InputLocation = Literal["body", "path", "query", "headers", "cookies", "form", "files"]
_INPUT_LOCATIONS = ("path", "query", "headers", "cookies", "body", "form", "files")

_RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "errors"})


@dataclass(frozen=True, slots=True)
class InputError:
    """One invalid input value, an entry of the `errors` list of a 422 problem.

    Attributes:
        location: Where the value was read: `body`, `path`, `query`, `headers`, `cookies`,
            `form` or `files`. Rendered as the `in` member.
        detail: What is wrong with the value, in a sentence a client developer can act on.
        pointer: For `body`: a JSON Pointer (RFC 6901) to the value; `""` is the whole body.
        name: For the other locations: the parameter, header, cookie or form field name.
    """

    location: InputLocation
    detail: str
    pointer: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, str]:
        """Return the JSON object for this entry, with the location under the key `in`."""
        return _present(_DUMP_INPUT_ERROR(self))


def _present(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out the members a problem does not have (`instance`, `pointer` or `name`)."""
    return {key: value for key, value in data.items() if value is not None}


class InputErrorSchema(ma.Schema):
    """One entry of a 422 problem's `errors` list; renders `InputError`.

    Members an entry does not have (`pointer` for a query parameter, `name` for the body)
    are left out of the JSON, not sent as null.
    """

    location = ma.fields.String(
        data_key="in",
        required=True,
        validate=ma.validate.OneOf(_INPUT_LOCATIONS),
        metadata={"description": "Where the invalid value was read."},
    )
    pointer = ma.fields.String(
        metadata={"description": "For `body`: a JSON Pointer (RFC 6901) to the value."}
    )
    name = ma.fields.String(
        metadata={"description": "For other locations: the parameter, header or field name."}
    )
    detail = ma.fields.String(
        required=True, metadata={"description": "What is wrong with the value."}
    )


class ProblemSchema(ma.Schema):
    """A problem details object (RFC 9457); renders every `Problem`.

    Problem types may add extension members, so the document allows other properties. A
    problem without an `instance` leaves it out of the JSON.
    """

    type = ma.fields.String(
        required=True,
        metadata={
            "description": "A URI reference identifying the problem type.",
            "example": "about:blank",
        },
    )
    title = ma.fields.String(
        required=True, metadata={"description": "A short summary of the problem type."}
    )
    status = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(100, 599),
        metadata={"description": "The HTTP status code."},
    )
    detail = ma.fields.String(
        required=True, metadata={"description": "An explanation of this occurrence."}
    )
    instance = ma.fields.String(
        metadata={"description": "A URI reference identifying this occurrence."}
    )


class ValidationProblemSchema(ProblemSchema):
    """A 422 problem: a `Problem` with the list of every invalid input value."""

    errors = ma.fields.List(ma.fields.Nested(InputErrorSchema), required=True)


# Problems are rendered with these schemas, compiled (restkit.dumping) on first use: a 422
# is an everyday answer to a phone's form, and the schemas' generic dump was a fifth of it.
_DUMP_PROBLEM = make_dumper(ProblemSchema(), lazy=True)
_DUMP_VALIDATION_PROBLEM = make_dumper(ValidationProblemSchema(), lazy=True)
_DUMP_INPUT_ERROR = make_dumper(InputErrorSchema(), lazy=True)


class Problem(HTTPException):
    """An HTTP error sent to the client as `application/problem+json`.

    Subclasses set the class-level defaults; an instance can override each of them and add
    extension members.

    Args:
        detail: A human-readable explanation of this occurrence; defaults to the class's.
        title: A short summary of the problem type; defaults to the class's.
        status: The HTTP status code; defaults to the class's.
        type: A URI reference that identifies the problem type; defaults to the class's
            (`about:blank`, meaning the title is just the status phrase).
        instance: A URI reference that identifies this occurrence, if any.
        headers: Extra response headers, for example `Retry-After`.
        extensions: Extra members of the problem object. They may not reuse a standard name.

    Example:
        ```python
        class OutOfStock(Problem):
            status = 409
            title = "Out of stock"
            type = "https://example.com/problems/out-of-stock"

        raise OutOfStock("Only 2 left.", extensions={"available": 2})
        ```
    """

    status: int = 500
    title: str = "Internal Server Error"
    type: str = "about:blank"
    detail: str = "The server could not complete the request."

    def __init__(
        self,
        detail: str | None = None,
        *,
        title: str | None = None,
        status: int | None = None,
        type: str | None = None,
        instance: str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        if extensions:
            clash = _RESERVED_MEMBERS.intersection(extensions)
            if clash:
                names = ", ".join(sorted(clash))
                raise TypeError(
                    f"Problem extension members may not reuse the standard names ({names}); "
                    "pass them as keyword arguments instead."
                )
        # Instance attributes shadow the class-level defaults of the same name. (`type` is a
        # parameter here, named after the RFC 9457 member, so the class is `self.__class__`.)
        defaults = self.__class__
        self.status = status if status is not None else defaults.status
        self.title = title if title is not None else defaults.title
        self.type = type if type is not None else defaults.type
        self.detail = detail if detail is not None else defaults.detail
        self.instance = instance
        self.code = self.status
        self.extra_headers = Headers(headers) if headers is not None else Headers()
        self.extensions: dict[str, Any] = dict(extensions or {})
        super().__init__(description=self.detail)

    def to_dict(self) -> dict[str, Any]:
        """Return the problem object: the standard members, then the extension members.

        It is dumped with `ProblemSchema`, the schema the OpenAPI document shows.
        """
        body = _present(_DUMP_PROBLEM(self))
        body.update(self.extensions)
        return body

    def get_response(
        self,
        environ: Any = None,
        scope: Any = None,
    ) -> Response:
        """Render this problem as an `application/problem+json` response.

        Werkzeug calls this too, so a `Problem` raised outside a restkit view still renders.
        """
        response = Response(
            orjson.dumps(self.to_dict()),
            status=self.status,
            content_type=PROBLEM_CONTENT_TYPE,
        )
        for key, value in self.extra_headers.items():
            response.headers.add(key, value)
        return response

    def get_headers(
        self,
        environ: Any = None,
        scope: Any = None,
    ) -> list[tuple[str, str]]:
        """Return the headers of the problem response, content type included."""
        return [("Content-Type", PROBLEM_CONTENT_TYPE), *self.extra_headers.items()]

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} {self.status}: {self.detail!r}>"


class BadRequest(Problem):
    """400: the request is malformed, for example a body that is not valid JSON."""

    status = 400
    title = "Bad Request"
    detail = "The request could not be understood."


class Unauthorized(Problem):
    """401: the request lacks valid credentials."""

    status = 401
    title = "Unauthorized"
    detail = "Valid credentials are required."


class Forbidden(Problem):
    """403: the caller is known but may not do this."""

    status = 403
    title = "Forbidden"
    detail = "You are not allowed to do this."


class NotFound(Problem):
    """404: there is no resource at this URL, or the caller may not know of it."""

    status = 404
    title = "Not Found"
    detail = "The requested resource was not found."


class MethodNotAllowed(Problem):
    """405: the resource exists but does not support this method.

    Pass the allowed methods as an `Allow` header (RFC 9110 §15.5.6).
    """

    status = 405
    title = "Method Not Allowed"
    detail = "This method is not allowed on this resource."


class NotAcceptable(Problem):
    """406: no representation matches the request's `Accept` header."""

    status = 406
    title = "Not Acceptable"
    detail = "The resource has no representation the client accepts."


class Conflict(Problem):
    """409: the request conflicts with the current state of the resource."""

    status = 409
    title = "Conflict"
    detail = "The request conflicts with the current state of the resource."


class Gone(Problem):
    """410: the resource existed and was removed for good."""

    status = 410
    title = "Gone"
    detail = "The resource is no longer available."


class PreconditionFailed(Problem):
    """412: a conditional header (`If-Match`, `If-Unmodified-Since`) did not hold."""

    status = 412
    title = "Precondition Failed"
    detail = "The resource has changed since the client last read it."


class ContentTooLarge(Problem):
    """413: the request body is larger than the server accepts."""

    status = 413
    title = "Content Too Large"
    detail = "The request body is too large."


class UnsupportedMediaType(Problem):
    """415: the request body's `Content-Type` is not one the operation accepts."""

    status = 415
    title = "Unsupported Media Type"
    detail = "The request body's media type is not supported."


class UnprocessableContent(Problem):
    """422: the request is well-formed but some of its values are invalid.

    Args:
        errors: Every invalid value of the request, from every location.
        detail: Defaults to a sentence counting the invalid values.
        **kwargs: Any other `Problem` argument.
    """

    status = 422
    title = "Unprocessable Content"
    detail = "The request contains invalid values."

    def __init__(
        self,
        errors: Sequence[InputError] = (),
        detail: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.errors = tuple(errors)
        if detail is None and self.errors:
            count = len(self.errors)
            detail = f"The request contains {count} invalid value{'s' if count > 1 else ''}."
        super().__init__(detail, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Return the problem object with its `errors` list, dumped with its schema."""
        body = _present(_DUMP_VALIDATION_PROBLEM(self))
        body["errors"] = [_present(item) for item in body["errors"]]
        body.update(self.extensions)
        return body


class PreconditionRequired(Problem):
    """428: this write must be conditional; send `If-Match` with the current ETag."""

    status = 428
    title = "Precondition Required"
    detail = "This request must be conditional."


class TooManyRequests(Problem):
    """429: the client sent too many requests; `Retry-After` says when to try again."""

    status = 429
    title = "Too Many Requests"
    detail = "Too many requests; try again later."


class InternalServerError(Problem):
    """500: the server failed. The detail never reveals why; the log does."""

    status = 500
    title = "Internal Server Error"
    detail = "The server could not complete the request."


class ServiceUnavailable(Problem):
    """503: the server cannot answer now, for example while its database is unreachable."""

    status = 503
    title = "Service Unavailable"
    detail = "The service is temporarily unavailable; try again later."


class TransactionConflict(ServiceUnavailable):
    """503: the database gave up this request's transaction for a concurrent one.

    A serialization failure or a deadlock (SQLSTATE 40001, 40P01): nothing was written, and
    the same request may well succeed at once. restkit runs the transaction again, up to the
    resource's `transaction_attempts`, before it answers this (with `Retry-After`).
    """

    detail = "The request collided with a concurrent one; retry shortly."


_BY_STATUS: dict[int, type[Problem]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        NotAcceptable,
        Conflict,
        Gone,
        PreconditionFailed,
        ContentTooLarge,
        UnsupportedMediaType,
        UnprocessableContent,
        PreconditionRequired,
        TooManyRequests,
        InternalServerError,
        ServiceUnavailable,
    )
}


def problem_for_status(
    status: int,
    detail: str | None = None,
    headers: Iterable[tuple[str, str]] | None = None,
) -> Problem:
    """Return the problem for an HTTP error status, such as one raised by `flask.abort`.

    Args:
        status: An error status code (4xx or 5xx).
        detail: The detail; defaults to the problem class's own.
        headers: Headers to keep, for example `Allow` on a 405 or `Retry-After` on a 503.

    Returns:
        An instance of the matching `Problem` subclass, or a plain `Problem` carrying the
        status and its standard phrase as title when restkit has no class for it.
    """
    cls = _BY_STATUS.get(status)
    if cls is not None:
        return cls(detail=detail, headers=headers)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Client Error" if status < 500 else "Server Error"
    return Problem(detail or phrase + ".", title=phrase, status=status, headers=headers)


ErrorTranslator = Callable[[BaseException], "Problem | None"]
"""A function that returns the problem an exception stands for, or `None` if it knows none."""

_TRANSLATORS: list[ErrorTranslator] = []


def add_error_translator(translator: ErrorTranslator) -> ErrorTranslator:
    """Register a function that tells which problem an exception of a library stands for.

    restkit's error handler asks the translators about any exception a request raised that
    is neither a `Problem` nor an HTTP exception, in the order they were added; the first
    problem one returns is the answer, else the exception is the usual logged 500. A
    translated 5xx is logged with its traceback too, so an outage shows in the logs.

    `restkit.sqla` adds `database_problem` when it is imported, so a database that cannot be
    reached is a 503 with `Retry-After` wherever the request met it: in a model resource, in
    a resource's own query, or in an authenticator that loads the user. Adding a translator
    twice keeps one. Usable as a decorator.

    ```python
    @add_error_translator
    def search_problem(error):
        if isinstance(error, SearchTimeout):
            return ServiceUnavailable("Search is busy.", headers={"Retry-After": "2"})
        return None
    ```
    """
    if translator not in _TRANSLATORS:
        _TRANSLATORS.append(translator)
    return translator


def translate_error(error: BaseException) -> Problem | None:
    """Return the problem the registered translators give for `error`, or `None`."""
    for translator in _TRANSLATORS:
        problem = translator(error)
        if problem is not None:
            return problem
    return None
