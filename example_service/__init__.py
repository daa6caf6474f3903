"""Taskboard, the example mobile backend, built only on restkit's public API.

`create_app()` serves the API under `/v1` and the health check at `/healthz`. It reads its
settings from the environment (or from `config`, which wins):

- `DATABASE_URL`: a SQLAlchemy database URL; a SQLite file in the instance folder by
  default. The tables are created when missing.
- `REDIS_URL`: where rate-limit counters and idempotency records live, shared by every
  process; process memory without it.
- `SECRET_KEY`: signs access tokens and pagination cursors (32 bytes or more). Without it, a
  random key is made once and kept in the instance folder.
- `TASKBOARD_PROXY_COUNT`: how many proxies in front set `X-Forwarded-For`; 0 by default.
- `TASKBOARD_DEMO_DATA`: `1` to add the demo user and their projects to an empty database.
- `TASKBOARD_TOKEN_RATE_LIMIT`: sign-ins per client address, `10/minute` by default (read
  when the module is imported).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from example_service.accounts import accounts, tokens
from example_service.boards import projects, tasks
from example_service.demo import seed_demo_data
from example_service.files import attachments
from example_service.health import health
from example_service.models import db
from restkit import Api

__all__ = ["api", "create_app"]

api = Api(
    name="v1",
    title="Taskboard",
    version="1.0.0",
    info={"description": "The backend of Taskboard, a to-do app for phones."},
    auth=tokens,
)
for blueprint in (health, accounts, projects, tasks, attachments):
    api.register_blueprint(blueprint)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Taskboard app.

    Args:
        config: Flask config values that win over the environment, for example
            `{"SQLALCHEMY_DATABASE_URI": "sqlite://"}` in tests.
    """
    app = Flask(__name__)
    os.makedirs(app.instance_path, exist_ok=True)
    default_db = f"sqlite:///{os.path.join(app.instance_path, 'taskboard.sqlite')}"
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_url(os.environ.get("DATABASE_URL") or default_db),
        # Test each pooled connection before use, so one the server closed is replaced.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        RESTKIT_STORE_URL=os.environ.get("REDIS_URL") or "memory://",
        TASKBOARD_DEMO_DATA=os.environ.get("TASKBOARD_DEMO_DATA", "") in ("1", "true", "yes"),
        TASKBOARD_PROXY_COUNT=int(os.environ.get("TASKBOARD_PROXY_COUNT", "0")),
    )
    app.config.update(config or {})
    app.config["SECRET_KEY"] = (
        app.config.get("SECRET_KEY")
        or os.environ.get("SECRET_KEY")
        or instance_secret(Path(app.instance_path))
    )
    if len(app.config["SECRET_KEY"].encode()) < 32:
        raise RuntimeError("SECRET_KEY is too short: give at least 32 bytes of random text.")
    if app.config["TASKBOARD_PROXY_COUNT"]:
        count = app.config["TASKBOARD_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
    db.init_app(app)
    api.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_foreign_keys)
        create_tables()
        if app.config["TASKBOARD_DEMO_DATA"]:
            seed_demo_data()
    return app


# Any number, the same in every process: the key of the PostgreSQL lock that lets one
# process at a time create the tables.
_SCHEMA_LOCK = 0x7A5B0A2D


def create_tables() -> None:
    """Create the tables that are missing, safely when several workers start together.

    On PostgreSQL, the workers take turns under an advisory lock, so that two never both
    find a table missing and both create it. Elsewhere (SQLite), a worker that loses such a
    race finds the tables there when it tries again.
    """
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            db.metadata.create_all(connection)
        return
    for attempt in range(5):
        try:
            db.create_all()
            return
        except SQLAlchemyError:
            if attempt == 4:
                raise
            time.sleep(0.2)


def database_url(url: str) -> str:
    """Return the URL with the psycopg 3 driver for a plain `postgresql://` (or `postgres://`)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(instance: Path) -> str:
    """Return the secret kept in the instance folder, made on first use (mode 0600).

    Workers starting together agree on one: each writes its own candidate to a file of its
    own, and a hard link, which fails when the name exists, makes exactly one of them the
    secret; nobody reads a file that is only half written.
    """
    path = instance / "secret_key"
    if not path.exists():
        candidate = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            with contextlib.suppress(FileExistsError):  # another worker's candidate won
                os.link(candidate, path)
        finally:
            candidate.unlink()
    return path.read_text(encoding="utf-8").strip()


def _sqlite_foreign_keys(connection: Any, record: Any) -> None:
    # SQLite enforces foreign keys (and ON DELETE CASCADE) only when asked, per connection.
    connection.execute("PRAGMA foreign_keys=ON")
