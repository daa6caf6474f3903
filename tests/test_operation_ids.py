from __future__ import annotations

import re

import marshmallow as ma
import pytest
from flask import Flask

from restkit import Api, Blueprint, DeclarationError, Resource, operation
from restkit.spec.operation_ids import make_operation_id, plural, singular
from tests.spec_helpers import build

OK = {"ok": ma.fields.Boolean()}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# make_operation_id


@pytest.mark.parametrize(
    ("resource", "rule", "expected"),
    [
        # item: the rule ends with a variable, the noun is singular
        (
            "TaskItem",
            "/tasks/<int:id>",
            ["getTask", "createTask", "updateTask", "patchTask", "deleteTask"],
        ),
        # collection: a plural noun; POST creates one
        (
            "Tasks",
            "/tasks",
            ["listTasks", "createTask", "updateTasks", "patchTasks", "deleteTasks"],
        ),
        # singleton: a singular noun without a trailing variable
        ("Me", "/me", ["getMe", "createMe", "updateMe", "patchMe", "deleteMe"]),
        (
            "ProjectTasks",
            "/projects/<int:project_id>/tasks",
            [
                "listProjectTasks",
                "createProjectTask",
                "updateProjectTasks",
                "patchProjectTasks",
                "deleteProjectTasks",
            ],
        ),
        (
            "ProjectTaskItem",
            "/projects/<int:project_id>/tasks/<int:task_id>",
            [
                "getProjectTask",
                "createProjectTask",
                "updateProjectTask",
                "patchProjectTask",
                "deleteProjectTask",
            ],
        ),
    ],
)
def test_make_operation_id_for_each_method_follows_the_table(resource, rule, expected):
    assert [make_operation_id(resource, method, rule) for method in METHODS] == expected


@pytest.mark.parametrize(
    ("resource", "method", "rule", "expected"),
    [
        ("Categories", "GET", "/categories", "listCategories"),
        ("Categories", "POST", "/categories", "createCategory"),
        ("Boxes", "GET", "/boxes", "listBoxes"),
        ("Boxes", "POST", "/boxes", "createBox"),
        ("Addresses", "GET", "/addresses", "listAddresses"),
        ("Addresses", "POST", "/addresses", "createAddress"),
        ("Addresses", "GET", "/addresses/<int:id>", "getAddress"),
        ("Categories", "DELETE", "/categories/<int:id>", "deleteCategory"),
        # invariant nouns are singletons, not collections
        ("Status", "GET", "/status", "getStatus"),
        ("News", "GET", "/news", "getNews"),
        ("Settings", "PATCH", "/settings", "patchSettings"),
        # acronyms keep their case
        ("HTTPHeaders", "GET", "/headers", "listHTTPHeaders"),
        ("HTTPHeaders", "POST", "/headers", "createHTTPHeader"),
        # a trailing slash does not hide the trailing variable
        ("Tasks", "GET", "/tasks/<int:id>/", "getTask"),
        ("Countries", "GET", "/countries/<string(length=2):code>", "getCountry"),
    ],
)
def test_make_operation_id_plural_nouns_pick_verb_and_number(resource, method, rule, expected):
    assert make_operation_id(resource, method, rule) == expected


@pytest.mark.parametrize(
    ("resource", "rule", "expected"),
    [
        ("TaskResource", "/tasks/<int:id>", "getTask"),
        ("TaskItem", "/tasks/<int:id>", "getTask"),
        ("TaskDetail", "/tasks/<int:id>", "getTask"),
        ("TaskView", "/tasks/<int:id>", "getTask"),
        ("TasksResource", "/tasks", "listTasks"),
        ("TasksView", "/tasks", "listTasks"),
        # the List and Collection suffixes name collections themselves
        ("TaskList", "/tasks", "listTasks"),
        ("TaskCollection", "/tasks", "listTasks"),
        # a suffix alone is the whole name, not stripped
        ("Resource", "/resource", "getResource"),
        ("Item", "/items/<int:id>", "getItem"),
        # only one suffix is stripped
        ("ItemResource", "/items/<int:id>", "getItem"),
    ],
)
def test_make_operation_id_strips_one_class_suffix(resource, rule, expected):
    assert make_operation_id(resource, "GET", rule) == expected


def test_make_operation_id_name_without_words_is_kept():
    assert make_operation_id("_", "GET", "/x") == "get_"


# singular and plural


@pytest.mark.parametrize(
    ("noun", "expected"),
    [
        ("Tasks", "Task"),
        ("Categories", "Category"),
        ("CATEGORIES", "CATEGORY"),
        ("Boxes", "Box"),
        ("Addresses", "Address"),
        ("Matches", "Match"),
        ("Wishes", "Wish"),
        ("Buzzes", "Buzz"),
        ("Days", "Day"),
        ("Ids", "Id"),
        ("IDs", "ID"),
        ("Task", "Task"),
        ("Class", "Class"),
        ("Bus", "Bus"),
        ("Go", "Go"),
        ("Status", "Status"),
        ("News", "News"),
        ("Series", "Series"),
        ("Data", "Data"),
        ("Info", "Info"),
        ("Settings", "Settings"),
        ("Me", "Me"),
        # regular -ies plurals of -ie nouns, and the plural of an invariant's regular form
        ("Movies", "Movie"),
        ("Statuses", "Status"),
    ],
)
def test_singular_of_noun_matches_table(noun, expected):
    assert singular(noun) == expected


