"""safe_io: atomic writes that never write by name, and reads that accept only regular files."""
from __future__ import annotations

import os
import stat
import threading

import pytest

from graphbuild.safe_io import UnsafeFile, atomic_write, open_regular, read_regular


def temps(directory) -> list[str]:
    return [name for name in os.listdir(directory) if name.startswith(".tmp-")]


# ---- atomic_write --------------------------------------------------------------------------

def test_atomic_write_replaces_the_target_whole(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    with atomic_write(target) as f:
        f.write(b"new\n")
        assert target.read_text() == "old\n"          # nothing visible until the rename
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640   # an existing file keeps its mode
    assert temps(tmp_path) == []


def test_a_new_file_gets_the_umask_mode_or_the_one_asked_for(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "a.txt", encoding="utf-8") as f:
            f.write("é\n")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").read_bytes() == "é\n".encode()
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640
    with atomic_write(tmp_path / "b.bin", mode=0o600, durable=False) as f:
        f.write(b"x")
    assert stat.S_IMODE((tmp_path / "b.bin").stat().st_mode) == 0o600


@pytest.mark.parametrize("failure", [ValueError("boom"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path, failure):
    target = tmp_path / "prev.csv"
    target.write_text("node,rank\n1,0.5\n")
    with pytest.raises(type(failure)):
        with atomic_write(target, encoding="utf-8") as f:
            f.write("node,rank\n")
            raise failure
    assert target.read_text() == "node,rank\n1,0.5\n"
    assert temps(tmp_path) == []


def test_writes_go_to_the_created_file_even_when_its_name_is_swapped_for_a_link(tmp_path):
    """Someone who can write the directory replaces the temporary name with a symbolic link to
    the victim's file: the victim is untouched, and the swap is noticed before the rename."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    target = tmp_path / "entry.bin"
    with pytest.raises(OSError, match="replaced"):
        with atomic_write(target) as f:
            (name,) = temps(tmp_path)
            os.unlink(tmp_path / name)
            os.symlink(victim, tmp_path / name)
            f.write(b"GBGRAPH" * 1000)
    assert victim.read_text() == "precious\n"
    assert not target.exists()
    assert temps(tmp_path) == []


# ---- read_regular --------------------------------------------------------------------------

def test_read_regular_reads_a_regular_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    assert read_regular(path, limit=5) == b"12345"
    with pytest.raises(UnsafeFile, match="more than the 4"):
        read_regular(path, limit=4)


def test_links_fifos_devices_and_directories_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    zero = tmp_path / "zero"
    os.symlink("/dev/zero", zero)
    (tmp_path / "dir").mkdir()
    outcome: dict[str, str] = {}

    def attempt() -> None:
        cases = (("fifo", {}), ("zero", {}), ("dir", {}), ("zero_followed", {"follow_symlinks": True}))
        for name, kwargs in cases:
            path = tmp_path / name.replace("_followed", "")
            try:
                read_regular(path, limit=1 << 20, **kwargs)
                outcome[name] = "read"
            except UnsafeFile as exc:
                outcome[name] = exc.reason

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "a read blocked"
    assert outcome == {"fifo": "a FIFO, not a regular file", "zero": "a symbolic link",
                       "dir": "a directory, not a regular file",
                       "zero_followed": "a device, not a regular file"}


def test_open_regular_hands_out_the_descriptor_it_checked(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    fd, info = open_regular(path)
    try:
        assert info.st_size == 3 and os.read(fd, 10) == b"abc"
    finally:
        os.close(fd)
