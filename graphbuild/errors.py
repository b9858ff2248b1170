"""The one error type every stage raises; only the CLI prints it and picks the exit code."""
from __future__ import annotations

import enum
from dataclasses import dataclass


class ErrorKind(enum.Enum):
    """What went wrong, which decides the process exit code (sysexits.h)."""

    USAGE = 2          # a wrong flag or parameter
    PROGRAM = 65       # an error in a .gdsl program or an input file (EX_DATAERR)
    MISSING = 66       # an input file that does not exist (EX_NOINPUT)
    RUNTIME = 70       # a failure while running a plan (EX_SOFTWARE)
    IO = 74            # a file that cannot be read or written (EX_IOERR)
    INTERRUPTED = 130  # Ctrl-C

    @property
    def exit_code(self) -> int:
        return self.value


@dataclass(frozen=True)
class Location:
    """A point in a source file; line and col are 1-based."""

    path: str
    line: int
    col: int
    source_line: str | None = None  # the text of that line, for the caret display

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class GraphbuildError(Exception):
    """An error with an optional source location, rendered like a compiler diagnostic."""

    def __init__(self, message: str, location: Location | None = None,
                 kind: ErrorKind = ErrorKind.PROGRAM, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.kind = kind
        self.hint = hint

    @property
    def exit_code(self) -> int:
        return self.kind.exit_code

    def render(self) -> str:
        """`path:line:col: error: message`, then the source line and a caret."""
        loc = self.location
        head = f"{loc}: error: {self.message}" if loc else f"error: {self.message}"
        lines = [head]
        if loc is not None and loc.source_line is not None:
            text = loc.source_line.rstrip("\n")
            lines.append(f"    {text}")
            lines.append("    " + " " * max(loc.col - 1, 0) + "^")
        if self.hint:
            lines.append(f"note: {self.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()
