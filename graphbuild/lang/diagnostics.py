"""Turning a position in a .gdsl file into the one error type every stage raises."""
from __future__ import annotations

from ..errors import ErrorKind, GraphbuildError, Location
from .ast import Span


def source_line(source: str, line: int) -> str | None:
    """The text of 1-based `line` without its line ending, or None past the end."""
    lines = source.split("\n")
    if 1 <= line <= len(lines):
        return lines[line - 1].rstrip("\r")
    return None


def program_error(path: str, source: str, span: Span, message: str,
                  hint: str | None = None) -> GraphbuildError:
    """A PROGRAM error at `span`, carrying the source line for the caret display."""
    location = Location(path, span.line, span.col, source_line(source, span.line))
    return GraphbuildError(message, location, kind=ErrorKind.PROGRAM, hint=hint)
