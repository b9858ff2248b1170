"""The algorithms shipped inside the package (graphbuild/algorithms/*.gdsl), found by name.

    shipped_path("pagerank")   # the file's path, or None if no shipped program has that name
    shipped_names()            # every name, sorted
    summary(path)              # the first sentence of a program's header comment

A name is the file's stem; `graphbuild run pagerank`, `gb.compile("pagerank")` and
`graphbuild list` all use these.
"""
from __future__ import annotations

import os
import re
from importlib import resources

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])")   # not "i.e. x"


def shipped_dir() -> str:
    return str(resources.files("graphbuild").joinpath("algorithms"))


def shipped_names() -> list[str]:
    try:
        files = os.listdir(shipped_dir())
    except OSError:
        return []
    return sorted(f[:-5] for f in files if f.endswith(".gdsl"))


def is_name(text: str) -> bool:
    """text could name a shipped program: a bare identifier, no directory, no suffix."""
    return _NAME.fullmatch(text) is not None


def shipped_path(name: str) -> str | None:
    """The shipped program called name, or None."""
    if not is_name(name):
        return None
    path = os.path.join(shipped_dir(), f"{name}.gdsl")
    return path if os.path.isfile(path) else None


def summary(path: str) -> str:
    """The header comment's first sentence: what the program computes."""
    words: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            words += line[1:].split()
            end = _SENTENCE_END.search(" ".join(words))
            if end is not None:
                return " ".join(words)[:end.start() + 1]
    return " ".join(words)


__all__ = ["is_name", "shipped_dir", "shipped_names", "shipped_path", "summary"]
