"""Compare two JSON Schemas from two OpenAPI documents, the way a generated client sees them.

`SchemaComparer` walks an old and a new schema side by side and reports every difference,
with whether it breaks a client generated from the old document. That depends on the
direction: a client *sends* request schemas, so the new schema must accept everything the old
one accepted; it *reads* response schemas, so the new one must produce nothing the old one
could not. The 3.0 spellings (`nullable`, boolean `exclusiveMinimum`) and the 3.1 ones (type
lists with `"null"`, numeric exclusive bounds, `anyOf` with `{"type": "null"}`) are read into
one model first, so a document moved from 3.0 to 3.1 does not differ from itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal
from urllib.parse import unquote

__all__ = ["Direction", "Report", "SchemaComparer", "as_list", "as_map", "resolve"]

Direction = Literal["request", "response"]
"""Who writes the value: the client (`request`) or the server (`response`)."""

Report = Callable[[bool, str, str, str], None]
"""Receives one difference: `(breaking, rule, location, message)`."""

_Bound = tuple[float, bool]  # a limit, and whether it is exclusive
_Schema = Mapping[str, Any]

_WHY: dict[tuple[Direction, bool], str] = {
    ("request", True): "old clients may send values that the server now rejects",
    ("request", False): "everything old clients send is still accepted",
    ("response", True): "the server may now send values that clients generated from the old "
    "document cannot decode",
    ("response", False): "everything the server sends still fits what old clients expect",
}

# (rule, breaking) -> why, where it says more than _WHY
_REASONS: dict[tuple[str, bool], str] = {
    ("request-property-removed", True): "restkit rejects unknown and read-only body fields, "
    "so old clients that send it get a 422",
    ("request-property-removed", False): "the schema allows additional properties, so old "
    "clients that send it are still accepted",
    ("required-request-property-added", True): "old clients do not send it and get a 422",
    ("request-property-added", False): "old clients leave it out, which is allowed",
    ("request-property-became-required", True): "old clients that leave it out get a 422",
    ("response-property-removed", True): "old clients that read it find nothing there, and "
    "typed models that require it fail to decode the response",
    ("response-property-added", False): "generated clients ignore properties they do not know",
    ("response-property-no-longer-required", True): "typed models generated from the old "
    "document require it and fail to decode a response without it",
    ("property-became-nullable", True): "typed models generated from the old document "
    "declare it non-null and fail on null",
    ("nullable-removed", True): "old clients that send null get a 422",
    ("enum-value-removed", True): "old clients that send it get a 422",
    ("enum-value-removed", False): "old clients simply never receive it",
    ("enum-value-added", True): "clients generated from the old document decode it into an "
    "enum type that has no such member, and fail",
    ("enum-value-added", False): "old clients never send it, which is allowed",
    ("constraint-widened", True): "the server may now send values outside the old limits, "
    "which clients that validate responses (openapi-generator's pydantic models) reject",
}

_REQUIRED_RULES: dict[tuple[Direction, bool], str] = {
    ("request", True): "request-property-became-required",
    ("request", False): "request-property-became-optional",
    ("response", True): "response-property-became-required",
    ("response", False): "response-property-no-longer-required",
}

# the keyword that keeps a property out of this direction
_HIDDEN: dict[Direction, str] = {"request": "readOnly", "response": "writeOnly"}

# keywords whose changes are noted for review rather than judged
_UNCOMPARED = (
    *("not", "if", "then", "else", "contains", "prefixItems", "unevaluatedItems"),
    *("patternProperties", "propertyNames", "dependentRequired", "dependentSchemas"),
    "unevaluatedProperties",
)

_WIDER_FORMATS = frozenset({("int32", "int64"), ("float", "double")})  # (old, wider new)

# (keyword, its exclusive twin, whether it is an upper limit)
_LIMITS = (
    ("maxLength", "", True),
    ("minLength", "", False),
    ("maxItems", "", True),
    ("minItems", "", False),
    ("maxProperties", "", True),
    ("minProperties", "", False),
    ("maximum", "exclusiveMaximum", True),
    ("minimum", "exclusiveMinimum", False),
)


def as_map(value: Any) -> Mapping[str, Any]:
    """Return `value` if it is a JSON object, else an empty one (a missing member)."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """Return `value` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def resolve(document: Mapping[str, Any], node: Any) -> Mapping[str, Any]:
    """Follow `node`'s local `$ref`s in `document` to the object they name.

    Returns an empty mapping for a missing node; a `$ref` that cannot be followed (to another
    file, or in a loop) is returned as it is.
    """
    seen: set[str] = set()
    current = as_map(node)
    while isinstance(ref := current.get("$ref"), str) and ref not in seen:
        seen.add(ref)
        target = _pointer(document, ref)
        current = current if target is None else target
    return current


