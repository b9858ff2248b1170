"""Files written whole or not at all, and files read only when they are what they claim to be.

    with atomic_write("ranks.csv") as f:            # a temporary file beside the target ...
        f.write(data)                                # ... renamed over it once complete

    data = read_regular(path, limit=64 << 20)       # a regular file of at most limit bytes

atomic_write creates its temporary file with O_CREAT | O_EXCL | O_NOFOLLOW (tempfile.mkstemp)
and writes only through the descriptor it created, never by name again, so someone who
can write the directory and swaps the name for a symbolic link cannot make it write
anywhere else.  On any exception (Ctrl-C included) the temporary file is removed and the
target is left as it was; on success the data is flushed, fsynced (durable=True) and
renamed into place, and the directory is fsynced so the rename survives a crash.

read_regular and open_regular open with O_NOFOLLOW | O_NONBLOCK, so a symbolic link is
refused and a FIFO cannot block the open, then accept only a regular file (fstat on the
descriptor, so what is checked is what is read) of at most `limit` bytes.  Their refusals
are UnsafeFile, an OSError whose `reason` says what the file is.
"""
from __future__ import annotations

import contextlib
import errno
import io
import os
import pathlib
import stat
import tempfile
from typing import IO, Callable, Iterator

TEMP_PREFIX = ".tmp-"


class UnsafeFile(OSError):
    """A file that is not a regular file of sensible size (reason says what it is instead)."""

    def __init__(self, path: str | os.PathLike, reason: str):
        super().__init__(errno.EINVAL, reason, os.fspath(path))
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.filename} is {self.reason}"


def describe_mode(mode: int) -> str:
    """What a file of this st_mode is, as a phrase ("a FIFO", "a directory", ...)."""
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"))
    return next((name for test, name in kinds if test(mode)), "a regular file")


def open_regular(path: str | os.PathLike, limit: int | None = None, *,
                 follow_symlinks: bool = False) -> tuple[int, os.stat_result]:
    """A read-only descriptor on path and its fstat, if it is a regular file of at most limit
    bytes; UnsafeFile otherwise (other OSErrors as os.open raises them).  The caller closes it."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise UnsafeFile(path, "a symbolic link") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile(path, f"{describe_mode(info.st_mode)}, not a regular file")
        if limit is not None and info.st_size > limit:
            raise UnsafeFile(path, f"{info.st_size} bytes, more than the {limit} expected")
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_regular(path: str | os.PathLike, limit: int, *, follow_symlinks: bool = False) -> bytes:
    """The bytes of a regular file of at most limit bytes (UnsafeFile if it is anything else,
    or grows past limit while it is read)."""
    fd, _ = open_regular(path, limit, follow_symlinks=follow_symlinks)
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFile(path, f"more than the {limit} bytes expected")
    return data


def _umask() -> int:
    """The process umask, read without changing it where /proc shows it."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(target: str | os.PathLike) -> int:
    """The permissions a plain open() would leave on target: the existing file's if there is
    one, else 0o666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def fsync_directory(directory: str | os.PathLike) -> None:
    """Make a rename in directory durable (some file systems cannot; the rename stays atomic)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def unlink_quietly(path: str | os.PathLike) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _check_still_ours(tmp: str, written: os.stat_result) -> None:
    """The temporary name still names the file written (not a link or file put in its place
    by someone who can write the directory), so renaming it publishes what was written."""
    now = os.lstat(tmp)
    if (now.st_dev, now.st_ino) != (written.st_dev, written.st_ino):
        raise OSError(errno.EEXIST, "the temporary file was replaced while it was written", tmp)


@contextlib.contextmanager
def atomic_write(target: str | os.PathLike, *, mode: int | None = None, durable: bool = True,
                 encoding: str | None = None, newline: str | None = None,
                 prefix: str = TEMP_PREFIX,
                 name_after: Callable[[IO], str | os.PathLike | None] | None = None) -> Iterator[IO]:
    """Write target whole or not at all (see the module docstring).

    Yields a binary file on the temporary file's descriptor (f.fileno() may be handed to C),
    or a text file when encoding is given.  mode: the new file's permissions; None keeps an
    existing target's, else 0o666 less the umask, as open() would.  The temporary file is
    named prefix + random + target's suffix, in target's directory.  name_after (for files
    named by their content): called with the written file, returns the name to rename it to
    in target's directory (target only gives the directory and suffix), or None to discard it."""
    target = pathlib.Path(target)
    final_mode = new_file_mode(target) if mode is None else mode
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=target.suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            if encoding is None:
                yield raw
            else:
                text = io.TextIOWrapper(raw, encoding=encoding, newline=newline)
                yield text
                text.flush()
                text.detach()
            raw.flush()
            os.fchmod(raw.fileno(), final_mode)
            if durable:
                os.fsync(raw.fileno())
            _check_still_ours(tmp, os.fstat(raw.fileno()))
            if name_after is not None:
                name = name_after(raw)
                if name is None:
                    unlink_quietly(tmp)
                    return
                target = target.parent / name
        os.replace(tmp, target)
    except BaseException:
        unlink_quietly(tmp)
        raise
    if durable:
        fsync_directory(target.parent)


__all__ = ["TEMP_PREFIX", "UnsafeFile", "atomic_write", "describe_mode", "fsync_directory",
           "new_file_mode", "open_regular", "read_regular", "unlink_quietly"]
