"""Permissions: `Scopes`, `Roles`, `Check` and their combinations, and `requires=` on every level.

The requirement objects are tested alone first, then over HTTP: 403 problems and their
`WWW-Authenticate`, how `requires=` stacks across Api, Blueprint, Resource and operation, what
a public operation does with requirements, and where 403 comes among 401 and 422. `auth=`
levels are in test_auth_levels.py, the `authorize_object` hook in test_permissions_objects.py.
"""

from __future__ import annotations

from itertools import chain, combinations
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields

from restkit import (
    Api,
    ApiKey,
    Blueprint,
    Check,
    DeclarationError,
    HttpBearer,
    Identity,
    Resource,
    Roles,
    Scopes,
    operation,
)
from restkit.permissions import AllOf, AnyOf, Requirement

PROBLEM_JSON = "application/problem+json"
NAMES = ("a", "b", "c", "d", "x", "y")


def caller(*scopes: str, roles: tuple[str, ...] = ()) -> Identity[None]:
    return Identity(id="-".join(("user", *scopes, *roles)), user=None, scopes=scopes, roles=roles)


def _token(identity: Identity[Any]) -> str:
    return f"{identity.id}.0123456789abcdef"


# One static bearer token per combination of scopes, with and without the role "admin".
_SUBSETS = chain.from_iterable(combinations(NAMES, size) for size in range(len(NAMES) + 1))
_CALLERS = [caller(*subset, roles=roles) for subset in _SUBSETS for roles in ((), ("admin",))]
bearer = HttpBearer(tokens={_token(identity): identity for identity in _CALLERS})
KEY = "partner-key-0123456789"
api_key = ApiKey(keys={KEY: caller()})


def as_bearer(*scopes: str, roles: tuple[str, ...] = ()) -> dict[str, str]:
    """The Authorization header of a caller holding these scopes (in NAMES order) and roles."""
    ordered = tuple(name for name in NAMES if name in scopes)
    return {"Authorization": f"Bearer {_token(caller(*ordered, roles=roles))}"}


class OkSchema(Schema):
    ok = fields.Boolean()


class NoteSchema(Schema):
    text = fields.String(required=True)


def serve(
    *routes: tuple[type[Resource], str],
    api: dict[str, Any] | None = None,
    bp: dict[str, Any] | None = None,
) -> tuple[Flask, Api]:
    blueprint = Blueprint("test", **(bp or {}))
    for resource, rule in routes:
        blueprint.add_resource(resource, rule)
    app = Flask(__name__)
    registry = Api(title="Things", **(api or {}))
    registry.register_blueprint(blueprint)
    registry.init_app(app)
    return app, registry


def client_of(
    resource: type[Resource], rule: str = "/things", **levels: dict[str, Any]
) -> FlaskClient:
    app, _ = serve((resource, rule), **levels)
    return app.test_client()


def guarded(*, res: Any = None, res_auth: Any = None, op: Any = None, op_auth: Any = None) -> Any:
    """A resource with `requires = res`, `auth = res_auth`; its GET and POST declare `op`."""

    class Things(Resource):
        auth = res_auth
        requires = res

        @operation(response=OkSchema, auth=op_auth, requires=op)
        def get(self) -> dict[str, bool]:
            return {"ok": True}

        @operation(body=NoteSchema, response=OkSchema, auth=op_auth, requires=op)
        def post(self, body: dict[str, Any]) -> dict[str, bool]:
            return {"ok": True}

    return Things


# --- Requirements alone --------------------------------------------------------------------

verified = Check(lambda identity: identity.user == "verified", "  a verified email address ")


