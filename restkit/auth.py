"""Authentication: who is calling, proved by a bearer token, an API key or a password.

Give an `Api` the authenticators that every operation requires, and override them on a
`Blueprint`, a `Resource` (class attribute) or an operation with the same keyword:

```python
bearer = JwtBearer(key=app_secret)                     # restkit.jwt
api_key = ApiKey(verify=find_key, name="X-API-Key")

api = Api(app, auth=bearer)                            # every operation needs a token

class Reports(Resource):
    auth = [bearer, api_key]                           # either one may pass

    @operation(response=StatusSchema, auth=False)      # public, and documented so
    def get(self): ...
```

The nearest level that says something wins: an authenticator or a list of them (any one may
pass), `False` for public, `True` for "the authenticators of the levels above" (say, inside a
public blueprint). A request that none of them accepts gets a 401 problem with one
`WWW-Authenticate` challenge per accepted scheme (RFC 9110 §11.6.1); an accepted one records
an `Identity` (see `restkit.identity`), which the method receives as `identity` when it takes
that argument, and which `requires=` (see `restkit.permissions`) and the resource's
`authorize_object` hook check next.

Authenticators never log or echo credentials; 401 problems say only whether credentials
were missing, not valid or expired. Static secrets (`keys=`, `tokens=`) are compared in
constant time. Authentication runs before rate limits are counted, so a client that keeps
failing is limited by its address.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from werkzeug.wrappers import Request

from restkit.errors import DeclarationError
from restkit.identity import Identity, set_identity
from restkit.permissions import AllOf, Requirement, needed_scopes
from restkit.problems import Forbidden, Unauthorized

__all__ = [
    "MAX_CREDENTIAL_LENGTH",
    "ApiKey",
    "AuthLike",
    "AuthPlan",
    "Authenticator",
    "HttpBasic",
    "HttpBearer",
    "Rejection",
    "make_authenticators",
]

MAX_CREDENTIAL_LENGTH = 8192
"""Longer credentials are refused unread, so a huge header costs no verification work."""

# RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_SCHEME_NAME = re.compile(r"[A-Za-z0-9._-]+")
_PRINTABLE = re.compile(r"[\x20-\x7e]+")
# RFC 9110 §5.6.2: a header name is a token.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True, slots=True)
class Rejection:
    """Credentials of a scheme were presented and refused.

    Attributes:
        reason: A sentence for the client that never repeats the credentials, such as
            "The access token expired."
        error: The RFC 6750 error code a bearer challenge carries (`invalid_token`).
    """

    reason: str
    error: str = "invalid_token"


Verified = Identity[Any] | Rejection | None
"""What an authenticator makes of a request: an identity, a rejection, or no credentials."""


def _split_authorization(header: str) -> tuple[str, str]:
    """Split `Authorization` into its scheme and credentials (RFC 9110 §11.4)."""
    parts = header.split(None, 1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) == 2 else ""


def _quote(value: str) -> str:
    """Return an RFC 9110 §5.6.4 quoted-string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _challenge(scheme: str, **params: str | None) -> str:
    pairs = ", ".join(f"{key}={_quote(value)}" for key, value in params.items() if value)
    return f"{scheme} {pairs}" if pairs else scheme


