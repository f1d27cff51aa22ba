"""Catalogue entries for the liboqs algorithms pqscan's catalogue does not name yet.

Reads a liboqs checkout at a tag (default 0.16.0) with ``git show``: the algorithm names from
src/kem/kem.h, src/sig/sig.h and src/sig_stfl/sig_stfl.h (``OQS_*_alg_*``), the sizes from each
family's header (``OQS_*_<alg>_length_*``) and the claimed NIST level from the ``_new`` constructor in
its .c file. Prints TOML ``[[algorithm]]`` entries to append to pqscan/data/algorithms.toml.

    python scripts/liboqs_catalogue.py /path/to/liboqs [TAG] >> pqscan/data/algorithms.toml
"""

from __future__ import annotations

import re
import subprocess
import sys

from pqscan.algorithms import IdKind, lookup

ALG = re.compile(r'#define (OQS_(KEM|SIG|SIG_STFL)_alg_(\w+)) "([^"]+)"')
STFL_LENGTH = re.compile(r"#define OQS_SIG_STFL_alg_(\w+?)_length_(sk|pk|signature) \(?(\d+)( \+ XMSS_OID_LEN)?")
STFL_FIELDS = {"sk": "secret_key", "pk": "public_key", "signature": "signature"}
LENGTH = re.compile(r"#define OQS_(KEM|SIG|SIG_STFL)_(\w+?)_length_(\w+) \(?(\d+)")

# directory under src/kem, src/sig or src/sig_stfl -> (catalogue family, standard or status)
FAMILIES = {
    "bike": ("BIKE", "NIST PQC round 4 (not selected)"), "classic_mceliece": ("Classic-McEliece", "ISO/IEC draft"),
    "frodokem": ("FrodoKEM", "ISO/IEC draft"), "hqc": ("HQC", "NIST selected (FIPS 207 draft pending)"),
    "kyber": ("Kyber", "round-3 submission (pre-FIPS 203)"), "ml_kem": ("ML-KEM", "FIPS 203"),
    "ntru": ("NTRU", "NIST PQC round 3 finalist (not selected)"), "ntruprime": ("NTRU-Prime", "NIST PQC round 3"),
    "cross": ("CROSS", "NIST additional signatures round 2"), "falcon": ("FN-DSA", "FIPS 206 draft (Falcon)"),
    "mayo": ("MAYO", "NIST additional signatures round 2"), "ml_dsa": ("ML-DSA", "FIPS 204"),
    "mqom": ("MQOM", "NIST additional signatures round 2"), "slh_dsa": ("SLH-DSA", "FIPS 205"),
    "snova": ("SNOVA", "NIST additional signatures round 2"), "uov": ("UOV", "NIST additional signatures round 2"),
    "lms": ("LMS", "SP 800-208"), "xmss": ("XMSS", "SP 800-208"),
}
PREFIX = {"kyber": "kyber", "ml_kem": "ml_kem", "bike": "bike", "classic_mceliece": "classic_mceliece",
          "frodokem": "frodokem", "efrodokem": "frodokem", "hqc": "hqc", "ntru": "ntru", "ntruprime": "ntruprime",
          "cross": "cross", "falcon": "falcon", "mayo": "mayo", "ml_dsa": "ml_dsa", "mqom": "mqom",
          "slh_dsa": "slh_dsa", "snova": "snova", "uov": "uov", "lms": "lms", "xmss": "xmss", "xmssmt": "xmss"}


def show(repo: str, tag: str, path: str) -> str:
    return subprocess.run(["git", "-C", repo, "show", f"{tag}:{path}"], capture_output=True, text=True,
                          check=True).stdout


def files(repo: str, tag: str, under: str) -> list[str]:
    out = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", tag, under], capture_output=True,
                         text=True, check=True).stdout
    return out.split()


def family_dir(suffix: str) -> str:
    for prefix in sorted(PREFIX, key=len, reverse=True):
        if suffix.startswith(prefix):
            return PREFIX[prefix]
    raise KeyError(suffix)


def main(repo: str, tag: str = "0.16.0") -> None:
    algs: list[tuple[str, str, str]] = []  # (kind, suffix, name)
    for header in ("src/kem/kem.h", "src/sig/sig.h", "src/sig_stfl/sig_stfl.h"):
        for m in ALG.finditer(show(repo, tag, header)):
            algs.append((m.group(2), m.group(3), m.group(4)))
    lengths: dict[tuple[str, str], dict[str, int]] = {}
    levels: dict[tuple[str, str], int] = {}
    for under in ("src/kem", "src/sig", "src/sig_stfl"):
        for path in files(repo, tag, under):
            depth_ok = path.count("/") == 3 or "/wrappers/" in path
            if not depth_ok or not path.endswith((".h", ".c")):
                continue
            text = show(repo, tag, path)
            for m in LENGTH.finditer(text):
                lengths.setdefault((m.group(1), m.group(2)), {})[m.group(3)] = int(m.group(4))
            for m in STFL_LENGTH.finditer(text):  # XMSS: "(1373 + XMSS_OID_LEN)"
                # without liboqs' 4-byte OID prefix: RFC 8391 sizes, as the catalogue's XMSS entries above
                value = int(m.group(3))
                lengths.setdefault(("SIG_STFL", m.group(1)), {})[STFL_FIELDS[m.group(2)]] = value
            for m in re.finditer(r"OQS_(KEM|SIG|SIG_STFL)_alg_(\w+);.*?claimed_nist_level = (\d+)", text, re.S):
                levels.setdefault((m.group(1), m.group(2)), int(m.group(3)))
    seen: set[str] = set()
    print(f"\n\n# liboqs {tag} algorithms without an entry above (scripts/liboqs_catalogue.py): names from")
    print("# src/kem/kem.h, src/sig/sig.h, src/sig_stfl/sig_stfl.h; sizes from each family's header")
    print(f"# (OQS_*_<alg>_length_*); NIST category from its constructor's claimed_nist_level (liboqs {tag},")
    print("# github.com/open-quantum-safe/liboqs). Ids are liboqs' names.")
    for kind, suffix, name in algs:
        if not lookup(IdKind.LIBOQS, name).is_unknown or name in seen:
            continue
        seen.add(name)
        fam, standard = FAMILIES[family_dir(suffix)]
        size = lengths.get((kind, suffix), {})
        level = levels.get((kind, suffix))
        stateful = kind == "SIG_STFL"
        lines = ["", "[[algorithm]]", f'id = "{name}"', f'family = "{fam}"',
                 f'primitive = "{"kem" if kind == "KEM" else "signature"}"', 'quantum_status = "resistant"']
        if level:
            lines.append(f"nist_category = {level}")
        for field, key in (("public_key_bytes", "public_key"), ("secret_key_bytes", "secret_key"),
                           ("ciphertext_bytes", "ciphertext"), ("shared_secret_bytes", "shared_secret"),
                           ("signature_bytes", "signature")):
            if key in size and size[key] > 0:
                lines.append(f"{field} = {size[key]}")
        lines.append(f'standard = "{standard}"')
        if stateful:
            lines.append('notes = "stateful hash-based signature: each private key signs a bounded number of times"')
        lines.append(f'liboqs = ["{name}"]')
        print("\n".join(lines))


if __name__ == "__main__":
    main(*sys.argv[1:])
