"""The contract between collectors and assessment: the real output of every collector validates
strictly against the inventory schema, where each asset kind's attributes and the finding parameters
are declared by name. A name no collector writes (the old ``tls_versions``) fails."""

from __future__ import annotations

import copy
import email
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pqscan.collect.paths import PathScanOptions
from pqscan.inventory import Inventory
from pqscan.lab.demo import run_demo
from pqscan.model import AssetKind, declared_attributes, declared_parameters
from pqscan.pipeline.scan import ScanOptions, scan

pytestmark = pytest.mark.integration

TESTS_DATA = Path(__file__).resolve().parents[1] / "data"


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resources.files("pqscan").joinpath("schemas/inventory.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def _problems(doc: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in _validator().iter_errors(doc)]


@pytest.fixture(scope="module")
def lab_inventory(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """TLS servers (five configurations), Debian's sshd when installed, and the sample repository
    (code, dependencies, configs, keys): every collector, on real servers and files."""
    result = run_demo(tmp_path_factory.mktemp("demo"), say=lambda _: None, bench=False)
    return json.loads(result.inventory.read_text())


def test_every_collector_in_the_lab_writes_only_declared_names(lab_inventory: dict[str, Any]) -> None:
    collectors = {f["collector"] for f in lab_inventory["findings"]}
    assert {"tls", "certs", "code", "deps", "config"} <= collectors
    assert _problems(lab_inventory) == []


def test_ssh_endpoints_write_only_declared_names(lab_inventory: dict[str, Any]) -> None:
    kinds = {a["kind"] for a in lab_inventory["assets"]}
    if "ssh-endpoint" not in kinds:
        pytest.skip("Debian's openssh-server is not installed: the lab has no SSH endpoint")
    assert {f["collector"] for f in lab_inventory["findings"]} >= {"ssh"}


@pytest.mark.parametrize("paths", [
    ["/etc/ssl/certs"],  # the OS trust store: certificates others issued
    ["/etc/ssh"],  # a real sshd_config and host keys
    [str(Path(email.__file__).parent)],  # the standard library's email package (code)
    [str(TESTS_DATA / "deps"), str(TESTS_DATA / "config")],  # manifests and configs of many formats
], ids=["trust-store", "etc-ssh", "stdlib-email", "manifests-and-configs"])
def test_path_collectors_on_real_files_write_only_declared_names(paths: list[str]) -> None:
    present = [p for p in paths if Path(p).exists()]
    if not present:
        pytest.skip(f"{paths} not on this machine")
    inv = scan(present, ScanOptions(walk=PathScanOptions().walk))
    assert inv.findings or inv.assets
    assert _problems(inv.to_dict()) == []


def test_a_name_no_collector_writes_fails_the_schema(lab_inventory: dict[str, Any]) -> None:
    doc = copy.deepcopy(lab_inventory)
    endpoint = next(a for a in doc["assets"] if a["kind"] == "tls-endpoint")
    endpoint["attributes"]["tls_versions"] = ["TLSv1.3"]
    assert any("tls_versions" in p for p in _problems(doc))
    doc = copy.deepcopy(lab_inventory)
    doc["findings"][0]["parameters"]["keysize"] = 2048
    assert any("keysize" in p for p in _problems(doc))


def test_the_model_reads_the_declared_names_from_the_schema() -> None:
    assert "supported_groups" in (declared_attributes(AssetKind.TLS_ENDPOINT) or set())
    assert "tls_versions" not in (declared_attributes(AssetKind.TLS_ENDPOINT) or set())
    assert {"key_bits", "curve", "hash", "raw_identifier", "unknown_reason"} <= declared_parameters()


def test_the_shipped_sample_inventory_follows_the_contract() -> None:
    doc = json.loads(resources.files("pqscan").joinpath("data/sample-inventory.json").read_text())
    assert _problems(doc) == []
    assert Inventory.from_dict(doc).findings
