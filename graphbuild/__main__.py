"""`python -m graphbuild` and the `graphbuild` command: the command line, with Ctrl-C while it
is still starting up (importing the CLI takes a moment) ending in 130 like any other."""
import os
import sys

INTERRUPTED = 130   # errors.ErrorKind.INTERRUPTED, not imported: that import can be interrupted too


def run() -> None:
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        _exit_interrupted()
    try:
        main()
    except SystemExit as exc:
        if exc.code == INTERRUPTED:
            _exit_interrupted()
        raise


def _exit_interrupted() -> None:
    """Exit 130 at once.  Not sys.exit: a Ctrl-C that arrived inside code run by exec() of a
    string (dataclasses and typing helpers do that while modules load) leaves CPython marked
    as killed by SIGINT even though graphbuild caught it, and the process would end by the
    signal instead of with 130.  Everything that cleans up (temp files, C buffers) has run."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(INTERRUPTED)


if __name__ == "__main__":
    run()