def _pointer(document: Mapping[str, Any], ref: str) -> Mapping[str, Any] | None:
    """Return the object a local reference such as `#/components/schemas/Task` points at."""
    if not ref.startswith("#/"):
        return None  # another file or a URL: not followed, compared by its text
    node: Any = document
    for part in ref[2:].split("/"):
        # RFC 6901 §4: "~1" is "/", "~0" is "~"; a URI fragment may also be percent-encoded
        node = as_map(node).get(unquote(part).replace("~1", "/").replace("~0", "~"))
    return node if isinstance(node, Mapping) else None


@dataclass(frozen=True, slots=True)
class _Node:
    """A schema with its `$ref`s, `allOf` and null alternatives folded away."""

    schema: Mapping[str, Any]
    ref: str | None  # the reference it was reached through: finds cycles and renames
    nullable: bool
    types: frozenset[str] | None  # None: any type; empty: only null
    external: str | None = None  # a `$ref` that was not followed


def _normalize(document: Mapping[str, Any], raw: Any, seen: frozenset[str] = frozenset()) -> _Node:
    """Read a schema into one model whichever OpenAPI version spelled it.

    `seen` holds the references being expanded, so a schema that is its own `allOf` member or
    alternative ends instead of recurring.
    """
    node = as_map(raw)  # 3.1's boolean schemas read as {}: anything
    ref: str | None = None
    nullable = False
    while True:
        target = node.get("$ref")
        if isinstance(target, str):
            resolved = None if target in seen else _pointer(document, target)
            if resolved is None:
                return _Node({}, ref or target, nullable, None, target)
            seen |= {target}
            ref = ref or target
            # 3.1 allows keywords beside $ref ("description", "readOnly"): they still apply
            node = {**resolved, **{k: v for k, v in node.items() if k != "$ref"}}
            continue
        key = "anyOf" if "anyOf" in node else "oneOf"
        variants = as_list(node.get(key))
        kept = [v for v in variants if resolve(document, v).get("type") not in ("null", ["null"])]
        if len(kept) < len(variants):
            # 3.1's nullable reference: {"anyOf": [{"$ref": ...}, {"type": "null"}]}
            nullable = True
            rest = {k: v for k, v in node.items() if k != key}
            node = {**rest, **as_map(kept[0])} if len(kept) == 1 else {**rest, key: kept}
            continue
        members = node.get("allOf")
        if isinstance(members, list):
            # 3.0's nullable reference: {"allOf": [{"$ref": ...}], "nullable": true}
            single = as_map(members[0]).get("$ref") if len(members) == 1 else None
            ref = ref or (single if isinstance(single, str) else None)
            node = _merge(document, node, members, seen)
            continue
        break
    kind = node.get("type")
    listed = [kind] if isinstance(kind, str) else as_list(kind)
    nullable = nullable or node.get("nullable") is True or "null" in listed
    types = (
        frozenset(t for t in listed if t != "null") if listed else _inferred(document, node, seen)
    )
    return _Node(node, ref, nullable, types)


