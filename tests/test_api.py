from __future__ import annotations

import gc
import re
from functools import wraps

import flask
import marshmallow as ma
import pytest
from flask import Flask, abort, request
from werkzeug.exceptions import HTTPException

from restkit import Api, Blueprint, DeclarationError, Resource, Settings, operation
from restkit.api import make_problem_response
from restkit.problems import Conflict

Item = {"ok": ma.fields.Boolean()}


def _tasks_blueprint(name="tasks", url_prefix=""):
    class Tasks(Resource):
        @operation(response={"ok": ma.fields.Boolean()})
        def get(self):
            return {"ok": True}

    blueprint = Blueprint(name, url_prefix=url_prefix)
    blueprint.add_resource(Tasks, "/tasks")
    return blueprint


def _echo_blueprint(name="echo"):
    class Echo(Resource):
        @operation(body={"text": ma.fields.String()}, response={"text": ma.fields.String()})
        def post(self, body):
            return body

    blueprint = Blueprint(name)
    blueprint.add_resource(Echo, "/echo")
    return blueprint


def _rules(app):
    return {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}


def test_api_with_app_mounts_blueprints_registered_later():
    app = Flask(__name__)
    api = Api(app, url_prefix="/v1")
    api.register_blueprint(_tasks_blueprint())

    response = app.test_client().get("/v1/tasks")

    assert response.status_code == 200
    assert response.json == {"ok": True}


def test_api_init_app_factory_style_mounts_blueprints():
    api = Api(url_prefix="/v1")
    api.register_blueprint(_tasks_blueprint())

    def create_app():
        app = Flask(__name__)
        api.init_app(app)
        return app

    response = create_app().test_client().get("/v1/tasks")

    assert response.status_code == 200
    assert response.json == {"ok": True}


def test_api_init_app_on_two_apps_serves_both():
    api = Api(url_prefix="/v1")
    api.register_blueprint(_tasks_blueprint())
    first, second = Flask(__name__), Flask(__name__)
    api.init_app(first)
    api.init_app(second)
    api.register_blueprint(_echo_blueprint())

    for app in (first, second):
        client = app.test_client()
        assert client.get("/v1/tasks").json == {"ok": True}
        assert client.post("/v1/echo", json={"text": "hi"}).json == {"text": "hi"}


def test_api_register_blueprint_after_app_is_gone_skips_it():
    api = Api(url_prefix="/v1")
    app = Flask(__name__)
    api.init_app(app)
    del app
    gc.collect()

    api.register_blueprint(_tasks_blueprint())

    assert [blueprint.name for blueprint in api.blueprints] == ["tasks"]


def test_api_register_blueprint_after_init_app_mounts_on_that_app():
    app = Flask(__name__)
    api = Api(url_prefix="/v1")
    api.init_app(app)
    api.register_blueprint(_tasks_blueprint())

    response = app.test_client().get("/v1/tasks")

    assert response.status_code == 200
    assert response.json == {"ok": True}
    assert _rules(app)["api.tasks.Tasks"] == "/v1/tasks"


def test_two_apis_on_one_app_each_use_their_own_settings():
    app = Flask(__name__)
    v1 = Api(name="v1", url_prefix="/v1", max_body_size=16)
    v2 = Api(name="v2", url_prefix="/v2")
    v1.register_blueprint(_echo_blueprint())
    v2.register_blueprint(_echo_blueprint())
    v1.init_app(app)
    v2.init_app(app)
    client = app.test_client()
    body = {"text": "a body longer than sixteen bytes"}

    small = client.post("/v1/echo", json=body)
    large = client.post("/v2/echo", json=body)

    assert small.status_code == 413
    assert small.headers["Content-Type"] == "application/problem+json"
    assert small.json == {
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": "The request body is larger than 16 bytes.",
    }
    assert large.status_code == 200
    assert large.json == body
    assert v1.get_settings(app) == Settings(max_body_size=16)
    assert v2.get_settings(app) == Settings()
    assert {"v1.echo.Echo", "v2.echo.Echo"} <= set(_rules(app))


