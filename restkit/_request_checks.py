"""Checks on a request's raw text and media type, made before any schema reads it.

A schema loads what werkzeug decoded, and werkzeug is lenient: it keeps percent-encoded bytes
that are not UTF-8 as text a client never sent, and reads a multipart body without a boundary
as an empty form. These checks refuse such requests first, by name where a parameter or field
is at fault (its `InputError` joins the 422), or with a 400 or 415 for the body as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_to_bytes

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

from restkit._forms import invalid_text
from restkit.problems import BadRequest, InputError, UnsupportedMediaType

__all__ = ["check_form_type", "check_query_string", "media_type_detail", "utf8_only"]


def check_query_string(
    request: Request,
    view_args: Mapping[str, Any],
    arguments: dict[str, Any],
    errors: list[InputError],
) -> None:
    """Refuse query parameters whose percent-encoded bytes are not UTF-8.

    Werkzeug keeps such bytes as the text `%FF`, which a schema would take as a value the
    client never sent. Each one is reported by name and left out of `request.args`, so the
    other steps (and the method) read only what was sent.
    """
    raw = request.query_string
    if (raw.isascii() and b"%" not in raw) or _decodes(raw):
        return
    invalid: list[str] = []
    valid: list[bytes] = []
    for pair in raw.split(b"&"):
        key, _, value = pair.partition(b"=")
        if _decodes(key) and _decodes(value):
            valid.append(pair)
        else:
            invalid.append(unquote(key.replace(b"+", b" ").decode("latin-1")))
    detail = "Not valid UTF-8: percent-encode the value's UTF-8 bytes."
    errors.extend(InputError("query", detail, name=name) for name in dict.fromkeys(invalid))
    # werkzeug caches `args` on the request (and cannot decode raw bytes that are not UTF-8):
    # the parameters that are valid take its place, read as werkzeug reads them.
    text = b"&".join(valid).decode("utf-8")
    request.__dict__["args"] = MultiDict(parse_qsl(text, keep_blank_values=True))


def _decodes(part: bytes) -> bool:
    """Whether a part of a query string is UTF-8 once percent-decoded."""
    try:
        unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def utf8_only(form: MultiDict[str, Any], errors: list[InputError]) -> MultiDict[str, Any]:
    """Refuse, by name, the form fields whose bytes were not UTF-8; return the others."""
    bad = {key for key, value in form.items(multi=True) if invalid_text(value) or invalid_text(key)}
    if not bad:
        return form
    detail = "Not valid UTF-8: send the field's text as UTF-8."
    for key in sorted(bad):
        name = key.encode("utf-8", "replace").decode("utf-8")
        errors.append(InputError("form", detail, name=name))
    return MultiDict([(k, v) for k, v in form.items(multi=True) if k not in bad])


def check_form_type(request: Request, accepted: tuple[str, ...]) -> None:
    """Refuse a form body whose `Content-Type` is not one of `accepted`.

    Raises:
        BadRequest: A multipart body has no boundary.
        UnsupportedMediaType: The body is of another media type, or has none.
    """
    mimetype = request.mimetype
    if mimetype in accepted:
        if mimetype == "multipart/form-data" and not request.mimetype_params.get("boundary"):
            # werkzeug would read no parts at all, and every field would look missing.
            raise BadRequest(
                "The multipart body has no boundary: send Content-Type: multipart/form-data; "
                "boundary=... (an HTTP client sets it when it encodes the form)."
            )
        return
    if not mimetype and not request.content_length:
        return  # no body at all: an empty form, whose required fields are reported as missing
    raise UnsupportedMediaType(
        media_type_detail(mimetype, " or ".join(accepted)),
        headers={"Accept": ", ".join(accepted)},
    )


def media_type_detail(mimetype: str, expected: str) -> str:
    """Return the detail of a 415 for a body sent as `mimetype` where `expected` is taken."""
    if not mimetype:
        return f"The request body has no Content-Type; send it as {expected}."
    return f"The request body is {mimetype}; send it as {expected}."