class Authenticator(ABC):
    """A way to prove who is calling: one OpenAPI security scheme.

    Subclasses read their credentials from the request, verify them, and describe themselves
    to the OpenAPI document and in `WWW-Authenticate` challenges.

    Args:
        scheme_name: The security scheme's name in the OpenAPI document (the key of
            `components.securitySchemes`), unique per API.
        description: The scheme's description in the document.
        realm: The realm of its challenges; defaults to the API's title.

    Raises:
        DeclarationError: The scheme name is empty or has characters other than letters,
            digits, `.`, `_` and `-`.
    """

    def __init__(self, scheme_name: str, description: str | None, realm: str | None) -> None:
        if not isinstance(scheme_name, str) or _SCHEME_NAME.fullmatch(scheme_name) is None:
            raise DeclarationError(
                f"{type(self).__name__} was given scheme_name={scheme_name!r}; use letters, "
                "digits, '.', '_' and '-' (it is a key of components.securitySchemes)."
            )
        if realm is not None and (not isinstance(realm, str) or not _PRINTABLE.fullmatch(realm)):
            raise DeclarationError(
                f"{type(self).__name__} was given realm={realm!r}; a realm is sent in a "
                "header, so use printable ASCII characters only."
            )
        self.scheme_name = scheme_name
        self.description = description
        self.realm = realm

    @abstractmethod
    def authenticate(self, request: Request) -> Verified:
        """Return the caller's identity, a `Rejection`, or `None` without credentials.

        `None` means the request carries no credentials of this scheme, so another scheme
        may accept it.
        """

    @abstractmethod
    def challenge(self, realm: str, rejection: Rejection | None) -> str:
        """Return this scheme's `WWW-Authenticate` challenge."""

    @abstractmethod
    def security_scheme(self) -> dict[str, Any]:
        """Return this scheme's OpenAPI security scheme object."""

    @abstractmethod
    def describe(self) -> str:
        """Say how to send the credentials, completing "Send ...", for 401 problems."""

    def problem_statuses(self) -> frozenset[int]:
        """Return the statuses of problems verifying may raise besides 401, for the document.

        For example 503 when keys come from an identity provider that may be unreachable.
        """
        return frozenset()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.scheme_name!r}>"


class _Secrets:
    """Static secrets compared in constant time: every digest is compared, always."""

    def __init__(self, secrets: Mapping[str, Identity[Any]], owner: str, keyword: str) -> None:
        if not isinstance(secrets, Mapping) or not secrets:
            raise DeclarationError(f"{owner} was given {keyword}=...; give a non-empty dict.")
        self.entries: list[tuple[bytes, Identity[Any]]] = []
        for secret, identity in secrets.items():
            if not isinstance(secret, str) or len(secret) < 16:
                raise DeclarationError(
                    f"{owner} was given a secret in {keyword}= that is not a string of at least "
                    "16 characters; use long random values, such as secrets.token_urlsafe()."
                )
            if not isinstance(identity, Identity):
                raise DeclarationError(
                    f"{owner}'s {keyword}= maps each secret to an Identity(...), not "
                    f"{type(identity).__name__}."
                )
            self.entries.append((hashlib.sha256(secret.encode()).digest(), identity))

    def find(self, presented: str) -> Identity[Any] | None:
        digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
        found = None
        for known, identity in self.entries:
            # No early exit: the time taken does not depend on which secret matched.
            if hmac.compare_digest(digest, known):
                found = identity
        return found


def _verify_function(
    verify: Any, secrets: Any, owner: str, keyword: str
) -> Callable[..., Identity[Any] | None]:
    if (verify is None) == (secrets is None):
        raise DeclarationError(
            f"{owner} needs exactly one of verify=... (a function that checks the credentials "
            f"and returns an Identity or None) and {keyword}=... (a dict of secret to Identity)."
        )
    if verify is not None:
        if not callable(verify):
            raise DeclarationError(f"{owner} was given verify={verify!r}; give a function.")
        checked: Callable[..., Identity[Any] | None] = verify
        return checked
    return _Secrets(secrets, owner, keyword).find


def _checked(found: Any, owner: str) -> Identity[Any] | None:
    if found is None or isinstance(found, Identity):
        return found
    raise TypeError(
        f"{owner}'s verify function returned {type(found).__name__}; return an "
        "Identity(...) for valid credentials and None for others."
    )


