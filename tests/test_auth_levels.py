"""Where `auth=` is declared and how each operation's authenticators are resolved.

`auth=` on an Api, a Blueprint, a Resource (class attribute) or an operation: the nearest
level that says something wins, `False` makes operations public, `True` brings back the
authenticators of the levels above, and a list lets any one of its schemes pass. Also the
`identity` argument, `get_identity()`, and the features recorded on mounted operations.
Permissions (`requires=`) are in test_permissions.py, the `authorize_object` hook in
test_permissions_objects.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields

import restkit.api
from restkit import (
    Api,
    ApiKey,
    Blueprint,
    DeclarationError,
    HttpBearer,
    Identity,
    Resource,
    Roles,
    Scopes,
    operation,
)
from restkit.blueprint import MountedRoute
from restkit.identity import get_identity

TOKEN = "bearer-token-0123456789"
KEY = "api-key-0123456789abcdef"
ALICE = Identity(id="alice", user=None, scopes={"read"})
PARTNER = Identity(id="partner", user=None)
bearer = HttpBearer(tokens={TOKEN: ALICE})
api_key = ApiKey(keys={KEY: PARTNER})

NOBODY: dict[str, str] = {}
BEARER = {"Authorization": f"Bearer {TOKEN}"}
API_KEY = {"X-API-Key": KEY}


class WhoSchema(Schema):
    who = fields.String(allow_none=True)
    scheme = fields.String(allow_none=True)


def who() -> dict[str, str | None]:
    identity = get_identity()
    return {
        "who": identity.id if identity else None,
        "scheme": identity.scheme if identity else None,
    }


def serve(
    *resources: type[Resource], api: Any = None, bp: Any = None, **api_kwargs: Any
) -> tuple[Flask, Api]:
    """Mount the resources at `/<lowercased class name>` in a blueprint under one API."""
    blueprint = Blueprint("test", auth=bp)
    for resource in resources:
        blueprint.add_resource(resource, f"/{resource.__name__.lower()}")
    app = Flask(__name__)
    registry = Api(auth=api, **api_kwargs)
    registry.register_blueprint(blueprint)
    registry.init_app(app)
    return app, registry


def thing(*, res: Any = None, op: Any = None) -> type[Resource]:
    """A resource declaring `auth = res`, whose GET declares `auth=op`."""

    class Thing(Resource):
        auth = res

        @operation(response=WhoSchema, auth=op)
        def get(self) -> dict[str, str | None]:
            return who()

    return Thing


def client_of(*resources: type[Resource], api: Any = None, bp: Any = None) -> FlaskClient:
    app, _ = serve(*resources, api=api, bp=bp)
    return app.test_client()


@pytest.fixture
def mounted(monkeypatch: pytest.MonkeyPatch) -> list[MountedRoute]:
    """The routes every `init_app` mounted, as the OpenAPI builder received them."""
    routes: list[MountedRoute] = []
    build = restkit.api.build_spec  # already the validating wrapper of conftest

    def capture(**kwargs: Any) -> dict[str, Any]:
        routes.extend(kwargs["routes"])
        return build(**kwargs)

    monkeypatch.setattr(restkit.api, "build_spec", capture)
    return routes


# --- Which level wins ----------------------------------------------------------------------

OK_ALICE = (200, "alice")
OK_PARTNER = (200, "partner")
OK_PUBLIC = (200, None)
REFUSED = (401, None)

LEVELS = [
    # api, bp, res, op -> (none, bearer, API key)
    pytest.param(None, None, None, None, OK_PUBLIC, OK_PUBLIC, OK_PUBLIC, id="nothing-public"),
    pytest.param(bearer, None, None, None, REFUSED, OK_ALICE, REFUSED, id="api-bearer"),
    pytest.param(bearer, False, None, None, OK_PUBLIC, OK_PUBLIC, OK_PUBLIC, id="bp-public"),
    pytest.param(bearer, False, True, None, REFUSED, OK_ALICE, REFUSED, id="res-true-in-public-bp"),
    pytest.param(bearer, False, None, True, REFUSED, OK_ALICE, REFUSED, id="op-true-in-public-bp"),
    pytest.param(bearer, None, False, True, REFUSED, OK_ALICE, REFUSED, id="op-true-in-public-res"),
    pytest.param(
        [bearer, api_key], False, True, None, REFUSED, OK_ALICE, OK_PARTNER, id="true-takes-list"
    ),
    pytest.param(api_key, bearer, False, True, REFUSED, OK_ALICE, REFUSED, id="true-takes-nearest"),
    pytest.param(bearer, None, True, False, OK_PUBLIC, OK_PUBLIC, OK_PUBLIC, id="op-public"),
    pytest.param(bearer, None, bearer, False, OK_PUBLIC, OK_PUBLIC, OK_PUBLIC, id="op-public-res"),
    pytest.param(bearer, None, None, api_key, REFUSED, REFUSED, OK_PARTNER, id="op-key-replaces"),
    pytest.param(None, None, bearer, api_key, REFUSED, REFUSED, OK_PARTNER, id="op-key-over-res"),
    pytest.param(api_key, bearer, None, None, REFUSED, OK_ALICE, REFUSED, id="bp-over-api"),
    pytest.param(None, None, bearer, None, REFUSED, OK_ALICE, REFUSED, id="res-only"),
    pytest.param(
        bearer, None, None, [bearer, api_key], REFUSED, OK_ALICE, OK_PARTNER, id="op-list-either"
    ),
    pytest.param(
        None, [api_key, bearer], None, None, REFUSED, OK_ALICE, OK_PARTNER, id="bp-list-either"
    ),
]


@pytest.mark.parametrize(("api", "bp", "res", "op", "none", "with_bearer", "with_key"), LEVELS)
def test_auth_nearest_level_decides_who_may_call(
    api: Any,
    bp: Any,
    res: Any,
    op: Any,
    none: tuple[int, str | None],
    with_bearer: tuple[int, str | None],
    with_key: tuple[int, str | None],
) -> None:
    client = client_of(thing(res=res, op=op), api=api, bp=bp)

    responses = [client.get("/thing", headers=headers) for headers in (NOBODY, BEARER, API_KEY)]

    # A 401 problem has no "who": None, as for a public operation.
    outcome = [(response.status_code, response.json.get("who")) for response in responses]
    assert outcome == [none, with_bearer, with_key]


@pytest.mark.parametrize(
    ("credentials", "scheme"), [(BEARER, "bearerAuth"), (API_KEY, "apiKeyAuth")]
)
def test_auth_list_records_the_scheme_that_passed(credentials: dict[str, str], scheme: str) -> None:
    client = client_of(thing(), api=[bearer, api_key])

    response = client.get("/thing", headers=credentials)

    assert response.status_code == 200
    assert response.json["scheme"] == scheme


def test_auth_list_without_credentials_challenges_with_every_scheme() -> None:
    client = client_of(thing(op=[bearer, api_key]), api=bearer)

    response = client.get("/thing")

    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == [
        'Bearer realm="api"',
        'ApiKey realm="api", in="header", name="X-API-Key"',
    ]


def test_auth_replaced_scheme_is_not_challenged() -> None:
    client = client_of(thing(op=api_key), api=bearer)

    response = client.get("/thing", headers=BEARER)

    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == [
        'ApiKey realm="api", in="header", name="X-API-Key"'
    ]


def test_auth_public_operation_ignores_invalid_credentials() -> None:
    client = client_of(thing(op=False), api=bearer)

    response = client.get("/thing", headers={"Authorization": "Bearer not-a-valid-token-at-all"})

    assert response.status_code == 200
    assert response.json == {"who": None, "scheme": None}


def test_auth_public_blueprint_leaves_other_blueprints_authenticated() -> None:
    class Opened(Resource):
        @operation(response=WhoSchema)
        def get(self) -> dict[str, str | None]:
            return who()

    class Closed(Resource):
        @operation(response=WhoSchema)
        def get(self) -> dict[str, str | None]:
            return who()

    open_bp = Blueprint("open", auth=False)
    open_bp.add_resource(Opened, "/open")
    closed_bp = Blueprint("closed")
    closed_bp.add_resource(Closed, "/closed")
    app = Flask(__name__)
    api = Api(auth=bearer)
    api.register_blueprint(open_bp)
    api.register_blueprint(closed_bp)
    api.init_app(app)
    client = app.test_client()

    assert client.get("/open").status_code == 200
    assert client.get("/closed").status_code == 401
    assert client.get("/closed", headers=BEARER).status_code == 200


# --- Declaration errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api", "bp", "res", "op"),
    [
        pytest.param(True, None, None, None, id="api"),
        pytest.param(None, True, None, None, id="blueprint"),
        pytest.param(None, None, True, None, id="resource"),
        pytest.param(None, None, None, True, id="operation"),
        pytest.param(False, None, None, True, id="below-public-api"),
        pytest.param(None, False, True, None, id="below-public-blueprint"),
    ],
)
def test_auth_true_without_authenticators_above_fails_at_init_app(
    api: Any, bp: Any, res: Any, op: Any
) -> None:
    resource = thing(res=res, op=op)  # the class itself is fine: levels meet at init_app

    with pytest.raises(DeclarationError) as caught:
        serve(resource, api=api, bp=bp)

    message = str(caught.value)
    assert message.startswith("Thing.get is declared auth=True, but no level above it gives")
    assert "Give auth=HttpBearer(...) (or another authenticator) to the Api or Blueprint." in (
        message
    )


INVALID_AUTH = [
    pytest.param("bearer", id="string"),
    pytest.param([], id="empty-list"),
    pytest.param((), id="empty-tuple"),
    pytest.param([bearer, "key"], id="list-with-string"),
    pytest.param({bearer}, id="set"),
    pytest.param(HttpBearer, id="class-not-instance"),
    pytest.param(1, id="number"),
]


@pytest.mark.parametrize("value", INVALID_AUTH)
def test_auth_invalid_value_on_operation_fails_at_decoration(value: Any) -> None:
    with pytest.raises(DeclarationError, match=r"declares auth=.*; give an authenticator such"):
        operation(response=WhoSchema, auth=value)(lambda self: None)


@pytest.mark.parametrize("value", INVALID_AUTH)
def test_auth_invalid_value_on_resource_fails_at_class_creation(value: Any) -> None:
    with pytest.raises(DeclarationError, match=r"^Things declares auth="):

        class Things(Resource):
            auth = value


@pytest.mark.parametrize("value", INVALID_AUTH)
@pytest.mark.parametrize(
    ("owner", "make"),
    [
        ("Blueprint 'b'", lambda auth: Blueprint("b", auth=auth)),
        ("Api 'api'", lambda auth: Api(auth=auth)),
    ],
)
def test_auth_invalid_value_on_blueprint_or_api_fails_at_construction(
    value: Any, owner: str, make: Any
) -> None:
    with pytest.raises(DeclarationError) as caught:
        make(value)

    assert str(caught.value).startswith(f"{owner} declares auth=")


def test_auth_same_authenticator_twice_is_one_scheme(mounted: list[MountedRoute]) -> None:
    serve(thing(op=[bearer, bearer]))

    assert mounted[0].operations["GET"].features.authenticators == (bearer,)


# --- The identity argument -----------------------------------------------------------------


class Mine(Resource):
    @operation(response=WhoSchema)
    def get(self, identity: Identity[None]) -> dict[str, str | None]:
        assert identity is get_identity()
        return {"who": identity.id, "scheme": identity.scheme}


class Either(Resource):
    auth = (bearer, api_key)

    @operation(response=WhoSchema)
    def get(self, identity: Identity[None] | None = None) -> dict[str, str | None]:
        assert identity is not None
        return {"who": identity.id, "scheme": identity.scheme}


class Open(Resource):
    auth = False

    @operation(response=WhoSchema)
    def get(self, identity: Identity[None] | None = None) -> dict[str, str | None]:
        assert get_identity() is None
        return {"who": identity.id if identity else None, "scheme": None}


@pytest.mark.parametrize(
    ("path", "credentials", "expected"),
    [
        ("/mine", BEARER, {"who": "alice", "scheme": "bearerAuth"}),
        ("/either", BEARER, {"who": "alice", "scheme": "bearerAuth"}),
        ("/either", API_KEY, {"who": "partner", "scheme": "apiKeyAuth"}),
        ("/open", NOBODY, {"who": None, "scheme": None}),
        ("/open", BEARER, {"who": None, "scheme": None}),
    ],
)
def test_identity_argument_is_the_authenticated_caller(
    path: str, credentials: dict[str, str], expected: dict[str, str | None]
) -> None:
    client = client_of(Mine, Either, Open, api=bearer)

    response = client.get(path, headers=credentials)

    assert response.status_code == 200
    assert response.json == expected


def test_identity_keeps_the_scopes_and_roles_the_authenticator_gave() -> None:
    seen: list[Identity[Any]] = []

    class Seen(Resource):
        @operation(response=WhoSchema)
        def get(self, identity: Identity[None]) -> dict[str, str | None]:
            seen.append(identity)
            return {"who": identity.id}

    boss = Identity(id="boss", user="the user", scopes={"a", "b"}, roles={"admin"})
    client = client_of(Seen, api=HttpBearer(tokens={"boss-token-0123456789": boss}))

    response = client.get("/seen", headers={"Authorization": "Bearer boss-token-0123456789"})

    assert response.status_code == 200
    assert seen == [
        Identity(
            id="boss", user="the user", scopes={"a", "b"}, roles={"admin"}, scheme="bearerAuth"
        )
    ]


@pytest.mark.parametrize(
    ("api", "res", "op"),
    [
        pytest.param(None, None, None, id="no-auth-anywhere"),
        pytest.param(bearer, False, None, id="public-resource"),
        pytest.param(bearer, None, False, id="public-operation"),
    ],
)
def test_identity_required_by_a_public_operation_fails_at_init_app(
    api: Any, res: Any, op: Any
) -> None:
    class Needy(Resource):
        auth = res

        @operation(response=WhoSchema, auth=op)
        def get(self, identity: Identity[None]) -> dict[str, str | None]:
            return {"who": identity.id}

    with pytest.raises(DeclarationError) as caught:
        serve(Needy, api=api)

    message = str(caught.value)
    assert message.startswith("Needy.get requires the argument 'identity', which neither")
    assert "`identity` to authenticated operations" in message


def test_identity_clashing_with_a_url_variable_fails_at_init_app() -> None:
    class Users(Resource):
        @operation(response=WhoSchema)
        def get(self, identity: Any) -> dict[str, str | None]:
            return {"who": str(identity)}

    blueprint = Blueprint("test")
    blueprint.add_resource(Users, "/users/<identity>")
    api = Api(auth=bearer)
    api.register_blueprint(blueprint)

    with pytest.raises(DeclarationError, match="identity"):
        api.init_app(Flask(__name__))


def test_get_identity_outside_authentication_is_none() -> None:
    app = Flask(__name__)

    with app.test_request_context("/"):
        assert get_identity() is None


# --- Features recorded on mounted operations -----------------------------------------------


class Layered(Resource):
    auth = True
    requires = Scopes("res")

    @operation(response=WhoSchema, requires=Roles("op"))
    def get(self) -> dict[str, str | None]:
        return who()

    @operation(response=WhoSchema, auth=api_key, requires=False)
    def put(self) -> dict[str, str | None]:
        return who()

    @operation(response=WhoSchema, auth=False)
    def delete(self) -> dict[str, str | None]:
        return who()


@pytest.mark.parametrize(
    ("method", "authenticators", "requirements"),
    [
        ("GET", (bearer,), "Scopes('api') & Scopes('bp') & Scopes('res') & Roles('op')"),
        ("PUT", (api_key,), ""),
        ("DELETE", (), ""),
    ],
)
def test_features_of_mounted_operations_hold_authenticators_and_requirements(
    mounted: list[MountedRoute],
    method: str,
    authenticators: Sequence[Any],
    requirements: str,
) -> None:
    blueprint = Blueprint("test", auth=False, requires=Scopes("bp"))
    blueprint.add_resource(Layered, "/layered")
    app = Flask(__name__)
    api = Api(auth=bearer, requires=Scopes("api"))
    api.register_blueprint(blueprint)
    api.init_app(app)

    features = mounted[0].operations[method].features
    assert features.authenticators == tuple(authenticators)
    # Outermost level first, as the 403 problem lists them.
    assert " & ".join(map(repr, features.requirements)) == requirements
    # The blueprint's own routes stay unresolved: features belong to a mounting.
    assert Layered.operations[method].features.empty


@pytest.mark.parametrize(
    ("method", "security"),
    [
        ("get", [{"bearerAuth": []}]),
        ("put", [{"apiKeyAuth": []}]),
        ("delete", []),
    ],
)
def test_features_mounted_show_in_the_document_security(
    method: str, security: list[dict[str, list[str]]]
) -> None:
    blueprint = Blueprint("test", auth=False, requires=Scopes("bp"))
    blueprint.add_resource(Layered, "/layered")
    app = Flask(__name__)
    api = Api(auth=bearer, requires=Scopes("api"), openapi_version="3.0")
    api.register_blueprint(blueprint)
    api.init_app(app)

    document = api.spec(app)

    assert document["paths"]["/layered"][method]["security"] == security
    assert set(document["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyAuth"}


def test_features_of_one_resource_differ_per_api(mounted: list[MountedRoute]) -> None:
    resource = thing()
    blueprint = Blueprint("test")
    blueprint.add_resource(resource, "/thing")
    app = Flask(__name__)
    for name, auth in (("open", False), ("closed", api_key)):
        api = Api(name=name, url_prefix=f"/{name}", auth=auth)
        api.register_blueprint(blueprint)
        api.init_app(app)

    by_rule = {route.rule: route.operations["GET"].features for route in mounted}
    assert by_rule["/open/thing"].authenticators == ()
    assert by_rule["/closed/thing"].authenticators == (api_key,)
    client = app.test_client()
    assert client.get("/open/thing").status_code == 200
    assert client.get("/closed/thing", headers=API_KEY).status_code == 200
    assert client.get("/closed/thing", headers=BEARER).status_code == 401
