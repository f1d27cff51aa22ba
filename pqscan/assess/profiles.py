"""Policy profiles: which algorithms and strengths a policy accepts, for which use, until when.

A profile is data (``profiles/<id>.toml``, shipped in the wheel as the package ``pqscan.profiles``). A user
can pass the path of their own TOML file anywhere a profile name is accepted.

Format
------
::

    [profile]
    id = "nist-ir-8547"                 # required; lower-case, [a-z0-9.-]
    name = "NIST IR 8547"               # required; short name used in reasons
    title = "..."                       # one line
    scope = "US federal systems ..."    # who it applies to
    sources = ["NIST IR 8547 ipd, https://..."]   # required, at least one
    confidence = "P"                    # P primary / S secondary / U uncertain (standards.md legend)
    uncertain = ["IR 8547 is still an initial public draft; dates may move"]
    binds = "US federal agencies ..."   # whom the document obliges (and whom it only advises)
    last_verified = 2026-12-06          # when the facts were last checked against the sources
    extends = "nist-ir-8547"            # optional: take every category this file does not define

    [key-establishment]                 # one table per category (see Category)
    default = "unknown"                 # status when no rule matches: compliant|deprecated|disallowed|unknown
    default_note = "..."
    inherit = "signature"               # optional: use another category's rules (code-signing -> signature)

    [[key-establishment.rule]]          # rules are tried in order; the first that matches decides
    # -- matchers (all given ones must hold; a rule with none matches everything) --
    algorithms = ["ML-KEM-1024"]        # catalogue ids (validated against pqscan.algorithms)
    with_component = ["ML-KEM-1024"]    # hybrids / composites containing one of these ids
    families = ["RSA", "DH", "ECDH"]    # Algorithm.family, matched literally
    quantum_status = ["broken"]         # broken | weakened | resistant | hybrid | unknown
    primitives = ["kem"]                # pqscan.model.Primitive values
    curves = ["P-384"]                  # Algorithm.curve
    protocols = ["TLS1.2"]              # protocol versions (protocol category only; any spelling: TLSv1.2)
    min_key_bits = 3000                 # key size as written (RSA modulus): BSI's "at least 3000 bits"
    max_key_bits = 2999
    min_bits = 128                      # classical security bits of this use (key size aware)
    max_bits = 112
    min_nist_category = 5
    classically_broken = true           # MD5, SHA-1, RC4, 3DES, RSA < 2048 ...
    pre_standard = true                 # a pre-standard PQ draft: deprecated and quantum-safe (Kyber drafts ...)
    # -- outcome --
    status = "compliant"                # before any date below has passed (default compliant);
                                        # "unknown" = cannot judge without a missing fact (the note says which)
    deprecated_after = 2030-12-31       # TOML date, "YYYY-MM-DD" or a year (= 31 Dec of that year)
    disallowed_after = 2035-12-31
    note = "why, with the source section"

"after 2030" in a standard means from 1 Jan 2031: write ``deprecated_after = 2030-12-31``.
Categories: ``key-establishment`` (key exchange and asymmetric encryption), ``signature``
(signatures and authentication), ``code-signing``, ``symmetric``, ``hash``, ``protocol``.
A category a profile leaves out gives status *unknown* ("not covered by <profile>").

Parsing and validation live in :mod:`pqscan.assess.profile_parser`.
Errors: every problem is a :class:`pqscan.errors.ProfileError` whose message names the file,
the key and what is wrong, e.g. ``my.toml: key 'signature.rule[2].algorithms': unknown
algorithm id 'RSA-9999'``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pqscan.assess.profile_model import (  # noqa: F401 - the profile types, re-exported
    DEFAULT_PROFILE,
    ID_RE,
    MAX_PROFILE_BYTES,
    Category,
    CategoryPolicy,
    ComplianceStatus,
    Profile,
    Rule,
)
from pqscan.assess.profile_parser import parse
from pqscan.errors import ProfileError

# -- loading ---------------------------------------------------------------------------------


def _builtin_dir() -> Any:
    return resources.files("pqscan.profiles")  # the top-level profiles/ folder (pyproject package-dir)


def builtin_names() -> list[str]:
    return sorted(p.name[:-5] for p in _builtin_dir().iterdir() if p.name.endswith(".toml"))


def _looks_like_path(text: str) -> bool:
    """A path when it says so (".toml", a separator) or names a file that is not a shipped profile."""
    if text.endswith(".toml") or "/" in text or "\\" in text:
        return True
    return Path(text).is_file() and not (_builtin_dir() / f"{text.lower()}.toml").is_file()


def load_profile(name_or_path: str) -> Profile:
    """A shipped profile by name (case-insensitive) or a user's TOML file by path."""
    text = str(name_or_path).strip()
    if not text:
        raise ProfileError("empty profile name")
    return _load(text, chain=())


def _load(text: str, chain: tuple[str, ...]) -> Profile:
    if _looks_like_path(text):
        path = Path(text)
        if not path.is_file():
            raise ProfileError(f"{path}: no such profile file")
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise ProfileError(f"{path}: larger than {MAX_PROFILE_BYTES // 1024} KiB; not a profile")
        key = str(path.resolve())
        if key in chain:
            raise ProfileError(f"{path}: circular extends")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ProfileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        return _parse(raw, str(path), builtin=False, chain=(*chain, key))
    name = text.lower()
    resource = _builtin_dir() / f"{name}.toml"
    if not ID_RE.match(name) or not resource.is_file():
        available = ", ".join(builtin_names())
        raise ProfileError(f"unknown profile {text!r} (available: {available}; or give the path of a TOML file)")
    key = f"builtin:{name}"
    if key in chain:
        raise ProfileError(f"profiles/{name}.toml: circular extends")
    return _parse(resource.read_bytes(), f"profiles/{name}.toml", builtin=True, chain=(*chain, key))


def load_profiles(names_or_paths: Iterable[str] | None) -> list[Profile]:
    """Several profiles, in order, without duplicates; ``[DEFAULT_PROFILE]`` when none is given."""
    names = [n for n in (names_or_paths or ()) if str(n).strip()] or [DEFAULT_PROFILE]
    out: list[Profile] = []
    for name in names:
        prof = load_profile(name)
        if all(p.id != prof.id for p in out):
            out.append(prof)
    return out


def list_profiles() -> list[Profile]:
    return [load_profile(name) for name in builtin_names()]


def _parse(raw: bytes, source: str, *, builtin: bool, chain: tuple[str, ...]) -> Profile:
    def load_base(name: str) -> Profile:
        target = name
        if not builtin and _looks_like_path(name) and not Path(name).is_absolute():
            target = str(Path(source).parent / name)  # relative to the file that extends it
        return _load(target, chain=chain)

    return parse(raw, source, builtin=builtin, load_base=load_base)


def date_text(d: datetime.date) -> str:
    """'2030' for 31 Dec 2030 (how standards write "after 2030"), else the ISO date."""
    return str(d.year) if (d.month, d.day) == (12, 31) else d.isoformat()
