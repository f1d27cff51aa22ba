"""The dependency record every manifest / lock-file parser returns, and shared parsing helpers."""

from __future__ import annotations

import bisect
import json
import tomllib
from dataclasses import dataclass
from typing import Any


class ManifestError(ValueError):
    """A manifest or lock file that cannot be parsed (recorded as a ScanError, the scan goes on)."""


def load_json(text: str, path: str, what: str = "") -> Any:
    """The JSON document of a manifest; ManifestError when it is not JSON, or (when ``what`` names the
    format) when its top level is not an object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}: not valid JSON: {exc}") from exc
    if what and not isinstance(data, dict):
        raise ManifestError(f"{path}: not a {what} (top level is not an object)")
    return data


def load_toml(text: str, path: str) -> dict[str, Any]:
    """The TOML document of a manifest; ManifestError when it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: not valid TOML: {exc}") from exc


# purl types (https://github.com/package-url/purl-spec) for our ecosystem names.
PURL_TYPES = {"pypi": "pypi", "npm": "npm", "golang": "golang", "cargo": "cargo", "maven": "maven",
              "nuget": "nuget", "generic": "generic"}


@dataclass(frozen=True)
class Dependency:
    ecosystem: str  # pypi | npm | golang | cargo | maven | nuget | generic
    name: str  # as the ecosystem spells it; Maven "group:artifact"
    version: str | None  # exact resolved/pinned version, None when only a range is known
    spec: str = ""  # the requirement as written ("^1.2", ">=41", "1.80")
    manifest: str = ""  # path of the file it came from (relative to the scan root)
    line: int | None = None
    direct: bool = True  # named by the project itself (not only a transitive lock entry)
    dev: bool = False  # dev/test/build-only
    from_lock: bool = False

    @property
    def asset_id(self) -> str:
        """One record per (manifest, package): the same package named by two manifests (a dev-only
        use in one, a runtime use in another) stays two records, each with its own direct/dev flags."""
        base = f"dep:{self.ecosystem}/{self.name}"
        base = f"{base}@{self.version}" if self.version else base
        return f"{base}#{self.manifest}" if self.manifest else base

    @property
    def purl(self) -> str:
        ptype = PURL_TYPES.get(self.ecosystem, "generic")
        if self.ecosystem == "maven" and ":" in self.name:
            group, artifact = self.name.split(":", 1)
            body = f"{group}/{artifact}"
        else:
            body = self.name.replace("@", "%40") if self.name.startswith("@") else self.name
        return f"pkg:{ptype}/{body}" + (f"@{self.version}" if self.version else "")


class LineIndex:
    """Offset -> 1-based line number, and 'first line containing text', without rescanning the file."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._cursor = 0
        self._starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            self._starts.append(pos + 1)
            pos = find("\n", pos + 1)

    def line_at(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def find(self, needle: str, start: int = 0) -> int | None:
        pos = self.text.find(needle, start)
        return None if pos < 0 else self.line_at(pos)

    def find_next(self, needle: str) -> int | None:
        """Like :meth:`find`, but continues after the previous hit: lock files list packages in file
        order, so a whole lock is located in one pass instead of one pass per package."""
        pos = self.text.find(needle, self._cursor)
        if pos < 0:
            pos = self.text.find(needle)
            if pos < 0:
                return None
        self._cursor = pos + len(needle)
        return self.line_at(pos)

    def line_text(self, line: int) -> str:
        if line < 1 or line > len(self._starts):
            return ""
        start = self._starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]
