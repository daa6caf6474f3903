"""Flask URL rules parsed once: their variables and converters, checked as Werkzeug checks them.

Werkzeug checks a rule when it is added to a `Map`, which also compiles two URL builders for it
(Python code generated through `ast`), the dearest part. restkit reads a rule's variables and
converters before the app does (at `Blueprint.add_resource`, `Api.init_app` and for the OpenAPI
document), so it runs Werkzeug's own parser on the rule without compiling the builders. A rule
the parser takes but the builders would refuse (a variable named twice) and any rule the fast
path cannot read is added to a throwaway `Map` after all, so the errors are Werkzeug's own.

The routes restkit adds to an app are made with `lazy_builders(app.url_rule_class)`, a subclass
that compiles each URL builder on the rule's first `url_for` instead of when it is added: an
API of hundreds of routes starts in a fraction of the time, and the routes nobody builds URLs
for never pay for it. `check_rule` has already refused what those builders would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.routing import BaseConverter, Map, Rule

from restkit.errors import DeclarationError

__all__ = ["ParsedRule", "check_rule", "lazy_builders", "parse_rule"]

_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([A-Za-z_][A-Za-z0-9_]*)(?:\([^)]*\))?>")
_INVALID = (ValueError, LookupError, SyntaxError, TypeError)


@dataclass(frozen=True, slots=True)
class ParsedRule:
    """A URL rule's variables and their converters.

    Attributes:
        arguments: The names of the rule's variables, in order.
        converters: The converter of each variable, in the rule's order.
        unknown: The converter names the given converters lacked (only when they were
            parsed leniently); each of those variables got a `BaseConverter`.
    """

    arguments: tuple[str, ...]
    converters: Mapping[str, BaseConverter]
    unknown: tuple[str, ...] = ()


def parse_rule(
    rule: str,
    converters: Mapping[str, type[BaseConverter]] | None = None,
    *,
    lenient: bool = False,
) -> ParsedRule:
    """Parse a Flask URL rule as a Werkzeug `Map` would, without compiling its URL builders.

    Args:
        rule: The URL rule, such as `/tasks/<int:task_id>`.
        converters: The converters by name, such as an app's `url_map.converters`, besides
            Werkzeug's own; only Werkzeug's when `None`.
        lenient: Take any converter name, noting those `converters` lack in `unknown`.

    Raises:
        ValueError, LookupError, SyntaxError, TypeError: Werkzeug's errors for an invalid rule
            (`LookupError` for an unknown converter, unless `lenient`).
    """
    url_map = Map(converters=None if lenient else converters)
    known: Mapping[str, type[BaseConverter]] = url_map.converters
    if lenient:
        # Only the given converters, when given: an app's are the full set it routes with.
        known = url_map.converters = _AnyConverters(
            url_map.converters if converters is None else converters
        )
    try:
        parsed = _parse(rule, url_map)
    except AttributeError:  # a Werkzeug whose internals differ: take the full way
        parsed = None
    if parsed is None:
        parsed = _compile(rule, url_map)
    unknown = tuple(known.unknown) if isinstance(known, _AnyConverters) else ()
    return ParsedRule(tuple(parsed), parsed, unknown)


def check_rule(
    rule: str, converters: Mapping[str, type[BaseConverter]] | None = None
) -> ParsedRule:
    """Parse a rule for restkit's declarations, refusing it with a `DeclarationError`.

    Args:
        rule: The URL rule, such as `/tasks/<int:task_id>`.
        converters: The converters the rule may use, by name: an app's `url_map.converters`.
            Without them any converter name is accepted, as a blueprint does not know its
            app's converters until `Api.init_app` checks them.

    Raises:
        DeclarationError: The rule is not valid Flask rule syntax, or it uses a converter that
            `converters` lacks.
    """
    try:
        parsed = parse_rule(rule, converters, lenient=True)
    except _INVALID as error:
        raise DeclarationError(f"The URL rule {rule!r} is invalid: {error}") from None
    if converters is not None and parsed.unknown:
        name = parsed.unknown[0]
        raise DeclarationError(
            f"The URL rule {rule!r} uses the converter {name!r}, which the app's "
            f"url_map.converters lacks. Register it before init_app "
            f"(app.url_map.converters[{name!r}] = YourConverter), or use one the app has: "
            f"{', '.join(sorted(converters))}."
        )
    return parsed


def _parse(rule: str, url_map: Map) -> dict[str, BaseConverter] | None:
    """Run Werkzeug's rule parser, as `Rule.compile` does; `None` for a rule to compile."""
    parsed = Rule(rule, endpoint="_")
    # What Rule.bind sets before it compiles (this map has no subdomains or host matching).
    parsed.map = url_map
    parsed.strict_slashes = url_map.strict_slashes
    parsed.merge_slashes = url_map.merge_slashes
    parsed._trace = []
    parsed._converters = {}
    text = re.sub("/{2,}", "/", rule) if parsed.merge_slashes else rule
    list(parsed._parse_rule(text))  # run for what it records in _trace and _converters
    names = [name for dynamic, name in parsed._trace if dynamic]
    if len(set(names)) != len(names):
        return None  # the builders refuse a name used twice: let them say so
    made: dict[str, BaseConverter] = parsed._converters
    return {name: made[name] for name in names}


def _compile(rule: str, url_map: Map) -> dict[str, BaseConverter]:
    bound = Rule(rule, endpoint="_")
    url_map.add(bound)
    made: dict[str, BaseConverter] = bound._converters
    # Werkzeug rejected repeated names above, so these are unique.
    return {name: made[name] for name in _VARIABLE.findall(rule)}


class _AnyConverters(dict[str, type[BaseConverter]]):
    """A `Map`'s converters that take any name, noting the names they did not know.

    So a rule's syntax is checked before the converters an app registers are known.
    """

    def __init__(self, known: Mapping[str, type[BaseConverter]]) -> None:
        super().__init__(known)
        self.unknown: list[str] = []

    def __contains__(self, name: object) -> bool:
        return True  # werkzeug asks before it looks a converter up

    def __missing__(self, name: str) -> type[BaseConverter]:
        self.unknown.append(name)
        return BaseConverter  # takes any arguments, matches one path segment


_LAZY: dict[type[Rule], type[Rule]] = {}


def lazy_builders(rule_class: type[Rule]) -> type[Rule]:
    """Return a subclass of `rule_class` that compiles its URL builders on first use.

    The subclass is made once per class. A Werkzeug without the private `_compile_builder`
    gets `rule_class` back unchanged, so routes then compile as usual.
    """
    lazy = _LAZY.get(rule_class)
    if lazy is None:
        lazy = rule_class
        if callable(getattr(rule_class, "_compile_builder", None)):
            lazy = type(f"Lazy{rule_class.__name__}", (_LazyBuilders, rule_class), {})
        _LAZY[rule_class] = lazy
    return lazy


class _LazyBuilders(Rule):
    """Defers `Rule._compile_builder` until the builder is first called."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        name = "_build_unknown" if append_unknown else "_build"
        compile_now = super()._compile_builder

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            compiled: Callable[..., tuple[str, str]] = compile_now(append_unknown).__get__(rule)
            setattr(rule, name, compiled)  # later calls go straight to the compiled builder
            return compiled(**values)

        return build
