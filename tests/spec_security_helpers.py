"""Tiny authenticated apps and their documents, for the OpenAPI security tests.

Every document `spec_of` returns passed openapi-spec-validator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marshmallow import fields

from restkit import ApiKey, HttpBasic, HttpBearer, Identity, Resource, operation
from restkit.auth import AuthLike
from restkit.jwt import JwtBearer
from restkit.permissions import Requirement
from tests.spec_helpers import mount, validated

OK = {"ok": fields.Boolean()}
TOKEN = "bearer-token-0123456789"
KEY = "api-key-0123456789abcdef"
CALLER = Identity(id="ann", user=None)

BEARER = HttpBearer(tokens={TOKEN: CALLER})
API_KEY = ApiKey(keys={KEY: CALLER})
BASIC = HttpBasic(lambda name, password: None)
JWT = JwtBearer(key="j" * 32)


def spec_of(
    routes: dict[str, type[Resource]], *, version: str = "3.1", **api_kwargs: Any
) -> dict[str, Any]:
    """Return the validated document of an API serving `routes`, in OpenAPI 3.1 or 3.0."""
    app, api = mount(routes, **api_kwargs)
    document = api.spec(app) if version == "3.1" else api.make_spec(app, openapi_version=version)
    return validated(document)


def guarded(
    auth: AuthLike = None,
    requires: Requirement | Sequence[Requirement] | None = None,
    *,
    name: str = "R",
) -> type[Resource]:
    """A resource class called `name` with one GET, declared with `auth=` and `requires=`."""

    def get(self): ...

    method = operation(response=OK, auth=auth, requires=requires)(get)
    resource: type[Resource] = type(name, (Resource,), {"get": method})
    return resource


def hidden(auth: AuthLike = None) -> type[Resource]:
    """A resource of one object, checked by an `authorize_object` hook, with three methods."""

    class Me(Resource):
        def get_object(self):
            return {"ok": True}

        def authorize_object(self, obj, identity, method):
            return None

        @operation(response=OK, auth=auth)
        def get(self): ...

        @operation(body=OK, response=OK, auth=auth)
        def put(self, body): ...

        @operation(status=204, auth=auth)
        def delete(self): ...

    return Me
