"""Runs of sightings: an unchanged observation costs no row write per scan, and history stays exact
(schema 0004), on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import insert, select, text

from pqscan.store import open_store
from pqscan.store.sink import StoreSink
from pqscan.store.store import _key
from pqscan.store.tables import observations, scan_targets
from tests.integration.test_store import algorithms_of, source_file, write_scan

pytestmark = pytest.mark.integration


def observation_rows(store_url: str) -> list[tuple]:
    """Every observation row as stored (on PostgreSQL with its xmin: the transaction that last wrote it)."""
    with open_store(store_url) as store, store.engine.connect() as conn:
        version = "xmin::text" if store.dialect == "postgresql" else "''"
        return [tuple(r) for r in conn.execute(text(
            f"SELECT id, {version}, key_hash, data, first_seen, run_first, last_seen, disappeared "
            "FROM observations ORDER BY id"))]


def test_rescanning_an_unchanged_estate_rewrites_no_observation_row(store_url: str) -> None:
    estate = [source_file("a.py", "RSA", "MD5"), source_file("b.py", "ECDSA-P256")]
    write_scan(store_url, *estate)
    before = observation_rows(store_url)
    for _ in range(3):
        last = write_scan(store_url, *estate)
    assert observation_rows(store_url) == before  # same rows, same values, not even rewritten (PostgreSQL xmin)
    assert algorithms_of(store_url, last) == ["ECDSA-P256", "MD5", "RSA"]
    with open_store(store_url) as store:
        rsa = source_file("a.py", "RSA").findings[0]
        assert store.lifetimes([rsa.id])[rsa.id] == (1, last, None)


def test_only_what_changed_is_written_and_every_scan_still_reads_back_as_seen(store_url: str) -> None:
    write_scan(store_url, source_file("a.py", "RSA", "MD5"), source_file("b.py", "SHA1"))
    untouched = {r[2]: r for r in observation_rows(store_url)}
    second = write_scan(store_url, source_file("a.py", "RSA", "ECDSA-P256"), source_file("b.py", "SHA1"))
    after = {r[2]: r for r in observation_rows(store_url)}
    rewritten = {k for k, r in untouched.items() if after[k] != r}
    assert len(rewritten) == 1 and len(after) == len(untouched) + 1  # MD5 closed, ECDSA-P256 added, rest as was
    third = write_scan(store_url, source_file("a.py", "RSA", "MD5"), source_file("b.py", "SHA1"))
    assert algorithms_of(store_url, 1) == ["MD5", "RSA", "SHA1"]
    assert algorithms_of(store_url, second) == ["ECDSA-P256", "RSA", "SHA1"]
    assert algorithms_of(store_url, third) == ["MD5", "RSA", "SHA1"]
    with open_store(store_url) as store:
        md5, ecdsa = source_file("a.py", "MD5", "ECDSA-P256").findings
        assert store.lifetimes([md5.id, ecdsa.id]) == {md5.id: (1, third, None), ecdsa.id: (2, 2, third)}


def test_a_target_scanned_with_nothing_left_closes_every_run_of_it(store_url: str) -> None:
    write_scan(store_url, source_file("a.py", "RSA"), source_file("b.py", "MD5"))
    empty = write_scan(store_url, source_file("a.py"), source_file("b.py", "MD5"))
    assert algorithms_of(store_url, empty) == ["MD5"]
    with open_store(store_url) as store:
        rsa = source_file("a.py", "RSA").findings[0]
        assert store.lifetimes([rsa.id])[rsa.id] == (1, 1, empty)


def test_pruning_drops_what_no_kept_scan_saw_with_open_runs(store_url: str) -> None:
    write_scan(store_url, source_file("a.py", "RSA"), source_file("b.py", "MD5"))
    with open_store(store_url) as store:
        sink = StoreSink(store, ["repo"])
        sink.write(source_file("a.py", "RSA"))
        kept = sink.finish()  # b.py not part of this scan: its rows stay open, on a target no kept scan finished
        assert store.prune(keep=1) == 1
        with store.engine.connect() as conn:
            refs = set(conn.execute(select(observations.c.ref)).scalars())
    assert source_file("b.py", "MD5").findings[0].id not in refs
    assert algorithms_of(store_url, kept, estate=True) == ["RSA"]


def test_two_postgresql_scans_finishing_one_target_out_of_order_each_keep_what_they_saw(postgres_server) -> None:
    url = postgres_server.new_database("out_of_order")
    write_scan(url, source_file("a.py", "RSA", "MD5"))  # scan 1
    with open_store(url) as older_writer, open_store(url) as newer_writer:
        older = older_writer.begin_scan(["repo"])  # scan 2
        newer = newer_writer.begin_scan(["repo"])  # scan 3, finishes a.py first
        newer_writer.record(newer.id, [source_file("a.py", "RSA", "SHA1")])
        older_writer.record(older.id, [source_file("a.py", "MD5", "ECDSA-P256")])
        older_writer.finish(older.id, {})
        newer_writer.finish(newer.id, {})
    assert algorithms_of(url, 1) == ["MD5", "RSA"]
    assert algorithms_of(url, older.id) == ["ECDSA-P256", "MD5"]
    assert algorithms_of(url, newer.id) == ["RSA", "SHA1"]
    fourth = write_scan(url, source_file("a.py", "RSA", "SHA1"))
    assert algorithms_of(url, fourth) == ["RSA", "SHA1"]
    with open_store(url) as store:
        rsa, md5, ecdsa = source_file("a.py", "RSA", "MD5", "ECDSA-P256").findings
        assert store.lifetimes([rsa.id, md5.id, ecdsa.id]) == {
            rsa.id: (1, fourth, None), md5.id: (1, older.id, newer.id), ecdsa.id: (older.id, older.id, newer.id)}


def test_history_survives_downgrade_to_0003_and_upgrade_again(store_url: str) -> None:
    write_scan(store_url, source_file("a.py", "RSA", "MD5"), source_file("b.py", "SHA1"))
    write_scan(store_url, source_file("a.py", "RSA"), source_file("b.py", "SHA1"))
    write_scan(store_url, source_file("a.py", "RSA", "MD5"), source_file("b.py", "SHA1"))
    seen = [algorithms_of(store_url, scan) for scan in (1, 2, 3)]
    with open_store(store_url) as store:
        store.downgrade("0003")
        assert store.schema_revision() == "0003"
        with store.engine.connect() as conn:  # 0003's meaning: present in N when run_first <= N <= last_seen
            for scan, algorithms in zip((1, 2, 3), seen, strict=True):
                current = conn.execute(text(
                    "SELECT data FROM observations WHERE kind = 'finding' AND run_first <= :n AND last_seen >= :n "
                    "UNION ALL SELECT o.data FROM observations o JOIN observation_runs r ON r.observation_id = o.id "
                    "WHERE o.kind = 'finding' AND r.first_scan <= :n AND r.last_scan >= :n"), {"n": scan}).scalars()
                assert sorted(json.loads(d)["algorithm"] for d in current) == algorithms
        store.migrate()
        assert store.schema_revision() == "0004"
    assert [algorithms_of(store_url, scan) for scan in (1, 2, 3)] == seen
    assert algorithms_of(store_url, write_scan(store_url, source_file("a.py", "RSA"))) == ["RSA"]


def test_a_0003_store_is_upgraded_with_its_history_intact(store_url: str) -> None:
    # Written with 0003's meaning: every sighting moved last_seen. SHA1 was left open by an out-of-order
    # writer although scan 3 finished a.py without it: the upgrade closes it at scan 3.
    with open_store(store_url, migrate=False) as store:
        store.migrate("0003")
        th = hashlib.sha256(b"a.py").hexdigest()
        rsa, md5, sha1 = source_file("a.py", "RSA", "MD5", "SHA1").findings
        with store.engine.begin() as conn:
            for _ in range(3):
                conn.execute(text("INSERT INTO scans (started_at, status, tool_version, targets, profiles, "
                                  "attachments) VALUES ('2026-01-05T10:00:00Z', 'complete', '0.0.9', '[]', '[]', '{}')"))
            conn.execute(insert(scan_targets), [{"scan_id": n, "target_hash": th, "target": "a.py",
                                                 "collector": "code"} for n in (1, 2, 3)])
            for finding, first, last, gone in ((rsa, 1, 3, None), (md5, 1, 1, 2), (sha1, 2, 2, None)):
                conn.execute(text("INSERT INTO observations (key_hash, kind, ref, target_hash, data, first_seen, "
                                  "run_first, last_seen, disappeared) VALUES (:k, 'finding', :ref, :th, :data, :f, :f, "
                                  ":l, :g)"), {"k": _key(th, "finding", finding.id), "ref": finding.id, "th": th, "f": first, "l": last,
                                               "g": gone, "data": json.dumps(finding.to_dict())})
    with open_store(store_url) as store:
        assert store.schema_revision() == "0004"
        assert store.lifetimes([rsa.id, md5.id, sha1.id]) == {rsa.id: (1, 3, None), md5.id: (1, 1, 2),
                                                              sha1.id: (2, 2, 3)}
    assert [algorithms_of(store_url, n) for n in (1, 2, 3)] == [["MD5", "RSA"], ["RSA", "SHA1"], ["RSA"]]
    fourth = write_scan(store_url, source_file("a.py", "RSA", "SHA1"))
    assert algorithms_of(store_url, fourth) == ["RSA", "SHA1"]
    assert algorithms_of(store_url, 3) == ["RSA"]


def test_downgrading_to_the_first_schema_keeps_every_history_row(store_url: str) -> None:
    # SQLite: a migration that copies a table would drop the old one, and DROP TABLE with foreign keys on
    # deletes its rows first, cascading into observation_runs and scan_targets.
    write_scan(store_url, source_file("a.py", "RSA", "MD5"))
    write_scan(store_url, source_file("a.py", "RSA"))
    write_scan(store_url, source_file("a.py", "RSA", "MD5"))
    seen = [algorithms_of(store_url, scan) for scan in (1, 2, 3)]
    tables = ("scans", "scan_targets", "observations", "observation_runs")

    def counts(store) -> dict[str, int]:  # noqa: ANN001
        with store.engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}

    with open_store(store_url) as store:
        before = counts(store)
        assert before["observation_runs"] == 1
        store.downgrade("0001")
        assert store.schema_revision() == "0001" and counts(store) == before
        store.migrate()
    assert [algorithms_of(store_url, scan) for scan in (1, 2, 3)] == seen
