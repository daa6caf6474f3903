"""Deprecation: operations on their way out say so, in the spec and in every response.

```python
@operation(response=TaskSchema, deprecated=Deprecation(
    since=date(2026, 9, 1), sunset=date(2027, 3, 1), link="https://example.com/changelog"))
def post(self, task_id): ...
```

A deprecated operation is `deprecated: true` in the OpenAPI document and answers with the
`Deprecation` header (RFC 9745: `@<seconds since 1970>`), with `Sunset` (RFC 8594: the HTTP
date after which it may stop working) when a sunset is declared, and with a
`Link: <...>; rel="deprecation"` to a page that explains what to use instead.
`deprecated=True` is `Deprecation()`: deprecated since an unstated date, sent as `@0`.
Declare it on an operation, a resource, a blueprint or the whole `Api`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime

from restkit.errors import DeclarationError

__all__ = ["Deprecation"]


def _as_datetime(value: date | datetime | None, what: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise DeclarationError(
                f"Deprecation {what}={value!r} has no time zone; pass an aware datetime "
                "(tzinfo=UTC) or a date."
            )
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise DeclarationError(f"Deprecation {what}={value!r} is not a date or a datetime.")


@dataclass(frozen=True, slots=True, init=False)
class Deprecation:
    """When an operation was deprecated, when it goes away, and where to read about it.

    Args:
        since: When it was (or will be) deprecated: a date (midnight UTC) or an aware
            datetime. `None` sends `Deprecation: @0`, "deprecated, since no stated date".
        sunset: When it may stop working, sent as the `Sunset` header; not before `since`.
        link: A URL of a page about the deprecation, sent as `Link: <url>; rel="deprecation"`.

    Attributes:
        since: `since` as an aware UTC datetime, or `None`.
        sunset: `sunset` as an aware UTC datetime, or `None`.
        link: The link, or `None`.

    Raises:
        DeclarationError: A date is naive or not a date, the sunset comes before `since`, or
            the link is not an absolute URL.
    """

    since: datetime | None
    sunset: datetime | None
    link: str | None

    def __init__(
        self,
        since: date | datetime | None = None,
        sunset: date | datetime | None = None,
        link: str | None = None,
    ) -> None:
        since_at = _as_datetime(since, "since")
        sunset_at = _as_datetime(sunset, "sunset")
        if since_at is not None and sunset_at is not None and sunset_at < since_at:
            raise DeclarationError(
                f"Deprecation sunset={sunset!r} comes before since={since!r}; an operation "
                "cannot go away before it is deprecated (RFC 9745 §3)."
            )
        if link is not None and (
            not isinstance(link, str)
            or not link.startswith(("https://", "http://"))
            or any(c in link for c in '<> "')
        ):
            raise DeclarationError(
                f"Deprecation link={link!r} must be an absolute http(s) URL without spaces, "
                "quotes or angle brackets."
            )
        object.__setattr__(self, "since", since_at)
        object.__setattr__(self, "sunset", sunset_at)
        object.__setattr__(self, "link", link)

    def headers(self) -> list[tuple[str, str]]:
        """Return the response headers this deprecation sends."""
        seconds = 0 if self.since is None else calendar.timegm(self.since.utctimetuple())
        headers = [("Deprecation", f"@{seconds}")]
        if self.sunset is not None:
            headers.append(("Sunset", format_datetime(self.sunset, usegmt=True)))
        if self.link is not None:
            headers.append(("Link", f'<{self.link}>; rel="deprecation"; type="text/html"'))
        return headers
