"""Shared fixtures.  `spark`: ONE local SparkSession for the whole test run (starting the JVM
takes seconds), small and quiet: local[2], two shuffle partitions, no UI."""
from __future__ import annotations

import pytest

SPARK_TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
}


@pytest.fixture(scope="session")
def spark():
    from graphbuild.spark import SparkSettings, get_session

    session = get_session(SparkSettings(master="local[2]", conf=dict(SPARK_TEST_CONF)))
    yield session
    session.stop()