@pytest.mark.parametrize(
    ("requirement", "identity", "allows"),
    [
        (Scopes("a"), caller("a"), True),
        (Scopes("a"), caller("b"), False),
        (Scopes("a", "b"), caller("a"), False),
        (Scopes("a", "b"), caller("a", "b", "c"), True),
        (Roles("admin"), caller("admin"), False),
        (Roles("admin"), caller(roles=("admin",)), True),
        (Roles("admin", "editor"), caller(roles=("admin",)), False),
        (Scopes("a") & Roles("admin"), caller("a"), False),
        (Scopes("a") & Roles("admin"), caller("a", roles=("admin",)), True),
        (Scopes("a") | Roles("admin"), caller(roles=("admin",)), True),
        (Scopes("a") | Roles("admin"), caller("b"), False),
        (verified, Identity(id="u", user="verified"), True),
        (verified, Identity(id="u", user="new"), False),
        ((Scopes("a") | Scopes("b")) & Scopes("c"), caller("b", "c"), True),
        ((Scopes("a") | Scopes("b")) & Scopes("c"), caller("a", "b"), False),
    ],
)
def test_requirement_allows_callers_who_meet_it(
    requirement: Requirement, identity: Identity[Any], allows: bool
) -> None:
    assert requirement.allows(identity) is allows


@pytest.mark.parametrize(
    ("requirement", "text"),
    [
        (Scopes("a"), "scope 'a'"),
        (Scopes("a", "b"), "scopes 'a' and 'b'"),
        (Scopes("a", "a"), "scope 'a'"),
        (Roles("admin"), "role 'admin'"),
        (Roles("admin", "editor"), "roles 'admin' and 'editor'"),
        (verified, "a verified email address"),
        (Scopes("a") & Roles("admin"), "scope 'a' and role 'admin'"),
        (Scopes("a") | Roles("admin"), "scope 'a' or role 'admin'"),
        (
            (Scopes("a") | Scopes("b")) & verified,
            "(scope 'a' or scope 'b') and a verified email address",
        ),
        ((Scopes("a") & Scopes("b")) | Roles("admin"), "(scope 'a' and scope 'b') or role 'admin'"),
        (Scopes("a") & Scopes("b") & Scopes("c"), "scope 'a' and scope 'b' and scope 'c'"),
    ],
)
def test_requirement_describe_completes_you_need(requirement: Requirement, text: str) -> None:
    assert requirement.describe() == text


@pytest.mark.parametrize(
    ("requirement", "names"),
    [
        (Scopes("a", "b"), {"a", "b"}),
        (Roles("admin"), {"admin"}),
        (verified, set()),
        (Scopes("a") & Roles("admin") & Scopes("b"), {"a", "b", "admin"}),
        (Scopes("a", "b") | Scopes("a", "c"), {"a"}),
        (Scopes("a") | Scopes("b"), set()),
        (Scopes("a") | verified, set()),
        ((Scopes("a", "b") | Scopes("a")) & Roles("admin"), {"a", "admin"}),
    ],
)
def test_requirement_names_are_those_every_allowed_caller_holds(
    requirement: Requirement, names: set[str]
) -> None:
    assert requirement.names() == frozenset(names)


@pytest.mark.parametrize(
    ("requirement", "kind", "parts"),
    [
        (Scopes("a") & Scopes("b") & Scopes("c"), AllOf, 3),
        (Scopes("a") & (Scopes("b") & Scopes("c")), AllOf, 3),
        (Scopes("a") | Scopes("b") | Scopes("c"), AnyOf, 3),
        (AnyOf(Scopes("a"), Scopes("b") | Scopes("c")), AnyOf, 3),
        (Scopes("a") & (Scopes("b") | Scopes("c")), AllOf, 2),
        (Scopes("a") | (Scopes("b") & Scopes("c")), AnyOf, 2),
    ],
)
def test_requirement_combinations_flatten_only_their_own_kind(
    requirement: Any, kind: type[AllOf | AnyOf], parts: int
) -> None:
    assert type(requirement) is kind
    assert len(requirement.requirements) == parts


@pytest.mark.parametrize(
    ("requirement", "text"),
    [
        (Scopes("a", "b"), "Scopes('a', 'b')"),
        (Roles("admin"), "Roles('admin')"),
        (Scopes("a") & Roles("admin"), "Scopes('a') & Roles('admin')"),
        (Scopes("a") | Roles("admin"), "(Scopes('a')) | (Roles('admin'))"),
    ],
)
def test_requirement_repr_is_the_expression(requirement: Requirement, text: str) -> None:
    assert repr(requirement) == text


