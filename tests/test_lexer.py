"""The lexer: numbers, names and keywords, operators, layout (INDENT/DEDENT), comments, tabs."""
from __future__ import annotations

import pytest

from graphbuild.errors import GraphbuildError
from graphbuild.lang.lexer import tokenize


def kinds(source: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(source, "t.gdsl")]


def first(source: str):
    return tokenize(source, "t.gdsl")[0]


def lex_error(source: str) -> GraphbuildError:
    with pytest.raises(GraphbuildError) as info:
        tokenize(source, "t.gdsl")
    return info.value


@pytest.mark.parametrize("text, kind, value", [
    ("42", "int", 42),
    ("0", "int", 0),
    ("9223372036854775807", "int", 2**63 - 1),
    ("0.85", "float", 0.85),
    ("1e-6", "float", 1e-6),
    ("1E6", "float", 1e6),
    ("2e+3", "float", 2000.0),
    (".5", "float", 0.5),
    ("1.", "float", 1.0),
    ("1.e2", "float", 100.0),
    ("007", "int", 7),
])
def test_numbers(text, kind, value):
    tok = first(text)
    assert (tok.kind, tok.text, tok.value) == (kind, text, value)
    assert type(tok.value) is (int if kind == "int" else float)


@pytest.mark.parametrize("text, message, col", [
    ("9223372036854775808", "integer literal too large", 1),
    ("x = 1e", "malformed number '1e'", 5),
    ("x = 12abc", "malformed number '12abc'", 5),
    ("x = 1.2.3", "malformed number '1.2.3'", 5),
    ("x = 1e999", "float literal too large", 5),
])
def test_bad_numbers(text, message, col):
    err = lex_error(text)
    assert message in err.message
    assert (err.location.line, err.location.col) == (1, col)


def test_names_keywords_and_literals():
    assert kinds("algorithm in_nbrs and_x true inf nan _a1") == [
        ("keyword", "algorithm"), ("name", "in_nbrs"), ("name", "and_x"), ("keyword", "true"),
        ("keyword", "inf"), ("keyword", "nan"), ("name", "_a1"), ("newline", ""), ("eof", "")]


def test_operators_take_the_longest_match():
    ops = [t.text for t in tokenize("a ** b // c <= d >= e == f != g < h > i % j", "t")
           if t.kind == "op"]
    assert ops == ["**", "//", "<=", ">=", "==", "!=", "<", ">", "%"]


def test_columns_are_one_based_and_count_characters():
    toks = tokenize("x = rank[u]  # é comment", "t")
    assert [(t.text, t.line, t.col) for t in toks[:6]] == [
        ("x", 1, 1), ("=", 1, 3), ("rank", 1, 5), ("[", 1, 9), ("u", 1, 10), ("]", 1, 11)]
    newline = toks[6]
    assert (newline.kind, newline.col) == ("newline", 12)  # just past the last token


def test_indentation_produces_indent_and_dedent():
    source = "a\n    b\n        c\n    d\ne\n"
    assert [k for k, _ in kinds(source) if k in ("indent", "dedent", "name")] == [
        "name", "indent", "name", "indent", "name", "dedent", "name", "dedent", "name"]


def test_several_dedents_at_once_and_at_end_of_file():
    source = "a\n  b\n    c\nd\n  e"
    seq = [k for k, _ in kinds(source)]
    assert seq == ["name", "newline", "indent", "name", "newline", "indent", "name", "newline",
                   "dedent", "dedent", "name", "newline", "indent", "name", "newline", "dedent", "eof"]


def test_blank_lines_and_comments_do_not_affect_layout():
    source = "a\n\n   \n# comment at column 1\n    b  # trailing\n        # deeper comment\n    c\n"
    seq = [(k, t) for k, t in kinds(source)]
    assert seq == [("name", "a"), ("newline", ""), ("indent", ""), ("name", "b"), ("newline", ""),
                   ("name", "c"), ("newline", ""), ("dedent", ""), ("eof", "")]


def test_brackets_continue_lines_and_ignore_indentation():
    source = "x = f(1,\n  2,\n\t\t3) + [4\n]\ny"
    seq = [k for k, _ in kinds(source)]
    assert seq.count("newline") == 2
    assert "indent" not in seq
    assert [t for k, t in kinds(source) if k == "int"] == ["1", "2", "3", "4"]


def test_crlf_line_endings():
    assert kinds("a\r\n    b\r\n") == [("name", "a"), ("newline", ""), ("indent", ""), ("name", "b"),
                                      ("newline", ""), ("dedent", ""), ("eof", "")]


def test_tab_in_indentation_is_an_error_at_its_column():
    err = lex_error("a\n  \tb\n")
    assert err.message == "tab in indentation"
    assert (err.location.line, err.location.col) == (2, 3)
    assert err.location.source_line == "  \tb"


def test_tab_between_tokens_is_whitespace():
    assert kinds("a\t=\t1") == [("name", "a"), ("op", "="), ("int", "1"), ("newline", ""), ("eof", "")]


def test_tab_on_a_comment_line_is_ignored():
    assert kinds("a\n\t# note\nb") == [("name", "a"), ("newline", ""), ("name", "b"), ("newline", ""),
                                       ("eof", "")]


def test_inconsistent_dedent():
    err = lex_error("a\n    b\n  c\n")
    assert "inconsistent dedent" in err.message
    assert (err.location.line, err.location.col) == (3, 3)
    assert err.hint == "the enclosing blocks are indented by 0, 4 spaces"


@pytest.mark.parametrize("source, message, line, col", [
    ("x = (1 +\n 2", "'(' was never closed", 1, 5),
    ("x = [1)", "closing ')' does not match '[' on line 1", 1, 7),
    ("x = 1]", "unmatched ']'", 1, 6),
    ("x = a ! b", "unexpected '!'", 1, 7),
    ("x = a || b", "unexpected '||'", 1, 7),
    ("x = @", "unexpected character '@'", 1, 5),
    ("x = 'a'", "unexpected character \"'\"", 1, 5),
])
def test_character_errors(source, message, line, col):
    err = lex_error(source)
    assert err.message == message
    assert (err.location.line, err.location.col) == (line, col)


def test_not_equal_is_not_mistaken_for_not():
    assert [t.text for t in tokenize("a != b", "t")][:3] == ["a", "!=", "b"]


def test_empty_source():
    assert kinds("") == [("eof", "")]
    assert kinds("# only a comment\n\n") == [("eof", "")]
