"""Scans on a real Dask cluster (loopback only): a LocalCluster, and a `dask scheduler` with `dask worker`
processes started here. Same inventory as a local scan; a worker killed mid-scan loses nothing and
duplicates nothing; segments route targets to their workers; cluster failures are one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pqscan.cluster import SEGMENT_ATTRIBUTE, WORKER_ATTRIBUTE, Cluster, ClusterError
from pqscan.collect.net.netscan import NetOptions, run_scan
from pqscan.collect.paths import PathScan, PathScanOptions
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.collect.walk import WalkOptions
from pqscan.inventory import Inventory
from pqscan.model import ScanResult
from tests.integration.cluster_fixtures import dask_scheduler, start_worker, tcp_ports_of, tls_fleet, wait_for_workers

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FAST = NetOptions(connect_timeout=1.0, read_timeout=1.0, endpoint_timeout=20.0, concurrency=16, per_host=8)
TESTS_DATA = Path(__file__).parents[1] / "data"
CODE_TREE = TESTS_DATA / "code_corpus"


def inventory_of(results: list[ScanResult]) -> Inventory:
    inv = Inventory()
    for r in results:
        inv.add_result(r)
    return inv


def comparable(inv: Inventory) -> tuple[list[tuple[str, str]], list[str]]:
    """Asset ids and kinds, and findings, without the attributes that say which worker produced them."""
    findings = sorted(json.dumps(f.to_dict(), sort_keys=True) for f in inv.findings)
    return sorted((a.id, a.kind.value) for a in inv.assets.values()), findings


def endpoint_attrs(results: list[ScanResult]) -> dict[str, dict[str, Any]]:
    return {r.target: dict(a.attributes) for r in results for a in r.assets if a.id == r.target}


def test_local_cluster_scans_a_tls_fleet_into_the_same_inventory_as_a_local_scan(tmp_path: Path) -> None:
    with tls_fleet(tmp_path, 6) as fleet:
        local = run_scan(fleet.endpoints, scan_tls_endpoint, FAST)
        with Cluster.parse("local:2", network_batch=2) as cluster:
            remote = cluster.run_scan(fleet.endpoints, scan_tls_endpoint, FAST)
    assert sorted(r.target for r in remote) == sorted(fleet.keys)
    assert comparable(inventory_of(remote)) == comparable(inventory_of(local))
    workers = {attrs[WORKER_ATTRIBUTE] for attrs in endpoint_attrs(remote).values()}
    assert workers <= {"0", "1"} and workers
    assert sum(s.batches for s in cluster.stats) == 3


def test_cli_tls_on_a_local_cluster_streams_the_local_endpoints_and_resumes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pqscan.cli import cli
    from pqscan.inventory import load

    with tls_fleet(tmp_path, 4) as fleet:
        targets = tmp_path / "targets.txt"
        targets.write_text("\n".join(e.hostport for e in fleet.endpoints) + "\n")
        common = ["tls", f"@{targets}", "--timeout", "1", "--no-suites", "-f", "json"]
        local = CliRunner().invoke(cli, [*common, "-o", str(tmp_path / "local.jsonl")], catch_exceptions=False)
        remote = CliRunner().invoke(cli, [*common, "--cluster", "local:2", "-o", str(tmp_path / "x.jsonl")],
                                    catch_exceptions=False)
        assert local.exit_code == 0 and remote.exit_code == 0, remote.output
        again = CliRunner().invoke(cli, [*common, "--cluster", "local:1", "-o", str(tmp_path / "x.jsonl"),
                                         "--resume"], catch_exceptions=False)
        assert again.exit_code == 0
    x, y = load(tmp_path / "x.jsonl"), load(tmp_path / "local.jsonl")
    assert comparable(x) == comparable(y)
    assert set(x.completed_targets) == set(fleet.keys)
    lines = (tmp_path / "x.jsonl").read_text().splitlines()
    assert sum('"type": "done"' in line or '"type":"done"' in line for line in lines) == len(fleet.keys)


def path_scan(roots: list[Path], cluster: Cluster | None = None) -> list[ScanResult]:
    """Every path collector over one walk, here or with its per-file jobs on ``cluster``."""
    return list(PathScan(roots, PathScanOptions(walk=WalkOptions(max_bytes=2_000_000)), cluster=cluster).results())


@pytest.mark.filterwarnings("ignore:Parsed a serial number")
def test_real_scheduler_and_two_workers_scan_a_fleet_and_directories_like_a_local_scan(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(CODE_TREE, tree / "code")
    shutil.copytree(TESTS_DATA / "config", tree / "config")
    (tree / "big.py").write_bytes(b"#" * 2_000_001)  # over the size limit: a skip record, made on the client
    with dask_scheduler() as dask, tls_fleet(tmp_path, 4) as fleet:
        start_worker(dask, "worker-a")
        start_worker(dask, "worker-b")
        wait_for_workers(dask, {"worker-a", "worker-b"})
        with Cluster.parse(dask.address, network_batch=1, files_batch=4) as cluster:
            tls = cluster.run_scan(fleet.endpoints, scan_tls_endpoint, FAST)
            paths = path_scan([tree], cluster)
        local_tls = run_scan(fleet.endpoints, scan_tls_endpoint, FAST)
    local_paths = path_scan([tree])
    assert comparable(inventory_of(tls)) == comparable(inventory_of(local_tls))
    assert comparable(inventory_of(paths)) == comparable(inventory_of(local_paths))
    assert Counter((r.collector, r.target) for r in paths) == Counter((r.collector, r.target) for r in local_paths)
    assert {r.collector for r in paths} >= {"code", "config"} and inventory_of(paths).findings
    assert any(r.target == "big.py" and r.errors for r in paths)
    # The code parser's jobs ran on the workers (tagged); the rest was made on the client (untagged).
    code_workers = {a.attributes.get(WORKER_ATTRIBUTE) for r in paths if r.collector == "code" for a in r.assets[:1]}
    assert code_workers == {"worker-a", "worker-b"}
    assert all(WORKER_ATTRIBUTE not in a.attributes for r in paths if r.collector != "code" for a in r.assets)
    assert {w for s in cluster.stats for w in s.by_worker} == {"worker-a", "worker-b"}


def test_a_worker_killed_mid_scan_loses_no_target_and_duplicates_none(tmp_path: Path) -> None:
    delivered: list[ScanResult] = []
    with dask_scheduler() as dask, tls_fleet(tmp_path, 8, delay=0.05) as fleet:
        victim = start_worker(dask, "worker-a")
        start_worker(dask, "worker-b")
        wait_for_workers(dask, {"worker-a", "worker-b"})
        killed: list[tuple[str, int]] = []
        lock = threading.Lock()

        def kill_worker_a_in_its_first_handshake(peer: tuple[str, int]) -> None:
            # Called by a fleet server as it accepts a connection: if worker-a holds the client end,
            # worker-a is in the middle of an endpoint of its batch, so kill it now.
            with lock:
                if not killed and victim.poll() is None and peer[1] in tcp_ports_of(victim.pid):
                    os.kill(victim.pid, signal.SIGKILL)
                    killed.append(peer)

        for server in fleet.servers:
            server.on_accept = kill_worker_a_in_its_first_handshake
        with Cluster.parse(dask.address, network_batch=2) as cluster:
            cluster.run_scan(fleet.endpoints, scan_tls_endpoint, FAST, on_result=delivered.append, keep_results=False)
        assert victim.wait(timeout=5) == -signal.SIGKILL and killed
        accepted = {f"tls://{s.host}:{s.port}": s.accepted for s in fleet.servers}
    counts = Counter(r.target for r in delivered)
    assert set(counts) == set(fleet.keys) and set(counts.values()) == {1}
    assert all(r.assets and not r.errors for r in delivered)
    # The killed batch really ran again elsewhere: the server worker-a was talking to saw more
    # connections than the other servers of its configuration (same scan, one extra partial one).
    per_config: dict[str, list[int]] = {}
    for server in fleet.servers:
        per_config.setdefault(server.config.name, []).append(accepted[f"tls://{server.host}:{server.port}"])
    assert any(max(v) > min(v) for v in per_config.values()), per_config


def test_segments_send_each_target_only_to_workers_of_its_segment(tmp_path: Path) -> None:
    with dask_scheduler() as dask, tls_fleet(tmp_path, 3, first=1) as dc, tls_fleet(tmp_path, 3, first=11) as office:
        start_worker(dask, "dc-worker", resources="segment-dc=1")
        start_worker(dask, "office-worker", resources="segment-office=1")
        wait_for_workers(dask, {"dc-worker", "office-worker"})
        with Cluster.parse(dask.address, segment="dc", network_batch=1) as cluster:
            in_dc = cluster.run_scan(dc.endpoints, scan_tls_endpoint, FAST)
        with Cluster.parse(dask.address, segment="office", network_batch=1) as cluster:
            in_office = cluster.run_scan(office.endpoints, scan_tls_endpoint, FAST)
        with pytest.raises(ClusterError, match="no worker of segment 'lab'.*segment-lab=1"), \
                Cluster.parse(dask.address, segment="lab", worker_wait=0.5) as cluster:
            cluster.connect()
    for results, worker, segment, fleet in ((in_dc, "dc-worker", "dc", dc), (in_office, "office-worker", "office", office)):
        attrs = endpoint_attrs(results)
        assert set(attrs) == set(fleet.keys)
        assert {(a[WORKER_ATTRIBUTE], a[SEGMENT_ATTRIBUTE]) for a in attrs.values()} == {(worker, segment)}


def _other_version_package(tmp_path: Path) -> Path:
    """A pqscan package that differs from this one only by its version (every other file linked)."""
    import pqscan

    real = Path(pqscan.__file__).parent
    pkg = tmp_path / "other" / "pqscan"
    pkg.mkdir(parents=True)
    for entry in real.iterdir():
        if entry.name not in ("__init__.py", "__pycache__"):
            (pkg / entry.name).symlink_to(entry)
    text = (real / "__init__.py").read_text()
    (pkg / "__init__.py").write_text(text.replace(f'__version__ = "{pqscan.__version__}"', '__version__ = "0.0.1"'))
    return pkg.parent


def test_a_worker_with_another_pqscan_version_is_a_one_line_error(tmp_path: Path) -> None:
    with dask_scheduler() as dask:
        start_worker(dask, "old-worker", env={"PYTHONPATH": str(_other_version_package(tmp_path))})
        wait_for_workers(dask, {"old-worker"})
        with pytest.raises(ClusterError, match=r"^Dask worker old-worker runs pqscan 0\.0\.1, this client"):
            Cluster.parse(dask.address).connect()


def test_a_worker_without_pqscan_is_a_one_line_error(tmp_path: Path) -> None:
    # The one simulated fault: pqscan made unimportable in the worker (a venv without it needs PyPI).
    preload = tmp_path / "no_pqscan.py"
    preload.write_text("import sys\nfor name in list(sys.modules):\n    if name.split('.')[0] == 'pqscan':\n"
                       "        del sys.modules[name]\nsys.modules['pqscan'] = None\n")
    with dask_scheduler() as dask:
        start_worker(dask, "bare-worker", preload=preload)
        wait_for_workers(dask, {"bare-worker"})
        with pytest.raises(ClusterError, match=r"^Dask worker bare-worker has no pqscan installed"):
            Cluster.parse(dask.address).connect()


def test_an_unreachable_scheduler_is_a_one_line_error() -> None:
    from tests.integration.cluster_fixtures import free_port

    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(ClusterError, match=f"^cannot reach the Dask scheduler at {address}"):
        Cluster.parse(address, connect_timeout=1.0).connect()
    assert time.monotonic() - started < 15


def test_losing_the_scheduler_mid_scan_is_a_one_line_error_and_keeps_the_results(tmp_path: Path) -> None:
    delivered: list[ScanResult] = []
    with dask_scheduler() as dask, tls_fleet(tmp_path, 6, delay=0.05) as fleet:
        start_worker(dask, "worker-a")
        wait_for_workers(dask, {"worker-a"})

        def on_result(result: ScanResult) -> None:
            delivered.append(result)
            if len(delivered) == 1:
                dask.scheduler.kill()

        with pytest.raises(ClusterError, match="lost the connection to the Dask scheduler.*result\\(s\\) kept"), \
                Cluster.parse(dask.address, network_batch=1) as cluster:
            cluster.run_scan(fleet.endpoints, scan_tls_endpoint, FAST, on_result=on_result)
    assert 1 <= len(delivered) < len(fleet.keys)


def test_cli_keeps_the_streamed_endpoints_and_says_one_line_when_the_scheduler_goes_away(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "x.jsonl"
    with dask_scheduler() as dask, tls_fleet(tmp_path, 12, delay=0.02) as fleet:
        start_worker(dask, "worker-a")
        wait_for_workers(dask, {"worker-a"})
        targets = tmp_path / "targets.txt"
        targets.write_text("\n".join(e.hostport for e in fleet.endpoints) + "\n")
        cli = subprocess.Popen([sys.executable, "-m", "pqscan", "tls", f"@{targets}", "--no-suites", "--timeout", "1",
                                "--concurrency", "2", "--cluster", dask.address, "-o", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while '"done"' not in (out.read_text() if out.exists() else "") and time.monotonic() < deadline:
                time.sleep(0.05)
            dask.scheduler.kill()
            _, stderr = cli.communicate(timeout=40)
        finally:
            cli.kill()
    assert cli.returncode == 2
    assert stderr.strip().splitlines() == [stderr.strip()] and stderr.startswith(
        "pqscan: error: lost the connection to the Dask scheduler"), stderr
    from pqscan.inventory import load

    kept = load(out)
    assert 1 <= len(kept.completed_targets) < len(fleet.keys)
    assert set(kept.completed_targets) <= set(kept.assets)


def test_cli_scan_of_a_fleet_and_a_tree_on_a_local_cluster_equals_a_local_scan_and_fits_the_schema(
        tmp_path: Path) -> None:
    from importlib import resources

    import jsonschema
    from click.testing import CliRunner

    from pqscan.cli import cli
    from pqscan.inventory import load

    tree = tmp_path / "tree"
    shutil.copytree(CODE_TREE, tree)
    with tls_fleet(tmp_path, 2) as fleet:
        common = ["scan", str(tree), *(e.hostport for e in fleet.endpoints), "--timeout", "1", "--no-suites"]
        local = CliRunner().invoke(cli, [*common, "-o", str(tmp_path / "local.jsonl")], catch_exceptions=False)
        remote = CliRunner().invoke(cli, [*common, "--cluster", "local:2", "-o", str(tmp_path / "x.jsonl")],
                                    catch_exceptions=False)
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    x, y = load(tmp_path / "x.jsonl"), load(tmp_path / "local.jsonl")
    assert comparable(x) == comparable(y) and x.findings
    assert set(x.completed_targets) == set(y.completed_targets)
    tagged = {a.kind.value for a in x.assets.values() if WORKER_ATTRIBUTE in a.attributes}
    assert {"tls-endpoint", "source-file"} <= tagged
    schema = json.loads(resources.files("pqscan").joinpath("schemas/inventory.schema.json").read_text())
    problems = [e.message[:200] for e in jsonschema.Draft202012Validator(schema).iter_errors(x.to_dict())]
    assert problems == []