@pytest.mark.parametrize(
    "requirement",
    [
        Scopes("a") & Roles("admin"),
        Scopes("a") | Scopes("b") | Roles("admin"),
        Scopes("a") | (Scopes("b") & Roles("admin")),
        (Scopes("a") | Scopes("b")) & Roles("admin"),
    ],
)
def test_requirement_repr_evaluates_to_the_same_rule(requirement: Requirement) -> None:
    rebuilt = eval(repr(requirement), {"Scopes": Scopes, "Roles": Roles})

    assert rebuilt.describe() == requirement.describe()


def test_check_repr_shows_its_description() -> None:
    assert repr(verified).endswith(", 'a verified email address')")
    assert repr(verified).startswith("Check(<function <lambda>")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Scopes(), r"Scopes\(\.\.\.\) takes one or more non-empty names"),
        (lambda: Scopes(""), r"it was given \(''\,\)"),
        (lambda: Scopes("a", ""), r"Scopes\(\.\.\.\) takes one or more"),
        (lambda: Scopes(["a", "b"]), r"Scopes\(\.\.\.\) takes one or more"),
        (lambda: Roles(), r"Roles\(\.\.\.\) takes one or more non-empty names, such as Roles"),
        (lambda: Roles(1), r"Roles\(\.\.\.\) takes one or more"),
        (lambda: Check("admin", "an admin"), r"takes a function of the identity, not 'admin'"),
        (lambda: Check(bool, ""), r"Check\(\.\.\.\) needs a description"),
        (lambda: Check(bool, "   "), r"Check\(\.\.\.\) needs a description"),
        (lambda: Check(bool, None), r"Check\(\.\.\.\) needs a description"),
        (lambda: Scopes("a") & "b", r"AllOf\(\.\.\.\) combines requirements such as"),
        (lambda: Scopes("a") | None, r"AnyOf\(\.\.\.\) combines requirements such as"),
        (lambda: AllOf(Scopes("a"), "b"), r"it was given 'b'"),
        (lambda: AllOf(Scopes("a")), r"AllOf\(\.\.\.\) combines two or more requirements"),
        (lambda: AnyOf(), r"AnyOf\(\.\.\.\) combines two or more requirements"),
    ],
)
def test_requirement_declared_wrongly_raises(make: Any, message: str) -> None:
    with pytest.raises(DeclarationError, match=message):
        make()


class Plain:
    def get(self) -> None: ...


INVALID_REQUIRES = [
    pytest.param("tasks:read", id="string"),
    pytest.param(True, id="true"),
    pytest.param([], id="empty-list"),
    pytest.param([Scopes("a"), "b"], id="list-with-string"),
    pytest.param(Scopes, id="class-not-instance"),
]


@pytest.mark.parametrize("value", INVALID_REQUIRES)
@pytest.mark.parametrize(
    ("owner", "make"),
    [
        ("Api 'api'", lambda value: Api(requires=value)),
        ("Blueprint 'b'", lambda value: Blueprint("b", requires=value)),
        ("Things", lambda value: type("Things", (Resource,), {"requires": value})),
        ("Plain.get", lambda value: operation(response=OkSchema, requires=value)(Plain.get)),
    ],
)
def test_requires_invalid_value_raises_where_declared(value: Any, owner: str, make: Any) -> None:
    with pytest.raises(DeclarationError) as caught:
        make(value)

    message = str(caught.value)
    assert message.startswith(f"{owner} declares requires=")
    assert message.endswith("a combination of them with & and |, a list of them, or False.")


