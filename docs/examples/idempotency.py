"""The idempotency guide's app: creating a task or a payment runs once per Idempotency-Key.

Every POST of the API honours `Idempotency-Key`; payments require it. See
docs/idempotency.md.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from flask import Flask, request, url_for
from marshmallow import Schema, fields, validate

from restkit import Api, Blueprint, Idempotency, Resource, operation
from restkit.identity import set_client_id
from restkit.problems import NotFound, Unauthorized


class TaskSchema(Schema):
    """A task as clients read and write it."""

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))


class PaymentSchema(Schema):
    """A payment as clients read and write it."""

    id = fields.Integer(dump_only=True)
    amount_cents = fields.Integer(required=True, validate=validate.Range(min=1))
    payee = fields.String(required=True)


# Everything lives in memory: enough for an example.
TASKS: dict[int, dict[str, Any]] = {}
PAYMENTS: dict[int, dict[str, Any]] = {}
NEXT_ID = itertools.count(1)
TOKENS = {"token-ada": "ada", "token-bob": "bob"}


# --8<-- [start:identity]
def authenticate(view: Callable[..., Any]) -> Callable[..., Any]:
    """Know the caller by their bearer token; idempotency keys are scoped to them."""

    def authenticated(**kwargs: Any) -> Any:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        user = TOKENS.get(token)
        if user is None:
            raise Unauthorized("Send a valid bearer token.")
        set_client_id(f"user:{user}")
        return view(**kwargs)

    return authenticated


# --8<-- [end:identity]


# --8<-- [start:resources]
tasks = Blueprint("tasks", description="The to-do list and its payments.")


@tasks.route("/tasks")
class Tasks(Resource):
    """The caller's tasks."""

    decorators = (authenticate,)

    @operation(body=TaskSchema, response=TaskSchema, status=201)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Create a task; send an Idempotency-Key to retry safely."""
        task = {"id": next(NEXT_ID), **body}
        TASKS[task["id"]] = task
        return task, 201, {"Location": url_for(".TaskItem", task_id=task["id"])}


@tasks.route("/tasks/<int:task_id>")
class TaskItem(Resource):
    """One task."""

    decorators = (authenticate,)

    @operation(response=TaskSchema)
    def get(self, task_id: int) -> dict[str, Any]:
        """Read a task."""
        if task_id not in TASKS:
            raise NotFound(f"There is no task {task_id}.")
        return TASKS[task_id]


@tasks.route("/payments")
class Payments(Resource):
    """Money sent: a payment must never be made twice."""

    decorators = (authenticate,)

    @operation(
        body=PaymentSchema,
        response=PaymentSchema,
        status=201,
        idempotency=Idempotency(required=True, ttl=7 * 86400),
    )
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Send a payment; the Idempotency-Key header is required."""
        payment = {"id": next(NEXT_ID), **body}
        PAYMENTS[payment["id"]] = payment
        return payment, 201, {"Location": url_for(".PaymentItem", payment_id=payment["id"])}


@tasks.route("/payments/<int:payment_id>")
class PaymentItem(Resource):
    """One payment."""

    decorators = (authenticate,)

    @operation(response=PaymentSchema)
    def get(self, payment_id: int) -> dict[str, Any]:
        """Read a payment."""
        if payment_id not in PAYMENTS:
            raise NotFound(f"There is no payment {payment_id}.")
        return PAYMENTS[payment_id]


# --8<-- [end:resources]


# --8<-- [start:app]
# Every POST of the API honours Idempotency-Key. The records live in the API's store: the
# process's memory unless RESTKIT_STORE_URL names Redis or a database (see docs/stores.md).
api = Api(url_prefix="/v1", idempotency=True)
api.register_blueprint(tasks)


def create_app() -> Flask:
    """Return a Flask app serving the API under /v1."""
    app = Flask(__name__)
    api.init_app(app)
    return app


# --8<-- [end:app]
