"""The four requests every app answers, and one way to send them straight to a WSGI app.

Each request's WSGI environ is built once with Werkzeug's `EnvironBuilder`; a call copies it
and gives it a fresh body stream, so the equivalence check and the timings go through exactly
the same code path, with no test client in between.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.test import EnvironBuilder

from benchmarks.apps.data import INVALID_BODY, VALID_BODY

__all__ = ["ENDPOINTS", "Answer", "Endpoint", "WsgiApp", "call"]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Endpoint:
    """One request of the benchmark.

    Attributes:
        key: A short name, used in tables and result dicts.
        title: What the request does, for the tables.
        method: The HTTP method.
        path: The path and query string.
        body: The JSON body, if any.
    """

    key: str
    title: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    environ: dict[str, Any] = field(init=False, repr=False, compare=False)
    raw_body: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        builder = EnvironBuilder(
            path=self.path,
            method=self.method,
            json=self.body,
            headers=[("Accept", "application/json"), ("User-Agent", "restkit-bench")],
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        raw = environ["wsgi.input"].read()
        object.__setattr__(self, "environ", environ)
        object.__setattr__(self, "raw_body", raw)

    def make_environ(self) -> dict[str, Any]:
        """Return a fresh copy of the request's environ, its body stream at the start."""
        environ = self.environ.copy()
        environ["wsgi.input"] = io.BytesIO(self.raw_body)
        return environ


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("list", "list of 50 nested items", "GET", "/items"),
    Endpoint("get", "get one item", "GET", "/items/7"),
    Endpoint("create", "create, valid body (201)", "POST", "/items", VALID_BODY),
    Endpoint("invalid", "create, invalid body (422)", "POST", "/items", INVALID_BODY),
)
"""The requests, in table order."""


@dataclass(frozen=True)
class Answer:
    """A response, as the equivalence check reads it."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.body)


def call(app: WsgiApp, endpoint: Endpoint) -> Answer:
    """Send one request to a WSGI app and return its answer, body fully read."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return None

    result = app(endpoint.make_environ(), start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started
    return Answer(int(status.split()[0]), {name.lower(): value for name, value in headers}, body)
