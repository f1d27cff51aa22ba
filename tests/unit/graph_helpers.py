"""Small builders for hand-made inventories used by the migration-graph tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind, Evidence, Finding, Relation, RelationKind, Severity, Usage

TODAY = dt.date(2026, 11, 25)


def rel(kind: str, target: str) -> Relation:
    return Relation(RelationKind(kind), target)


def asset(asset_id: str, kind: AssetKind, *relations: tuple[str, str], name: str = "", location: str = "",
          **attributes: Any) -> Asset:
    return Asset(asset_id, kind, location or asset_id, name=name, attributes=attributes,
                 relations=tuple(rel(k, t) for k, t in relations))


def finding(asset_id: str, algorithm: str, usage: Usage, *, line: int | None = None, symbol: str = "",
            **params: Any) -> Finding:
    return Finding(asset_id, algorithm, usage, "test", params, Evidence(asset_id, line, symbol=symbol))


def inventory(assets: Sequence[Asset], findings: Sequence[Finding] = ()) -> Inventory:
    inv = Inventory()
    for a in assets:
        inv.add_asset(a)
    for f in findings:
        inv.add_finding(f)
    return inv


@dataclass(frozen=True)
class StandInVerdict:
    """The fields of pqscan.assess.engine.Verdict the graph reads; lets a test pin a deadline exactly."""

    finding_id: str
    profile: str
    status: str
    severity: Severity
    reason: str
    deadline: dt.date | None
    hndl: bool
    classically_broken: bool


class StandInAssessment:
    def __init__(self, verdicts: dict[str, StandInVerdict]) -> None:
        self._v = verdicts

    def worst(self, finding_id: str) -> StandInVerdict | None:
        return self._v.get(finding_id)


def pki_chain(host: str = "pay.example.com", *, root: str = "cert:root", inter: str = "cert:int",
              leaf: str | None = None) -> list[Asset]:
    leaf = leaf or f"cert:leaf:{host}"
    return [
        asset(f"tls://{host}:443", AssetKind.TLS_ENDPOINT, ("presents", leaf)),
        asset(leaf, AssetKind.CERTIFICATE, ("issued-by", inter), name=f"CN={host}", is_ca=False),
        asset(inter, AssetKind.CERTIFICATE, ("issued-by", root), name="CN=Intermediate", is_ca=True),
        asset(root, AssetKind.CERTIFICATE, name="CN=Root", is_ca=True, self_signed=True),
    ]
