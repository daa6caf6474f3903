"""URL rules, endpoints and names: declaration mistakes of blueprints and APIs fail early."""

from __future__ import annotations

import marshmallow as ma
import pytest
from flask import Flask

from restkit import Api, Blueprint, DeclarationError, Resource, operation
from tests.test_declarations import ID, _assert_names


def _item():
    class TaskItem(Resource):
        @operation(response=ID)
        def get(self):
            return {"id": 1}

    return TaskItem


def test_blueprint_url_variable_not_accepted_raises_at_add_resource():
    blueprint = Blueprint("tasks", url_prefix="/tasks")

    with pytest.raises(DeclarationError) as raised:
        blueprint.add_resource(_item(), "/<int:task_id>")

    _assert_names(
        raised,
        "TaskItem.get is mounted at '/tasks/<int:task_id>', whose URL variable 'task_id' it "
        "does not accept.",
        "Add `task_id` to its parameters, or change the URL.",
    )


def test_blueprint_prefix_variable_not_accepted_raises_declaration_error():
    blueprint = Blueprint("tasks", url_prefix="/lists/<int:list_id>")

    with pytest.raises(DeclarationError) as raised:
        blueprint.add_resource(_item(), "/items")

    _assert_names(
        raised,
        "TaskItem.get is mounted at '/lists/<int:list_id>/items', whose URL variable 'list_id'",
    )


ORG_MESSAGE = (
    "TaskItem.get is mounted at '/orgs/<org>/tasks', whose URL variable 'org' it does not "
    "accept. Add `org` to its parameters, or change the URL."
)


def test_api_prefix_variable_not_accepted_raises_at_init_app():
    blueprint = Blueprint("tasks")
    blueprint.add_resource(_item(), "/tasks")
    api = Api(url_prefix="/orgs/<org>")
    api.register_blueprint(blueprint)

    with pytest.raises(DeclarationError) as raised:
        api.init_app(Flask(__name__))

    _assert_names(raised, ORG_MESSAGE)


def test_api_prefix_variable_not_accepted_raises_at_register_after_init_app():
    blueprint = Blueprint("tasks")
    blueprint.add_resource(_item(), "/tasks")
    app = Flask(__name__)
    api = Api(app, url_prefix="/orgs/<org>")

    with pytest.raises(DeclarationError) as raised:
        api.register_blueprint(blueprint)

    _assert_names(raised, ORG_MESSAGE)


def test_required_parameter_nothing_supplies_raises_at_init_app():
    class Tasks(Resource):
        @operation(query=ID, response=ID)
        def get(self, query, limit):
            return {"id": limit}

    blueprint = Blueprint("tasks")
    blueprint.add_resource(Tasks, "/tasks")  # the API's prefix could still supply `limit`
    api = Api()
    api.register_blueprint(blueprint)
    with pytest.raises(DeclarationError) as raised:
        api.init_app(Flask(__name__))

    _assert_names(
        raised,
        "Tasks.get requires the argument 'limit', which neither its declared inputs nor the URL "
        "'/tasks' supply.",
        "Give it a default, declare it, or remove it.",
    )


def test_optional_parameter_nothing_supplies_is_accepted(make_client):
    class Tasks(Resource):
        @operation(response=ID)
        def get(self, limit=7):
            return {"id": limit}

    response = make_client({"/tasks": Tasks}).get("/tasks")

    assert response.status_code == 200
    assert response.json == {"id": 7}


def test_path_schema_missing_url_variable_raises_declaration_error():
    class TaskItem(Resource):
        @operation(path={"list_id": ma.fields.Integer()}, response=ID)
        def get(self, list_id, task_id):
            return {"id": task_id}

    with pytest.raises(DeclarationError) as raised:
        Blueprint("tasks").add_resource(TaskItem, "/lists/<list_id>/tasks/<task_id>")

    _assert_names(
        raised,
        "TaskItem.get declares path=... without field(s) task_id of the URL "
        "'/lists/<list_id>/tasks/<task_id>'. Add them to the path schema.",
    )


def test_path_schema_with_data_key_binds_attribute_names(make_client):
    class TaskItem(Resource):
        @operation(path={"ident": ma.fields.Integer(data_key="task_id")}, response=ID)
        def get(self, ident):
            return {"id": ident}

    client = make_client({"/tasks/<task_id>": TaskItem})
    response = client.get("/tasks/12")

    assert response.status_code == 200
    assert response.json == {"id": 12}


