"""Settings, in order of precedence: flags, GRAPHBUILD_* environment variables, then a
[tool.graphbuild] table in the nearest pyproject.toml or the nearest graphbuild.toml.

Two settings decide whom the caches trust and come from the environment only, never from
a project's file (a cloned repository controls those): GRAPHBUILD_CACHE_SHARED turns a
team cache on, GRAPHBUILD_CACHE_KEY_FILE names the key its entries are authenticated with
(default: cache.key in GRAPHBUILD_CONFIG_DIR or the user config directory)."""
from __future__ import annotations

import difflib
import os
import pathlib
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Mapping

import platformdirs

if sys.version_info >= (3, 11):
    import tomllib
else:   # pyproject's tomli dependency is only for these versions
    import tomli as tomllib

from .errors import ErrorKind, GraphbuildError

DEFAULT_CACHE_MAX_SIZE = 1 << 30  # 1 GiB

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?\s*", re.IGNORECASE)
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", re.IGNORECASE)
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_size(text: str | int) -> int:
    """Bytes from "123", "500M", "2G", "1.5GiB" (K, M, G, T are powers of 1024); ValueError if malformed."""
    if isinstance(text, bool):
        raise ValueError(f"not a size: {text!r}")
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"a size cannot be negative: {text}")
        return text
    match = _SIZE.fullmatch(str(text))
    if not match:
        raise ValueError(f"not a size: {text!r} (write e.g. 500M or 2G)")
    number, unit = match.groups()
    return int(float(number) * 1024 ** "_kmgt".index((unit or "_").lower()))


def human_size(n: int) -> str:
    """Bytes for people, in the units parse_size reads: "512 bytes", "1.5 KiB", "2.0 GiB"."""
    if abs(n) < 1024:
        return f"{n} bytes"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if abs(value) < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}"


