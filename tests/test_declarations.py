from __future__ import annotations

import marshmallow as ma
import pytest

from restkit import DeclarationError, Operation, Resource, ResponseSpec, operation
from restkit.operation import Input, get_declaration

ID = {"id": ma.fields.Integer()}


class TaskSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()


def _assert_names(error_info, *fragments):
    message = str(error_info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# Inputs that do not fit the HTTP method.


@pytest.mark.parametrize(
    ("method", "location", "fragments"),
    [
        (
            "get",
            "body",
            ["Tasks.get declares body=...; GET has no body.", "query=... or to post()"],
        ),
        (
            "get",
            "form",
            ["Tasks.get declares form=...; GET has no body.", "query=... or to post()"],
        ),
        ("get", "files", ["Tasks.get declares files=...; GET has no body."]),
        (
            "delete",
            "body",
            [
                "Tasks.delete declares body=...; DELETE has no body.",
                "path or query=... or to post()",
            ],
        ),
    ],
)
def test_operation_body_on_bodiless_method_raises_declaration_error(method, location, fragments):
    def handler(self, **kwargs):
        return None

    decorated = operation(response=ID, **{location: ID})(handler)

    with pytest.raises(DeclarationError) as raised:
        type("Tasks", (Resource,), {method: decorated})

    _assert_names(raised, *fragments)


@pytest.mark.parametrize("other", ["form", "files"])
def test_operation_body_with_form_or_files_raises_declaration_error(other):
    with pytest.raises(DeclarationError) as raised:

        class Tasks(Resource):
            @operation(body=ID, response=ID, **{other: ID})
            def post(self, body, form=None, files=None):
                return body

    _assert_names(
        raised,
        f"Tasks.post declares both body=... (JSON) and {other}=...; a request has one body.",
        "Put every field in form=... and files=... (multipart) or all in body=... (JSON).",
    )


def test_operation_form_with_files_on_post_is_accepted():
    class Uploads(Resource):
        @operation(form=ID, files={"file": ma.fields.Raw()}, status=204)
        def post(self, form, files):
            return None

    assert set(Uploads.operations["POST"].inputs) == {"form", "files"}


# Responses.


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({}, ["Tasks.get declares no response.", "response=SomeSchema (200), status=204"]),
        ({"responses": {}}, ["Tasks.get declares responses={}; declare at least one."]),
        (
            {"response": ID, "responses": {200: ID}},
            ["Tasks.get declares both response=/status= and responses=; use one of them"],
        ),
        (
            {"status": 201, "responses": {201: ID}},
            ["Tasks.get declares both response=/status= and responses="],
        ),
        (
            {"responses": {200: ID, 404: None}},
            ["Tasks.get declares a 404 response;", "raise restkit.problems classes instead."],
        ),
        ({"status": 500}, ["Tasks.get declares a 500 response;", "raise restkit.problems"]),
        (
            {"responses": {204: ID}},
            ["Tasks.get declares a schema for 204, a status that has no body.", "{204: None}"],
        ),
        ({"response": ID, "status": 204}, ["Tasks.get declares a schema for 204"]),
        ({"responses": {200: ID, 304: ID}}, ["Tasks.get declares a schema for 304"]),
        ({"responses": {101: None}}, ["Tasks.get declares a 101 response; declare only success"]),
        ({"responses": {100: None}}, ["Tasks.get declares a 100 response;"]),
        ({"responses": {600: None}}, ["Tasks.get declares a response for 600; use 100-599."]),
        ({"responses": {99: None}}, ["Tasks.get declares a response for 99; use 100-599."]),
        ({"responses": {"200": ID}}, ["Tasks.get declares a response for '200'; use 100-599."]),
        ({"responses": {True: ID}}, ["Tasks.get declares a response for True; use 100-599."]),
        ({"status": 200.0}, ["Tasks.get declares a response for 200.0; use 100-599."]),
        (
            {"responses": {303: None}},
            ["Tasks.get declares no success (2xx) response; add one."],
        ),
        (
            {"responses": {200: int}},
            ["Tasks.get's response 200 is <class 'int'>, which is not a marshmallow schema."],
        ),
        ({"response": "TaskSchema"}, ["Tasks.get's response 200 is 'TaskSchema', which is not"]),
        ({"response": ma.fields.String()}, ["Tasks.get's response 200 is <fields.String"]),
        ({"response": {"id": int}}, ["Tasks.get's response 200 is {'id': <class 'int'>}"]),
        ({"query": int, "response": ID}, ["Tasks.get's query= is <class 'int'>, which is not"]),
        (
            {"response": ID, "max_body_size": 0},
            ["Tasks.get declares max_body_size=0; give a positive number of bytes."],
        ),
        ({"response": ID, "max_body_size": True}, ["Tasks.get declares max_body_size=True;"]),
        ({"response": ID, "max_body_size": "x"}, ["Tasks.get declares max_body_size='x';"]),
        ({"response": ID, "max_body_size": 1.5}, ["Tasks.get declares max_body_size=1.5;"]),
    ],
)
def test_operation_invalid_declaration_raises_declaration_error(kwargs, fragments):
    with pytest.raises(DeclarationError) as raised:

        class Tasks(Resource):
            @operation(**kwargs)
            def get(self, query=None):
                return None

    _assert_names(raised, *fragments)


