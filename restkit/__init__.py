"""restkit: a REST API toolkit for Flask.

Resources declare marshmallow schemas for their inputs and responses; an `Api` mounts
blueprints of resources on a Flask app; every error is `application/problem+json`.
"""

from __future__ import annotations

from restkit.api import Api
from restkit.auth import ApiKey, HttpBasic, HttpBearer
from restkit.blueprint import Blueprint, Route
from restkit.conditional import Conditional
from restkit.deprecation import Deprecation
from restkit.errors import DeclarationError, ResponseError
from restkit.idempotency import Idempotency
from restkit.identity import Identity
from restkit.operation import Operation, ResponseSpec, operation
from restkit.pagination import CursorPagination, Page, PagePagination, PageRequest
from restkit.permissions import Check, Roles, Scopes
from restkit.problems import InputError, Problem
from restkit.ratelimit import RateLimit
from restkit.resource import Resource
from restkit.settings import Settings

__all__ = [
    "Api",
    "ApiKey",
    "Blueprint",
    "Check",
    "Conditional",
    "CursorPagination",
    "DeclarationError",
    "Deprecation",
    "HttpBasic",
    "HttpBearer",
    "Idempotency",
    "Identity",
    "InputError",
    "Operation",
    "Page",
    "PagePagination",
    "PageRequest",
    "Problem",
    "RateLimit",
    "Resource",
    "ResponseError",
    "ResponseSpec",
    "Roles",
    "Route",
    "Scopes",
    "Settings",
    "operation",
]

__version__ = "0.1.0"
