"""Request parsing: each operation's inputs are read and loaded by a plan made once.

`RequestPlan` is built when an API is mounted. At request time it reads each declared
location, loads it with a private, hardened copy of the declared schema, and collects the
errors of every location into one 422 `UnprocessableContent` problem. Malformed bodies stop
earlier: 400 for invalid JSON, 413 for a body over the limit, 415 for a wrong `Content-Type`.

The plan is given the request object; it never reads Flask's globals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, unquote_to_bytes

import marshmallow as ma
from marshmallow.exceptions import SCHEMA
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from restkit._fields import copy_schema, harden_for_dump, harden_for_load, has_decimal
from restkit._forms import StrictFormDataParser, invalid_text
from restkit._json import decode_json
from restkit.loading import Loader, make_loader
from restkit.operation import Location, Operation
from restkit.pagination import PageRequest, PaginationPlan
from restkit.patch import (
    JSON_PATCH,
    apply_json_patch,
    apply_merge_patch,
    writable_document,
)
from restkit.problems import (
    BadRequest,
    ContentTooLarge,
    InputError,
    UnprocessableContent,
    UnsupportedMediaType,
)
from restkit.settings import Settings

__all__ = ["RequestPlan", "effective_unknown", "header_name"]

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_MULTIPART = ("multipart/form-data",)
# Locations whose values arrive as strings, parsed with string rules (see restkit._fields).
_STRING_LOCATIONS = frozenset({"path", "query", "headers", "cookies", "form", "files"})
# Locations that carry other things besides the declared values: ignore what is undeclared.
_LENIENT_LOCATIONS = frozenset({"path", "query", "headers", "cookies"})


def header_name(field_name: str) -> str:
    """Return the HTTP header a header-schema field reads when it has no `data_key`.

    `x_request_id` reads `X-Request-Id`. Header names are case-insensitive (RFC 9110 §5.1).
    """
    return "-".join(part.capitalize() for part in field_name.split("_"))


def is_multiple(field: ma.fields.Field[Any]) -> bool:
    """Whether a field takes every value of a repeated key (`?tag=a&tag=b`).

    `List` and `Tuple` fields do; a field may say otherwise with an `is_multiple` attribute,
    the convention of webargs (whose `DelimitedList` takes one comma-separated value).
    """
    explicit = getattr(field, "is_multiple", None)
    if explicit is not None:
        return bool(explicit)
    return isinstance(field, ma.fields.List | ma.fields.Tuple)


@dataclass(frozen=True, slots=True)
class _Key:
    """How one declared value is read: its name on the wire and in the schema's input."""

    wire: str
    key: str
    multiple: bool


def effective_unknown(
    schema: ma.Schema, location: Location
) -> Literal["exclude", "include", "raise"]:
    """Return how a location's schema treats undeclared keys: `RAISE`, `EXCLUDE` or `INCLUDE`.

    Path, query, header and cookie schemas ignore undeclared keys unless they set `unknown`
    themselves (requests carry many headers, and clients add tracking parameters); bodies and
    forms refuse them by default.
    """
    explicit = schema.unknown != ma.RAISE or hasattr(type(schema).Meta, "unknown")
    unknown: Literal["exclude", "include", "raise"] = (
        schema.unknown if explicit or location not in _LENIENT_LOCATIONS else "exclude"
    )
    return unknown