@pytest.mark.parametrize(
    "schema",
    [TaskSchema, TaskSchema(), {"id": ma.fields.Integer(), "title": ma.fields.String()}],
    ids=["class", "instance", "dict-of-fields"],
)
def test_operation_schema_like_values_become_schema_instances(schema):
    class Tasks(Resource):
        @operation(query=schema, response=schema)
        def get(self, query):
            return query

    op = Tasks.operations["GET"]

    assert isinstance(op.inputs["query"].schema, ma.Schema)
    assert set(op.inputs["query"].schema.fields) == {"id", "title"}
    assert isinstance(op.responses[200].schema, ma.Schema)
    assert set(op.responses[200].schema.fields) == {"id", "title"}


def test_operation_dict_of_fields_renders_as_schema(make_client):
    class Tasks(Resource):
        @operation(response={"id": ma.fields.Integer(), "title": ma.fields.String()})
        def get(self):
            return {"id": 1, "title": "a", "hidden": True}

    response = make_client({"/tasks": Tasks}).get("/tasks")

    assert response.status_code == 200
    assert response.json == {"id": 1, "title": "a"}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"response": TaskSchema}, {200: TaskSchema}),
        ({"response": TaskSchema, "status": 201}, {201: TaskSchema}),
        ({"status": 204}, {204: None}),
        (
            {"responses": {201: TaskSchema, 202: None, 303: None}},
            {201: TaskSchema, 202: None, 303: None},
        ),
    ],
)
def test_operation_responses_resolve_to_response_specs(kwargs, expected):
    class Tasks(Resource):
        @operation(**kwargs)
        def post(self):
            return None

    responses = Tasks.operations["POST"].responses

    assert list(responses) == list(expected)
    for code, schema in expected.items():
        assert isinstance(responses[code], ResponseSpec)
        if schema is None:
            assert responses[code].schema is None
        else:
            assert isinstance(responses[code].schema, schema)


def test_operation_response_spec_kept_as_given():
    spec = ResponseSpec(TaskSchema(), description="The created task.")

    class Tasks(Resource):
        @operation(responses={201: spec})
        def post(self):
            return None

    assert Tasks.operations["POST"].responses[201] is spec


# Resource methods and signatures.


@pytest.mark.parametrize("method", ["get", "put", "post", "delete", "patch"])
def test_resource_method_without_operation_raises_declaration_error(method):
    def handler(self):
        return None

    with pytest.raises(DeclarationError) as raised:
        type("Tasks", (Resource,), {method: handler})

    _assert_names(
        raised,
        f"Tasks.{method} is not declared. Decorate it with @operation(...)",
        "@operation(response=SomeSchema)",
    )


def _as_is(function):
    return function


ASYNC_HOOKS = [
    ("get", operation(response=ID)),
    ("delete", operation(response=ID)),
    ("get_object", _as_is),
    ("authorize_object", _as_is),
]


@pytest.mark.parametrize(("hook", "declare"), ASYNC_HOOKS, ids=[h for h, _ in ASYNC_HOOKS])
def test_resource_async_method_or_hook_raises_declaration_error(hook, declare):
    async def coroutine(self, *args):
        return {"id": 1}

    async def generator(self, *args):
        yield {"id": 1}

    for defined in (coroutine, generator):
        with pytest.raises(DeclarationError) as raised:
            type("Tasks", (Resource,), {hook: declare(defined)})

        _assert_names(
            raised,
            f"Tasks.{hook} is an async def, but restkit views are synchronous",
            "Define it with def",
        )


def test_resource_non_http_methods_need_no_operation():
    class Tasks(Resource):
        @operation(response=ID)
        def get(self):
            return self.helper()

        def helper(self):
            return {"id": 1}

    assert list(Tasks.operations) == ["GET"]


@pytest.mark.parametrize("location", ["query", "headers", "cookies", "body"])
def test_resource_declared_location_without_parameter_raises_declaration_error(location):
    def handler(self):
        return None

    method = "post" if location == "body" else "get"
    decorated = operation(response=ID, **{location: ID})(handler)

    with pytest.raises(DeclarationError) as raised:
        type("Tasks", (Resource,), {method: decorated})

    _assert_names(
        raised,
        f"Tasks.{method} declares {location}=... but has no parameter named {location!r}",
        f"Add `{location}` to its parameters.",
    )


