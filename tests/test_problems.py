from __future__ import annotations

import logging

import marshmallow as ma
import pytest
from flask import Flask, abort, got_request_exception, make_response
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Conflict
from werkzeug.wrappers import Response

from restkit import Api, Blueprint, InputError, Problem, Resource, operation
from restkit import problems as p

GENERIC_500 = {
    "type": "about:blank",
    "title": "Internal Server Error",
    "status": 500,
    "detail": "The server could not complete the request.",
}

# (class, status, title, detail): every Problem class and its defaults.
DEFAULTS = [
    (p.Problem, 500, "Internal Server Error", "The server could not complete the request."),
    (p.BadRequest, 400, "Bad Request", "The request could not be understood."),
    (p.Unauthorized, 401, "Unauthorized", "Valid credentials are required."),
    (p.Forbidden, 403, "Forbidden", "You are not allowed to do this."),
    (p.NotFound, 404, "Not Found", "The requested resource was not found."),
    (p.MethodNotAllowed, 405, "Method Not Allowed", "This method is not allowed on this resource."),
    (
        p.NotAcceptable,
        406,
        "Not Acceptable",
        "The resource has no representation the client accepts.",
    ),
    (p.Conflict, 409, "Conflict", "The request conflicts with the current state of the resource."),
    (p.Gone, 410, "Gone", "The resource is no longer available."),
    (
        p.PreconditionFailed,
        412,
        "Precondition Failed",
        "The resource has changed since the client last read it.",
    ),
    (p.ContentTooLarge, 413, "Content Too Large", "The request body is too large."),
    (
        p.UnsupportedMediaType,
        415,
        "Unsupported Media Type",
        "The request body's media type is not supported.",
    ),
    (p.UnprocessableContent, 422, "Unprocessable Content", "The request contains invalid values."),
    (p.PreconditionRequired, 428, "Precondition Required", "This request must be conditional."),
    (p.TooManyRequests, 429, "Too Many Requests", "Too many requests; try again later."),
    (
        p.InternalServerError,
        500,
        "Internal Server Error",
        "The server could not complete the request.",
    ),
    (
        p.ServiceUnavailable,
        503,
        "Service Unavailable",
        "The service is temporarily unavailable; try again later.",
    ),
    (
        p.TransactionConflict,
        503,
        "Service Unavailable",
        "The request collided with a concurrent one; retry shortly.",
    ),
]
DEFAULT_IDS = [row[0].__name__ for row in DEFAULTS]


def _problem(status, title, detail, **extra):
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}


