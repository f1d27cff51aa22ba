"""The configuration half of benchmarks/deps_configs_accuracy.py runs offline: every sshd scenario
equals the real `sshd -T`, every real-software cipher string equals `openssl ciphers`."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "deps_configs_accuracy.py"


@pytest.mark.skipif(shutil.which("openssl") is None or not (shutil.which("sshd") or Path("/usr/sbin/sshd").exists()),
                    reason="needs openssh-server (sshd -T) and the openssl binary")
def test_configs_have_zero_wrong_against_sshd_t_and_openssl_ciphers():
    spec = importlib.util.spec_from_file_location("deps_configs_accuracy", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.score_configs()
    assert result["sshd"]["wrong"] == [] and result["sshd"]["checked"] >= 6
    assert result["ciphers"]["wrong"] == [] and result["ciphers"]["checked"] == len(module.CIPHER_STRINGS)
