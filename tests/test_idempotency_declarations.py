"""Idempotency declared on an API, blueprint, resource or operation, and its mistakes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from restkit import Api, Blueprint, DeclarationError, Resource, operation
from restkit.idempotency import Idempotency
from tests.idempotency_app import TaskIn, TaskOut, post, tasks_resource

MakeClient = Callable[..., FlaskClient]


@pytest.fixture
def calls() -> list[dict[str, Any]]:
    return []


# --- where it is declared -------------------------------------------------------------------


def crud(counter: list[str], resource_level: Any, declared: dict[str, Any]) -> type[Resource]:
    """Return a resource whose post, put and patch each count their calls."""

    def make(method: str) -> Any:
        def write(self: Resource, body: dict[str, Any]) -> Any:
            counter.append(method)
            return {"id": len(counter), **body}

        return operation(body=TaskIn, response=TaskOut, **declared.get(method, {}))(write)

    methods = {m: make(m) for m in ("post", "put", "patch")}
    return type("Crud", (Resource,), {"idempotency": resource_level, **methods})


ON = {"idempotency": True}
# (API, blueprint, resource, operations) -> the methods whose retries are replayed
LEVELS = [
    pytest.param(ON, {}, None, {}, {"post"}, id="api"),
    pytest.param({}, ON, None, {}, {"post"}, id="blueprint"),
    pytest.param({}, {}, True, {}, {"post"}, id="resource"),
    pytest.param(ON, {}, None, {"patch": ON}, {"post", "patch"}, id="api-and-patch"),
    pytest.param(ON, {}, None, {"post": {"idempotency": False}}, set(), id="post-opts-out"),
    pytest.param({}, {}, None, {"patch": {"idempotency": Idempotency()}}, {"patch"}, id="patch"),
]


@pytest.mark.parametrize("method", ["post", "put", "patch"])
@pytest.mark.parametrize(("api", "blueprint", "resource", "declared", "replayed"), LEVELS)
def test_idempotency_inherited_applies_to_post_only(
    method: str,
    api: dict[str, Any],
    blueprint: dict[str, Any],
    resource: Any,
    declared: dict[str, Any],
    replayed: set[str],
) -> None:
    counter: list[str] = []
    group = Blueprint("crud", **blueprint)
    group.add_resource(crud(counter, resource, declared), "/crud")
    app = Flask(__name__)
    registry = Api(**api)
    registry.register_blueprint(group)
    registry.init_app(app)
    send = getattr(app.test_client(), method)

    first = send("/crud", json={"title": "x"}, headers={"Idempotency-Key": "key-1"})
    retry = send("/crud", json={"title": "x"}, headers={"Idempotency-Key": "key-1"})

    assert first.status_code == retry.status_code == 200
    assert ("Idempotent-Replayed" in retry.headers) is (method in replayed)
    assert len(counter) == (1 if method in replayed else 2)


def test_idempotency_true_takes_the_configuration_of_an_outer_level(
    make_client: MakeClient, calls: list[dict[str, Any]]
) -> None:
    client = make_client({"/tasks": tasks_resource(calls)}, idempotency=Idempotency(required=True))

    response = post(client, None)

    assert response.status_code == 400
    assert calls == []


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_idempotency_declared_on_non_post_raises_declaration_error(method: str) -> None:
    body = {} if method in ("get", "delete") else {"body": TaskIn}
    function = operation(response=TaskOut, idempotency=True, **body)(lambda self, **kw: None)

    with pytest.raises(DeclarationError) as raised:
        type("Tasks", (Resource,), {method: function})

    assert str(raised.value) == (
        f"Tasks.{method} declares idempotency; {method.upper()} is idempotent by itself. "
        "Idempotency-Key is for POST (and PATCH)."
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ttl": 0}, "Idempotency ttl=0 must be positive seconds."),
        ({"ttl": -1.5}, "Idempotency ttl=-1.5 must be positive seconds."),
        ({"ttl": True}, "Idempotency ttl=True must be positive seconds."),
        ({"ttl": "60"}, "Idempotency ttl='60' must be positive seconds."),
        ({"lock_timeout": 0}, "Idempotency lock_timeout=0 must be positive seconds."),
    ],
)
def test_idempotency_invalid_seconds_raise_declaration_error(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(DeclarationError) as raised:
        Idempotency(**kwargs)

    assert str(raised.value) == message


def test_idempotency_of_wrong_type_raises_declaration_error() -> None:
    with pytest.raises(DeclarationError) as raised:
        Api(idempotency="yes")

    assert str(raised.value) == (
        "Api 'api' declares idempotency='yes'; give Idempotency(...), True, False or None."
    )