class HttpBearer(Authenticator):
    """A bearer token in `Authorization: Bearer <token>` (RFC 6750), checked by the app.

    For opaque tokens (random strings kept in a database). For JWTs, use
    `restkit.jwt.JwtBearer`, which verifies them itself.

    Args:
        verify: Returns the `Identity` of a valid token and `None` for any other. It may raise
            a `Problem`, such as `Forbidden` for a disabled account.
        tokens: Instead of `verify`, fixed tokens (at least 16 characters) and their
            identities, compared in constant time.
        scheme_name: The security scheme's name in the OpenAPI document.
        description: The scheme's description in the document.
        realm: The realm of its challenges; defaults to the API's title.
        bearer_format: A hint of the token's format for the document, such as `"JWT"`.

    Raises:
        DeclarationError: Neither or both of `verify` and `tokens`, or a bad value.

    Example:
        ```python
        def find_token(token: str) -> Identity[User] | None:
            user = User.query.filter_by(token_hash=sha256(token)).first()
            return Identity(id=str(user.id), user=user) if user else None

        api = Api(app, auth=HttpBearer(find_token))
        ```
    """

    def __init__(
        self,
        verify: Callable[[str], Identity[Any] | None] | None = None,
        *,
        tokens: Mapping[str, Identity[Any]] | None = None,
        scheme_name: str = "bearerAuth",
        description: str | None = None,
        realm: str | None = None,
        bearer_format: str | None = None,
    ) -> None:
        super().__init__(scheme_name, description, realm)
        self.bearer_format = bearer_format
        self._verify: Callable[..., Identity[Any] | None] | None = None
        if type(self).verify_token is HttpBearer.verify_token:
            self._verify = _verify_function(verify, tokens, type(self).__name__, "tokens")

    def authenticate(self, request: Request) -> Verified:
        """Read the token from `Authorization` and verify it."""
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, token = _split_authorization(header)
        if scheme.lower() != "bearer":  # RFC 9110 §11.1: schemes are case-insensitive
            return None
        if len(token) > MAX_CREDENTIAL_LENGTH or _B64TOKEN.fullmatch(token) is None:
            return Rejection("The access token is malformed.")
        return self.verify_token(token)

    def verify_token(self, token: str) -> Verified:
        """Verify a well-formed token: an `Identity`, or a `Rejection` saying why not."""
        if self._verify is None:
            raise AssertionError("subclasses that verify tokens themselves override this")
        found = _checked(self._verify(token), type(self).__name__)
        return found if found is not None else Rejection("The access token is not valid.")

    def challenge(self, realm: str, rejection: Rejection | None) -> str:
        """Return `Bearer realm="..."`, with the RFC 6750 error of a refused token."""
        if rejection is None:
            return _challenge("Bearer", realm=self.realm or realm)
        return _challenge(
            "Bearer",
            realm=self.realm or realm,
            error=rejection.error,
            error_description=rejection.reason,
        )

    def insufficient_scope(self, realm: str, scopes: frozenset[str]) -> str:
        """Return the RFC 6750 §3.1 challenge of a 403 for missing scopes."""
        return _challenge(
            "Bearer",
            realm=self.realm or realm,
            error="insufficient_scope",
            scope=" ".join(sorted(scopes)),
        )

    def security_scheme(self) -> dict[str, Any]:
        """Return `{"type": "http", "scheme": "bearer", ...}`."""
        scheme: dict[str, Any] = {"type": "http", "scheme": "bearer"}
        if self.bearer_format:
            scheme["bearerFormat"] = self.bearer_format
        scheme["description"] = self.description or (
            "A bearer token in the Authorization header: `Authorization: Bearer <token>`."
        )
        return scheme

    def describe(self) -> str:
        """Say where the token goes."""
        return "a bearer token in the Authorization header"