def _raising(error):
    class Boom(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            raise error

    return Boom


def test_problem_subclasses_all_listed_in_defaults_table():
    listed = {row[0] for row in DEFAULTS}
    exported = {
        getattr(p, name)
        for name in p.__all__
        if isinstance(getattr(p, name), type) and issubclass(getattr(p, name), Problem)
    }

    assert exported == listed


@pytest.mark.parametrize(("cls", "status", "title", "detail"), DEFAULTS, ids=DEFAULT_IDS)
def test_problem_class_defaults_set_status_title_detail_type(cls, status, title, detail):
    problem = cls()

    assert (cls.status, cls.title, cls.detail, cls.type) == (status, title, detail, "about:blank")
    assert problem.status == status
    assert problem.code == status
    assert problem.to_dict() == _problem(status, title, detail, **_errors_member(cls))


def _errors_member(cls):
    return {"errors": []} if cls is p.UnprocessableContent else {}


@pytest.mark.parametrize(("cls", "status", "title", "detail"), DEFAULTS, ids=DEFAULT_IDS)
def test_problem_raised_in_view_returns_problem_json(make_client, cls, status, title, detail):
    response = make_client({"/boom": _raising(cls())}).get("/boom")

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == _problem(status, title, detail, **_errors_member(cls))


def test_problem_instance_overrides_every_member():
    problem = p.Conflict(
        "Only 2 left.",
        title="Out of stock",
        status=410,
        type="https://example.com/problems/out-of-stock",
        headers={"Retry-After": "60"},
        extensions={"available": 2, "sku": "A-1"},
    )

    assert problem.status == 410
    assert problem.code == 410
    assert problem.to_dict() == {
        "type": "https://example.com/problems/out-of-stock",
        "title": "Out of stock",
        "status": 410,
        "detail": "Only 2 left.",
        "available": 2,
        "sku": "A-1",
    }
    assert p.Conflict.detail == "The request conflicts with the current state of the resource."


def test_problem_instance_overrides_rendered_from_view(make_client):
    error = p.Conflict(
        "Only 2 left.",
        type="https://example.com/problems/out-of-stock",
        title="Out of stock",
        headers=[("Retry-After", "60"), ("Link", "</stock>; rel=related")],
        extensions={"available": 2},
    )

    response = make_client({"/boom": _raising(error)}).get("/boom")

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "60"
    assert response.headers["Link"] == "</stock>; rel=related"
    assert response.json == {
        "type": "https://example.com/problems/out-of-stock",
        "title": "Out of stock",
        "status": 409,
        "detail": "Only 2 left.",
        "available": 2,
    }


def test_problem_subclass_with_own_defaults_renders_them(make_client):
    class OutOfStock(Problem):
        status = 409
        title = "Out of stock"
        type = "https://example.com/problems/out-of-stock"
        detail = "The item is out of stock."

    response = make_client({"/boom": _raising(OutOfStock(extensions={"available": 0}))}).get(
        "/boom"
    )

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == {
        "type": "https://example.com/problems/out-of-stock",
        "title": "Out of stock",
        "status": 409,
        "detail": "The item is out of stock.",
        "available": 0,
    }


@pytest.mark.parametrize("name", ["type", "title", "status", "detail", "instance", "errors"])
def test_problem_extension_with_standard_name_raises_type_error(name):
    with pytest.raises(TypeError, match=f"standard names \\({name}\\)"):
        p.BadRequest(extensions={name: "x", "ok": 1})


def test_problem_str_and_repr_show_status_and_detail():
    problem = p.NotFound("Task 3 was not found.")

    assert str(problem) == "404 Not Found: Task 3 was not found."
    assert repr(problem) == "<NotFound 404: 'Task 3 was not found.'>"
    assert repr(Problem()) == "<Problem 500: 'The server could not complete the request.'>"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            InputError("body", "Not a valid integer.", pointer="/items/0/qty"),
            {"in": "body", "pointer": "/items/0/qty", "detail": "Not a valid integer."},
        ),
        (
            InputError("body", "A JSON request body is required.", pointer=""),
            {"in": "body", "pointer": "", "detail": "A JSON request body is required."},
        ),
        (
            InputError("query", "Must be at least 1.", name="limit"),
            {"in": "query", "name": "limit", "detail": "Must be at least 1."},
        ),
        (
            InputError("headers", "Missing data for required field.", name="X-Api-Key"),
            {"in": "headers", "name": "X-Api-Key", "detail": "Missing data for required field."},
        ),
    ],
)
def test_input_error_to_dict_puts_location_under_in(error, expected):
    assert error.to_dict() == expected
    assert list(error.to_dict()) == list(expected)


@pytest.mark.parametrize(
    ("errors", "detail"),
    [
        ([InputError("query", "Bad.", name="a")], "The request contains 1 invalid value."),
        (
            [InputError("query", "Bad.", name="a"), InputError("body", "Bad.", pointer="/b")],
            "The request contains 2 invalid values.",
        ),
    ],
)
def test_unprocessable_content_detail_counts_invalid_values(make_client, errors, detail):
    response = make_client({"/boom": _raising(p.UnprocessableContent(errors))}).get("/boom")

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": detail,
        "errors": [error.to_dict() for error in errors],
    }


def test_unprocessable_content_explicit_detail_and_kwargs_win():
    problem = p.UnprocessableContent(
        [InputError("path", "Not a valid integer.", name="task_id")],
        "Check the task id.",
        title="Invalid task",
    )

    assert problem.to_dict() == {
        "type": "about:blank",
        "title": "Invalid task",
        "status": 422,
        "detail": "Check the task id.",
        "errors": [{"in": "path", "name": "task_id", "detail": "Not a valid integer."}],
    }


def test_problem_raised_from_plain_flask_route_renders_problem_json():
    app = Flask(__name__)

    @app.get("/plain")
    def plain():
        raise p.Gone("Moved away.", headers={"X-Why": "retired"})

    response = app.test_client().get("/plain")

    assert response.status_code == 410
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["X-Why"] == "retired"
    assert response.json == _problem(410, "Gone", "Moved away.")


