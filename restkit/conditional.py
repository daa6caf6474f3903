"""Conditional requests (RFC 9110 §13): ETags, Last-Modified, 304, 412 and 428.

```python
class TaskItem(Resource):
    conditional = Conditional(version="version", last_modified="updated_at",
                              require_if_match=True)

    def get_object(self, task_id: int) -> Task:
        return db.get_or_404(Task, task_id)
```

Responses with a body get an `ETag`:

- from a declared **version** (an attribute name or a function of the object), a **strong**
  tag `"<version>"`: the version changes whenever the stored object does, so two responses
  with one version are the same representation. Only strong tags satisfy `If-Match`.
- otherwise **computed** from the response body (a SHA-256 of the bytes sent), a **weak** tag
  `W/"..."`: restkit cannot promise the bytes stay the same across deploys and proxies that
  recompress them, so it answers `If-None-Match` (304) but never satisfies `If-Match`.

Lists always get a computed tag. `Last-Modified` is sent when `last_modified` is declared.

GET and HEAD answer 304 without a body when `If-None-Match` matches (weak comparison) or,
without it, when nothing changed since `If-Modified-Since`. PUT, PATCH and DELETE check
`If-Match` (strong comparison, `*` for "any current representation") and
`If-Unmodified-Since` against the current object, loaded with the resource's `get_object`,
**before** the method runs: a failed precondition is a 412 problem and nothing is written.
With `require_if_match=True`, a write without `If-Match` is a 428 problem. The response of a
write carries the new `ETag`. A malformed `If-Match` or `If-None-Match` is a 400 problem.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from werkzeug.datastructures import Headers
from werkzeug.http import http_date, parse_date

from restkit.errors import DeclarationError, ResponseError
from restkit.problems import BadRequest, PreconditionFailed, PreconditionRequired

__all__ = [
    "ENTITY_TAG_PATTERN",
    "Conditional",
    "EntityTag",
    "evaluate_preconditions",
    "make_entity_tag",
    "parse_entity_tags",
]

_ETAGC = "\\x21\\x23-\\x7e\\x80-\\xff"
_TAG = re.compile(f'(W/)?"([{_ETAGC}]*)"')
_OWS = re.compile(r"[ \t]*")
_SAFE = re.compile(f"[{_ETAGC}]*")

ENTITY_TAG_PATTERN = f'^(W/)?"[{_ETAGC}]*"$'
"""The grammar of one entity-tag (RFC 9110 §8.8.3), as a regular expression."""

# What a 304 repeats of the 200 it stands for (RFC 9110 §15.4.5).
_NOT_MODIFIED_HEADERS = (
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Expires",
    "Vary",
    "Content-Location",
)

Accessor = str | Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class EntityTag:
    """One entity-tag: an opaque string, weak or strong.

    Attributes:
        opaque: The characters between the quotes.
        weak: Whether it is weak (`W/"..."`).
    """

    opaque: str
    weak: bool = False

    def __str__(self) -> str:
        return f'{"W/" if self.weak else ""}"{self.opaque}"'

    def strong_match(self, other: EntityTag) -> bool:
        """RFC 9110 §8.8.3.2: both strong and the same opaque string."""
        return not self.weak and not other.weak and self.opaque == other.opaque

    def weak_match(self, other: EntityTag) -> bool:
        """RFC 9110 §8.8.3.2: the same opaque string, weak or not."""
        return self.opaque == other.opaque


def parse_entity_tags(value: str) -> list[EntityTag] | Literal["*"]:
    """Parse an `If-Match` or `If-None-Match` value: `*` or a list of entity-tags.

    Empty list elements and spaces around commas are allowed (RFC 9110 §5.6.1).

    Raises:
        ValueError: The value is not `*` nor a list of entity-tags.
    """
    if value.strip(" \t") == "*":
        return "*"
    tags: list[EntityTag] = []
    position = 0
    expect_tag = True
    while True:
        position = _OWS.match(value, position).end()  # type: ignore[union-attr]
        if position == len(value):
            break
        if value[position] == ",":
            position += 1
            expect_tag = True
            continue
        match = _TAG.match(value, position)
        if match is None or not expect_tag:
            raise ValueError(value)
        tags.append(EntityTag(match.group(2), weak=match.group(1) is not None))
        position = match.end()
        expect_tag = False
    if not tags:
        raise ValueError(value)
    return tags


def make_entity_tag(value: Any, *, weak: bool = False) -> EntityTag:
    """Return the entity-tag for a version value (or bytes, hashed).

    A value whose text is not allowed between quotes is hashed instead.
    """
    if isinstance(value, bytes):
        digest = hashlib.sha256(value).digest()
        return EntityTag(base64.urlsafe_b64encode(digest[:16]).decode().rstrip("="), weak)
    text = str(value)
    if _SAFE.fullmatch(text) is None or len(text) > 64:
        text = hashlib.sha256(text.encode()).hexdigest()[:32]
    return EntityTag(text, weak)


@dataclass(frozen=True, slots=True)
class Conditional:
    """How a resource's responses are validated and its writes made conditional.

    Attributes:
        version: The attribute (or key) holding the object's version, or a function of the
            object that returns it: its value makes a strong ETag. `None` computes a weak
            ETag from the response body.
        last_modified: The attribute (or key) holding when the object last changed, or a
            function returning it: an aware datetime, sent as `Last-Modified`. Naive values
            are taken as UTC.
        require_if_match: Whether PUT, PATCH and DELETE without `If-Match` are refused with
            a 428 problem, so no client can overwrite a change it has not seen.
    """

    version: Accessor | None = None
    last_modified: Accessor | None = None
    require_if_match: bool = False

    def __post_init__(self) -> None:
        for name in ("version", "last_modified"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, str) and value) and not callable(value):
                raise DeclarationError(
                    f"Conditional {name}={value!r} must be an attribute name or a function "
                    "of the object."
                )
        if self.require_if_match and self.version is None:
            raise DeclarationError(
                "Conditional(require_if_match=True) needs version=...: a computed ETag is weak "
                "and can never satisfy If-Match (RFC 9110 §13.1.1). Declare the attribute "
                "that holds the object's version."
            )

    def entity_tag(self, obj: Any) -> EntityTag | None:
        """Return the strong entity-tag of an object from its version, if one is declared."""
        if self.version is None:
            return None
        version = _read(obj, self.version)
        if version is None:
            raise ResponseError(
                f"The version of {obj!r} is None; a conditional resource's objects need one."
            )
        return make_entity_tag(version)

    def modified_at(self, obj: Any) -> datetime | None:
        """Return when the object last changed (aware, UTC, whole seconds), if declared."""
        if self.last_modified is None:
            return None
        value = _read(obj, self.last_modified)
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise ResponseError(f"last_modified of {obj!r} is {value!r}, not a datetime.")
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(microsecond=0)


def _read(obj: Any, accessor: Accessor) -> Any:
    if callable(accessor):
        return accessor(obj)
    if isinstance(obj, dict):
        return obj.get(accessor)
    return getattr(obj, accessor, None)


def _tags(headers: Headers, name: str) -> list[EntityTag] | Literal["*"] | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return parse_entity_tags(value)
    except ValueError:
        raise BadRequest(
            f"The {name} header must be * or a comma-separated list of entity-tags such as "
            f'"v3" or W/"v3".'
        ) from None


def _date(headers: Headers, name: str) -> datetime | None:
    value = headers.get(name)
    # RFC 9110 §13.1.3-4: an invalid date is ignored, as if the header were absent.
    return parse_date(value) if value else None


def read_preconditions(headers: Headers) -> dict[str, Any]:
    """Parse the four precondition headers (raising `BadRequest` for malformed tag lists)."""
    return {
        "if_match": _tags(headers, "If-Match"),
        "if_none_match": _tags(headers, "If-None-Match"),
        "if_unmodified_since": _date(headers, "If-Unmodified-Since"),
        "if_modified_since": _date(headers, "If-Modified-Since"),
    }


def evaluate_preconditions(
    method: str,
    headers: Headers,
    etag: EntityTag | None,
    last_modified: datetime | None,
) -> int | None:
    """Evaluate a request's preconditions against the current representation.

    Follows RFC 9110 §13.2.2: `If-Match`, else `If-Unmodified-Since`; then `If-None-Match`,
    else (GET and HEAD only) `If-Modified-Since`.

    Args:
        method: The request method.
        headers: The request headers.
        etag: The current representation's entity-tag, if any.
        last_modified: When it last changed, if known.

    Returns:
        `None` to go on, 304 (GET and HEAD) or 412.

    Raises:
        BadRequest: `If-Match` or `If-None-Match` is malformed.
    """
    found = read_preconditions(headers)
    if_match = found["if_match"]
    if if_match is not None:
        # RFC 9110 §13.1.1: strong comparison; "*" matches any current representation.
        if if_match != "*" and (etag is None or not any(etag.strong_match(t) for t in if_match)):
            return 412
    elif (
        found["if_unmodified_since"] is not None
        and last_modified is not None
        and last_modified > found["if_unmodified_since"]
    ):
        return 412
    safe = method in ("GET", "HEAD")
    if_none_match = found["if_none_match"]
    if if_none_match is not None:
        # RFC 9110 §13.1.2: weak comparison.
        if if_none_match == "*" or (
            etag is not None and any(etag.weak_match(t) for t in if_none_match)
        ):
            return 304 if safe else 412
    elif (
        safe
        and found["if_modified_since"] is not None
        and last_modified is not None
        and last_modified <= found["if_modified_since"]
    ):
        return 304
    return None


def precondition_failed() -> PreconditionFailed:
    """Return the 412 problem of a failed precondition."""
    return PreconditionFailed(
        "The resource has changed since you read it (or does not match your precondition). "
        "GET it again, reapply your change and send it with the new ETag in If-Match."
    )


def precondition_required() -> PreconditionRequired:
    """Return the 428 problem of a write without `If-Match`."""
    return PreconditionRequired(
        "This resource requires If-Match on writes, so no change is lost: GET it, then send "
        "its ETag in If-Match."
    )


def not_modified(response_class: type[Any], headers: Headers) -> Any:
    """Return a 304 response that repeats the validators of the response it stands for."""
    response = response_class(status=304)
    del response.headers["Content-Type"]
    for name in _NOT_MODIFIED_HEADERS:
        for value in headers.getlist(name):
            response.headers.add(name, value)
    return response


def set_validators(headers: Headers, etag: EntityTag | None, modified: datetime | None) -> None:
    """Set `ETag` and `Last-Modified` on response headers."""
    if etag is not None:
        headers["ETag"] = str(etag)
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
