"""The OpenAPI side of authentication: security schemes, requirements, 401 and 403.

Pure, like the rest of `restkit.spec`: it reads an operation's resolved authenticators and
requirements and writes

- one `components.securitySchemes` entry per authenticator, named by its `scheme_name`;
- the operation's `security`: one requirement object per authenticator (any one may pass),
  or `security: []` on a public operation of an API that has schemes, so readers and
  linters see that it is public on purpose;
- in OpenAPI 3.1, the scope and role names every allowed caller holds in each requirement's
  list (3.0 allows names only for OAuth 2, so its lists stay empty);
- 401 with `WWW-Authenticate`, and 403 saying what the caller needs.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from restkit.auth import Authenticator, HttpBearer
from restkit.errors import DeclarationError
from restkit.operation import Operation
from restkit.permissions import AllOf, Requirement, needed_scopes

__all__ = ["SecurityWriter"]

_CHALLENGE = {
    "description": (
        "One challenge per accepted scheme (RFC 9110 §11.6.1), such as "
        '`Bearer realm="api", error="invalid_token"`.'
    ),
    "schema": {"type": "string"},
}


class SecurityWriter:
    """Writes the security of operations into an apispec document being built.

    Args:
        spec: The document.
        secured: Whether any operation of the API is authenticated; public operations then
            say `security: []`.
    """

    def __init__(self, spec: APISpec, *, secured: bool) -> None:
        self.spec = spec
        self.secured = secured
        self.v30 = spec.openapi_version.major == 3 and spec.openapi_version.minor == 0
        self.schemes: dict[str, Authenticator] = {}
        spec.components.header("WWW-Authenticate", _CHALLENGE, lazy=True)

    def register(self, authenticator: Authenticator, op: Operation) -> str:
        """Add the authenticator's security scheme once and return its name.

        Raises:
            DeclarationError: Another authenticator of the API has the same scheme name.
        """
        name = authenticator.scheme_name
        known = self.schemes.get(name)
        if known is None:
            self.schemes[name] = authenticator
            self.spec.components.security_scheme(name, authenticator.security_scheme())
        elif known is not authenticator:
            raise DeclarationError(
                f"{op.qualname} accepts {authenticator!r}, but another authenticator of this "
                f"API ({known!r}) has the scheme name {name!r}, which names one scheme in the "
                "OpenAPI document. Give one of them another scheme_name=..., or use one "
                "authenticator object for both."
            )
        return name

    def security(self, op: Operation) -> list[dict[str, list[str]]] | None:
        """Return the operation's `security`, or `None` to leave it out."""
        features = op.features
        if not features.authenticators:
            return [] if self.secured else None
        names: list[str] = []
        if not self.v30 and features.requirements:
            names = sorted(_requirement(features.requirements).names())
        return [{self.register(scheme, op): list(names)} for scheme in features.authenticators]

    @staticmethod
    def problem_statuses(op: Operation, *, authorizes_objects: bool) -> set[int]:
        """Return the statuses authentication and permissions add."""
        features = op.features
        codes: set[int] = set()
        if features.authenticators:
            codes.add(401)
        if features.requirements or authorizes_objects:
            codes.add(403)
        if authorizes_objects:
            codes.add(404)
        for scheme in features.authenticators:
            codes.update(scheme.problem_statuses())
        return codes

    def problem_headers(self, op: Operation, code: int) -> dict[str, Any]:
        """Return the `WWW-Authenticate` header of a 401, and of a 403 for bearer scopes.

        A 403 carries the `insufficient_scope` challenge when a bearer token with more scopes
        could pass, that is when the requirements need some scopes in any case.
        """
        features = op.features
        bearer = any(isinstance(scheme, HttpBearer) for scheme in features.authenticators)
        scopes = bool(features.requirements) and bool(
            needed_scopes(_requirement(features.requirements))
        )
        if code == 401 or (code == 403 and bearer and scopes):
            return {"WWW-Authenticate": self.spec.components.get_ref("header", "WWW-Authenticate")}
        if any(code in scheme.problem_statuses() for scheme in features.authenticators):
            return {"Retry-After": self.spec.components.get_ref("header", "Retry-After")}
        return {}

    @staticmethod
    def description(op: Operation, code: int) -> str | None:
        """Return the description of a 401 or 403 problem, saying what the caller needs."""
        features = op.features
        if code == 401 and features.authenticators:
            ways = " or ".join(f"`{scheme.scheme_name}`" for scheme in features.authenticators)
            return f"Unauthorized: credentials are missing or not valid. Accepted: {ways}."
        if code == 403:
            if features.requirements:
                need = _requirement(features.requirements).describe()
                return f"Forbidden: the caller needs {need}."
            return "Forbidden: the caller may not do this to this object."
        return None


def _requirement(requirements: tuple[Requirement, ...]) -> Requirement:
    return requirements[0] if len(requirements) == 1 else AllOf(*requirements)
