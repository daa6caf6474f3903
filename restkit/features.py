"""HTTP behaviours declared on the levels of an API and resolved for each operation.

Pagination, conditional requests, idempotency, rate limits and deprecation can each be
declared on an `Api`, a `Blueprint`, a `Resource` (class attribute) or an operation, with
the same keyword everywhere:

| keyword | value | applies, when inherited, to |
|---|---|---|
| `pagination` | `PagePagination()`, `CursorPagination()`, `True`, `False` | GETs of lists |
| `conditional` | `Conditional(...)`, `True`, `False` | GET, POST; writes with `get_object` |
| `idempotency` | `Idempotency(...)`, `True`, `False` | POST |
| `rate_limit` | `"10/minute"`, `RateLimit(...)`, a list, `False` | every operation |
| `deprecated` | `Deprecation(...)`, `True`, `False` | every operation |
| `auth` | an `Authenticator`, a list, `True`, `False` (public) | every operation |
| `requires` | `Scopes(...)`, `Roles(...)`, `Check(...)`, a list, `False` | authenticated ones |

The nearest level that says something wins (`None`, the default, says nothing; `False`
switches a feature off below it), except rate limits: the limits of every level apply
together, each counted over all the operations of its level, and `False` drops those of the
levels above; so do permissions (`requires`), which apply only where the operation is
authenticated. `True` means "on, configured by the nearest level that gives an object" (or
the defaults); `deprecated=True` is `Deprecation()`, with no dates. Everything is resolved
when the API is mounted, into a `Features` record per operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from restkit.auth import Authenticator, make_authenticators
from restkit.conditional import Conditional
from restkit.deprecation import Deprecation
from restkit.errors import DeclarationError
from restkit.idempotency import Idempotency
from restkit.pagination import PagePagination, Pagination
from restkit.permissions import Requirement, make_requirements
from restkit.ratelimit import RateLimit, ScopedLimit, make_rate_limits

__all__ = ["Features", "Policies", "make_policies"]


@dataclass(frozen=True, slots=True)
class Policies:
    """What one level declares; `None` inherits from the level above.

    Attributes:
        pagination: A pagination, `True` (on), `False` (off) or `None`.
        conditional: A conditional declaration, `True`, `False` or `None`.
        idempotency: An idempotency declaration, `True`, `False` or `None`.
        rate_limit: Limits, `False` (drop inherited ones) or `None`.
        deprecated: A deprecation, `True`, `False` or `None`.
        auth: Authenticators (any may pass), `True`, `False` (public) or `None`.
        requires: Permission requirements, `False` (drop inherited ones) or `None`.
    """

    pagination: Pagination | bool | None = None
    conditional: Conditional | bool | None = None
    idempotency: Idempotency | bool | None = None
    rate_limit: tuple[RateLimit, ...] | bool | None = None
    deprecated: Deprecation | bool | None = None
    auth: tuple[Authenticator, ...] | bool | None = None
    requires: tuple[Requirement, ...] | bool | None = None


def _check(value: Any, kind: type, keyword: str, owner: str) -> Any:
    if value is None or isinstance(value, bool | kind):
        return value
    raise DeclarationError(
        f"{owner} declares {keyword}={value!r}; give {kind.__name__}(...), True, False or None."
    )


def make_policies(
    owner: str,
    *,
    pagination: Any = None,
    conditional: Any = None,
    idempotency: Any = None,
    rate_limit: Any = None,
    deprecated: Any = None,
    auth: Any = None,
    requires: Any = None,
) -> Policies:
    """Check one level's declarations and return them as `Policies`.

    Raises:
        DeclarationError: A value has the wrong type.
    """
    return Policies(
        pagination=_check(pagination, Pagination, "pagination", owner),
        conditional=_check(conditional, Conditional, "conditional", owner),
        idempotency=_check(idempotency, Idempotency, "idempotency", owner),
        rate_limit=make_rate_limits(rate_limit, owner),
        deprecated=_check(deprecated, Deprecation, "deprecated", owner),
        auth=make_authenticators(auth, owner),
        requires=make_requirements(requires, owner),
    )


@dataclass(frozen=True, slots=True)
class Features:
    """The behaviours one mounted operation has, resolved from every level.

    Attributes:
        pagination: How its list is paginated, or `None`.
        conditional: Its conditional declaration, or `None`.
        idempotency: How it honours `Idempotency-Key`, or `None`.
        rate_limits: The limits it counts against, outermost level first.
        deprecation: Its deprecation, or `None`.
        authenticators: The schemes that may authenticate its caller; none when public.
        requirements: The permissions its caller needs, outermost level first.
    """

    pagination: Pagination | None = None
    conditional: Conditional | None = None
    idempotency: Idempotency | None = None
    rate_limits: tuple[ScopedLimit, ...] = ()
    deprecation: Deprecation | None = None
    authenticators: tuple[Authenticator, ...] = ()
    requirements: tuple[Requirement, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the operation has none of these behaviours."""
        return self == _NONE


