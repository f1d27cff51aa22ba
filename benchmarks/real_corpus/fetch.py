"""Materialise the labelled real corpus into a cache directory (never into the repository).

Usage: python benchmarks/real_corpus/fetch.py [--cache DIR] [--mirrors DIR] [--only KIND ...] [--check]

Per pinned source (``*/sources.toml`` here): ``pypi`` via ``pip download --no-deps --no-binary :all:``,
``npm`` via ``npm pack``, ``deb`` via ``apt-get download`` + ``dpkg-deb -x`` (the openjdk-17-source
``src.zip`` is unzipped beside itself); the artifact's sha256 is checked against the pin, then every
labelled file's sha256. ``git`` sources are read from a bare mirror (``--mirrors``, default
$PQSCAN_CORPUS_MIRRORS or /work/.mirror, as the ``fetch`` tool of the labelling sessions makes them);
without one that source is skipped with the reason (CI has no mirrors). ``--check`` only reports what
is present. Network use: the package registries' ordinary clients, nothing else.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.real_corpus.corpus import DEFAULT_CACHE, DEFAULT_MIRRORS, HERE, Source, load, mirror_dir, read_file  # noqa: E402

TIMEOUT = 600


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _run(cmd: list[str], cwd: Path) -> str | None:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{cmd[0]}: {exc}"
    return None if proc.returncode == 0 else f"{' '.join(cmd[:3])}: {proc.stderr.strip()[-200:]}"


def _safe_extract_tar(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")


def _download(source: Source, tmp: Path) -> Path | str:
    if source.kind == "pypi":
        err = _run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
                    f"{source.name}=={source.version}", "-d", str(tmp)], tmp)
    elif source.kind == "npm":
        if shutil.which("npm") is None:
            return "npm is not installed"
        err = _run(["npm", "pack", "--silent", f"{source.name}@{source.version}"], tmp)
    elif source.kind == "deb":
        if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
            return "apt-get/dpkg-deb are not available"
        err = _run(["apt-get", "download", f"{source.name}={source.version}"], tmp)
    else:
        return f"unknown source kind {source.kind!r}"
    if err:
        return err
    found = [p for p in tmp.iterdir() if p.is_file()]
    if not found:
        return "nothing was downloaded"
    return found[0]


def materialise(source: Source, cache: Path) -> str | None:
    """Unpack one registry source into ``cache``; None, or why not."""
    dest = cache / source.folder
    if dest.is_dir() and any(dest.iterdir()):
        return None
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        artifact = _download(source, tmp)
        if isinstance(artifact, str):
            return artifact
        if source.sha256 and _sha256(artifact) != source.sha256:
            return f"artifact sha256 differs from the pin ({artifact.name})"
        staging = tmp / "unpacked"
        staging.mkdir()
        if source.kind == "deb":
            err = _run(["dpkg-deb", "-x", str(artifact), str(staging)], tmp)
            if err:
                return err
            for src_zip in staging.rglob("src.zip"):
                with zipfile.ZipFile(src_zip) as z:
                    z.extractall(src_zip.parent / "src")
        elif artifact.name.endswith(".zip"):
            with zipfile.ZipFile(artifact) as z:
                z.extractall(staging)
        else:
            _safe_extract_tar(artifact, staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), dest)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=HERE)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--only", nargs="*", choices=["pypi", "npm", "deb", "git"])
    parser.add_argument("--check", action="store_true", help="download nothing; report what is present")
    args = parser.parse_args()
    sources, files = load(args.labels)
    status = 0
    for source in sources.values():
        if args.only and source.kind not in args.only:
            continue
        if source.kind == "git":
            reason = None if mirror_dir(source, args.mirrors) else f"no mirror under {args.mirrors} (skipped)"
        elif args.check:
            reason = None if (args.cache / source.folder).is_dir() else "not in the cache"
        else:
            reason = materialise(source, args.cache)
        labelled = [f for f in files if f.source.id == source.id]
        bad = [r for f in labelled if isinstance(r := read_file(f, args.cache, args.mirrors), str)] if not reason else []
        if reason:
            print(f"SKIP {source.id}: {reason}")
        elif bad:
            status = 1
            print(f"FAIL {source.id}: {len(bad)} of {len(labelled)} labelled files unusable: {bad[0]}")
        else:
            print(f"ok   {source.id}: {len(labelled)} labelled files")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