def _merge(
    document: Mapping[str, Any], node: Mapping[str, Any], members: list[Any], seen: frozenset[str]
) -> dict[str, Any]:
    """Fold `allOf` into one schema.

    The result has every member's properties and required names, and the first value any
    member gives each other keyword.
    """
    merged = {k: v for k, v in node.items() if k != "allOf"}
    properties = dict(as_map(merged.get("properties")))
    required = list(as_list(merged.get("required")))
    for member in members:
        part = _normalize(document, member, seen).schema
        for name, value in as_map(part.get("properties")).items():
            properties.setdefault(name, value)
        required += as_list(part.get("required"))
        for keyword, value in part.items():
            merged.setdefault(keyword, value)
    if properties:
        merged["properties"] = properties
    merged["required"] = required
    return merged


def _inferred(
    document: Mapping[str, Any], schema: Mapping[str, Any], seen: frozenset[str]
) -> frozenset[str] | None:
    """The types a schema without `type` implies by its keywords or alternatives, if any."""
    if "properties" in schema or "additionalProperties" in schema:
        return frozenset({"object"})
    if "items" in schema:
        return frozenset({"array"})
    variants = as_list(schema.get("oneOf")) or as_list(schema.get("anyOf"))
    found = [_normalize(document, variant, seen).types for variant in variants]
    if not found or None in found:
        return None
    return frozenset(kind for types in found if types is not None for kind in types)


def _covers(accepted: frozenset[str] | None, produced: frozenset[str] | None) -> bool:
    """Whether every value of the `produced` types is of one of the `accepted` types."""
    if accepted is None:
        return True
    if produced is None:
        return False
    return all(t in accepted or (t == "integer" and "number" in accepted) for t in produced)


def _type_text(types: frozenset[str] | None) -> str:
    return "any type" if types is None else " or ".join(sorted(types)) or "null"