def test_problem_raised_from_non_api_route_of_api_app_renders_problem_json():
    app = Flask(__name__)
    Api(app, url_prefix="/api")

    @app.get("/plain")
    def plain():
        raise p.Forbidden()

    response = app.test_client().get("/plain")

    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == _problem(403, "Forbidden", "You are not allowed to do this.")


def _aborting(*args, **kwargs):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            abort(*args, **kwargs)

    return Tasks


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((404,), _problem(404, "Not Found", "The requested resource was not found.")),
        ((404, "Task 3 was not found."), _problem(404, "Not Found", "Task 3 was not found.")),
        ((400,), _problem(400, "Bad Request", "The request could not be understood.")),
        ((409, "Already there."), _problem(409, "Conflict", "Already there.")),
        ((500,), GENERIC_500),
        ((418,), _problem(418, "I'm a Teapot", "I'm a Teapot.")),
        ((418, "Short and stout."), _problem(418, "I'm a Teapot", "Short and stout.")),
    ],
)
def test_abort_in_view_returns_problem_of_that_status(make_client, args, expected):
    response = make_client({"/tasks": _aborting(*args)}).get("/tasks")

    assert response.status_code == args[0]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == expected


def test_abort_401_with_www_authenticate_keeps_header(make_client):
    challenge = WWWAuthenticate("bearer", {"realm": "api"})
    client = make_client({"/tasks": _aborting(401, www_authenticate=challenge)})
    response = client.get("/tasks")

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == "Bearer realm=api"
    assert response.json == _problem(401, "Unauthorized", "Valid credentials are required.")


def test_abort_503_with_retry_after_keeps_header(make_client):
    response = make_client({"/tasks": _aborting(503, retry_after=30)}).get("/tasks")

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "30"
    assert response.json == _problem(
        503, "Service Unavailable", "The service is temporarily unavailable; try again later."
    )


def test_abort_with_response_passes_it_through(make_client):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            abort(make_response("teapot", 418, {"X-Custom": "1"}))

    response = make_client({"/tasks": Tasks}).get("/tasks")

    assert response.status_code == 418
    assert response.headers["X-Custom"] == "1"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.data == b"teapot"


def test_http_exception_with_response_in_api_returns_that_response(make_client):
    error = Conflict(response=Response("custom", 409, {"X-Custom": "1"}))
    response = make_client({"/boom": _raising(error)}).get("/boom")

    assert response.status_code == 409
    assert response.headers["X-Custom"] == "1"
    assert response.data == b"custom"


@pytest.mark.parametrize(
    ("status", "cls", "title", "detail"),
    [
        (404, p.NotFound, "Not Found", "The requested resource was not found."),
        (402, Problem, "Payment Required", "Payment Required."),
        (508, Problem, "Loop Detected", "Loop Detected."),
        (499, Problem, "Client Error", "Client Error."),
        (599, Problem, "Server Error", "Server Error."),
    ],
)
def test_problem_for_status_picks_class_or_standard_phrase(status, cls, title, detail):
    problem = p.problem_for_status(status)

    assert type(problem) is cls
    assert problem.to_dict() == _problem(status, title, detail)


def test_problem_for_status_keeps_detail_and_headers():
    problem = p.problem_for_status(599, "Upstream exploded.", [("Retry-After", "1")])

    assert problem.to_dict() == _problem(599, "Server Error", "Upstream exploded.")
    assert problem.get_headers() == [
        ("Content-Type", "application/problem+json"),
        ("Retry-After", "1"),
    ]


@pytest.mark.parametrize("path", ["/v1/nope", "/v1", "/v1/tasks/x"])
def test_routing_404_under_api_prefix_returns_problem(make_client, path):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            return {"id": 1}

    response = make_client({"/tasks": Tasks}, url_prefix="/v1").get(path)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == _problem(404, "Not Found", "The requested resource was not found.")


def test_routing_405_returns_problem_with_allow_header(make_client):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            return {"id": 1}

        @operation(status=204)
        def delete(self):
            return None

    response = make_client({"/tasks": Tasks}, url_prefix="/v1").post("/v1/tasks")

    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS", "DELETE"}
    assert response.json == _problem(
        405, "Method Not Allowed", "This method is not allowed on this resource."
    )


