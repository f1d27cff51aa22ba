"""Accuracy of the dependency and configuration collectors on REAL manifests and configs (issue #13).

Dependencies: the labelled set in ``benchmarks/real_manifests/cases.toml`` (pinned sources: tags of
fetched repositories, PyPI sdists, Debian packages, real ``npm install``s; the third-party files are
materialised into a temporary directory, never committed). Per ecosystem it reports: labelled uses
present, found, versions right (of those the file pins), verdicts right / undecided / wrong, and
findings no label explains (false positives). A source that cannot be obtained here (no network, no
mirror) is skipped with the reason, never counted as a pass.

Configs: OpenSSH configurations compared with the real ``sshd -T`` (Include order, first match,
refused lines), and cipher strings from real software defaults compared with ``openssl ciphers``.

    .venv/bin/python benchmarks/deps_configs_accuracy.py [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pqscan.collect.config import scan_text  # noqa: E402
from pqscan.collect.config.openssh_versions import local_openssh  # noqa: E402
from pqscan.collect.deps import DepsOptions, scan_paths  # noqa: E402
from pqscan.collect.deps.libraries import normalise_name  # noqa: E402

CASES = ROOT / "benchmarks" / "real_manifests" / "cases.toml"
MIRRORS = Path("/work/.mirror")
TIMEOUT = 180


class Skip(Exception):
    """A source that cannot be obtained on this machine (the reason is reported)."""


def _run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Skip(f"{cmd[0]}: {exc}") from exc
    if out.returncode != 0:
        raise Skip(f"{' '.join(cmd[:3])}: exit {out.returncode}: {out.stderr.decode(errors='replace').strip()[-200:]}")
    return out


def materialise(source: dict[str, Any], dest: Path, work: Path) -> None:
    kind = source["kind"]
    paths = source.get("paths") or [source.get("path")]
    if kind == "mirror":
        git_dir = MIRRORS / source["repo"].replace("/", "+") / "repo"
        if not git_dir.is_dir():
            raise Skip(f"no mirror of {source['repo']} (fetch github:{source['repo']})")
        for p in paths:
            data = _run(["git", "--git-dir", str(git_dir), "show", f"{source['ref']}:{p}"]).stdout
            (dest / p).parent.mkdir(parents=True, exist_ok=True)
            (dest / p).write_bytes(data)
    elif kind == "pypi_sdist":
        dl = work / "sdist"
        pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
               f"{source['name']}=={source['version']}", "-d", str(dl)]
        _run(pip)
        (archive,) = [a for a in dl.iterdir() if a.name.endswith(".tar.gz")]
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                rel = member.name.split("/", 1)[-1]
                if rel in paths and member.isfile():
                    fh = tar.extractfile(member)
                    if fh is not None:
                        (dest / rel).write_bytes(fh.read())
    elif kind == "debian":
        deb_dir = work / "deb"
        deb_dir.mkdir(exist_ok=True)
        _run(["apt-get", "download", source["package"]], cwd=deb_dir)
        (deb,) = list(deb_dir.glob("*.deb"))
        _run(["dpkg-deb", "-x", str(deb), str(work / "x")])
        for p in paths:
            target = dest / Path(p).name
            shutil.copy(work / "x" / p, target)
    elif kind == "pip_freeze":
        venv = work / "venv"
        _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(venv / "bin" / "pip"), "install", "-q", "--only-binary", ":all:", *source["packages"]])
        freeze = _run([str(venv / "bin" / "pip"), "freeze"]).stdout
        (dest / "requirements-freeze.txt").write_bytes(freeze)
    elif kind == "npm_install":
        if shutil.which("npm") is None:
            raise Skip("npm not installed")
        (dest / "package.json").write_text('{"name": "pqscan-bench", "version": "1.0.0", "private": true}')
        _run(["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund",
              *source["packages"]], cwd=dest)
    else:
        raise ValueError(f"unknown source kind {kind!r}")
    missing = [p for p in paths if p and not ((dest / p).exists() or (dest / Path(p).name).exists())]
    if missing:
        raise Skip(f"not in the source: {missing}")


def default_manifest(source: dict[str, Any]) -> str:
    p = source.get("path") or ""
    return Path(p).name if source["kind"] == "debian" else p


def score_deps() -> dict[str, Any]:
    cases = tomllib.loads(CASES.read_text())["case"]
    per_eco: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    problems: list[str] = []
    skipped: list[str] = []
    for case in cases:
        eco = case["ecosystem"]
        with tempfile.TemporaryDirectory() as tmp:
            dest, work = Path(tmp) / "tree", Path(tmp) / "work"
            dest.mkdir()
            work.mkdir()
            try:
                materialise(case["source"], dest, work)
            except Skip as exc:
                skipped.append(f"{case['id']}: {exc}")
                per_eco[eco]["skipped_uses"] += len(case["uses"])
                continue
            results = list(scan_paths([dest], DepsOptions(import_scan=False)))
        findings: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for r in results:
            for e in r.errors:
                problems.append(f"{case['id']}: scan error {e.message}")
            for f in r.findings:
                findings[(f.evidence.location, normalise_name(eco, f.parameters["package"]))].append(f.parameters)
        labelled = set()
        for use in case["uses"]:
            manifest = use.get("manifest") or default_manifest(case["source"])
            key = (manifest, normalise_name(eco, use["package"]))
            labelled.add(key)
            c = per_eco[eco]
            c["present"] += 1
            candidates = findings.get(key, [])
            # a manifest may name one package twice at different versions (TargetFrameworks net8.0;net10.0)
            got = next((g for g in candidates if g.get("version") == use.get("version")), None) or (
                candidates[0] if candidates else None)
            if got is None:
                problems.append(f"{case['id']}: MISSED {use['package']} in {manifest}")
                continue
            c["found"] += 1
            if use.get("version"):
                c["versions_resolvable"] += 1
                if got.get("version_basis") == "exact" and got.get("version") == use["version"]:
                    c["versions_right"] += 1
                else:
                    problems.append(f"{case['id']}: VERSION {use['package']}: {got.get('version')!r} "
                                    f"({got.get('version_basis')}) != {use['version']!r}")
            verdicts = {k: got.get(k, "unknown") for k in use["expect"]}
            if not use["expect"]:
                c["undecided"] += 1
                problems.append(f"{case['id']}: NO SOURCE for {use['package']} (undecided)")
            elif any(v == "unknown" for v in verdicts.values()):
                c["undecided"] += 1
                problems.append(f"{case['id']}: UNDECIDED {use['package']}: {verdicts}")
            elif verdicts == use["expect"]:
                c["verdicts_right"] += 1
            else:
                c["verdicts_wrong"] += 1
                problems.append(f"{case['id']}: WRONG {use['package']}: {verdicts} != {use['expect']}")
        for key in findings.keys() - labelled:
            per_eco[eco]["unlabelled_findings"] += 1
            problems.append(f"{case['id']}: UNLABELLED finding {key[1]} in {key[0]}")
    return {"per_ecosystem": {k: dict(v) for k, v in per_eco.items()}, "problems": problems, "skipped": skipped}


# --------------------------------------------------------------------------------------------- configs
SSHD_SCENARIOS = {
    "debian-sshd_config+drop-in": None,  # Debian's own /etc/ssh/sshd_config with a PQ drop-in
    "drop-in first wins": ("Include @D@/*.conf\nKexAlgorithms curve25519-sha256\n",
                           {"50-pq.conf": "KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\n"}),
    "main first wins": ("Ciphers aes256-gcm@openssh.com\nInclude @D@/*.conf\n", {"10-a.conf": "Ciphers aes128-ctr\n"}),
    "lexical drop-in order": ("Include @D@/*.conf\n", {"20-b.conf": "MACs hmac-sha2-512\n", "10-a.conf": "MACs hmac-sha2-256\n"}),
    "caret mlkem on 9.2": ("KexAlgorithms ^mlkem768x25519-sha256\n", {}),
    "unknown cipher in drop-in": ("Include @D@/*.conf\n", {"10-a.conf": "Ciphers aes128-ctr,bogus-cipher\n"}),
    "minus unknown accepted": ("KexAlgorithms -mlkem768x25519-sha256,nonexistent\n", {}),
}
SSHD_KEYS = {"KexAlgorithms": "kexalgorithms", "Ciphers": "ciphers", "MACs": "macs", "HostKeyAlgorithms": "hostkeyalgorithms"}
# Cipher strings as real software ships them, each in its own server's syntax.
CIPHER_STRINGS = {
    "postgresql default (postgresql.conf.sample)": ("postgresql.conf", "postgresql.conf", "ssl_ciphers = '{}'\n",
                                                     "HIGH:MEDIUM:+3DES:!aNULL"),
    "nginx documented default": ("nginx.conf", "nginx", "ssl_ciphers {};\n", "HIGH:!aNULL:!MD5"),
    "Apache httpd-ssl.conf default": ("ssl.conf", "apache", "SSLCipherSuite {}\n", "HIGH:MEDIUM:!MD5:!RC4:!3DES"),
    "Postfix tls_high_cipherlist default": ("main.cf", "postfix", "tls_high_cipherlist = {}\n", "aNULL:-aNULL:HIGH:@STRENGTH"),
    "Dovecot ssl_cipher_list default": ("10-ssl.conf", "dovecot", "ssl_cipher_list = {}\n",
                                        "ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW@STRENGTH"),
    "issue: HIGH": ("nginx.conf", "nginx", "ssl_ciphers {};\n", "HIGH"),
    "issue: DEFAULT@SECLEVEL=2": ("openssl.cnf", "openssl.cnf", "[s]\nCipherString = {}\n", "DEFAULT@SECLEVEL=2"),
    "issue: ECDHE+AESGCM:!aNULL": ("haproxy.cfg", "haproxy", "global\n  ssl-default-bind-ciphers {}\n", "ECDHE+AESGCM:!aNULL"),
}


def _sshd_tree(tmp: Path, name: str) -> Path:
    key = tmp / "hk"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=30)
    (tmp / "sshd_config.d").mkdir()
    if SSHD_SCENARIOS[name] is None:
        debian = Path("/etc/ssh/sshd_config").read_text()
        main = debian.replace("/etc/ssh/sshd_config.d/", f"{tmp}/sshd_config.d/")
        (tmp / "sshd_config.d" / "50-pq.conf").write_text("KexAlgorithms -ecdh-sha2-*\nCiphers ^aes256-gcm@openssh.com\n")
    else:
        main, drops = SSHD_SCENARIOS[name]
        main = main.replace("@D@", str(tmp / "sshd_config.d"))
        for n, t in drops.items():
            (tmp / "sshd_config.d" / n).write_text(t)
    (tmp / "sshd_config").write_text(f"HostKey {key}\n{main}")
    return tmp


def _effective(tmp: Path) -> tuple[dict[str, list[str]], bool]:
    lists: dict[str, list[str]] = {}
    refused = False
    for f in [tmp / "sshd_config", *sorted((tmp / "sshd_config.d").glob("*"))]:
        res = scan_text(f.read_text(), f.relative_to(tmp).as_posix(), "sshd_config", root=tmp, openssh=local_openssh())
        refused = refused or bool(res.errors)
        for finding in res.findings:
            key = SSHD_KEYS.get(finding.evidence.symbol or "")
            if key and finding.parameters.get("context") is None:
                lists.setdefault(key, []).append(finding.parameters["raw_identifier"])
    return lists, refused


def score_configs() -> dict[str, Any]:
    out: dict[str, Any] = {"sshd": {"checked": 0, "right": 0, "wrong": []}, "ciphers": {"checked": 0, "right": 0, "wrong": []},
                           "skipped": []}
    sshd = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
    if sshd is None or local_openssh() is None:
        out["skipped"].append("sshd -T: openssh-server not installed")
    else:
        for name, scenario in SSHD_SCENARIOS.items():
            if scenario is None and not Path("/etc/ssh/sshd_config").is_file():
                out["skipped"].append(f"{name}: no /etc/ssh/sshd_config")
                continue
            with tempfile.TemporaryDirectory() as t:
                tmp = _sshd_tree(Path(t), name)
                real = subprocess.run([sshd, "-T", "-f", str(tmp / "sshd_config")], capture_output=True, text=True,
                                      timeout=30)
                ours, refused = _effective(tmp)
            out["sshd"]["checked"] += 1
            if real.returncode != 0:
                ok = refused and not ours
            else:
                eff = dict(line.split(" ", 1) for line in real.stdout.splitlines() if " " in line)
                ok = not refused and all(v == eff[k].split(",") for k, v in ours.items())
            if ok:
                out["sshd"]["right"] += 1
            else:
                out["sshd"]["wrong"].append(name)
    if shutil.which("openssl") is None:
        out["skipped"].append("cipher strings: no openssl binary")
        return out
    for name, (fname, fmt, template, string) in CIPHER_STRINGS.items():
        expected = subprocess.run(["openssl", "ciphers", "-ciphersuites", "", string], capture_output=True, text=True,
                                  timeout=30).stdout.strip().split(":")
        res = scan_text(template.format(string), fname, fmt)
        recorded: list[str] = []
        for f in res.findings:
            if f.parameters.get("cipher_string") == string and f.parameters.get("preference") == len(recorded):
                recorded.append(f.parameters["openssl_name"])
        out["ciphers"]["checked"] += 1
        if recorded == expected and not res.errors:
            out["ciphers"]["right"] += 1
        else:
            out["ciphers"]["wrong"].append(f"{name}: {len(recorded)} suites vs openssl's {len(expected)}")
    return out


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "n/a"


def table(deps: dict[str, Any]) -> Iterator[str]:
    yield "| ecosystem | uses | found | versions right | verdicts right | undecided | wrong | unlabelled findings |"
    yield "|---|---|---|---|---|---|---|---|"
    total: dict[str, int] = defaultdict(int)
    for eco, c in sorted(deps["per_ecosystem"].items()):
        for k, v in c.items():
            total[k] += v
        yield (f"| {eco} | {c.get('present', 0)} | {c.get('found', 0)} ({_pct(c.get('found', 0), c.get('present', 0))}) | "
               f"{c.get('versions_right', 0)}/{c.get('versions_resolvable', 0)} | "
               f"{c.get('verdicts_right', 0)}/{c.get('found', 0)} | {c.get('undecided', 0)} | {c.get('verdicts_wrong', 0)} | "
               f"{c.get('unlabelled_findings', 0)} |" + (f" ({c['skipped_uses']} uses skipped)" if c.get("skipped_uses") else ""))
    yield (f"| **all** | {total['present']} | {total['found']} ({_pct(total['found'], total['present'])}) | "
           f"{total['versions_right']}/{total['versions_resolvable']} | {total['verdicts_right']}/{total['found']} | "
           f"{total['undecided']} | {total['verdicts_wrong']} | {total['unlabelled_findings']} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    deps = score_deps()
    configs = score_configs()
    if args.json:
        print(json.dumps({"deps": deps, "configs": configs}, indent=2))
        return 0
    print("\n".join(table(deps)))
    for p in deps["problems"]:
        print("  -", p)
    for s in deps["skipped"]:
        print("  skipped:", s)
    for kind in ("sshd", "ciphers"):
        c = configs[kind]
        print(f"configs {kind}: {c['right']}/{c['checked']} equal to {'sshd -T' if kind == 'sshd' else 'openssl ciphers'}"
              + (f"; wrong: {c['wrong']}" if c["wrong"] else ""))
    for s in configs["skipped"]:
        print("  skipped:", s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
