"""Idempotent retries: a POST sent again with the same `Idempotency-Key` runs only once.

```python
api = Api(app, idempotency=True)                    # every POST of the API

@operation(body=TaskSchema, response=TaskSchema, status=201, idempotency=True)
def post(self, body): ...
```

A mobile client that lost the answer to a POST cannot know whether it was applied. With an
`Idempotency-Key` header (any unique string, usually a UUID, at most 255 visible ASCII
characters, optionally quoted as a structured-field string), it can simply send it again:

- the first request runs, and its status, headers and body are stored in the API's store;
- a retry with the same key and the same request (method, path, query, `Content-Type` and
  body) gets the stored response again, marked with `Idempotent-Replayed: true`;
- the same key with another request is a 422 problem;
- a retry while the first request is still running is a 409 problem with `Retry-After`;
- records expire after `ttl` seconds (a day by default).

Keys are scoped to the authenticated client when there is one (see `restkit.identity`), so
two clients cannot see each other's responses. Only answers that a retry would get again are
stored: success, and client errors other than 408, 409, 425 and 429. After a server error or
a lost store the key is released, so a retry runs again.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from werkzeug.wrappers import Request, Response

from restkit.errors import DeclarationError
from restkit.identity import get_client_id
from restkit.problems import BadRequest, Conflict, InputError, UnprocessableContent
from restkit.stores import Store, StoreError

__all__ = ["IDEMPOTENCY_HEADER", "REPLAYED_HEADER", "Idempotency", "IdempotencyPlan"]

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The request header that names a retryable request."""

REPLAYED_HEADER = "Idempotent-Replayed"
"""The response header that marks a stored response sent again."""

_KEY = re.compile(r'"?([\x21\x23-\x7e]{1,255})"?')
_TRANSIENT = frozenset({408, 409, 425, 429})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Headers that describe this sending of a response rather than the response itself.
_NOT_STORED = frozenset(
    {"date", "set-cookie", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}
)
_LOG = logging.getLogger("restkit")


@dataclass(frozen=True, slots=True)
class Idempotency:
    """How an operation honours `Idempotency-Key`.

    Attributes:
        ttl: How long a stored response is replayed, in seconds; a day by default.
        required: Whether a request without the header is refused (400) instead of run.
        lock_timeout: How long a first request holds its key, in seconds, after which a
            retry may run it again (should the worker have died).
    """

    ttl: float = 86400
    required: bool = False
    lock_timeout: float = 60

    def __post_init__(self) -> None:
        for name in ("ttl", "lock_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise DeclarationError(f"Idempotency {name}={value!r} must be positive seconds.")


@dataclass(slots=True)
class IdempotencyTicket:
    """A request that holds its key: its response is stored when it is done."""

    key: str
    record: bytes


class IdempotencyPlan:
    """Runs one operation's requests at most once per key.

    Args:
        idempotency: The declaration.
        scope: The API's name; keys of different APIs are apart.
        reads_body: Whether the operation reads a body (within its size limit). A body it
            ignores is left out of the fingerprint, and never read.
    """

    def __init__(self, idempotency: Idempotency, scope: str, *, reads_body: bool = True) -> None:
        self.idempotency = idempotency
        self.scope = scope
        self.reads_body = reads_body

    def read_key(self, request: Request) -> str | None:
        """Return the request's key, or `None` when it has none.

        Raises:
            BadRequest: The header is malformed, or missing when required.
        """
        value = request.headers.get(IDEMPOTENCY_HEADER)
        if value is None:
            if self.idempotency.required:
                raise BadRequest(
                    f"This operation requires an {IDEMPOTENCY_HEADER} header: a unique value, "
                    "such as a UUID, that you send again when you retry the request."
                )
            return None
        value = value.strip()
        quoted = value.startswith('"')
        if not quoted and "," in value:  # several lines, joined by the server or a proxy
            raise BadRequest(
                f"Send one {IDEMPOTENCY_HEADER} header with one key; this request has several "
                "(or a key with a comma, which must then be quoted)."
            )
        match = _KEY.fullmatch(value)
        if match is None or quoted != value.endswith('"'):
            raise BadRequest(
                f"The {IDEMPOTENCY_HEADER} header must be 1 to 255 visible ASCII characters "
                "(no spaces), for example a UUID."
            )
        return match.group(1)

    def begin(self, request: Request, key: str, store: Store) -> IdempotencyTicket | Response:
        """Take the key for this request, or answer a retry.

        Returns:
            A ticket when this request should run, or the stored response of an earlier one.

        Raises:
            UnprocessableContent: The key was used with another request.
            Conflict: The first request with this key is still running.
            StoreError: The store failed.
        """
        who = get_client_id() or ""
        digest = hashlib.sha256(f"{self.scope}\0{who}\0{key}".encode()).hexdigest()
        store_key = f"idem:{digest}"
        fingerprint = _fingerprint(request, self.reads_body)
        record = orjson.dumps({"state": "running", "fp": fingerprint, "id": uuid.uuid4().hex})
        for _ in range(3):
            if store.add(store_key, record, self.idempotency.lock_timeout):
                return IdempotencyTicket(store_key, record)
            stored = store.get(store_key)
            if stored is None:
                continue  # it expired in between: try to take it again
            existing = orjson.loads(stored)
            if existing["fp"] != fingerprint:
                raise UnprocessableContent(
                    [
                        InputError(
                            "headers",
                            f"This {IDEMPOTENCY_HEADER} was used with another request; "
                            "use a new key for a new request.",
                            name=IDEMPOTENCY_HEADER,
                        )
                    ]
                )
            if existing["state"] == "running":
                break
            return _replay(existing)
        raise Conflict(
            f"A request with this {IDEMPOTENCY_HEADER} is still being processed; retry later.",
            headers={"Retry-After": "1"},
        )

    def finish(self, ticket: IdempotencyTicket, response: Response | None, store: Store) -> None:
        """Store the response to replay, or release the key when a retry should run again.

        A store failure here is logged, not raised: the request has been applied, and its
        answer must reach the client.
        """
        try:
            if response is None or not _storable(response):
                store.replace(ticket.key, ticket.record, None, 1)
                return
            record = orjson.dumps(
                {
                    "state": "done",
                    "fp": orjson.loads(ticket.record)["fp"],
                    "status": response.status_code,
                    "headers": [
                        [name, value]
                        for name, value in response.headers.items()
                        if name.lower() not in _NOT_STORED
                    ],
                    "body": base64.b64encode(response.get_data()).decode(),
                }
            )
            store.replace(ticket.key, ticket.record, record, self.idempotency.ttl)
        except StoreError:
            _LOG.exception("Could not record the response of an idempotent request.")


def _storable(response: Response) -> bool:
    status = response.status_code
    return status < 500 and status not in _TRANSIENT and not response.is_streamed


def _fingerprint(request: Request, reads_body: bool) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode() + b"\0")
    digest.update((request.mimetype or "").encode() + b"\0")
    if not reads_body:
        pass  # an unbounded body the operation ignores is not read
    elif request.mimetype in _FORM_TYPES:
        # Form parsing consumed the body without keeping it: digest what it parsed.
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(orjson.dumps([name, value]))
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(orjson.dumps([name, upload.filename, upload.mimetype]))
            digest.update(hashlib.sha256(content).digest())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: dict[str, Any]) -> Response:
    response = Response(base64.b64decode(record["body"]), status=record["status"])
    response.headers.clear()
    for name, value in record["headers"]:
        response.headers.add(name, value)
    response.headers[REPLAYED_HEADER] = "true"
    return response
