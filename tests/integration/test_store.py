"""The estate store, on a real SQLite file and a real PostgreSQL server (the same tests on both)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from pqscan.inventory import load
from pqscan.model import Asset, AssetKind, Evidence, Finding, ScanResult, Usage
from pqscan.store import StoreBusyError, StoreError, open_store
from pqscan.store.sink import StoreSink
from pqscan.store.tables import observations, scan_targets

pytestmark = pytest.mark.integration
SAMPLE = Path(__file__).resolve().parents[2] / "pqscan" / "data" / "sample-inventory.json"


def source_file(path: str, *algorithms: str) -> ScanResult:
    """What the code collector reports for one file using ``algorithms``."""
    result = ScanResult(path, "code")
    result.assets.append(Asset(f"file:{path}", AssetKind.SOURCE_FILE, path, path))
    for alg in algorithms:
        result.findings.append(Finding(f"file:{path}", alg, Usage.SIGNATURE, "code",
                                       evidence=Evidence(location=path, symbol=alg)))
    return result


def write_scan(store_url: str, *results: ScanResult, profiles: tuple[str, ...] = ()) -> int:
    with open_store(store_url) as store:
        sink = StoreSink(store, ["repo"], profiles)
        for r in results:
            sink.write(r, done=True)
        return sink.finish()


def algorithms_of(store_url: str, scan_id: int, *, estate: bool = False) -> list[str]:
    with open_store(store_url) as store:
        return sorted(f.algorithm for f in store.scan_inventory(scan_id, estate=estate).findings)


def test_each_scan_reads_back_as_it_was_seen(store_url: str) -> None:
    first = write_scan(store_url, source_file("a.py", "RSA", "ECDSA-P256"), source_file("b.py", "MD5"))
    second = write_scan(store_url, source_file("a.py", "RSA"), source_file("b.py", "MD5", "SHA1"))
    third = write_scan(store_url, source_file("a.py", "RSA", "ECDSA-P256"))
    assert algorithms_of(store_url, first) == ["ECDSA-P256", "MD5", "RSA"]
    assert algorithms_of(store_url, second) == ["MD5", "RSA", "SHA1"]
    assert algorithms_of(store_url, third) == ["ECDSA-P256", "RSA"]  # b.py was not part of the third scan
    assert algorithms_of(store_url, third, estate=True) == ["ECDSA-P256", "MD5", "RSA", "SHA1"]


def test_history_is_kept_without_a_copy_per_scan(store_url: str) -> None:
    for _ in range(5):
        write_scan(store_url, source_file("a.py", "RSA"), source_file("b.py", "MD5"))
    with open_store(store_url) as store, store.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(observations)).scalar()
        assert rows == 4  # two files and two findings, once each, however many scans saw them
        finding = source_file("a.py", "RSA").findings[0]
        assert store.lifetimes([finding.id])[finding.id] == (1, 5, None)


def test_a_finding_that_disappears_is_dated_and_one_that_returns_starts_a_new_run(store_url: str) -> None:
    write_scan(store_url, source_file("a.py", "RSA", "MD5"))
    gone = write_scan(store_url, source_file("a.py", "RSA"))
    back = write_scan(store_url, source_file("a.py", "RSA", "MD5"))
    md5 = source_file("a.py", "MD5").findings[0]
    with open_store(store_url) as store:
        assert store.lifetimes([md5.id])[md5.id] == (1, back, None)
    assert "MD5" not in algorithms_of(store_url, gone)
    assert algorithms_of(store_url, 1) == ["MD5", "RSA"]  # the first run is still readable


def test_a_fresh_database_gets_the_newest_schema_and_can_be_downgraded_and_upgraded_again(store_url: str) -> None:
    with open_store(store_url) as store:
        assert store.schema_revision() == "0004"
        store.downgrade("base")
        assert store.schema_revision() is None
        store.migrate()
        assert store.schema_revision() == "0004"


def test_a_store_written_by_the_previous_schema_is_upgraded_in_place(store_url: str) -> None:
    with open_store(store_url, migrate=False) as store:
        store.migrate("0001")
        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO scans (started_at, finished_at, status, tool_version, targets, "
                              "summary, attachments) VALUES ('2026-01-05T10:00:00Z', '2026-01-05T10:01:00Z', "
                              "'complete', '0.0.9', '[\"repo\"]', NULL, '{}')"))
    with open_store(store_url) as store:  # opening upgrades
        assert store.schema_revision() == "0004"
        (old,) = store.list_scans()
        assert (old.started_at, old.profiles, old.status) == ("2026-01-05T10:00:00Z", ("nist-ir-8547",), "complete")


def test_history_written_before_the_digest_column_still_reads_and_extends_after_the_upgrade(store_url: str) -> None:
    with open_store(store_url, migrate=False) as store:
        store.migrate("0002")
    with open_store(store_url, migrate=False) as store:  # write with the 0002 schema's columns only
        from sqlalchemy import insert

        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO scans (started_at, status, tool_version, targets, profiles, "
                              "attachments) VALUES ('2026-01-05T10:00:00Z', 'complete', '0.0.9', '[]', '[]', '{}')"))
            scan_id = conn.execute(text("SELECT max(id) FROM scans")).scalar()
            finding = source_file("a.py", "RSA").findings[0]
            th = __import__("hashlib").sha256(b"a.py").hexdigest()
            conn.execute(insert(scan_targets).values(scan_id=scan_id, target_hash=th, target="a.py", collector="code"))
            conn.execute(text("INSERT INTO observations (key_hash, kind, ref, target_hash, data, first_seen, run_first, "
                              "last_seen) VALUES (:k, 'finding', :ref, :th, :data, :s, :s, :s)"),
                         {"k": "x" * 64, "ref": finding.id, "th": th, "data": json.dumps(finding.to_dict()), "s": scan_id})
    with open_store(store_url) as store:
        assert store.schema_revision() == "0004"
        assert [f.algorithm for f in store.scan_inventory(1).findings] == ["RSA"]


def test_a_scan_killed_mid_way_is_incomplete_and_resume_finishes_it_with_every_target_once(
        store_url: str, tmp_path: Path) -> None:
    writer = tmp_path / "writer.py"
    writer.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        from pqscan.store import open_store
        from pqscan.store.sink import StoreSink
        from tests.integration.test_store import source_file
        store = open_store(sys.argv[1])
        sink = StoreSink(store, ["repo"], batch=1)
        for i in range(1000):
            sink.write(source_file(f"f{{i}}.py", "RSA"))
            print(i, flush=True)
            time.sleep(0.01)
    """))
    proc = subprocess.Popen([sys.executable, str(writer), store_url], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if int(line) >= 20:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with open_store(store_url) as store:
        (killed,) = store.list_scans()
        assert killed.status == "incomplete" and 20 <= killed.targets_done < 1000
        sink = StoreSink(store, ["repo"], resume=True)
        assert sink.scan_id == killed.id and len(sink.completed_targets) == killed.targets_done
        for i in range(1000):
            if f"f{i}.py" not in sink.completed_targets:
                sink.write(source_file(f"f{i}.py", "RSA"))
        sink.finish()
        (done,) = store.list_scans()
        assert done.status == "complete" and done.targets_done == 1000
        inventory = store.scan_inventory(done.id)
        assert len(inventory.findings) == 1000 and len(inventory.completed_targets) == 1000


def test_a_second_writer_of_a_sqlite_store_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'estate.db'}"
    with open_store(url) as first, open_store(url) as second:
        first.begin_scan(["repo"])
        with pytest.raises(StoreBusyError, match="another pqscan is writing this store"):
            second.begin_scan(["repo"])
        assert second.list_scans()[0].status == "running"  # readers are never blocked


