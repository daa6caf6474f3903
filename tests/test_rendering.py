from __future__ import annotations

import logging

import marshmallow as ma
import pytest
from flask import Response, make_response, url_for
from werkzeug.datastructures import Headers

from restkit import Resource, ResponseSpec, operation

GENERIC_500 = {
    "type": "about:blank",
    "title": "Internal Server Error",
    "status": 500,
    "detail": "The server could not complete the request.",
}


def test_render_object_dumps_with_first_success_schema_as_compact_json(make_client):
    class TaskSchema(ma.Schema):
        id = ma.fields.Integer()
        title = ma.fields.String()

    class Tasks(Resource):
        @operation(response=TaskSchema)
        def get(self):
            return {"id": 1, "title": "Write tests", "secret": "not declared"}

    response = make_client({"/tasks": Tasks}).get("/tasks")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.data == b'{"id":1,"title":"Write tests"}'


def test_render_object_without_status_uses_first_declared_2xx_schema(make_client):
    class Accepted(ma.Schema):
        job = ma.fields.String()

    class Created(ma.Schema):
        id = ma.fields.Integer()

    class Jobs(Resource):
        @operation(responses={303: None, 202: Accepted, 201: Created})
        def post(self):
            return {"job": "j-1", "id": 7}

    response = make_client({"/jobs": Jobs}).post("/jobs")

    assert response.status_code == 202
    assert response.json == {"job": "j-1"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, {"id": 1}),
        (202, {"job": "j-1"}),
    ],
)
def test_render_tuple_with_status_dumps_with_that_status_schema(make_client, status, expected):
    class Done(ma.Schema):
        id = ma.fields.Integer()

    class Pending(ma.Schema):
        job = ma.fields.String()

    class Reports(Resource):
        @operation(responses={200: Done, 202: Pending})
        def post(self):
            return {"id": 1, "job": "j-1"}, status

    response = make_client({"/reports": Reports}).post("/reports")

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == expected


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Total-Count": "3", "Cache-Control": "no-store"},
        [("X-Total-Count", "3"), ("Cache-Control", "no-store")],
        Headers({"X-Total-Count": "3", "Cache-Control": "no-store"}),
    ],
    ids=["dict", "list-of-tuples", "werkzeug-headers"],
)
def test_render_tuple_with_headers_adds_them_with_default_status(make_client, headers):
    class Tasks(Resource):
        @operation(response={"title": ma.fields.String()})
        def get(self):
            return {"title": "a"}, headers

    response = make_client({"/tasks": Tasks}).get("/tasks")

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "3"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"title": "a"}


def test_render_tuple_with_status_and_headers_uses_both(make_client):
    class Tasks(Resource):
        @operation(responses={200: None, 201: {"id": ma.fields.Integer()}})
        def post(self):
            return {"id": 5}, 201, {"X-Request-Id": "r-1", "Location": "/tasks/5"}

    response = make_client({"/tasks": Tasks}).post("/tasks")

    assert response.status_code == 201
    assert response.headers["X-Request-Id"] == "r-1"
    assert response.headers["Location"] == "/tasks/5"
    assert response.json == {"id": 5}


def test_render_201_without_location_returns_logged_500(make_client, caplog):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()}, status=201)
        def post(self):
            return {"id": 5}, 201

    response = make_client({"/tasks": Tasks}).post("/tasks")

    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert response.json["detail"] == "The server could not complete the request."
    assert "Tasks.post answered 201 without a Location header" in caplog.text


@pytest.mark.parametrize(
    ("endpoint", "kwargs"),
    [
        ("api.test.TaskItem", {}),
        (".TaskItem", {}),
        ("api.test.TaskItem", {"_external": True}),
    ],
)
def test_render_201_with_location_from_url_for_builds_item_url(make_client, endpoint, kwargs):
    class TaskItem(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self, task_id: int):
            return {"id": task_id}

    class Tasks(Resource):
        @operation(
            body={"title": ma.fields.String()}, response={"id": ma.fields.Integer()}, status=201
        )
        def post(self, body):
            return {"id": 3}, 201, {"Location": url_for(endpoint, task_id=3, **kwargs)}

    client = make_client({"/tasks": Tasks, "/tasks/<int:task_id>": TaskItem}, url_prefix="/v1")
    response = client.post("/v1/tasks", json={"title": "a"})

    assert response.status_code == 201
    assert response.headers["Location"].endswith("/v1/tasks/3")
    assert response.json == {"id": 3}
    assert client.get(response.headers["Location"]).json == {"id": 3}