class _LocationPlan:
    """Reads and loads one location with a private, hardened copy of its schema."""

    def __init__(
        self, location: Location, declared: ma.Schema, *, compile_loads: bool = False
    ) -> None:
        self.location = location
        self.schema = copy_schema(declared)
        harden_for_load(self.schema, json=location not in _STRING_LOCATIONS)
        self.unknown = effective_unknown(self.schema, location)
        # Compiled on the first request, so that start-up costs nothing (restkit.loading).
        self.load_schema: Loader = (
            make_loader(self.schema, lazy=True) if compile_loads else self._own_load
        )
        self.keys: list[_Key] = []
        for name, field in self.schema.load_fields.items():
            key = field.data_key if field.data_key is not None else name
            wire = header_name(key) if location == "headers" and field.data_key is None else key
            self.keys.append(_Key(wire, key, is_multiple(field)))
        self.multiple = frozenset(k.key for k in self.keys if k.multiple)
        self.declared = frozenset(k.key for k in self.keys)
        self.wire_names = {k.key: k.wire for k in self.keys}
        self.read_only = frozenset(
            field.data_key if field.data_key is not None else name
            for name, field in self.schema.fields.items()
            if field.dump_only
        )

    def load(self, data: Any, errors: list[InputError]) -> Any:
        if self.unknown == ma.INCLUDE and self.read_only and isinstance(data, dict):
            # INCLUDE would pass dump_only fields through as unknown ones: no mass assignment.
            for key in self.read_only.intersection(data):
                del data[key]
                errors.append(self._read_only_error(key))
        try:
            return self.load_schema(data, unknown=self.unknown)
        except ma.ValidationError as error:
            errors.extend(self.input_errors(error.messages))
            return None

    def _own_load(self, data: Any, *, unknown: str | None = None) -> Any:
        return self.schema.load(data, unknown=unknown)  # type: ignore[arg-type]

    def _read_only_error(self, key: str) -> InputError:
        detail = _read_only("Unknown field.")
        if self.location == "body":
            return InputError("body", detail, pointer=f"/{_escape(key)}")
        return InputError(self.location, detail, name=key)

    def read_multidict(
        self, values: MultiDict[str, Any], errors: list[InputError]
    ) -> dict[str, Any]:
        """Return the values of a query string or form, lists for multiple fields."""
        data: dict[str, Any] = {}
        for key, items in values.lists():
            if key in self.multiple:
                data[key] = items
                continue
            # A repeated single-valued key is reported once; its first value stands in for it,
            # so the schema does not also call it missing.
            data[key] = items[0]
            # An undeclared key is ignored (or refused as unknown) whether repeated or not.
            if len(items) > 1 and (key in self.declared or self.unknown != ma.EXCLUDE):
                errors.append(
                    InputError(self.location, f"Expected one value, got {len(items)}.", name=key)
                )
        return data

    def read_declared(self, values: Any, *, split_lists: bool) -> dict[str, Any]:
        """Return the declared values of headers or cookies (case rules are the container's)."""
        data: dict[str, Any] = {}
        for key in self.keys:
            items = values.getlist(key.wire)
            if not items:
                continue
            if key.multiple:
                if split_lists:
                    # RFC 9110 §5.3: a list-based field may come as one comma-separated line.
                    items = [part.strip() for item in items for part in item.split(",")]
                data[key.key] = [item for item in items if item]
                continue
            # WSGI servers join repeated header lines into one ("a, b"), so a single-valued
            # header has one line; of repeated cookies, the first is the most specific one.
            data[key.key] = items[0]
        return data

    def input_errors(self, messages: Any) -> list[InputError]:
        """Turn marshmallow's nested messages into flat `InputError`s for this location."""
        if self.location == "body":
            return _pointer_errors(messages, "", self.schema)
        found: list[InputError] = []
        if not isinstance(messages, Mapping):
            return [InputError(self.location, str(message), name="") for message in messages]
        for key, nested in messages.items():
            name = "" if key == SCHEMA else self.wire_names.get(key, key)
            for prefix, detail in _flat_messages(nested, ""):
                detail = _read_only(detail) if key in self.read_only else detail
                found.append(InputError(self.location, prefix + detail, name=str(name)))
        return found


def _read_only(detail: str) -> str:
    return "This field is read-only." if detail == "Unknown field." else detail


def _escape(token: Any) -> str:
    # RFC 6901 §3: "~" is written "~0" and "/" is written "~1".
    text = str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def _pointer_errors(
    messages: Any, pointer: str, context: Any, prefix: str = ""
) -> list[InputError]:
    """Return body errors at JSON pointers, walking the schema beside marshmallow's messages.

    `context` is the schema or field the messages belong to (or `None` when unknown); it tells
    read-only fields from unknown ones and the keys and values of `Dict` fields apart.
    """
    found: list[InputError] = []
    _collect(found, messages, pointer, context, prefix)
    return found