def _enum(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The allowed values as JSON text (null is left to nullability), or `None` for any."""
    values = [schema["const"]] if "const" in schema else schema.get("enum")
    if not isinstance(values, list):
        return None
    return frozenset(json.dumps(v, sort_keys=True) for v in values if v is not None)


def _number(schema: Mapping[str, Any], keyword: str) -> float | None:
    value = schema.get(keyword)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _bound(schema: Mapping[str, Any], plain: str, exclusive: str, upper: bool) -> _Bound | None:
    """The tightest of `minimum` and `exclusiveMinimum` (3.0's flag or 3.1's number)."""
    found = [(value, schema.get(exclusive) is True) for value in [_number(schema, plain)]]
    found += [(value, True) for value in [_number(schema, exclusive)]]
    bounds = [(value, flag) for value, flag in found if value is not None]
    return max(bounds, key=lambda bound: _tightness(bound, upper), default=None)


def _tightness(bound: _Bound, upper: bool) -> tuple[float, bool]:
    """A sort key: the greater, the fewer values the bound lets through."""
    return (-bound[0] if upper else bound[0], bound[1])


def _bound_text(bound: _Bound | None) -> str:
    return "none" if bound is None else _number_text(bound[0]) + " (exclusive)" * bound[1]


def _number_text(value: float | None) -> str:
    """A number as the document has it: integers in full, floats to their last digit.

    `repr` writes the shortest text that reads back as the same number, where `:g` kept six
    digits: `2147483647` was `2.14748e+09`, and `0.123456789` was `0.123457`.
    """
    return "none" if value is None else repr(value)


def _text(value: Any) -> str:
    """A keyword's value in a message; a keyword the schema leaves out is "none"."""
    return "none" if value is None else str(value)


def _divides(step: float, multiple: float) -> bool:
    return (Fraction(str(multiple)) / Fraction(str(step))).denominator == 1


def _variants(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The `oneOf` or `anyOf` alternatives, keyed by their `$ref`, else by position."""
    listed = as_list(schema.get("oneOf")) or as_list(schema.get("anyOf"))
    return {
        ref if isinstance(ref := as_map(variant).get("$ref"), str) else f"#{index}": variant
        for index, variant in enumerate(listed)
    }


def _variant_text(variant: Any) -> str:
    ref = as_map(variant).get("$ref")
    return _short(ref) if isinstance(ref, str) else json.dumps(variant, sort_keys=True)


def _short(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _discriminator(schema: Mapping[str, Any]) -> Any:
    return as_map(schema.get("discriminator")).get("propertyName")


class SchemaComparer:
    """Compares schemas of an old and a new document and reports what changed.

    Args:
        old: The old OpenAPI document; the `$ref`s of old schemas resolve in it.
        new: The new document.
        report: Called once for each difference found.
    """

    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any], report: Report) -> None:
        self._old = old
        self._new = new
        self._report = report
        self._active: set[tuple[str | None, str | None, Direction]] = set()
        self._renamed: set[tuple[str, str]] = set()

    def compare(self, old: Any, new: Any, direction: Direction, where: str, pointer: str) -> None:
        """Compare an old schema with a new one and report each difference.

        Args:
            old: The old schema, or `None` where there was none.
            new: The new schema.
            direction: `request` for what clients send, `response` for what they read.
            where: What the schemas describe, such as `GET /tasks response 200 body`.
            pointer: A JSON Pointer into the value; `[]` stands for every item of an array,
                `*` for every value of a map.
        """
        before, after = _normalize(self._old, old), _normalize(self._new, new)
        key = (before.ref, after.ref, direction)
        if key in self._active:
            return  # a recursive schema met again: this pair is being compared already
        if before.ref and after.ref and before.ref != after.ref:
            self._renamed.add((before.ref, after.ref))
        if before.ref is not None or after.ref is not None:
            # only references can recur; inline pairs must not block the inline pairs they hold
            self._active.add(key)
        try:
            self._compare(before, after, direction, where, pointer)
        finally:
            self._active.discard(key)

    def report_renames(self) -> None:
        """Report each component now referenced under a name the old document did not have."""
        for old_ref, new_ref in sorted(self._renamed):
            local = old_ref.startswith("#/") and new_ref.startswith("#/")
            if (
                local
                and _pointer(self._new, old_ref) is None
                and _pointer(self._old, new_ref) is None
            ):
                at = old_ref.removeprefix("#/")
                self._report(
                    False,
                    "component-renamed",
                    at,
                    f"{at} is now {new_ref.removeprefix('#/')}; the wire format is compared "
                    "separately, but an SDK regenerated from the new document names the model "
                    f"{_short(new_ref)}, so app code that names {_short(old_ref)} must follow.",
                )

    def _emit(self, breaking: bool, rule: str, at: str, what: str, direction: Direction) -> None:
        why = _REASONS.get((rule, breaking), _WHY[direction, breaking])
        self._report(breaking, rule, at, f"{at}: {what}; {why}.")

    def _note(self, at: str, what: str) -> None:
        self._report(
            False,
            "schema-changed",
            at,
            f"{at}: {what}; this is not compared automatically, so check by hand that clients "
            "generated from the old document still work.",
        )

    def _compare(
        self, old: _Node, new: _Node, direction: Direction, where: str, pointer: str
    ) -> None:
        at = f"{where} {pointer}" if pointer else where
        if old.external or new.external:
            if old.external != new.external:
                what = f"the reference changed from {_text(old.external)} to {_text(new.external)}"
                self._note(at, what)
            return
        if old.nullable != new.nullable:
            rule = "property-became-nullable" if new.nullable else "nullable-removed"
            what = "it may now be null" if new.nullable else "it is no longer nullable"
            self._emit(new.nullable == (direction == "response"), rule, at, what, direction)
        # between two sets of alternatives, the alternatives' own comparison says more
        choices = bool(_variants(old.schema)) and bool(_variants(new.schema))
        if old.types != new.types and not choices:
            # a request's new schema must take every old type; a response's old one every new
            sent, taken = (old, new) if direction == "request" else (new, old)
            breaking = not _covers(taken.types, sent.types)
            what = f"the type changed from {_type_text(old.types)} to {_type_text(new.types)}"
            self._emit(breaking, "type-changed", at, what, direction)
            if breaking:
                return  # nothing below compares between unrelated types
        self._values(old.schema, new.schema, direction, at)
        self._limits(old.schema, new.schema, direction, at)
        self._variants(old.schema, new.schema, direction, where, pointer)
        self._properties(old.schema, new.schema, direction, where, pointer)
        if "items" in old.schema or "items" in new.schema:
            items = old.schema.get("items"), new.schema.get("items")
            self.compare(*items, direction, where, f"{pointer}/[]")
        extra = old.schema.get("additionalProperties"), new.schema.get("additionalProperties")
        if (extra[0] is False) != (extra[1] is False):
            allowed = "no longer allowed" if extra[1] is False else "now allowed"
            what = f"additional properties are {allowed}"
            self._constraint(direction, at, extra[1] is False, False, what)
        elif isinstance(extra[0], Mapping) or isinstance(extra[1], Mapping):
            self.compare(*extra, direction, where, f"{pointer}/*")
        for keyword in _UNCOMPARED:
            before, after = (json.dumps(n.schema.get(keyword), sort_keys=True) for n in (old, new))
            if before != after:
                self._note(at, f"its `{keyword}` changed")

    def _constraint(
        self,
        direction: Direction,
        at: str,
        narrowed: bool,
        widened: bool,
        what: str,
        rule: str | None = None,
    ) -> None:
        """Report a changed limit: narrowing breaks senders, widening breaks readers.

        A change that is both (a different `pattern`) is reported as what hurts this direction.
        """
        breaking = (narrowed and direction == "request") or (widened and direction == "response")
        as_narrowed = narrowed and (direction == "request" or not widened)
        rule = rule or ("constraint-narrowed" if as_narrowed else "constraint-widened")
        self._emit(breaking, rule, at, what, direction)

    def _values(self, old: _Schema, new: _Schema, direction: Direction, at: str) -> None:
        """Compare `format` and `enum` (or `const`)."""
        before, after = old.get("format"), new.get("format")
        if before != after:
            widened = before is not None and (after is None or (before, after) in _WIDER_FORMATS)
            narrowed = after is not None and (before is None or (after, before) in _WIDER_FORMATS)
            what = f"the format changed from {_text(before)} to {_text(after)}"
            # unrelated formats (date-time, then date) narrow and widen at once
            unrelated = not (widened or narrowed)
            narrowed, widened = narrowed or unrelated, widened or unrelated
            self._constraint(direction, at, narrowed, widened, what, "format-changed")
        values, new_values = _enum(old), _enum(new)
        if values == new_values:
            return
        if values is None or new_values is None:
            what = "an enum was added" if values is None else "the enum was dropped"
            self._constraint(direction, at, values is None, new_values is None, what)
            return
        if removed := ", ".join(sorted(values - new_values)):
            what = f"the enum no longer allows {removed}"
            self._emit(direction == "request", "enum-value-removed", at, what, direction)
        if added := ", ".join(sorted(new_values - values)):
            what = f"the enum gained {added}"
            self._emit(direction == "response", "enum-value-added", at, what, direction)

    def _limits(self, old: _Schema, new: _Schema, direction: Direction, at: str) -> None:
        """Compare lengths, bounds, counts, `pattern`, `multipleOf` and `uniqueItems`."""
        for keyword, exclusive, upper in _LIMITS:
            before = _bound(old, keyword, exclusive, upper)
            after = _bound(new, keyword, exclusive, upper)
            if before != after:
                narrowed = before is None or (
                    after is not None and _tightness(after, upper) > _tightness(before, upper)
                )
                what = f"{keyword} changed from {_bound_text(before)} to {_bound_text(after)}"
                self._constraint(direction, at, narrowed, not narrowed, what)
        pattern, new_pattern = old.get("pattern"), new.get("pattern")
        if pattern != new_pattern:
            shown = ["none" if p is None else json.dumps(p) for p in (pattern, new_pattern)]
            what = f"the pattern changed from {shown[0]} to {shown[1]}"
            self._constraint(direction, at, new_pattern is not None, pattern is not None, what)
        step, new_step = _number(old, "multipleOf"), _number(new, "multipleOf")
        if step != new_step:
            narrowed = new_step is not None and (step is None or _divides(step, new_step))
            widened = step is not None and (new_step is None or _divides(new_step, step))
            what = f"multipleOf changed from {_number_text(step)} to {_number_text(new_step)}"
            # steps that divide neither way (2, then 3) narrow and widen at once
            unrelated = not (narrowed or widened)
            self._constraint(direction, at, narrowed or unrelated, widened or unrelated, what)
        unique, new_unique = old.get("uniqueItems") is True, new.get("uniqueItems") is True
        if unique != new_unique:
            what = "items must now be unique" if new_unique else "items need no longer be unique"
            self._constraint(direction, at, new_unique, unique, what)

    def _variants(
        self,
        old: _Schema,
        new: _Schema,
        direction: Direction,
        where: str,
        pointer: str,
    ) -> None:
        """Compare `oneOf` / `anyOf` alternatives."""
        at = f"{where} {pointer}" if pointer else where
        before, after = _variants(old), _variants(new)
        if bool(before) != bool(after):
            counts = len(before) or "one", len(after) or "one"
            self._note(at, f"it changed from {counts[0]} alternative(s) to {counts[1]}")
            return
        names = _discriminator(old), _discriminator(new)
        if None not in names and names[0] != names[1]:
            what = f"the discriminator changed from {names[0]} to {names[1]}"
            self._emit(True, "discriminator-changed", at, what, direction)
        # pair alternatives by $ref, then what is left by position (a renamed component)
        gone = [before[key] for key in sorted(before.keys() - after.keys())]
        come = [after[key] for key in sorted(after.keys() - before.keys())]
        pairs = [(before[key], after[key]) for key in sorted(before.keys() & after.keys())]
        if len(gone) == len(come):
            pairs += zip(gone, come, strict=True)
            gone = come = []
        for pair in pairs:
            self.compare(*pair, direction, where, pointer)
        for variant in gone:
            what = f"the alternative {_variant_text(variant)} was removed"
            self._emit(direction == "request", "variant-removed", at, what, direction)
        for variant in come:
            what = f"the alternative {_variant_text(variant)} was added"
            self._emit(direction == "response", "variant-added", at, what, direction)

    def _properties(
        self,
        old: _Schema,
        new: _Schema,
        direction: Direction,
        where: str,
        pointer: str,
    ) -> None:
        before = self._visible(self._old, old, direction)
        after = self._visible(self._new, new, direction)
        required = set(as_list(old.get("required"))), set(as_list(new.get("required")))
        extra = new.get("additionalProperties")
        tolerant = extra is True or isinstance(extra, Mapping)
        for name in sorted(before.keys() | after.keys()):
            child = f"{pointer}/{name.replace('~', '~0').replace('/', '~1')}"  # RFC 6901 §3
            now = name in required[1]
            if name not in after:
                hidden = name in as_map(new.get("properties"))  # now readOnly or writeOnly
                what = (
                    f"the property is now {_HIDDEN[direction]}"
                    if hidden
                    else "the property was removed"
                )
                rule = f"{direction}-property-removed"
                breaking = direction == "response" or hidden or not tolerant
            elif name not in before:
                what = "a required property was added" if now else "an optional property was added"
                rule = f"{direction}-property-added"
                rule = "required-request-property-added" if now and direction == "request" else rule
                breaking = now and direction == "request"
            else:
                self.compare(before[name], after[name], direction, where, child)
                if (name in required[0]) == now:
                    continue
                what = "the property became required" if now else "the property became optional"
                rule = _REQUIRED_RULES[direction, now]
                breaking = now == (direction == "request")
            self._emit(breaking, rule, f"{where} {child}", what, direction)

    @staticmethod
    def _visible(document: _Schema, schema: _Schema, direction: Direction) -> dict[str, Any]:
        """The properties of `schema` that travel in this direction.

        OpenAPI's `readOnly` properties only appear in responses, `writeOnly` ones in requests.
        """
        hidden = _HIDDEN[direction]
        return {
            name: value
            for name, value in as_map(schema.get("properties")).items()
            if _normalize(document, value).schema.get(hidden) is not True
        }
