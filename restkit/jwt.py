"""JSON Web Tokens as bearer tokens, verified with PyJWT (`pip install flask-restkit[jwt]`).

```python
tokens = JwtBearer(key=app.config["JWT_SECRET"], issuer="https://taskboard.example")
api = Api(app, auth=tokens)

access_token = tokens.make_token("42", scopes=["tasks:read"], expires_in=3600)
```

Every token must be signed with one of the declared algorithms and carry an expiry (`exp`);
`none` and algorithm confusion are refused when the authenticator is made:

- `algorithms` may not contain `none`, and must all be of one family (HMAC, RSA, EC or
  EdDSA), so a public key can never be used as an HMAC secret;
- an HMAC secret must be at least as long as the hash (32 bytes for HS256, RFC 7518 §3.2);
- keys are loaded at declaration, so a wrong key fails at start-up, not at the first request.

Expired tokens (with `leeway` seconds of tolerance for clock skew), tokens for another
`audience` or from another `issuer`, and tokens whose `kid` names no known key get a 401.
By default the identity's `id` is the `sub` claim, its scopes the `scope` claim (a
space-separated string or a list) and its roles the `roles` claim; pass `identify` to look
the caller up instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import jwt

from restkit.auth import HttpBearer, Rejection, Verified
from restkit.errors import DeclarationError
from restkit.identity import Identity
from restkit.problems import ServiceUnavailable

__all__ = ["JwtBearer"]

Key = Any
"""A key PyJWT accepts: a secret (str or bytes), a PEM string, or a cryptography key."""

_LOG = logging.getLogger("restkit")
_FAMILIES = {"HS": "HMAC", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "EdDSA"}
_HASH_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}


def _family(algorithm: str) -> str:
    return _FAMILIES.get(algorithm[:2], algorithm)


class JwtBearer(HttpBearer):
    """Bearer tokens that are JWTs (RFC 7519), verified with PyJWT.

    Args:
        key: The verification key: an HMAC secret, a public key (PEM or a cryptography
            object), a private key (its public half verifies, and it signs `make_token`'s
            tokens), a dict of key id (`kid`) to key for rotation, or a function of the
            token's header returning the key (for example from a `jwt.PyJWKClient`). The
            function's keys are not checked at start-up; it may return `None` or raise
            `LookupError` (a `KeyError`) for a key id it does not know, which refuses the
            token. With HMAC algorithms, `make_token` signs with what the function returns
            for the header it writes, so a secret kept in the app's config works for both.
            When a `PyJWKClient` cannot reach its JWKS endpoint, the request gets a 503
            problem with `Retry-After` rather than a 401, so that clients keep their tokens.
        algorithms: The accepted algorithms, all of one family; `HS256` unless given.
        audience: The audience a token must be for (`aud`), if any. A token with an
            audience is refused when none is configured.
        issuer: The issuer a token must come from (`iss`), if any.
        leeway: Seconds of tolerance for clock skew when checking `exp`, `nbf` and `iat`.
        require: Claims every token must carry; `exp` and (unless `identify` is given)
            `sub` by default.
        identify: Turns verified claims into the caller's `Identity`, or `None` to refuse
            the token (say, for a deleted user). Defaults to one built from `sub`, the
            scopes claim and the roles claim, with the claims (read-only) as `user`.
        scopes_claim: The claim that lists the scopes.
        roles_claim: The claim that lists the roles.
        signing_key: The private key `make_token` signs with, when `key` is a public key;
            an HMAC secret or a private key given as `key` signs without it.
        scheme_name: The security scheme's name in the OpenAPI document.
        description: The scheme's description in the document.
        realm: The realm of its challenges; defaults to the API's title.

    Raises:
        DeclarationError: An algorithm is `none`, unknown or of another family than the
            others, a key does not suit the algorithms, or an HMAC secret is too short.
    """

    def __init__(
        self,
        key: Key | Mapping[str, Key] | Callable[[Mapping[str, Any]], Key],
        *,
        algorithms: Sequence[str] = ("HS256",),
        audience: str | Sequence[str] | None = None,
        issuer: str | None = None,
        leeway: float | timedelta = 0,
        require: Sequence[str] | None = None,
        identify: Callable[[Mapping[str, Any]], Identity[Any] | None] | None = None,
        scopes_claim: str = "scope",
        roles_claim: str = "roles",
        signing_key: Key | None = None,
        scheme_name: str = "bearerAuth",
        description: str | None = None,
        realm: str | None = None,
    ) -> None:
        super().__init__(
            scheme_name=scheme_name,
            description=description
            or "A JSON Web Token in the Authorization header: `Authorization: Bearer <token>`.",
            realm=realm,
            bearer_format="JWT",
        )
        self.algorithms = _check_algorithms(algorithms)
        self.audience = audience
        self.issuer = issuer
        self.leeway = leeway.total_seconds() if isinstance(leeway, timedelta) else leeway
        if (
            isinstance(self.leeway, bool)
            or not isinstance(self.leeway, int | float)
            or not 0 <= self.leeway < 86_400
        ):
            raise DeclarationError(
                f"JwtBearer was given leeway={leeway!r}; give a few seconds (0 or more, less "
                "than a day) of tolerance for clock skew."
            )
        default_claims = ("exp",) if identify is not None else ("exp", "sub")
        self.require = tuple(require) if require is not None else default_claims
        if identify is not None and not callable(identify):
            raise DeclarationError(f"JwtBearer was given identify={identify!r}; give a function.")
        self.identify = identify or self._identity_of
        self.scopes_claim = scopes_claim
        self.roles_claim = roles_claim
        # Verification keys, and the signing keys a private key or HMAC secret gives.
        self._keys: dict[str | None, Key] = {}
        self._signers: dict[str | None, Key] = {}
        self._find_key: Callable[[Mapping[str, Any]], Key] | None = None
        self._by_kid = isinstance(key, Mapping)
        if isinstance(key, Mapping):
            if not key:
                raise DeclarationError("JwtBearer was given an empty dict of keys.")
            for kid, value in key.items():
                if not isinstance(kid, str):
                    raise DeclarationError(f"JwtBearer's key ids must be strings, not {kid!r}.")
                self._keys[kid], self._signers[kid] = self._load(value)
        elif callable(key) and not hasattr(key, "public_bytes"):
            self._find_key = key
        else:
            self._keys[None], self._signers[None] = self._load(key)
        self._hmac = _family(self.algorithms[0]) == "HMAC"
        self._signing_key: Key = None
        if signing_key is not None:
            self._signing_key = self._load(signing_key, signing=True)[1]

    def _load(self, key: Key, *, signing: bool = False) -> tuple[Key, Key]:
        """Load a key for every algorithm now, so a wrong one fails at start-up.

        Returns the key that verifies and the key that signs (`None` for a public key): an
        HMAC secret does both, a private key signs and its public half verifies.
        """
        role = "signing_key" if signing else "key"
        verifier: Key = None
        signer: Key = None
        for algorithm in self.algorithms:
            handler = jwt.get_algorithm_by_name(algorithm)
            try:
                prepared = handler.prepare_key(key)
            except (jwt.InvalidKeyError, ValueError, TypeError) as error:
                raise DeclarationError(
                    f"JwtBearer's {role} does not suit {algorithm}: {type(error).__name__}. "
                    "Give an HMAC secret for HS*, a public or private key for RS*, PS*, ES* "
                    "and EdDSA (a private key also signs tokens)."
                ) from None
            length = _HASH_BYTES.get(algorithm)
            if length is not None and isinstance(prepared, bytes) and len(prepared) < length:
                raise DeclarationError(
                    f"JwtBearer's {algorithm} secret is {len(prepared)} bytes; RFC 7518 §3.2 "
                    f"asks for at least {length}. Use a long random value, such as "
                    f"secrets.token_urlsafe({length})."
                )
            if isinstance(prepared, bytes):
                verifier = signer = prepared
            elif callable(getattr(prepared, "public_key", None)):  # a private key
                verifier, signer = prepared.public_key(), prepared
            else:
                verifier, signer = prepared, None
            if signer is not None:
                try:
                    handler.sign(b"restkit", signer)
                except (AttributeError, TypeError, ValueError):  # pragma: no cover - defensive
                    signer = None
        if signing and signer is None:
            raise DeclarationError(
                "JwtBearer's signing_key is a public key, which cannot sign; give the private "
                "key (or the HMAC secret)."
            )
        return verifier, signer

    def verify_token(self, token: str) -> Verified:
        """Verify the signature and the claims, then identify the caller."""
        try:
            key = self._key_for(jwt.get_unverified_header(token))
            if key is None:
                return Rejection("The access token is not valid.")
            claims = jwt.decode(
                token,
                key,
                algorithms=list(self.algorithms),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(self.require)},
            )
        except jwt.PyJWKClientConnectionError:
            # The token may well be valid: a 401 would make the app throw it away.
            _LOG.warning("The JWKS endpoint cannot be reached.", exc_info=True)
            raise ServiceUnavailable(
                "The identity provider cannot be reached; retry shortly.",
                headers={"Retry-After": "5"},
            ) from None
        except jwt.ExpiredSignatureError:
            return Rejection("The access token expired.")
        except jwt.PyJWTError:
            return Rejection("The access token is not valid.")
        found = self.identify(claims)
        if found is None:
            return Rejection("The access token is not valid.")
        if not isinstance(found, Identity):
            raise TypeError(
                f"JwtBearer's identify function returned {type(found).__name__}; return an "
                "Identity(...) or None."
            )
        return found

    def problem_statuses(self) -> frozenset[int]:
        """Return 503 when keys come from a function, such as a JWKS client's lookup."""
        return frozenset({503}) if self._find_key is not None else frozenset()

    def _key_for(self, header: Mapping[str, Any]) -> Key:
        if self._find_key is not None:
            try:
                return self._find_key(header)
            except LookupError:  # an unknown or missing kid in the app's own lookup
                return None
        if self._by_kid:
            kid = header.get("kid")
            return self._keys.get(kid) if isinstance(kid, str) else None
        return self._keys[None]

    def _identity_of(self, claims: Mapping[str, Any]) -> Identity[Any] | None:
        subject = claims.get("sub")
        scopes = _names(claims.get(self.scopes_claim))
        roles = _names(claims.get(self.roles_claim))
        if not isinstance(subject, str) or not subject or scopes is None or roles is None:
            return None
        return Identity(
            id=subject,
            user=MappingProxyType(dict(claims)),
            scopes=scopes,
            roles=roles,
            claims=claims,
        )

    def make_token(
        self,
        subject: str,
        *,
        expires_in: float | timedelta = 3600,
        scopes: Sequence[str] = (),
        roles: Sequence[str] = (),
        claims: Mapping[str, Any] | None = None,
        kid: str | None = None,
    ) -> str:
        """Issue a token this authenticator accepts, signed with its first algorithm.

        Args:
            subject: The caller's id (`sub`).
            expires_in: Seconds (or a `timedelta`) until it expires (`exp`).
            scopes: Its scopes, written space-separated in the scopes claim.
            roles: Its roles, written as a list in the roles claim.
            claims: Other claims to include.
            kid: The key id to write in the header and sign with (for keys given as a
                dict).

        Returns:
            The encoded token.

        Raises:
            DeclarationError: There is no key to sign with (give `signing_key=`), or `kid`
                names no key.
        """
        if self._by_kid and kid not in self._keys:
            raise DeclarationError(
                f"JwtBearer.make_token was given kid={kid!r}; give one of the key ids "
                f"{', '.join(sorted(map(str, self._keys)))}."
            )
        signing_key = self._signing_key
        if signing_key is None:
            signing_key = self._signers.get(kid if self._by_kid else None)
        if signing_key is None and self._find_key is not None and self._hmac:
            # An HMAC secret signs as well as verifies: ask the function for the secret of
            # the header this token will carry, as verification will.
            header = {"alg": self.algorithms[0], "typ": "JWT"}
            signing_key = self._find_key(header if kid is None else {**header, "kid": kid})
        if signing_key is None:
            raise DeclarationError(
                "JwtBearer.make_token needs a key to sign with; give signing_key= (the "
                "private key of an asymmetric algorithm), or a private key as key=."
            )
        seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
        now = int(time.time())
        payload: dict[str, Any] = {"sub": subject, "iat": now, "exp": now + int(seconds)}
        if self.issuer is not None:
            payload["iss"] = self.issuer
        if self.audience is not None:
            payload["aud"] = self.audience
        if scopes:
            payload[self.scopes_claim] = " ".join(scopes)
        if roles:
            payload[self.roles_claim] = list(roles)
        payload.update(claims or {})
        headers = {"kid": kid} if kid is not None else None
        return jwt.encode(payload, signing_key, algorithm=self.algorithms[0], headers=headers)


def _names(value: Any) -> list[str] | None:
    """Read a scopes or roles claim: absent, a space-separated string, or a list of them."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _check_algorithms(algorithms: Sequence[str]) -> tuple[str, ...]:
    if isinstance(algorithms, str) or not algorithms:
        raise DeclarationError(
            f"JwtBearer was given algorithms={algorithms!r}; give a list such as ['HS256']."
        )
    known = jwt.algorithms.get_default_algorithms()
    for algorithm in algorithms:
        if not isinstance(algorithm, str) or algorithm.lower() == "none":
            raise DeclarationError(
                "JwtBearer refuses the 'none' algorithm: an unsigned token proves nothing."
            )
        if algorithm not in known:
            raise DeclarationError(
                f"JwtBearer does not know the algorithm {algorithm!r}; use one of "
                f"{', '.join(sorted(name for name in known if name != 'none'))}."
            )
    families = {_family(algorithm) for algorithm in algorithms}
    if len(families) > 1:
        raise DeclarationError(
            f"JwtBearer was given algorithms of several families ({', '.join(algorithms)}). "
            "Mixing them lets a public key be used as an HMAC secret (algorithm confusion); "
            "accept one family per authenticator, and use two authenticators if you must."
        )
    return tuple(algorithms)
