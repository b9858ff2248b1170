"""The one error type every stage raises; only the CLI prints it and picks the exit code.

The Python API (graphbuild.api) raises the same errors, refined at its boundary into the
subclasses below so a caller can catch what it means: ProgramError for a fault in a .gdsl
program (at compile or run time, with the program's file, line and column), UsageError (also a
ValueError) for a wrong argument or parameter.  Every one keeps the message and position the
CLI prints.
"""
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

    @property
    def file(self) -> str | None:
        return self.location.path if self.location else None

    @property
    def line(self) -> int | None:
        return self.location.line if self.location else None

    @property
    def column(self) -> int | None:
        return self.location.col if self.location else None

    def render(self) -> str:
        """`path:line:col: error: message`, then the source line and a caret."""
        loc = self.location
        head = f"{loc}: error: {self.message}" if loc else f"error: {self.message}"
        lines = [head]
        if loc is not None and loc.source_line is not None:
            text = loc.source_line.rstrip("\n")
            lines.append(f"    {text}")
            # the caret's padding keeps the line's tabs, so it lines up at any tab width
            pad = "".join(c if c == "\t" else " " for c in text[:max(loc.col - 1, 0)])
            lines.append("    " + pad + " " * max(loc.col - 1 - len(text), 0) + "^")
        if self.hint:
            lines.append(f"note: {self.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class ProgramError(GraphbuildError):
    """A fault in a .gdsl program: a compile error, or a run-time failure (integer division by
    zero, an iteration limit) at a line of the program.  file, line and column say where."""


class UsageError(GraphbuildError, ValueError):
    """A wrong argument: an unknown or malformed parameter, a node that is not in the graph."""

    def __init__(self, message: str, location: Location | None = None,
                 kind: ErrorKind = ErrorKind.USAGE, hint: str | None = None):
        super().__init__(message, location, kind, hint)


def refine(error: GraphbuildError, program_fault: bool = False) -> GraphbuildError:
    """error as the subclass that says what it means (itself if it already is one): USAGE
    errors become UsageError; with program_fault (the error came from compiling or running a
    program, not from reading a graph) a malformed program and any error that points into
    it become ProgramError.  Interrupts, I/O errors and missing files keep their base type."""
    if type(error) is not GraphbuildError:
        return error
    if error.kind is ErrorKind.USAGE:
        cls: type[GraphbuildError] = UsageError
    elif program_fault and (error.kind is ErrorKind.PROGRAM or
                            (error.kind is ErrorKind.RUNTIME and error.location is not None)):
        cls = ProgramError
    else:
        return error
    refined = cls(error.message, error.location, error.kind, error.hint)
    refined.__traceback__ = error.__traceback__
    return refined
