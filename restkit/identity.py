"""Who is calling: the key that rate limits count by and idempotency keys are scoped to.

An authenticated request is known by its client id, which authentication sets with
`set_client_id`; any other request by its address. Behind a proxy, wrap the app in werkzeug's
`ProxyFix` so that the address is the client's, not the proxy's.
"""

from __future__ import annotations

from flask import g
from werkzeug.wrappers import Request

__all__ = ["client_key", "get_client_id", "remote_address", "set_client_id"]

_ATTRIBUTE = "_restkit_client_id"


def set_client_id(client_id: str | None) -> None:
    """Record who made the current request (an authenticated user, app or API key id)."""
    setattr(g, _ATTRIBUTE, client_id)


def get_client_id() -> str | None:
    """Return the id recorded for the current request by `set_client_id`, or `None`."""
    client_id: str | None = getattr(g, _ATTRIBUTE, None)
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