def _collect(
    found: list[InputError], messages: Any, pointer: str, context: Any, prefix: str = ""
) -> None:
    # Appends to one list rather than chaining generators, and tests exact types before the
    # slower ABC checks: a 422 is an everyday answer.
    if isinstance(context, ma.fields.Nested):
        context = context._schema
    kind = type(messages)
    if kind is dict or (kind is not list and isinstance(messages, Mapping)):
        is_dict_field = isinstance(context, ma.fields.Mapping)
        for key, nested in messages.items():
            if key == SCHEMA:
                _collect(found, nested, pointer, None, prefix)
                continue
            child = f"{pointer}/{_escape(key)}"
            if is_dict_field and isinstance(nested, Mapping):
                # marshmallow reports {"key": [...], "value": [...]} under each entry of a Dict.
                for part, inner in nested.items():
                    if part == "key":
                        _collect(found, inner, child, context.key_field, "Key: ")
                    else:
                        _collect(found, inner, child, context.value_field)
                continue
            field = _child(context, key)
            if isinstance(field, ma.fields.Field) and field.dump_only:
                for message in _strings(nested):
                    found.append(InputError("body", _read_only(message), pointer=child))
                continue
            if type(nested) is list:  # the common leaf, a field's messages: as below
                for item in nested:
                    if type(item) is str:
                        found.append(InputError("body", item, pointer=child))
                    elif isinstance(item, Mapping):
                        _collect(found, item, child, None)
                    else:
                        found.append(InputError("body", str(item), pointer=child))
                continue
            _collect(found, nested, child, field)
    elif kind is list or isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, Mapping):
                _collect(found, item, pointer, None)
            else:
                found.append(InputError("body", prefix + str(item), pointer=pointer))
    else:
        found.append(InputError("body", prefix + str(messages), pointer=pointer))


def _child(context: Any, key: Any) -> Any:
    """Return the schema or field that the messages under `key` belong to, if known."""
    if isinstance(context, ma.Schema):
        if isinstance(key, int):
            return context  # an item of a many=True schema
        return _fields_by_key(context).get(key)
    if isinstance(context, ma.fields.List) and isinstance(key, int):
        return context.inner
    if (
        isinstance(context, ma.fields.Tuple)
        and isinstance(key, int)
        and 0 <= key < len(context.tuple_fields)
    ):
        return context.tuple_fields[key]
    return None


def _fields_by_key(schema: ma.Schema) -> dict[str, ma.fields.Field[Any]]:
    """Return the schema's fields by the key they have in the data, made once per schema."""
    found: dict[str, ma.fields.Field[Any]] | None = schema.__dict__.get(_BY_KEY)
    if found is None:
        found = {}
        for name, field in schema.fields.items():
            found.setdefault(field.data_key if field.data_key is not None else name, field)
        schema.__dict__[_BY_KEY] = found  # restkit's own copy of the schema: it never changes
    return found


_BY_KEY = "_restkit_fields_by_key"


def _strings(messages: Any) -> list[str]:
    return [detail for _, detail in _flat_messages(messages, "")]


def _flat_messages(messages: Any, prefix: str) -> Iterable[tuple[str, str]]:
    """Yield (prefix, message) pairs; items of lists are prefixed `Item 1: `."""
    if isinstance(messages, Mapping):
        for key, nested in messages.items():
            inner = prefix if key == SCHEMA else f"{prefix}Item {key}: "
            yield from _flat_messages(nested, inner)
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from _flat_messages(item, prefix)
    else:
        yield prefix, str(messages)


_PLANS = "_restkit_location_plans"


def _location_plan(location: Location, declared: ma.Schema, compile_loads: bool) -> _LocationPlan:
    """Return the plan of a declared schema at a location, shared by its operations.

    A plan holds nothing of one operation's, so operations that declare the same schema
    instance (or class) at the same location share one hardened copy and one compiled loader.
    """
    plans: dict[tuple[Location, bool], _LocationPlan] | None = vars(declared).get(_PLANS)
    if plans is None:
        plans = {}
        setattr(declared, _PLANS, plans)
    plan = plans.get((location, compile_loads))
    if plan is None:
        plan = plans[location, compile_loads] = _LocationPlan(
            location, declared, compile_loads=compile_loads
        )
    return plan


