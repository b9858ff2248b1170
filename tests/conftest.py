"""Test-wide set-up.

graphbuild's user configuration (the cache key) lives in a temporary directory for the whole
session, inherited by every command the tests run, so no test reads or writes the real
~/.config.  `spark`: ONE local SparkSession for the whole test run (starting the JVM takes
seconds), small and quiet: local[2], two shuffle partitions, no UI.  Under pytest-xdist (`make
test-py` runs workers) every test that needs the session runs on one worker: one JVM."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

_CONFIG = tempfile.mkdtemp(prefix="graphbuild-test-config-")
os.environ["GRAPHBUILD_CONFIG_DIR"] = _CONFIG
os.environ.pop("GRAPHBUILD_CACHE_KEY_FILE", None)
os.environ.pop("GRAPHBUILD_CACHE_SHARED", None)
atexit.register(shutil.rmtree, _CONFIG, True)

SPARK_TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
    "spark.driver.memory": "2g",
}


@pytest.fixture(scope="session")
def spark():
    from graphbuild.spark import SparkSettings, get_session

    session = get_session(SparkSettings(master="local[2]", conf=dict(SPARK_TEST_CONF)))
    yield session
    session.stop()


@pytest.hookimpl(tryfirst=True)   # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("spark"))
