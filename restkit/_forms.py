"""Form bodies read so that bytes which are not UTF-8 can be told apart and refused.

Werkzeug decodes the text of a form leniently: a multipart part's bytes with
`errors="replace"` (U+FFFD stands in for what was sent) and an urlencoded body so that
invalid bytes fail the whole form, which then reads as empty. Either way a client's
mistake becomes different data or "missing" fields. restkit reads the forms of its
operations with `StrictFormDataParser`, which keeps invalid bytes as lone surrogates
(Python's `surrogateescape`), which no valid text contains; `invalid_text` finds them, so
each such field is refused by name.
"""

from __future__ import annotations

import codecs
from typing import IO, Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import Headers
from werkzeug.formparser import FormDataParser, MultiPartParser

__all__ = ["StrictFormDataParser", "invalid_text"]

_CODEC = "restkit-utf-8-escaped"


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != _CODEC:
        return None

    def decode(data: Any, errors: str = "strict") -> tuple[str, int]:
        # Whatever error handler the caller asks for, invalid bytes stay recognisable.
        return codecs.utf_8_decode(data, "surrogateescape", True)

    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(utf8.encode, decode, name=_CODEC)


codecs.register(_search)


class _MultiPartParser(MultiPartParser):
    def get_part_charset(self, headers: Headers) -> str:
        charset = super().get_part_charset(headers)
        return _CODEC if charset == "utf-8" else charset


class StrictFormDataParser(FormDataParser):
    """Werkzeug's form parser, keeping text that is not UTF-8 recognisable."""

    def _parse_multipart(
        self,
        stream: IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> Any:
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        parser = _MultiPartParser(
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files

    def _parse_urlencoded(
        self,
        stream: IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> Any:
        text = stream.read().decode("utf-8", "surrogateescape")
        items = parse_qsl(text, keep_blank_values=True, errors="surrogateescape")
        return stream, self.cls(items), self.cls()


def invalid_text(value: Any) -> bool:
    """Whether a form value holds bytes that were not UTF-8 (kept as lone surrogates)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