# --- 403 over HTTP -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirement", "detail", "challenge"),
    [
        (
            Scopes("x"),
            "You need scope 'x'.",
            'Bearer realm="Things", error="insufficient_scope", scope="x"',
        ),
        (
            Scopes("y", "x"),
            "You need scopes 'y' and 'x'.",
            'Bearer realm="Things", error="insufficient_scope", scope="x y"',
        ),
        (
            Scopes("x") & Roles("admin"),
            "You need scope 'x' and role 'admin'.",
            'Bearer realm="Things", error="insufficient_scope", scope="x"',
        ),
        (Roles("admin"), "You need role 'admin'.", None),
        (Scopes("x") | Scopes("y"), "You need scope 'x' or scope 'y'.", None),
        (verified, "You need a verified email address.", None),
    ],
)
def test_requires_not_met_by_bearer_returns_403_with_scope_challenge(
    requirement: Requirement, detail: str, challenge: str | None
) -> None:
    client = client_of(guarded(op=requirement), api={"auth": bearer})

    response = client.get("/things", headers=as_bearer("a"))

    assert response.status_code == 403
    assert response.content_type == PROBLEM_JSON
    assert response.headers.get("WWW-Authenticate") == challenge
    assert response.json == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": detail,
    }


@pytest.mark.parametrize(
    ("held", "requirement", "challenge"),
    [
        (("x",), Scopes("x", "y"), 'Bearer realm="Things", error="insufficient_scope", scope="y"'),
        (("x",), Scopes("x") & Roles("admin"), None),
    ],
)
def test_requires_scope_challenge_names_only_the_missing_scopes(
    held: tuple[str, ...], requirement: Requirement, challenge: str | None
) -> None:
    client = client_of(guarded(op=requirement), api={"auth": bearer})

    response = client.get("/things", headers=as_bearer(*held))

    assert response.status_code == 403
    assert response.headers.get("WWW-Authenticate") == challenge


def test_requires_not_met_by_api_key_returns_403_without_challenge() -> None:
    client = client_of(guarded(op=Scopes("x")), api={"auth": [bearer, api_key]})

    response = client.get("/things", headers={"X-API-Key": KEY})

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response.headers
    assert response.json["detail"] == "You need scope 'x'."


@pytest.mark.parametrize(
    ("requirement", "scopes", "roles"),
    [
        (Scopes("x"), ("x",), ()),
        (Scopes("x", "y"), ("x", "y", "a"), ()),
        (Roles("admin"), (), ("admin",)),
        (Scopes("x") | Roles("admin"), (), ("admin",)),
        (Scopes("x") | Roles("admin"), ("x",), ()),
    ],
)
def test_requires_met_returns_200(
    requirement: Requirement, scopes: tuple[str, ...], roles: tuple[str, ...]
) -> None:
    client = client_of(guarded(op=requirement), api={"auth": bearer})

    response = client.get("/things", headers=as_bearer(*scopes, roles=roles))

    assert response.status_code == 200
    assert response.json == {"ok": True}


STACKED = {
    "api": {"auth": bearer, "requires": Scopes("a")},
    "bp": {"requires": Scopes("b")},
}


@pytest.mark.parametrize(
    ("held", "status"),
    [
        (("a", "b", "c", "d"), 200),
        (("b", "c", "d"), 403),
        (("a", "c", "d"), 403),
        (("a", "b", "d"), 403),
        (("a", "b", "c"), 403),
    ],
)
def test_requires_of_every_level_must_all_pass(held: tuple[str, ...], status: int) -> None:
    client = client_of(guarded(res=Scopes("c"), op=Scopes("d")), **STACKED)

    response = client.get("/things", headers=as_bearer(*held))

    assert response.status_code == status


def test_requires_of_every_level_are_described_outermost_first() -> None:
    client = client_of(guarded(res=Scopes("c"), op=Scopes("d")), **STACKED)

    response = client.get("/things", headers=as_bearer())

    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="Things", error="insufficient_scope", scope="a b c d"'
    )
    assert response.json["detail"] == (
        "You need scope 'a' and scope 'b' and scope 'c' and scope 'd'."
    )


@pytest.mark.parametrize(
    ("bp", "res", "op", "needed"),
    [
        pytest.param(False, Scopes("c"), Scopes("d"), ("c", "d"), id="bp-false"),
        pytest.param(Scopes("b"), False, Scopes("d"), ("d",), id="res-false"),
        pytest.param(Scopes("b"), Scopes("c"), False, (), id="op-false"),
        pytest.param(Scopes("b"), [Scopes("c"), Roles("admin")], None, ("a", "b", "c"), id="list"),
    ],
)
def test_requires_false_drops_the_levels_above(
    bp: Any, res: Any, op: Any, needed: tuple[str, ...]
) -> None:
    client = client_of(
        guarded(res=res, op=op), api={"auth": bearer, "requires": Scopes("a")}, bp={"requires": bp}
    )
    roles = ("admin",) if isinstance(res, list) else ()

    assert client.get("/things", headers=as_bearer(*needed, roles=roles)).status_code == 200
    for missing in needed:
        held = [name for name in needed if name != missing]
        assert client.get("/things", headers=as_bearer(*held, roles=roles)).status_code == 403


