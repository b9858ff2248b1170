"""The SparkSession: what must be installed, and the settings passed through.

Settings, in order of precedence: --spark-master / --spark-conf k=v, GRAPHBUILD_SPARK_MASTER,
then a [tool.graphbuild.spark] table (pyproject.toml) or [spark] table (graphbuild.toml):

    [tool.graphbuild.spark]
    master = "spark://head:7077"
    checkpoint_interval = 10          # loop passes between checkpoints (0: never)
    checkpoint_dir = "hdfs:///tmp"    # where checkpoints go (a directory every executor sees)
    [tool.graphbuild.spark.conf]
    "spark.executor.memory" = "8g"

An active session (a notebook's, the tests' shared one) is used as it is, with only the SQL
settings the engine relies on set on it.  Under spark-submit the master and conf come from
spark-submit unless a flag, the environment or the table names a master.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any

from ..errors import ErrorKind, GraphbuildError
from ..settings import find_config

DEFAULT_MASTER = "local[*]"
# the engine's column rules assume these (columns.py): wrapping integers, IEEE via explicit rules
REQUIRED_SQL = {"spark.sql.ansi.enabled": "false"}
DEFAULTS = {
    "spark.ui.showConsoleProgress": "false",
    # adaptive execution re-plans after every shuffle: extra jobs in every loop pass, for
    # joins that are broadcast anyway
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.log.level": "ERROR",
}


@dataclass
class SparkSettings:
    master: str | None = None          # None: spark-submit's, else local[*]
    conf: dict[str, str] = field(default_factory=dict)
    checkpoint_interval: int = 10
    checkpoint_dir: str | None = None
    source: str = "defaults"


def _usage(message: str, hint: str | None = None) -> GraphbuildError:
    return GraphbuildError(message, kind=ErrorKind.USAGE, hint=hint)


def parse_conf(items: list[str] | None) -> dict[str, str]:
    """--spark-conf k=v items as a dict."""
    conf: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _usage(f"--spark-conf takes KEY=VALUE, got '{item}'")
        conf[key.strip()] = value.strip()
    return conf


def load_spark_settings(master: str | None = None, conf: dict[str, str] | None = None,
                        env: dict[str, str] | None = None, cwd: pathlib.Path | None = None) -> SparkSettings:
    env = dict(os.environ) if env is None else env
    settings = SparkSettings()
    found = find_config((cwd or pathlib.Path.cwd()).resolve())
    if found is not None:
        path, table = found
        spark = table.get("spark", {})
        if not isinstance(spark, dict):
            raise _usage(f"{path}: the spark settings must be a table")
        settings.source = str(path)
        if "master" in spark:
            settings.master = str(spark["master"])
        table_conf = spark.get("conf", {})
        if not isinstance(table_conf, dict):
            raise _usage(f"{path}: spark.conf must be a table of Spark settings")
        settings.conf.update({str(k): _conf_text(v) for k, v in table_conf.items()})
        if "checkpoint_interval" in spark:
            value = spark["checkpoint_interval"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _usage(f"{path}: spark.checkpoint_interval must be a whole number >= 0, got {value!r}")
            settings.checkpoint_interval = value
        if "checkpoint_dir" in spark:
            settings.checkpoint_dir = str(spark["checkpoint_dir"])
    if env.get("GRAPHBUILD_SPARK_MASTER"):
        settings.master = env["GRAPHBUILD_SPARK_MASTER"]
    if master:
        settings.master = master
    settings.conf.update(conf or {})
    return settings


def _conf_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def require_spark() -> None:
    """Raise the one message that says what to install when pyspark or Java is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise _usage("the Spark engine needs pyspark, which is not installed",
                     hint="install it with: pip install 'graphbuild[spark]' "
                          "(or pip install pyspark), and Java 17 or later") from None
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") \
        else shutil.which("java")
    if not java or not os.path.exists(java):
        raise _usage("the Spark engine needs Java, and no java was found (JAVA_HOME is not set "
                     "and java is not on PATH)",
                     hint="install a Java 17 or later runtime (e.g. apt-get install openjdk-17-jre-headless) "
                          "or set JAVA_HOME to one")
    try:
        subprocess.run([java, "-version"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        raise _usage(f"the Spark engine needs Java, and {java} does not run",
                     hint="install a Java 17 or later runtime or set JAVA_HOME to one") from None


def get_session(settings: SparkSettings):
    """The active SparkSession (spark-submit, a notebook, the tests' shared one) or a new
    one from settings; the engine's required SQL settings are set on it either way."""
    require_spark()
    from pyspark.sql import SparkSession

    spark = SparkSession.getActiveSession()
    if spark is None:
        builder = SparkSession.builder.appName("graphbuild")
        # spark-submit starts this Python with the gateway's port and its own master
        if settings.master or not os.environ.get("PYSPARK_GATEWAY_PORT"):
            builder = builder.master(settings.master or DEFAULT_MASTER)
        for key, value in {**DEFAULTS, **settings.conf}.items():
            builder = builder.config(key, value)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # noqa: BLE001 (the JVM could not start or reach the master)
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise GraphbuildError(f"cannot start Spark (master {settings.master or DEFAULT_MASTER}): {text}",
                                  kind=ErrorKind.RUNTIME) from None
    else:   # runtime SQL settings still apply to a session that exists
        for key, value in settings.conf.items():
            if key.startswith("spark.sql."):
                spark.conf.set(key, value)
    for key, value in REQUIRED_SQL.items():
        spark.conf.set(key, value)
    return spark
