"""Flask-SQLAlchemy integration: model resources with CRUD, filters, sorting and SQL pages.

Install with the `sqla` extra (`pip install flask-restkit[sqla]`), which brings
Flask-SQLAlchemy and marshmallow-sqlalchemy.

```python
from restkit.sqla import ModelCollection, ModelItem


@tasks.route("/tasks")
class Tasks(ModelCollection):
    model = Task
    filters = {"done": "eq", "due_at": ("lt", "gte", "isnull")}
    sortable = ("due_at", "title")
    search = ("title",)


@tasks.route("/tasks/<int:task_id>")
class TaskItem(ModelItem):
    model = Task
```

See `restkit.sqla.resource` for the hooks (and `restkit.sqla.collection` and
`restkit.sqla.item` for those of each kind), `restkit.sqla.filtering` for the query syntax,
`restkit.sqla.paging` for pagination and `restkit.sqla.errors` for the problems database
errors become.
"""

from __future__ import annotations

from restkit.sqla.collection import ModelCollection
from restkit.sqla.errors import database_problem
from restkit.sqla.filtering import Filter, Operator
from restkit.sqla.item import ModelItem
from restkit.sqla.resource import ModelResource
from restkit.sqla.schemas import make_model_schema

__all__ = [
    "Filter",
    "ModelCollection",
    "ModelItem",
    "ModelResource",
    "Operator",
    "database_problem",
    "make_model_schema",
]