def _check_query_string(
    request: Request,
    view_args: Mapping[str, Any],
    arguments: dict[str, Any],
    errors: list[InputError],
) -> None:
    """Refuse query parameters whose percent-encoded bytes are not UTF-8.

    Werkzeug keeps such bytes as the text `%FF`, which a schema would take as a value the
    client never sent. Each one is reported by name and left out of `request.args`, so the
    other steps (and the method) read only what was sent.
    """
    raw = request.query_string
    if raw.isascii() and b"%" not in raw:
        return
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return
    invalid: list[str] = []
    valid: list[bytes] = []
    for pair in raw.split(b"&"):
        key, _, value = pair.partition(b"=")
        try:
            unquote_to_bytes(key.replace(b"+", b" ")).decode("utf-8")
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            invalid.append(unquote(key.replace(b"+", b" ").decode("latin-1")))
        else:
            valid.append(pair)
    detail = "Not valid UTF-8: percent-encode the value's UTF-8 bytes."
    errors.extend(InputError("query", detail, name=name) for name in dict.fromkeys(invalid))
    # werkzeug caches `args` on the request (and cannot decode raw bytes that are not UTF-8):
    # the parameters that are valid take its place, read as werkzeug reads them.
    text = b"&".join(valid).decode("utf-8")
    request.__dict__["args"] = MultiDict(parse_qsl(text, keep_blank_values=True))


