"""Reliable checkpoints of one run, and their removal.

Spark checkpoints into its context's one directory (sc.setCheckpointDir, or the
spark.checkpoint.dir setting); runs may share a context (a notebook, the tests' session),
so a run finds its own files by listing that directory around each checkpoint (under a
lock, so concurrent runs in one process never take each other's), deletes a checkpoint
once a newer one holds the state, and deletes the rest when it ends.  Paths go through
Hadoop's FileSystem, so this works on HDFS and S3 as on a local disk.
"""
from __future__ import annotations

import contextlib
import tempfile
import threading
import uuid

from pyspark.sql import DataFrame, SparkSession

_LOCK = threading.Lock()
# The context directories this process created, and how many live runs use each: runs share a
# context (a notebook, the tests' session), so the directory goes only when the last one ends.
_USERS: dict[str, list] = {}   # the context's directory -> [live runs, the directory we made]


class Checkpoints:
    def __init__(self, spark: SparkSession, base: str | None):
        self.spark = spark
        self.base = base
        self.files: list[str] = []
        self.created: str | None = None   # the context directory graphbuild set, once this run uses it

    def _fs(self, path: str):
        jvm = self.spark.sparkContext._jvm
        hpath = jvm.org.apache.hadoop.fs.Path(path)
        return hpath.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration()), hpath

    def _list(self, directory: str) -> set[str]:
        fs, path = self._fs(directory)
        if not fs.exists(path):
            return set()
        return {status.getPath().toString() for status in fs.listStatus(path)}

    def _delete(self, path: str) -> None:
        with contextlib.suppress(Exception):
            fs, hpath = self._fs(path)
            fs.delete(hpath, True)

    def checkpoint(self, frame: DataFrame) -> DataFrame:
        """frame written to files and read back: its lineage ends here."""
        sc = self.spark.sparkContext
        with _LOCK:
            if sc.getCheckpointDir() is None:
                base = self.base or tempfile.gettempdir()
                created = base.rstrip("/") + f"/graphbuild-checkpoints-{uuid.uuid4().hex}"
                sc.setCheckpointDir(created)
                _USERS[sc.getCheckpointDir()] = [0, created]   # Spark adds a subdirectory
            directory = sc.getCheckpointDir()
            if self.created is None and directory in _USERS:
                self.created = directory
                _USERS[directory][0] += 1
            before = self._list(directory)
            saved = frame.checkpoint(eager=True)
            mine = sorted(self._list(directory) - before)
        for old in self.files:   # the state is in the new files now
            self._delete(old)
        self.files = mine
        return saved

    def remove(self) -> None:
        for path in self.files:
            self._delete(path)
        self.files = []
        if self.created is not None:
            with _LOCK:
                users = _USERS[self.created]
                users[0] -= 1
                if users[0] == 0:   # a later run in this context writes into it again (Spark recreates it)
                    self._delete(users[1])
            self.created = None
