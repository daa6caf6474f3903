"""Request parsing: each operation's inputs are read and loaded by a plan made once.

`RequestPlan` is built when an API is mounted. At request time it reads each declared
location, loads it with a private, hardened copy of the declared schema, and collects the
errors of every location into one 422 `UnprocessableContent` problem. Malformed bodies stop
earlier: 400 for invalid JSON, 413 for a body over the limit, 415 for a wrong `Content-Type`.

The plan is given the request object; it never reads Flask's globals. Each location is read
by a plan of its own (`restkit._locations`), whose errors `restkit._input_errors` words;
`restkit._request_checks` refuses text that is not UTF-8 and bodies of the wrong media type.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Literal

import marshmallow as ma
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from restkit._fields import copy_schema, harden_for_dump, has_decimal
from restkit._forms import StrictFormDataParser
from restkit._json import decode_json
from restkit._locations import _location_plan, effective_unknown, header_name
from restkit._request_checks import (
    check_form_type,
    check_query_string,
    media_type_detail,
    utf8_only,
)
from restkit.operation import Operation
from restkit.pagination import PageRequest, PaginationPlan
from restkit.patch import (
    JSON_PATCH,
    apply_json_patch,
    apply_merge_patch,
    writable_document,
)
from restkit.problems import (
    ContentTooLarge,
    InputError,
    UnprocessableContent,
    UnsupportedMediaType,
)
from restkit.settings import Settings

__all__ = ["RequestPlan", "effective_unknown", "header_name"]

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_MULTIPART = ("multipart/form-data",)


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
            self.steps.insert(0, check_query_string)

    @functools.cached_property
    def exact_decimals(self) -> bool:
        """Whether the body's numbers are read as decimals: its schema has a `Decimal` field."""
        body = self.plans.get("body")
        return body is not None and has_decimal(body.schema)

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
                    media_type_detail(mimetype, " or ".join(self.patch_types)),
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
        # tells a body at the limit from a longer one (see _read_body).
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
                media_type_detail(mimetype, "application/json"),
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
        check_form_type(request, accepted)
        form = utf8_only(self._parsed(request, "form"), errors)
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
        check_form_type(request, _MULTIPART)
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
            shown = name.encode("utf-8", "replace").decode("utf-8")  # JSON-safe, whatever sent
            errors.append(InputError(location, "Unknown field.", name=shown))

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