class RequestPlan:
    """How one operation reads its request: made once, run per request.

    Args:
        operation: The resolved operation.
        settings: The settings of the API the operation is mounted in.
        pagination: How the operation reads its page parameters, if it is paginated; the
            page goes to the method as `page`.
    """

    def __init__(
        self,
        operation: Operation,
        settings: Settings,
        pagination: PaginationPlan | None = None,
    ) -> None:
        self.operation = operation
        self.pagination = pagination
        self.patch_types = operation.declaration.patch
        inputs = operation.inputs
        self.plans = {
            location: _location_plan(location, spec.schema, settings.compile_loads)
            for location, spec in inputs.items()
        }
        self.max_body_size = operation.declaration.max_body_size or settings.max_body_size
        self.max_json_depth = settings.max_json_depth
        body = self.plans.get("body")
        self.exact_decimals = body is not None and has_decimal(body.schema)
        # A patch applies to the current object as clients read it: dumped the way responses
        # are (naive datetimes as UTC with an offset), so that fields the patch leaves alone
        # load again, also into an AwareDateTime.
        self.current_schema: ma.Schema | None = None
        if self.patch_types and "body" in inputs:
            self.current_schema = copy_schema(inputs["body"].schema)
            harden_for_dump(self.current_schema)
        self.takes_body = any(location in inputs for location in ("body", "form", "files"))
        self.steps: list[
            Callable[[Request, Mapping[str, Any], dict[str, Any], list[InputError]], None]
        ]
        self.steps = [
            getattr(self, f"_read_{location}")
            for location in self.plans
            # A patch is read once the current object is loaded: see parse_patch.
            if not (location == "body" and self.patch_types)
        ]
        if "path" not in self.plans:
            self.steps.insert(0, self._pass_path)
        if pagination is not None:
            self.steps.append(self._read_page)
        if "query" in self.plans or pagination is not None:
            self.steps.insert(0, _check_query_string)

    def parse(self, request: Request, view_args: Mapping[str, Any]) -> dict[str, Any]:
        """Return the method's keyword arguments for this request.

        Raises:
            BadRequest: The JSON body is malformed or nested too deeply.
            ContentTooLarge: The body is larger than the limit.
            UnsupportedMediaType: The body's `Content-Type` is not one the operation takes.
            UnprocessableContent: Some values are invalid; every one of them is listed.
        """
        if self.takes_body:
            self._limit_body(request)
        arguments: dict[str, Any] = {}
        errors: list[InputError] = []
        for step in self.steps:
            step(request, view_args, arguments, errors)
        if errors:
            raise UnprocessableContent(errors)
        return arguments

    def parse_patch(self, request: Request, current: Any) -> Any:
        """Apply the request's patch to the current object and return the loaded result.

        The current object is dumped with the body schema (its writable members only), the
        patch is applied to that document, and the result is loaded with the full schema.

        Raises:
            BadRequest: The patch is not valid JSON.
            UnsupportedMediaType: The `Content-Type` is not an accepted patch type.
            UnprocessableContent: The patch is malformed or its result is invalid.
            Conflict: A JSON Patch operation cannot apply.
        """
        plan = self.plans["body"]
        raw = request.get_data(cache=True)
        if len(raw) > self.max_body_size:
            raise ContentTooLarge(f"The request body is larger than {self.max_body_size} bytes.")
        declared = self.operation.inputs["body"].schema
        dumper = self.current_schema or declared
        document = writable_document(declared, dumper.dump(current))
        if raw.strip():
            mimetype = request.mimetype
            if mimetype not in self.patch_types:
                accepted = ", ".join(self.patch_types)
                raise UnsupportedMediaType(
                    _media_type_detail(mimetype, " or ".join(self.patch_types)),
                    headers={"Accept-Patch": accepted, "Accept": accepted},
                )
            patch = decode_json(raw, self.max_json_depth, decimals=self.exact_decimals)
            if mimetype == JSON_PATCH:
                document = apply_json_patch(document, patch)
            else:  # MERGE_PATCH, the only other patch type
                if not isinstance(patch, dict):
                    raise UnprocessableContent(
                        [InputError("body", "A merge patch is a JSON object.", pointer="")]
                    )
                document = apply_merge_patch(document, patch, plan.schema)
        errors: list[InputError] = []
        loaded = plan.load(document, errors)
        if errors:
            raise UnprocessableContent(errors)
        return loaded

    def _read_page(
        self,
        request: Request,
        view_args: Mapping[str, Any],
        arguments: dict[str, Any],
        errors: list[InputError],
    ) -> None:
        if self.pagination is None:
            raise AssertionError("_read_page runs only for paginated operations")
        page: PageRequest | None = self.pagination.read(request, errors)
        arguments["page"] = page

    def _limit_body(self, request: Request) -> None:
        limit = self.max_body_size
        length = request.content_length
        if length is not None and length > limit:
            raise ContentTooLarge(f"The request body is larger than {limit} bytes.")
        # A body without Content-Length (chunked) is read up to one byte past the limit, which
        # tells a body at the limit from a longer one (see _read_raw).
        request.max_content_length = limit + 1

    def _pass_path(
        self,
        request: Request,
        view_args: Mapping[str, Any],
        arguments: dict[str, Any],
        errors: list[InputError],
    ) -> None:
        arguments.update(view_args)

    def _read_path(
        self,
        request: Request,
        view_args: Mapping[str, Any],
        arguments: dict[str, Any],
        errors: list[InputError],
    ) -> None:
        loaded = self.plans["path"].load(dict(view_args), errors)
        if loaded is not None:
            arguments.update(loaded)

    def _read_query(
        self,
        request: Request,
        view_args: Mapping[str, Any],
        arguments: dict[str, Any],
        errors: list[InputError],
    ) -> None:
        plan = self.plans["query"]
        values = request.args
        if self.pagination is not None:
            # The page parameters are read (and their errors reported) by _read_page.
            names = self.pagination.names
            values = MultiDict([(k, v) for k, v in values.items(multi=True) if k not in names])
        arguments["query"] = plan.load(plan.read_multidict(values, errors), errors)

    def _read_headers(
        self,
        request: Request,
        view_args: Mapping[str, Any],
        arguments: dict[str, Any],
        errors: list[InputError],
    ) -> None:
        plan = self.plans["headers"]
        data = plan.read_declared(request.headers, split_lists=True)
        arguments["headers"] = plan.load(data, errors)

    def _read_cookies(
        self,
        request: Request,
        view_args: Mapping[str, Any],
        arguments: dict[str, Any],
        errors: list[InputError],
    ) -> None:
        plan = self.plans["cookies"]
        # RFC 6265 §5.4: the most specific cookie of a repeated name comes first; take it.
        data = plan.read_declared(request.cookies, split_lists=False)
        arguments["cookies"] = plan.load(data, errors)

    def _read_body(
        self,
        request: Request,
        view_args: Mapping[str, Any],
        arguments: dict[str, Any],
        errors: list[InputError],
    ) -> None:
        plan = self.plans["body"]
        raw = request.get_data(cache=True)
        if len(raw) > self.max_body_size:
            raise ContentTooLarge(f"The request body is larger than {self.max_body_size} bytes.")
        if not raw:
            errors.append(InputError("body", "A JSON request body is required.", pointer=""))
            arguments["body"] = None
            return
        mimetype = request.mimetype
        if mimetype != "application/json" and not (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        ):
            raise UnsupportedMediaType(
                _media_type_detail(mimetype, "application/json"),
                headers={"Accept": "application/json"},
            )
        value = decode_json(raw, self.max_json_depth, decimals=self.exact_decimals)
        arguments["body"] = plan.load(value, errors)

    def _read_form(
        self,
        request: Request,
        view_args: Mapping[str, Any],
        arguments: dict[str, Any],
        errors: list[InputError],
    ) -> None:
        plan = self.plans["form"]
        accepted = _MULTIPART if "files" in self.plans else _FORM_TYPES
        _check_form_type(request, accepted)
        form = _utf8_only(self._parsed(request, "form"), errors)
        arguments["form"] = plan.load(plan.read_multidict(form, errors), errors)
        if "files" not in self.plans and plan.unknown == ma.RAISE:
            self._refuse_parts(request, "files", errors)

    def _read_files(
        self,
        request: Request,
        view_args: Mapping[str, Any],
        arguments: dict[str, Any],
        errors: list[InputError],
    ) -> None:
        plan = self.plans["files"]
        _check_form_type(request, _MULTIPART)
        files = self._parsed(request, "files")
        arguments["files"] = plan.load(plan.read_multidict(files, errors), errors)
        if "form" not in self.plans and plan.unknown == ma.RAISE:
            self._refuse_parts(request, "form", errors)

    def _refuse_parts(
        self, request: Request, location: Literal["form", "files"], errors: list[InputError]
    ) -> None:
        """Refuse the parts of a multipart body that the operation declares no schema for.

        A multipart body is one object in the OpenAPI document: when its declared schema
        refuses unknown fields, a text part beside the files (or a file beside the fields)
        is as unknown as a misspelt one.
        """
        if request.mimetype != "multipart/form-data":
            return
        for name in self._parsed(request, location):
            errors.append(InputError(location, "Unknown field.", name=name))

    def _parsed(self, request: Request, attribute: str) -> MultiDict[str, Any]:
        if "form" not in request.__dict__:  # not read yet: read it keeping bad text visible
            request.form_data_parser_class = StrictFormDataParser
        try:
            values: MultiDict[str, Any] = getattr(request, attribute)
        except RequestEntityTooLarge:
            raise ContentTooLarge(
                f"The request body is larger than {self.max_body_size} bytes."
            ) from None
        return values


