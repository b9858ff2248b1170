"""Settings precedence: flags over GRAPHBUILD_* variables over the nearest config file."""
from __future__ import annotations

import pathlib

import pytest

from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.settings import load_settings


def test_defaults_without_any_config(tmp_path):
    s = load_settings({}, env={}, cwd=tmp_path)
    assert s.threads >= 1 and s.max_iterations == 1_000_000
    assert s.cache_dir.name == "plans"


def test_pyproject_table_then_env_then_flags(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.graphbuild]\nthreads = 3\ncache_dir = "from-file"\n')
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    s = load_settings({}, env={}, cwd=sub)
    expected = (3, pathlib.Path("from-file"), str(tmp_path / "pyproject.toml"))
    assert (s.threads, s.cache_dir, s.source) == expected
    s = load_settings({}, env={"GRAPHBUILD_THREADS": "5"}, cwd=sub)
    assert s.threads == 5
    s = load_settings({"threads": 7}, env={"GRAPHBUILD_THREADS": "5"}, cwd=sub)
    assert s.threads == 7


def test_graphbuild_toml_is_read_and_pyproject_without_table_is_skipped(tmp_path):
    (tmp_path / "graphbuild.toml").write_text("max_iterations = 50\n")
    sub = tmp_path / "proj"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_settings({}, env={}, cwd=sub).max_iterations == 50


@pytest.mark.parametrize("content, words", [
    ("threads = 'many'\n", "'threads' must be an integer"),
    ("threads = 0\n", "at least 1"),
    ("threads = [\n", "cannot read settings"),
])
def test_bad_config_is_a_usage_error_naming_the_file(tmp_path, content, words):
    (tmp_path / "graphbuild.toml").write_text(content)
    with pytest.raises(GraphbuildError) as info:
        load_settings({}, env={}, cwd=tmp_path)
    assert words in info.value.message and info.value.kind is ErrorKind.USAGE


def test_bad_environment_value_names_the_variable(tmp_path):
    with pytest.raises(GraphbuildError, match="GRAPHBUILD_MAX_ITERATIONS"):
        load_settings({}, env={"GRAPHBUILD_MAX_ITERATIONS": "lots"}, cwd=tmp_path)
