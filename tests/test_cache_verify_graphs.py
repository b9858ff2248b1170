"""`graphbuild cache verify` checks graph entries too (docs/cache.md: every entry): a damaged
blob, a planted reference, an orphaned blob and a reference to a missing graph are reported
as the bad plans are (`bad  graphs/NAME  problem`, exit 65, `--fix` removes them, then 0),
and a good cache verifies clean."""
from __future__ import annotations

import os

import pytest
from test_cli import assert_clean_failure, gb

from graphbuild.cache.auth import NOT_VERIFIED
from graphbuild.cache.graphs import decode_ref, encode_ref

PAGERANK = "algorithms/pagerank.gdsl"


@pytest.fixture
def cache(tmp_path):
    """A cache holding pagerank's plan and kron:14's graph (a reference and its blob)."""
    cache = tmp_path / "cache"
    proc = gb("run", PAGERANK, "-g", "kron:14", cache=cache)
    assert proc.returncode == 0, proc.stderr
    return cache


def graph_files(cache) -> tuple[str, str]:
    (ref,) = (cache / "graphs").glob("*.gbref")
    (blob,) = (cache / "graphs").glob("*.gbgraph")
    return ref.name, blob.name


def verify(cache, *args: str):
    return gb("cache", "verify", *args, cache=cache)


def assert_bad(proc, *lines: tuple[str, str]) -> None:
    assert_clean_failure(proc, 65, f"{len(lines)} bad")
    for name, problem in lines:
        assert f"bad  graphs/{name}  " in proc.stdout and problem in proc.stdout, proc.stdout


def assert_fixed(cache) -> None:
    """--fix removes what is bad; the cache then verifies clean and a run rebuilds the graph."""
    fixed = verify(cache, "--fix")
    assert fixed.returncode == 0 and "(removed)" in fixed.stdout, fixed.stderr
    again = verify(cache)
    assert again.returncode == 0 and "0 bad" in again.stderr, again.stdout + again.stderr
    proc = gb("run", PAGERANK, "-g", "kron:14", "--json", cache=cache)
    assert proc.returncode == 0 and "discarding" not in proc.stderr, proc.stderr
    assert verify(cache).returncode == 0


def test_a_good_cache_verifies_clean(cache):
    proc = verify(cache)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "checked 3 entries" in proc.stderr and "0 bad" in proc.stderr and not proc.stdout


def test_a_damaged_blob_and_the_reference_to_it_are_bad(cache):
    ref, blob = graph_files(cache)
    path = cache / "graphs" / blob
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1   # one bit in the CSR: the header is fine, the MAC is not
    path.write_bytes(bytes(data))
    assert_bad(verify(cache), (blob, NOT_VERIFIED), (ref, "is bad"))
    assert path.exists()   # without --fix nothing is removed
    assert_fixed(cache)


def test_a_truncated_blob_is_refused_by_its_header(cache):
    ref, blob = graph_files(cache)
    path = cache / "graphs" / blob
    path.write_bytes(path.read_bytes()[:-100])
    proc = verify(cache)
    assert_bad(proc, (blob, ""), (ref, "is bad"))
    assert_fixed(cache)


def test_a_planted_reference_does_not_verify(cache):
    """A reference written with another key (the planter's), naming the user's own good blob."""
    ref, blob = graph_files(cache)
    original = (cache / "graphs" / ref).read_bytes()
    payload = decode_ref(original, None, ref[: -len(".gbref")])
    planted = "0" * 40
    (cache / "graphs" / f"{planted}.gbref").write_bytes(encode_ref(b"k" * 32, planted, payload))
    assert_bad(verify(cache), (f"{planted}.gbref", NOT_VERIFIED))
    # the user's own reference and blob stay good; --fix removes only the planted one
    fixed = verify(cache, "--fix")
    assert fixed.returncode == 0 and (cache / "graphs" / ref).exists() and (cache / "graphs" / blob).exists()
    assert verify(cache).returncode == 0


def test_a_planted_blob_under_another_content_id_does_not_verify(cache):
    _, blob = graph_files(cache)
    planted = "f" * 64 + ".gbgraph"
    (cache / "graphs" / planted).write_bytes((cache / "graphs" / blob).read_bytes())
    assert_bad(verify(cache), (planted, NOT_VERIFIED))
    assert_fixed(cache)


def test_an_orphaned_blob_and_a_reference_to_a_missing_graph(cache):
    ref, blob = graph_files(cache)
    os.rename(cache / "graphs" / ref, cache / "graphs" / "moved")
    assert_bad(verify(cache), (blob, "orphaned"))
    os.rename(cache / "graphs" / "moved", cache / "graphs" / ref)
    os.unlink(cache / "graphs" / blob)
    assert_bad(verify(cache), (ref, "is not in the cache"))
    assert_fixed(cache)


def test_a_graph_entry_that_is_not_a_regular_file(cache):
    ref, blob = graph_files(cache)
    os.unlink(cache / "graphs" / blob)
    os.mkfifo(cache / "graphs" / blob)   # never opened for reading in a way that blocks
    proc = verify(cache)
    assert_bad(proc, (blob, "it is"), (ref, "is bad"))
    assert_fixed(cache)