def parse_duration(text: str) -> float:
    """Seconds from "30s", "30m", "12h", "7d", "2w"; ValueError if malformed."""
    match = _DURATION.fullmatch(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (write e.g. 30m, 12h or 7d)")
    number, unit = match.groups()
    return float(number) * _DURATION_UNITS[unit.lower()]


# name -> (type, or the parser of its text form; environment variable)
_KEYS: dict[str, tuple[Any, str]] = {
    "cache_dir": (str, "GRAPHBUILD_CACHE_DIR"),
    "cache_max_size": (parse_size, "GRAPHBUILD_CACHE_MAX_SIZE"),
    "threads": (int, "GRAPHBUILD_THREADS"),
    "max_iterations": (int, "GRAPHBUILD_MAX_ITERATIONS"),
}


# Tables inside [tool.graphbuild] that other modules read: [tool.graphbuild.spark] (spark/session.py).
_SUBTABLES = {"spark"}

# Read from the environment only (see the module docstring).
_ENV_ONLY = {"cache_shared": "GRAPHBUILD_CACHE_SHARED", "cache_key_file": "GRAPHBUILD_CACHE_KEY_FILE"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def config_dir(env: Mapping[str, str] | None = None) -> pathlib.Path:
    """graphbuild's own user configuration directory (GRAPHBUILD_CONFIG_DIR overrides)."""
    env = os.environ if env is None else env
    if env.get("GRAPHBUILD_CONFIG_DIR"):
        return pathlib.Path(env["GRAPHBUILD_CONFIG_DIR"]).expanduser()
    return pathlib.Path(platformdirs.user_config_dir("graphbuild"))


def cache_trust(env: Mapping[str, str] | None = None) -> tuple[bool, pathlib.Path]:
    """(shared, key file) from the environment."""
    env = os.environ if env is None else env
    text = env.get("GRAPHBUILD_CACHE_SHARED", "").strip().lower()
    if text and text not in _TRUE + _FALSE:
        raise GraphbuildError(f"GRAPHBUILD_CACHE_SHARED: expected 1 or 0, got {text!r}", kind=ErrorKind.USAGE)
    key_file = env.get("GRAPHBUILD_CACHE_KEY_FILE")
    return text in _TRUE, (pathlib.Path(key_file).expanduser() if key_file
                           else config_dir(env) / "cache.key")


@dataclass
class Settings:
    cache_dir: pathlib.Path
    threads: int
    max_iterations: int
    source: str = "defaults"  # the config file read, if any
    cache_max_size: int = DEFAULT_CACHE_MAX_SIZE
    cache_shared: bool = False            # a team cache (environment only)
    cache_key_file: pathlib.Path | None = None   # None: the default key file
    warnings: list[str] = field(default_factory=list)   # e.g. a misspelled key, for the caller to show


def default_threads() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def find_config(start: pathlib.Path) -> tuple[pathlib.Path, dict[str, Any]] | None:
    """The nearest graphbuild.toml, or pyproject.toml with a [tool.graphbuild] table."""
    for directory in (start, *start.parents):
        for name in ("graphbuild.toml", "pyproject.toml"):
            path = directory / name
            if not path.is_file():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise GraphbuildError(f"cannot read settings from {path}: {exc}",
                                      kind=ErrorKind.USAGE) from None
            table = data.get("tool", {}).get("graphbuild") if name == "pyproject.toml" else data
            if table is not None:
                return path, table
    return None


def _coerce(name: str, value: Any, origin: str) -> Any:
    kind = _KEYS[name][0]
    if kind is parse_size:
        try:
            return parse_size(value)
        except ValueError as exc:
            raise GraphbuildError(f"{origin}: '{name}': {exc}", kind=ErrorKind.USAGE) from None
    try:
        if kind is int and (isinstance(value, bool) or not str(value).strip().lstrip("-").isdigit()):
            raise ValueError
        result = kind(value)
    except (TypeError, ValueError):
        raise GraphbuildError(f"{origin}: '{name}' must be {'an integer' if kind is int else 'a string'}, "
                              f"got {value!r}", kind=ErrorKind.USAGE) from None
    if kind is int and result < 1:
        raise GraphbuildError(f"{origin}: '{name}' must be at least 1, got {result}", kind=ErrorKind.USAGE)
    return result


def load_settings(flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
                  cwd: pathlib.Path | None = None) -> Settings:
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    warnings: list[str] = []
    origin = "defaults"
    found = find_config((cwd or pathlib.Path.cwd()).resolve())
    if found:
        path, table = found
        origin = str(path)
        for name, value in table.items():
            if name in _ENV_ONLY:
                raise GraphbuildError(f"{path}: '{name}' can be set only in the environment "
                                      f"({_ENV_ONLY[name]}), never by a project's file",
                                      kind=ErrorKind.USAGE)
            if name in _KEYS:
                values[name] = _coerce(name, value, str(path))
            elif name not in _SUBTABLES:
                warnings.append(_unknown_key(path, name))
    for name, (_, var) in _KEYS.items():
        if env.get(var):
            values[name] = _coerce(name, env[var], var)
    for name, value in flags.items():
        values[name] = _coerce(name, value, f"--{name.replace('_', '-')}")
    if "cache_dir" in values:
        cache_dir = pathlib.Path(values["cache_dir"]).expanduser()
    else:
        cache_dir = pathlib.Path(platformdirs.user_cache_dir("graphbuild")) / "plans"
    shared, key_file = cache_trust(env)
    return Settings(cache_dir, values.get("threads", default_threads()),
                    values.get("max_iterations", 1_000_000), origin,
                    values.get("cache_max_size", DEFAULT_CACHE_MAX_SIZE), shared, key_file, warnings)


def _unknown_key(path: pathlib.Path, name: str) -> str:
    """A key graphbuild does not know is ignored, with a warning (a typo would otherwise
    silently leave the default in force)."""
    table = "[tool.graphbuild]" if path.name == "pyproject.toml" else path.name
    close = difflib.get_close_matches(name, list(_KEYS), n=1, cutoff=0.6)
    return (f"{path}: unknown setting '{name}' in {table} is ignored"
            + (f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(_KEYS)})"))
