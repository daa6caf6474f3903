"""Replaying the terminal transcripts of the docs pages, so a page cannot drift from its code.

A page's ```console blocks show commands (`$ curl -i ...`) and what they print. `replay` runs
each command of a block and returns what the terminal would show: the tests compare it with
the block. `curl` runs through the Flask test client; other commands through a function the
page's test gives.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

CONSOLE = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def console_blocks(text: str) -> list[str]:
    """Return the text of each `console` block of a page (or a part of one), in order."""
    return [block.rstrip("\n") for block in CONSOLE.findall(text)]


def run_curl(client: FlaskClient, words: Sequence[str]) -> TestResponse:
    """Send what `curl [-i] [-g] [-X METHOD] [-H 'Name: value'] [-d 'body'] URL` would send.

    Like curl, `-d` without a `Content-Type` header sends a form.
    """
    if words[0] != "curl":
        raise AssertionError(f"not a curl command: {words!r}")
    method, url, data = None, None, None
    headers: dict[str, str] = {}
    arguments = iter(words[1:])
    for word in arguments:
        if word in ("-i", "-g"):
            continue
        if word == "-X":
            method = next(arguments)
        elif word == "-H":
            name, _, value = next(arguments).partition(":")
            headers[name] = value.strip()
        elif word == "-d":
            data = next(arguments)
        elif word.startswith("http://"):
            url = word
        else:
            raise AssertionError(f"unexpected curl argument: {word!r}")
    assert url is not None
    if data is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    chosen = method or ("POST" if data is not None else "GET")
    return client.open(url, method=chosen, headers=headers, data=data)


def render(response: TestResponse) -> str:
    """What `curl -i` prints, without the headers a server adds (Server, Date, Connection)."""
    lines = [f"HTTP/1.1 {response.status}"]
    lines += [f"{name}: {value}" for name, value in response.headers.items()]
    body = response.get_data(as_text=True)
    if body:
        lines += ["", body]
    return "\n".join(lines)


def curl_through(client: FlaskClient) -> Callable[[list[str]], str]:
    """Return a command runner that answers `curl` commands through the test client."""
    return lambda words: render(run_curl(client, words))


def replay(
    block: str,
    variables: dict[str, str],
    run: Callable[[list[str]], str],
    shown_as_is: tuple[str, ...] = (),
) -> str:
    """Run the block's commands; return what the terminal would show.

    Args:
        block: The text of a console block: `$ ` lines and their output.
        variables: The shell variables: `export NAME=value` sets one for this block and the
            next ones, and `$NAME` words are replaced by their values.
        run: Runs one command (its words) and returns its output.
        shown_as_is: Prefixes of commands that are not run (`pip install`, `flask run`):
            the block's own output for them is kept.
    """
    entries: list[str] = []
    prefix = ""
    lines = block.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("$ "):
            continue
        command = line[2:]
        if shown_as_is and command.startswith(shown_as_is):
            shown = []
            for following in lines[index + 1 :]:
                if following.startswith("$ "):
                    break
                shown.append(following)
            shown_text = "\n".join([line, *shown]).rstrip("\n")
            if shown_text == line:  # no output: the next command follows on the next line
                prefix += line + "\n"
            else:
                entries.append(prefix + shown_text)
                prefix = ""
            continue
        words = [
            variables.get(word[1:], word) if word.startswith("$") else word
            for word in shlex.split(command)
        ]
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            variables[name] = value
            prefix += line + "\n"
            continue
        entries.append(prefix + line + "\n" + run(words))
        prefix = ""
    if prefix:
        entries.append(prefix.rstrip("\n"))
    return "\n\n".join(entries)
