"""The task resource the idempotency tests share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from marshmallow import Schema, fields, validate
from werkzeug.test import TestResponse

from restkit import Resource, operation

Hook = Callable[[dict[str, Any]], Any]
PROBLEM_JSON = "application/problem+json"


class TaskIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1))


class TaskOut(Schema):
    id = fields.Integer()
    title = fields.String()


def tasks_resource(
    calls: list[dict[str, Any]],
    hook: Hook | None = None,
    *,
    name: str = "Tasks",
    idempotency: Any = True,
) -> type[Resource]:
    """Return a resource whose post() counts its calls, runs `hook`, and creates a task."""

    def post(self: Resource, body: dict[str, Any]) -> Any:
        calls.append(body)
        task = {"id": len(calls), **body}
        if hook is not None:
            hook(body)
        return task, 201, {"Location": f"/tasks/{task['id']}"}

    declared = operation(body=TaskIn, response=TaskOut, status=201, idempotency=idempotency)
    return type(name, (Resource,), {"post": declared(post)})


def post(
    client: FlaskClient,
    key: str | None = "key-1",
    body: dict[str, Any] | None = None,
    url: str = "/tasks",
    **kwargs: Any,
) -> TestResponse:
    """POST a task to `url`, with the Idempotency-Key `key` unless it is `None`."""
    headers = {"Idempotency-Key": key} if key is not None else {}
    headers.update(kwargs.pop("headers", {}))
    return client.post(url, json=body or {"title": "Buy milk"}, headers=headers, **kwargs)


def raising(problem: BaseException) -> Hook:
    """Return a hook that raises `problem`."""

    def hook(body: dict[str, Any]) -> None:
        raise problem

    return hook
