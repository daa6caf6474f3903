"""Changes between two OpenAPI documents, and which of them break a generated client.

Mobile apps ship SDKs generated from the OpenAPI document, and old app versions stay in use
for months. Before a release, compare the document the apps were built against with the new
one:

```python
import json

from restkit.spec.diff import diff_specs, has_breaking

with open("openapi-1.4.json") as old, open("openapi-1.5.json") as new:
    changes = diff_specs(json.load(old), json.load(new))
for change in changes:
    print(change)  # "BREAKING operation-removed: GET /v1/tasks was removed; ..."
if has_breaking(changes):
    raise SystemExit(1)
```

Operations are matched by method and path, with path parameter names ignored (`/tasks/{id}`
and `/tasks/{task_id}` are one operation); parameters by location and name (header names in
any case); schemas through their `$ref`s, so renaming a component changes nothing on the wire.
The rules, and why each is or is not breaking, are in the docs: "Breaking changes".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from restkit.spec._schema_compare import (
    Direction,
    Report,
    SchemaComparer,
    as_list,
    as_map,
    resolve,
)

__all__ = ["Change", "diff_specs", "has_breaking"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{([^{}/]*)\}")

_Requirement = frozenset[tuple[str, frozenset[str]]]  # one way to authenticate: scheme, scopes
_Key = TypeVar("_Key", str, tuple[str, str])

# (rule, breaking) -> what it means for clients generated from the old document
_REASONS: dict[tuple[str, bool], str] = {
    ("operation-removed", True): "old clients that call it get a 404 or 405",
    ("operation-added", False): "old clients do not call it",
    ("operation-id-changed", True): "SDK generators name the method after it, so app code "
    "that calls the old name no longer compiles once the SDK is regenerated",
    ("operation-deprecated", False): "it still works, but plan for clients to move off it",
    ("path-parameter-renamed", False): "the URLs clients build are the same",
    ("security-added", True): "old clients that call it without credentials get a 401",
    ("security-removed", False): "clients that still send credentials are served as before",
    ("security-changed", True): "old clients that authenticate the old way get a 401 or 403",
    ("security-changed", False): "every way old clients authenticate is still accepted",
    ("security-scheme-changed", True): "old clients send credentials where the server no "
    "longer looks for them, and get a 401",
    ("parameter-removed", False): "old clients that send it are not rejected (restkit "
    "ignores unknown query parameters, headers and cookies), but it no longer has an effect",
    ("required-parameter-added", True): "old clients do not send it and get a 422",
    ("optional-parameter-added", False): "old clients leave it out, which is allowed",
    ("parameter-became-required", True): "old clients that leave it out get a 422",
    ("parameter-became-optional", False): "old clients that send it are served as before",
    ("parameter-style-changed", True): "old clients encode it the old way, which the server "
    "now misreads",
    ("request-body-removed", True): "old clients still send one, and all of it is ignored",
    ("request-body-added", True): "old clients send none and get a 422",
    ("request-body-added", False): "old clients leave it out, which is allowed",
    ("request-body-became-required", True): "old clients that send none get a 422",
    ("request-body-became-optional", False): "old clients send one anyway",
    ("content-type-removed", True): "old clients that send it get a 415, and those that "
    "expect it get a body they cannot parse",
    ("content-type-added", False): "old clients keep using the media types they know",
    ("response-status-removed", True): "old clients that expect it cannot handle the status "
    "the server answers with instead",
    ("response-status-removed", False): "old clients are no longer sent it",
    ("response-status-added", True): "clients generated from the old document treat a "
    "success status they were not told about as an unexpected response",
    ("response-status-added", False): "old clients handle it like any error status they were "
    "not told about",
    ("response-header-removed", True): "old clients that read it find nothing",
    ("response-header-added", False): "old clients ignore it",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two OpenAPI documents.

    Attributes:
        breaking: Whether a client generated from the old document can fail against the new
            API (or its regenerated SDK no longer fits the app's code).
        rule: A stable kebab-case id of the kind of change, such as `"operation-removed"`.
        location: Where the change is, such as `"GET /v1/tasks response 200 body /title"`;
            stable between runs, so it can be compared or filtered on.
        message: A sentence saying what changed and what it means for old clients.
    """

    breaking: bool
    rule: str
    location: str
    message: str

    def __str__(self) -> str:
        """One line: `BREAKING rule: message` or `change rule: message`."""
        return f"{'BREAKING' if self.breaking else 'change'} {self.rule}: {self.message}"


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Compare two OpenAPI documents (3.0 or 3.1, as loaded from JSON or YAML).

    Args:
        old: The document that clients in use were generated from.
        new: The document about to be released.

    Returns:
        Every change found, breaking or not, sorted by location, then rule.
    """
    changes: list[Change] = []

    def report(breaking: bool, rule: str, location: str, message: str) -> None:
        changes.append(Change(breaking, rule, location, message))

    _Differ(old, new, report).run()
    return sorted(changes, key=lambda c: (c.location, c.rule, c.message, c.breaking))


def has_breaking(changes: Iterable[Change]) -> bool:
    """Return whether any of `changes` breaks clients generated from the old document."""
    return any(change.breaking for change in changes)


@dataclass(frozen=True, slots=True)
class _Operation:
    method: str
    path: str
    names: tuple[str, ...]  # the path template's parameter names, in order
    spec: Mapping[str, Any]
    parameters: Mapping[tuple[str, str], Mapping[str, Any]]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _operations(document: Mapping[str, Any]) -> dict[tuple[str, str], _Operation]:
    """The document's operations, keyed by method and path with parameter names blanked."""
    found: dict[tuple[str, str], _Operation] = {}
    for path, raw_item in as_map(document.get("paths")).items():
        item = resolve(document, raw_item)
        names = tuple(_TEMPLATE.findall(path))
        for method in _METHODS:
            if isinstance(spec := item.get(method), Mapping):
                parameters = _parameters(document, item, spec, names)
                operation = _Operation(method, path, names, spec, parameters)
                found[method, _TEMPLATE.sub("{}", path)] = operation
    return found


