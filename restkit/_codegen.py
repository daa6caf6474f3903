"""What the dump and load compilers share: Python source written line by line, then run.

`restkit._dump_codegen` and `restkit._load_codegen` each write one function per schema into
`lines`, naming the values the code needs (fields, validators, schemas) in `namespace`;
`make_function` compiles the source once and returns the function named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class SourceWriter:
    """Source lines, the namespace they run in, and what the compiler left to marshmallow.

    Args:
        names: The names the generated code uses from the start (helpers, constants).
    """

    def __init__(self, names: Mapping[str, Any]) -> None:
        self.namespace: dict[str, Any] = dict(names)
        self.lines: list[str] = []
        self.fallbacks: list[str] = []
        self._count = 0
        self._kept: list[Any] = []  # the schemas read, alive as long as their code is

    def bind(self, value: Any, hint: str) -> str:
        """Put `value` in the generated code's namespace and return its name."""
        self._count += 1
        name = f"_{hint}{self._count}"
        self.namespace[name] = value
        return name

    def make_function(self, name: str, label: str) -> Callable[..., Any]:
        """Compile the lines written and return the function `name` defined in them."""
        code = compile("\n".join(self.lines), f"<restkit {label}>", "exec")
        exec(code, self.namespace)  # the source is written by restkit, from field types only
        function: Callable[..., Any] = self.namespace[name]
        return function
