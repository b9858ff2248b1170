"""Readable metavars in --help.

typer 0.2x labels every option with its Python type (`<bool>` on a flag that takes no value,
`<list[str]>` on a repeatable option, `<path>`) and a required argument as `{file}`.  Help
reads better in click's plain words: nothing after a flag, `TEXT`, `N`, `PATH`, the choices
as `a|b`, and `FILE` for an argument.  An option that sets its own metavar keeps it.
"""
from __future__ import annotations

import re
from typing import Any

from typer import core

_WORDS = {"bool": "", "int": "N", "float": "NUMBER", "str": "TEXT", "path": "PATH", "file": "FILE",
          "directory": "DIR", "Path": "PATH"}

_typer_display_type = core._TyperParameter.display_type


def _display_type(self: Any, ctx: Any) -> str:
    if getattr(self, "is_flag", False):
        return ""   # a flag takes no value
    label = _typer_display_type(self, ctx).strip("<>")
    repeated = re.fullmatch(r"list\[(.*)\]", label)
    label = repeated.group(1) if repeated else label
    label = label.removesuffix(" range")   # the range itself follows as [0<=x<=1]
    return _WORDS.get(label, label if "|" in label else label.upper())


def _usage_display_name(self: Any) -> str:
    name = self.metavar or self.name.upper()
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 else "")


def _rich_display_name(self: Any) -> str:
    return (self.metavar or self.name.upper()) + ("..." if self.metavar is None and self.nargs != 1 else "")


def install() -> None:
    core._TyperParameter.display_type = _display_type
    core.TyperArgument._usage_display_name = _usage_display_name
    core.TyperArgument._rich_display_name = _rich_display_name
