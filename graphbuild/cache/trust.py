"""Whose cache directory this is: created private, refused when someone else could write it.

A cache directory (the plan cache and its `graphs` subdirectory) is created 0700, and one
that already exists is used only if it is owned by this user and writable by no one else,
as ssh, pip and ccache treat their directories; otherwise the cache is turned off for the
command with one warning.  A team cache is turned on explicitly (GRAPHBUILD_CACHE_SHARED):
its directories are created group-writable and setgid (02770), may be owned by another
member of the group, and must still not be writable by everyone.  Group write is allowed
in a private cache only when the group is the user's own private group (no other member).
"""
from __future__ import annotations

import dataclasses
import grp
import os
import pathlib
import pwd
import stat

from .auth import KeyProblem, load_key


@dataclasses.dataclass
class CachePolicy:
    """How a cache directory may be shared, and the key its entries are authenticated with
    (docs/cache.md, "Trust").  key_file None: the default (settings.cache_trust)."""

    shared: bool = False
    key_file: pathlib.Path | None = None
    _key: bytes | None = dataclasses.field(default=None, init=False, repr=False, compare=False)
    _key_problem: str | None = dataclasses.field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_environment(cls) -> "CachePolicy":
        from ..settings import cache_trust

        shared, key_file = cache_trust()
        return cls(shared=shared, key_file=key_file)

    @classmethod
    def from_settings(cls, settings) -> "CachePolicy":
        """The policy of a graphbuild.settings.Settings."""
        return cls(shared=settings.cache_shared, key_file=settings.cache_key_file)

    def key(self) -> bytes | None:
        """The authentication key (made on first use), or None: key_problem says why."""
        if self._key is None and self._key_problem is None:
            from ..settings import cache_trust

            path = self.key_file or cache_trust()[1]
            try:
                self._key = load_key(path, self.shared)
            except KeyProblem as exc:
                self._key_problem = f"{exc}; running without the caches"
            except OSError as exc:
                self._key_problem = (f"cannot read or create the cache key file {path} "
                                     f"({exc.strerror or exc}); running without the caches")
        return self._key

    @property
    def key_problem(self) -> str | None:
        return self._key_problem

    @property
    def dir_mode(self) -> int:
        return 0o2770 if self.shared else 0o700

    @property
    def file_mode(self) -> int:
        """Entries: only their writer changes them; the group reads a team cache's."""
        return 0o640 if self.shared else 0o600


def directory_problem(path: str | os.PathLike, policy: CachePolicy,
                      follow_link: bool = True) -> str | None:
    """Why an existing directory cannot hold this user's cache, or None if it can.
    follow_link False: a symbolic link is refused whoever owns it (a subdirectory graphbuild
    makes itself, such as graphs/, is never a link unless someone put one there)."""
    path = pathlib.Path(path)
    info = os.lstat(path)
    uid = os.geteuid()
    if stat.S_ISLNK(info.st_mode):
        if not follow_link:
            return "is a symbolic link"
        if info.st_uid not in (uid, 0):
            return f"is a symbolic link owned by {_user(info.st_uid)}"
        info = os.stat(path)
    if not stat.S_ISDIR(info.st_mode):
        return "is not a directory"
    mode = stat.S_IMODE(info.st_mode)
    if mode & stat.S_IWOTH:
        return f"is writable by every user (mode {mode:04o})"
    if policy.shared:
        return None
    if info.st_uid != uid:
        return f"is owned by {_user(info.st_uid)}"
    if mode & stat.S_IWGRP and not _private_group(info.st_gid, uid):
        return f"is writable by group {_group(info.st_gid)} (mode {mode:04o})"
    return None


SHARING_HINT = "a team cache needs GRAPHBUILD_CACHE_SHARED=1, see docs/cache.md"


def refusal(what: str, path: str | os.PathLike, problem: str) -> str:
    """The one warning for a refused directory."""
    return f"{what} directory {path} {problem}: not using it, running without the cache ({SHARING_HINT})"


def prepare_directory(path: str | os.PathLike, policy: CachePolicy,
                      follow_link: bool = True) -> str | None:
    """Create path (and missing parents) with the policy's mode, or check the one there;
    returns why it cannot be used, or None.  OSError if it cannot be created."""
    path = pathlib.Path(path)
    missing = []
    for directory in (path, *path.parents):
        if os.path.lexists(directory):
            break
        missing.append(directory)
    for directory in reversed(missing):
        try:
            os.mkdir(directory, policy.dir_mode)
        except FileExistsError:
            continue   # another process made it meanwhile: checked below like any other
        os.chmod(directory, policy.dir_mode)   # the umask may have taken the group's bits
    return directory_problem(path, policy, follow_link)


def _private_group(gid: int, uid: int) -> bool:
    """The group is this user's own: their primary group, with no other member."""
    try:
        user = pwd.getpwuid(uid)
        group = grp.getgrgid(gid)
    except KeyError:
        return False
    return user.pw_gid == gid and all(member == user.pw_name for member in group.gr_mem)


def _user(uid: int) -> str:
    try:
        return f"user {pwd.getpwuid(uid).pw_name}"
    except KeyError:
        return f"user id {uid}"


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
