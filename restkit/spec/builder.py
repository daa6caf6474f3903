"""The OpenAPI document, built from the mounted routes' operation records.

This module is pure: it reads `MountedRoute` records and schemas, never Flask's request
globals, so the document can be built and tested without a request. apispec's marshmallow
plugin turns schemas into JSON Schema; restkit adds what the code does and apispec cannot know:
path parameters from Flask's converters, header names, multipart bodies with files, the
problems each operation can answer with, operationIds, and the translations that differ
between OpenAPI 3.0 and 3.1 (exclusive bounds, examples, files). The schema conversion itself,
apispec's with restkit's rules, is `restkit.spec._converter`'s.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast

import marshmallow as ma
import orjson
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter

from restkit._locations import is_multiple
from restkit.blueprint import Blueprint, MountedRoute
from restkit.errors import DeclarationError
from restkit.operation import Operation
from restkit.parsing import effective_unknown, header_name
from restkit.problems import (
    PROBLEM_CONTENT_TYPE,
    ProblemSchema,
    ValidationProblemSchema,
    problem_for_status,
)
from restkit.resource import HTTP_METHODS
from restkit.spec._converter import (
    NUL_FREE_PATTERN,
    ComponentNames,
    Converter,
    component_name,
    translate_examples,
    true_types,
    types_of,
)
from restkit.spec.features import FeatureWriter
from restkit.spec.operation_ids import make_operation_id
from restkit.spec.paths import converter_schema, openapi_path
from restkit.spec.security import SecurityWriter

__all__ = ["NUL_FREE_PATTERN", "build_spec", "component_name"]

_BODY_LOCATIONS = ("body", "form", "files")
_PARAMETER_LOCATIONS = {"query": "query", "headers": "header", "cookies": "cookie"}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class _Builder:
    def __init__(
        self,
        *,
        title: str,
        version: str,
        openapi_version: str,
        info: Mapping[str, Any],
        store_failure: str = "closed",
        secured: bool = False,
    ):
        self.names = ComponentNames()
        resolver = cast(Callable[[type[ma.Schema]], str], self.names)  # None means inline
        self.plugin = MarshmallowPlugin(schema_name_resolver=resolver)
        self.plugin.Converter = Converter
        self.spec = APISpec(
            title=title,
            version=version,
            openapi_version=openapi_version,
            plugins=[self.plugin],
            **info,
        )
        self.v31 = openapi_version.startswith("3.1")
        # APISpec(plugins=...) gave the plugin its converter.
        self.converter = cast(OpenAPIConverter, self.plugin.converter)
        self.converter.add_attribute_function(true_types)
        if self.v31:
            self.converter.add_attribute_function(translate_examples)
        self.problem = self.resolve(ProblemSchema)
        self.validation_problem = self.resolve(ValidationProblemSchema)
        self.operation_ids: dict[str, str] = {}
        self.features = FeatureWriter(
            self.spec,
            resolve=self.resolve,
            inline=self.inline,
            names=self.names,
            store_failure=store_failure,
        )
        self.security = SecurityWriter(self.spec, secured=secured)

    def resolve(self, schema: type[ma.Schema] | ma.Schema) -> dict[str, Any]:
        resolved: dict[str, Any] = self.converter.resolve_nested_schema(schema)
        return resolved

    def add_route(self, mounted: MountedRoute) -> None:
        path = openapi_path(mounted.rule)
        converters = mounted.converters
        operations = _Operations()
        for name in HTTP_METHODS:
            op = mounted.operations.get(name.upper())
            if op is not None:
                operations[name] = self.operation(mounted, op, converters)
        self.spec.path(path=path, operations=operations)

    def operation(
        self, mounted: MountedRoute, op: Operation, converters: Mapping[str, Any]
    ) -> dict[str, Any]:
        declaration = op.declaration
        operation_id = declaration.operation_id or make_operation_id(
            op.resource_name, op.method, mounted.rule
        )
        where = f"{op.method} {mounted.rule} ({op.qualname})"
        taken = self.operation_ids.setdefault(operation_id, where)
        if taken != where:
            raise DeclarationError(
                f"The operationId {operation_id!r} is used twice: by {taken} and by {where}. "
                "Rename a resource, or pass operation_id='...' to one @operation."
            )
        result: dict[str, Any] = {
            "operationId": operation_id,
            "tags": list(dict.fromkeys((mounted.blueprint.name, *declaration.tags))),
        }
        if op.summary:
            result["summary"] = op.summary
        if op.description:
            result["description"] = op.description
        if op.features.deprecation is not None:
            result["deprecated"] = True
        parameters = self.parameters(op, converters) + self.features.parameters(op)
        if parameters:
            result["parameters"] = parameters
        body = self.request_body(op)
        if body is not None:
            result["requestBody"] = body
        # A resource's object hook may answer 403 or 404 to every method.
        codes = self.security.problem_statuses(
            op, authorizes_objects=hasattr(mounted.route.resource, "authorize_object")
        )
        result["responses"] = self.responses(op, has_path=bool(converters), more=codes)
        security = self.security.security(op)
        if security is not None:
            result["security"] = security
        return result

    def parameters(self, op: Operation, converters: Mapping[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        path_input = op.inputs.get("path")
        if path_input is not None:
            found.extend(self.converter.schema2parameters(path_input.schema, location="path"))
        else:
            for name, converter in converters.items():
                found.append(
                    {
                        "in": "path",
                        "name": name,
                        "required": True,
                        "schema": converter_schema(converter),
                    }
                )
        for location, where in _PARAMETER_LOCATIONS.items():
            declared = op.inputs.get(location)  # type: ignore[call-overload]
            if declared is None:
                continue
            parameters = self.converter.schema2parameters(declared.schema, location=where)
            fields = _fields_by_key(declared.schema)
            for parameter in parameters:
                field = fields.get(parameter["name"])
                if "array" in types_of(parameter["schema"]) and field is not None:
                    _list_style(parameter, where, multiple=is_multiple(field))
                if location == "headers" and field is not None and field.data_key is None:
                    parameter["name"] = header_name(parameter["name"])
            found.extend(parameters)
        return found

    def request_body(self, op: Operation) -> dict[str, Any] | None:
        inputs = op.inputs
        example = op.declaration.request_example
        if "body" in inputs and op.declaration.patch:
            return self.features.patch_body(op, inputs["body"].schema)
        if "body" in inputs:
            media: dict[str, Any] = {"schema": self.resolve(inputs["body"].schema)}
            if example is not None:
                media["example"] = example
            return {"required": True, "content": {"application/json": media}}
        if "files" in inputs:
            # One multipart body carries the files and the form fields: one inline object, so
            # Swagger UI shows a file picker beside the fields.
            schema: dict[str, Any] = {"type": "object", "properties": {}}
            required: list[str] = []
            if "form" in inputs:
                self.merge_object(schema, required, self.inline(inputs["form"].schema))
            self.merge_object(schema, required, self.file_object(inputs["files"].schema))
            if required:
                schema["required"] = required
            if all(
                effective_unknown(inputs[location].schema, location) == ma.RAISE
                for location in ("form", "files")
                if location in inputs
            ):
                schema["additionalProperties"] = False  # an unknown part of either is refused
            return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
        if "form" in inputs:
            media = {"schema": self.resolve(inputs["form"].schema)}
            if example is not None:
                media["example"] = example
            return {"required": True, "content": {kind: dict(media) for kind in _FORM_TYPES}}
        return None

    def inline(self, schema: ma.Schema) -> dict[str, Any]:
        converted: dict[str, Any] = self.converter.schema2jsonschema(schema)
        return converted

    @staticmethod
    def merge_object(target: dict[str, Any], required: list[str], part: Mapping[str, Any]) -> None:
        target["properties"].update(part.get("properties", {}))
        required.extend(part.get("required", ()))

    def file_object(self, schema: ma.Schema) -> dict[str, Any]:
        converted = self.inline(schema)
        binary: dict[str, Any] = {"type": "string", "format": "binary"}
        if self.v31:
            binary["contentMediaType"] = "application/octet-stream"
        for name, prop in converted.get("properties", {}).items():
            description = prop.get("description")
            items = prop.get("type") == "array" or "array" in types_of(prop)
            replacement: dict[str, Any] = (
                {"type": "array", "items": dict(binary)} if items else dict(binary)
            )
            if description:
                replacement["description"] = description
            converted["properties"][name] = replacement
        return converted

    def responses(
        self, op: Operation, *, has_path: bool, more: set[int] | None = None
    ) -> dict[str, Any]:
        responses: dict[str, Any] = {}
        for code, spec in op.responses.items():
            response: dict[str, Any] = {
                "description": spec.description or HTTPStatus(code).phrase,
            }
            headers: dict[str, Any] = {}
            if code == 201 and spec.location:
                headers["Location"] = {
                    "description": "The URL of the created resource.",
                    "required": True,
                    "schema": {"type": "string", "format": "uri-reference"},
                }
            has_body = spec.schema is not None or bool(spec.content_types)
            headers.update(self.features.success_headers(op, code, has_body))
            for name, text in spec.headers.items():
                headers[name] = {"description": text, "schema": {"type": "string"}}
            if headers:
                response["headers"] = headers
            if spec.schema is not None:
                envelope = self.features.envelope(op, code, spec.schema)
                media: dict[str, Any] = {
                    "schema": envelope if envelope is not None else self.resolve(spec.schema)
                }
                if spec.example is not None:
                    media["example"] = spec.example
                response["content"] = {"application/json": media}
            elif spec.content_types:
                response["content"] = {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in spec.content_types
                }
            responses[str(code)] = response
        responses.update(self.features.extra_responses(op))
        codes = set(self.problem_statuses(op, has_path=has_path))
        codes.update(self.features.problem_statuses(op))
        codes.update(more or ())
        for code in sorted(codes):
            responses[str(code)] = self.problem_response(op, code)
        default: dict[str, Any] = {
            "description": "Any other error, such as 405 or 500, as a problem.",
            "content": {PROBLEM_CONTENT_TYPE: {"schema": self.problem}},
        }
        every = self.features.every_response_headers(op)
        if every:
            default["headers"] = every
        responses["default"] = default
        return responses

    def problem_response(self, op: Operation, code: int) -> dict[str, Any]:
        """Return the response object of one of the operation's problems."""
        schema = self.validation_problem if code == 422 else self.problem
        description = self.security.description(op, code) or problem_for_status(code).title
        problem: dict[str, Any] = {
            "description": description,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": schema}},
        }
        headers = self.features.problem_headers(op, code)
        headers.update(self.security.problem_headers(op, code))
        if headers:
            problem["headers"] = headers
        return problem

    @staticmethod
    def problem_statuses(op: Operation, *, has_path: bool) -> list[int]:
        codes = set(op.declaration.problems)
        inputs = op.inputs
        if any(location in inputs for location in _BODY_LOCATIONS):
            codes.update((400, 413, 415))
        if inputs:
            codes.add(422)
        if has_path:
            codes.add(404)
        return sorted(codes)

    def to_dict(self, blueprints: Sequence[Blueprint]) -> dict[str, Any]:
        built = self.spec.to_dict()
        result: dict[str, Any] = {"openapi": built["openapi"], "info": built["info"]}
        tags = [_tag(blueprint) for blueprint in blueprints]
        if tags:
            result["tags"] = tags
        result["paths"] = dict(sorted(built.get("paths", {}).items()))
        components = built.get("components", {})
        schemas = components.get("schemas", {})
        # Problems carry extension members: their objects allow other properties.
        for name in ("Problem", "ValidationProblem"):
            schemas[name]["additionalProperties"] = True
        result["components"] = {"schemas": dict(sorted(schemas.items()))}
        for kind in ("parameters", "headers", "securitySchemes"):
            if components.get(kind):
                result["components"][kind] = dict(sorted(components[kind].items()))
        converted: dict[str, Any] = _plain_json(result)
        return converted


