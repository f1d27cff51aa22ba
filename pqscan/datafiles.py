"""pqscan's own data files (``pqscan/data/*.toml``), parsed once per content.

Parsing the shipped TOML tables is most of pqscan's start-up (the algorithm catalogue alone took ~85 ms
of tomllib on every command). The parsed tables are kept in a per-user cache as ``marshal`` data:

* keyed by the SHA-256 of the file's bytes and the Python version, so an edited or upgraded data file
  is never read from a stale entry, and older entries of the same file are removed when a new one is written;
* ``marshal`` holds only plain values here (dicts, lists, strings, numbers, booleans) and, unlike pickle,
  runs nothing while loading; an entry that is not a dict, is too large, or does not load is ignored and
  rewritten;
* the cache is ``$PQSCAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/pqscan``, else ``~/.cache/pqscan``;
  ``PQSCAN_NO_CACHE=1`` turns it off. A cache that cannot be read or written only costs the parse.

Only pqscan's shipped files go through here; files a user names (profiles, manifests) are parsed every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

MAX_ENTRY_BYTES = 32 * 1024 * 1024
_PACKAGE = Path(__file__).resolve().parent  # a plain folder once installed (importlib.resources costs ~5 ms to import)


def cache_dir() -> Path | None:
    """Where parsed data files are kept, or None when caching is off."""
    if os.environ.get("PQSCAN_NO_CACHE", "").strip() not in ("", "0"):
        return None
    explicit = os.environ.get("PQSCAN_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg:
        return Path(xdg) / "pqscan"
    try:
        return Path.home() / ".cache" / "pqscan"
    except RuntimeError:  # no HOME and no password entry: no cache rather than one in the working folder
        return None


def shipped_toml(name: str) -> dict[str, Any]:
    """The parsed content of ``pqscan/<name>`` (a TOML file shipped with pqscan)."""
    raw = (_PACKAGE / name).read_bytes()
    return parse_cached(raw, name.removesuffix(".toml").replace("/", "-"), cache_dir())


def parse_cached(raw: bytes, stem: str, directory: Path | None) -> dict[str, Any]:
    """``tomllib.loads(raw)``, read from or written to ``directory`` when one is given."""
    import tomllib  # only when a table is parsed

    if directory is None:
        return tomllib.loads(raw.decode("utf-8"))
    version = f"{sys.version_info[0]}.{sys.version_info[1]}".encode()
    key = hashlib.sha256(version + b"\0" + raw).hexdigest()[:32]
    entry = directory / f"{stem}-{key}.marshal"
    cached = _read_entry(entry)
    if cached is not None:
        return cached
    data = tomllib.loads(raw.decode("utf-8"))
    _write_entry(directory, stem, entry, data)
    return data


def _read_entry(entry: Path) -> dict[str, Any] | None:
    try:
        with entry.open("rb") as fh:
            blob = fh.read(MAX_ENTRY_BYTES + 1)
        if len(blob) > MAX_ENTRY_BYTES:
            return None
        value = marshal.loads(blob)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def _write_entry(directory: Path, stem: str, entry: Path, data: dict[str, Any]) -> None:
    tmp = directory / f".{entry.name}.{os.getpid()}.tmp"
    try:
        blob = marshal.dumps(data)  # ValueError when the table holds a value marshal cannot keep (a date)
        directory.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(blob)
        os.replace(tmp, entry)
        for old in directory.glob(f"{stem}-*.marshal"):
            if old != entry:
                old.unlink(missing_ok=True)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