def test_routing_redirect_for_missing_trailing_slash_is_not_a_problem(make_client):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            return {"id": 1}

    response = make_client({"/tasks/": Tasks}, url_prefix="/v1").get("/v1/tasks")

    assert response.status_code == 308
    assert response.headers["Location"].endswith("/v1/tasks/")


@pytest.mark.parametrize("path", ["/elsewhere", "/v10", "/v1x/tasks"])
def test_routing_404_outside_api_prefix_stays_flask_html(make_client, path):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            return {"id": 1}

    response = make_client({"/tasks": Tasks}, url_prefix="/v1").get(path)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<title>404 Not Found</title>" in response.data


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        (
            "GET",
            "/orgs/acme/nope",
            _problem(404, "Not Found", "The requested resource was not found."),
        ),
        (
            "POST",
            "/orgs/acme/tasks",
            _problem(405, "Method Not Allowed", "This method is not allowed on this resource."),
        ),
    ],
)
def test_routing_error_under_api_prefix_with_variable_returns_problem(method, path, expected):
    class Tasks(Resource):
        @operation(response={"org": ma.fields.String()})
        def get(self, **path):
            return path

    blueprint = Blueprint("tasks")
    blueprint.add_resource(Tasks, "/tasks")
    app = Flask(__name__)
    api = Api(url_prefix="/orgs/<org>")
    api.register_blueprint(blueprint)
    api.init_app(app)
    client = app.test_client()
    assert client.get("/orgs/acme/tasks").json == {"org": "acme"}

    response = client.open(path, method=method)

    assert response.status_code == expected["status"]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == expected


def test_app_exception_handler_registered_before_init_app_serves_non_api_routes():
    app = Flask(__name__)

    @app.errorhandler(Exception)
    def handle_any(error):
        return {"app": type(error).__name__}, 599

    @app.get("/plain")
    def plain():
        raise RuntimeError("plain failure")

    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            raise RuntimeError("api failure")

    blueprint = Blueprint("tasks")
    blueprint.add_resource(Tasks, "/tasks")
    Api(app, url_prefix="/v1").register_blueprint(blueprint)
    client = app.test_client()

    plain_response = client.get("/plain")
    missing = client.get("/missing")
    api_response = client.get("/v1/tasks")

    assert plain_response.status_code == 599
    assert plain_response.json == {"app": "RuntimeError"}
    assert missing.status_code == 599
    assert missing.json == {"app": "NotFound"}
    assert api_response.status_code == 500
    assert api_response.headers["Content-Type"] == "application/problem+json"
    assert api_response.json == GENERIC_500


def test_app_handler_for_specific_exception_wins_for_api_routes():
    app = Flask(__name__)

    @app.errorhandler(ValueError)
    def handle_value_error(error):
        return {"invalid": str(error)}, 400

    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            raise ValueError("bad value")

    blueprint = Blueprint("tasks")
    blueprint.add_resource(Tasks, "/tasks")
    api = Api(url_prefix="/v1")
    api.register_blueprint(blueprint)
    api.init_app(app)

    response = app.test_client().get("/v1/tasks")

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"invalid": "bad value"}


def test_unhandled_exception_in_view_returns_logged_generic_500(make_client, caplog):
    sent = []
    client = make_client({"/boom": _raising(RuntimeError("database password is hunter2"))})
    app = client.application

    def receiver(sender, exception, **extra):
        sent.append((sender, exception))

    with got_request_exception.connected_to(receiver, app):
        response = client.get("/boom")

    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == GENERIC_500
    assert b"hunter2" not in response.data
    records = [r for r in caplog.records if r.name == app.logger.name]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert records[0].exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text
    assert "database password is hunter2" in caplog.text
    assert len(sent) == 1
    assert sent[0][0] is app
    assert str(sent[0][1]) == "database password is hunter2"


def test_unhandled_exception_in_non_api_route_is_flask_500(caplog):
    app = Flask(__name__)
    Api(app, url_prefix="/v1")

    @app.get("/plain")
    def plain():
        raise RuntimeError("plain failure")

    response = app.test_client().get("/plain")

    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<title>500 Internal Server Error</title>" in response.data
    assert "plain failure" in caplog.text


@pytest.mark.parametrize("path", ["/nope", "/", "/deep/er/path"])
def test_api_at_root_prefix_owns_every_404(make_client, path):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            return {"id": 1}

    response = make_client({"/tasks": Tasks}).get(path)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == _problem(404, "Not Found", "The requested resource was not found.")
