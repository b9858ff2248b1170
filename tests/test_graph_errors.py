"""Every malformed graph file gets one clear message naming the file, line and column, and
the right exit code (65 malformed, 66 missing, 74 unreadable): run through the real
`graphbuild graph info` command, in process."""
from __future__ import annotations

import gzip
import os

import pytest
from typer.testing import CliRunner

from graphbuild.cli import app

MTX = "%%MatrixMarket matrix coordinate"
BIG = "9" * 25


def gz(text: str) -> bytes:
    return gzip.compress(text.encode())


def cut_gzip() -> bytes:
    data = gz("".join(f"{i} {i * 7 % 1000}\n" for i in range(20000)))
    return data[: len(data) // 2]


def flipped_gzip() -> bytes:
    data = bytearray(gz("".join(f"{i} {i * 7 % 1000}\n" for i in range(20000))))
    data[len(data) // 2] ^= 0x55
    return bytes(data)


# file name, content, extra flags, line, col (None: no position), message, exit code
CASES = [
    # -- edge lists: columns --
    ("cols4.el", "1 2\n3 4 5 6\n", [], 2, 7, "expected 2 or 3 columns, found 4", 65),
    ("cols1.el", "1 2\n3\n", [], 2, 2, "expected 2 or 3 columns, found 1", 65),
    ("cols5.txt", "a b c d e\n", [], 1, 7, "expected 2 or 3 columns, found 5", 65),
    ("more.el", "1 2\n1 2 3\n", [], 2, 5, "line has 3 columns but earlier lines have 2 (line 1)", 65),
    ("fewer.csv", "# w\n1,2,3\n4,5\n", [], 3, 4, "line has 2 columns but earlier lines have 3 (line 2)", 65),
    ("wel2.wel", "1 2\n", [], 1, 4, "a .wel file has 3 columns (source target weight), found 2", 65),
    ("wel_short.wel.gz", gz("1 2 3\n4 5\n"), [], 2, 4, "line has 2 columns but earlier lines have 3", 65),
    # -- edge lists: separators and bytes --
    ("empty_col.csv", "1,,2\n", [], 1, 3, "empty target column", 65),
    ("lead_comma.csv", ",1,2\n", [], 1, 1, "empty source column", 65),
    ("trail_comma.csv", "1,2,\n", [], 1, 5, "empty weight column", 65),
    ("open_quote.csv", '1,2\n"a,b\n', [], 2, 1, "quoted field is not closed", 65),
    ("after_quote.csv", '"a"b,c\n', [], 1, 4, "text after the closing quote", 65),
    ("no_column.csv", "src,dst\n1,2\n", ["--columns", "src,weight"], 1, 1,
     "no column named 'weight' (the target column)", 65),
    ("short_line.csv", "i,src,dst\n0,1,2\n1,3\n", ["--columns", "2,3"], 3, 1,
     "line has 2 columns but the target column is column 3", 65),
    ("nul.el", "1 2\n3\x004\n", [], 2, 2, "NUL byte in a text file", 65),
    ("png.el", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", [], 1, 5, "expected 2 or 3 columns, found 1", 65),
    ("elf.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00", [], 1, 8, "NUL byte in a text file", 65),
    # -- edge lists: weights --
    ("bad_w.el", "1 2 abc\n", [], 1, 5, "invalid weight 'abc'", 65),
    ("partial_w.el", "1 2 1.5\n1 2 1.5x\n", [], 2, 5, "invalid weight '1.5x'", 65),
    ("dashes.el", "1 2 --1\n", [], 1, 5, "invalid weight '--1'", 65),
    ("nan.el", "1 2 nan\n", [], 1, 5, "weight 'nan' is NaN", 65),
    ("NaN.wel", "1 2 1\n3 4 NaN\n", [], 2, 5, "weight 'NaN' is NaN", 65),
    # strtod reads C's hexadecimal floats: a weight is decimal
    ("hex.wel", "1 2 1\n3 4 0x10\n", [], 2, 5, "invalid weight '0x10' (weights are decimal", 65),
    ("hexp.el", "1 2 0x1p4\n", [], 1, 5, "invalid weight '0x1p4'", 65),
    ("real_hex.mtx", f"{MTX} real general\n3 3 1\n1 2 0X1A\n", [], 3, 5, "invalid weight '0X1A'", 65),
    ("long_w.el", f"1 2 {'7' * 200}x\n", [], 1, 5, "invalid weight '" + "7" * 60 + "'...", 65),
    ("first_wins.el", "1 2 x\n1 2 3 4\n", [], 1, 5, "invalid weight 'x'", 65),
    ("crlf_w.el", "1 2 1\r\n2 3 oops\r\n", [], 2, 5, "invalid weight 'oops'", 65),
    ("gz_w.el.gz", gz("1 2\r\n3 4 x\r\n"), [], 2, 5, "line has 3 columns but earlier lines have 2", 65),
    # -- edge lists: no edges --
    ("empty.el", "", [], 1, 1, "no edges in file", 65),
    ("comments.el", "# only comments\n\n% and this\n", [], 3, 1, "no edges in file", 65),
    ("blank.el.gz", gz("\n\n\n"), [], 3, 1, "no edges in file", 65),
    ("header_only.csv", "source,target,weight\n", [], 1, 1,
     "no edges in file (line 1 looks like a header)", 65),
    ("header_dense.el", "from to\n", ["--ids", "dense"], 1, 1,
     "no edges in file (line 1 looks like a header)", 65),
    # -- ids --
    ("dense_word.el", "1 2\n3 x\n", ["--ids", "dense"], 2, 3,
     "node id 'x' is not a non-negative integer (--ids dense)", 65),
    ("dense_neg.el", "1 -2\n", ["--ids", "dense"], 1, 3, "node id '-2' is not a non-negative integer", 65),
    ("dense_big.el", "1 99999999999\n", ["--ids", "dense"], 1, 3,
     "node id 99999999999 is too large for --ids dense (at most 2147483646)", 65),
    ("dense_64.el", f"{BIG} 1\n", ["--ids", "dense"], 1, 1,
     f"node id '{BIG}' is too large for --ids dense (at most 2147483646)", 65),
    # 2^63 fits in 64 bits unsigned: the message names the limit that applies
    ("dense_2_63.el", f"1 {2**63}\n", ["--ids", "dense"], 1, 3,
     f"node id '{2**63}' is too large for --ids dense (at most 2147483646)", 65),
    # -- Matrix Market: banner --
    ("nobanner.mtx", "3 3 1\n1 2\n", [], 1, 1, "a Matrix Market file must start with '%%MatrixMarket", 65),
    ("empty.mtx", "", [], 1, 1, "a Matrix Market file must start with", 65),
    ("short.mtx", f"{MTX}\n3 3 0\n", [], 1, 33, "the Matrix Market banner lacks FIELD", 65),
    ("vector.mtx", "%%MatrixMarket vector coordinate real general\n", [], 1, 16,
     "Matrix Market object 'vector' is not supported", 65),
    ("array.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n", [], 1, 23,
     "Matrix Market format 'array' is not supported (only 'coordinate')", 65),
    ("complex.mtx", f"{MTX} complex general\n1 1 1\n1 1 1 0\n", [], 1, 34,
     "Matrix Market field 'complex' is not supported (pattern, real, integer)", 65),
    ("hermitian.mtx", f"{MTX} real hermitian\n1 1 0\n", [], 1, 39,
     "Matrix Market symmetry 'hermitian' is not supported (general, symmetric)", 65),
    ("extra.mtx", f"{MTX} real general extra\n", [], 1, 47, "unexpected 'extra'", 65),
    # -- Matrix Market: size line --
    ("nonsquare.mtx", f"{MTX} pattern general\n3 4 1\n1 2\n", [], 2, 3,
     "the matrix is 3 x 4; a graph needs a square matrix", 65),
    ("size2.mtx", f"{MTX} pattern general\n3 3\n", [], 2, 4,
     "expected the size line 'ROWS COLUMNS ENTRIES', found 2 values", 65),
    ("size_word.mtx", f"{MTX} pattern general\n3 x 1\n", [], 2, 3, "invalid column count 'x'", 65),
    ("size_zero.mtx", f"{MTX} pattern general\n0 0 0\n", [], 2, 1, "the matrix has no rows", 65),
    ("size_huge.mtx", f"{MTX} pattern general\n3000000000 3000000000 1\n1 1\n", [], 2, 1,
     "the matrix has 3000000000 rows, more than the limit of 2147483647 nodes", 65),
    ("size_64.mtx", f"{MTX} pattern general\n{BIG} 3 1\n", [], 2, 1,
     "row count '" + BIG + "' is too large (at most 2147483647)", 65),
    ("no_size.mtx", f"{MTX} pattern general\n% nothing else\n", [], 2, 1,
     "the file ends before the size line", 65),
    # -- Matrix Market: entries --
    ("too_many.mtx", f"{MTX} pattern general\n3 3 1\n1 2\n2 3\n", [], 4, 1,
     "more entries than the 1 declared on line 2", 65),
    ("too_few.mtx", f"{MTX} pattern general\n3 3 3\n1 2\n", [], 2, 5,
     "the file has 1 entry, not the 3 declared here", 65),
    ("too_few.mtx.gz", gz(f"{MTX} real symmetric\n%\n3 3 10\n1 2 1\n2 3 1\n"), [], 3, 5,
     "the file has 2 entries, not the 10 declared here", 65),
    ("row_range.mtx", f"{MTX} pattern general\n3 3 1\n4 1\n", [], 3, 1, "row index 4 is outside 1..3", 65),
    ("col_zero.mtx", f"{MTX} pattern general\n3 3 1\n1 0\n", [], 3, 3, "column index 0 is outside 1..3", 65),
    ("row_64.mtx", f"{MTX} pattern general\n3 3 1\n{BIG} 1\n", [], 3, 1,
     "row index '" + BIG + "' is outside 1..3", 65),
    ("row_word.mtx", f"{MTX} pattern general\n3 3 1\nx 1\n", [], 3, 1, "invalid row index 'x'", 65),
    ("pattern3.mtx", f"{MTX} pattern general\n3 3 1\n1 2 5\n", [], 3, 5,
     "expected 2 columns (row column), found 3", 65),
    ("real2.mtx", f"{MTX} real general\n3 3 1\n1 2\n", [], 3, 4,
     "expected 3 columns (row column value), found 2", 65),
    ("int_float.mtx", f"{MTX} integer general\n3 3 1\n1 2 1.5\n", [], 3, 5,
     "invalid integer value '1.5'", 65),
    ("real_nan.mtx", f"{MTX} real general\n3 3 1\n1 2 nan\n", [], 3, 5, "weight 'nan' is NaN", 65),
    ("comma.mtx", f"{MTX} pattern general\n3 3 1\n1,2\n", [], 3, 2,
     "a Matrix Market file separates values by blanks, not ','", 65),
    # -- unreadable and missing --
    ("cut.el.gz", cut_gzip(), [], None, None, "the gzip data is truncated", 74),
    ("cut.mtx.gz", gz(f"{MTX} pattern general\n3 3 1\n1 2\n")[:-12], [], None, None, "truncated", 74),
    ("flipped.gz", flipped_gzip(), [], None, None, "corrupt gzip data", 74),
]


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def graph_info(runner, path: str, *flags: str):
    return runner.invoke(app, ["graph", "info", path, "--no-cache", *flags])


def test_table_is_big_enough():
    assert len(CASES) >= 40
    assert {c[0].split(".", 1)[1] for c in CASES} >= {"el", "csv", "txt", "wel", "mtx", "el.gz", "mtx.gz"}


@pytest.mark.parametrize("name,content,flags,line,col,message,code", CASES, ids=[c[0] for c in CASES])
def test_malformed_file(tmp_path, runner, name, content, flags, line, col, message, code):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    result = graph_info(runner, str(path), *flags)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [ln for ln in result.stderr.splitlines() if "error:" in ln]
    assert len(errors) == 1, result.stderr
    where = f"{path}:{line}:{col}: error: " if line is not None else "error: "
    assert errors[0].startswith(where), result.stderr
    assert message in errors[0], result.stderr
    if line is None:
        assert str(path) in errors[0]
    elif content:   # the offending line is shown under the message, with a caret at the column
        shown = result.stderr.splitlines()
        caret = shown[shown.index(errors[0]) + 2]
        assert caret.index("^") == 4 + col - 1


def test_missing_file(tmp_path, runner):
    result = graph_info(runner, str(tmp_path / "nope.el"))
    assert result.exit_code == 66
    assert f"error: graph file '{tmp_path / 'nope.el'}' does not exist" in result.stderr


def test_unreadable_paths(tmp_path, runner):
    result = graph_info(runner, str(tmp_path))
    assert result.exit_code == 74 and "Is a directory" in result.stderr
    if os.geteuid() != 0:   # root reads files whatever their mode
        locked = tmp_path / "locked.el"
        locked.write_text("1 2\n")
        locked.chmod(0)
        result = graph_info(runner, str(locked))
        assert result.exit_code == 74 and "Permission denied" in result.stderr


def test_usage_errors(runner):
    for spec, text in (("kron:x", "invalid graph generator 'kron:x'"), ("uniform:40", "SCALE must be 1..30")):
        result = graph_info(runner, spec)
        assert result.exit_code == 2 and text in result.stderr
    result = runner.invoke(app, ["graph", "info", "kron:4", "--ids", "sparse"])
    assert result.exit_code == 2
