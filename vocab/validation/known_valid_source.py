"""Generated Python functions for the accept path: their text and the constants they name.

The accept path runs for every record the node receives, so each property's check is written
out as one function with its constraints inlined (no call per constraint), compiled once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

FAIL = "return False"


class Source:
    """The text of one generated function and the constants it names."""

    def __init__(self, name: str, args: str) -> None:
        self.name = name
        self.lines = [f"def {name}({args}):"]
        self.names: dict[str, Any] = {}
        self._depth = 1

    def const(self, value: Any, hint: str = "c") -> str:
        """Return the name under which the function sees ``value``."""
        name = f"{hint}_{len(self.names)}"
        self.names[name] = value
        return name

    def line(self, text: str) -> None:
        """Add one statement at the current depth."""
        self.lines.append("    " * self._depth + text)

    def fail_if(self, condition: str) -> None:
        """Add ``if <condition>: return False``."""
        self.line(f"if {condition}: {FAIL}")

    @contextmanager
    def block(self, head: str) -> Iterator[None]:
        """Add ``head`` and indent what is added inside the ``with``."""
        self.line(head)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def inline(self, other: Source) -> None:
        """Add the body of ``other`` (its statements and constants) at the current depth."""
        self.names.update(other.names)
        self.lines += ["    " * (self._depth - 1) + line for line in other.lines[1:]]

    def text(self) -> str:
        """Return the function's source."""
        return "\n".join(self.lines) + "\n"

    def build(self) -> Callable[..., Any]:
        """Compile the function; its globals are exactly its constants."""
        namespace = dict(self.names)
        exec(compile(self.text(), f"<accept path: {self.name}>", "exec"), namespace)
        function: Callable[..., Any] = namespace[self.name]
        return function