def _parameters(
    document: Mapping[str, Any],
    item: Mapping[str, Any],
    spec: Mapping[str, Any],
    names: tuple[str, ...],
) -> dict[tuple[str, str], Mapping[str, Any]]:
    """An operation's parameters with its path item's, keyed by location and name.

    Path parameters are keyed by their position in the template, which is all a client's URL
    carries; header names by their lower case (RFC 9110 §5.1: they are case-insensitive).
    """
    found: dict[tuple[str, str], Mapping[str, Any]] = {}
    # OpenAPI: an operation's parameter overrides the path item's of the same location and name
    for raw in [*as_list(item.get("parameters")), *as_list(spec.get("parameters"))]:
        parameter = resolve(document, raw)
        place, name = str(parameter.get("in")), str(parameter.get("name"))
        if place == "path" and name in names:
            name = str(names.index(name))
        found[place, name.lower() if place == "header" else name] = parameter
    return found


def _split(
    before: Mapping[_Key, Any], after: Mapping[_Key, Any]
) -> tuple[list[_Key], list[_Key], list[_Key]]:
    """The keys only in `before`, only in `after`, and in both, each sorted."""
    old, new = before.keys(), after.keys()
    return sorted(old - new), sorted(new - old), sorted(old & new)


def _schema_of(parameter: Mapping[str, Any]) -> Any:
    """The schema of a parameter or header: its own, or that of its one media type."""
    media = [as_map(m).get("schema") for m in as_map(parameter.get("content")).values()]
    return parameter.get("schema", next(iter(media), None))


def _style(parameter: Mapping[str, Any]) -> str:
    """How a parameter is serialized, with OpenAPI's defaults filled in."""
    default = "form" if parameter.get("in") in ("query", "cookie") else "simple"
    style = str(parameter.get("style", default))
    explode = parameter.get("explode", style == "form") is True
    return f"style={style}, explode={str(explode).lower()}"


def _requirements(document: Mapping[str, Any], spec: Mapping[str, Any]) -> set[_Requirement]:
    """The ways a client may authenticate to an operation; an empty one is anonymously."""
    listed = as_list(spec.get("security", document.get("security")))
    found = {
        frozenset((name, frozenset(map(str, as_list(scopes)))) for name, scopes in alt.items())
        for alt in map(as_map, listed)
    }
    return found or {frozenset()}


def _accepts(requirements: set[_Requirement], held: _Requirement) -> bool:
    """Whether a client with the credentials of `held` meets one of `requirements`."""
    scopes = dict(held)
    return any(
        all(name in scopes and wanted <= scopes[name] for name, wanted in requirement)
        for requirement in requirements
    )


