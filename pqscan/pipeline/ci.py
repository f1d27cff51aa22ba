"""CI mode as a library: scan a repository (code, dependencies, configuration, committed keys and
certificates: the collectors ``pqscan scan`` uses, over one walk), judge it against policy profiles,
compare with a baseline, and decide the exit code.

* **Fail on new quantum-vulnerable crypto** (``fail_on_new_quantum_vulnerable``): any *new*
  finding whose algorithm the catalogue marks Shor-broken (RSA, DH, DSA, ECDH, ECDSA, EdDSA,
  X25519 ...) fails the run, whatever severity today's profiles give it.

``pqscan ci`` (``pqscan/commands/ci.py``) only parses options and renders what :func:`run_ci` returns.

* **Baseline**: a JSON file of finding ids (written by :func:`write_baseline`), a pqscan inventory,
  or a pqscan SARIF log. Only findings whose :attr:`Finding.id` is not in it are *new*; only new
  findings at or above ``fail_on`` fail the run. Finding ids do not contain line numbers, so
  moving code does not make old findings new.
* **Changed since**: ``git diff --name-only REF`` plus untracked, not ignored files, run as a
  subprocess with a timeout and with repository-configured helpers (fsmonitor, external diff,
  textconv) switched off, so no code from the scanned repository runs. Only those files are read.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pqscan.collect.paths import ALL_PATH_COLLECTORS, PathScan, PathScanOptions, check_collectors
from pqscan.collect.walk import DEFAULT_MAX_BYTES, WalkOptions
from pqscan.errors import InputError, UsageError
from pqscan.inventory import Inventory, now_iso
from pqscan.model import ErrorKind, Finding, QuantumStatus, Severity

DEFAULT_PROFILE = "nist-ir-8547"
COLLECTORS = ALL_PATH_COLLECTORS  # the whole repository: committed keys and certificates too
GIT_TIMEOUT_SECONDS = 60
BASELINE_FORMAT = "pqscan-baseline"
MAX_BASELINE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class CiOptions:
    profiles: Sequence[str] = (DEFAULT_PROFILE,)
    fail_on: Severity | None = None
    baseline: Path | None = None
    changed_since: str | None = None
    collectors: Sequence[str] = COLLECTORS
    excludes: Sequence[str] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    today: datetime.date | None = None
    only_files: Sequence[str] | None = None  # paths relative to the root (pre-commit passes staged files)
    fail_on_new_quantum_vulnerable: bool = False  # any NEW finding the catalogue calls Shor-broken fails
    follow_symlinks: bool = False
    use_gitignore: bool = True


@dataclass
class CiOutcome:
    root: Path
    inventory: Inventory
    assessment: Any  # pqscan.assess.engine.Assessment
    baseline_ids: set[str] | None
    new_ids: set[str]
    failing: list[Finding]
    fail_on: Severity | None
    changed_files: list[str] | None = None
    severities: dict[str, Severity] = field(default_factory=dict)
    fail_on_new_quantum_vulnerable: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.failing else 0

    def is_new(self, finding: Finding) -> bool:
        return finding.id in self.new_ids

    def summary(self) -> dict[str, Any]:
        counts = {s.value: 0 for s in Severity}
        for sev in self.severities.values():
            counts[sev.value] += 1
        return {
            "root": str(self.root),
            "findings": len(self.inventory.findings),
            "new": len(self.new_ids),
            "baseline": len(self.baseline_ids) if self.baseline_ids is not None else None,
            "failing": len(self.failing),
            "fail_on": self.fail_on.value if self.fail_on else None,
            "by_severity": counts,
            "errors": len(self.inventory.errors),
            "skipped": skipped_files(self.inventory),
            "fail_on_new_quantum_vulnerable": self.fail_on_new_quantum_vulnerable,
            "changed_files": self.changed_files,
            "exit_code": self.exit_code,
        }


# -- git ----------------------------------------------------------------------------------------

def _git(root: Path, *args: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise UsageError("--changed-since needs git, which is not on PATH")
    cmd = [git, "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "-c", "diff.external=",
           *args]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_EXTERNAL_DIFF": ""}
    try:
        proc = subprocess.run(cmd, cwd=root, capture_output=True, timeout=GIT_TIMEOUT_SECONDS, env=env,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took more than {GIT_TIMEOUT_SECONDS}s in {root}") from None
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc.strerror or exc}") from exc
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} failed in {root}: {msg[-1] if msg else 'exit ' + str(proc.returncode)}")
    return proc.stdout


def changed_files(root: Path, ref: str) -> list[str]:
    """Files under ``root`` changed since ``ref`` (added, copied, modified, renamed) plus untracked ones,
    as paths relative to ``root``."""
    if ref.startswith("-"):
        raise UsageError(f"--changed-since {ref!r}: not a git revision")
    _git(root, "rev-parse", "--verify", "--quiet", ref + "^{commit}")
    diff = _git(root, "diff", "--name-only", "--no-ext-diff", "--no-textconv", "--relative", "-z",
                "--diff-filter=ACMR", ref, "--")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    names = {n.decode("utf-8", "surrogateescape") for n in (diff + untracked).split(b"\0") if n}
    return sorted(names)


def _escape_glob(path: str) -> str:
    return "".join(f"[{c}]" if c in "[]*?" else c for c in path)


def only_these_files(relpaths: Iterable[str]) -> list[str]:
    """gitignore-style patterns that exclude every file except ``relpaths`` (directories stay walkable)."""
    return ["*", "!*/", *(f"!/{_escape_glob(p)}" for p in relpaths)]


# -- baseline -----------------------------------------------------------------------------------

def load_baseline(path: Path) -> set[str]:
    """Finding ids from a baseline file, an inventory or a pqscan SARIF log."""
    try:
        if path.stat().st_size > MAX_BASELINE_BYTES:
            raise InputError(f"baseline {path}: larger than {MAX_BASELINE_BYTES} bytes")
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"baseline {path}: no such file (write one with 'pqscan ci PATH --write-baseline {path}')") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"baseline {path}: not readable JSON ({exc})") from exc
    if isinstance(doc, list) and all(isinstance(x, str) for x in doc):
        return set(doc)
    if isinstance(doc, dict) and isinstance(doc.get("finding_ids"), list):
        return {str(x) for x in doc["finding_ids"]}
    if isinstance(doc, dict) and "schema_version" in doc and "findings" in doc:
        return {f.id for f in Inventory.from_dict(doc, source=str(path)).findings}
    if isinstance(doc, dict) and isinstance(doc.get("runs"), list):
        from pqscan.report.sarif import FINGERPRINT_KEY
        return {str(r.get("partialFingerprints", {}).get(FINGERPRINT_KEY)) for run in doc["runs"]
                for r in run.get("results", []) if r.get("partialFingerprints", {}).get(FINGERPRINT_KEY)}
    raise InputError(f"baseline {path}: expected a list of finding ids, a pqscan baseline, inventory or SARIF log")


def baseline_document(inventory: Inventory) -> dict[str, Any]:
    ids = sorted({f.id for f in inventory.findings})
    return {"format": BASELINE_FORMAT, "version": 1, "created": now_iso(), "tool_version": inventory.tool_version,
            "count": len(ids), "finding_ids": ids}


def write_baseline(path: Path, inventory: Inventory) -> None:
    from pqscan.outfile import write_text

    write_text(path, json.dumps(baseline_document(inventory), indent=1) + "\n")


# -- the run -------------------------------------------------------------------------------------

def scan_tree(root: Path, options: CiOptions, only: Sequence[str] | None = None) -> Inventory:
    """One walk of ``root`` with the CI collectors (the table ``pqscan scan`` uses)."""
    # The user's excludes come last so they still win over the changed-files list.
    excludes = (only_these_files(only) if only is not None else []) + list(options.excludes)
    walk = WalkOptions(excludes=tuple(excludes), max_bytes=options.max_bytes,
                       follow_outside_links=options.follow_symlinks, use_gitignore=options.use_gitignore)
    scan = PathScan([root], PathScanOptions(walk=walk, collectors=check_collectors(options.collectors)))
    inv = Inventory(targets=[str(root)])
    for result in scan.results():
        inv.add_result(result)
    inv.mark_done(str(root))
    inv.attachments["roots"] = scan.labels()  # where the root-relative names are (ownership reads it)
    inv.finished = now_iso()
    return inv


def skipped_files(inventory: Inventory) -> dict[str, int]:
    """Every skip, by reason, with a count (vendored trees, generated files, too large, unreadable ...)."""
    counts: Counter[str] = Counter()
    for e in inventory.errors:
        if e.kind in _SKIP_KINDS:
            counts[f"{e.kind.value}: {_reason(e.message)}"] += 1
    return dict(counts.most_common())


_SKIP_KINDS = frozenset({ErrorKind.SKIPPED, ErrorKind.TOO_LARGE, ErrorKind.BINARY, ErrorKind.PERMISSION,
                         ErrorKind.NOT_FOUND, ErrorKind.UNSUPPORTED})


def _reason(message: str) -> str:
    """The reason without the part that names one file (``vendored code (directory x/ ...)`` -> ``vendored code``)."""
    head = message.split(" (", 1)[0]
    return "file over the size limit" if "-byte limit" in head else head


def quantum_vulnerable(finding: Finding) -> bool:
    """Broken by a quantum computer (Shor: RSA, DH, ECDH, ECDSA, EdDSA ...), from the catalogue's
    quantum status, whatever severity a profile gives it today."""
    from pqscan.algorithms import get

    return get(finding.algorithm).quantum_status is QuantumStatus.BROKEN


def run_ci(path: str | Path, options: CiOptions | None = None) -> CiOutcome:
    from pqscan.assess.engine import assess
    from pqscan.assess.profiles import load_profiles

    opts = options or CiOptions()
    root = Path(path)
    if not root.exists():
        raise InputError(f"{root}: no such file or directory")
    profiles = load_profiles(list(opts.profiles) or [DEFAULT_PROFILE])  # bad names fail before the scan
    baseline = load_baseline(opts.baseline) if opts.baseline is not None else None
    changed = None
    if opts.changed_since:
        if not root.is_dir():
            raise UsageError("--changed-since needs a directory inside a git work tree")
        changed = changed_files(root, opts.changed_since)
    only = changed
    if opts.only_files is not None:
        wanted = [p.replace("\\", "/").removeprefix("./") for p in opts.only_files]
        only = wanted if changed is None else [p for p in changed if p in set(wanted)]
    inventory = scan_tree(root, opts, only)
    assessment = assess(inventory, profiles, opts.today)
    severities = {f.id: assessment.severity(f.id) for f in inventory.findings}
    new_ids = {f.id for f in inventory.findings if baseline is None or f.id not in baseline}
    failing = [f for f in inventory.findings if f.id in new_ids and (
        (opts.fail_on is not None and severities[f.id].rank >= opts.fail_on.rank)
        or (opts.fail_on_new_quantum_vulnerable and quantum_vulnerable(f)))]
    return CiOutcome(root, inventory, assessment, baseline, new_ids, failing, opts.fail_on, changed, severities,
                     opts.fail_on_new_quantum_vulnerable)
