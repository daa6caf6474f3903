"""Permissions: what an authenticated caller must hold to run an operation.

Declare `requires=` on an `Api`, a `Blueprint`, a `Resource` (class attribute) or an
operation. The requirements of every level apply together, so an operation cannot lose a
requirement its resource declares by declaring its own; `requires=False` drops those of the
levels above. A caller who does not meet them gets a 403 problem that says what is missing.

```python
class Tasks(Resource):
    requires = Scopes("tasks:read")

    @operation(body=TaskSchema, response=TaskSchema, status=201,
               requires=Scopes("tasks:write") | Roles("admin"))
    def post(self, body, identity: Identity[User]): ...
```

`Scopes` and `Roles` need all the names they list; combine requirements with `&` (both) and
`|` (either), and write any other rule as a `Check`. Rules about one object (its owner, its
state) belong in the resource's `authorize_object` hook instead (see `restkit.resource`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from restkit.errors import DeclarationError
from restkit.identity import Identity

__all__ = [
    "AllOf",
    "AnyOf",
    "Check",
    "Requirement",
    "Roles",
    "Scopes",
    "make_requirements",
    "needed_scopes",
]


class Requirement(ABC):
    """A rule an authenticated caller must meet. Combine with `&` and `|`."""

    @abstractmethod
    def allows(self, identity: Identity[Any]) -> bool:
        """Whether the caller meets this requirement."""

    @abstractmethod
    def describe(self) -> str:
        """Say what the requirement asks for, for 403 problems and the OpenAPI document."""

    def names(self) -> frozenset[str]:
        """Return the scope and role names every caller who meets this requirement holds.

        The OpenAPI 3.1 document lists them in the operation's security requirements.
        """
        return frozenset()

    def __and__(self, other: Requirement) -> Requirement:
        return AllOf(self, other)

    def __or__(self, other: Requirement) -> Requirement:
        return AnyOf(self, other)


def _names(kind: str, values: Sequence[str]) -> tuple[str, ...]:
    if not values or not all(isinstance(value, str) and value for value in values):
        raise DeclarationError(
            f"{kind}(...) takes one or more non-empty names, such as {kind}('tasks:read'); "
            f"it was given {values!r}."
        )
    return tuple(dict.fromkeys(values))


def _list(kind: str, names: Sequence[str]) -> str:
    noun = kind if len(names) == 1 else kind + "s"
    return f"{noun} " + " and ".join(f"'{name}'" for name in names)


class Scopes(Requirement):
    """The caller must hold every one of these scopes (`Identity.scopes`).

    Args:
        *names: The scopes, such as `"tasks:write"`.

    Raises:
        DeclarationError: No name, or one that is not a non-empty string.
    """

    def __init__(self, *names: str) -> None:
        self.scopes = _names("Scopes", names)

    def allows(self, identity: Identity[Any]) -> bool:
        """Whether the caller holds every scope."""
        return all(scope in identity.scopes for scope in self.scopes)

    def describe(self) -> str:
        """Say which scopes are needed."""
        return _list("scope", self.scopes)

    def names(self) -> frozenset[str]:
        """Return the scopes."""
        return frozenset(self.scopes)

    def __repr__(self) -> str:
        return f"Scopes({', '.join(map(repr, self.scopes))})"


class Roles(Requirement):
    """The caller must have every one of these roles (`Identity.roles`).

    For "any of", combine: `Roles("admin") | Roles("editor")`.

    Args:
        *names: The roles, such as `"admin"`.

    Raises:
        DeclarationError: No name, or one that is not a non-empty string.
    """

    def __init__(self, *names: str) -> None:
        self.roles = _names("Roles", names)

    def allows(self, identity: Identity[Any]) -> bool:
        """Whether the caller has every role."""
        return all(role in identity.roles for role in self.roles)

    def describe(self) -> str:
        """Say which roles are needed."""
        return _list("role", self.roles)

    def names(self) -> frozenset[str]:
        """Return the roles."""
        return frozenset(self.roles)

    def __repr__(self) -> str:
        return f"Roles({', '.join(map(repr, self.roles))})"


class Check(Requirement):
    """Any rule about the caller, as a function.

    Args:
        test: Returns whether the caller may run the operation.
        description: What the rule asks for, completing "You need ...", such as
            `"a verified email address"`. It is shown in 403 problems and the document.

    Raises:
        DeclarationError: `test` is not callable or the description is empty.

    Example:
        ```python
        verified = Check(lambda identity: identity.user.verified, "a verified email address")
        ```
    """

    def __init__(self, test: Callable[[Identity[Any]], bool], description: str) -> None:
        if not callable(test):
            raise DeclarationError(f"Check(...) takes a function of the identity, not {test!r}.")
        if not isinstance(description, str) or not description.strip():
            raise DeclarationError(
                "Check(...) needs a description of what it asks for, completing 'You need "
                "...', such as 'a verified email address'."
            )
        self.test = test
        self.description = description.strip()

    def allows(self, identity: Identity[Any]) -> bool:
        """Whether the test passes."""
        return bool(self.test(identity))

    def describe(self) -> str:
        """Return the description."""
        return self.description

    def __repr__(self) -> str:
        return f"Check({self.test!r}, {self.description!r})"


class AllOf(Requirement):
    """Every one of several requirements (what `a & b` builds)."""

    def __init__(self, *requirements: Requirement) -> None:
        self.requirements = _flatten(AllOf, requirements)

    def allows(self, identity: Identity[Any]) -> bool:
        """Whether the caller meets every requirement."""
        return all(requirement.allows(identity) for requirement in self.requirements)

    def describe(self) -> str:
        """Join the descriptions with "and"."""
        return " and ".join(_grouped(part, AnyOf) for part in self.requirements)

    def names(self) -> frozenset[str]:
        """Return the names any of the requirements needs."""
        return frozenset().union(*(part.names() for part in self.requirements))

    def __repr__(self) -> str:
        return " & ".join(
            f"({part!r})" if isinstance(part, AnyOf) else repr(part) for part in self.requirements
        )


class AnyOf(Requirement):
    """At least one of several requirements (what `a | b` builds)."""

    def __init__(self, *requirements: Requirement) -> None:
        self.requirements = _flatten(AnyOf, requirements)

    def allows(self, identity: Identity[Any]) -> bool:
        """Whether the caller meets at least one requirement."""
        return any(requirement.allows(identity) for requirement in self.requirements)

    def describe(self) -> str:
        """Join the descriptions with "or"."""
        return " or ".join(_grouped(part, AllOf) for part in self.requirements)

    def names(self) -> frozenset[str]:
        """Return the names all of the requirements need."""
        return frozenset.intersection(*(part.names() for part in self.requirements))

    def __repr__(self) -> str:
        return " | ".join(f"({part!r})" for part in self.requirements)


def _flatten(kind: type[AllOf | AnyOf], parts: Iterable[Requirement]) -> tuple[Requirement, ...]:
    flat: list[Requirement] = []
    for part in parts:
        if not isinstance(part, Requirement):
            raise DeclarationError(
                f"{kind.__name__}(...) combines requirements such as Scopes(...) or "
                f"Roles(...); it was given {part!r}."
            )
        flat.extend(part.requirements if isinstance(part, kind) else (part,))
    if len(flat) < 2:
        raise DeclarationError(f"{kind.__name__}(...) combines two or more requirements.")
    return tuple(flat)


def _grouped(part: Requirement, other: type[Requirement]) -> str:
    text = part.describe()
    return f"({text})" if isinstance(part, other) else text


def needed_scopes(requirement: Requirement) -> frozenset[str]:
    """Return the scopes a caller needs in any case, that a token with more scopes could give.

    `Scopes("a") & Roles("admin")` needs `a`; `Scopes("a") | Scopes("b")` needs none for sure.
    A bearer 403 names the missing ones in its `insufficient_scope` challenge (RFC 6750 §3.1).
    """
    if isinstance(requirement, Scopes):
        return frozenset(requirement.scopes)
    if isinstance(requirement, AllOf):
        return frozenset().union(*(needed_scopes(part) for part in requirement.requirements))
    return frozenset()


def make_requirements(value: Any, owner: str) -> tuple[Requirement, ...] | bool | None:
    """Check a level's `requires=` declaration and return it as a tuple.

    Args:
        value: A `Requirement`, a list of them (all apply), `False` or `None`.
        owner: Who declares it, for error messages.

    Raises:
        DeclarationError: The value is not one of those.
    """
    if value is None or value is False:
        return value
    items = (value,) if isinstance(value, Requirement) else value
    if (
        isinstance(items, list | tuple)
        and items
        and all(isinstance(item, Requirement) for item in items)
    ):
        return tuple(items)
    raise DeclarationError(
        f"{owner} declares requires={value!r}; give Scopes(...), Roles(...), Check(...), a "
        "combination of them with & and |, a list of them, or False."
    )