class ApiKey(Authenticator):
    """An API key in a header, a query parameter or a cookie.

    Args:
        verify: Returns the `Identity` of a valid key and `None` for any other.
        keys: Instead of `verify`, fixed keys (at least 16 characters) and their
            identities, compared in constant time.
        name: The header, query parameter or cookie that carries the key.
        location: `"header"`, `"query"` or `"cookie"`. Keys in URLs end up in server and
            proxy logs; prefer a header.
        scheme_name: The security scheme's name in the OpenAPI document.
        description: The scheme's description in the document.
        realm: The realm of its challenges; defaults to the API's title.

    Raises:
        DeclarationError: Neither or both of `verify` and `keys`, or a bad value.

    Example:
        ```python
        partners = ApiKey(keys={os.environ["PARTNER_KEY"]: Identity(id="partner", user=None)})
        ```
    """

    def __init__(
        self,
        verify: Callable[[str], Identity[Any] | None] | None = None,
        *,
        keys: Mapping[str, Identity[Any]] | None = None,
        name: str = "X-API-Key",
        location: Literal["header", "query", "cookie"] = "header",
        scheme_name: str = "apiKeyAuth",
        description: str | None = None,
        realm: str | None = None,
    ) -> None:
        super().__init__(scheme_name, description, realm)
        if location not in ("header", "query", "cookie"):
            raise DeclarationError(
                f"ApiKey was given location={location!r}; use 'header', 'query' or 'cookie'."
            )
        if not isinstance(name, str) or _TOKEN.fullmatch(name) is None:
            raise DeclarationError(
                f"ApiKey was given name={name!r}; give a header, parameter or cookie name."
            )
        if location == "header" and name.lower() == "authorization":
            raise DeclarationError(
                "ApiKey reads a header other than Authorization; for a token in Authorization "
                "use HttpBearer, for a password HttpBasic."
            )
        self.name = name
        self.location = location
        self._verify = _verify_function(verify, keys, "ApiKey", "keys")

    def authenticate(self, request: Request) -> Verified:
        """Read the key from its header, query parameter or cookie and verify it."""
        if self.location == "header":
            key = request.headers.get(self.name)
        elif self.location == "query":
            key = request.args.get(self.name)
        else:
            key = request.cookies.get(self.name)
        if not key:
            return None
        if len(key) > MAX_CREDENTIAL_LENGTH:
            return Rejection("The API key is not valid.")
        found = _checked(self._verify(key), "ApiKey")
        return found if found is not None else Rejection("The API key is not valid.")

    def challenge(self, realm: str, rejection: Rejection | None) -> str:
        """Return `ApiKey realm="...", in="header", name="X-API-Key"`.

        No standard scheme exists for API keys; this challenge names where the key goes.
        """
        return _challenge(
            "ApiKey", realm=self.realm or realm, **{"in": self.location}, name=self.name
        )

    def security_scheme(self) -> dict[str, Any]:
        """Return `{"type": "apiKey", "in": ..., "name": ...}`."""
        return {
            "type": "apiKey",
            "in": self.location,
            "name": self.name,
            "description": self.description
            or f"An API key in the `{self.name}` {self.location}"
            + (" parameter." if self.location == "query" else "."),
        }

    def describe(self) -> str:
        """Say where the key goes."""
        where = {"header": "header", "query": "query parameter", "cookie": "cookie"}
        return f"an API key in the {self.name} {where[self.location]}"


class HttpBasic(Authenticator):
    """A user name and password in `Authorization: Basic ...` (RFC 7617), checked by the app.

    Send it only over HTTPS. The function should take as long for an unknown user as for a
    wrong password (check a dummy hash), and compare with a constant-time check such as
    werkzeug's `check_password_hash`.

    Args:
        verify: Takes the user name and password and returns the `Identity` of valid ones,
            `None` for others.
        scheme_name: The security scheme's name in the OpenAPI document.
        description: The scheme's description in the document.
        realm: The realm of its challenges; defaults to the API's title.

    Raises:
        DeclarationError: `verify` is not a function, or a bad value.
    """

    def __init__(
        self,
        verify: Callable[[str, str], Identity[Any] | None],
        *,
        scheme_name: str = "basicAuth",
        description: str | None = None,
        realm: str | None = None,
    ) -> None:
        super().__init__(scheme_name, description, realm)
        if not callable(verify):
            raise DeclarationError(
                f"HttpBasic was given verify={verify!r}; give a function "
                "of the user name and password."
            )
        self._verify = verify

    def authenticate(self, request: Request) -> Verified:
        """Read the user name and password from `Authorization` and verify them."""
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, encoded = _split_authorization(header)
        if scheme.lower() != "basic":
            return None
        refused = Rejection("The user name or password is not valid.", error="")
        if len(encoded) > MAX_CREDENTIAL_LENGTH:
            return refused
        try:
            # RFC 7617 §2.1: UTF-8 once the server says charset="UTF-8", as it does.
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return refused
        username, colon, password = decoded.partition(":")
        if not colon:
            return refused
        found = _checked(self._verify(username, password), "HttpBasic")
        return found if found is not None else refused

    def challenge(self, realm: str, rejection: Rejection | None) -> str:
        """Return `Basic realm="...", charset="UTF-8"`."""
        return _challenge("Basic", realm=self.realm or realm, charset="UTF-8")

    def security_scheme(self) -> dict[str, Any]:
        """Return `{"type": "http", "scheme": "basic"}`."""
        return {
            "type": "http",
            "scheme": "basic",
            "description": self.description
            or "A user name and password in the Authorization header (RFC 7617).",
        }

    def describe(self) -> str:
        """Say where the password goes."""
        return "a user name and password (Basic) in the Authorization header"


