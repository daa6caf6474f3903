"""restkit.spec.diff on documents restkit builds: adding, removing and switching auth.

The rules themselves are tested on hand-written documents in test_spec_diff.py; these tests
check that they fire for what restkit writes (`security: []`, unused schemes left out, scope
names only in OpenAPI 3.1).
"""

from __future__ import annotations

import pytest

from restkit import ApiKey, HttpBearer, Resource, Roles, Scopes
from restkit.auth import AuthLike
from restkit.permissions import Requirement
from restkit.spec.diff import diff_specs, has_breaking
from tests.spec_security_helpers import (
    API_KEY,
    BASIC,
    BEARER,
    CALLER,
    KEY,
    TOKEN,
    guarded,
    hidden,
    spec_of,
)


def diff_of(
    before: AuthLike,
    after: AuthLike,
    *,
    version: str = "3.1",
    requires: tuple[Requirement | None, Requirement | None] = (None, None),
) -> list[tuple[str, bool, str]]:
    """Return the security changes between an app's documents with two declarations."""
    old = spec_of({"/r": guarded(auth=before, requires=requires[0])}, version=version)
    new = spec_of({"/r": guarded(auth=after, requires=requires[1])}, version=version)
    changes = diff_specs(old, new)
    return [(c.rule, c.breaking, c.location) for c in changes if "security" in c.rule]


@pytest.mark.parametrize("version", ["3.1", "3.0"])
@pytest.mark.parametrize(
    ("before", "after", "found"),
    [
        (None, BEARER, ("security-added", True)),
        (BEARER, None, ("security-removed", False)),
        (BEARER, API_KEY, ("security-changed", True)),
        (BEARER, [BEARER, API_KEY], ("security-changed", False)),
        ([BEARER, API_KEY], BEARER, ("security-changed", True)),
    ],
    ids=["added", "removed", "switched", "alternative-added", "alternative-removed"],
)
def test_spec_diff_reports_operation_security_changes_of_restkit_documents(
    before, after, found, version
):
    changes = diff_of(before, after, version=version)

    assert [(rule, breaking) for rule, breaking, at in changes if at == "GET /r"] == [found]


@pytest.mark.parametrize("version", ["3.1", "3.0"])
def test_spec_diff_of_one_scheme_name_of_another_kind_is_breaking(version):
    token = HttpBearer(tokens={TOKEN: CALLER}, scheme_name="token")
    key = ApiKey(keys={KEY: CALLER}, scheme_name="token")

    changes = diff_of(token, key, version=version)

    assert changes == [("security-scheme-changed", True, "components/securitySchemes/token")]


@pytest.mark.parametrize("version", ["3.1", "3.0"])
def test_spec_diff_of_unchanged_auth_is_empty(version):
    assert diff_of([BEARER, API_KEY], [BEARER, API_KEY], version=version) == []


def test_spec_diff_making_the_last_operation_of_a_scheme_public_is_not_breaking():
    changes = diff_specs(spec_of({"/r": guarded(auth=BEARER)}), spec_of({"/r": guarded()}))

    assert [(c.rule, c.breaking) for c in changes] == [
        ("security-removed", False),
        ("response-status-removed", False),  # the 401
    ]
    assert not has_breaking(changes)


def test_spec_diff_adding_auth_is_breaking_overall():
    old = spec_of({"/r": guarded()})
    new = spec_of({"/r": guarded(auth=BEARER)})

    changes = diff_specs(old, new)

    assert has_breaking(changes)
    assert [(c.rule, c.breaking) for c in changes] == [
        ("security-added", True),
        ("response-status-added", False),  # the 401
    ]
    assert str(changes[0]) == (
        "BREAKING security-added: GET /r changed its security from anonymous to bearerAuth; "
        "old clients that call it without credentials get a 401."
    )


def test_spec_diff_31_sees_a_new_scope_as_breaking():
    found = diff_of(BEARER, BEARER, requires=(None, Scopes("tasks:write")))

    assert found == [("security-changed", True, "GET /r")]


def test_spec_diff_30_sees_a_new_scope_only_as_a_403():
    old = spec_of({"/r": guarded(auth=BEARER)}, version="3.0")
    new = spec_of({"/r": guarded(auth=BEARER, requires=Scopes("tasks:write"))}, version="3.0")

    changes = diff_specs(old, new)

    # 3.0 lists no scope names for http schemes, so only the new response shows.
    assert [(c.rule, c.breaking, c.location) for c in changes] == [
        ("response-status-added", False, "GET /r response 403")
    ]


def test_spec_diff_of_secured_api_against_itself_is_empty():
    routes: dict[str, type[Resource]] = {
        "/r": guarded(auth=[BEARER, API_KEY], requires=Scopes("a") & Roles("b")),
        "/me": hidden(auth=False),
    }

    assert diff_specs(spec_of(routes, auth=BASIC), spec_of(routes, auth=BASIC)) == []
