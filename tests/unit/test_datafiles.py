"""pqscan's shipped data files are parsed once per content and kept in a per-user cache."""

from __future__ import annotations

import marshal
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from pqscan import datafiles

SHIPPED = sorted(p.relative_to(resources.files("pqscan")).as_posix()  # type: ignore[arg-type]
                 for p in Path(str(resources.files("pqscan"))).joinpath("data").rglob("*.toml"))
TOML = b'[[algorithm]]\nid = "RSA"\nbits = [2048, 3072]\n'


def test_every_shipped_data_file_reads_the_same_from_the_cache_as_from_toml(tmp_path: Path) -> None:
    assert "data/algorithms.toml" in SHIPPED
    for name in SHIPPED:
        raw = resources.files("pqscan").joinpath(name).read_bytes()
        first = datafiles.parse_cached(raw, name.replace("/", "-"), tmp_path)
        second = datafiles.parse_cached(raw, name.replace("/", "-"), tmp_path)
        assert first == second == tomllib.loads(raw.decode())
    assert len(list(tmp_path.glob("*.marshal"))) == len(SHIPPED)


def test_the_second_read_comes_from_the_cache_entry(tmp_path: Path) -> None:
    datafiles.parse_cached(TOML, "t", tmp_path)
    (entry,) = tmp_path.glob("t-*.marshal")
    entry.write_bytes(marshal.dumps({"algorithm": [{"id": "from-cache"}]}))
    assert datafiles.parse_cached(TOML, "t", tmp_path) == {"algorithm": [{"id": "from-cache"}]}


def test_an_edited_file_gets_a_new_entry_and_the_old_one_is_removed(tmp_path: Path) -> None:
    datafiles.parse_cached(TOML, "t", tmp_path)
    edited = TOML.replace(b"RSA", b"DSA")
    assert datafiles.parse_cached(edited, "t", tmp_path)["algorithm"][0]["id"] == "DSA"
    (entry,) = tmp_path.glob("t-*.marshal")
    assert marshal.loads(entry.read_bytes())["algorithm"][0]["id"] == "DSA"


@pytest.mark.parametrize("content", [b"", b"\x00garbage", marshal.dumps([1, 2]), marshal.dumps("text")])
def test_a_broken_entry_is_ignored_and_rewritten(tmp_path: Path, content: bytes) -> None:
    datafiles.parse_cached(TOML, "t", tmp_path)
    (entry,) = tmp_path.glob("t-*.marshal")
    entry.write_bytes(content)
    assert datafiles.parse_cached(TOML, "t", tmp_path) == tomllib.loads(TOML.decode())
    assert marshal.loads(entry.read_bytes()) == tomllib.loads(TOML.decode())


def test_values_marshal_cannot_keep_are_parsed_every_time(tmp_path: Path) -> None:
    dated = b'published = 2024-08-13\n'
    assert str(datafiles.parse_cached(dated, "d", tmp_path)["published"]) == "2024-08-13"
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_cache_only_costs_the_parse(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert datafiles.parse_cached(TOML, "t", blocker / "cache") == tomllib.loads(TOML.decode())


def test_cache_location_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PQSCAN_NO_CACHE", raising=False)
    monkeypatch.delenv("PQSCAN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datafiles.cache_dir() == tmp_path / "xdg" / "pqscan"
    monkeypatch.setenv("PQSCAN_CACHE_DIR", str(tmp_path / "own"))
    assert datafiles.cache_dir() == tmp_path / "own"
    monkeypatch.setenv("PQSCAN_NO_CACHE", "1")
    assert datafiles.cache_dir() is None
    monkeypatch.setenv("PQSCAN_CACHE_DIR", str(tmp_path / "unused"))
    assert datafiles.shipped_toml("data/tls_cipher_suites.toml")["cipher_suite"]
    assert not (tmp_path / "unused").exists()


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PQSCAN_NO_CACHE", "PQSCAN_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)

    def nowhere() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(nowhere))
    assert datafiles.cache_dir() is None
