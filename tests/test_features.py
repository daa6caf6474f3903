"""How the features declared on an Api, a Blueprint, a Resource and an operation combine.

`resolve_features` gets the levels from the operation outwards; each table row gives what
each level declares (`op`, `res`, `bp`, `api`, `None` when left out) and the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from marshmallow import Schema, fields

from restkit import Api, Blueprint, DeclarationError, Resource, operation
from restkit.conditional import Conditional
from restkit.deprecation import Deprecation
from restkit.features import Features, Policies, make_policies, resolve_features
from restkit.idempotency import Idempotency
from restkit.pagination import CursorPagination, PagePagination
from restkit.ratelimit import RateLimit, ScopedLimit

PAGE = PagePagination(default_size=5)
CURSOR = CursorPagination(max_size=50)
VERSIONED = Conditional(version="version")
DATED = Conditional(last_modified="updated_at")
LONG = Idempotency(ttl=600)
SHORT = Idempotency(ttl=60, required=True)
SUNSET = Deprecation(since=date(2026, 1, 1), sunset=date(2027, 1, 1))
SCOPES = ("operation:api.b.E:{method}", "resource:api.b.E", "blueprint:api.b", "api:api")


def levels(
    method: str = "GET",
    *,
    op: dict[str, Any] | None = None,
    res: dict[str, Any] | None = None,
    bp: dict[str, Any] | None = None,
    api: dict[str, Any] | None = None,
) -> list[tuple[str, Policies]]:
    """The four levels of an operation, from the operation outwards, as `_resolve` makes them."""
    declared = (op, res, bp, api)
    return [
        (scope.format(method=method), make_policies("Owner", **(given or {})))
        for scope, given in zip(SCOPES, declared, strict=True)
    ]


def resolve(
    method: str = "GET", *, lists: bool = True, loads_current: bool = False, **given: Any
) -> Features:
    return resolve_features(
        levels(method, **given), method=method, lists=lists, loads_current=loads_current
    )


# Pagination: GETs of lists, when inherited


@pytest.mark.parametrize(
    ("method", "lists", "given", "expected"),
    [
        ("GET", True, {}, None),
        ("GET", True, {"api": {"pagination": True}}, PagePagination()),
        ("GET", True, {"api": {"pagination": CURSOR}}, CURSOR),
        # the nearest level that says something wins
        ("GET", True, {"api": {"pagination": CURSOR}, "bp": {"pagination": PAGE}}, PAGE),
        ("GET", True, {"api": {"pagination": CURSOR}, "op": {"pagination": PAGE}}, PAGE),
        # True: on, configured by the nearest level that gives an object
        ("GET", True, {"api": {"pagination": CURSOR}, "res": {"pagination": True}}, CURSOR),
        (
            "GET",
            True,
            {"api": {"pagination": CURSOR}, "bp": {"pagination": PAGE}, "op": {"pagination": True}},
            PAGE,
        ),
        ("GET", True, {"res": {"pagination": True}, "op": {"pagination": True}}, PagePagination()),
        # False switches it off below
        ("GET", True, {"api": {"pagination": CURSOR}, "bp": {"pagination": False}}, None),
        ("GET", True, {"api": {"pagination": CURSOR}, "op": {"pagination": False}}, None),
        ("GET", True, {"bp": {"pagination": False}, "op": {"pagination": True}}, PagePagination()),
        # inherited only by GETs of lists; declared on the operation, taken as declared
        ("GET", False, {"api": {"pagination": True}}, None),
        ("POST", True, {"api": {"pagination": True}}, None),
        ("GET", False, {"op": {"pagination": PAGE}}, PAGE),
    ],
)
def test_features_pagination_resolves_nearest_level(
    method: str, lists: bool, given: dict[str, Any], expected: Any
) -> None:
    assert resolve(method, lists=lists, **given).pagination == expected


# Conditional: GET; writes only when the resource has get_object


@pytest.mark.parametrize(
    ("method", "loads_current", "given", "expected"),
    [
        ("GET", False, {}, None),
        ("GET", False, {"api": {"conditional": True}}, Conditional()),
        ("GET", False, {"res": {"conditional": VERSIONED}}, VERSIONED),
        (
            "GET",
            False,
            {"api": {"conditional": DATED}, "res": {"conditional": VERSIONED}},
            VERSIONED,
        ),
        ("GET", False, {"api": {"conditional": DATED}, "op": {"conditional": True}}, DATED),
        ("GET", False, {"api": {"conditional": DATED}, "bp": {"conditional": False}}, None),
        ("GET", False, {"res": {"conditional": VERSIONED}, "op": {"conditional": False}}, None),
        ("POST", False, {"api": {"conditional": True}}, Conditional()),
        # inherited by writes only when the current object can be loaded
        *[
            (method, loads, {"res": {"conditional": VERSIONED}}, VERSIONED if loads else None)
            for method in ("PUT", "PATCH", "DELETE")
            for loads in (False, True)
        ],
        ("PUT", False, {"op": {"conditional": VERSIONED}}, VERSIONED),
    ],
)
def test_features_conditional_resolves_nearest_level(
    method: str, loads_current: bool, given: dict[str, Any], expected: Any
) -> None:
    assert resolve(method, loads_current=loads_current, **given).conditional == expected


# Idempotency: POST, when inherited


@pytest.mark.parametrize(
    ("method", "given", "expected"),
    [
        ("POST", {}, None),
        ("POST", {"api": {"idempotency": True}}, Idempotency()),
        ("POST", {"api": {"idempotency": LONG}}, LONG),
        ("POST", {"api": {"idempotency": LONG}, "bp": {"idempotency": SHORT}}, SHORT),
        ("POST", {"api": {"idempotency": LONG}, "op": {"idempotency": True}}, LONG),
        ("POST", {"api": {"idempotency": LONG}, "res": {"idempotency": False}}, None),
        ("POST", {"api": {"idempotency": True}, "op": {"idempotency": False}}, None),
        ("PATCH", {"api": {"idempotency": True}}, None),
        ("PUT", {"res": {"idempotency": LONG}}, None),
        ("GET", {"bp": {"idempotency": True}}, None),
        ("PATCH", {"op": {"idempotency": True}}, Idempotency()),
        ("PATCH", {"res": {"idempotency": SHORT}, "op": {"idempotency": True}}, SHORT),
    ],
)
def test_features_idempotency_resolves_nearest_level(
    method: str, given: dict[str, Any], expected: Any
) -> None:
    assert resolve(method, **given).idempotency == expected


# Rate limits: every level's, outermost first, each in its level's scope


def scoped(level: int, text: str, method: str = "GET", index: int = 0) -> ScopedLimit:
    # A scope ends with the limit's index among those of its level.
    return ScopedLimit(f"{SCOPES[level].format(method=method)}#{index}", RateLimit(text))


OP, RES, BP, API = range(4)


@pytest.mark.parametrize(
    ("method", "given", "expected"),
    [
        ("GET", {}, ()),
        ("GET", {"op": {"rate_limit": "1/s"}}, (scoped(OP, "1/s"),)),
        ("POST", {"api": {"rate_limit": "4/s"}}, (scoped(API, "4/s", "POST"),)),
        (
            "GET",
            {
                "op": {"rate_limit": "1/s"},
                "res": {"rate_limit": "2/s"},
                "bp": {"rate_limit": "3/s"},
                "api": {"rate_limit": ["4/s", "40/minute"]},
            },
            (
                scoped(API, "4/s"),
                scoped(API, "40/minute", index=1),
                scoped(BP, "3/s"),
                scoped(RES, "2/s"),
                scoped(OP, "1/s"),
            ),
        ),
        # False drops the limits of the levels above it, and keeps those below
        ("GET", {"op": {"rate_limit": False}, "api": {"rate_limit": "4/s"}}, ()),
        (
            "GET",
            {
                "op": {"rate_limit": "1/s"},
                "res": {"rate_limit": False},
                "api": {"rate_limit": "4/s"},
            },
            (scoped(OP, "1/s"),),
        ),
        (
            "GET",
            {
                "res": {"rate_limit": "2/s"},
                "bp": {"rate_limit": False},
                "api": {"rate_limit": "4/s"},
            },
            (scoped(RES, "2/s"),),
        ),
        ("GET", {"api": {"rate_limit": False}}, ()),
    ],
)
def test_features_rate_limits_stack_outermost_first(
    method: str, given: dict[str, Any], expected: tuple[ScopedLimit, ...]
) -> None:
    assert resolve(method, **given).rate_limits == expected


# Deprecation: every operation, when inherited


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, None),
        ({"api": {"deprecated": True}}, Deprecation()),
        ({"bp": {"deprecated": SUNSET}}, SUNSET),
        ({"api": {"deprecated": SUNSET}, "res": {"deprecated": False}}, None),
        ({"res": {"deprecated": False}, "op": {"deprecated": True}}, Deprecation()),
        # True is Deprecation(), whatever a level above gives
        ({"api": {"deprecated": SUNSET}, "op": {"deprecated": True}}, Deprecation()),
        ({"api": {"deprecated": True}, "op": {"deprecated": SUNSET}}, SUNSET),
    ],
)
def test_features_deprecation_resolves_nearest_level(
    given: dict[str, Any], expected: Deprecation | None
) -> None:
    assert resolve("DELETE", **given).deprecation == expected


def test_features_nothing_declared_is_empty() -> None:
    features = resolve("GET")

    assert features == Features()
    assert features.empty


def test_features_one_declared_is_not_empty() -> None:
    assert not resolve("GET", api={"deprecated": True}).empty


# Declarations: make_policies checks each value's type


def test_make_policies_keeps_what_each_keyword_declares() -> None:
    policies = make_policies(
        "Api 'x'",
        pagination=CURSOR,
        conditional=True,
        idempotency=False,
        rate_limit=["3/minute", RateLimit(1, 1)],
        deprecated=SUNSET,
    )

    assert policies == Policies(
        pagination=CURSOR,
        conditional=True,
        idempotency=False,
        rate_limit=(RateLimit(3, 60), RateLimit(1, 1)),
        deprecated=SUNSET,
    )
    assert make_policies("Api 'x'") == Policies()


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        ("pagination", "yes", "pagination='yes'; give Pagination(...), True, False or None."),
        ("pagination", 20, "pagination=20; give Pagination(...)"),
        ("pagination", VERSIONED, "pagination=Conditional"),
        ("conditional", 3, "conditional=3; give Conditional(...), True, False or None."),
        ("conditional", "version", "conditional='version'; give Conditional(...)"),
        ("idempotency", "on", "idempotency='on'; give Idempotency"),
        ("idempotency", PAGE, "idempotency=PagePagination"),
        ("deprecated", "2027-01-01", "deprecated='2027-01-01'; give Deprecation(...)"),
        ("deprecated", date(2027, 1, 1), "deprecated=datetime.date"),
        ("rate_limit", True, "rate_limit=True; give '10/minute', a RateLimit"),
        ("rate_limit", 10, "rate_limit=10; give"),
    ],
)
def test_make_policies_wrong_type_raises_naming_owner(
    keyword: str, value: Any, message: str
) -> None:
    with pytest.raises(DeclarationError) as raised:
        make_policies("Api 'x'", **{keyword: value})

    assert str(raised.value).startswith(f"Api 'x' declares {keyword}=")
    assert message in str(raised.value)


class Item(Schema):
    name = fields.String()


def declare_on_resource(**attributes: Any) -> object:
    class Base(Resource):
        @operation(response=Item)
        def get(self) -> dict[str, str]:
            return {}

    return type("Tasks", (Base,), attributes)


def declare_on_operation(**options: Any) -> object:
    class Tasks(Resource):
        @operation(response=Item, **options)
        def get(self) -> dict[str, str]:
            return {}

    return Tasks


@pytest.mark.parametrize(
    ("declare", "owner"),
    [
        (lambda **kw: Api(name="x", **kw), "Api 'x'"),
        (lambda **kw: Blueprint("y", **kw), "Blueprint 'y'"),
        (declare_on_resource, "Tasks"),
        (declare_on_operation, "Tasks.get"),
    ],
    ids=["api", "blueprint", "resource", "operation"],
)
@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("pagination", "yes"),
        ("conditional", 3),
        ("idempotency", "on"),
        ("rate_limit", 10),
        ("deprecated", "soon"),
    ],
)
def test_features_wrong_type_on_each_level_names_the_owner(
    declare: Callable[..., object], owner: str, keyword: str, value: Any
) -> None:
    with pytest.raises(DeclarationError) as raised:
        declare(**{keyword: value})

    assert str(raised.value).startswith(f"{owner} declares {keyword}={value!r}; give ")