@pytest.mark.parametrize(
    ("kwargs", "config", "expected"),
    [
        ({}, {}, Settings(max_body_size=1024 * 1024, max_json_depth=32)),
        ({}, {"RESTKIT_MAX_BODY_SIZE": 500}, Settings(max_body_size=500)),
        ({"max_body_size": 100}, {"RESTKIT_MAX_BODY_SIZE": 500}, Settings(max_body_size=100)),
        (
            {"max_json_depth": 4},
            {"RESTKIT_MAX_BODY_SIZE": 500, "RESTKIT_MAX_JSON_DEPTH": 8},
            Settings(max_body_size=500, max_json_depth=4),
        ),
    ],
    ids=["default", "config", "kwarg-over-config", "mixed"],
)
def test_api_get_settings_kwarg_over_config_over_default(kwargs, config, expected):
    app = Flask(__name__)
    app.config.update(config)
    api = Api(app, **kwargs)

    assert api.get_settings(app) == expected


def test_api_settings_reach_the_request_plan():
    app = Flask(__name__)
    app.config["RESTKIT_MAX_JSON_DEPTH"] = 2
    api = Api(app)
    api.register_blueprint(_echo_blueprint())

    response = app.test_client().post("/echo", json={"text": [[["deep"]]]})

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "The request body is nested deeper than 2 levels.",
    }


def test_api_unknown_setting_raises_declaration_error_naming_it():
    with pytest.raises(DeclarationError, match="Unknown restkit setting\\(s\\) max_size, zeta;"):
        Api(max_size=1, zeta=2)


@pytest.mark.parametrize("value", [0, -1, True, False, "10", 1.5, None])
def test_api_invalid_setting_kwarg_raises_declaration_error_naming_it(value):
    message = f"Api(max_body_size=...) must be a positive integer, not {value!r}."

    with pytest.raises(DeclarationError, match=re.escape(message)):
        Api(max_body_size=value)


@pytest.mark.parametrize("value", [0, True, "10"])
def test_api_invalid_setting_in_config_raises_at_init_app_naming_key(value):
    app = Flask(__name__)
    app.config["RESTKIT_MAX_JSON_DEPTH"] = value
    api = Api()

    with pytest.raises(DeclarationError) as raised:
        api.init_app(app)

    assert str(raised.value) == (
        f"app.config['RESTKIT_MAX_JSON_DEPTH'] must be a positive integer, not {value!r}."
    )


def test_api_kwarg_overrides_invalid_config_value():
    app = Flask(__name__)
    app.config["RESTKIT_MAX_BODY_SIZE"] = "huge"
    api = Api(app, max_body_size=10)

    assert api.get_settings(app) == Settings(max_body_size=10)


def test_api_get_settings_after_config_change_returns_those_read_at_init_app():
    app = Flask(__name__)
    api = Api(app, max_body_size=10)

    app.config["RESTKIT_MAX_JSON_DEPTH"] = 2

    assert api.get_settings(app) == Settings(max_body_size=10)


@pytest.mark.parametrize(
    "mount_other",
    [lambda app: None, lambda app: Api(app, name="other"), lambda app: Api(app)],
    ids=["no-api", "another-name", "another-api-of-its-name"],
)
def test_api_not_mounted_on_the_app_raises_for_its_settings_and_documents(mount_other):
    api, app = Api(), Flask(__name__)
    mount_other(app)

    for read in (api.get_settings, api.make_spec, api.spec):
        with pytest.raises(DeclarationError, match=r"^Api 'api' is not mounted on <Flask "):
            read(app)


def test_api_spec_after_init_app_failed_raises_declaration_error():
    class Needy(Resource):
        @operation(response=Item)
        def get(self, missing): ...

    blueprint = Blueprint("needy")
    blueprint.add_resource(Needy, "/needy")
    api, app = Api(), Flask(__name__)
    api.register_blueprint(blueprint)
    with pytest.raises(DeclarationError, match="requires the argument 'missing'"):
        api.init_app(app)

    with pytest.raises(DeclarationError, match=r"^Api 'api' is not mounted on <Flask "):
        api.spec(app)


