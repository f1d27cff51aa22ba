"""Shared test fixtures. Area-specific fixtures live beside their tests (tests/<area>/conftest.py)."""

from __future__ import annotations

import os
import signal

# Never let a test reach beyond this machine: collectors honour this guard (see pqscan.collect.net.targets).
os.environ.setdefault("PQSCAN_TEST_LOOPBACK_ONLY", "1")

# A shell without job control starts background jobs (`pytest … &`) with SIGINT ignored, and children
# inherit an ignored signal: the Ctrl-C tests (pqscan processes sent SIGINT, and run_scan in this
# process) would then test nothing but the launcher. Python's own default, whatever started us.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
