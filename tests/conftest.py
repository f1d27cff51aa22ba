"""Shared test fixtures. Area-specific fixtures live beside their tests (tests/<area>/conftest.py)."""

from __future__ import annotations

import os

# Never let a test reach beyond this machine: collectors honour this guard (see pqscan.collect.net.targets).
os.environ.setdefault("PQSCAN_TEST_LOOPBACK_ONLY", "1")
