"""Interrupted scans keep what finished (issue #17 cause 5, and SIGTERM): for real, with signals sent to
a pqscan process scanning loopback servers; SIGKILL at random moments then ``--resume`` loses and
duplicates nothing.

c15dbd4: Ctrl-C with ``-o x.json`` exited 130 with no file; SIGTERM killed pqscan with no message
(exit -15) and nothing kept.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from pqscan.inventory import load
from tests.hostile.helpers import INTERRUPTED, TERMINATED, hold, servers_in_thread, slow_alert

pytestmark = pytest.mark.integration


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pqscan", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_done(stream: Path, count: int, limit: float = 20) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if stream.exists() and stream.read_text().count('"type": "done"') >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{stream}: fewer than {count} finished targets after {limit} s")


@pytest.mark.parametrize(("sig", "code", "word"), [(signal.SIGINT, INTERRUPTED, "interrupted"),
                                                    (signal.SIGTERM, TERMINATED, "terminated")])
def test_a_signal_during_a_json_scan_writes_what_finished_marked_partial(tmp_path: Path, sig: signal.Signals,
                                                                         code: int, word: str) -> None:
    out = tmp_path / "scan.json"
    with servers_in_thread([slow_alert(0.0), hold]) as (fast, silent):
        proc = _start(["tls", f"127.0.0.1:{fast}", f"127.0.0.1:{silent}", "--timeout", "30", "-o", str(out)])
        _wait_for_done(tmp_path / "scan.json.partial.jsonl", 1)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == code, stderr
    assert stderr.strip().splitlines()[-1] == f"pqscan: {word}{' (SIGTERM)' if code == TERMINATED else ''}; " \
                                              "results gathered so far were kept"
    doc = json.loads(out.read_text())
    assert doc["attachments"]["partial"] is True and doc["finished"] is None
    assert doc["completed_targets"] == [f"tls://127.0.0.1:{fast}"]
    assert f"tls://127.0.0.1:{silent}" in doc["targets"]
    resumed = load(out)  # and the partial document plus its stream resume cleanly (next test)
    assert resumed.completed_targets == [f"tls://127.0.0.1:{fast}"]


def test_sigterm_during_a_path_scan_keeps_the_stream(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for i in range(400):
        (tree / f"d{i % 20}").mkdir(parents=True, exist_ok=True)
        (tree / f"d{i % 20}" / f"m{i}.py").write_text("import hashlib\n" + "hashlib.md5(b'x')\n" * 200)
    out = tmp_path / "paths.jsonl"
    proc = _start(["code", str(tree), "-o", str(out), "-j", "1"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (out.exists() and out.read_text().count('"type": "finding"') > 10):
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the scan finished before SIGTERM arrived on this machine")
    assert proc.returncode == TERMINATED, stderr
    assert load(out).findings  # the stream is loadable, the footer missing


def test_sigkill_at_random_moments_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    rng = random.Random(17)
    # 12 endpoints, 2 at a time, 0.25 s each: a scan outlives the longest wait below (1.5 s), so the
    # first run of each format is always killed mid-way, however fast pqscan starts.
    with servers_in_thread([slow_alert(0.25) for _ in range(12)]) as ports:
        targets = [f"127.0.0.1:{p}" for p in ports]
        keys = {f"tls://{t}" for t in targets}
        reference = tmp_path / "reference.jsonl"
        base = ["tls", *targets, "--timeout", "2", "--concurrency", "2", "--no-suites"]
        clean = subprocess.run([sys.executable, "-m", "pqscan", *base, "-o", str(reference)], capture_output=True,
                               text=True, timeout=120, check=False)
        assert clean.returncode == 4, clean.stderr  # every endpoint refuses TLS: nothing scanned (README)
        expected = Counter(e.target for e in load(reference).errors)
        for suffix in (".jsonl", ".json"):
            out = tmp_path / f"killed{suffix}"
            kills = 0
            for _ in range(4):
                proc = _start([*base, "-o", str(out), "--resume"] if out.exists() or kills else [*base, "-o", str(out)])
                time.sleep(rng.uniform(0.3, 1.5))
                if proc.poll() is None:
                    proc.kill()
                    kills += 1
                proc.wait(30)
            final = subprocess.run([sys.executable, "-m", "pqscan", *base, "-o", str(out), "--resume"],
                                   capture_output=True, text=True, timeout=120, check=False)
            assert final.returncode == 4, final.stderr
            inv = load(out)
            assert kills >= 1
            assert set(inv.completed_targets) == keys and len(inv.completed_targets) == len(keys)
            assert Counter(e.target for e in inv.errors) == expected, "an endpoint's errors lost or duplicated"
            stream = out if suffix == ".jsonl" else None
            if stream is not None:
                done = [json.loads(line)["target"] for line in stream.read_text().splitlines()
                        if '"type": "done"' in line]
                assert sorted(done) == sorted(keys), "a finished endpoint was scanned twice"
