"""restkit.identity: who is calling, for rate limits and idempotency keys."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request

from restkit.identity import client_key, get_client_id, remote_address, set_client_id


@pytest.fixture
def app() -> Flask:
    return Flask(__name__)


def test_get_client_id_without_set_returns_none(app: Flask) -> None:
    with app.test_request_context("/"):
        assert get_client_id() is None


@pytest.mark.parametrize("client_id", ["user:42", None])
def test_set_client_id_is_read_back_for_the_request(app: Flask, client_id: Any) -> None:
    with app.test_request_context("/"):
        set_client_id("someone")
        set_client_id(client_id)

        assert get_client_id() == client_id


def test_client_id_does_not_outlive_its_request(app: Flask) -> None:
    with app.test_request_context("/"):
        set_client_id("user:42")

    with app.test_request_context("/"):
        assert get_client_id() is None


@pytest.mark.parametrize(
    ("address", "expected"), [("203.0.113.7", "address:203.0.113.7"), ("", "address:unknown")]
)
def test_remote_address_names_the_peer(app: Flask, address: str, expected: str) -> None:
    with app.test_request_context("/", environ_overrides={"REMOTE_ADDR": address}):
        assert remote_address(request) == expected


@pytest.mark.parametrize(
    ("client_id", "expected"), [("user:42", "client:user:42"), (None, "address:203.0.113.7")]
)
def test_client_key_prefers_the_client_id_over_the_address(
    app: Flask, client_id: str | None, expected: str
) -> None:
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        set_client_id(client_id)

        assert client_key(request) == expected
