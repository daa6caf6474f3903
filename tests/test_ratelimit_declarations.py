"""Declaring rate limits: strings, numbers, keys, and what `rate_limit=` accepts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from restkit import Api, Blueprint, DeclarationError
from restkit.identity import client_key, remote_address
from restkit.ratelimit import RateLimit, make_rate_limits
from tests.ratelimit_helpers import limited


@pytest.mark.parametrize(
    ("text", "limit", "period"),
    [
        ("10/minute", 10, 60),
        ("100 per hour", 100, 3600),
        ("5/30s", 5, 30),
        ("1/day", 1, 86400),
        ("2/h", 2, 3600),
        ("10/second", 10, 1),
        ("10/sec", 10, 1),
        ("3/min", 3, 60),
        ("3/m", 3, 60),
        ("7/hr", 7, 3600),
        ("7/d", 7, 86400),
        ("10/minutes", 10, 60),
        ("10 per 5 minutes", 10, 300),
        (" 10 / 2 Hours ", 10, 7200),
        ("1 PER DAY", 1, 86400),
    ],
)
def test_rate_limit_string_reads_limit_and_period(text: str, limit: int, period: int) -> None:
    rate = RateLimit(text)

    assert (rate.limit, rate.period, rate.key) == (limit, period, client_key)
    assert str(rate) == f"{limit}/{period}s"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "cannot be read"),
        ("10", "cannot be read"),
        ("minute", "cannot be read"),
        ("ten/minute", "cannot be read"),
        ("10/fortnight", "cannot be read"),
        ("10/1.5m", "cannot be read"),
        ("10/-1m", "cannot be read"),
        ("/minute", "cannot be read"),
        ("10 minutes", "cannot be read"),
        ("10//minute", "cannot be read"),
        ("10/", "cannot be read"),
        ("0/minute", "limit=0 must be a positive integer"),
        ("10/0s", "must be a whole number of seconds"),
        ("5/ms", "cannot be read"),
    ],
)
def test_rate_limit_bad_string_raises_declaration_error(text: str, message: str) -> None:
    with pytest.raises(DeclarationError, match=message):
        RateLimit(text)


def test_rate_limit_zero_period_string_error_names_the_string() -> None:
    with pytest.raises(DeclarationError, match="'10/0s'"):
        RateLimit("10/0s")


@pytest.mark.parametrize(
    ("limit", "period", "seconds"),
    [
        (10, 60, 60),
        (10, 60.0, 60),
        (10, timedelta(minutes=1), 60),
        (1, timedelta(days=1), 86400),
        (500, 1, 1),
    ],
)
def test_rate_limit_numbers_give_limit_and_period(limit: int, period: Any, seconds: int) -> None:
    rate = RateLimit(limit, period, key=remote_address)

    assert (rate.limit, rate.period, rate.key) == (limit, seconds, remote_address)


@pytest.mark.parametrize(
    ("limit", "period", "message"),
    [
        (0, 60, "limit=0 must be a positive integer"),
        (-1, 60, "limit=-1 must be"),
        (True, 60, "limit=True must be"),
        (10.0, 60, "limit=10.0 must be"),
        (10, None, "period=None: the period must be"),
        (10, 0, "period=0: the period must be"),
        (10, 0.5, "period=0.5: the period must be"),
        (10, 1.5, "period=1.5: the period must be"),
        (10, True, "period=True: the period must be"),
        (10, "60", "period='60': the period must be"),
        (10, timedelta(milliseconds=500), "must be a whole number of seconds"),
        (10, timedelta(seconds=-60), "must be a whole number of seconds"),
        ("10/minute", 60, "give the period in the string or as a number, not both"),
    ],
)
def test_rate_limit_bad_numbers_raise_declaration_error(
    limit: Any, period: Any, message: str
) -> None:
    with pytest.raises(DeclarationError, match=message):
        RateLimit(limit, period)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (False, False),
        ("3/minute", (RateLimit(3, 60),)),
        (RateLimit(3, 60), (RateLimit(3, 60),)),
        (["3/minute", RateLimit(100, 3600)], (RateLimit(3, 60), RateLimit(100, 3600))),
        (("1/s", "1/day"), (RateLimit(1, 1), RateLimit(1, 86400))),
    ],
)
def test_make_rate_limits_accepts_strings_limits_and_lists(value: Any, expected: Any) -> None:
    assert make_rate_limits(value, "Tasks.get") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, r"Tasks\.get declares rate_limit=True; give '10/minute'"),
        (10, r"Tasks\.get declares rate_limit=10; give"),
        ([], r"Tasks\.get declares rate_limit=\[\]; give"),
        ((), r"Tasks\.get declares rate_limit=\(\); give"),
        (b"10/minute", r"Tasks\.get declares rate_limit=b'10/minute'; give"),
        ({"10/minute": 1}, r"Tasks\.get declares rate_limit=\{"),
        (["10/minute", 10], r"Tasks\.get declares rate_limit=\[\.\.\., 10, \.\.\.\]"),
        ([None], r"Tasks\.get declares rate_limit=\[\.\.\., None, \.\.\.\]"),
        ([False], r"Tasks\.get declares rate_limit=\[\.\.\., False, \.\.\.\]"),
    ],
)
def test_make_rate_limits_other_values_raise_declaration_error(value: Any, message: str) -> None:
    with pytest.raises(DeclarationError, match=message):
        make_rate_limits(value, "Tasks.get")


def _resource_declaring(rate_limit: str) -> object:
    return type("Tasks", (limited(None),), {"rate_limit": rate_limit})


@pytest.mark.parametrize(
    ("declare", "owner"),
    [
        (lambda: Api(name="x", rate_limit="10/fortnight"), "Api 'x'"),
        (lambda: Blueprint("y", rate_limit="10/fortnight"), "Blueprint 'y'"),
        (lambda: _resource_declaring("10/fortnight"), "Tasks"),
        (lambda: limited("10/fortnight"), r"Items\.get"),
    ],
    ids=["api", "blueprint", "resource", "operation"],
)
def test_rate_limit_bad_string_error_names_its_owner(
    declare: Callable[[], object], owner: str
) -> None:
    with pytest.raises(DeclarationError, match=owner):
        declare()