def _utf8_only(form: MultiDict[str, Any], errors: list[InputError]) -> MultiDict[str, Any]:
    """Refuse, by name, the form fields whose bytes were not UTF-8; return the others."""
    bad = {key for key, value in form.items(multi=True) if invalid_text(value) or invalid_text(key)}
    if not bad:
        return form
    detail = "Not valid UTF-8: send the field's text as UTF-8."
    for key in sorted(bad):
        name = key.encode("utf-8", "replace").decode("utf-8")
        errors.append(InputError("form", detail, name=name))
    return MultiDict([(k, v) for k, v in form.items(multi=True) if k not in bad])


def _check_form_type(request: Request, accepted: tuple[str, ...]) -> None:
    mimetype = request.mimetype
    if mimetype in accepted:
        if mimetype == "multipart/form-data" and not request.mimetype_params.get("boundary"):
            # werkzeug would read no parts at all, and every field would look missing.
            raise BadRequest(
                "The multipart body has no boundary: send Content-Type: multipart/form-data; "
                "boundary=... (an HTTP client sets it when it encodes the form)."
            )
        return
    if not mimetype and not request.content_length:
        return  # no body at all: an empty form, whose required fields are reported as missing
    raise UnsupportedMediaType(
        _media_type_detail(mimetype, " or ".join(accepted)),
        headers={"Accept": ", ".join(accepted)},
    )


def _media_type_detail(mimetype: str, expected: str) -> str:
    if not mimetype:
        return f"The request body has no Content-Type; send it as {expected}."
    return f"The request body is {mimetype}; send it as {expected}."
