"""A model collection's created rows need one item resource for their `Location`.

The generated `POST` answers 201 with the URL of the item resource of the same model. Which
item that is, or that there is none, or several, is known once the blueprint is mounted, so
`Api.init_app` refuses the ambiguous and the missing ones (`Resource.check_blueprint`)
rather than the first create answering 500.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from flask import Flask

from restkit import Api, Blueprint, DeclarationError, Resource, operation
from restkit.sqla import ModelCollection, ModelItem, ModelResource
from tests.spec_helpers import mount
from tests.sqla_app import Project, Task, db
from tests.sqla_helpers import Mounter, mounter


def declare(base: type[ModelResource], name: str, **attributes: Any) -> type[ModelResource]:
    return type(name, (base,), {"model": Task, **attributes})


@pytest.fixture
def make_app(sqla_database: tuple[str, dict[str, Any]]) -> Iterator[Mounter]:
    with mounter(sqla_database) as made:
        yield made


TaskItem = declare(ModelItem, "TaskItem")
OtherTaskItem = declare(ModelItem, "OtherTaskItem")
ProjectItem = type("ProjectItem", (ModelItem,), {"model": Project})


@pytest.mark.parametrize(
    ("routes", "match"),
    [
        (
            {"/tasks": declare(ModelCollection, "Tasks")},
            r"^Tasks answers a created row with the URL of the ModelItem of Task in blueprint "
            r"'test', but none is mounted there\. Mount one, set item=\.\.\. on the collection, "
            r"or override get_location\(\)\.$",
        ),
        (
            {
                "/tasks": declare(ModelCollection, "Tasks"),
                "/tasks/<int:id>": TaskItem,
                "/chores/<int:id>": OtherTaskItem,
            },
            r"but several are \(TaskItem, OtherTaskItem\) mounted there",
        ),
        (
            {"/tasks": declare(ModelCollection, "Tasks", item=ProjectItem)},
            r"^Tasks\.item is ProjectItem, a resource of Project, but Tasks creates Task rows, "
            r"whose Location must be their own URL\. Name an item of the same model\.$",
        ),
    ],
)
def test_sqla_item_location_missing_or_ambiguous_raises_at_init_app(
    routes: dict[str, type[Resource]], match: str
) -> None:
    with pytest.raises(DeclarationError, match=match):
        mount(routes)


@pytest.mark.parametrize(
    ("item", "match"),
    [
        (None, r"but several are \(TaskItem, TaskItem\) mounted there"),
        (
            TaskItem,
            r"^Tasks's created rows are answered with the URL of TaskItem, which blueprint "
            r"'twice' mounts 2 times\. Mount it once, or override get_location\(\)\.$",
        ),
    ],
)
def test_sqla_item_location_item_mounted_twice_raises_at_init_app(
    item: type[ModelItem] | None, match: str
) -> None:
    blueprint = Blueprint("twice")
    blueprint.add_resource(declare(ModelCollection, "Tasks", item=item), "/tasks")
    blueprint.add_resource(TaskItem, "/tasks/<int:id>")
    blueprint.add_resource(TaskItem, "/chores/<int:id>", endpoint="chore")
    api = Api(title="Twice", version="1")
    api.register_blueprint(blueprint)

    with pytest.raises(DeclarationError, match=match):
        api.init_app(Flask(__name__))


def _own_location(self: ModelCollection, obj: Any, **path: Any) -> str:
    return f"/elsewhere/{obj.id}"


@pytest.mark.parametrize(
    "attributes",
    [{"methods": ("get",)}, {"get_location": _own_location}],
    ids=["no post", "own get_location"],
)
def test_sqla_item_location_not_needed_is_not_checked(attributes: dict[str, Any]) -> None:
    app, _ = mount({"/tasks": declare(ModelCollection, "Tasks", **attributes)})

    assert [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.endswith("Tasks")]


def test_sqla_item_location_collection_with_own_post_is_not_checked(make_app: Mounter) -> None:
    class Tasks(ModelCollection):
        model = Task

        @operation(status=204)
        def post(self) -> None:
            """Accept nothing."""

    app = make_app({"/tasks": Tasks})

    assert app.test_client().post("/v1/tasks").status_code == 204


def test_sqla_item_location_own_get_location_answers_the_create(make_app: Mounter) -> None:
    tasks = declare(ModelCollection, "Tasks", get_location=_own_location, writable=("project_id",))
    app = make_app({"/tasks": tasks})
    with app.app_context():
        db.session.add(Project(name="Home"))
        db.session.commit()

    response = app.test_client().post("/v1/tasks", json={"title": "Milk", "project_id": 1})

    assert response.status_code == 201
    assert response.headers["Location"] == f"/elsewhere/{response.json['id']}"


def test_sqla_item_location_named_item_in_another_blueprint_answers_the_create(
    sqla_database: tuple[str, dict[str, Any]],
) -> None:
    url, options = sqla_database
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
    db.init_app(app)
    writes, reads = Blueprint("writes"), Blueprint("reads", url_prefix="/read")
    tasks = declare(ModelCollection, "Tasks", item=TaskItem, writable=("project_id",))
    writes.add_resource(tasks, "/tasks")
    reads.add_resource(TaskItem, "/tasks/<int:id>")
    api = Api(title="Split", version="1")
    api.register_blueprint(writes)
    api.register_blueprint(reads)
    api.init_app(app)
    try:
        with app.app_context():
            db.create_all()
            db.session.add(Project(name="Home"))
            db.session.commit()

        response = app.test_client().post("/tasks", json={"title": "Milk", "project_id": 1})

        assert response.status_code == 201
        assert response.headers["Location"] == f"/read/tasks/{response.json['id']}"
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_sqla_item_location_check_blueprint_sees_every_neighbour() -> None:
    seen: list[tuple[str, list[str], str]] = []

    def watcher(name: str) -> type[Resource]:
        def get(self: Resource) -> None:
            """Answer nothing."""

        def check_blueprint(
            cls: type[Resource], resources: Sequence[type[Resource]], where: str
        ) -> None:
            seen.append((cls.__name__, [resource.__name__ for resource in resources], where))

        return type(
            name,
            (Resource,),
            {"get": operation(status=204)(get), "check_blueprint": classmethod(check_blueprint)},
        )

    mount({"/a": watcher("First"), "/tasks/<int:id>": TaskItem, "/b": watcher("Second")})

    neighbours = ["First", "TaskItem", "Second"]
    assert seen == [(name, neighbours, "blueprint 'test'") for name in ("First", "Second")]