def test_render_ready_response_is_passed_through_untouched(make_client):
    class Export(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            return Response("id\n1\n", status=200, mimetype="text/csv")

    response = make_client({"/export": Export}).get("/export")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data == b"id\n1\n"


def test_render_flask_make_response_is_passed_through_untouched(make_client):
    class Export(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            response = make_response("<p>hi</p>", 200)
            response.headers["X-Custom"] = "yes"
            return response

    response = make_client({"/export": Export}).get("/export")

    assert response.status_code == 200
    assert response.headers["X-Custom"] == "yes"
    assert response.data == b"<p>hi</p>"


def test_render_status_204_sends_empty_body_without_content_type(make_client):
    class TaskItem(Resource):
        @operation(status=204)
        def delete(self, task_id: int):
            return None

    response = make_client({"/tasks/<int:task_id>": TaskItem}).delete("/tasks/1")

    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    assert response.data == b""


def test_render_status_204_with_headers_keeps_them(make_client):
    class TaskItem(Resource):
        @operation(responses={204: None})
        def delete(self, task_id: int):
            return None, {"X-Deleted": str(task_id)}

    response = make_client({"/tasks/<int:task_id>": TaskItem}).delete("/tasks/9")

    assert response.status_code == 204
    assert response.headers["X-Deleted"] == "9"
    assert "Content-Type" not in response.headers
    assert response.data == b""


def test_render_head_on_get_resource_sends_get_headers_without_body(make_client):
    class Tasks(Resource):
        @operation(response={"title": ma.fields.String()})
        def get(self):
            return {"title": "a"}, {"X-Total-Count": "1"}

    client = make_client({"/tasks": Tasks})
    get = client.get("/tasks")
    head = client.head("/tasks")

    assert head.status_code == 200
    assert head.headers["Content-Type"] == "application/json"
    assert head.headers["X-Total-Count"] == "1"
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.data == b""
    assert get.data == b'{"title":"a"}'


def test_render_dump_only_and_load_only_fields_respected_on_output(make_client):
    class UserSchema(ma.Schema):
        id = ma.fields.Integer(dump_only=True)
        name = ma.fields.String()
        password = ma.fields.String(load_only=True)

    class Users(Resource):
        @operation(response=UserSchema)
        def get(self):
            return {"id": 1, "name": "ada", "password": "hunter2"}

    response = make_client({"/users": Users}).get("/users")

    assert response.status_code == 200
    assert response.json == {"id": 1, "name": "ada"}


def test_render_response_spec_with_description_dumps_with_its_schema(make_client):
    class TaskSchema(ma.Schema):
        title = ma.fields.String()

    class Tasks(Resource):
        @operation(responses={200: ResponseSpec(TaskSchema(), description="The task.")})
        def get(self):
            return {"title": "a", "other": 1}

    response = make_client({"/tasks": Tasks}).get("/tasks")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"title": "a"}
    assert Tasks.operations["GET"].responses[200].description == "The task."


def test_render_many_schema_dumps_a_list(make_client):
    class TaskSchema(ma.Schema):
        title = ma.fields.String()

    class Tasks(Resource):
        @operation(response=TaskSchema(many=True))
        def get(self):
            return [{"title": "a"}, {"title": "b"}]

    response = make_client({"/tasks": Tasks}).get("/tasks")

    assert response.status_code == 200
    assert response.data == b'[{"title":"a"},{"title":"b"}]'


def _assert_logged_500(response, caplog, app, *fragments):
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == GENERIC_500
    records = [r for r in caplog.records if r.name == app.logger.name]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert records[0].exc_info is not None
    assert "Traceback" in caplog.text
    assert "ResponseError" in caplog.text
    for fragment in fragments:
        assert fragment in caplog.text
        assert fragment not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("returned", "fragments"),
    [
        (({"id": 1}, 201), ["Tasks.get returned status 201", "it declares 200, 202"]),
        (({"id": 1}, 201, {}), ["Tasks.get returned status 201", "it declares 200, 202"]),
        (({"id": 1}, "200", {}), ["Tasks.get returned status '200'", "it declares 200, 202"]),
        (({"id": 1}, [200], {}), ["Tasks.get returned status [200]", "it declares 200, 202"]),
    ],
    ids=["undeclared", "undeclared-with-headers", "string-status", "unhashable-status"],
)
def test_render_undeclared_status_returns_logged_500(make_client, caplog, returned, fragments):
    class Tasks(Resource):
        @operation(responses={200: {"id": ma.fields.Integer()}, 202: None})
        def get(self):
            return returned

    client = make_client({"/tasks": Tasks})
    response = client.get("/tasks")

    _assert_logged_500(response, caplog, client.application, *fragments)


def test_render_body_for_status_declared_without_one_returns_logged_500(make_client, caplog):
    class TaskItem(Resource):
        @operation(status=204)
        def delete(self, task_id: int):
            return {"id": task_id}

    client = make_client({"/tasks/<int:task_id>": TaskItem})
    response = client.delete("/tasks/1")

    _assert_logged_500(
        response,
        caplog,
        client.application,
        "TaskItem.delete returned a body with status 204",
    )


@pytest.mark.parametrize(
    ("returned", "count"),
    [
        (({"id": 1}, 200, {}, "extra"), 4),
        (({"id": 1},), 1),
        (({"id": 1}, "200"), 2),
        (({"id": 1}, True), 2),
    ],
    ids=["four-items", "one-item", "string-second", "bool-second"],
)
def test_render_tuple_of_unknown_shape_returns_logged_500(make_client, caplog, returned, count):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            return returned

    client = make_client({"/tasks": Tasks})
    response = client.get("/tasks")

    _assert_logged_500(
        response, caplog, client.application, f"Tasks.get returned a tuple of {count} items"
    )