def test_two_apis_with_same_name_on_one_app_raise_declaration_error():
    app = Flask(__name__)
    Api(app, url_prefix="/v1")

    with pytest.raises(DeclarationError, match="already has an API named 'api'; give each Api"):
        Api(app, url_prefix="/v2")


def test_api_register_blueprint_with_taken_name_raises_declaration_error():
    api = Api()
    api.register_blueprint(_tasks_blueprint("tasks"))

    with pytest.raises(DeclarationError, match="already has a blueprint named 'tasks'"):
        api.register_blueprint(_echo_blueprint("tasks"))


@pytest.mark.parametrize("value", [flask.Blueprint("tasks", __name__), "tasks", None])
def test_api_register_blueprint_with_non_blueprint_raises_declaration_error(value):
    with pytest.raises(DeclarationError, match=r"register a restkit\.Blueprint"):
        Api(name="v1").register_blueprint(value)


def test_api_endpoint_names_are_api_blueprint_endpoint():
    class Tasks(Resource):
        @operation(response={"ok": ma.fields.Boolean()})
        def get(self):
            return {"ok": True}

    class TaskItem(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self, task_id: int):
            return {"id": task_id}

    blueprint = Blueprint("tasks", url_prefix="/tasks")
    blueprint.add_resource(Tasks, "/")
    blueprint.add_resource(TaskItem, "/<int:task_id>", endpoint="item")
    app = Flask(__name__)
    api = Api(app, name="v1", url_prefix="/v1")
    api.register_blueprint(blueprint)

    rules = _rules(app)

    assert rules["v1.tasks.Tasks"] == "/v1/tasks/"
    assert rules["v1.tasks.item"] == "/v1/tasks/<int:task_id>"
    assert list(blueprint.routes) == ["Tasks", "item"]
    with app.test_request_context():
        assert flask.url_for("v1.tasks.item", task_id=4) == "/v1/tasks/4"


@pytest.mark.parametrize(
    ("api_prefix", "blueprint_prefix", "path"),
    [
        ("/v1/", "/tasks/", "/v1/tasks/list"),
        ("/", "/tasks", "/tasks/list"),
        ("", "", "/list"),
        ("/api/v1", "/", "/api/v1/list"),
    ],
)
def test_url_prefixes_lose_trailing_slash(api_prefix, blueprint_prefix, path):
    class Tasks(Resource):
        @operation(response={"ok": ma.fields.Boolean()})
        def get(self):
            return {"ok": True}

    blueprint = Blueprint("tasks", url_prefix=blueprint_prefix)
    blueprint.add_resource(Tasks, "/list")
    app = Flask(__name__)
    api = Api(app, url_prefix=api_prefix)
    api.register_blueprint(blueprint)

    response = app.test_client().get(path)

    assert response.status_code == 200
    assert response.json == {"ok": True}
    assert api.url_prefix == api_prefix.rstrip("/")
    assert blueprint.url_prefix == blueprint_prefix.rstrip("/")


@pytest.mark.parametrize("name", ["v1", "_private", "my-api", "A_1"])
def test_api_and_blueprint_valid_names_are_accepted(name):
    assert Api(name=name).name == name
    assert Blueprint(name).name == name


@pytest.mark.parametrize("prefix", ["v1", "v1/", " /v1", None, 1])
def test_api_prefix_not_starting_with_slash_raises_declaration_error(prefix):
    with pytest.raises(
        DeclarationError, match=f"The url_prefix {prefix!r} of Api 'api' must be empty"
    ):
        Api(url_prefix=prefix)


