"""restkit: a REST API toolkit for Flask.

Resources declare marshmallow schemas for their inputs and responses; an `Api` mounts
blueprints of resources on a Flask app; every error is `application/problem+json`.
"""

from __future__ import annotations

from restkit.api import Api
from restkit.blueprint import Blueprint, Route
from restkit.errors import DeclarationError, ResponseError
from restkit.operation import Operation, ResponseSpec, operation
from restkit.problems import InputError, Problem
from restkit.resource import Resource
from restkit.settings import Settings

__all__ = [
    "Api",
    "Blueprint",
    "DeclarationError",
    "InputError",
    "Operation",
    "Problem",
    "Resource",
    "ResponseError",
    "ResponseSpec",
    "Route",
    "Settings",
    "operation",
]

__version__ = "0.1.0"
