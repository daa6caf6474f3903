"""One server process of tests/test_ratelimit_processes.py.

    python tests/ratelimit_server.py STORE_URL NAME PORT RUNS_FILE

Serves a small API on 127.0.0.1:PORT whose store is shared with the other servers: a Redis
URL (NAME is the key prefix) or a SQLAlchemy database URL (NAME is the table).

- `GET /limited` allows 10 requests an hour per client, and says which process answered;
- `POST /orders` honours `Idempotency-Key`, and appends a line to RUNS_FILE each time it runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from marshmallow import Schema, fields
from werkzeug.serving import run_simple

from restkit import Api, Blueprint, Resource, operation
from restkit.stores import Store
from restkit.stores.redis import RedisStore
from restkit.stores.sql import SqlStore

LIMIT = "10/hour"


class Served(Schema):
    pid = fields.Integer()


class Order(Schema):
    item = fields.String(required=True)
    pid = fields.Integer(dump_only=True)


def make_store(url: str, name: str) -> Store:
    if url.startswith("redis://"):
        return RedisStore.from_url(url, prefix=name)
    return SqlStore.from_url(url, table_name=name)


def create_app(store: Store, runs_file: Path) -> Flask:
    shop = Blueprint("shop")

    @shop.route("/limited")
    class Limited(Resource):
        @operation(response=Served, rate_limit=LIMIT)
        def get(self) -> dict[str, int]:
            return {"pid": os.getpid()}

    @shop.route("/orders")
    class Orders(Resource):
        @operation(body=Order, response=Order, status=201, idempotency=True)
        def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
            with runs_file.open("a", encoding="utf-8") as runs:
                runs.write(f"{os.getpid()} {body['item']}\n")
            return {**body, "pid": os.getpid()}, 201, {"Location": "/orders/1"}

    app = Flask(__name__)
    api = Api(store=store)
    api.register_blueprint(shop)
    api.init_app(app)
    return app


def main(url: str, name: str, port: str, runs_file: str) -> None:
    app = create_app(make_store(url, name), Path(runs_file))
    run_simple("127.0.0.1", int(port), app, threaded=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
