from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from restkit import Api, Blueprint, Resource


@pytest.fixture
def make_client() -> Callable[..., FlaskClient]:
    """Build an app with one API serving the given resources, and return its test client.

    `make_client({"/tasks": Tasks, "/tasks/<int:task_id>": TaskItem}, url_prefix="/v1")`
    mounts each resource at its rule in a blueprint named "test"; the keyword arguments go to
    `Api` (so settings such as `max_body_size=...` work), and `config=` updates `app.config`.
    """

    def make(
        routes: dict[str, type[Resource]],
        *,
        config: dict[str, Any] | None = None,
        **api_kwargs: Any,
    ) -> FlaskClient:
        blueprint = Blueprint("test")
        for rule, resource in routes.items():
            blueprint.add_resource(resource, rule)
        app = Flask(__name__)
        app.config.update(config or {})
        api = Api(**api_kwargs)
        api.register_blueprint(blueprint)
        api.init_app(app)
        return app.test_client()

    return make
