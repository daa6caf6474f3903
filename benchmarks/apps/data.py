"""The in-memory data every benchmark app serves, and the request bodies sent to them.

Every app reads the same 50 `Item` rows and builds a created item the same way, so their
responses can be compared byte for byte after JSON parsing. Rows are objects, as an ORM
would hand them over, not ready-made dicts: turning them into JSON is part of each app's work.

The JSON form of an item, which every app must send:

```json
{"id": 1, "name": "Item 1", "price": "10.99", "tags": ["tag-1", "sale"],
 "created_at": "2024-03-01T09:30:00+01:00", "owner": {"id": 2, "name": "Owner 2"}}
```

Prices are decimals written as JSON strings (`"10.99"`), so no digit is lost on the way;
`created_at` is ISO 8601 with its UTC offset.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CREATED_ID",
    "INVALID_BODY",
    "INVALID_FIELDS",
    "ITEMS",
    "ITEM_COUNT",
    "VALID_BODY",
    "Item",
    "Owner",
    "create_item",
    "find_item",
]

ITEM_COUNT = 50
"""How many items the list endpoint answers with."""

# A fixed offset that is not UTC, so an app that drops or converts the offset is caught.
_ZONE = dt.timezone(dt.timedelta(hours=1), "CET")
_EPOCH = dt.datetime(2024, 3, 1, 9, 30, tzinfo=_ZONE)


@dataclass(slots=True)
class Owner:
    """The user an item belongs to; items carry it as a nested object."""

    id: int
    name: str


@dataclass(slots=True)
class Item:
    """One row of the catalogue."""

    id: int
    name: str
    price: decimal.Decimal
    created_at: dt.datetime
    owner: Owner
    tags: list[str] = field(default_factory=list)


OWNERS = [Owner(id=number, name=f"Owner {number}") for number in range(1, 6)]

ITEMS: dict[int, Item] = {
    number: Item(
        id=number,
        name=f"Item {number}",
        price=decimal.Decimal(f"{number * 3 % 97 + 0.99:.2f}"),
        created_at=_EPOCH + dt.timedelta(hours=number, seconds=number * 7),
        owner=OWNERS[number % len(OWNERS)],
        tags=[f"tag-{number % 7}", "sale"] if number % 2 else [f"tag-{number % 7}"],
    )
    for number in range(1, ITEM_COUNT + 1)
}
"""The catalogue, keyed by id."""

CREATED_ID = ITEM_COUNT + 1
"""The id every create gets: the benchmark repeats the same create many times, and each must
answer the same body, so created items replace each other instead of piling up."""

_CREATED: dict[int, Item] = {}

VALID_BODY: dict[str, Any] = {"name": "Desk lamp", "price": "24.50", "tags": ["home", "light"]}
"""A body every app accepts: it answers 201 with the created item."""

INVALID_BODY: dict[str, Any] = {"name": "", "price": "cheap", "tags": ["ok", 7]}
"""A body with three invalid fields, each of which every app must report (422)."""

INVALID_FIELDS = frozenset({"name", "price", "tags"})
"""The fields of `INVALID_BODY` that are wrong."""


def find_item(item_id: int) -> Item | None:
    """Return the item with this id, or `None`."""
    return ITEMS.get(item_id) or _CREATED.get(item_id)


def create_item(name: str, price: decimal.Decimal, tags: list[str]) -> Item:
    """Store a new item from validated input and return it.

    Its owner and creation time are fixed, so that every app's answer is the same.
    """
    item = Item(
        id=CREATED_ID,
        name=name,
        price=price,
        created_at=_EPOCH,
        owner=OWNERS[0],
        tags=list(tags),
    )
    _CREATED[item.id] = item
    return item
