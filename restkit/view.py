"""The Flask view function of one mounted resource: parse, call, render.

This is the boundary between Flask and restkit's pure plans: it reads `flask.request`, runs the
operation's `RequestPlan`, calls the resource method, and hands the result to its
`ResponsePlan`. An operation with HTTP features (see `restkit.features`) runs them around
that, in this order: authenticate, rate limit (counted also for a request about to get a
401, so failing clients are limited too), 401, permissions (403), parse, idempotency, load
the current object, object permissions, preconditions, patch, method, pagination, render,
ETag and 304; a resource's `transaction` spans loading the current object to the
rendered response. Errors propagate to the problem handler the `Api` installs; the operation's
`RateLimit-*` and `Deprecation` headers are added to every response, including those the
handler makes.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from flask import after_this_request, request
from werkzeug.datastructures import Headers
from werkzeug.sansio.response import Response as BaseResponse
from werkzeug.wrappers import Request, Response

from restkit.auth import AuthPlan
from restkit.conditional import (
    EntityTag,
    evaluate_preconditions,
    make_entity_tag,
    not_modified,
    precondition_failed,
    precondition_required,
    set_validators,
)
from restkit.idempotency import IdempotencyPlan, IdempotencyTicket
from restkit.identity import Identity, get_identity
from restkit.operation import Operation
from restkit.pagination import PaginationPlan
from restkit.parsing import RequestPlan
from restkit.problems import NotFound, Problem, ServiceUnavailable, TransactionConflict
from restkit.ratelimit import RateLimitPlan
from restkit.rendering import ResponsePlan
from restkit.resource import Resource, get_parameters
from restkit.settings import Settings
from restkit.stores import Store, StoreError

__all__ = ["ViewContext", "loads_current", "make_view", "takes_current", "takes_identity"]

T = TypeVar("T")
_LOG = logging.getLogger("restkit")
_WRITES = frozenset({"PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class ViewContext:
    """What the views of one API on one app share.

    Attributes:
        api_name: The API's name, which scopes idempotency keys.
        settings: The API's settings.
        store: The store of rate-limit counters and idempotency records.
        cursor_secret: The key pagination cursors are signed with, if any.
        realm: The realm of `WWW-Authenticate` challenges: the API's title.
    """

    api_name: str
    settings: Settings
    store: Store
    cursor_secret: str | bytes | None = None
    realm: str = "api"


def takes_current(resource: type[Resource], operation: Operation) -> bool:
    """Whether restkit loads the current object for this operation and passes `current`."""
    function = getattr(resource, operation.function_name)
    parameters = get_parameters(function)
    return loads_current(resource, operation) and "current" in parameters


def loads_current(resource: type[Resource], operation: Operation) -> bool:
    """Whether restkit loads the current object (with `get_object`) before the method.

    It does for patches and conditional writes, for every method of a resource with an
    `authorize_object` hook, and for any method that takes `current`.
    """
    if getattr(resource, "get_object", None) is None:
        return False
    if getattr(resource, "authorize_object", None) is not None:
        return True
    function = getattr(resource, operation.function_name)
    if "current" in get_parameters(function):
        return True
    features = operation.features
    return bool(operation.declaration.patch) or (
        operation.method in _WRITES and features.conditional is not None
    )


def takes_identity(resource: type[Resource], operation: Operation) -> bool:
    """Whether restkit passes the caller's `Identity` to the method as `identity`.

    It does when the operation is authenticated and the method has that parameter.
    """
    function = getattr(resource, operation.function_name)
    parameters = get_parameters(function)
    return bool(operation.features.authenticators) and "identity" in parameters


class _Plan:
    """Everything one operation does per request, made once."""

    def __init__(
        self,
        resource: type[Resource],
        operation: Operation,
        context: ViewContext,
        response_class: type[Response],
    ) -> None:
        features = operation.features
        self.resource = resource
        self.operation = operation
        self.function_name = operation.function_name
        self.context = context
        self.response_class = response_class
        self.pagination = (
            PaginationPlan(features.pagination, context.cursor_secret)
            if features.pagination is not None
            else None
        )
        self.request_plan = RequestPlan(operation, context.settings, self.pagination)
        self.parse = self.request_plan.parse
        self.response_plan = ResponsePlan(
            operation, response_class, compile_dumps=context.settings.compile_dumps
        )
        self.render = self.response_plan.render
        self.limits = RateLimitPlan(features.rate_limits) if features.rate_limits else None
        self.idempotency = (
            IdempotencyPlan(
                features.idempotency,
                context.api_name,
                reads_body=self.request_plan.takes_body,
            )
            if features.idempotency is not None
            else None
        )
        self.conditional = features.conditional
        self.auth = (
            AuthPlan(features.authenticators, features.requirements, context.realm)
            if features.authenticators
            else None
        )
        self.passes_identity = takes_identity(resource, operation)
        self.authorizes_objects = getattr(resource, "authorize_object", None) is not None
        self.loads_current = loads_current(resource, operation)
        self.passes_current = takes_current(resource, operation)
        self.headers = features.deprecation.headers() if features.deprecation else []
        self.lists = any(
            spec.schema is not None and spec.schema.many for spec in operation.responses.values()
        )
        # How the current object's weak ETag is computed when it has no version: the
        # representation a GET of the resource sends. Set by make_view.
        self.current_body: Callable[[Any], bytes] | None = None
        self.transacts = getattr(resource, "transaction", None) is not None
        self.simple = features.empty and not self.loads_current and not self.transacts

    def run(self, request: Request, view_args: Mapping[str, Any]) -> BaseResponse:
        extra: list[tuple[str, str]] = list(self.headers)
        # Every response carries these headers, also one an error handler makes from an
        # abort() or an unexpected exception.
        after_this_request(partial(_with, headers=extra))
        try:
            identity: Identity[Any] | Problem | None = None
            if self.auth is not None:
                try:
                    identity = self.auth.authenticate(request)
                except Problem as refused:  # a verify function's own 403, say: count it too
                    identity = refused
            if self.limits is not None:
                limits = self.limits
                extra += self._guard(lambda: limits.check(request, self.context.store), [])
            if isinstance(identity, Problem):
                raise identity
            if self.auth is not None and identity is not None:
                self.auth.authorize(identity)
            arguments = self.parse(request, view_args)
            if self.passes_identity:
                arguments["identity"] = identity
            ticket: IdempotencyTicket | None = None
            if self.idempotency is not None:
                idempotency = self.idempotency
                key = idempotency.read_key(request)
                if key is not None:
                    begun = self._guard(
                        lambda: idempotency.begin(request, key, self.context.store), None
                    )
                    if isinstance(begun, Response):
                        return begun
                    ticket = begun
            if ticket is None:
                return self.call(request, arguments)
            return self._call_once(request, arguments, ticket)
        except Problem as problem:
            return problem.get_response()

    def _call_once(
        self, request: Request, arguments: dict[str, Any], ticket: IdempotencyTicket
    ) -> BaseResponse:
        if self.idempotency is None:
            raise AssertionError("only idempotent operations hold tickets")
        try:
            response = self.call(request, arguments)
        except Problem as problem:
            response = problem.get_response()
        except BaseException:
            self.idempotency.finish(ticket, None, self.context.store)
            raise
        stored = response if isinstance(response, Response) else None
        self.idempotency.finish(ticket, stored, self.context.store)
        return response

    def _guard(self, action: Callable[[], T], fallback: T) -> T:
        try:
            return action()
        except StoreError:
            if self.context.settings.store_failure == "open":
                _LOG.warning(
                    "The store is unreachable; %s is served without rate limits and "
                    "idempotency (store_failure='open').",
                    self.operation.qualname,
                    exc_info=True,
                )
                return fallback
            _LOG.error("The store is unreachable.", exc_info=True)
            raise ServiceUnavailable(
                "The service cannot accept this request right now; retry shortly.",
                headers={"Retry-After": "5"},
            ) from None

    def call(self, request: Request, arguments: dict[str, Any]) -> BaseResponse:
        """Run the method with its features and return the response.

        A transaction the database gave up for a concurrent one (`TransactionConflict`) is
        run again, with a fresh resource, up to the resource's `transaction_attempts`.
        """
        if not self.transacts:
            return self._call(self.resource(), request, arguments)
        attempts = max(1, int(getattr(self.resource, "transaction_attempts", 1)))
        for attempt in range(1, attempts + 1):
            resource = self.resource()
            try:
                with resource.transaction():  # type: ignore[attr-defined]
                    response = self._call(resource, request, dict(arguments))
                    if response.status_code >= 400:
                        raise _Refused(response)
                    return response
            except _Refused as refused:
                return refused.response
            except TransactionConflict:
                if attempt == attempts:
                    raise
                _LOG.info("%s: transaction conflict, attempt %d", self.operation.qualname, attempt)
                time.sleep(random.uniform(0, 0.01 * attempt))  # apart from the other writer
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _call(
        self, resource: Resource, request: Request, arguments: dict[str, Any]
    ) -> BaseResponse:
        conditional = self.conditional
        if self.loads_current:
            path = {name: arguments[name] for name in self.operation.path_arguments}
            current = resource.get_object(**path)  # type: ignore[attr-defined]
            if current is None:
                raise NotFound()
            if self.authorizes_objects:
                resource.authorize_object(  # type: ignore[attr-defined]
                    current, get_identity(), self.operation.method
                )
            if conditional is not None and self.operation.method in _WRITES:
                if conditional.require_if_match and "If-Match" not in request.headers:
                    raise precondition_required()
                outcome = evaluate_preconditions(
                    request.method,
                    request.headers,
                    self._current_tag(current),
                    conditional.modified_at(current),
                )
                if outcome is not None:
                    raise precondition_failed()
            if self.operation.declaration.patch:
                arguments["body"] = self.request_plan.parse_patch(request, current)
            if self.passes_current:
                arguments["current"] = current
        result = getattr(resource, self.function_name)(**arguments)
        if isinstance(result, BaseResponse):
            return result
        value, status, headers = self.response_plan.unpack(result)
        wrap = None
        if self.pagination is not None:
            page = arguments["page"]
            found = self.pagination.page_of(value, page, self.operation.qualname)
            links = self.pagination.links(request, page, found)
            headers = _merge(headers, self.pagination.headers(links, page, found))
            value = found.items
            if self.pagination.pagination.envelope:
                wrap = partial(_envelope, self.pagination, links, page, found)
        response = self.response_plan.respond(value, status, headers, wrap)
        if conditional is None:
            return response
        return self._validate(request, response, value)

    def _current_tag(self, current: Any) -> EntityTag | None:
        if self.conditional is None:
            raise AssertionError("only conditional operations have tags")
        tag = self.conditional.entity_tag(current)
        if tag is None and self.current_body is not None:
            tag = make_entity_tag(self.current_body(current), weak=True)
        return tag

    def _validate(self, request: Request, response: Response, value: Any) -> BaseResponse:
        conditional = self.conditional
        if conditional is None:
            raise AssertionError("only conditional operations are validated")
        if response.status_code == 204 or value is None:
            return response
        tag = None if self.lists else conditional.entity_tag(value)
        if tag is None:
            content = response.get_data()
            if self.pagination is not None:
                # A page is also its links and total: a 304 must not keep a stale one.
                for name in ("Link", "X-Total-Count"):
                    content += b"\0" + response.headers.get(name, "").encode()
            tag = make_entity_tag(content, weak=True)
        modified = None if self.lists else conditional.modified_at(value)
        set_validators(response.headers, tag, modified)
        if request.method in ("GET", "HEAD"):
            outcome = evaluate_preconditions(request.method, request.headers, tag, modified)
            if outcome == 304:
                unchanged: Response = not_modified(self.response_class, response.headers)
                return unchanged
            if outcome == 412:
                raise precondition_failed()
        return response


class _Refused(Exception):
    """Carries an error response out of a resource's transaction, so it rolls back."""

    def __init__(self, response: BaseResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def _envelope(plan: PaginationPlan, links: Any, page: Any, found: Any, items: Any) -> Any:
    return plan.envelope(items, links, page, found)


def _merge(headers: Any, more: list[tuple[str, str]]) -> Headers:
    merged = Headers(headers) if headers else Headers()
    for name, value in more:
        merged.add(name, value)
    return merged


def _with(response: Any, headers: list[tuple[str, str]]) -> Any:
    for name, value in headers:
        response.headers.add(name, value)
    return response


def make_view(
    resource: type[Resource],
    operations: Mapping[str, Operation],
    context: ViewContext,
    response_class: type[Response],
) -> Callable[..., BaseResponse]:
    """Return the Flask view function serving `operations` of `resource`.

    Every plan is made here, once; the view only runs them.
    """
    plans = {
        method: _Plan(resource, op, context, response_class) for method, op in operations.items()
    }
    get_plan = plans.get("GET")
    if get_plan is not None:
        plans["HEAD"] = get_plan
        representation = get_plan.response_plan
        for plan in plans.values():
            if plan.loads_current and plan.conditional is not None:
                plan.current_body = partial(_representation, representation)

    def view(**view_args: Any) -> BaseResponse:
        plan = plans[request.method]
        if plan.simple:
            # A problem is answered here, as `run` does, not by a trip through Flask's
            # exception handling: a 422 is an everyday answer.
            try:
                arguments = plan.parse(request, view_args)
                result = getattr(resource(), plan.function_name)(**arguments)
            except Problem as problem:
                return problem.get_response()
            return plan.render(result)
        return plan.run(request, view_args)

    view.__name__ = resource.__name__
    view.__qualname__ = resource.__qualname__
    view.__doc__ = resource.__doc__
    for decorator in resource.decorators:
        view = decorator(view)
    view.__restkit_resource__ = resource  # type: ignore[attr-defined]
    return view


def _representation(plan: ResponsePlan, value: Any) -> bytes:
    body: bytes = plan.respond(value, plan.default_status, None).get_data()
    return body
