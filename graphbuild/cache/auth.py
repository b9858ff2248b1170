"""Entry authentication: an HMAC-SHA256 keyed by a secret only the user (or a team) holds.

The key is 32 random bytes, kept as 64 hex digits in a key file (default
`<user config dir>/graphbuild/cache.key`, created 0600 on first use; GRAPHBUILD_CACHE_KEY_FILE
names another).  A private cache's key file must be this user's and readable by no one
else; a team cache's may belong to another member but must give "other" users no access.
A plan entry's trailer is HMAC(key, "graphbuild plan entry\\0" || everything before it);
a graph entry's MAC covers the whole file (with its MAC field as zeros) as a tree of
SHA-256 digests of 8 MiB segments, hashed on threads, so it costs about a second per GB on
one core.  Anyone without the key can write bytes into a cache directory but cannot make
them a hit.
"""
from __future__ import annotations

import concurrent.futures
import errno
import hashlib
import hmac
import os
import pathlib
import secrets
import stat
import tempfile

from ..safe_io import UnsafeFile, open_regular, unlink_quietly

KEY_BYTES = 32
SEGMENT = 8 << 20
PLAN_DOMAIN = b"graphbuild plan entry\0"
GRAPH_DOMAIN = b"graphbuild graph entry\0"
GRAPH_REF_DOMAIN = b"graphbuild graph ref\0"
CONTENT_DOMAIN = b"graphbuild graph content\0"
NOT_VERIFIED = "it does not verify (damaged, or not written with this cache's key)"


class KeyProblem(Exception):
    """Why the key file cannot be used (the caches then run without storing or reading)."""


def load_key(path: str | os.PathLike, shared: bool, create: bool = True) -> bytes:
    """The key in path, created if it is missing (and create); KeyProblem if it is unsafe or
    malformed, OSError if it cannot be read or made."""
    path = pathlib.Path(path)
    try:
        fd, info = open_regular(path, 4096, follow_symlinks=True)
    except FileNotFoundError:
        if not create:
            raise
        return _create_key(path, shared)
    except UnsafeFile as exc:
        raise KeyProblem(f"cache key file {path} is {exc.reason}") from None
    with os.fdopen(fd, "rb") as f:
        text = f.read(4097)
    mode = stat.S_IMODE(info.st_mode)
    if shared:
        if mode & 0o007:
            raise KeyProblem(f"cache key file {path} is readable or writable by every user "
                             f"(mode {mode:04o}); chmod o-rwx it")
    else:
        if info.st_uid != os.geteuid():
            raise KeyProblem(f"cache key file {path} belongs to user id {info.st_uid}, not to you "
                             "(a team cache needs GRAPHBUILD_CACHE_SHARED=1)")
        if mode & 0o077:
            raise KeyProblem(f"cache key file {path} can be read by others (mode {mode:04o}); "
                             "chmod 600 it")
    try:
        key = bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyProblem(f"cache key file {path} does not hold {2 * KEY_BYTES} hex digits")
    return key


def _create_key(path: pathlib.Path, shared: bool) -> bytes:
    """A new random key, published by link so two processes creating it at once agree."""
    key = secrets.token_bytes(KEY_BYTES)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o640 if shared else 0o600)
            f.write(key.hex().encode() + b"\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
            return load_key(path, shared, create=False)   # another process made it first
    finally:
        unlink_quietly(tmp)
    return key


def entry_mac(key: bytes, domain: bytes, data: bytes | memoryview) -> bytes:
    return hmac.new(key, domain + data, hashlib.sha256).digest()


def tree_mac(key: bytes, view: memoryview, hole: tuple[int, int], threads: int = 1) -> bytes:
    """The MAC of view with bytes [hole[0], hole[0] + hole[1]) taken as zeros (where the MAC
    itself is stored): SHA-256 of each SEGMENT-byte piece, on threads, then HMAC over the
    length and the digests in order."""
    return tree_mac_and_id(key, view, hole, threads)[0]


def tree_mac_and_id(key: bytes, view: memoryview, hole: tuple[int, int],
                    threads: int = 1) -> tuple[bytes, str]:
    """tree_mac, and the content id from the same digests: SHA-256 (no key) of the length and
    the digests, in hex.  Equal bytes (the MAC field aside) give equal ids under any key, so
    the graph cache stores them once; the MAC still authenticates them."""
    summary = _tree_summary(view, hole, threads)
    return (entry_mac(key, GRAPH_DOMAIN, summary),
            hashlib.sha256(CONTENT_DOMAIN + summary).hexdigest())


def _tree_summary(view: memoryview, hole: tuple[int, int], threads: int) -> bytes:
    at, size = hole
    if len(view) < at + size:
        raise ValueError("shorter than its header")
    first = bytes(view[:at]) + bytes(size) + bytes(view[at + size:SEGMENT])
    pieces = [view[i:i + SEGMENT] for i in range(SEGMENT, len(view), SEGMENT)]
    try:
        if threads > 1 and pieces:
            pool = concurrent.futures.ThreadPoolExecutor(min(threads, len(pieces) + 1))
            try:
                digests = list(pool.map(_sha256, [first, *pieces]))   # hashlib lets go of the GIL
            finally:   # Ctrl-C: the pieces in hand finish, the others never start
                pool.shutdown(wait=True, cancel_futures=True)
        else:
            digests = [_sha256(p) for p in [first, *pieces]]
    finally:
        for piece in pieces:   # no view outlives the call (the caller may unmap the bytes)
            piece.release()
    return len(view).to_bytes(8, "little") + b"".join(digests)


def _sha256(data: bytes | memoryview) -> bytes:
    return hashlib.sha256(data).digest()


def same_mac(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
