"""Walking file trees safely: the one walk every path collector is fed from (see ``pathscan.py``).

* lists each directory once (``os.scandir``; the entry's type comes from the listing) and never
  raises for one unreadable directory or entry: a chmod-000 folder or ``/proc`` becomes a
  :class:`Skipped` value and the walk goes on;
* never follows a symlink to a directory (no loops), reports symlinked files only once, and does
  not follow a symlinked file whose target lies outside the scanned roots unless
  ``follow_outside_links`` is set (``--follow-symlinks``): scanning ``repo/`` must not read
  ``/etc/shadow`` through ``repo/link``;
* honours ``.gitignore``-style patterns from ``.gitignore`` files in the tree and ``--exclude``
  (a ``.gitignore`` is read by the walk, bounded, and not handed to the collectors);
* skips files over a size limit and unreadable ones *with a recorded reason*, so nothing
  disappears silently.

File names: :attr:`FileEntry.relpath` is the path relative to the root it was found under,
however the root was spelled (``repo``, ``/abs/repo`` or ``.``), so asset and finding ids are the
same across spellings. When one walk covers several roots, each root's files are prefixed with a
short label (the root folder's name) so they cannot collide; :func:`root_labels` gives the map.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
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
    follow_outside_links: bool = False  # follow symlinked files whose target is outside every root


@dataclass(frozen=True)
class FileEntry:
    path: Path  # where to open it
    root: Path  # the directory it was found under (a file root's parent)
    size: int
    label: str = ""  # "<root label>/" when the walk has several roots, else ""

    @property
    def relpath(self) -> str:
        """The file's name in ids and evidence: relative to its root, prefixed by the root label."""
        return self.label + _relative(self.path, self.root)


def _relative(path: Path, root: Path) -> str:
    text, base = str(path), str(root)
    if base in ("", "."):
        return path.as_posix() if not path.is_absolute() else text
    base = base.rstrip("/") + "/"
    if text.startswith(base):
        return text[len(base):]  # the walk joins names onto the root as given: plain string arithmetic
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class Skipped:
    path: Path
    kind: ErrorKind
    reason: str
    name: str = ""  # the path as named in results (root-relative, like FileEntry.relpath)


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


def root_labels(roots: Iterable[str | Path]) -> dict[str, str]:
    """``{root as given: label}``; labels are "" for a single root directory, else the folder name.

    A file root is labelled by its folder, so files named one by one from the same folder share a
    label. Two different folders with the same name get ``name-2``, ``name-3`` ...
    """
    dirs: dict[str, str] = {}  # resolved folder -> label
    out: dict[str, str] = {}
    given = [str(r) for r in roots]
    folders = []
    for r in given:
        p = Path(r)
        try:
            folder = os.path.realpath(p if p.is_dir() else (p.parent if str(p.parent) else Path(".")))
        except OSError:
            folder = os.path.abspath(r)
        folders.append(folder)
    if len(set(folders)) <= 1:
        return dict.fromkeys(given, "")
    used: set[str] = set()
    for r, folder in zip(given, folders, strict=True):
        if folder not in dirs:
            base = os.path.basename(folder.rstrip("/")) or "root"
            label, n = base, 1
            while label in used:
                n += 1
                label = f"{base}-{n}"
            used.add(label)
            dirs[folder] = label
        out[r] = dirs[folder] + "/"
    return out


def iter_files(
    roots: Iterable[str | Path], options: WalkOptions | None = None
) -> Iterator[FileEntry | Skipped]:
    """Yield every regular file under ``roots`` (a root may itself be a file), or why it was skipped."""
    opts = options or WalkOptions()
    roots = list(roots)
    labels = root_labels(roots)
    real_roots = tuple(_real(r) for r in roots)
    seen: set[tuple[int, int]] = set()
    for root_arg in roots:
        root = Path(root_arg)
        label = labels[str(root_arg)]
        try:
            st = root.stat()
        except FileNotFoundError:
            yield Skipped(root, ErrorKind.NOT_FOUND, "no such file or directory", str(root))
            continue
        except OSError as exc:
            yield Skipped(root, ErrorKind.PERMISSION, exc.strerror or str(exc), str(root))
            continue
        if stat.S_ISREG(st.st_mode):
            yield from _check_file(root, root.parent, st, opts, seen, label)
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield Skipped(root, ErrorKind.UNSUPPORTED, "not a regular file or directory", str(root))
            continue
        user = _Ignore.parse(root, opts.excludes)
        walk = _Walk(root, label, opts, seen, real_roots)
        yield from walk.directory(root, [user])


def _real(path: str | Path) -> str:
    try:
        return os.path.realpath(path)
    except OSError:
        return os.path.abspath(path)


def _inside(target: str, real_roots: Sequence[str]) -> bool:
    return any(target == r or target.startswith(r.rstrip("/") + "/") for r in real_roots)


