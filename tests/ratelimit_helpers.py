"""What the rate-limit tests share: a frozen clock, a limited resource, its headers.

Windows are fixed and computed from the rate-limit plan's clock. `freeze_clock` stops it
(plans are made at `init_app`, inside `restkit.view`) 15 seconds into a minute that is also
the start of an hour, so `RateLimit-Reset` is 45 for a minute and 3585 for an hour.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, fields
from werkzeug.test import TestResponse

import restkit.view
from restkit import Resource, operation
from restkit.ratelimit import RateLimitPlan
from restkit.stores.memory import MemoryStore

HOUR = 1_800_000_000.0  # the start of an hour (and of a minute) since 1970
START = HOUR + 15


class Clock:
    """A wall clock that only moves when told to."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def freeze_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Give every rate-limit plan made from now on a clock frozen at START."""
    clock = Clock(START)
    monkeypatch.setattr(
        restkit.view, "RateLimitPlan", functools.partial(RateLimitPlan, clock=clock)
    )
    return clock


def frozen_client_factory(
    make_client: Callable[..., FlaskClient], clock: Clock
) -> Callable[..., FlaskClient]:
    """`make_client`, with a MemoryStore on the frozen clock unless given a store."""

    def make(routes: dict[str, type[Resource]], **kwargs: Any) -> FlaskClient:
        kwargs.setdefault("store", MemoryStore(clock=clock))
        return make_client(routes, **kwargs)

    return make


class Item(Schema):
    name = fields.String(required=True)


def limited(rate_limit: Any = "3/minute", name: str = "Items", **options: Any) -> type[Resource]:
    """A resource `name` whose GET is limited as given, with an unlimited POST."""

    class Items(Resource):
        @operation(response=Item(many=True), rate_limit=rate_limit, **options)
        def get(self) -> list[dict[str, str]]:
            return [{"name": "first"}]

        @operation(body=Item, response=Item, status=201)
        def post(self, body: dict[str, str]) -> tuple[dict[str, str], int, dict[str, str]]:
            return body, 201, {"Location": "/new"}

    return type(name, (Items,), {})


def limit_headers(response: TestResponse) -> tuple[str | None, str | None, str | None]:
    headers = response.headers
    return (
        headers.get("RateLimit-Limit"),
        headers.get("RateLimit-Remaining"),
        headers.get("RateLimit-Reset"),
    )
