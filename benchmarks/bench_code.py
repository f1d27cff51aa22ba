"""Code scanning throughput and yield on large real corpora, pqscan against the PyPI peers.

Usage: python benchmarks/bench_code.py [--prepare] [--only NAME ...] [--timeout 900] [--no-peers] [--repeat 3]

Corpora (each skipped with a note when absent; ``--prepare`` fetches the PyPI/npm ones):

* ``python-stdlib``: the running interpreter's standard library (``sysconfig`` "stdlib"), copied
  without site-packages/ and __pycache__/;
* ``go-1.19``: /usr/share/go-1.19/src (``apt-get install golang-1.19-src``);
* ``openjdk-17``: java.base from ``lib/src.zip`` of ``apt-get install openjdk-17-source``;
* ``pypi-crypto``: wheels of cryptography, pycryptodome, paramiko, pyjwt, python-jose, pyopenssl,
  ecdsa, rsa (``pip download --only-binary :all:``), unpacked;
* ``npm-crypto``: node-forge, jsonwebtoken, jose, crypto-js (``npm pack``), unpacked.

Every tool runs as a subprocess on the same directory, one after the other, in this run: pqscan
with its defaults (``pqscan code``: vendored, generated and minified files skipped with a recorded
reason; one worker process per CPU, ``-j``; with ``-o`` the terminal gets a per-algorithm summary,
the file every finding), ``pqscan-j1`` (the same in one process), ``pqscan-all``
(``--include-vendored --include-generated --include-minified``: every file the peers read), and each
peer of benchmarks/code_peers.py that is installed, with its defaults. ``--repeat N`` runs all of them
N times in turn (A B C A B C ...) and keeps each tool's median. pqscan's modules are byte-compiled first
(``compileall``), as ``pip install`` does for the peers: with ``PYTHONDONTWRITEBYTECODE`` set and an
editable install, every run would otherwise compile pqscan's source again (0.15-0.2 s of CPU).

Printed per corpus, with the load average before and after: wall seconds, CPU seconds (user + system
of the tool and every worker process it started, from ``getrusage(RUSAGE_CHILDREN)``), MB/s and
files/s over the corpus's source files (the extensions pqscan reads, wall time), peak RSS of the
tool's own process (each tool is started by a bare interpreter that times it from fork to exit and
reads its peak: a process forked from this benchmark would inherit the benchmark's size as its peak;
the launcher's ~15 ms of CPU count for every tool alike), findings and findings per MB, and the ratios peer/pqscan for wall and CPU time
(above 1: pqscan is faster) against pqscan with its defaults. bandit counts only its cryptography
tests (B303-B305, B324, B413, B502-B505); its time covers all its tests.

With ``--read-bytes``, below each corpus's table: the source files of the corpus each tool opened (counted by one
more run of each tool under ``strace -f -e openat``, outside the timed rounds) and its MB/s over those bytes at its
median wall time. The headline MB/s stays the one over the whole corpus; this only shows which tools read less of it.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.code_peers import PEERS, Peer, Run, run_measured, run_peer  # noqa: E402
from pqscan.collect.code.files import LANGUAGE_BY_SUFFIX  # noqa: E402

PQSCAN = Path(sys.executable).with_name("pqscan")
WORK = Path(tempfile.gettempdir()) / "pqscan-bench-corpora"
PYPI_PACKAGES = ("cryptography", "pycryptodome", "paramiko", "pyjwt", "python-jose", "pyopenssl", "ecdsa", "rsa")
NPM_PACKAGES = ("node-forge", "jsonwebtoken", "jose", "crypto-js")


def _stdlib(prepare: bool) -> Path | None:
    src = Path(sysconfig.get_paths()["stdlib"])
    dest = WORK / "python-stdlib"
    if not dest.exists():
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("site-packages", "dist-packages", "__pycache__"),
                        symlinks=True)
    return dest


def _go(prepare: bool) -> Path | None:
    src = Path("/usr/share/go-1.19/src")
    return src if src.is_dir() else None


def _jdk(prepare: bool) -> Path | None:
    dest = WORK / "openjdk-17"
    if dest.exists():
        return dest / "java.base"
    for zip_path in sorted(Path("/usr/lib/jvm").glob("*17*/lib/src.zip")):
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(dest, [n for n in zf.namelist() if n.startswith("java.base/")])
        return dest / "java.base"
    return None


def _pypi(prepare: bool) -> Path | None:
    dest = WORK / "pypi-crypto"
    if not dest.exists() and prepare:
        tmp = WORK / "pypi-wheels"
        tmp.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                        "-d", str(tmp), *PYPI_PACKAGES], check=True)
        for wheel in tmp.glob("*.whl"):
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(dest / wheel.name.split("-")[0])
    return dest if dest.exists() else None


def _npm(prepare: bool) -> Path | None:
    dest = WORK / "npm-crypto"
    if not dest.exists() and prepare and shutil.which("npm"):
        dest.mkdir(parents=True)
        for pkg in NPM_PACKAGES:
            subprocess.run(["npm", "pack", "-q", pkg], cwd=dest, check=True, stdout=subprocess.DEVNULL)
        for tgz in dest.glob("*.tgz"):
            out = dest / tgz.name.removesuffix(".tgz")
            out.mkdir()
            subprocess.run(["tar", "xzf", str(tgz), "-C", str(out)], check=True)
            tgz.unlink()
    return dest if dest.exists() else None


CORPORA: dict[str, Callable[[bool], Path | None]] = {
    "python-stdlib": _stdlib, "go-1.19": _go, "openjdk-17": _jdk, "pypi-crypto": _pypi, "npm-crypto": _npm,
}


def source_size(root: Path) -> tuple[int, int]:
    """Source files and bytes under ``root``; reading them also warms the page cache, so the first
    tool timed does not pay for the disk alone."""
    files = size = 0
    for path in root.rglob("*"):
        if path.suffix.lower() in LANGUAGE_BY_SUFFIX and path.is_file() and not path.is_symlink():
            files += 1
            size += len(path.read_bytes())
    return files, size


def pqscan_argv(root: Path, out: Path, everything: bool = False, jobs: int = 0) -> list[str]:
    argv = [str(PQSCAN), "-q", "code", str(root), "-o", str(out)]
    if jobs:
        argv += ["-j", str(jobs)]
    if everything:
        argv += ["--include-vendored", "--include-generated", "--include-minified"]
    return argv


def run_pqscan(root: Path, out: Path, timeout: float, everything: bool = False, jobs: int = 0) -> Run:
    seconds, rss, code, err = run_measured(pqscan_argv(root, out, everything, jobs), timeout)
    if code != 0:
        return Run(seconds, rss, [], err or f"exit {code}")
    doc = json.loads(out.read_text(encoding="utf-8"))
    return Run(seconds, rss, [(f["evidence"]["location"], f["evidence"].get("line", 0)) for f in doc["findings"]])


@dataclass(frozen=True)
class Timed:
    """A tool's median run over the rounds: wall and CPU seconds (the tool and its worker processes)."""

    run: Run
    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(rounds: list[tuple[Run, float]]) -> Timed:
    """The median of a tool's rounds (wall, CPU); the findings of its last round."""
    return Timed(rounds[-1][0], median(r.seconds for r, _ in rounds), median(c for _, c in rounds))


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress when redirected
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", action="store_true", help="download the PyPI and npm corpora if missing")
    parser.add_argument("--only", nargs="*", choices=list(CORPORA), help="only these corpora")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per tool and corpus")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every tool in turn (median kept)")
    parser.add_argument("--read-bytes", action="store_true",
                        help="also run each tool once more under strace (untimed) and print the source bytes it opened")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    # as pip install does; not the lab's sample repository (data: a __pycache__ there would be one more folder)
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "pqscan", quiet=1, rx=re.compile(r"sample_repo"))
    peers = [] if args.no_peers else [p for p in PEERS if p.available()]
    missing = [p.name for p in PEERS if not p.available()]
    print(f"pqscan: {PQSCAN} (defaults: -j {_default_jobs()}); peers: {', '.join(p.name for p in peers) or 'none'}"
          + (f" (not installed: {', '.join(missing)})" if missing else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or list(CORPORA):
            root = CORPORA[name](args.prepare)
            if root is None:
                print(f"\n{name}: not available here (see the docstring for how to get it)")
                continue
            files, size = source_size(root)
            mb = size / 1e6
            print(f"\n== {name}: {root}  ({files} source files, {mb:.1f} MB), load average {_load()}")
            tools = _tools(root, Path(tmp), peers, args.timeout)
            rounds: dict[str, list[tuple[Run, float]]] = {t: [] for t in tools}
            for _ in range(max(1, args.repeat)):
                for tool, go in tools.items():  # in turn: a load change hits every tool alike
                    before = _children_cpu()
                    r = go()
                    rounds[tool].append((r, _children_cpu() - before))
            rows = {tool: timed(rs) for tool, rs in rounds.items()}
            print(f"{'tool':10} {'wall s':>7} {'CPU s':>6} {'MB/s':>6} {'files/s':>8} {'peak MB':>8} {'findings':>9} "
                  f"{'per MB':>7} {'wall x':>7} {'CPU x':>6} {'findings x':>11}")
            ours = rows["pqscan"]
            for tool, t in rows.items():
                r = t.run
                if r.error:
                    print(f"{tool:10} {t.wall:7.2f} {t.cpu:6.2f}  {r.error[:100]}")
                    continue
                n = len(r.locations)
                peer = not tool.startswith("pqscan")
                ok = peer and not ours.run.error
                wall_x = f"{t.wall / ours.wall:6.2f}x" if ok else ""
                cpu_x = f"{t.cpu / ours.cpu:5.2f}x" if ok else ""
                yield_x = f"{len(ours.run.locations) / n:10.2f}x" if ok and n else ("  (peer: 0)" if peer else "")
                print(f"{tool:10} {t.wall:7.2f} {t.cpu:6.2f} {mb / t.wall:6.2f} {files / t.wall:8.0f} "
                      f"{r.peak_rss_mb:8.0f} {n:9} {n / mb if mb else 0:7.1f} {wall_x:>7} {cpu_x:>6} {yield_x:>11}")
            print(f"   load average after: {_load()}")
            if args.read_bytes:
                _print_read_bytes(root, Path(tmp), peers, rows, args.timeout)
    print("\n'wall x' / 'CPU x' = peer seconds / pqscan seconds (above 1: pqscan is faster); "
          "'findings x' = pqscan findings / peer findings; medians of the rounds.")
    return 0


def _argvs(root: Path, tmp: Path, peers: list[Peer]) -> dict[str, list[str]]:
    """Each tool's command line, as its timed run has it (peers as code_peers.run_peer starts them)."""
    argvs = {"pqscan": pqscan_argv(root, tmp / "read-pqscan.json"),
             "pqscan-j1": pqscan_argv(root, tmp / "read-j1.json", jobs=1),
             "pqscan-all": pqscan_argv(root, tmp / "read-all.json", True)}
    for p in peers:
        argvs[p.name] = [str(p.executable), *p.argv(root, tmp / f"read-{p.name}.json")]
    return argvs


_OPENAT = re.compile(r'^(\d+) +openat\((?:AT_FDCWD|\d+), "((?:[^"\\]|\\.)*)"')
_RESULT = re.compile(r"^(\d+) .*\) += (-?\d+)")  # the call's result: on its line, or on "<... openat resumed>"


def opened_source(argv: list[str], root: Path, timeout: float) -> tuple[int, int] | None:
    """(files, bytes) of the source files under ``root`` that one run of ``argv`` opened (``strace -f -e openat``,
    each file counted once, at its size on disk), or None without strace."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".strace") as log:
        try:
            subprocess.run([strace, "-f", "-qq", "-e", "trace=openat", "-o", log.name, *argv], timeout=timeout,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            return None
        lines = Path(log.name).read_text(encoding="utf-8", errors="replace").splitlines()
    seen: set[Path] = set()
    top = root.resolve()
    pending: dict[str, str] = {}  # pid -> path of an openat whose result is on a later line (other processes ran)
    for line in lines:
        m = _OPENAT.match(line)
        if m is not None:
            pending[m.group(1)] = m.group(2)
        r = _RESULT.match(line)
        if r is None or ("openat" not in line) or (opened := pending.pop(r.group(1), None)) is None:
            continue
        path = (Path.cwd() / opened.encode("latin-1", "backslashreplace").decode("unicode_escape")).resolve()
        if int(r.group(2)) >= 0 and path.suffix.lower() in LANGUAGE_BY_SUFFIX and path.is_relative_to(top) \
                and path.is_file():
            seen.add(path)
    return len(seen), sum(p.stat().st_size for p in seen)


def _print_read_bytes(root: Path, tmp: Path, peers: list[Peer], rows: dict[str, Timed], timeout: float) -> None:
    """What each tool read of the corpus, and its MB/s over those bytes (not the headline: a tool that skips files
    reads less of the same corpus)."""
    print("   source files each tool opened (one more, untimed run under strace -f -e openat; each file once), and MB/s"
          " over those bytes at the median wall time above:")
    for tool, argv in _argvs(root, tmp, peers).items():
        t = rows.get(tool)
        if t is None or t.run.error:
            continue
        got = opened_source(argv, root, timeout)
        if got is None:
            print(f"   {tool:10} (strace not available or timed out)")
            continue
        files, size = got
        print(f"   {tool:10} {files:6} files {size / 1e6:7.2f} MB read {size / 1e6 / t.wall:7.2f} MB/s over them")


def _tools(root: Path, tmp: Path, peers: list[Peer], timeout: float) -> dict[str, Callable[[], Run]]:
    """Each tool's run on ``root`` (pqscan with its defaults first: the ratios are against it)."""
    tools: dict[str, Callable[[], Run]] = {
        "pqscan": lambda: run_pqscan(root, tmp / "pqscan.json", timeout),
        "pqscan-j1": lambda: run_pqscan(root, tmp / "j1.json", timeout, jobs=1),
        "pqscan-all": lambda: run_pqscan(root, tmp / "all.json", timeout, True),
    }
    for p in peers:
        tools[p.name] = lambda p=p: run_peer(p, root, tmp / f"{p.name}.json", timeout)
    return tools


def _default_jobs() -> int:
    from pqscan.commands.code import _cpus

    return _cpus()


if __name__ == "__main__":
    raise SystemExit(main())