@pytest.mark.parametrize(
    ("api", "bp", "resource", "where"),
    [
        pytest.param({}, {}, guarded(op=Scopes("x")), "operation", id="op-no-auth-anywhere"),
        pytest.param({}, {}, guarded(res=Scopes("x")), "resource", id="res-no-auth-anywhere"),
        pytest.param({"requires": Scopes("x")}, {}, guarded(), "api", id="api-no-auth-anywhere"),
        pytest.param(
            {"auth": bearer},
            {},
            guarded(op=Scopes("x"), op_auth=False),
            "operation",
            id="op-public",
        ),
        pytest.param(
            {"auth": bearer},
            {},
            guarded(res=Scopes("x"), res_auth=False),
            "resource",
            id="res-public",
        ),
        pytest.param(
            {"auth": bearer},
            {},
            guarded(op=Scopes("x"), res_auth=False),
            "operation",
            id="op-in-public-res",
        ),
        pytest.param(
            {"auth": bearer},
            {"auth": False, "requires": Scopes("x")},
            guarded(),
            "blueprint",
            id="bp-public",
        ),
    ],
)
def test_requires_on_a_public_operation_fails_at_init_app(
    api: dict[str, Any], bp: dict[str, Any], resource: type[Resource], where: str
) -> None:
    with pytest.raises(DeclarationError) as caught:
        serve((resource, "/things"), api=api, bp=bp)

    assert str(caught.value) == (
        f"Things.get is public, but its {where} declares requires=..., which only an "
        "authenticated caller can meet. Declare auth=... on it (or above), or drop requires=."
    )


@pytest.mark.parametrize(
    ("api", "bp", "resource"),
    [
        pytest.param(
            {"auth": bearer, "requires": Scopes("x")}, {"auth": False}, guarded(), id="api-above-bp"
        ),
        pytest.param(
            {"auth": bearer}, {"requires": Scopes("x")}, guarded(op_auth=False), id="bp-above-op"
        ),
        pytest.param(
            {"auth": bearer, "requires": Scopes("x")},
            {},
            guarded(res_auth=False),
            id="api-above-res",
        ),
        pytest.param(
            {"auth": bearer}, {}, guarded(res=Scopes("x"), op_auth=False), id="res-above-op"
        ),
    ],
)
def test_requires_declared_above_a_public_level_are_dropped(
    api: dict[str, Any], bp: dict[str, Any], resource: type[Resource]
) -> None:
    app, registry = serve((resource, "/things"), api=api, bp=bp)

    response = app.test_client().get("/things")

    assert response.status_code == 200
    get = registry.spec(app)["paths"]["/things"]["get"]
    assert not get.get("security")
    assert "401" not in get["responses"]
    assert "403" not in get["responses"]


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        pytest.param({}, {"text": 1}, 401, id="401-before-403-and-422"),
        pytest.param({"Authorization": "Bearer wrong-token-0123456789"}, {}, 401, id="bad-token"),
        pytest.param(as_bearer(), {"text": 1}, 403, id="403-before-422"),
        pytest.param(as_bearer(), None, 403, id="403-before-missing-body"),
        pytest.param(as_bearer("x"), {"text": 1}, 422, id="422-when-allowed"),
        pytest.param(as_bearer("x"), {"text": "hi"}, 200, id="allowed"),
    ],
)
def test_requires_checked_after_401_and_before_parsing(
    headers: dict[str, str], body: Any, status: int
) -> None:
    client = client_of(guarded(op=Scopes("x")), api={"auth": bearer})

    response = client.post("/things", headers=headers, json=body)

    assert response.status_code == status