class _Operations(dict[str, Any]):
    """A path's operations, handed to `APISpec.path` without the deep copy it makes.

    apispec copies operations because a caller might reuse them; these are made for that one
    call. Its changes (schemas resolved to references, response codes as strings) come out
    the same when a dict that two operations share is changed twice. The copy was a sixth of
    the document's build time. `to_dict` copies the finished document, so no two places in it
    share an object.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _Operations:
        return self


def _tag(blueprint: Blueprint) -> dict[str, str]:
    tag = {"name": blueprint.name}
    if blueprint.description:
        tag["description"] = blueprint.description
    return tag


def _fields_by_key(schema: ma.Schema) -> dict[str, ma.fields.Field[Any]]:
    return {
        field.data_key if field.data_key is not None else name: field
        for name, field in schema.load_fields.items()
    }


def _list_style(parameter: dict[str, Any], where: str, *, multiple: bool) -> None:
    """Document a list parameter the way restkit reads it."""
    if where == "header":
        # RFC 9110 §5.3: one comma-separated line (repeated lines arrive joined).
        parameter["style"], parameter["explode"] = "simple", False
    elif multiple:
        parameter["style"], parameter["explode"] = "form", True  # ?tag=a&tag=b
    else:
        parameter["style"], parameter["explode"] = "form", False  # ?tags=a,b


_PASSTHROUGH = (
    orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _plain_json(value: Any) -> Any:
    """Return a fresh copy of a document of JSON values, with Decimals as numbers.

    A round trip through orjson makes the copy in C. A document holding anything else (a
    date, an integer beyond 64 bits, a key that is not a string) is copied by `_json_values`,
    which leaves such values as they are, as it does for every document.
    """
    try:
        return orjson.loads(orjson.dumps(value, default=_number, option=_PASSTHROUGH))
    except orjson.JSONEncodeError:
        return _json_values(value)


def _number(value: Any) -> Any:
    if type(value) is decimal.Decimal:
        return _decimal_number(value)
    # Mappings and lists of a subclass (apispec's, restkit's own) are copied as plain ones,
    # as _json_values copies them.
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list | tuple):
        return list(value)
    raise TypeError  # anything else: orjson gives up and _json_values copies the document


def _decimal_number(value: decimal.Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _json_values(value: Any) -> Any:
    """Return the document with values JSON and YAML can write (Decimals as numbers)."""
    if isinstance(value, dict):
        return {key: _json_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_values(item) for item in value]
    if isinstance(value, decimal.Decimal):
        return _decimal_number(value)
    return value


def build_spec(
    *,
    title: str,
    version: str,
    openapi_version: str,
    routes: Sequence[MountedRoute],
    blueprints: Sequence[Blueprint],
    info: Mapping[str, Any] | None = None,
    store_failure: str = "closed",
) -> dict[str, Any]:
    """Build the OpenAPI document of an API's mounted routes.

    Args:
        title: The API's title (`info.title`).
        version: The API's version (`info.version`).
        openapi_version: `"3.1.0"` or `"3.0.3"`.
        routes: The mounted routes, in any order: paths are sorted.
        blueprints: The API's blueprints, one tag each, in this order.
        info: Other members of the info object, such as `description` or `contact`.
        store_failure: The API's `store_failure` setting: with `"closed"`, operations that
            use the store document a 503 problem.

    Returns:
        The document as a dict, with paths and component schemas sorted by name, so the
        same API gives the same document on every run.

    Raises:
        DeclarationError: Two operations have one operationId, or two schemas one component
            name.
    """
    builder = _Builder(
        title=title,
        version=version,
        openapi_version=openapi_version,
        info={"info": dict(info)} if info else {},
        store_failure=store_failure,
        secured=any(
            op.features.authenticators for route in routes for op in route.operations.values()
        ),
    )
    for mounted in sorted(routes, key=lambda route: (route.rule, route.endpoint)):
        builder.add_route(mounted)
    return builder.to_dict(blueprints)