@pytest.mark.parametrize("prefix", ["tasks", "tasks/", None])
def test_blueprint_prefix_not_starting_with_slash_raises_declaration_error(prefix):
    with pytest.raises(
        DeclarationError,
        match=f"The url_prefix {prefix!r} of Blueprint 'tasks' must be empty or start",
    ):
        Blueprint("tasks", url_prefix=prefix)


def test_api_prefix_variable_passed_to_required_parameter():
    class Tasks(Resource):
        @operation(response={"org": ma.fields.String()})
        def get(self, org: str):
            return {"org": org}

    blueprint = Blueprint("tasks")
    blueprint.add_resource(Tasks, "/tasks")
    app = Flask(__name__)
    api = Api(app, url_prefix="/orgs/<org>")
    api.register_blueprint(blueprint)

    response = app.test_client().get("/orgs/acme/tasks")

    assert response.status_code == 200
    assert response.json == {"org": "acme"}


def test_api_prefix_variable_passed_to_parameter_with_default():
    class Tasks(Resource):
        @operation(response={"org": ma.fields.String()})
        def get(self, org: str = "none"):
            return {"org": org}

    blueprint = Blueprint("tasks")
    blueprint.add_resource(Tasks, "/tasks")
    app = Flask(__name__)
    api = Api(app, url_prefix="/orgs/<org>")
    api.register_blueprint(blueprint)

    response = app.test_client().get("/orgs/acme/tasks")

    assert response.status_code == 200
    assert response.json == {"org": "acme"}


def test_blueprint_route_decorator_mounts_and_returns_the_class():
    blueprint = Blueprint("tasks")

    class Tasks(Resource):
        @operation(response={"ok": ma.fields.Boolean()})
        def get(self):
            return {"ok": True}

    decorated = blueprint.route("/tasks", endpoint="all")(Tasks)

    assert decorated is Tasks
    assert blueprint.routes["all"].resource is Tasks
    assert blueprint.routes["all"].rule == "/tasks"
    assert blueprint.routes["all"].endpoint == "all"
    assert set(blueprint.routes["all"].operations) == {"GET"}


def test_blueprint_same_resource_twice_with_endpoints_is_accepted():
    blueprint = Blueprint("tasks")

    class TaskItem(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            return {"id": 1}

    item = TaskItem
    blueprint.add_resource(item, "/a")
    blueprint.add_resource(item, "/b", endpoint="other")

    assert [route.rule for route in blueprint.routes.values()] == ["/a", "/b"]


def test_mounted_operation_records_path_arguments():
    class TaskItem(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self, list_id, task_id):
            return None

    blueprint = Blueprint("tasks", url_prefix="/lists/<int:list_id>")
    blueprint.add_resource(TaskItem, "/tasks/<int:task_id>")

    bound = blueprint.routes["TaskItem"].operations["GET"]

    assert bound.path_arguments == ("list_id", "task_id")
    assert bound.qualname == "TaskItem.get"
    assert TaskItem.operations["GET"].path_arguments == ()


def _add_header(name, value):
    def decorator(view):
        @wraps(view)
        def wrapped(**kwargs):
            response = view(**kwargs)
            response.headers.add("X-Trace", f"{name}={value}")
            return response

        return wrapped

    return decorator


def test_resource_decorators_wrap_the_view_in_order(make_client):
    class Tasks(Resource):
        decorators = (_add_header("inner", 1), _add_header("outer", 2))

        @operation(response={"ok": ma.fields.Boolean()})
        def get(self):
            return {"ok": True}

    response = make_client({"/tasks": Tasks}).get("/tasks")

    assert response.status_code == 200
    assert response.headers.getlist("X-Trace") == ["inner=1", "outer=2"]
    assert response.json == {"ok": True}


def test_resource_decorator_can_short_circuit_the_view(make_client):
    def deny(view):
        def wrapped(**kwargs):
            return flask.Response("denied", status=403)

        return wrapped

    class Tasks(Resource):
        decorators = (deny,)

        @operation(response={"ok": ma.fields.Boolean()})
        def get(self):
            raise AssertionError("not reached")

    response = make_client({"/tasks": Tasks}).get("/tasks")

    assert response.status_code == 403
    assert response.data == b"denied"


def test_resource_new_instance_per_request(make_client):
    seen = []

    class Counter(Resource):
        def __init__(self):
            self.calls = 0

        @operation(response={"calls": ma.fields.Integer()})
        def get(self):
            seen.append(self)
            self.calls += 1
            return {"calls": self.calls}

    client = make_client({"/count": Counter})

    assert client.get("/count").json == {"calls": 1}
    assert client.get("/count").json == {"calls": 1}
    assert len(seen) == 2
    assert seen[0] is not seen[1]


def test_api_blueprints_is_read_only_tuple_in_registration_order():
    api = Api()
    tasks, echo = _tasks_blueprint(), _echo_blueprint()
    api.register_blueprint(tasks)
    api.register_blueprint(echo)

    assert api.blueprints == (tasks, echo)
    with pytest.raises(AttributeError):
        api.blueprints = ()  # type: ignore[misc]


def test_blueprint_routes_is_read_only_mapping():
    blueprint = _tasks_blueprint()

    assert list(blueprint.routes) == ["Tasks"]
    with pytest.raises(TypeError):
        blueprint.routes["Other"] = blueprint.routes["Tasks"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        blueprint.routes = {}  # type: ignore[misc]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: Api(), "<Api 'api' / (0 blueprints)>"),
        (lambda: Api(name="v1", url_prefix="/v1/"), "<Api 'v1' /v1 (0 blueprints)>"),
        (lambda: Blueprint("tasks"), "<Blueprint 'tasks' / (0 routes)>"),
        (lambda: _tasks_blueprint(url_prefix="/t/"), "<Blueprint 'tasks' /t (1 routes)>"),
    ],
)
def test_repr_shows_name_prefix_and_size(make, expected):
    assert repr(make()) == expected