def test_processes_opening_a_new_sqlite_store_at_once_all_get_one_schema(tmp_path: Path) -> None:
    # SQLite's driver runs DDL outside a transaction: without a lock on the file, two processes that
    # create the same new store both create its tables and one fails ("table scans already exists").
    url = f"sqlite:///{tmp_path / 'estate.db'}"
    go = tmp_path / "go"
    opener = textwrap.dedent(f"""
        import os, time
        from pqscan.store import open_store
        while not os.path.exists({str(go)!r}):
            time.sleep(0.001)
        with open_store({url!r}) as store:
            print(store.schema_revision())
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [subprocess.Popen([sys.executable, "-c", opener], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    go.touch()
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in outcomes]
    with open_store(url) as store:
        assert {out.strip() for out, _ in outcomes} == {store.schema_revision()} and store.list_scans() == []


def test_two_scanners_writing_one_postgresql_store_at_once_lose_and_duplicate_nothing(postgres_server) -> None:
    url = postgres_server.new_database(f"concurrent_{os.getpid()}")
    open_store(url).close()
    errors: list[BaseException] = []

    def scanner(name: str) -> None:
        try:
            with open_store(url) as store:
                sink = StoreSink(store, [name], batch=7)
                for i in range(300):  # both scanners report the same files: shared rows, raced upserts
                    sink.write(source_file(f"shared/{i}.py", "RSA", "MD5"))
                    sink.write(source_file(f"{name}/{i}.py", "ECDSA-P256"))
                sink.finish()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=scanner, args=(n,)) for n in ("alpha", "beta")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    with open_store(url) as store:
        scans = store.list_scans()
        assert [s.status for s in scans] == ["complete", "complete"]
        for s in scans:
            inv = store.scan_inventory(s.id)
            assert len(inv.findings) == 300 * 3 and len(inv.completed_targets) == 600
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(scan_targets)).scalar() == 1200
            keys = conn.execute(select(observations.c.key_hash)).scalars().all()
            assert len(keys) == len(set(keys))


def test_importing_inventories_builds_history_with_readiness_per_profile(store_url: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pqscan.cli import cli

    older = load(SAMPLE)
    newer = load(SAMPLE)
    newer.findings = [f for f in newer.findings if f.algorithm not in ("RSA", "X25519")]
    newer.started = "2099-01-01T00:00:00Z"
    newer.save(tmp_path / "newer.json")
    runner = CliRunner()
    result = runner.invoke(cli, ["store", "import", str(tmp_path / "newer.json"), str(SAMPLE), "--store", store_url,
                                 "-p", "nist-ir-8547", "-p", "cnsa-2.0"])
    assert result.exit_code == 0, result.output
    history = runner.invoke(cli, ["history", "--store", store_url, "--format", "json"])
    assert history.exit_code == 0, history.output
    doc = json.loads(history.stdout)
    first, second = doc["scans"]
    assert first["started"] == older.started  # imported oldest first, whatever the order given
    assert set(first["summary"]["readiness"]) == {"nist-ir-8547", "cnsa-2.0"}
    assert first["summary"]["findings"] == len(older.findings)
    assert second["summary"]["findings"] < first["summary"]["findings"]


def test_report_from_the_store_has_a_progress_section(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pqscan.cli import cli

    url = f"sqlite:///{tmp_path / 'estate.db'}"
    write_scan(url, source_file("a.py", "RSA", "MD5", "ECDSA-P256"), source_file("b.py", "SHA1"))
    write_scan(url, source_file("a.py", "RSA"), source_file("b.py", "SHA1"))
    runner = CliRunner()
    html = runner.invoke(cli, ["report", "--store", url, "--format", "html"])
    assert html.exit_code == 0, html.output
    assert 'id="progress"' in html.stdout and "Deadline burn-down" in html.stdout
    md = runner.invoke(cli, ["report", "--store", url, "--scan", "1", "--format", "markdown"])
    assert "## Progress over time" in md.stdout
    diff = runner.invoke(cli, ["diff", "--store", url, "latest~1", "latest", "--format", "json"])
    assert diff.exit_code == 0, diff.output
    assert len(json.loads(diff.stdout)["findings"]["resolved"]) == 2


def test_pruning_keeps_what_the_kept_scans_saw(store_url: str) -> None:
    write_scan(store_url, source_file("a.py", "RSA", "MD5"))
    write_scan(store_url, source_file("a.py", "RSA"))
    kept = write_scan(store_url, source_file("a.py", "RSA"))
    with open_store(store_url) as store:
        assert store.prune(keep=1) == 2
        assert [s.id for s in store.list_scans()] == [kept]
        with store.engine.connect() as conn:
            refs = conn.execute(select(observations.c.ref)).scalars().all()
    assert source_file("a.py", "MD5").findings[0].id not in refs
    assert algorithms_of(store_url, kept) == ["RSA"]


def test_scan_references_resolve_by_id_latest_and_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'estate.db'}"
    write_scan(url, source_file("a.py", "RSA"))
    write_scan(url, source_file("a.py", "RSA"))
    with open_store(url) as store:
        assert store.resolve_scan("latest") == 2 and store.resolve_scan("latest~1") == 1
        assert store.resolve_scan("1") == 1 and store.resolve_scan("2999-01-01") == 2
        with pytest.raises(StoreError, match="no such scan"):
            store.resolve_scan("7")
        with pytest.raises(StoreError, match="expected a scan id"):
            store.resolve_scan("yesterday")


def test_a_bad_store_url_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unsupported store"):
        open_store("mysql://x/y")
    with pytest.raises(Exception, match="no such directory"):
        open_store(f"sqlite:///{tmp_path}/missing/estate.db")
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store("postgresql://nobody@127.0.0.1:1/none")