def list_directory(directory: Path) -> list[os.DirEntry[str]] | Skipped:
    """The one place a directory is opened: its entries by name, or why it could not be listed."""
    try:
        with os.scandir(directory) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return Skipped(directory, ErrorKind.PERMISSION, f"cannot list directory: {exc.strerror or exc}")


def _ignored(path: Path, is_dir: bool, ignores: list[_Ignore]) -> bool:
    verdict = False
    for ig in ignores:
        d = ig.decide(path, is_dir)
        if d is not None:
            verdict = d
    return verdict


@dataclass
class _Walk:
    root: Path
    label: str
    opts: WalkOptions
    seen: set[tuple[int, int]]
    real_roots: tuple[str, ...]

    def name(self, path: Path) -> str:
        return self.label + _relative(path, self.root)

    def directory(self, directory: Path, ignores: list[_Ignore]) -> Iterator[FileEntry | Skipped]:
        listed = list_directory(directory)
        if isinstance(listed, Skipped):
            yield replace(listed, name=self.name(directory))
            return
        opts = self.opts
        if opts.use_gitignore:
            gitignore = next((e for e in listed if e.name == ".gitignore"), None)
            if gitignore is not None and _is_plain_file(gitignore):
                text = _read_gitignore(Path(gitignore.path))
                if text is not None:
                    ignores = [*ignores[:-1], _Ignore.parse(directory, text.splitlines()), ignores[-1]]
        for entry in listed:
            path = Path(entry.path)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                yield Skipped(path, ErrorKind.PERMISSION, exc.strerror or str(exc), self.name(path))
                continue
            if is_dir:
                if opts.default_excludes and entry.name in DEFAULT_EXCLUDED_DIRS:
                    continue
                if _ignored(path, True, ignores):
                    continue
                if entry.name in opts.prune_dirs:
                    yield Skipped(path, ErrorKind.SKIPPED, f"vendored code (directory {entry.name}/ not scanned)",
                                  self.name(path))
                    continue
                yield from self.directory(path, ignores)
                continue
            if opts.use_gitignore and entry.name == ".gitignore" and not is_link:
                continue  # read by the walk itself: walker control, not content
            if _ignored(path, False, ignores):
                continue
            if is_link:
                try:
                    st = path.stat()  # follows the link
                except OSError:
                    yield Skipped(path, ErrorKind.NOT_FOUND, "dangling symlink", self.name(path))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    yield Skipped(path, ErrorKind.SKIPPED, "symlink to a directory is not followed", self.name(path))
                    continue
                if not opts.follow_outside_links and not _inside(_real(path), self.real_roots):
                    yield Skipped(path, ErrorKind.SKIPPED,
                                  "symlink to a file outside the scanned roots is not followed (--follow-symlinks)",
                                  self.name(path))
                    continue
            else:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    yield Skipped(path, ErrorKind.PERMISSION, exc.strerror or str(exc), self.name(path))
                    continue
            yield from _check_file(path, self.root, st, opts, self.seen, self.label)


def _is_plain_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _read_gitignore(path: Path) -> str | None:
    try:
        return read_limited(path, MAX_GITIGNORE_BYTES, truncate=True).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None  # an unreadable .gitignore ignores nothing; the walk goes on


def _check_file(
    path: Path, root: Path, st: os.stat_result, opts: WalkOptions, seen: set[tuple[int, int]], label: str = ""
) -> Iterator[FileEntry | Skipped]:
    if not stat.S_ISREG(st.st_mode):
        yield Skipped(path, ErrorKind.UNSUPPORTED, "not a regular file", label + _relative(path, root))
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return  # the same file reached twice (hard link or symlink): scan it once
    seen.add(key)
    if st.st_size > opts.max_bytes:
        yield Skipped(path, ErrorKind.TOO_LARGE, f"{st.st_size} bytes is over the {opts.max_bytes}-byte limit",
                      label + _relative(path, root))
        return
    yield FileEntry(path, root, st.st_size, label)


def open_regular(path: Path) -> int:
    """Open for reading without blocking, only if it is (still) a regular file: a file descriptor.

    The walk checked the type with stat(), but the path can be swapped for a FIFO or a device
    before it is opened: O_NONBLOCK keeps open() on a FIFO from waiting for a writer, and fstat()
    on the opened descriptor is the check that cannot race. Raises OSError, or ValueError when
    the path is no longer a regular file.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file when opened (replaced after the walk?)")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_limited(path: Path, max_bytes: int, *, truncate: bool = False) -> bytes:
    """Read at most ``max_bytes`` (+1 to detect growth); raises OSError as usual.

    ValueError when the file is not regular or grew past the limit (unless ``truncate``)."""
    with os.fdopen(open_regular(path), "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        if truncate:
            return data[:max_bytes]
        raise ValueError(f"file grew past the {max_bytes}-byte limit while being read")
    return data
