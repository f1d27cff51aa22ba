"""--cluster / --segment on the scanning commands: bad values are one-line usage errors (exit 2)."""

from __future__ import annotations

import pytest

from pqscan.cli import main
from pqscan.cluster import ClusterError, parse_address


@pytest.mark.parametrize("command", ["tls", "ssh", "scan", "certs", "code"])
def test_every_scanning_command_takes_cluster_and_segment(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "--cluster ADDRESS" in help_text and "--segment NAME" in help_text


@pytest.mark.parametrize(("args", "message"), [
    (["--cluster", "scheduler:8786"], "expected tcp://HOST:PORT (a dask scheduler) or local:N"),
    (["--cluster", "local:0"], "local:N needs 1 <= N <= 256 workers"),
    (["--segment", "dc1"], "--segment needs --cluster"),
    (["--cluster", "local:1", "--segment", "dc 1"], "--segment 'dc 1': use letters, digits"),
])
def test_bad_cluster_options_are_one_line_and_exit_2(args: list[str], message: str, tmp_path: object,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["tls", "127.0.0.1:1", "--timeout", "0.2", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_addresses() -> None:
    assert parse_address("tcp://10.0.0.5:8786").scheduler == "tcp://10.0.0.5:8786"
    assert parse_address("local:3").local_workers == 3
    with pytest.raises(ClusterError):
        parse_address("tcp://host")


def test_the_provenance_attributes_are_declared_on_every_asset_kind_the_schema_closes() -> None:
    from pqscan.cluster import SEGMENT_ATTRIBUTE, WORKER_ATTRIBUTE
    from pqscan.model import AssetKind, declared_attributes

    closed = [k for k in AssetKind if declared_attributes(k) is not None]
    assert closed
    for kind in closed:
        assert {WORKER_ATTRIBUTE, SEGMENT_ATTRIBUTE} <= (declared_attributes(kind) or frozenset()), kind
