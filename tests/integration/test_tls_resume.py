"""Streaming and resume: an interrupted scan keeps every finished endpoint; --resume skips them."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import pqscan
from pqscan.cli import cli
from pqscan.collect.net.netscan import scan_endpoints
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.inventory import JsonlWriter, load
from pqscan.lab.tls_servers import TlsServer
from tests.integration.tls_fixtures import FAST, endpoint, fixture_tls_lab, fixture_tls_lab_dir, never_answering_server  # noqa: F401 - fixtures register by name

pytestmark = pytest.mark.integration


def _done_records(path: Path) -> list[str]:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r["target"] for r in records if r.get("type") == "done"]


def test_interrupted_scan_keeps_the_endpoints_finished_before_it(tls_lab: dict[str, TlsServer], tmp_path: Path) -> None:
    out = tmp_path / "scan.jsonl"
    good = [endpoint(tls_lab["pq-only"].port), endpoint(tls_lab["classical-only"].port)]

    async def run() -> None:
        async with never_answering_server() as silent_port:
            slow = FAST.__class__(**{**FAST.__dict__, "read_timeout": 30.0, "endpoint_timeout": 60.0})
            with JsonlWriter(out, targets=[e.key for e in good]) as writer:
                task = asyncio.ensure_future(
                    scan_endpoints([*good, endpoint(silent_port)], scan_tls_endpoint, slow,
                                   on_result=lambda r: writer.write_result(r, done=True)))
                deadline = time.monotonic() + 10
                while len(_done_records(out)) < len(good) and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                task.cancel()  # Ctrl-C while the silent endpoint is still in flight
                with pytest.raises(asyncio.CancelledError):
                    await task

    asyncio.run(run())
    inventory = load(out)  # the footer is missing: an interrupted stream still loads
    assert sorted(inventory.completed_targets) == sorted(e.key for e in good)
    assert {e.key for e in good} <= set(inventory.assets)


def test_resume_skips_endpoints_already_done(tls_lab: dict[str, TlsServer], tmp_path: Path) -> None:
    out = tmp_path / "fleet.jsonl"
    first, second = (f"127.0.0.1:{tls_lab[n].port}" for n in ("pq-only", "classical-only"))
    runner = CliRunner()
    r1 = runner.invoke(cli, ["tls", first, "--timeout", "1", "-o", str(out), "--format", "json"])
    assert r1.exit_code == 0, r1.output
    r2 = runner.invoke(cli, ["tls", first, second, "--timeout", "1", "-o", str(out), "--resume", "--format", "json"])
    assert r2.exit_code == 0, r2.output
    assert sorted(_done_records(out)) == sorted([f"tls://{first}", f"tls://{second}"])  # first scanned once
    assert set(load(out).completed_targets) == {f"tls://{first}", f"tls://{second}"}


def test_json_output_is_a_complete_inventory_and_the_partial_stream_is_removed(
    tls_lab: dict[str, TlsServer], tmp_path: Path
) -> None:
    out = tmp_path / "inv.json"
    target = f"127.0.0.1:{tls_lab['hybrid-and-classical'].port}"
    result = CliRunner().invoke(cli, ["tls", target, "--timeout", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    inventory = load(out)
    assert inventory.finished and f"tls://{target}" in inventory.completed_targets
    assert not list(tmp_path.glob("*.partial.jsonl"))
    schema = json.loads((Path(pqscan.__file__).parent / "schemas" / "inventory.schema.json").read_text())
    jsonschema.validate(json.loads(out.read_text()), schema)


def test_resume_without_output_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["tls", "127.0.0.1:1", "--resume"])
    assert result.exit_code != 0 and "--resume needs --output" in str(result.exception or result.output)
