"""The .gdsl lexer: source text to a token list with Python-style INDENT/DEDENT tokens.

Layout follows Python: a logical line ends at a newline outside brackets, blank and
comment-only lines are skipped, and indentation is measured in spaces only (a tab in
indentation is an error at its column, so no width convention can make two lines look
aligned while meaning different blocks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .ast import Span
from .diagnostics import program_error

KEYWORDS = frozenset({
    "algorithm", "repeat", "until", "while", "if", "elif", "else", "return",
    "for", "in", "and", "or", "not", "true", "false", "inf", "nan",
})

INT_MAX = 2**63 - 1  # literals must fit the executor's int64

# Longest first, so `**=` wins over `**` and `//` over `/`.
OPERATORS = (
    "**=", "//=", "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=",
    "+", "-", "*", "/", "%", "<", ">", "=", "(", ")", "[", "]", ",", ":",
)
CLOSERS = {")": "(", "]": "["}

# Operators from other languages, with what to write instead.
FOREIGN = {"&&": "and", "||": "or", "!": "not", "&": "and", "|": "or"}

_NUMBER = re.compile(r"([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER_TAIL = re.compile(r"[A-Za-z0-9_.]*")


@dataclass(frozen=True)
class Token:
    """kind is one of: name keyword int float op newline indent dedent eof."""

    kind: str
    text: str
    line: int
    col: int
    value: int | float | None = None

    @property
    def span(self) -> Span:
        return Span(self.line, self.col, max(len(self.text), 1))

    def describe(self) -> str:
        """How an error message names this token."""
        return {
            "newline": "end of line", "eof": "end of file",
            "indent": "an indented block", "dedent": "the end of the block",
        }.get(self.kind, f"'{self.text}'")


class _Lexer:
    def __init__(self, source: str, path: str):
        self.source = source
        self.path = path
        self.tokens: list[Token] = []
        self.indents = [0]
        self.brackets: list[Token] = []  # open ( and [ , for continuation and matching
        self.intervals: set[int] = set()  # ids of openers right after 'in': a range

    def error(self, line: int, col: int, message: str, hint: str | None = None):
        return program_error(self.path, self.source, Span(line, col), message, hint)

    def run(self) -> list[Token]:
        lines = self.source.split("\n")
        last_line, last_col = 1, 1
        for lineno, raw in enumerate(lines, 1):
            text = raw.rstrip("\r")
            if self.brackets:
                start = 0  # a continuation line: its leading whitespace is not indentation
            else:
                start = self.indentation(lineno, text)
                if start is None:
                    continue
            end = self.scan_line(lineno, text, start)
            if end:
                last_line, last_col = lineno, end
                if not self.brackets:
                    self.tokens.append(Token("newline", "", lineno, end))
        if self.brackets:
            opener = self.brackets[-1]
            raise self.error(opener.line, opener.col, f"'{opener.text}' was never closed")
        for _ in self.indents[1:]:
            self.tokens.append(Token("dedent", "", last_line, last_col))
        self.tokens.append(Token("eof", "", last_line, last_col))
        return self.tokens

    def indentation(self, lineno: int, text: str) -> int | None:
        """Emit INDENT/DEDENT for a logical line; None for a blank or comment-only line."""
        width = len(text) - len(text.lstrip(" \t"))
        rest = text[width:]
        if not rest or rest.startswith("#"):
            return None
        tab = text.find("\t", 0, width)
        if tab >= 0:
            raise self.error(lineno, tab + 1, "tab in indentation",
                             hint="indent with spaces only")
        if width > self.indents[-1]:
            self.indents.append(width)
            self.tokens.append(Token("indent", "", lineno, width + 1))
        elif width < self.indents[-1]:
            if width not in self.indents:
                levels = ", ".join(str(w) for w in self.indents)
                raise self.error(lineno, width + 1,
                                 f"inconsistent dedent: an indentation of {width} spaces matches "
                                 f"no enclosing block", hint=f"the enclosing blocks are indented "
                                 f"by {levels} spaces")
            while width < self.indents[-1]:
                self.indents.pop()
                self.tokens.append(Token("dedent", "", lineno, width + 1))
        return width

    def scan_line(self, lineno: int, text: str, pos: int) -> int:
        """Append the tokens of one physical line; the column just past the last one, or 0."""
        end = 0
        while pos < len(text):
            ch = text[pos]
            if ch in " \t":
                pos += 1
                continue
            if ch == "#":
                break
            col = pos + 1
            if (m := _NUMBER.match(text, pos)) is not None:
                pos = self.number(lineno, text, m)
            elif (m := _NAME.match(text, pos)) is not None:
                word = m.group()
                kind = "keyword" if word in KEYWORDS else "name"
                self.tokens.append(Token(kind, word, lineno, col))
                pos = m.end()
            else:
                pos = self.operator(lineno, text, pos)
            end = pos + 1
        return end

    def number(self, lineno: int, text: str, m: re.Match) -> int:
        pos = m.start()
        tail = _NUMBER_TAIL.match(text, m.end()).group()
        literal = m.group()
        if tail:
            raise self.error(lineno, pos + 1, f"malformed number '{literal + tail}'")
        if "." not in literal and m.group(2) is None:
            # more digits than INT_MAX has are too large before they are converted (and
            # Python refuses to convert more than 4300 digits at all)
            digits = literal.lstrip("0")
            value: int | float = int(digits or "0") if len(digits) <= len(str(INT_MAX)) else INT_MAX + 1
            if value > INT_MAX:
                raise self.error(lineno, pos + 1, "integer literal too large",
                                 hint=f"integers are 64-bit: at most {INT_MAX}")
            kind = "int"
        else:
            value = float(literal)
            if value == float("inf"):
                raise self.error(lineno, pos + 1, "float literal too large",
                                 hint="write 'inf' for infinity")
            kind = "float"
        self.tokens.append(Token(kind, literal, lineno, pos + 1, value))
        return m.end()

    def operator(self, lineno: int, text: str, pos: int) -> int:
        col = pos + 1
        for foreign, ours in FOREIGN.items():
            if text.startswith(foreign, pos) and not text.startswith("!=", pos):
                raise self.error(lineno, col, f"unexpected '{foreign}'", hint=f"write '{ours}'")
        op = next((o for o in OPERATORS if text.startswith(o, pos)), None)
        if op is None:
            raise self.error(lineno, col, f"unexpected character {text[pos]!r}")
        tok = Token("op", op, lineno, col)
        if op in ("(", "["):
            self.brackets.append(tok)
            if self.tokens and self.tokens[-1].kind == "keyword" and self.tokens[-1].text == "in":
                self.intervals.add(id(tok))
        elif op in CLOSERS:
            if not self.brackets:
                raise self.error(lineno, col, f"unmatched '{op}'")
            opener = self.brackets.pop()
            # A range after 'in' (`damping: float in [0, 1)`) may close with either bracket:
            # the parser checks it is a range
            if opener.text != CLOSERS[op] and id(opener) not in self.intervals:
                raise self.error(lineno, col, f"closing '{op}' does not match '{opener.text}' "
                                 f"on line {opener.line}")
        self.tokens.append(tok)
        return pos + len(op)


def tokenize(source: str, path: str) -> list[Token]:
    """All tokens of `source`, ending with NEWLINE, DEDENTs back to column 1, and EOF."""
    return _Lexer(source, path).run()