def test_resource_method_with_var_keyword_takes_every_input(make_client):
    class TaskItem(Resource):
        @operation(query={"q": ma.fields.String()}, response={"q": ma.fields.String()})
        def get(self, **kwargs):
            return {"q": f"{kwargs['query']['q']}-{kwargs['task_id']}"}

    response = make_client({"/tasks/<int:task_id>": TaskItem}).get("/tasks/3?q=x")

    assert response.status_code == 200
    assert response.json == {"q": "x-3"}


def test_resource_keyword_only_parameters_receive_inputs(make_client):
    class TaskItem(Resource):
        @operation(query={"q": ma.fields.String()}, response={"q": ma.fields.String()})
        def get(self, *, task_id, query):
            return {"q": f"{query['q']}-{task_id}"}

    response = make_client({"/tasks/<int:task_id>": TaskItem}).get("/tasks/3?q=x")

    assert response.status_code == 200
    assert response.json == {"q": "x-3"}


def test_operation_summary_and_description_from_docstring():
    class Tasks(Resource):
        @operation(response=ID)
        def get(self):
            """List the caller's
            tasks, newest first.

            Archived tasks are left out.

            Pass `?archived=true` to include them.
            """

        @operation(status=204)
        def delete(self):
            """Delete every task."""

        @operation(response=ID)
        def put(self):
            return None

    get, delete, put = (Tasks.operations[m] for m in ("GET", "DELETE", "PUT"))

    assert get.summary == "List the caller's tasks, newest first."
    assert get.description == (
        "Archived tasks are left out.\n\nPass `?archived=true` to include them."
    )
    assert (delete.summary, delete.description) == ("Delete every task.", None)
    assert (put.summary, put.description) == (None, None)


def test_operation_summary_and_description_arguments_override_docstring():
    class Tasks(Resource):
        @operation(response=ID, summary="Search tasks.", description="Full-text search.")
        def get(self):
            """List tasks.

            Long text.
            """

    op = Tasks.operations["GET"]

    assert (op.summary, op.description) == ("Search tasks.", "Full-text search.")
    assert op.declaration.summary == "Search tasks."


def test_operation_record_properties():
    class TaskItem(Resource):
        @operation(query=TaskSchema, headers={"x_trace": ma.fields.String()}, response=ID)
        def get(self, task_id, query, headers):
            return None

    op = TaskItem.operations["GET"]

    assert isinstance(op, Operation)
    assert (op.method, op.function_name, op.resource_name) == ("GET", "get", "TaskItem")
    assert op.qualname == "TaskItem.get"
    assert list(op.inputs) == ["query", "headers"]
    assert op.inputs["query"] == Input("query", op.inputs["query"].schema)
    assert isinstance(op.inputs["query"].schema, TaskSchema)
    assert list(op.responses) == [200]
    assert op.inputs is op.declaration.inputs
    assert op.responses is op.declaration.responses
    assert op.path_arguments == ()
    with pytest.raises(TypeError):
        op.inputs["body"] = op.inputs["query"]  # type: ignore[index]


def test_operation_declaration_keeps_every_option():
    class Tasks(Resource):
        @operation(
            response=ID,
            operation_id="listTasks",
            tags=["tasks", "admin"],
            deprecated=True,
            max_body_size=10,
        )
        def get(self):
            return None

    declaration = Tasks.operations["GET"].declaration

    assert declaration.operation_id == "listTasks"
    assert declaration.tags == ("tasks", "admin")
    assert declaration.policies.deprecated is True
    assert declaration.max_body_size == 10


def test_get_declaration_returns_the_recorded_declaration_or_none():
    def get(self):
        return None

    def tagged(self):
        return None

    tagged.__restkit_operation__ = "not a declaration"

    assert get_declaration(get) is None
    assert operation(response=ID)(get) is get
    assert list(get_declaration(get).responses) == [200]
    assert get_declaration(tagged) is None
    assert get_declaration(len) is None


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"qery": ID}, "'qery' (did you mean 'query'?)"),
        ({"header": ID}, "'header' (did you mean 'headers'?)"),
        ({"respones": ID}, "'respones' (did you mean 'responses'?)"),
        ({"zzz": 1}, "'zzz'."),
    ],
)
def test_operation_unknown_location_or_option_raises_with_suggestion(arguments, fragment):
    with pytest.raises(DeclarationError) as raised:
        operation(**arguments)

    _assert_names(raised, fragment, "The input locations are path, query, headers, cookies")
