"""`ModelItem`: one row of a model, named by the URL: get, replace, patch and delete it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import marshmallow as ma
from flask import request
from sqlalchemy import Column, ForeignKeyConstraint, Table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper

from restkit.errors import DeclarationError
from restkit.operation import operation
from restkit.patch import PatchFormat
from restkit.sqla._rows import fits, last_argument, storable, table_of
from restkit.sqla.resource import ModelResource

__all__ = ["ModelItem"]


class ModelItem(ModelResource):
    """One row of a model, named by the URL: `GET`, `PUT`, `PATCH` and `DELETE` it.

    `PUT` replaces the writable fields: one the body leaves out is reset to its column's
    default, or to null. `PATCH` takes a merge patch (`patch_formats` adds JSON Patch) whose
    result is validated with the whole schema. With a version column (`version_id_col`), the
    `ETag` is the version and a write whose `If-Match` is stale, or that loses a race with
    another writer, is a 412 problem.

    Attributes:
        lookup: The URL variable holding the primary key; the URL's last one by default.
            The others select by the columns they are named after (as in
            `/projects/<int:project_id>/tasks/<int:task_id>`).
        patch_formats: The patch formats `PATCH` takes: `("merge",)` or `("merge", "json")`.

    Example:
        ```python
        @tasks.route("/tasks/<int:task_id>")
        class TaskItem(ModelItem):
            model = Task
            require_if_match = True
        ```
    """

    lookup: ClassVar[str | None] = None
    patch_formats: ClassVar[tuple[PatchFormat, ...]] = ("merge",)

    _kind_methods = ("get", "put", "patch", "delete")
    _resets: ClassVar[Mapping[str, Any]] = {}
    _primary: ClassVar[Any] = None

    @classmethod
    def _kind(cls) -> str:
        return "ModelItem"

    @classmethod
    def _prepare_kind(cls) -> None:
        mapper: Mapper[Any] = sa_inspect(cls._model())
        cls._resets = _resets(cls.model_schema, mapper)
        cls._primary = mapper.primary_key[0]

    @classmethod
    def _scoping(cls, arguments: Sequence[str]) -> list[str]:
        lookup = cls.lookup or (arguments[-1] if arguments else None)
        if lookup is None or lookup not in arguments:
            raise DeclarationError(
                f"{cls.__name__} needs a URL variable for the primary key, such as "
                f"'/<int:id>'"
                + (f"; lookup={cls.lookup!r} is not one of the URL's." if cls.lookup else ".")
            )
        return [name for name in arguments if name != lookup]

    @classmethod
    def _generate(cls, name: str) -> Callable[..., Any]:
        singular, _ = cls._nouns()
        schema = cls.model_schema
        function: Callable[..., Any]
        if name == "get":

            def get(self: ModelItem, current: Any = None, **path: Any) -> Any:
                return current

            function, declared = (
                get,
                operation(
                    response=schema,
                    summary=f"Get a {singular}",
                    problems=cls._problems(False),
                    operation_id=cls.operation_ids.get("get"),
                ),
            )
        elif name == "put":

            def put(self: ModelItem, body: Any, current: Any = None, **path: Any) -> Any:
                return self.update_object(current, {**self._resets, **body})

            function, declared = (
                put,
                operation(
                    body=schema,
                    response=schema,
                    summary=f"Replace a {singular}",
                    operation_id=cls.operation_ids.get("put"),
                    problems=cls._problems(True),
                ),
            )
        elif name == "patch":

            def patch(self: ModelItem, body: Any, current: Any = None, **path: Any) -> Any:
                return self.update_object(current, body)

            function, declared = (
                patch,
                operation(
                    body=schema,
                    response=schema,
                    patch=cls.patch_formats,
                    summary=f"Update a {singular}",
                    operation_id=cls.operation_ids.get("patch"),
                    problems=cls._problems(True),
                ),
            )
        else:

            def delete(self: ModelItem, current: Any = None, **path: Any) -> None:
                self.delete_object(current)

            referenced = _is_referenced(table_of(cls.model))
            function, declared = (
                delete,
                operation(
                    status=204,
                    summary=f"Delete a {singular}",
                    operation_id=cls.operation_ids.get("delete"),
                    problems=[503, 409] if referenced else [503],
                ),
            )
        function.__qualname__ = f"{cls.__name__}.{name}"
        return declared(function)

    # -- hooks --------------------------------------------------------------------------------

    def get_object(self, **path: Any) -> Any:
        """Return the row the URL names among `get_query`'s, or `None` (a 404)."""
        lookup = self.lookup or last_argument(request.url_rule.rule if request.url_rule else "")
        others = {name: value for name, value in path.items() if name != lookup}
        primary = self._primary
        if not fits(primary, path[lookup]):
            return None
        statement = self.get_query(**others).where(primary == path[lookup])
        return self.get_session().scalars(statement.options(*self.load_options)).one_or_none()

    def update_object(self, obj: Any, data: Mapping[str, Any]) -> Any:
        """Write the loaded body onto the row and flush it; return the row."""
        for name, value in storable(self._naive_columns, data).items():
            setattr(obj, name, value)
        self.get_session().flush()
        return obj

    def delete_object(self, obj: Any) -> None:
        """Delete the row and flush."""
        session = self.get_session()
        session.delete(obj)
        session.flush()


def _is_referenced(table: Table | None) -> bool:
    if table is None:
        return False
    for other in table.metadata.tables.values():
        for constraint in other.constraints:
            if (
                isinstance(constraint, ForeignKeyConstraint)
                and constraint.referred_table is table
                and (constraint.ondelete or "").upper() not in ("CASCADE", "SET NULL")
            ):
                return True
    return False


def _resets(schema: ma.Schema, mapper: Mapper[Any]) -> dict[str, Any]:
    """What PUT writes for a field its body leaves out: the column default, or null."""
    resets: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        attribute = field.attribute or name
        prop = mapper.column_attrs.get(attribute)
        if prop is None or field.load_default is not ma.missing:
            continue
        column = prop.columns[0]
        if not isinstance(column, Column):
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            resets[attribute] = default.arg  # type: ignore[attr-defined]
        elif column.nullable:
            resets[attribute] = None
    return resets
