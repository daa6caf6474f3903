"""The functions under conditional requests, as tables: entity-tags and RFC 9110 §13.2.2."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import uuid
from typing import Any

import pytest
from werkzeug.datastructures import Headers

from restkit.conditional import (
    ENTITY_TAG_PATTERN,
    EntityTag,
    evaluate_preconditions,
    make_entity_tag,
    parse_entity_tags,
    set_validators,
)
from restkit.problems import BadRequest

T0 = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
T0_HTTP = "Fri, 02 Jan 2026 03:04:05 GMT"
BEFORE_HTTP = "Fri, 02 Jan 2026 03:04:04 GMT"
AFTER_HTTP = "Fri, 02 Jan 2026 03:04:06 GMT"
STRONG = EntityTag("v3")
WEAK = EntityTag("v3", weak=True)


def hashed(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --- parse_entity_tags -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"v3"', [EntityTag("v3")]),
        ('W/"v3"', [EntityTag("v3", weak=True)]),
        ('""', [EntityTag("")]),
        ('"a", W/"b"', [EntityTag("a"), EntityTag("b", weak=True)]),
        (' "a" ,\t"b" ', [EntityTag("a"), EntityTag("b")]),
        ('"a",,"b",', [EntityTag("a"), EntityTag("b")]),  # RFC 9110 §5.6.1: empty elements
        (', "a"', [EntityTag("a")]),
        ('"a,b"', [EntityTag("a,b")]),  # a comma inside the quotes is part of the tag
        ('"W/"', [EntityTag("W/")]),
        ('"x/y-z_1.2~!#"', [EntityTag("x/y-z_1.2~!#")]),
        ('"caf\xe9"', [EntityTag("caf\xe9")]),  # obs-text, as a latin-1 header carries it
        ("*", "*"),
        (" * ", "*"),
        ("\t*", "*"),
    ],
)
def test_parse_entity_tags_reads_star_or_a_list(value: str, expected: Any) -> None:
    assert parse_entity_tags(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "v3",
        '"unterminated',
        'unopened"',
        'W/ "x"',
        'w/"x"',
        "W/",
        '"a" "b"',
        '"a"W/"b"',
        '"a b"',
        '"a"x',
        '"a";',
        '*, "a"',
        "**",
        '"\u20ac"',  # beyond obs-text
        '"a\x7f"',
        ",",
        " , ",
        "",
    ],
)
def test_parse_entity_tags_rejects_anything_else(value: str) -> None:
    with pytest.raises(ValueError, match=re.escape(value) if value else "^$"):
        parse_entity_tags(value)


# --- EntityTag and make_entity_tag -------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "strong", "weak"),
    [
        # RFC 9110 §8.8.3.2's table
        (EntityTag("1", weak=True), EntityTag("1", weak=True), False, True),
        (EntityTag("1", weak=True), EntityTag("2", weak=True), False, False),
        (EntityTag("1", weak=True), EntityTag("1"), False, True),
        (EntityTag("1"), EntityTag("1"), True, True),
        (EntityTag("1"), EntityTag("2"), False, False),
        (EntityTag("1"), EntityTag("1", weak=True), False, True),
    ],
)
def test_entity_tag_comparison_follows_rfc_9110(
    first: EntityTag, second: EntityTag, strong: bool, weak: bool
) -> None:
    assert first.strong_match(second) is strong
    assert first.weak_match(second) is weak


@pytest.mark.parametrize(
    ("tag", "text"),
    [(EntityTag("v3"), '"v3"'), (EntityTag("v3", weak=True), 'W/"v3"'), (EntityTag(""), '""')],
)
def test_entity_tag_str_is_the_header_form(tag: EntityTag, text: str) -> None:
    assert str(tag) == text
    assert re.fullmatch(ENTITY_TAG_PATTERN, text)
    assert parse_entity_tags(text) == [tag]


UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")


@pytest.mark.parametrize(
    ("value", "weak", "expected"),
    [
        (3, False, '"3"'),
        (3, True, 'W/"3"'),
        (0, False, '"0"'),
        (2.5, False, '"2.5"'),
        ("v3", False, '"v3"'),
        ("", False, '""'),
        ("a,b", False, '"a,b"'),
        ("caf\xe9", False, '"caf\xe9"'),
        ("x" * 64, False, '"' + "x" * 64 + '"'),
        (UUID, False, '"12345678-1234-5678-1234-567812345678"'),
        ("x" * 65, False, '"' + hashed("x" * 65) + '"'),  # too long: hashed
        ("a b", False, '"' + hashed("a b") + '"'),  # a space: hashed
        ('a"b', False, '"' + hashed('a"b') + '"'),  # a quote: hashed
        ("a\\b", False, '"a\\b"'),
        ("\u20ac3", False, '"' + hashed("\u20ac3") + '"'),  # beyond obs-text: hashed
        ("tab\t", True, 'W/"' + hashed("tab\t") + '"'),
        (T0, False, '"' + hashed(str(T0)) + '"'),  # str() of a datetime has a space
    ],
)
def test_make_entity_tag_quotes_a_version_or_hashes_it(
    value: Any, weak: bool, expected: str
) -> None:
    tag = make_entity_tag(value, weak=weak)

    assert str(tag) == expected
    assert tag.weak is weak
    assert re.fullmatch(ENTITY_TAG_PATTERN, str(tag))


@pytest.mark.parametrize("weak", [False, True])
def test_make_entity_tag_of_bytes_is_a_short_hash(weak: bool) -> None:
    digest = hashlib.sha256(b'{"id":1}').digest()[:16]
    opaque = base64.urlsafe_b64encode(digest).decode().rstrip("=")

    tag = make_entity_tag(b'{"id":1}', weak=weak)

    assert tag == EntityTag(opaque, weak)
    assert len(opaque) == 22
    assert make_entity_tag(b'{"id":2}', weak=weak) != tag


# --- evaluate_preconditions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "headers", "etag", "modified", "outcome"),
    [
        ("GET", {}, STRONG, T0, None),
        # If-None-Match: weak comparison; 304 for GET and HEAD, 412 for the others
        ("GET", {"If-None-Match": '"v3"'}, STRONG, None, 304),
        ("HEAD", {"If-None-Match": 'W/"v3"'}, STRONG, None, 304),
        ("GET", {"If-None-Match": '"v3"'}, WEAK, None, 304),
        ("GET", {"If-None-Match": '"v2", "v4"'}, STRONG, None, None),
        ("GET", {"If-None-Match": "*"}, STRONG, None, 304),
        ("GET", {"If-None-Match": '"v3"'}, None, None, None),
        ("POST", {"If-None-Match": '"v3"'}, STRONG, None, 412),
        ("PUT", {"If-None-Match": "*"}, STRONG, None, 412),
        ("PUT", {"If-None-Match": "*"}, None, None, 412),
        ("DELETE", {"If-None-Match": 'W/"v3"'}, STRONG, None, 412),
        ("PATCH", {"If-None-Match": '"v2"'}, STRONG, None, None),
        # If-Match: strong comparison
        ("PUT", {"If-Match": '"v3"'}, STRONG, None, None),
        ("PUT", {"If-Match": '"v1", "v3"'}, STRONG, None, None),
        ("PUT", {"If-Match": 'W/"v3"'}, STRONG, None, 412),
        ("PUT", {"If-Match": '"v3"'}, WEAK, None, 412),
        ("PUT", {"If-Match": '"v2"'}, STRONG, None, 412),
        ("PUT", {"If-Match": '"v3"'}, None, None, 412),
        ("PUT", {"If-Match": "*"}, STRONG, None, None),
        ("PUT", {"If-Match": "*"}, WEAK, None, None),
        ("PUT", {"If-Match": "*"}, None, None, None),
        ("GET", {"If-Match": '"v2"'}, STRONG, None, 412),
        # If-Unmodified-Since, only without If-Match
        ("PUT", {"If-Unmodified-Since": T0_HTTP}, STRONG, T0, None),
        ("PUT", {"If-Unmodified-Since": AFTER_HTTP}, STRONG, T0, None),
        ("PUT", {"If-Unmodified-Since": BEFORE_HTTP}, STRONG, T0, 412),
        ("PUT", {"If-Unmodified-Since": BEFORE_HTTP}, STRONG, None, None),
        ("PUT", {"If-Unmodified-Since": "not a date"}, STRONG, T0, None),
        ("PUT", {"If-Unmodified-Since": BEFORE_HTTP, "If-Match": '"v3"'}, STRONG, T0, None),
        ("GET", {"If-Unmodified-Since": BEFORE_HTTP}, STRONG, T0, 412),
        # If-Modified-Since, only for GET and HEAD and only without If-None-Match
        ("GET", {"If-Modified-Since": T0_HTTP}, STRONG, T0, 304),
        ("HEAD", {"If-Modified-Since": AFTER_HTTP}, STRONG, T0, 304),
        ("GET", {"If-Modified-Since": BEFORE_HTTP}, STRONG, T0, None),
        ("GET", {"If-Modified-Since": T0_HTTP}, STRONG, None, None),
        ("GET", {"If-Modified-Since": "yesterday"}, STRONG, T0, None),
        ("GET", {"If-Modified-Since": T0_HTTP, "If-None-Match": '"v2"'}, STRONG, T0, None),
        ("GET", {"If-Modified-Since": BEFORE_HTTP, "If-None-Match": '"v3"'}, STRONG, T0, 304),
        ("PUT", {"If-Modified-Since": AFTER_HTTP}, STRONG, T0, None),
        # a failed If-Match wins over a matching If-None-Match
        ("GET", {"If-Match": '"v2"', "If-None-Match": '"v3"'}, STRONG, None, 412),
        ("GET", {"If-Match": '"v3"', "If-None-Match": '"v3"'}, STRONG, None, 304),
    ],
)
def test_evaluate_preconditions_follows_rfc_9110_order(
    method: str,
    headers: dict[str, str],
    etag: EntityTag | None,
    modified: dt.datetime | None,
    outcome: int | None,
) -> None:
    assert evaluate_preconditions(method, Headers(headers), etag, modified) == outcome


@pytest.mark.parametrize(
    "headers",
    [{"If-Match": "v3"}, {"If-None-Match": 'W/ "v3"'}, {"If-Match": "*", "If-None-Match": ","}],
)
def test_evaluate_preconditions_with_malformed_tags_raises_bad_request(
    headers: dict[str, str],
) -> None:
    with pytest.raises(BadRequest) as raised:
        evaluate_preconditions("GET", Headers(headers), STRONG, None)

    assert raised.value.status == 400


@pytest.mark.parametrize(
    ("etag", "modified", "expected"),
    [
        (STRONG, T0, {"ETag": '"v3"', "Last-Modified": T0_HTTP}),
        (WEAK, None, {"ETag": 'W/"v3"'}),
        (None, T0, {"Last-Modified": T0_HTTP}),
        (None, None, {}),
    ],
)
def test_set_validators_sets_the_headers_it_is_given(
    etag: EntityTag | None, modified: dt.datetime | None, expected: dict[str, str]
) -> None:
    headers = Headers({"ETag": '"old"'} if etag is not None else {})

    set_validators(headers, etag, modified)

    assert dict(headers) == expected
