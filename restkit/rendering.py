"""Response rendering: a view's return value becomes a response by a plan made once.

A view may return:

- an object, dumped with the schema of the operation's first declared success status;
- `(object, status)`, dumped with the schema declared for that status;
- `(object, headers)` or `(object, status, headers)`, with extra response headers;
- a ready `Response`, sent as it is.

Only declared statuses may be returned, and a 201 must carry a `Location` header, so the
OpenAPI document stays true to the code; anything else raises `ResponseError`, which the API
answers with a logged 500 problem.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from werkzeug.datastructures import Headers
from werkzeug.sansio.response import Response as BaseResponse
from werkzeug.wrappers import Response

from restkit._fields import copy_schema, harden_for_dump
from restkit._json import encode_json
from restkit.dumping import make_dumper
from restkit.errors import ResponseError
from restkit.operation import Operation

__all__ = ["JSON_CONTENT_TYPE", "ResponsePlan"]

JSON_CONTENT_TYPE = "application/json"
"""The media type of every JSON response body."""

HeadersLike = Mapping[str, Any] | list[tuple[str, Any]] | Headers


class ResponsePlan:
    """How one operation turns its return values into responses.

    Args:
        operation: The resolved operation.
        response_class: The response class to build, normally the Flask app's.
        compile_dumps: Dump with functions compiled for each schema (`restkit.dumping`);
            `False` dumps with marshmallow's `Schema.dump`. The output is the same.
    """

    def __init__(
        self,
        operation: Operation,
        response_class: type[Response],
        *,
        compile_dumps: bool = True,
    ) -> None:
        self.operation = operation
        self.response_class = response_class
        self.default_status = next(code for code in operation.responses if 200 <= code < 300)
        self.dumpers: dict[int, Callable[[Any], Any] | None] = {}
        # Statuses whose body the method sends itself, as a ready Response.
        self.raw: dict[int, str] = {}
        created = operation.responses.get(201)
        self.location = created is None or created.location
        for code, spec in operation.responses.items():
            if spec.content_types:
                self.raw[code] = " or ".join(spec.content_types)
            if spec.schema is None:
                self.dumpers[code] = None
            else:
                self.dumpers[code] = self._first_dump(code, spec.schema, compile_dumps)

    def _first_dump(
        self, code: int, declared: ma.Schema, compile_dumps: bool
    ) -> Callable[[Any], Any]:
        """Return the dumper of status `code` that makes the real one on its first call.

        An API with many operations starts as fast as if it had no responses to dump: the
        schema's private, hardened copy and its compiled dumper are made when the first
        response of that status is rendered, and then take this function's place.
        """
        dumpers = self.dumpers

        def dump(value: Any) -> Any:
            schema = copy_schema(declared)
            harden_for_dump(schema)
            # Two threads may both get here on the first responses; both dumpers are the same.
            made = make_dumper(schema) if compile_dumps else schema.dump
            dumpers[code] = made
            return made(value)

        return dump

    def render(self, value: Any) -> BaseResponse:
        """Return the response for a view's return value.

        Raises:
            ResponseError: The value's status is not declared, or it has a body where the
                declaration says there is none, or the tuple has an unknown shape.
        """
        if isinstance(value, BaseResponse):
            return value
        return self.respond(*self.unpack(value))

    def unpack(self, value: Any) -> tuple[Any, int, HeadersLike | None]:
        """Split a view's return value (not a `Response`) into object, status and headers.

        Raises:
            ResponseError: The tuple has an unknown shape.
        """
        if isinstance(value, tuple):
            return self._unpack(value)
        return value, self.default_status, None

    def respond(
        self,
        value: Any,
        status: int,
        headers: HeadersLike | None,
        wrap: Callable[[Any], Any] | None = None,
    ) -> Response:
        """Dump `value` with the schema of `status` and return the response.

        Args:
            value: The object to dump.
            status: The status code.
            headers: Extra headers.
            wrap: Turns the dumped data into the body, for example a pagination envelope.

        Raises:
            ResponseError: The status is not declared, or there is a body where the
                declaration says there is none, or a 201 has no `Location`.
        """
        try:
            dump = self.dumpers[status]
        except (KeyError, TypeError):
            declared = ", ".join(str(code) for code in self.dumpers)
            raise ResponseError(
                f"{self.operation.qualname} returned status {status!r}, which it does not "
                f"declare (it declares {declared}). Add it to the operation's responses, or "
                "raise a restkit.problems class for an error."
            ) from None
        if status in self.raw:
            raise ResponseError(
                f"{self.operation.qualname} returned {type(value).__name__} with status "
                f"{status}, which it declares as {self.raw[status]} content that it sends "
                "itself. Return a flask.Response, for example from flask.send_file()."
            )
        if dump is None:
            if value is not None:
                raise ResponseError(
                    f"{self.operation.qualname} returned a body with status {status}, which it "
                    f"declares without one. Return None, or declare a schema for {status}."
                )
            response = self.response_class(status=status)
            del response.headers["Content-Type"]
        else:
            data = dump(value)
            if wrap is not None:
                data = wrap(data)
            response = self.response_class(
                encode_json(data), status=status, content_type=JSON_CONTENT_TYPE
            )
        if headers:
            _set_headers(response.headers, headers)
        if status == 201 and self.location and "Location" not in response.headers:
            # The OpenAPI document promises a Location with every 201 (RFC 9110 §15.3.2).
            raise ResponseError(
                f"{self.operation.qualname} answered 201 without a Location header. Return "
                "(obj, 201, {'Location': url_for(...)}) with the new resource's URL."
            )
        return response

    def _unpack(self, value: tuple[Any, ...]) -> tuple[Any, Any, HeadersLike | None]:
        if len(value) == 3:
            return value[0], value[1], value[2]
        if len(value) == 2:
            if isinstance(value[1], int) and not isinstance(value[1], bool):
                return value[0], value[1], None
            if isinstance(value[1], Mapping | list | Headers):
                return value[0], self.default_status, value[1]
        raise ResponseError(
            f"{self.operation.qualname} returned a tuple of {len(value)} items; return "
            "(object, status), (object, headers) or (object, status, headers)."
        )


def _set_headers(target: Headers, headers: HeadersLike) -> None:
    """Set the view's headers; a list of pairs may repeat a name (several `Link` lines)."""
    if isinstance(headers, Mapping | Headers):
        target.update(headers)
        return
    for name in {name.lower() for name, _ in headers}:
        del target[name]
    for name, value in headers:
        target.add(name, value)
