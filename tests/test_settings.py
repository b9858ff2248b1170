"""Settings precedence: flags over GRAPHBUILD_* variables over the nearest config file."""
from __future__ import annotations

import pathlib

import pytest

from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.settings import default_threads, load_settings


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


def test_a_misspelled_key_is_a_warning_with_a_did_you_mean(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.graphbuild]\ntreads = 3\nmax_iterations = 7\n'
                                             'colour = 1\n')
    s = load_settings({}, env={}, cwd=tmp_path)
    assert s.max_iterations == 7 and s.threads == default_threads()   # the typo set nothing
    assert len(s.warnings) == 2
    assert ("unknown setting 'treads' in [tool.graphbuild] is ignored; did you mean 'threads'?"
            in s.warnings[0])
    assert "unknown setting 'colour'" in s.warnings[1] and "known: cache_dir" in s.warnings[1]
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "graphbuild.toml").write_text("threads = 2\n[spark]\nmaster = 'local[2]'\n")
    assert load_settings({}, env={}, cwd=clean).warnings == []


def test_the_cli_shows_the_settings_warning(tmp_path):
    import os
    import subprocess
    import sys

    import graphbuild

    (tmp_path / "pyproject.toml").write_text('[tool.graphbuild]\nmax_iteration = 5\n')
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(tmp_path / "cache"), "PYTHONSAFEPATH": "1",
           "PYTHONPATH": str(pathlib.Path(graphbuild.__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-m", "graphbuild", "run", "degree_centrality"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "warning:" in proc.stderr and "did you mean 'max_iterations'?" in proc.stderr