AuthLike = Authenticator | Sequence[Authenticator] | bool | None
"""What `auth=` takes: an authenticator, several (any may pass), `True`, `False` or `None`."""


def make_authenticators(value: Any, owner: str) -> tuple[Authenticator, ...] | bool | None:
    """Check a level's `auth=` declaration and return it as a tuple.

    Raises:
        DeclarationError: The value is not one of those `AuthLike` allows.
    """
    if value is None or isinstance(value, bool):
        return value
    items = (value,) if isinstance(value, Authenticator) else value
    if (
        isinstance(items, list | tuple)
        and items
        and all(isinstance(item, Authenticator) for item in items)
    ):
        return tuple(dict.fromkeys(items))
    raise DeclarationError(
        f"{owner} declares auth={value!r}; give an authenticator such as HttpBearer(...), a "
        "list of them (any one may pass), True or False (public)."
    )


class AuthPlan:
    """Authentication and permission checks of one operation, made once at mount time.

    Args:
        authenticators: The accepted schemes; any one may pass.
        requirements: What the caller must meet, all of them.
        realm: The realm of challenges whose authenticator names none.
    """

    def __init__(
        self,
        authenticators: Sequence[Authenticator],
        requirements: Sequence[Requirement],
        realm: str,
    ) -> None:
        self.authenticators = tuple(authenticators)
        self.requirement: Requirement | None = (
            None
            if not requirements
            else requirements[0]
            if len(requirements) == 1
            else AllOf(*requirements)
        )
        self.realm = realm
        ways = [authenticator.describe() for authenticator in self.authenticators]
        self.missing = (
            "This operation requires authentication. Send "
            + (", or ".join(ways) if len(ways) < 3 else ", ".join(ways[:-1]) + ", or " + ways[-1])
            + "."
        )

    def authenticate(self, request: Request) -> Identity[Any] | Unauthorized:
        """Return the caller's identity (and record it), or the 401 problem to answer with."""
        rejections: dict[Authenticator, Rejection] = {}
        for authenticator in self.authenticators:
            outcome = authenticator.authenticate(request)
            if isinstance(outcome, Identity):
                if outcome.scheme != authenticator.scheme_name:
                    outcome = replace(outcome, scheme=authenticator.scheme_name)
                set_identity(outcome)
                return outcome
            if outcome is not None:
                rejections[authenticator] = outcome
        challenges = [
            ("WWW-Authenticate", authenticator.challenge(self.realm, rejections.get(authenticator)))
            for authenticator in self.authenticators
        ]
        detail = next(iter(rejections.values())).reason if rejections else self.missing
        return Unauthorized(detail, headers=challenges)

    def authorize(self, identity: Identity[Any]) -> None:
        """Check the requirements.

        Raises:
            Forbidden: The caller does not meet them.
        """
        requirement = self.requirement
        if requirement is None or requirement.allows(identity):
            return
        headers = []
        scheme = next((a for a in self.authenticators if a.scheme_name == identity.scheme), None)
        if isinstance(scheme, HttpBearer):
            # RFC 6750 §3.1: only when a new token with more scopes would help.
            scopes = needed_scopes(requirement) - frozenset(identity.scopes)
            if scopes:
                headers.append(("WWW-Authenticate", scheme.insufficient_scope(self.realm, scopes)))
        raise Forbidden(f"You need {requirement.describe()}.", headers=headers)
