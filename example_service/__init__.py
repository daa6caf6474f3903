"""Taskboard, the example mobile backend built only on restkit's public API.

`create_app()` serves projects and their tasks under `/v1` on SQLite by default, or on the
database named by `DATABASE_URL`. The schema is created when missing, and an empty database is
filled with demo data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from example_service.models import db, seed_demo_data
from example_service.resources import api

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Taskboard app.

    Args:
        config: Flask config values that win over the environment, for example
            `{"SQLALCHEMY_DATABASE_URI": "sqlite://"}` in tests.
    """
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
        "DATABASE_URL", f"sqlite:///{os.path.join(app.instance_path, 'taskboard.sqlite')}"
    )
    app.config["TASKBOARD_DEMO_DATA"] = True
    app.config.update(config or {})
    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    api.init_app(app)
    with app.app_context():
        db.create_all()
        if app.config["TASKBOARD_DEMO_DATA"]:
            seed_demo_data()
    return app
