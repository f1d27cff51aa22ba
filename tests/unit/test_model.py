"""The inventory model: values round-trip through JSON, ids are stable, enums are complete."""

from __future__ import annotations

import datetime
import json

import pytest

from pqscan.model import (
    Asset,
    AssetKind,
    Confidence,
    ErrorKind,
    Evidence,
    Finding,
    Relation,
    RelationKind,
    ScanError,
    ScanResult,
    Severity,
    Usage,
    attribute_date,
    findings_by_asset,
    plain_fields,
)


def finding(**overrides: object) -> Finding:
    base: dict[str, object] = {
        "asset_id": "file:src/keys.py",
        "algorithm": "RSA",
        "usage": Usage.KEY_GENERATION,
        "collector": "code",
        "parameters": {"key_bits": 2048},
        "evidence": Evidence("src/keys.py", 8, 10, "rsa.generate_private_key", "key = rsa.generate_private_key()"),
        "confidence": Confidence.MEDIUM,
    }
    base.update(overrides)
    return Finding(**base)  # type: ignore[arg-type]


def test_finding_round_trips_through_json() -> None:
    f = finding()
    again = Finding.from_dict(json.loads(json.dumps(f.to_dict())))
    assert again == f
    assert again.id == f.id


def test_finding_id_survives_a_line_shift() -> None:
    moved = finding(evidence=Evidence("src/keys.py", 42, 10, "rsa.generate_private_key", "moved"))
    assert moved.id == finding().id


def test_finding_id_changes_with_the_key_size() -> None:
    assert finding(parameters={"key_bits": 4096}).id != finding().id


def test_finding_id_is_24_hex_digits() -> None:
    fid = finding().id
    assert len(fid) == 24 and int(fid, 16) >= 0


def test_asset_round_trips_with_relations_and_attributes() -> None:
    a = Asset("tls://h.example.test:443", AssetKind.TLS_ENDPOINT, "h.example.test:443", "h",
              {"protocols": {"TLS1.3": True}}, (Relation(RelationKind.PRESENTS, "cert:sha256:ab"),))
    again = Asset.from_dict(json.loads(json.dumps(a.to_dict())))
    assert again.to_dict() == a.to_dict()
    assert again.relations == a.relations


def test_same_asset_seen_twice_unites_attributes_and_relations() -> None:
    a = Asset("cert:sha256:ca", AssetKind.CERTIFICATE, "a:443", "CA", {"x": 1},
              (Relation(RelationKind.ISSUED_BY, "cert:sha256:root"),))
    b = Asset("cert:sha256:ca", AssetKind.CERTIFICATE, "b:443", "", {"y": 2},
              (Relation(RelationKind.ISSUED_BY, "cert:sha256:root"), Relation(RelationKind.CONTAINS, "k")))
    m = a.merged_with(b)
    assert m.attributes == {"x": 1, "y": 2}
    assert m.relations == (Relation(RelationKind.ISSUED_BY, "cert:sha256:root"), Relation(RelationKind.CONTAINS, "k"))
    assert (m.location, m.name) == ("a:443", "CA")


def test_scan_error_round_trips() -> None:
    e = ScanError("down.example.test:443", "connect", ErrorKind.TIMEOUT, "no answer within 5 s", "tls")
    assert ScanError.from_dict(json.loads(json.dumps(e.to_dict()))) == e


def test_scan_result_records_errors_as_values() -> None:
    r = ScanResult("h:443", "tls")
    err = r.error("connect", ErrorKind.REFUSED, "connection refused")
    assert r.errors == [err] and err.collector == "tls" and err.target == "h:443"


def test_evidence_leaves_out_empty_fields() -> None:
    assert Evidence("a.py").to_dict() == {"location": "a.py"}


def test_severity_ranks_critical_highest() -> None:
    ranked = sorted(Severity, key=lambda s: s.rank, reverse=True)
    assert ranked == [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]


def test_severity_parse_accepts_any_case_and_names_choices_on_error() -> None:
    assert Severity.parse(" HIGH ") is Severity.HIGH
    with pytest.raises(ValueError, match="choose from critical"):
        Severity.parse("severe")


def test_findings_group_by_asset() -> None:
    a, b = finding(), finding(asset_id="file:other.py")
    assert findings_by_asset([a, b, a]) == {"file:src/keys.py": [a, a], "file:other.py": [b]}


@pytest.mark.parametrize("value,expected", [
    ("2031-01-02T03:04:05Z", datetime.date(2031, 1, 2)), ("2031-01-02", datetime.date(2031, 1, 2)),
    ("2031-13-40", None), ("2031", None), (None, None), (20310102, None)])
def test_a_date_attribute_reads_as_its_day_or_as_nothing(value: object, expected: datetime.date | None) -> None:
    assert attribute_date(value) == expected


def test_a_record_reads_as_json_field_by_field_with_enums_dates_and_tuples_made_plain() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Record:
        name: str
        severity: Severity | None
        due: datetime.date | None
        tags: tuple[str, ...]

    assert plain_fields(Record("a", Severity.HIGH, datetime.date(2030, 12, 31), ("x", "y"))) == {
        "name": "a", "severity": "high", "due": "2030-12-31", "tags": ["x", "y"]}
    assert json.dumps(plain_fields(Record("b", None, None, ()))) == (
        '{"name": "b", "severity": null, "due": null, "tags": []}')
