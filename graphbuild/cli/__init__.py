"""The graphbuild command line: thin typer commands over graphbuild.api.

Only this package imports typer and rich and prints.  Data goes to stdout; messages,
warnings and timings go to stderr.  Exit codes come from GraphbuildError.kind.
"""
from __future__ import annotations

import enum
import functools
import json
import os
import pathlib
import sys
import time
import traceback
from typing import Annotated, Any, Callable, Optional

import typer
from rich.console import Console

from .. import __version__
from ..errors import ErrorKind, GraphbuildError
from ..settings import Settings, default_threads, load_settings

from .metavars import install as _install_metavars

_install_metavars()

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="graphbuild",
    help="Compile .gdsl graph algorithms into optimized plans and run them in C.\n\n"
         "Example: graphbuild run algorithms/pagerank.gdsl --graph edges.txt",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def fail(error: GraphbuildError) -> None:
    """Print one diagnostic and exit with the error's code."""
    text = error.render()
    head, _, rest = text.partition("\n")
    head = head.replace("error:", "[bold red]error:[/]", 1)
    err.print(head, markup=True)
    if rest:
        err.print(rest, markup=False)
    raise typer.Exit(error.exit_code)


def guarded(command: Callable) -> Callable:
    """Turn every failure into one clear message and the right exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except GraphbuildError as exc:
            fail(exc)
        except KeyboardInterrupt:
            say_interrupted()
            raise typer.Exit(ErrorKind.INTERRUPTED.exit_code) from None
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`); nothing left to say
            raise typer.Exit(0) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug in graphbuild: say so plainly, trace only on request
            if os.environ.get("GRAPHBUILD_DEBUG"):
                traceback.print_exc()
            err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
                      "set GRAPHBUILD_DEBUG=1 for a traceback, and please report it", markup=True)
            raise typer.Exit(ErrorKind.RUNTIME.exit_code) from None

    return wrapper


_warned: set[str] = set()   # each warning once per command, whichever cache gave it


def warn_all(messages: list[str]) -> None:
    for message in messages:
        if message not in _warned:
            _warned.add(message)
            err.print(f"[yellow]warning:[/] {message}", markup=True)
    messages.clear()


def _version(value: bool) -> None:
    if value:
        out.print(f"graphbuild {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """graphbuild: a build tool for graph algorithms."""


# ---- shared options ------------------------------------------------------------------

CacheDir = Annotated[Optional[pathlib.Path], typer.Option(
    "--cache-dir", help="Plan cache directory (default: GRAPHBUILD_CACHE_DIR, config, user cache).")]
NoCache = Annotated[bool, typer.Option("--no-cache",
                                       help="Neither read nor write the plan and graph caches.")]
Algorithm = Annotated[Optional[str], typer.Option(
    "--algorithm", "-a", help="Which algorithm of the file (needed when it has several).")]
OptLevel = Annotated[int, typer.Option("-O", "--opt-level", min=0, max=1,
                                       help="Optimization level: -O0 off, -O1 on (default).")]


class Stage(str, enum.Enum):
    ast = "ast"
    ir = "ir"
    opt = "opt"
    plan = "plan"
    dot = "dot"


def settings_for(cache_dir: Optional[pathlib.Path], **flags: Any) -> Settings:
    settings = load_settings({"cache_dir": str(cache_dir) if cache_dir else None, **flags})
    warn_all(settings.warnings)
    cores = default_threads()
    if settings.threads > cores:
        warn_all([f"{settings.threads} threads on {cores} core{'s' if cores != 1 else ''} "
                  f"oversubscribe them: the workers take turns and the run is slower, not faster"])
    return settings


def open_cache(settings: Settings, no_cache: bool):
    from ..cache import PlanCache
    from ..cache.trust import CachePolicy

    return None if no_cache else PlanCache(settings.cache_dir, max_size=settings.cache_max_size,
                                           policy=CachePolicy.from_settings(settings))


_interrupt_said = False


def say_interrupted() -> None:
    """The one line a Ctrl-C prints, whichever layer caught it first."""
    global _interrupt_said
    if not _interrupt_said:
        _interrupt_said = True
        err.print("[bold red]error:[/] interrupted")


def main() -> None:
    """The command line (graphbuild/__main__.py's run calls it)."""
    try:
        app()
    except KeyboardInterrupt:   # outside every command: while typer finishes
        say_interrupted()
        sys.exit(ErrorKind.INTERRUPTED.exit_code)
    except SystemExit as exc:
        if exc.code == ErrorKind.INTERRUPTED.exit_code:
            say_interrupted()   # typer turns a Ctrl-C while it parses into a silent exit 130
        raise


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=None, sort_keys=False)


def elapsed_ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


from . import cache_cmd, compile_cmd, graph_cmd, list_cmd, profile_cmd, run_cmd  # noqa: E402  (commands register on app)

__all__ = ["app", "main", "cache_cmd", "compile_cmd", "graph_cmd", "list_cmd", "profile_cmd", "run_cmd"]