# Blueprints and rules.


def test_blueprint_two_resources_on_one_endpoint_raise_declaration_error():
    class Tasks(Resource):
        @operation(response=ID)
        def get(self):
            return {"id": 1}

    blueprint = Blueprint("tasks")
    blueprint.add_resource(Tasks, "/tasks")

    with pytest.raises(DeclarationError) as raised:
        blueprint.add_resource(_item(), "/other", endpoint="Tasks")

    _assert_names(
        raised,
        "Blueprint 'tasks' already has the endpoint 'Tasks' (Tasks at '/tasks'); "
        "TaskItem at '/other' needs another: pass endpoint='...'.",
    )


def test_blueprint_resource_without_operations_raises_declaration_error():
    class Empty(Resource):
        """Nothing here."""

    with pytest.raises(DeclarationError) as raised:
        Blueprint("tasks").add_resource(Empty, "/empty")

    _assert_names(
        raised,
        "Empty declares no operation; define at least one of get, post, put, patch or delete",
    )


@pytest.mark.parametrize(
    "value", [object, Flask, lambda: None, "Tasks", Resource(), None], ids=repr
)
def test_blueprint_add_non_resource_raises_declaration_error(value):
    with pytest.raises(DeclarationError) as raised:
        Blueprint("tasks").add_resource(value, "/x")

    _assert_names(raised, f"Blueprint 'tasks' was given {value!r} for '/x'; add a restkit Resource")


@pytest.mark.parametrize("rule", ["tasks", "", None])
def test_blueprint_rule_without_leading_slash_raises_declaration_error(rule):
    with pytest.raises(DeclarationError) as raised:
        Blueprint("tasks").add_resource(_item(), rule)

    _assert_names(raised, f"TaskItem's URL rule {rule!r} must start with '/'.")


@pytest.mark.parametrize("rule", ["/<int:>", "/<task_id", "/<int(nope=1):task_id>", "/<a>/<a>"])
def test_blueprint_invalid_rule_raises_declaration_error(rule):
    with pytest.raises(DeclarationError) as raised:
        Blueprint("tasks").add_resource(_item(), rule)

    _assert_names(raised, f"The URL rule {rule!r} is invalid:")


def test_blueprint_rule_with_converter_the_app_lacks_raises_at_init_app():
    class TaskItem(Resource):
        @operation(response=ID)
        def get(self, task_id):
            return {"id": 1}

    blueprint = Blueprint("tasks")
    blueprint.add_resource(TaskItem, "/<nope:task_id>")  # the app's converters are not known yet
    api = Api()
    api.register_blueprint(blueprint)

    with pytest.raises(DeclarationError) as raised:
        api.init_app(Flask(__name__))

    _assert_names(
        raised,
        "The URL rule '/<nope:task_id>' uses the converter 'nope', which the app's "
        "url_map.converters lacks. Register it before init_app "
        "(app.url_map.converters['nope'] = YourConverter), or use one the app has: any, "
        "default, float, int, path, string, uuid.",
    )


@pytest.mark.parametrize("endpoint", ["a.b", "has space", "1st"])
def test_blueprint_invalid_endpoint_raises_declaration_error(endpoint):
    with pytest.raises(DeclarationError) as raised:
        Blueprint("tasks").add_resource(_item(), "/x", endpoint=endpoint)

    _assert_names(raised, f"Endpoint name {endpoint!r} for TaskItem is invalid;")


@pytest.mark.parametrize("name", ["a.b", "", "1st", "with space", "a/b", None, 3])
def test_blueprint_invalid_name_raises_declaration_error(name):
    with pytest.raises(DeclarationError) as raised:
        Blueprint(name)

    _assert_names(raised, f"Blueprint name {name!r} is invalid; use letters, digits, '_' and '-'")


@pytest.mark.parametrize("name", ["a.b", "", "1st", "with space", None])
def test_api_invalid_name_raises_declaration_error(name):
    with pytest.raises(DeclarationError) as raised:
        Api(name=name)

    _assert_names(raised, f"Api name {name!r} is invalid; use letters, digits, '_' and '-'.")


# Documentation and records.