_NONE = Features()

Level = tuple[str, Policies]


def _nearest(levels: Sequence[Level], name: str) -> tuple[int, Any]:
    """Return the index (0 is the operation) and value of the nearest level that says."""
    for index, (_, policies) in enumerate(levels):
        value = getattr(policies, name)
        if value is not None:
            return index, value
    return -1, None


def _configured(levels: Sequence[Level], name: str, kind: type, default: Any) -> Any:
    for _, policies in levels:
        value = getattr(policies, name)
        if isinstance(value, kind):
            return value
    return default


def resolve_features(
    levels: Sequence[Level],
    *,
    method: str,
    lists: bool,
    loads_current: bool,
    culprit: str = "The operation",
) -> Features:
    """Resolve the features of one operation.

    Args:
        levels: `(scope, policies)` from the operation outwards: operation, resource,
            blueprint, API.
        method: The HTTP method.
        lists: Whether its response is a list.
        loads_current: Whether its resource has `get_object`.
        culprit: The operation, for error messages.

    Raises:
        DeclarationError: `auth=True` where no level above gives authenticators, or
            `requires=` where the operation is public.
    """
    explicit, value = _nearest(levels, "pagination")
    pagination = None
    if value is not None and value is not False and (explicit == 0 or (method == "GET" and lists)):
        pagination = value if isinstance(value, Pagination) else None
        pagination = pagination or _configured(levels, "pagination", Pagination, PagePagination())

    explicit, value = _nearest(levels, "conditional")
    conditional = None
    writes = method in ("PUT", "PATCH", "DELETE")
    if value is not None and value is not False and (explicit == 0 or not writes or loads_current):
        conditional = value if isinstance(value, Conditional) else None
        conditional = conditional or _configured(levels, "conditional", Conditional, Conditional())

    explicit, value = _nearest(levels, "idempotency")
    idempotency = None
    if value is not None and value is not False and (explicit == 0 or method == "POST"):
        idempotency = value if isinstance(value, Idempotency) else None
        idempotency = idempotency or _configured(levels, "idempotency", Idempotency, Idempotency())

    limits: list[ScopedLimit] = []
    for scope, policies in levels:
        declared = policies.rate_limit
        if declared is False:
            break
        if isinstance(declared, tuple):
            # Each limit of a level counts apart, even two alike with keys that agree.
            limits[:0] = [
                ScopedLimit(f"{scope}#{index}", limit) for index, limit in enumerate(declared)
            ]

    _, value = _nearest(levels, "deprecated")
    deprecation = value if isinstance(value, Deprecation) else (Deprecation() if value else None)

    decided, value = _nearest(levels, "auth")
    authenticators: tuple[Authenticator, ...] = ()
    if value is True:
        authenticators = _configured(levels, "auth", tuple, ())
        if not authenticators:
            raise DeclarationError(
                f"{culprit} is declared auth=True, but no level above it gives authenticators. "
                "Give auth=HttpBearer(...) (or another authenticator) to the Api or Blueprint."
            )
    elif isinstance(value, tuple):
        authenticators = value

    requirements: list[Requirement] = []
    for index, (scope, policies) in enumerate(levels):
        required = policies.requires
        if required is False:
            break
        if isinstance(required, tuple):
            if not authenticators and (decided == -1 or index <= decided):
                where = scope.split(":", 1)[0]
                raise DeclarationError(
                    f"{culprit} is public, but its {where} declares requires=..., which only "
                    "an authenticated caller can meet. Declare auth=... on it (or above), or "
                    "drop requires=."
                )
            requirements[:0] = required

    return Features(
        pagination=pagination,
        conditional=conditional,
        idempotency=idempotency,
        rate_limits=tuple(limits),
        deprecation=deprecation,
        authenticators=authenticators,
        requirements=tuple(requirements) if authenticators else (),
    )
