"""Errors for developers using restkit, as opposed to problems sent to API clients.

A `DeclarationError` is raised while resources, blueprints and APIs are declared or mounted
(at import or at `Api.init_app`), never while a request is served. A `ResponseError` is a
view returning something its declaration does not allow; it becomes a logged 500 problem.
"""

from __future__ import annotations

__all__ = ["DeclarationError", "ResponseError"]


class DeclarationError(Exception):
    """A resource, blueprint or API is declared in a way restkit cannot serve.

    The message names the culprit and says how to fix it, for example:
    `"Tasks.get declares body=...; GET has no body. Move it to query=... or to post()."`
    """


class ResponseError(Exception):
    """A view returned a value that its operation's declared responses do not allow.

    Raised while a request is served (for example, a status code that was never declared) and
    turned into a logged 500 problem: the OpenAPI document must stay true to what the code sends.
    """
