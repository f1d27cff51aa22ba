"""The one place pqscan writes a file the user named (``-o``, ``--report``, ``--sarif``, inventories).

Rules (README, "Hostile input"):

* The target must be a regular file or not exist yet. A symbolic link, a named pipe, a device node,
  a socket or a directory at the path is refused with one line (exit 2) and left as it was: an atomic
  rename would silently replace ``/dev/null`` with a regular file (as root), and following a link
  writes where the user did not look. To write to the terminal or a pipe, omit ``-o`` (stdout).
* The folder must exist: "no such directory", exit 2, before any scanning starts.
* Whole documents are written to a fresh temporary file in the same folder and renamed over the
  target, so a crash never leaves half a document; streams (``.jsonl``) are opened without following
  a symbolic link.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pqscan.errors import UsageError

_KINDS = (
    (stat.S_ISLNK, "is a symbolic link"),
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a named pipe"),
    (stat.S_ISCHR, "is a character device"),
    (stat.S_ISBLK, "is a block device"),
    (stat.S_ISSOCK, "is a socket"),
)


def check_output(path: str | Path) -> Path:
    """``path`` if pqscan may create or replace it; else :class:`UsageError` with one line."""
    path = Path(path)
    parent = path.absolute().parent
    if not parent.is_dir():
        raise UsageError(f"{path}: no such directory ({parent})")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    for test, what in _KINDS:
        if test(mode):
            raise UsageError(f"{path}: {what}, not a regular file; refusing to replace it "
                             "(name a regular file, or omit -o to write to stdout)")
    return path


@contextlib.contextmanager
def atomic_text(path: str | Path) -> Iterator[IO[str]]:
    """A text file handle whose content replaces ``path`` only when the block ends without error."""
    path = check_output(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.absolute().parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (see the module rules)."""
    try:
        with atomic_text(path) as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None


def open_stream(path: str | Path, *, append: bool) -> IO[str]:
    """A ``.jsonl`` stream opened for writing (appending with ``append``), never through a symlink."""
    path = check_output(path)
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | (os.O_APPEND if append else os.O_TRUNC)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return os.fdopen(fd, "a" if append else "w", encoding="utf-8")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