def _security_text(requirements: set[_Requirement]) -> str:
    """Requirements as text, such as `bearer or apiKey and oauth (tasks:read)`."""
    options = [
        " and ".join(
            sorted(
                f"{name} ({', '.join(sorted(scopes))})".replace(" ()", "")
                for name, scopes in requirement
            )
        )
        or "anonymous"
        for requirement in requirements
    ]
    return " or ".join(sorted(options))


def _scheme_text(scheme: Mapping[str, Any]) -> str:
    """A security scheme as what a client must send, such as `apiKey header x-api-key`."""
    place, name = scheme.get("in"), scheme.get("name")
    flows = as_map(scheme.get("flows"))
    parts = [scheme.get("type"), str(scheme.get("scheme", "")).lower(), place]
    parts.append(name.lower() if place == "header" and isinstance(name, str) else name)
    for flow in sorted(flows):
        urls = as_map(flows[flow])
        parts += [flow, urls.get("authorizationUrl"), urls.get("tokenUrl")]
    parts.append(scheme.get("openIdConnectUrl"))
    return " ".join(str(part) for part in parts if part) or "nothing"


class _Differ:
    """Walks the operations of two documents and reports their differences."""

    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any], report: Report) -> None:
        self.old = old
        self.new = new
        self.report = report
        self.schemas = SchemaComparer(old, new, report)

    def emit(self, breaking: bool, rule: str, at: str, what: str) -> None:
        self.report(breaking, rule, at, f"{at} {what}; {_REASONS[rule, breaking]}.")

    def run(self) -> None:
        before, after = _operations(self.old), _operations(self.new)
        removed, added, kept = _split(before, after)
        for key in [*removed, *added]:
            event, label = (
                ("removed", before[key].label) if key in before else ("added", after[key].label)
            )
            self.emit(event == "removed", f"operation-{event}", label, f"was {event}")
        for key in kept:
            self._operation(before[key], after[key])
        self.schemas.report_renames()
        self._security_schemes(before.values())

    def _operation(self, old: _Operation, new: _Operation) -> None:
        at = old.label
        for old_name, new_name in zip(old.names, new.names, strict=True):
            if old_name != new_name:
                what = f"is now called {new_name} ({new.label})"
                self.emit(False, "path-parameter-renamed", f"{at} path parameter {old_name}", what)
        old_id, new_id = old.spec.get("operationId"), new.spec.get("operationId")
        if old_id != new_id:
            what = f"changed its operationId from {old_id or 'none'} to {new_id or 'none'}"
            self.emit(True, "operation-id-changed", at, what)
        if new.spec.get("deprecated") is True and old.spec.get("deprecated") is not True:
            self.emit(False, "operation-deprecated", at, "is now deprecated")
        self._security(old, new, at)
        self._parameters(old, new, at)
        self._request_body(old, new, at)
        self._responses(old, new, at)

    def _security(self, old: _Operation, new: _Operation, at: str) -> None:
        before = _requirements(self.old, old.spec)
        after = _requirements(self.new, new.spec)
        if before == after:
            return
        rule = "security-changed"
        if (frozenset() in before) != (frozenset() in after):
            rule = "security-removed" if frozenset() in after else "security-added"
        what = f"changed its security from {_security_text(before)} to {_security_text(after)}"
        breaking = any(not _accepts(after, held) for held in before)
        self.emit(breaking, rule, at, what)

    def _security_schemes(self, operations: Iterable[_Operation]) -> None:
        """Compare the security schemes that old clients use."""
        used = {
            name for op in operations for req in _requirements(self.old, op.spec) for name, _ in req
        }
        schemes = [
            as_map(as_map(document.get("components")).get("securitySchemes"))
            for document in (self.old, self.new)
        ]
        still_used = {
            name
            for op in _operations(self.new).values()
            for req in _requirements(self.new, op.spec)
            for name, _ in req
        }
        for name in sorted(used):
            if name not in schemes[1] and name not in still_used:
                # No operation uses it any more: each one that did reported its own change.
                continue
            before = _scheme_text(resolve(self.old, schemes[0].get(name)))
            after = _scheme_text(resolve(self.new, schemes[1].get(name)))
            if before != after:
                what = f"changed from {before} to {after}"
                self.emit(
                    True, "security-scheme-changed", f"components/securitySchemes/{name}", what
                )

    def _parameters(self, old: _Operation, new: _Operation, at: str) -> None:
        before, after = old.parameters, new.parameters
        removed, added, kept = _split(before, after)
        for key in removed:
            where = f"{at} {key[0]} parameter {before[key].get('name')}"
            self.emit(False, "parameter-removed", where, "was removed")
        for key in added:
            where = f"{at} {key[0]} parameter {after[key].get('name')}"
            if after[key].get("required") is True:
                self.emit(True, "required-parameter-added", where, "was added as required")
            else:
                self.emit(False, "optional-parameter-added", where, "was added as optional")
        for key in kept:
            where = f"{at} {key[0]} parameter {before[key].get('name')}"
            now = after[key].get("required") is True
            if (before[key].get("required") is True) != now:
                rule = "parameter-became-required" if now else "parameter-became-optional"
                self.emit(now, rule, where, f"became {'required' if now else 'optional'}")
            if (style := _style(before[key])) != (new_style := _style(after[key])):
                what = f"changed its serialization from {style} to {new_style}"
                self.emit(True, "parameter-style-changed", where, what)
            schemas = _schema_of(before[key]), _schema_of(after[key])
            self.schemas.compare(*schemas, "request", where, "")

    def _request_body(self, old: _Operation, new: _Operation, at: str) -> None:
        before = resolve(self.old, old.spec.get("requestBody"))
        after = resolve(self.new, new.spec.get("requestBody"))
        where = f"{at} request body"
        now = after.get("required") is True
        if before and not after:
            self.emit(True, "request-body-removed", where, "was removed")
        elif after and not before:
            what = f"was added as {'required' if now else 'optional'}"
            self.emit(now, "request-body-added", where, what)
        else:
            if (before.get("required") is True) != now:
                rule = "request-body-became-required" if now else "request-body-became-optional"
                self.emit(now, rule, where, f"became {'required' if now else 'optional'}")
            self._content(before, after, "request", where)

    def _responses(self, old: _Operation, new: _Operation, at: str) -> None:
        before = {str(k).upper(): v for k, v in as_map(old.spec.get("responses")).items()}
        after = {str(k).upper(): v for k, v in as_map(new.spec.get("responses")).items()}
        removed, added, kept = _split(before, after)
        for status in [*removed, *added]:
            event = "removed" if status in before else "added"
            # a success is what clients decode; an error status they handle as an error anyway
            rule, success = f"response-status-{event}", status.startswith("2")
            self.emit(success, rule, f"{at} response {status}", f"was {event}")
        for status in kept:
            where = f"{at} response {status}"
            old_response = resolve(self.old, before[status])
            new_response = resolve(self.new, after[status])
            self._content(old_response, new_response, "response", f"{where} body")
            self._headers(old_response, new_response, where)

    def _headers(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        """Compare a response's headers; their names are case-insensitive (RFC 9110 §5.1)."""
        before = {str(k).lower(): (k, v) for k, v in as_map(old.get("headers")).items()}
        after = {str(k).lower(): (k, v) for k, v in as_map(new.get("headers")).items()}
        removed, added, kept = _split(before, after)
        for key in [*removed, *added]:
            event, name = ("removed", before[key][0]) if key in before else ("added", after[key][0])
            rule = f"response-header-{event}"
            self.emit(event == "removed", rule, f"{where} header {name}", f"was {event}")
        for key in kept:
            old_header = _schema_of(resolve(self.old, before[key][1]))
            new_header = _schema_of(resolve(self.new, after[key][1]))
            at = f"{where} header {before[key][0]}"
            self.schemas.compare(old_header, new_header, "response", at, "")

    def _content(
        self, old: Mapping[str, Any], new: Mapping[str, Any], direction: Direction, where: str
    ) -> None:
        """Compare the media types of a request body or a response, and their schemas."""
        before = {str(k).lower(): as_map(v) for k, v in as_map(old.get("content")).items()}
        after = {str(k).lower(): as_map(v) for k, v in as_map(new.get("content")).items()}
        removed, added, kept = _split(before, after)
        for media in [*removed, *added]:
            event = "removed" if media in before else "added"
            self.emit(
                event == "removed", f"content-type-{event}", f"{where} {media}", f"was {event}"
            )
        for media in kept:
            # JSON is the usual case: leave it out of locations to keep them short
            at = where if media == "application/json" else f"{where} {media}"
            schemas = before[media].get("schema"), after[media].get("schema")
            self.schemas.compare(*schemas, direction, at, "")
