"""Who is calling: the authenticated `Identity`, and the key rate limits count by.

Authentication (see `restkit.auth`) records the caller's `Identity` for the request; a method
receives it as its `identity` argument, and any code can read it with `get_identity`.

An authenticated request is known by its client id, the identity's `id` (or whatever
`set_client_id` was given); any other request by its address. Rate limits count by this key,
and idempotency keys are scoped to it. Behind a proxy, wrap the app in werkzeug's `ProxyFix`
so that the address is the client's, not the proxy's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from flask import g
from werkzeug.wrappers import Request

__all__ = [
    "Identity",
    "client_key",
    "get_client_id",
    "get_identity",
    "remote_address",
    "set_client_id",
    "set_identity",
]

U = TypeVar("U")

_CLIENT_ID = "_restkit_client_id"
_IDENTITY = "_restkit_identity"


def _empty_claims() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Identity(Generic[U]):
    """An authenticated caller: what an authenticator's verify function returns.

    `Identity[User]` types the `user` an application attaches, so a method declared as
    `def get(self, identity: Identity[User])` reads `identity.user.email` with its type.

    Args:
        id: A stable, non-empty id of the caller, such as the user's or API key's id. Rate
            limits count by it and idempotency keys are scoped to it.
        user: The application's own object for the caller (a user row, an app record), or
            `None`.
        scopes: The scopes the caller was granted (OAuth 2 style, such as `tasks:write`),
            checked by `restkit.permissions.Scopes`.
        roles: The caller's roles (such as `admin`), checked by `restkit.permissions.Roles`.
        claims: The verified claims of a token (JWT), if any.
        scheme: The security scheme that authenticated the caller; restkit sets it to the
            authenticator's `scheme_name`, whatever the verify function gave.

    Scopes and roles are kept as frozensets, and the claims as a read-only mapping.

    Raises:
        TypeError: `id` is not a non-empty string, or `scopes` or `roles` is a string or
            holds something else than strings.

    Example:
        ```python
        def verify(token: str) -> Identity[User] | None:
            user = User.by_token(token)
            return Identity(id=str(user.id), user=user, roles=user.roles) if user else None
        ```
    """

    id: str
    user: U
    scopes: Collection[str] = frozenset()
    roles: Collection[str] = frozenset()
    claims: Mapping[str, Any] = field(default_factory=_empty_claims)
    scheme: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise TypeError(f"Identity.id must be a non-empty string, not {self.id!r}.")
        for name in ("scopes", "roles"):
            value = getattr(self, name)
            if not isinstance(value, str | bytes):
                value = tuple(value)  # an iterator is read once
            if isinstance(value, str | bytes) or not all(isinstance(item, str) for item in value):
                raise TypeError(
                    f"Identity.{name} must be a collection of strings, such as "
                    f'{{"tasks:read"}}, not {value!r}.'
                )
            object.__setattr__(self, name, frozenset(value))
        object.__setattr__(self, "claims", MappingProxyType(dict(self.claims)))

    __hash__ = None  # type: ignore[assignment]


def set_identity(identity: Identity[Any] | None) -> None:
    """Record the caller of the current request, and its id as the client id.

    restkit calls this when a request is authenticated; call it yourself only to
    authenticate in your own view decorator.
    """
    setattr(g, _IDENTITY, identity)
    set_client_id(identity.id if identity is not None else None)


def get_identity() -> Identity[Any] | None:
    """Return the authenticated caller of the current request, or `None` (public operations).

    A method can take it as its `identity` argument instead.
    """
    identity: Identity[Any] | None = getattr(g, _IDENTITY, None)
    return identity


def set_client_id(client_id: str | None) -> None:
    """Record who made the current request (an authenticated user, app or API key id)."""
    setattr(g, _CLIENT_ID, client_id)


def get_client_id() -> str | None:
    """Return the id recorded for the current request by `set_client_id`, or `None`."""
    client_id: str | None = getattr(g, _CLIENT_ID, None)
    return client_id


def remote_address(request: Request) -> str:
    """Return `"address:<ip>"` for the request's peer (`"address:unknown"` without one)."""
    return f"address:{request.remote_addr or 'unknown'}"


def client_key(request: Request) -> str:
    """Return `"client:<id>"` for an authenticated request, else `remote_address(request)`.

    This is the default key of rate limits.
    """
    client_id = get_client_id()
    if client_id is not None:
        return f"client:{client_id}"
    return remote_address(request)
