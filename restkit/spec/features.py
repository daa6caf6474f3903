"""The OpenAPI side of the HTTP features: their parameters, headers, bodies and problems.

Pure, like the rest of `restkit.spec`: it reads an operation's resolved `Features` and writes
what the view does into its OpenAPI operation, so the document stays true to the code:

- pagination: the page parameters, `Link` and `X-Total-Count`, the envelope schema;
- conditional requests: `If-Match` and friends, `ETag` and `Last-Modified`, 304, 400, 412,
  428;
- patches: `application/merge-patch+json` (every field optional) and
  `application/json-patch+json` bodies, 409;
- idempotency: `Idempotency-Key`, `Idempotent-Replayed`, 400, 409, 422;
- rate limits: `RateLimit-*` on every response, 429 with `Retry-After`;
- the store: 503 with `Retry-After` when it fails and `store_failure` is `"closed"`;
- deprecation: `Deprecation`, `Sunset` and `Link` on every response.

Shared headers and parameters are components (`#/components/headers/ETag`, ...), written
only when an operation uses them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from apispec import APISpec

from restkit.errors import DeclarationError
from restkit.idempotency import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from restkit.operation import Operation
from restkit.pagination import TOTAL_COUNT_HEADER, PagePagination, query_fields
from restkit.patch import JSON_PATCH, MERGE_PATCH

__all__ = ["FeatureWriter"]

_TAG = '(W/)?"[\\x21\\x23-\\x7e]*"'
_TAG_LIST = f"^[ \\t]*(\\*|{_TAG}([ \\t]*,[ \\t]*{_TAG})*)[ \\t]*$"
_HTTP_DATE = {
    "type": "string",
    "description": "An HTTP date (RFC 9110 §5.6.7), such as `Sun, 06 Nov 1994 08:49:37 GMT`.",
}
_WRITES = frozenset({"PUT", "PATCH", "DELETE"})

_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": (
            "The entity-tag of the representation (RFC 9110 §8.8.3). A strong tag "
            '(`"<version>"`) comes from the object\'s version and can be sent back in '
            '`If-Match`; a weak one (`W/"..."`) is computed from the body and serves '
            "`If-None-Match` only."
        ),
        "schema": {"type": "string", "pattern": f"^{_TAG}$"},
    },
    "Last-Modified": {
        "description": "When the object last changed.",
        "schema": _HTTP_DATE,
    },
    "Link": {
        "description": (
            "RFC 8288 links: the `first`, `prev`, `next` and `last` pages of a list, and a "
            "`deprecation` link on deprecated operations."
        ),
        "schema": {"type": "string"},
    },
    TOTAL_COUNT_HEADER: {
        "description": "The number of items in all pages.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Limit": {
        "description": (
            "Requests allowed in the current window, of the limit closest to running out."
        ),
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the current window ends.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "Deprecation": {
        "description": (
            "RFC 9745: the operation is deprecated, since the date given as `@` and seconds "
            "since 1970 (`@0`: since no stated date)."
        ),
        "schema": {"type": "string", "pattern": "^@-?[0-9]+$"},
    },
    "Sunset": {
        "description": "RFC 8594: when the operation may stop working.",
        "schema": _HTTP_DATE,
    },
    REPLAYED_HEADER: {
        "description": (
            "`true` when this is the stored response of an earlier request with the same "
            "`Idempotency-Key`."
        ),
        "schema": {"type": "string", "enum": ["true"]},
    },
}

_PARAMETERS: dict[str, dict[str, Any]] = {
    "If-Match": {
        "description": (
            "Apply the request only if the current representation has one of these strong "
            "entity-tags (`*`: if it exists); otherwise 412. RFC 9110 §13.1.1."
        ),
        "schema": {"type": "string", "pattern": _TAG_LIST},
    },
    "If-None-Match": {
        "description": (
            "For GET, answer 304 if the representation still has one of these entity-tags "
            "(weak comparison); for a write, 412 if it does (`*`: if it exists). "
            "RFC 9110 §13.1.2."
        ),
        "schema": {"type": "string", "pattern": _TAG_LIST},
    },
    "If-Modified-Since": {
        "description": "For GET, answer 304 if the object has not changed since this date.",
        "schema": _HTTP_DATE,
    },
    "If-Unmodified-Since": {
        "description": "Apply the request only if the object has not changed since this date.",
        "schema": _HTTP_DATE,
    },
    IDEMPOTENCY_HEADER: {
        "description": (
            "A unique key (such as a UUID) for this request. Retrying with the same key and "
            "request replays the first response instead of applying the request again; the "
            "same key with another request is a 422."
        ),
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": 257,
            # Unquoted without a comma (a comma joins repeated lines), or quoted.
            "pattern": '^(?:[\\x21\\x23-\\x2b\\x2d-\\x7e]{1,255}|"[\\x21\\x23-\\x7e]{1,255}")$',
        },
    },
}

_JSON_PATCH_OPERATION = {
    "type": "object",
    "description": "One JSON Patch operation (RFC 6902).",
    "required": ["op", "path"],
    "properties": {
        "op": {"type": "string", "enum": ["add", "remove", "replace", "move", "copy", "test"]},
        "path": {"type": "string", "description": "A JSON Pointer (RFC 6901)."},
        "from": {"type": "string", "description": "A JSON Pointer, for move and copy."},
        "value": {"description": "The value, for add, replace and test."},
    },
}

_PAGE_LINKS = {
    "type": "object",
    "description": "Links to other pages of the list, by relation.",
    "properties": {
        rel: {"type": "string", "format": "uri"} for rel in ("first", "prev", "next", "last")
    },
    "required": ["first"],
}


class FeatureWriter:
    """Writes the features of operations into an apispec document being built.

    Args:
        spec: The document.
        resolve: Turns a marshmallow schema into a JSON Schema or a reference.
        inline: Turns a marshmallow schema into an inline JSON Schema.
        names: Returns the component name of a schema, or `None`.
        store_failure: The API's `store_failure` setting: 503 is documented when "closed".
    """

    def __init__(
        self,
        spec: APISpec,
        *,
        resolve: Callable[[Any], dict[str, Any]],
        inline: Callable[[ma.Schema], dict[str, Any]],
        names: Callable[[Any], str | None],
        store_failure: str = "closed",
    ) -> None:
        self.spec = spec
        self.resolve = resolve
        self.inline = inline
        self.names = names
        self.store_failure = store_failure
        self.v30 = spec.openapi_version.major == 3 and spec.openapi_version.minor == 0
        self.components: dict[str, Any] = {}
        for name, header in _HEADERS.items():
            spec.components.header(name, header, lazy=True)
        for name, parameter in _PARAMETERS.items():
            spec.components.parameter(name, "header", parameter, lazy=True)

    def header(self, name: str) -> dict[str, Any]:
        """Return a reference to a shared response header."""
        return self.spec.components.get_ref("header", name)

    def parameter(self, name: str, *, required: bool = False) -> dict[str, Any] | str:
        """Return a shared header parameter: its component id, or itself when required.

        apispec writes a reference for a component id.
        """
        if required:
            return {"in": "header", "name": name, "required": True, **_PARAMETERS[name]}
        return name

    def component(self, name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
        """Register a JSON Schema component once and return a reference to it.

        Raises:
            DeclarationError: Another schema has the name.
        """
        known = self.components.get(name)
        if known is None:
            if name in self.spec.components.schemas:
                raise DeclarationError(
                    f"The OpenAPI component {name!r} restkit writes for a paginated list is "
                    "already taken by one of your schemas; rename that schema class."
                )
            self.components[name] = schema
            self.spec.components.schema(name, component=dict(schema))
        elif known != schema:
            raise AssertionError(f"two shapes of the component {name!r}")
        return self.spec.components.get_ref("schema", name)

    # -- parameters and bodies --------------------------------------------------------------

    def parameters(self, op: Operation) -> list[dict[str, Any] | str]:
        """Return the parameters the operation's features read."""
        features = op.features
        found: list[dict[str, Any] | str] = []
        if features.pagination is not None:
            schema = ma.Schema.from_dict(query_fields(features.pagination))()
            converter = self.spec.plugins[0].converter  # type: ignore[attr-defined]
            found.extend(converter.schema2parameters(schema, location="query"))
        conditional = features.conditional
        if conditional is not None and (op.method == "GET" or self._conditional_write(op)):
            required = conditional.require_if_match and op.method in _WRITES
            found.append(self.parameter("If-Match", required=required))
            found.append(self.parameter("If-None-Match"))
            if op.method == "GET":
                found.append(self.parameter("If-Modified-Since"))
            found.append(self.parameter("If-Unmodified-Since"))
        if features.idempotency is not None:
            required = features.idempotency.required
            found.append(self.parameter(IDEMPOTENCY_HEADER, required=required))
        return found

    @staticmethod
    def _conditional_write(op: Operation) -> bool:
        # Preconditions are checked on writes whose resource loads the current object,
        # which the resolution guarantees for conditional writes.
        return op.method in _WRITES

    def patch_body(self, op: Operation, body: ma.Schema) -> dict[str, Any]:
        """Return the request body of an operation that applies patches."""
        types = op.declaration.patch
        content: dict[str, Any] = {}
        if MERGE_PATCH in types:
            partial = type(body)(
                only=None if body.only is None else set(body.only),
                exclude=body.exclude,
                load_only=body.load_only,
                dump_only=body.dump_only,
                partial=True,
            )
            schema = self.inline(partial)
            schema["description"] = (
                "A JSON Merge Patch (RFC 7396): the members to change; `null` clears a field. "
                "The result is validated as a whole."
            )
            content[MERGE_PATCH] = {"schema": schema}
        if JSON_PATCH in types:
            operation = self.component("JsonPatchOperation", _JSON_PATCH_OPERATION)
            content[JSON_PATCH] = {"schema": {"type": "array", "items": operation}}
        return {"required": False, "content": content}

    # -- responses ---------------------------------------------------------------------------

    def problem_statuses(self, op: Operation) -> set[int]:
        """Return the problem statuses the features add."""
        features = op.features
        codes: set[int] = set()
        if features.pagination is not None:
            codes.add(422)
        conditional = features.conditional
        if conditional is not None and (op.method == "GET" or self._conditional_write(op)):
            codes.update((400, 412))
            if conditional.require_if_match and op.method in _WRITES:
                codes.add(428)
        if features.idempotency is not None:
            codes.update((400, 409, 422))
        if JSON_PATCH in op.declaration.patch:
            codes.add(409)
        if features.rate_limits:
            codes.add(429)
        uses_store = features.rate_limits or features.idempotency is not None
        if uses_store and self.store_failure == "closed":
            codes.add(503)
        return codes

    def success_headers(self, op: Operation, code: int, has_body: bool) -> dict[str, Any]:
        """Return the headers of a declared success response."""
        features = op.features
        headers: dict[str, Any] = {}
        if features.pagination is not None and code == _first_success(op):
            headers["Link"] = self.header("Link")
            if isinstance(features.pagination, PagePagination) and (
                features.pagination.count != "never"
            ):
                headers[TOTAL_COUNT_HEADER] = self.header(TOTAL_COUNT_HEADER)
        conditional = features.conditional
        if conditional is not None and has_body:
            headers["ETag"] = self.header("ETag")
            if conditional.last_modified is not None and not _lists(op):
                headers["Last-Modified"] = self.header("Last-Modified")
        if features.idempotency is not None:
            headers[REPLAYED_HEADER] = self.header(REPLAYED_HEADER)
        headers.update(self.every_response_headers(op))
        return headers

    def every_response_headers(self, op: Operation) -> dict[str, Any]:
        """Return the headers every response of the operation carries, problems included."""
        features = op.features
        headers: dict[str, Any] = {}
        if features.rate_limits:
            for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
                headers[name] = self.header(name)
        deprecation = features.deprecation
        if deprecation is not None:
            headers["Deprecation"] = self.header("Deprecation")
            if deprecation.sunset is not None:
                headers["Sunset"] = self.header("Sunset")
            if deprecation.link is not None:
                headers["Link"] = self.header("Link")
        return headers

    def problem_headers(self, op: Operation, code: int) -> dict[str, Any]:
        """Return the headers of one of the operation's problem responses."""
        headers = self.every_response_headers(op)
        features = op.features
        if (
            (code == 429 and features.rate_limits)
            or code == 503  # RFC 9110 §10.2.3: when to try again
            or (code == 409 and features.idempotency is not None)
        ):
            headers["Retry-After"] = self.header("Retry-After")
        return headers

    def extra_responses(self, op: Operation) -> dict[str, Any]:
        """Return responses the features add besides problems: 304 for conditional GETs."""
        conditional = op.features.conditional
        if conditional is None or op.method != "GET":
            return {}
        headers = {"ETag": self.header("ETag")}
        if conditional.last_modified is not None and not _lists(op):
            headers["Last-Modified"] = self.header("Last-Modified")
        headers.update(self.every_response_headers(op))
        return {"304": {"description": "Not Modified: your copy is current.", "headers": headers}}

    def envelope(self, op: Operation, code: int, schema: ma.Schema) -> dict[str, Any] | None:
        """Return the envelope schema of a paginated list response, if it has one."""
        pagination = op.features.pagination
        if pagination is None or not pagination.envelope or code != _first_success(op):
            return None
        items = self.resolve(schema)
        integer = {"type": "integer", "minimum": 1}
        properties: dict[str, Any] = {"items": items}
        required = ["items"]
        if isinstance(pagination, PagePagination):
            properties["page"] = integer
            properties["per_page"] = integer
            required += ["page", "per_page"]
            if pagination.count != "never":
                # Optional, so that every page envelope of one item schema is one component.
                properties["total"] = {
                    "type": "integer",
                    "minimum": 0,
                    "description": "The number of items in all pages, when counted.",
                }
            suffix = "Page"
        else:
            properties["limit"] = integer
            cursor: dict[str, Any] = (
                {"type": "string", "nullable": True} if self.v30 else {"type": ["string", "null"]}
            )
            cursor["description"] = "The cursor of the next page; null on the last page."
            properties["next_cursor"] = cursor
            required += ["limit", "next_cursor"]
            suffix = "CursorPage"
        properties["links"] = self.component("PageLinks", _PAGE_LINKS)
        required.append("links")
        body = {"type": "object", "properties": properties, "required": required}
        name = self.names(schema)
        if name is None:
            return body
        return self.component(f"{name}{suffix}", body)


def _first_success(op: Operation) -> int:
    return next(code for code in op.responses if 200 <= code < 300)


def _lists(op: Operation) -> bool:
    spec = op.responses.get(_first_success(op))
    return spec is not None and spec.schema is not None and spec.schema.many
