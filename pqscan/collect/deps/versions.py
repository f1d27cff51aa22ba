"""Version comparison for the crypto-library table: PEP 440 for PyPI, a small semver-ish order elsewhere.

Ranges in ``crypto_libraries.toml`` use one syntax for every ecosystem: comma-separated
constraints ``>=1.24, <1.26`` (operators ``==  !=  >=  <=  >  <``); an empty range matches all.
"""

from __future__ import annotations

import re
from functools import total_ordering

from packaging.version import InvalidVersion, Version

_NUM_RE = re.compile(r"\d+")
_CONSTRAINT_RE = re.compile(r"^\s*(==|!=|>=|<=|>|<)\s*([^\s,]+)\s*$")


@total_ordering
class LooseVersion:
    """Numeric release parts compared as integers; a pre-release tag sorts before the release.

    Good enough for Go (``1.24.0``, ``go1.22rc1``, ``v0.31.0``), Cargo, npm, Maven (``1.80``, ``1.78.1``)
    and NuGet. Not a full SemVer/Maven implementation: build metadata is ignored.
    """

    def __init__(self, text: str) -> None:
        raw = text.strip().lstrip("vV")
        if raw.startswith("go"):
            raw = raw[2:]
        raw = raw.split("+", 1)[0]
        m = re.match(r"^([0-9]+(?:\.[0-9]+)*)(.*)$", raw)
        if not m:
            raise ValueError(f"not a version: {text!r}")
        self.text = text
        self.release = tuple(int(p) for p in m.group(1).split("."))
        rest = m.group(2).lstrip(".-")
        # Maven "1.80.Final"-like qualifiers and "-jre" are not pre-releases.
        self.pre = rest.lower() if rest and rest.lower() not in ("final", "release", "ga", "jre", "android") else ""

    def _key(self) -> tuple[tuple[int, ...], int, str]:
        release = self.release + (0,) * (6 - len(self.release))
        return (release, 0 if self.pre else 1, self.pre)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LooseVersion) and self._key() == other._key()

    def __lt__(self, other: LooseVersion) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"LooseVersion({self.text!r})"


def parse_version(ecosystem: str, text: str) -> Version | LooseVersion | None:
    """A comparable version, or None when ``text`` is not a version (a range, a git URL, ``*``)."""
    try:
        if ecosystem == "pypi":
            return Version(text)
        return LooseVersion(text)
    except (InvalidVersion, ValueError):
        return None


def in_range(ecosystem: str, version: str, constraints: str) -> bool:
    """Whether ``version`` satisfies every constraint in ``constraints``; False when unparseable."""
    v = parse_version(ecosystem, version)
    if v is None:
        return False
    for part in filter(None, (p.strip() for p in constraints.split(","))):
        m = _CONSTRAINT_RE.match(part)
        if not m:
            raise ValueError(f"bad version constraint {part!r}")
        op, bound_text = m.groups()
        bound = parse_version(ecosystem, bound_text)
        if bound is None:
            raise ValueError(f"bad version in constraint {part!r}")
        ok = {
            "==": v == bound, "!=": v != bound, ">=": v >= bound,  # type: ignore[operator]
            "<=": v <= bound, ">": v > bound, "<": v < bound,  # type: ignore[operator]
        }[op]
        if not ok:
            return False
    return True


_LOWER_BOUND_RE = re.compile(r"(?:^|[\s,|(])(?:==|>=|~=|\^|~|=)?\s*v?(\d+(?:\.\d+)*)")


def lower_bound(spec: str) -> str | None:
    """The smallest version a requirement spec admits, if it names one (``>=41``, ``^1.2``, ``~=3.4``).

    ``<2`` alone has no lower bound; ``*``, URLs and tags return None.
    """
    text = spec.strip()
    if not text or text in ("*", "latest") or "://" in text or text.startswith(("git", "file:", "link:")):
        return None
    best: str | None = None
    for part in re.split(r"\|\||,|\s+(?=[<>=~^])", text):
        part = part.strip()
        if part.startswith(("<", "!=")):
            continue
        m = _LOWER_BOUND_RE.search(part)
        if m:
            cand = m.group(1)
            if best is None or LooseVersion(cand) < LooseVersion(best):
                best = cand
    return best


def exact_version(spec: str) -> str | None:
    """The version a spec pins exactly (``==1.2.3``, ``=1.2.3``, a bare ``1.2.3`` in npm/Cargo lock terms)."""
    text = spec.strip()
    m = re.fullmatch(r"(?:===?|=)?\s*v?(\d+(?:\.\d+)*(?:[-.+]?[0-9A-Za-z.\-+]*)?)", text)
    return m.group(1) if m else None
