"""operationIds: a verb and the resource's noun, in camelCase.

SDK generators turn each operationId into a method name (`client.list_tasks()`), so they
must be stable, unique and readable. The noun is the resource class's name without a
`Resource`, `Item`, `List`, `Collection`, `Detail` or `View` suffix (`List` and `Collection`
mark a collection: `TaskList` names `Tasks`). The kind of resource picks the verb and the
noun's number:

| resource | GET | POST | PUT | PATCH | DELETE |
| --- | --- | --- | --- | --- | --- |
| item (`/tasks/<id>`) | getTask | createTask | updateTask | patchTask | deleteTask |
| collection (`Tasks`) | listTasks | createTask | updateTasks | patchTasks | deleteTasks |
| singleton (`Me`) | getMe | createMe | updateMe | patchMe | deleteMe |

An item's rule ends with a variable; a collection's noun is plural; a singleton's is not.

`operation(operation_id=...)` sets one by hand.
"""

from __future__ import annotations

import re

__all__ = ["make_operation_id", "plural", "singular"]

_SUFFIXES = ("Resource", "Collection", "Detail", "Item", "List", "View")
_COLLECTION_SUFFIXES = frozenset({"Collection", "List"})
_IES_TO_IE = frozenset({"movies", "cookies", "pies", "ties", "lies", "zombies", "calories"})
_VERBS = {
    "item": {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"},
    "collection": {
        "GET": "list",
        "POST": "create",
        "PUT": "update",
        "PATCH": "patch",
        "DELETE": "delete",
    },
}
_SINGULAR_METHODS = frozenset({"POST"})
_SIBILANT = re.compile(r"(?:s|x|z|ch|sh)$")
_CONSONANT_Y = re.compile(r"[^aeiou]y$", re.IGNORECASE)
_INVARIANT = frozenset({"data", "info", "news", "series", "status", "settings", "me"})


def singular(noun: str) -> str:
    """Return the singular of an English noun as API resources name them (`Tasks` → `Task`)."""
    lower = noun.lower()
    if lower in _INVARIANT or lower.endswith(("ss", "us", "is")) or len(lower) < 3:
        return noun
    if lower.endswith("ies"):
        if any(lower.endswith(word) for word in _IES_TO_IE):
            return noun[:-1]
        return noun[:-3] + ("Y" if noun[-3].isupper() else "y")
    if lower.endswith("quizzes"):
        return noun[:-3]  # the z doubles in the plural only
    if re.search(r"(?:sses|uses|xes|zes|ches|shes)$", lower):
        return noun[:-2]
    if lower.endswith("s"):
        return noun[:-1]
    return noun


def plural(noun: str) -> str:
    """Return the plural of an English noun (`Task` → `Tasks`, `Category` → `Categories`)."""
    lower = noun.lower()
    if lower in _INVARIANT:
        return noun
    if _CONSONANT_Y.search(lower):
        return noun[:-1] + "ies"
    if _SIBILANT.search(lower):
        return noun + "es"
    return noun + "s"


def _is_plural(noun: str) -> bool:
    return singular(noun) != noun


def make_operation_id(resource_name: str, method: str, rule: str) -> str:
    """Derive the operationId of one method of a resource mounted at `rule`.

    Args:
        resource_name: The resource class's name, such as `TaskItem`.
        method: The HTTP method in upper case.
        rule: The rule the resource is mounted at; a trailing variable marks an item.

    Returns:
        A camelCase identifier such as `getTask`.
    """
    noun = resource_name
    listing = False
    for suffix in _SUFFIXES:
        if noun.endswith(suffix) and len(noun) > len(suffix):
            noun = noun[: -len(suffix)]
            listing = suffix in _COLLECTION_SUFFIXES
            break
    item = rule.rstrip("/").endswith(">")
    if listing and not item and not _is_plural(_last_word(noun)):
        word = _last_word(noun)
        noun = noun[: -len(word)] + plural(word)  # TaskList → Tasks
    if not item and _is_plural(_last_word(noun)):
        verb = _VERBS["collection"][method]
        word = _last_word(noun)
        if method in _SINGULAR_METHODS:
            noun = noun[: -len(word)] + singular(word)
    else:
        verb = _VERBS["item"][method]
        if item:
            word = _last_word(noun)
            noun = noun[: -len(word)] + singular(word)
    return verb + noun[:1].upper() + noun[1:]


def _last_word(name: str) -> str:
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)
    return words[-1] if words else name