@pytest.mark.parametrize(
    ("noun", "expected"),
    [
        ("Task", "Tasks"),
        ("Category", "Categories"),
        ("Key", "Keys"),
        ("Day", "Days"),
        ("Box", "Boxes"),
        ("Address", "Addresses"),
        ("Match", "Matches"),
        ("Wish", "Wishes"),
        ("Bus", "Buses"),
        ("ID", "IDs"),
        ("Status", "Status"),
        ("News", "News"),
        ("Me", "Me"),
    ],
)
def test_plural_of_noun_matches_table(noun, expected):
    assert plural(noun) == expected


@pytest.mark.parametrize("noun", ["Task", "Category", "Box", "Address", "Match", "Wish", "Day"])
def test_singular_of_plural_round_trips(noun):
    assert singular(plural(noun)) == noun


# in the document


class TaskItem(Resource):
    @operation(response=OK)
    def get(self, task_id): ...

    @operation(body=OK, response=OK)
    def put(self, task_id, body): ...

    @operation(body=OK, response=OK)
    def patch(self, task_id, body): ...

    @operation(status=204)
    def delete(self, task_id): ...


class Tasks(Resource):
    @operation(response=OK)
    def get(self): ...

    @operation(body=OK, response=OK)
    def post(self, body): ...


def _operation_ids(document):
    return {
        (method.upper(), path): op["operationId"]
        for path, item in document["paths"].items()
        for method, op in item.items()
    }


def test_document_operation_ids_are_derived_per_method():
    document = build({"/tasks": Tasks, "/tasks/<int:task_id>": TaskItem})

    assert _operation_ids(document) == {
        ("GET", "/tasks"): "listTasks",
        ("POST", "/tasks"): "createTask",
        ("GET", "/tasks/{task_id}"): "getTask",
        ("PUT", "/tasks/{task_id}"): "updateTask",
        ("PATCH", "/tasks/{task_id}"): "patchTask",
        ("DELETE", "/tasks/{task_id}"): "deleteTask",
    }


def test_document_explicit_operation_id_wins():
    class Tasks(Resource):
        @operation(response=OK, operation_id="searchTasks")
        def get(self): ...

        @operation(body=OK, response=OK)
        def post(self, body): ...

    document = build({"/tasks": Tasks})

    assert _operation_ids(document) == {
        ("GET", "/tasks"): "searchTasks",
        ("POST", "/tasks"): "createTask",
    }


def test_document_list_and_detail_resources_get_distinct_operation_ids():
    class TaskList(Resource):
        @operation(response=OK)
        def get(self): ...

    class TaskDetail(Resource):
        @operation(response=OK)
        def get(self, task_id): ...

    document = build({"/tasks": TaskList, "/tasks/<int:task_id>": TaskDetail})

    assert _operation_ids(document) == {
        ("GET", "/tasks"): "listTasks",
        ("GET", "/tasks/{task_id}"): "getTask",
    }


def _init_app(*routes):
    blueprint = Blueprint("test")
    for rule, resource in routes:
        blueprint.add_resource(resource, rule)
    api = Api()
    api.register_blueprint(blueprint)
    api.init_app(Flask(__name__))


def test_two_operations_deriving_one_id_raise_declaration_error_naming_both():
    class Tasks(Resource):
        @operation(response=OK)
        def get(self): ...

    class TasksCollection(Resource):
        @operation(response=OK)
        def get(self): ...

    expected = (
        "The operationId 'listTasks' is used twice: by GET /archive/tasks "
        "(TasksCollection.get) and by GET /tasks (Tasks.get). Rename a resource, or pass "
        "operation_id='...' to one @operation."
    )
    with pytest.raises(DeclarationError, match=re.escape(expected)):
        _init_app(("/tasks", Tasks), ("/archive/tasks", TasksCollection))


def test_two_explicit_equal_operation_ids_raise_declaration_error_naming_both():
    class Tasks(Resource):
        @operation(response=OK, operation_id="tasks")
        def get(self): ...

    class TaskItem(Resource):
        @operation(status=204, operation_id="tasks")
        def delete(self, task_id): ...

    expected = (
        "The operationId 'tasks' is used twice: by GET /tasks (Tasks.get) and by "
        "DELETE /tasks/<int:task_id> (TaskItem.delete)."
    )
    with pytest.raises(DeclarationError, match=re.escape(expected)):
        _init_app(("/tasks", Tasks), ("/tasks/<int:task_id>", TaskItem))


def test_explicit_operation_id_equal_to_a_derived_one_raises_declaration_error():
    class Tasks(Resource):
        @operation(response=OK)
        def get(self): ...

    class Search(Resource):
        @operation(response=OK, operation_id="listTasks")
        def get(self): ...

    with pytest.raises(DeclarationError, match=r"'listTasks' is used twice.*Search\.get"):
        _init_app(("/tasks", Tasks), ("/search", Search))
