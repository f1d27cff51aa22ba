"""The labelled real-code corpus: pinned sources, labels, and where each labelled file's bytes are.

Layout (this folder): ``<group>/sources.toml`` pins each source (kind, name, version, artifact sha256);
``<group>/<kind>-<name>.toml`` labels files of one source (format: README.md here). The third-party
files themselves are never committed: :func:`read_file` finds them in a cache directory
(``$PQSCAN_CORPUS_CACHE``, default ``~/.cache/pqscan/real-corpus``; ``fetch.py`` fills it, and the
labellers' /work/corpus-cache has the same layout) or, for git sources, in a bare mirror
(``$PQSCAN_CORPUS_MIRRORS``: a folder of ``OWNER+NAME`` bare repositories as the ``fetch`` tool makes).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = Path(os.environ.get("PQSCAN_CORPUS_CACHE", str(Path.home() / ".cache/pqscan/real-corpus")))
DEFAULT_MIRRORS = Path(os.environ.get("PQSCAN_CORPUS_MIRRORS", "/work/.mirror"))

REQUIRED, OPTIONAL, NEVER = "required", "optional", "never"


@dataclass(frozen=True)
class Source:
    id: str
    kind: str  # pypi | npm | deb | git
    name: str
    version: str
    artifact: str = ""
    sha256: str = ""

    @property
    def folder(self) -> str:
        """The cache folder: ``<kind>/<name>@<version>`` (``/`` in a name -> ``__``; git: ``OWNER+NAME``)."""
        name = self.name.replace("/", "+") if self.kind == "git" else self.name.replace("/", "__")
        return f"{self.kind}/{name}@{self.version}"


@dataclass(frozen=True)
class Label:
    line: int
    family: str  # one family, or "A|B"
    kind: str  # required | optional | never
    category: str
    note: str = ""

    @property
    def families(self) -> frozenset[str]:
        return frozenset(self.family.split("|"))


@dataclass(frozen=True)
class LabelledFile:
    source: Source
    path: str  # relative to the unpacked source; "archive.zip!/member" inside a zip
    language: str
    sha256: str
    clean: bool
    labels: tuple[Label, ...]

    @property
    def key(self) -> str:
        return f"{self.source.id}:{self.path}"


def _groups(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/sources.toml"))


def load(root: Path = HERE) -> tuple[dict[str, Source], list[LabelledFile]]:
    """Every pinned source and labelled file under ``root`` (one folder per labelling group)."""
    sources: dict[str, Source] = {}
    files: list[LabelledFile] = []
    for group in _groups(root):
        data = tomllib.loads((group / "sources.toml").read_text(encoding="utf-8"))
        for s in data.get("source", []):
            sources[s["id"]] = Source(s["id"], s["kind"], s["name"], str(s["version"]), s.get("artifact", ""),
                                      s.get("sha256", ""))
    for group in _groups(root):
        for label_file in sorted(group.glob("*.toml")):
            if label_file.name == "sources.toml":
                continue
            data = tomllib.loads(label_file.read_text(encoding="utf-8"))
            source = sources.get(data.get("source", ""))
            if source is None:
                raise ValueError(f"{label_file}: source {data.get('source')!r} is not pinned in sources.toml")
            for f in data.get("file", []):
                labels = tuple(Label(int(lb["line"]), lb["family"], lb["kind"], lb.get("category", "other"),
                                     lb.get("note", "")) for lb in f.get("labels", []))
                files.append(LabelledFile(source, f["path"], f["language"], f.get("sha256", ""),
                                          bool(f.get("clean", False)), labels))
    return sources, files


def mirror_dir(source: Source, mirrors: Path = DEFAULT_MIRRORS) -> Path | None:
    """The bare git directory of a git source under ``mirrors`` (``OWNER+NAME/...``), if present."""
    base = mirrors / source.name.replace("/", "+")
    if not base.is_dir():
        return None
    for candidate in (base, *sorted(base.iterdir())):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def read_file(item: LabelledFile, cache: Path = DEFAULT_CACHE, mirrors: Path = DEFAULT_MIRRORS
              ) -> bytes | str:
    """The labelled file's bytes, checked against its sha256; or the reason it is not available."""
    data = _read(item, cache, mirrors)
    if isinstance(data, str):
        return data
    if item.sha256 and hashlib.sha256(data).hexdigest() != item.sha256:
        return f"sha256 mismatch for {item.key}"
    return data


def _read(item: LabelledFile, cache: Path, mirrors: Path) -> bytes | str:
    root = cache / item.source.folder
    archive, sep, member = item.path.partition("!/")
    if sep:
        unzipped = root / Path(archive).parent / Path(archive).stem / member
        if unzipped.is_file():
            return unzipped.read_bytes()
        if (root / archive).is_file():
            with zipfile.ZipFile(root / archive) as z:
                try:
                    return z.read(member)
                except KeyError:
                    return f"{member} not in {archive}"
        return f"{item.source.id} not in the cache ({root}); run benchmarks/real_corpus/fetch.py"
    if (root / item.path).is_file():
        return (root / item.path).read_bytes()
    if item.source.kind == "deb" and root.is_dir():  # a path given below the package's own folder
        found = [p for p in root.rglob(PurePosixPath(item.path).name) if p.as_posix().endswith("/" + item.path)]
        if len(found) == 1:
            return found[0].read_bytes()
    if item.source.kind == "git":
        git_dir = mirror_dir(item.source, mirrors)
        if git_dir is None:
            return f"git source {item.source.name} has no mirror under {mirrors} (not fetchable from CI)"
        proc = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{item.source.version}:{item.path}"],
                              capture_output=True, timeout=60)
        if proc.returncode != 0:
            return f"git show failed for {item.key}: {proc.stderr.decode(errors='replace').strip()[:120]}"
        return proc.stdout
    return f"{item.source.id} not in the cache ({root}); run benchmarks/real_corpus/fetch.py"


def available(files: list[LabelledFile], cache: Path = DEFAULT_CACHE, mirrors: Path = DEFAULT_MIRRORS
              ) -> Iterator[tuple[LabelledFile, bytes | str]]:
    for item in files:
        yield item, read_file(item, cache, mirrors)
