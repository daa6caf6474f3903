"""The OpenAPI document: built from the operation records, checked, and compared."""

from __future__ import annotations

__all__: list[str] = []
