"""The Flask view function of one mounted resource: parse, call, render.

This is the boundary between Flask and restkit's pure plans: it reads `flask.request`, runs the
operation's `RequestPlan`, calls the resource method, and hands the result to its
`ResponsePlan`. Errors propagate to the problem handler the `Api` installs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import request
from werkzeug.sansio.response import Response as BaseResponse
from werkzeug.wrappers import Response

from restkit.operation import Operation
from restkit.parsing import RequestPlan
from restkit.rendering import ResponsePlan
from restkit.resource import Resource
from restkit.settings import Settings

__all__ = ["make_view"]


class _Plan:
    __slots__ = ("function_name", "parse", "render")

    def __init__(self, operation: Operation, settings: Settings, response_class: type[Response]):
        self.function_name = operation.function_name
        self.parse = RequestPlan(operation, settings).parse
        self.render = ResponsePlan(operation, response_class).render


def make_view(
    resource: type[Resource],
    operations: Mapping[str, Operation],
    settings: Settings,
    response_class: type[Response],
) -> Callable[..., BaseResponse]:
    """Return the Flask view function serving `operations` of `resource`.

    Every plan is made here, once; the view only runs them.
    """
    plans = {method: _Plan(op, settings, response_class) for method, op in operations.items()}
    if "GET" in plans:
        plans["HEAD"] = plans["GET"]

    def view(**view_args: Any) -> BaseResponse:
        plan = plans[request.method]
        arguments = plan.parse(request, view_args)
        result = getattr(resource(), plan.function_name)(**arguments)
        return plan.render(result)

    view.__name__ = resource.__name__
    view.__qualname__ = resource.__qualname__
    view.__doc__ = resource.__doc__
    for decorator in resource.decorators:
        view = decorator(view)
    return view
