"""Blueprints: named groups of resources, mounted together by an `Api`.

```python
tasks = Blueprint("tasks", url_prefix="/tasks", description="The caller's tasks.")

@tasks.route("/")
class Tasks(Resource):
    ...

tasks.add_resource(TaskItem, "/<int:task_id>")
```

A blueprint becomes one OpenAPI tag. Its endpoints are named `<api>.<blueprint>.<endpoint>`
(the endpoint defaults to the resource class's name), so `url_for("api.tasks.TaskItem", ...)`
builds its URLs, as does `url_for(".TaskItem", ...)` from inside the blueprint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeVar

from werkzeug.routing import BaseConverter

from restkit._rules import check_rule
from restkit.auth import AuthLike
from restkit.conditional import Conditional
from restkit.deprecation import Deprecation
from restkit.errors import DeclarationError
from restkit.features import make_policies
from restkit.idempotency import Idempotency
from restkit.operation import Operation
from restkit.pagination import Pagination
from restkit.permissions import Requirement
from restkit.ratelimit import RateLimitLike
from restkit.resource import Resource, bind_path

__all__ = ["Blueprint", "MountedRoute", "Route", "rule_arguments"]

R = TypeVar("R", bound=type[Resource])

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class Route:
    """One resource mounted at one URL rule of a blueprint.

    Attributes:
        rule: The URL rule relative to the blueprint, in Flask's syntax (`/<int:task_id>`).
        endpoint: The endpoint name within the blueprint.
        resource: The resource class.
        operations: The resource's operations bound to the rule's URL variables, by method.
    """

    rule: str
    endpoint: str
    resource: type[Resource]
    operations: Mapping[str, Operation]


@dataclass(frozen=True, slots=True)
class MountedRoute:
    """A route as an `Api` mounted it on an app: what the OpenAPI document describes.

    Attributes:
        rule: The full URL rule: the API's prefix, the blueprint's, then the route's.
        endpoint: The full endpoint name, `<api>.<blueprint>.<endpoint>`.
        blueprint: The blueprint the route belongs to.
        route: The route itself.
        operations: The route's operations bound to every variable of the full rule.
        converters: The converter of each variable of the full rule, in the rule's order,
            made with the app's converters (which may be the app's own, such as `hex`).
    """

    rule: str
    endpoint: str
    blueprint: Blueprint
    route: Route
    operations: Mapping[str, Operation]
    converters: Mapping[str, BaseConverter]


def rule_arguments(
    rule: str, converters: Mapping[str, type[BaseConverter]] | None = None
) -> tuple[str, ...]:
    """Return the names of the variables of a Flask URL rule, in order.

    Args:
        rule: The URL rule, such as `/tasks/<int:task_id>`.
        converters: The converters the rule may use, by name: an app's
            `url_map.converters`. Without them any converter name is accepted, as a blueprint
            does not know its app's converters until `Api.init_app` checks them.

    Raises:
        DeclarationError: The rule is not valid Flask rule syntax, or it uses a converter that
            `converters` lacks.
    """
    return check_rule(rule, converters).arguments


class Blueprint:
    """A named group of resources under a common URL prefix: one OpenAPI tag.

    Args:
        name: The blueprint's name: letters, digits, `_` and `-`. Unique within an `Api`.
        url_prefix: A URL prefix for every resource, such as `/tasks`.
        description: The tag's description in the OpenAPI document.
        pagination: Pagination defaults of the blueprint's list operations.
        conditional: Conditional requests for the blueprint's operations.
        idempotency: `Idempotency-Key` handling for the blueprint's POSTs.
        rate_limit: Limits counted over all of the blueprint's operations together.
        deprecated: Deprecation of every operation of the blueprint.
        auth: Who may call the blueprint's operations: authenticators, `True` or `False`
            (public); see `restkit.auth`.
        requires: What the caller needs for every operation of the blueprint (see
            `restkit.permissions`).

    See `restkit.features` for how these combine with those of the API, resources and
    operations.

    Example:
        ```python
        tasks = Blueprint("tasks", url_prefix="/tasks")

        @tasks.route("/<int:task_id>")
        class TaskItem(Resource):
            ...
        ```
    """

    def __init__(
        self,
        name: str,
        *,
        url_prefix: str = "",
        description: str | None = None,
        pagination: Pagination | bool | None = None,
        conditional: Conditional | bool | None = None,
        idempotency: Idempotency | bool | None = None,
        rate_limit: RateLimitLike | Literal[False] | None = None,
        deprecated: Deprecation | bool | None = None,
        auth: AuthLike = None,
        requires: Requirement | Sequence[Requirement] | Literal[False] | None = None,
    ) -> None:
        if not isinstance(name, str) or _NAME.fullmatch(name) is None:
            raise DeclarationError(
                f"Blueprint name {name!r} is invalid; use letters, digits, '_' and '-', "
                "starting with a letter or '_' (it becomes part of endpoint names)."
            )
        _check_prefix(url_prefix, f"Blueprint {name!r}")
        self.name = name
        self.url_prefix = url_prefix.rstrip("/")
        self.description = description
        self.policies = make_policies(
            f"Blueprint {name!r}",
            pagination=pagination,
            conditional=conditional,
            idempotency=idempotency,
            rate_limit=rate_limit,
            deprecated=deprecated,
            auth=auth,
            requires=requires,
        )
        self._routes: dict[str, Route] = {}

    @property
    def routes(self) -> Mapping[str, Route]:
        """The mounted resources, by endpoint name, in the order they were added."""
        return MappingProxyType(self._routes)

    def add_resource(
        self, resource: type[Resource], rule: str, *, endpoint: str | None = None
    ) -> None:
        """Mount a resource at a URL rule of this blueprint.

        Args:
            resource: A `Resource` subclass.
            rule: A Flask URL rule relative to the blueprint's prefix, such as `/<int:task_id>`.
            endpoint: The endpoint name; defaults to the resource class's name.

        Raises:
            DeclarationError: The resource is not a `Resource` or declares no operation, the
                endpoint is taken, the rule's syntax is invalid, or a method does not accept
                one of the rule's variables. (A converter the rule names is looked up in the
                app's `url_map.converters` at `Api.init_app`.)
        """
        if not (isinstance(resource, type) and issubclass(resource, Resource)):
            raise DeclarationError(
                f"Blueprint {self.name!r} was given {resource!r} for {rule!r}; "
                "add a restkit Resource subclass."
            )
        if not resource.operations:
            raise DeclarationError(
                f"{resource.__name__} declares no operation; define at least one of get, post, "
                "put, patch or delete, decorated with @operation(...)."
            )
        if not isinstance(rule, str) or not rule.startswith("/"):
            raise DeclarationError(f"{resource.__name__}'s URL rule {rule!r} must start with '/'.")
        endpoint = endpoint or resource.__name__
        if _NAME.fullmatch(endpoint) is None:
            raise DeclarationError(
                f"Endpoint name {endpoint!r} for {resource.__name__} is invalid; use letters, "
                "digits, '_' and '-'."
            )
        taken = self._routes.get(endpoint)
        if taken is not None:
            raise DeclarationError(
                f"Blueprint {self.name!r} already has the endpoint {endpoint!r} "
                f"({taken.resource.__name__} at {taken.rule!r}); {resource.__name__} at "
                f"{rule!r} needs another: pass endpoint='...'."
            )
        where = repr(self.url_prefix + rule)
        # The API's prefix may add URL variables, and the app its own converters (`<hex:id>`):
        # required arguments and converter names are checked at init_app.
        operations = bind_path(
            resource, rule_arguments(self.url_prefix + rule), where, complete=False
        )
        self._routes[endpoint] = Route(rule, endpoint, resource, MappingProxyType(operations))

    def route(self, rule: str, *, endpoint: str | None = None) -> Callable[[R], R]:
        """Class decorator form of `add_resource`.

        Example:
            ```python
            @tasks.route("/")
            class Tasks(Resource):
                ...
            ```
        """

        def decorate(resource: R) -> R:
            self.add_resource(resource, rule, endpoint=endpoint)
            return resource

        return decorate

    def __repr__(self) -> str:
        return f"<Blueprint {self.name!r} {self.url_prefix or '/'} ({len(self._routes)} routes)>"


def _check_prefix(prefix: str, owner: str) -> None:
    if not isinstance(prefix, str) or (prefix and not prefix.startswith("/")):
        raise DeclarationError(
            f"The url_prefix {prefix!r} of {owner} must be empty or start with '/'."
        )
