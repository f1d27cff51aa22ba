"""The services file: the organisation's words for what the scanner found.

A small TOML file maps hostnames, paths and asset ids to a service with an owner, a data
shelf-life (Mosca's X for key exchange and encryption) and an exposure. It can also override the
default migration effort (person-days) and lead time (Mosca's Y, years) per asset kind::

    [defaults]                        # optional; these are the built-in values
    shelf_life_years = 5              # how long recorded traffic must stay confidential
    exposure = "auto"                 # auto | internet | internal

    [effort]                          # optional: person-days per step, by kind or certificate role
    root-ca = 30
    dependency = 3

    [lead_time]                       # optional: calendar years a migration takes (Mosca's Y)
    root-ca = 3

    [[service]]
    name = "payments"
    owner = "team-payments@example.com"
    match = ["*.pay.example.com", "file:/srv/pay/*", "dep:pypi/cryptography@*"]
    shelf_life_years = 10
    exposure = "internet"
    effort = { certificate = 1 }      # overrides for this service only
    lead_time = { endpoint = 0.5 }
    ownership = "operated"            # optional: operated | vendor-managed | third-party | test-material |
                                      # expired; overrides what pqscan.assess.ownership decides from evidence

Patterns are shell globs (``fnmatch``) tried against the asset id, its location, its name and
the host of an endpoint id; the first service that matches wins. Nothing here is required: with
no file every asset gets the defaults and exposure is worked out from the endpoints (see
:mod:`pqscan.graph.risk`).
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pqscan.assess.ownership import Override, Ownership, parse_ownership
from pqscan.errors import InputError

# Design defaults, not sourced facts: a user sets them per service (docs/risk-model.md).
DEFAULT_SHELF_LIFE_YEARS = 5.0
MAX_SERVICES_FILE_BYTES = 4 * 1024 * 1024


class Exposure(StrEnum):
    AUTO = "auto"  # decided from the graph: internet if a public endpoint depends on it
    INTERNET = "internet"
    INTERNAL = "internal"


@dataclass(frozen=True)
class Service:
    name: str
    owner: str = ""
    patterns: tuple[str, ...] = ()
    shelf_life_years: float | None = None
    exposure: Exposure = Exposure.AUTO
    effort: Mapping[str, float] = field(default_factory=dict)
    lead_time: Mapping[str, float] = field(default_factory=dict)
    ownership: Ownership | None = None

    def matches(self, keys: tuple[str, ...]) -> bool:
        return any(fnmatch.fnmatchcase(k, p) for p in self.patterns for k in keys if k)


@dataclass(frozen=True)
class Services:
    services: tuple[Service, ...] = ()
    shelf_life_years: float = DEFAULT_SHELF_LIFE_YEARS
    exposure: Exposure = Exposure.AUTO
    effort: Mapping[str, float] = field(default_factory=dict)
    lead_time: Mapping[str, float] = field(default_factory=dict)
    source: str = "built-in defaults"

    def ownership_overrides(self) -> list[Override]:
        """The services that set ``ownership``, as ownership overrides (one per pattern, file order)."""
        return [Override(p, svc.ownership, f"services file {self.source} (service {svc.name!r})")
                for svc in self.services if svc.ownership is not None for p in svc.patterns]

    def service_for(self, asset_id: str, location: str = "", name: str = "") -> Service | None:
        if not self.services:
            return None
        keys = (asset_id, location, name, host_of(asset_id))
        for svc in self.services:
            if svc.matches(keys):
                return svc
        return None


_HOST_RE = re.compile(r"^[a-z][a-z0-9+.-]*://(\[[^\]]+\]|[^/:]+)")


def host_of(asset_id: str) -> str:
    """``tls://example.com:443`` -> ``example.com``; ``tls://[::1]:443`` -> ``::1``; else ""."""
    m = _HOST_RE.match(asset_id)
    return m.group(1).strip("[]") if m else ""


_INTERNAL_SUFFIXES = (".local", ".internal", ".lan", ".home.arpa", ".corp", ".localdomain", ".test")


def host_is_internal(host: str) -> bool | None:
    """True for loopback/private/link-local addresses and internal names, False for public ones,
    None when there is no host to judge."""
    if not host:
        return None
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        name = host.lower().rstrip(".")
        return name == "localhost" or "." not in name or name.endswith(_INTERNAL_SUFFIXES)
    return not ip.is_global


def _number(value: Any, where: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InputError(f"{source}: key '{where}': expected a non-negative number, got {value!r}")
    return float(value)


def _numbers(table: Any, where: str, source: str) -> dict[str, float]:
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise InputError(f"{source}: key '{where}': expected a table of kind = number")
    return {str(k): _number(v, f"{where}.{k}", source) for k, v in table.items()}


def _exposure(value: Any, where: str, source: str) -> Exposure:
    try:
        return Exposure(str(value).lower())
    except ValueError:
        choices = ", ".join(e.value for e in Exposure)
        raise InputError(f"{source}: key '{where}': unknown exposure {value!r} (choose from {choices})") from None


def _ownership(value: Any, where: str, source: str) -> Ownership | None:
    if value is None:
        return None
    try:
        return parse_ownership(str(value))
    except InputError as exc:
        raise InputError(f"{source}: key '{where}': {exc}") from None


def parse_services(data: Mapping[str, Any], source: str = "<services>") -> Services:
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise InputError(f"{source}: key 'defaults': expected a table")
    services: list[Service] = []
    raw_services = data.get("service") or []
    if not isinstance(raw_services, list):
        raise InputError(f"{source}: key 'service': expected an array of tables ([[service]])")
    for i, raw in enumerate(raw_services):
        where = f"service[{i}]"
        if not isinstance(raw, Mapping) or not raw.get("name"):
            raise InputError(f"{source}: key '{where}': every service needs a name")
        match = raw.get("match") or []
        if isinstance(match, str):
            match = [match]
        if not isinstance(match, list) or not all(isinstance(p, str) for p in match):
            raise InputError(f"{source}: key '{where}.match': expected a list of glob patterns")
        shelf = raw.get("shelf_life_years")
        services.append(
            Service(
                name=str(raw["name"]),
                owner=str(raw.get("owner", "")),
                patterns=tuple(match),
                shelf_life_years=None if shelf is None else _number(shelf, f"{where}.shelf_life_years", source),
                exposure=_exposure(raw.get("exposure", "auto"), f"{where}.exposure", source),
                effort=_numbers(raw.get("effort"), f"{where}.effort", source),
                lead_time=_numbers(raw.get("lead_time"), f"{where}.lead_time", source),
                ownership=_ownership(raw.get("ownership"), f"{where}.ownership", source),
            )
        )
    shelf_default = defaults.get("shelf_life_years", DEFAULT_SHELF_LIFE_YEARS)
    return Services(
        services=tuple(services),
        shelf_life_years=_number(shelf_default, "defaults.shelf_life_years", source),
        exposure=_exposure(defaults.get("exposure", "auto"), "defaults.exposure", source),
        effort=_numbers(data.get("effort"), "effort", source),
        lead_time=_numbers(data.get("lead_time"), "lead_time", source),
        source=source,
    )


def load_services(path: str | Path | None) -> Services:
    """Read a services TOML file; ``None`` gives the built-in defaults."""
    if path is None:
        return Services()
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such services file")
    if p.stat().st_size > MAX_SERVICES_FILE_BYTES:
        raise InputError(f"{p}: services file larger than {MAX_SERVICES_FILE_BYTES // 1024**2} MiB")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML ({exc})") from exc
    return parse_services(data, source=str(p))
