"""Shared test fixtures. Area-specific fixtures live beside their tests (tests/<area>/conftest.py)."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import tempfile

# Never let a test reach beyond this machine: collectors honour this guard (see pqscan.collect.net.targets).
os.environ.setdefault("PQSCAN_TEST_LOOPBACK_ONLY", "1")

# pqscan keeps its parsed data files in a per-user cache (pqscan/datafiles.py): the suite, and every
# pqscan process it starts, uses one of its own, so no test depends on what an earlier run left behind.
if "PQSCAN_CACHE_DIR" not in os.environ:
    os.environ["PQSCAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="pqscan-test-cache-")
    atexit.register(shutil.rmtree, os.environ["PQSCAN_CACHE_DIR"], True)

# A shell without job control starts background jobs (`pytest … &`) with SIGINT ignored, and children
# inherit an ignored signal: the Ctrl-C tests (pqscan processes sent SIGINT, and run_scan in this
# process) would then test nothing but the launcher. Python's own default, whatever started us.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
