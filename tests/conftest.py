"""Test-wide set-up: graphbuild's user configuration (the cache key) lives in a temporary
directory for the whole session, inherited by every command the tests run, so no test
reads or writes the real ~/.config."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_CONFIG = tempfile.mkdtemp(prefix="graphbuild-test-config-")
os.environ["GRAPHBUILD_CONFIG_DIR"] = _CONFIG
os.environ.pop("GRAPHBUILD_CACHE_KEY_FILE", None)
os.environ.pop("GRAPHBUILD_CACHE_SHARED", None)
atexit.register(shutil.rmtree, _CONFIG, True)
