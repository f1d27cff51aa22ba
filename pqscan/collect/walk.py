"""Walking file trees safely: shared by the certificate/key scanner and the code scanner.

* never follows a symlink to a directory (no loops), and reports symlinked files only once;
* honours ``.gitignore``-style patterns from ``.gitignore`` files in the tree and ``--exclude``;
* skips files over a size limit, binary files and unreadable ones *with a recorded reason*
  (a :class:`Skipped` value), so nothing disappears silently.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pqscan.model import ErrorKind

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_GITIGNORE_BYTES = 1024 * 1024
# Directories nobody wants scanned by default; --no-default-excludes turns this off.
DEFAULT_EXCLUDED_DIRS = (".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".mypy_cache", ".ruff_cache",
                         ".pytest_cache", ".venv", "venv", "node_modules", ".idea", ".vscode")


@dataclass(frozen=True)
class WalkOptions:
    excludes: Sequence[str] = ()  # gitignore-style patterns, matched against the path relative to the root
    max_bytes: int = DEFAULT_MAX_BYTES
    use_gitignore: bool = True
    default_excludes: bool = True
    # Directory names not descended into, each recorded once as a Skipped value (the code scanner
    # prunes vendor/, third_party/ ... this way instead of stat-ing every file below them).
    prune_dirs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FileEntry:
    path: Path
    root: Path
    size: int

    @property
    def relpath(self) -> str:
        try:
            return self.path.relative_to(self.root).as_posix()
        except ValueError:
            return self.path.as_posix()


@dataclass(frozen=True)
class Skipped:
    path: Path
    kind: ErrorKind
    reason: str


@dataclass
class _Ignore:
    """Patterns from one .gitignore (or --exclude), anchored at ``base``."""

    base: Path
    patterns: list[tuple[str, bool, bool, bool]] = field(default_factory=list)  # (glob, negate, dir_only, anchored)

    @classmethod
    def parse(cls, base: Path, lines: Iterable[str]) -> _Ignore:
        ig = cls(base)
        for raw in lines:
            line = raw.rstrip("\n").rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            if line:
                ig.patterns.append((line, negate, dir_only, anchored))
        return ig

    def decide(self, path: Path, is_dir: bool) -> bool | None:
        """True = ignored, False = re-included, None = no opinion."""
        if not self.patterns:
            return None  # most trees: no .gitignore here and no --exclude; skip the path arithmetic
        base = str(self.base).rstrip("/") + "/"
        text = str(path)
        if text.startswith(base):
            rel = text[len(base):]
        else:
            try:
                rel = path.relative_to(self.base).as_posix()
            except ValueError:
                return None
        verdict: bool | None = None
        name = path.name
        for glob, negate, dir_only, anchored in self.patterns:
            if dir_only and not is_dir:
                continue
            target = rel if anchored else name
            if fnmatch.fnmatchcase(target, glob) or (anchored and fnmatch.fnmatchcase(rel, glob + "/**")):
                verdict = not negate
        return verdict


def looks_binary(head: bytes) -> bool:
    """A NUL byte in the first block is the same test git and grep use."""
    return b"\0" in head


def iter_files(
    roots: Iterable[str | Path], options: WalkOptions | None = None
) -> Iterator[FileEntry | Skipped]:
    """Yield every regular file under ``roots`` (a root may itself be a file), or why it was skipped."""
    opts = options or WalkOptions()
    seen: set[tuple[int, int]] = set()
    for root_arg in roots:
        root = Path(root_arg)
        try:
            st = root.stat()
        except FileNotFoundError:
            yield Skipped(root, ErrorKind.NOT_FOUND, "no such file or directory")
            continue
        except OSError as exc:
            yield Skipped(root, ErrorKind.PERMISSION, exc.strerror or str(exc))
            continue
        if stat.S_ISREG(st.st_mode):
            yield from _check_file(root, root.parent, st, opts, seen)
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield Skipped(root, ErrorKind.UNSUPPORTED, "not a regular file or directory")
            continue
        user = _Ignore.parse(root, opts.excludes)
        yield from _walk_dir(root, root, [user], opts, seen)


def _ignored(path: Path, is_dir: bool, ignores: list[_Ignore]) -> bool:
    verdict = False
    for ig in ignores:
        d = ig.decide(path, is_dir)
        if d is not None:
            verdict = d
    return verdict


def _walk_dir(
    root: Path, directory: Path, ignores: list[_Ignore], opts: WalkOptions, seen: set[tuple[int, int]]
) -> Iterator[FileEntry | Skipped]:
    if opts.use_gitignore:
        gi = directory / ".gitignore"
        if gi.is_file():
            try:
                with open(gi, "rb") as fh:  # bounded: a .gitignore is a few KB, a hostile one need not be
                    text = fh.read(MAX_GITIGNORE_BYTES).decode("utf-8", "replace")
                ignores = [*ignores[:-1], _Ignore.parse(directory, text.splitlines()), ignores[-1]]
            except OSError:
                pass
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(directory, ErrorKind.PERMISSION, f"cannot list directory: {exc.strerror or exc}")
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as exc:
            yield Skipped(path, ErrorKind.PERMISSION, exc.strerror or str(exc))
            continue
        if is_dir:
            if opts.default_excludes and entry.name in DEFAULT_EXCLUDED_DIRS:
                continue
            if _ignored(path, True, ignores):
                continue
            if entry.name in opts.prune_dirs:
                yield Skipped(path, ErrorKind.SKIPPED, f"vendored code (directory {entry.name}/ not scanned)")
                continue
            yield from _walk_dir(root, path, ignores, opts, seen)
            continue
        if _ignored(path, False, ignores):
            continue
        if is_link:
            try:
                st = path.stat()  # follows the link
            except OSError:
                yield Skipped(path, ErrorKind.NOT_FOUND, "dangling symlink")
                continue
            if stat.S_ISDIR(st.st_mode):
                yield Skipped(path, ErrorKind.SKIPPED, "symlink to a directory is not followed")
                continue
        else:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                yield Skipped(path, ErrorKind.PERMISSION, exc.strerror or str(exc))
                continue
        yield from _check_file(path, root, st, opts, seen)


def _check_file(
    path: Path, root: Path, st: os.stat_result, opts: WalkOptions, seen: set[tuple[int, int]]
) -> Iterator[FileEntry | Skipped]:
    if not stat.S_ISREG(st.st_mode):
        yield Skipped(path, ErrorKind.UNSUPPORTED, "not a regular file")
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return  # the same file reached twice (hard link or symlink): scan it once
    seen.add(key)
    if st.st_size > opts.max_bytes:
        yield Skipped(path, ErrorKind.TOO_LARGE, f"{st.st_size} bytes is over the {opts.max_bytes}-byte limit")
        return
    yield FileEntry(path, root, st.st_size)


def read_limited(path: Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` (+1 to detect growth); raises OSError as usual."""
    # O_NONBLOCK + fstat: the path may have been swapped for a FIFO since the walk's stat();
    # a blocking open() on a FIFO waits for a writer forever.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file when opened")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"file grew past the {max_bytes}-byte limit while being read")
    return data
