"""Reading request locations: webargs against restkit's precomputed plans.

Both sides read the same query string and headers and load them with the same marshmallow
schemas, inside one request context; only the reading differs. webargs' `FlaskParser.parse`
wraps each location in a `MultiDictProxy` that walks the schema's fields on every request to
find the list fields; restkit's `RequestPlan` finds them once, when the API is mounted.
"""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable

import marshmallow as ma
from flask import Flask, request
from webargs.flaskparser import FlaskParser

from restkit import Resource, operation
from restkit.blueprint import Blueprint
from restkit.parsing import RequestPlan
from restkit.settings import Settings


class Query(ma.Schema):
    limit = ma.fields.Integer(load_default=20)
    sort = ma.fields.String()
    tag = ma.fields.List(ma.fields.String())
    done = ma.fields.Boolean()
    q = ma.fields.String()


class Headers(ma.Schema):
    x_request_id = ma.fields.String(data_key="X-Request-Id")
    accept_language = ma.fields.String(data_key="Accept-Language")


class Items(Resource):
    @operation(query=Query, headers=Headers, status=204)
    def get(self, query: object, headers: object) -> None:
        """List nothing."""


def measure(function: Callable[[], object], repeat: int = 7, number: int = 2000) -> float:
    """Return the median time of one call, in microseconds."""
    runs = timeit.repeat(function, repeat=repeat, number=number)
    return statistics.median(runs) / number * 1e6


def run(quick: bool = False) -> list[tuple[str, float]]:
    """Time both readers; return (name, microseconds per request) rows."""
    blueprint = Blueprint("bench")
    blueprint.add_resource(Items, "/items")
    plan = RequestPlan(blueprint.routes["Items"].operations["GET"], Settings())
    parser = FlaskParser()
    query_schema = Query(unknown=ma.EXCLUDE)
    header_schema = Headers(unknown=ma.EXCLUDE)
    app = Flask(__name__)
    url = "/items?limit=50&sort=-due_at&tag=home&tag=work&done=false&q=milk"
    headers = {"X-Request-Id": "abc", "Accept-Language": "en", "User-Agent": "bench"}
    number = 200 if quick else 5000

    def with_webargs() -> object:
        return (
            parser.parse(query_schema, request, location="query"),
            parser.parse(header_schema, request, location="headers"),
        )

    def with_restkit() -> object:
        return plan.parse(request, {})

    with app.test_request_context(url, headers=headers):
        assert with_webargs()[0] == with_restkit()["query"]
        return [
            ("webargs FlaskParser.parse", measure(with_webargs, number=number)),
            ("restkit RequestPlan.parse", measure(with_restkit, number=number)),
        ]


def main(quick: bool = False) -> None:
    """Print the comparison as a Markdown table."""
    rows = run(quick)
    base = rows[-1][1]
    print("| reader (query: 5 fields, headers: 2 fields) | µs per request | ratio |")
    print("| --- | ---: | ---: |")
    for name, micros in rows:
        print(f"| {name} | {micros:.1f} | {micros / base:.2f} |")


if __name__ == "__main__":
    main()