def test_api_repr_counts_registered_blueprints():
    api = Api(name="v2", url_prefix="/v2")
    api.register_blueprint(_tasks_blueprint())
    api.register_blueprint(_echo_blueprint())

    assert repr(api) == "<Api 'v2' /v2 (2 blueprints)>"


def _app_with_http_handler() -> Flask:
    class Orders(Resource):
        @operation(response=Item)
        def get(self):
            raise Conflict("Order 7 is closed.")

    class Missing(Resource):
        @operation(response=Item)
        def get(self):
            abort(404)

    blueprint = Blueprint("shop")
    blueprint.add_resource(Orders, "/orders")
    blueprint.add_resource(Missing, "/missing")
    app = Flask(__name__)
    Api(app, url_prefix="/v1").register_blueprint(blueprint)

    @app.errorhandler(HTTPException)
    def html_errors(error: HTTPException):
        if request.path.startswith("/v1/") and error.code == 404:
            return make_problem_response(error)
        return f"<h1>{error.code}</h1>", error.code

    return app


def test_problem_raised_under_app_http_exception_handler_stays_problem():
    response = _app_with_http_handler().test_client().get("/v1/orders")

    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert response.get_json()["detail"] == "Order 7 is closed."


def test_app_http_exception_handler_can_delegate_with_make_problem_response():
    client = _app_with_http_handler().test_client()

    in_view = client.get("/v1/missing")
    routed = client.get("/v1/nothing-here")
    outside = client.get("/about")

    assert in_view.status_code == 404
    assert in_view.content_type == "application/problem+json"
    assert routed.status_code == 404
    assert routed.get_json()["title"] == "Not Found"
    assert outside.status_code == 404
    assert outside.data == b"<h1>404</h1>"


def test_misspelt_restkit_config_key_raises_declaration_error_at_init_app():
    app = Flask(__name__)
    app.config["RESTKIT_MAX_BODYSIZE"] = 10

    with pytest.raises(
        DeclarationError, match="Unknown restkit setting\\(s\\) RESTKIT_MAX_BODYSIZE"
    ):
        Api().init_app(app)
