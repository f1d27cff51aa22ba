"""The risk model: why one asset must move before another. Formulas in ``docs/risk-model.md``.

Every node that needs work gets a score from 0 to 100 and the sentences that explain it:

* **classically broken** (MD5, SHA-1 signatures, RSA < 2048 ...): 100, to do immediately;
* **exposure**: harvest-now-decrypt-later (key exchange / encryption broken by Shor: 40, halved when
  a post-quantum group is offered beside it), or a
  signature weighted by the lifetime X of what it protects (10 + 25 * min(1, X / 20)), or an
  algorithm not identified (15), or a weaker policy concern (10);
* **Mosca** (X + Y > Z, eprint 2015/1075): up to 25, all of it once X + Y >= Z;
* **deadline** of the profiles (from the assessment): up to 15 as it nears, 15 once passed;
* **internet exposure**: 10;
* **blast radius**: up to 10 (10 * log10(1 + dependants) / 3, full at 999 dependants).

X is the data shelf-life (services file, default 5 years) for key exchange, or the lifetime of
the signed thing for signatures. Y is the migration lead time along the critical path of what must
move first. Z is the years left until ``crqc_year``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pqscan import algorithms
from pqscan.assess.exposure import Harvest, harvest
from pqscan.assess.ownership import Ownership
from pqscan.graph.build import MISSING, MigrationGraph, Node
from pqscan.graph.defaults import SIGNATURE_LIFETIME_YEARS, lead_time_years
from pqscan.graph.services import Exposure, host_is_internal, host_of
from pqscan.graph.topology import Topology, blast_radius, build_topology
from pqscan.model import ATTR_NOT_AFTER, AssetKind, Finding, QuantumStatus, Usage, attribute_date

if TYPE_CHECKING:
    from pqscan.assess.verdicts import Verdict

# Z default: 2035. Sources (shared/reference/standards.md §5C and §4): the OpenSSH project puts a
# CRQC 5-20 years away "with many expecting the mid-2030s" (https://www.openssh.com/pq.html);
# GRI Quantum Threat Timeline 2024 gives ~19-34 % within 10 years and ~50 % within 15; NIST IR 8547
# ipd disallows RSA/ECC after 2035 and NSM-10 sets 2035 as the US goal. 2030 is the aggressive
# choice (EU high-risk, ASD, US EO key establishment): pass --crqc-year 2030.
DEFAULT_CRQC_YEAR = 2035

HNDL_POINTS = 40.0
HNDL_FALLBACK_FACTOR = 0.5  # the endpoint also offers a post-quantum group: only old peers are exposed
SIGNATURE_BASE_POINTS = 10.0
SIGNATURE_LIFETIME_POINTS = 25.0
SIGNATURE_LIFETIME_FULL_YEARS = 20.0
UNKNOWN_POINTS = 15.0
POLICY_POINTS = 10.0
MOSCA_POINTS = 25.0
DEADLINE_POINTS = 15.0
DEADLINE_HORIZON_YEARS = 10.0
INTERNET_POINTS = 10.0
BLAST_POINTS = 10.0
BLAST_FULL_DEPENDANTS = 999

_SIGNATURE_USAGES = frozenset({Usage.SIGNATURE, Usage.AUTHENTICATION, Usage.CODE_SIGNING})
SIGNATURE_USAGES = _SIGNATURE_USAGES
_ENDPOINT_KINDS = {AssetKind.TLS_ENDPOINT.value, AssetKind.SSH_ENDPOINT.value}


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding as the risk model sees it, from its verdict or, unassessed, from the catalogue."""

    finding: Finding
    vulnerable: bool
    hndl: bool
    signature: bool
    classically_broken: bool
    unknown: bool
    deadline: dt.date | None
    status: str
    profile: str
    reason: str


def view_finding(f: Finding, v: Verdict | None, cache: dict[str, algorithms.Algorithm] | None = None) -> FindingView:
    cached = cache.get(f.algorithm) if cache is not None else None  # one catalogue lookup per algorithm name
    alg = cached if cached is not None else algorithms.get(f.algorithm)
    if cache is not None and cached is None:
        cache[f.algorithm] = alg
    sig = f.usage in _SIGNATURE_USAGES
    if v is not None:
        status = str(getattr(v.status, "value", v.status))
        # "compliant" with a deadline (RSA under NIST IR 8547 until 2035) still has to move.
        vulnerable = (status != "compliant" or bool(v.classically_broken) or bool(v.hndl)
                      or v.deadline is not None or alg.quantum_status is QuantumStatus.BROKEN)
        return FindingView(f, vulnerable, bool(v.hndl) and vulnerable, sig and vulnerable,
                           bool(v.classically_broken), status == "unknown", v.deadline, status,
                           str(v.profile), str(v.reason))
    cb = algorithms.is_classically_broken(alg, f.parameters)
    qs = alg.quantum_status
    vulnerable = cb or alg.deprecated or qs in (QuantumStatus.BROKEN, QuantumStatus.UNKNOWN)
    hndl = harvest(alg, f.usage).exposed
    status = "unknown" if qs is QuantumStatus.UNKNOWN else ("disallowed" if vulnerable else "compliant")
    return FindingView(f, vulnerable, hndl, sig and vulnerable, cb, qs is QuantumStatus.UNKNOWN, None,
                       status, "", "not assessed against a profile; judged from the algorithm catalogue")


@dataclass(frozen=True, slots=True)
class Risk:
    node_id: str
    score: float
    reasons: tuple[str, ...]
    needs_action: bool
    immediate: bool
    hndl: bool
    signature: bool
    mosca_exposed: bool
    y_years: float
    z_years: float
    internet: bool
    deadline: dt.date | None
    blast_radius: int
    blast_radius_exact: bool
    findings: tuple[FindingView, ...] = ()
    pq_key_exchange: tuple[str, ...] = ()  # post-quantum / hybrid key exchange already offered here
    internet_via: str | None = None  # the internet-facing endpoint that exposes this node (itself included)


@dataclass
class RiskModel:
    crqc_year: int
    today: dt.date
    risks: dict[str, Risk]
    topology: Topology
    shelf_life_years: float = 5.0

    def score_views(self, node: Node, views: tuple[FindingView, ...], y_years: float, like: Risk) -> Risk:
        """The risk of one part of a node (e.g. only its key-exchange findings, with the lead time Y of
        only what that part waits for), with the node's exposure and blast radius."""
        return _score_node(node, views, y_years, like.z_years, self.crqc_year, self.today, like.internet_via,
                           like.blast_radius, like.blast_radius_exact, self.shelf_life_years)

    @property
    def z_years(self) -> float:
        return years_between(self.today, dt.date(self.crqc_year, 1, 1))


def years_between(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 365.25


def signature_lifetime_years(node: Node, views: tuple[FindingView, ...], today: dt.date) -> tuple[float, str]:
    """X for a signature: how long what it protects must stay trustworthy, and the words for it."""
    if any(v.finding.usage is Usage.CODE_SIGNING for v in views):
        return SIGNATURE_LIFETIME_YEARS["code-signing"], "code signing"
    if node.role == "leaf-certificate":
        not_after = attribute_date(node.attributes.get(ATTR_NOT_AFTER))
        if not_after is not None:
            left = max(0.0, years_between(today, not_after))
            return left, f"a leaf certificate valid until {not_after.isoformat()}"
    years = SIGNATURE_LIFETIME_YEARS.get(node.role, SIGNATURE_LIFETIME_YEARS["default"])
    return years, ROLE_WORDS.get(node.role, f"a {node.role.replace('-', ' ')}")


ROLE_WORDS = {
    "root-ca": "a root CA", "intermediate-ca": "an intermediate CA", "leaf-certificate": "a leaf certificate",
    "host-key": "an SSH host key", "ssh-endpoint": "an SSH endpoint", "tls-endpoint": "a TLS endpoint",
    "config": "a configuration file", "source-file": "code", "dependency": "a library",
    "private-key": "a private key", "public-key": "a public key", "key-file": "a key file", "keystore": "a keystore",
}


def _years(x: float) -> str:
    return f"{_fmt(x)} year{'' if _fmt(x) == '1' else 's'}"


def _internet_exposure(graph: MigrationGraph, topo: Topology) -> dict[int, int]:
    """node index -> index of an internet-facing endpoint that depends on it (itself included)."""
    nodes = graph.nodes
    explicit: dict[int, Exposure] = {}
    sources: list[int] = []
    for i, node_id in enumerate(topo.ids):
        node = nodes[node_id]
        exp = node.service.exposure if node.service else Exposure.AUTO
        if exp is Exposure.AUTO:
            exp = graph.services.exposure
        explicit[i] = exp
        if exp is Exposure.INTERNET or (
            exp is Exposure.AUTO and node.kind in _ENDPOINT_KINDS and host_is_internal(host_of(node_id)) is False
        ):
            sources.append(i)
    witness: dict[int, int] = {i: i for i in sources}
    queue = deque(sources)
    while queue:
        i = queue.popleft()
        for j in topo.deps[i]:
            if j not in witness and explicit[j] is not Exposure.INTERNAL:
                witness[j] = witness[i]
                queue.append(j)
    return witness


def _lead_times(graph: MigrationGraph, topo: Topology, needs: list[bool]) -> list[float]:
    """Y along the critical path: own lead time plus the longest chain of what must move first."""
    memo: dict[tuple[str, str, int], float] = {}  # (role, kind, id(service)) -> years; objects live through the call
    own = [0.0] * len(topo.ids)
    for i, n in enumerate(topo.ids):
        if needs[i]:
            node = graph.nodes[n]
            key = (node.role, node.kind, id(node.service))
            years = memo.get(key)
            if years is None:
                years = memo[key] = lead_time_years(node, graph.services)
            own[i] = years
    comp_own = [max(own[i] for i in mem) for mem in topo.members]
    comp_y = [0.0] * len(topo.members)
    for c in topo.order:  # dependencies first
        comp_y[c] = comp_own[c] + max((comp_y[d] for d in topo.comp_deps[c]), default=0.0)
    return [comp_y[topo.comp[i]] for i in range(len(topo.ids))]


def score_graph(graph: MigrationGraph, *, crqc_year: int = DEFAULT_CRQC_YEAR,
                today: dt.date | None = None) -> RiskModel:
    today = today or dt.date.today()
    topo = build_topology(graph.graph)
    z = years_between(today, dt.date(crqc_year, 1, 1))
    cache: dict[str, algorithms.Algorithm] = {}
    nodes = graph.nodes
    views = [tuple(view_finding(f, v, cache) for f, v in zip(node.findings, node.verdicts, strict=True))
             if (node := nodes[n]).findings else () for n in topo.ids]
    needs = [any(v.vulnerable for v in vs) and nodes[n].ownership is Ownership.OPERATED
             for vs, n in zip(views, topo.ids, strict=True)]
    y = _lead_times(graph, topo, needs)
    internet = _internet_exposure(graph, topo)
    radius, exact = blast_radius(topo)
    risks: dict[str, Risk] = {}
    for i, node_id in enumerate(topo.ids):
        node = graph.nodes[node_id]
        witness = internet.get(i)
        risks[node_id] = _score_node(
            node, views[i], y[i], z, crqc_year, today,
            None if witness is None else topo.ids[witness], radius[i], exact[i],
            graph.services.shelf_life_years,
        )
    return RiskModel(crqc_year, today, risks, topo, graph.services.shelf_life_years)


@functools.lru_cache(maxsize=4096)  # the same few figures (X, Y, Z, margins) recur across a whole estate
def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if abs(x - round(x)) > 1e-9 else str(int(round(x)))


def _algs(views: list[FindingView]) -> str:
    return ", ".join(dict.fromkeys(v.finding.algorithm for v in views))


def _score_node(node: Node, views: tuple[FindingView, ...], y: float, z: float, crqc_year: int,
                today: dt.date, internet_via: str | None, radius: int, exact: bool,
                default_shelf: float) -> Risk:
    bad = [v for v in views if v.vulnerable]
    reasons: list[str] = []
    if bad and node.ownership is not Ownership.OPERATED:
        # Not yours to migrate: listed (track your vendors, remove or renew, test material), never a step.
        reasons.append(f"{node.ownership.label}: {node.ownership_reason}")
        return Risk(node.id, 0.0, tuple(reasons), False, False, False, False, False, y, z,
                    internet_via is not None, None, radius, exact, views, (), internet_via)
    if not bad:
        if node.kind == MISSING:
            reasons.append("not in the inventory (referenced by a relation): scan it to know its algorithms")
        else:
            reasons.append("no quantum-vulnerable finding: nothing to migrate here")
        return Risk(node.id, 0.0, tuple(reasons), False, False, False, False, False, y, z,
                    internet_via is not None, None, radius, exact, views, (), internet_via)
    hndl = [v for v in bad if v.hndl]
    pq_kex = tuple(dict.fromkeys(
        v.finding.algorithm for v in views if not v.vulnerable
        and harvest(algorithms.get(v.finding.algorithm), v.finding.usage) is Harvest.PROTECTED))
    sigs = [v for v in bad if v.signature and not v.hndl]
    broken = [v for v in bad if v.classically_broken]
    unknown = [v for v in bad if v.unknown]
    deadline = min((v.deadline for v in bad if v.deadline is not None), default=None)
    blast_words = (f"{'about ' if not exact else ''}{radius} asset{'s depend' if radius != 1 else ' depends'}")

    x_data = node.service.shelf_life_years if node.service and node.service.shelf_life_years is not None else None
    score = 0.0
    x = 0.0
    if hndl:
        shelf = x_data if x_data is not None else default_shelf
        x = max(x, shelf)
        score = HNDL_POINTS
        reasons.append(f"harvest now, decrypt later: {_algs(hndl)} key exchange/encryption recorded today can "
                       f"be decrypted once a quantum computer exists; data must stay secret {_years(shelf)}")
        if pq_kex:
            # Peers that speak the post-quantum group use it; only the others fall back.
            score = HNDL_POINTS * HNDL_FALLBACK_FACTOR
            reasons.append(f"already offers {', '.join(pq_kex)}: only peers without post-quantum support "
                           f"fall back to {_algs(hndl)}")
    if sigs:
        life, what = signature_lifetime_years(node, tuple(sigs), today)
        x = max(x, life)
        pts = SIGNATURE_BASE_POINTS + SIGNATURE_LIFETIME_POINTS * min(1.0, life / SIGNATURE_LIFETIME_FULL_YEARS)
        if pts > score:
            score = pts
        many = len({v.finding.algorithm for v in sigs}) > 1
        reasons.append(f"{_algs(sigs)} signature{'s protect' if many else ' protects'} {what}, trusted for about "
                       f"{_years(life)} more; "
                       "forgeable once a quantum computer exists")
    if unknown and not hndl and not sigs:
        score = max(score, UNKNOWN_POINTS)
        reasons.append(f"algorithm not identified ({_algs(unknown)}): check it by hand")
    elif not hndl and not sigs:
        score = max(score, POLICY_POINTS)
        reasons.append(bad[0].reason if bad[0].profile else f"{_algs(bad)} is {bad[0].status}: {bad[0].reason}")

    mosca = False
    if hndl or sigs:
        total = x + y
        if total >= z:
            mosca = True
            score += MOSCA_POINTS
            reasons.append(f"Mosca: X + Y = {_fmt(x)} + {_fmt(y)} = {_fmt(total)} years >= Z = {_fmt(z)} years "
                           f"to a quantum computer ({crqc_year}): already exposed")
        else:
            score += MOSCA_POINTS * (total / z if z > 0 else 1.0)
            reasons.append(f"Mosca: X + Y = {_fmt(x)} + {_fmt(y)} = {_fmt(total)} years < Z = {_fmt(z)} years "
                           f"({crqc_year}): {_fmt(z - total)} years of margin")

    immediate = False
    if deadline is not None:
        left = years_between(today, deadline)
        first = next(v for v in bad if v.deadline == deadline)
        who = f"{first.profile}: " if first.profile else ""
        if left <= 0:
            immediate = True
            score += DEADLINE_POINTS
            reasons.append(f"{who}{first.finding.algorithm} is {first.status} since {deadline.isoformat()}")
        else:
            score += DEADLINE_POINTS * min(1.0, max(0.0, 1 - (left - 1) / (DEADLINE_HORIZON_YEARS - 1)))
            reasons.append(f"{who}{first.finding.algorithm} deadline {deadline.isoformat()} "
                           f"(in {_fmt(round(left, 1))} years)")

    if internet_via is not None:
        score += INTERNET_POINTS
        via = "" if internet_via == node.id else f" through {internet_via}"
        reasons.append(f"reachable from the internet{via}")
    if radius > 0:
        score += BLAST_POINTS * min(1.0, math.log10(1 + radius) / math.log10(1 + BLAST_FULL_DEPENDANTS))
        reasons.append(f"{blast_words} on it, directly or through others")

    if broken:
        immediate = True
        score = 100.0
        many = len({v.finding.algorithm for v in broken}) > 1
        reasons.insert(0, f"{_algs(broken)} {'are' if many else 'is'} broken today, without a quantum computer: "
                          f"replace {'them' if many else 'it'} now")
    return Risk(node.id, round(min(100.0, score), 1), tuple(reasons), True, immediate, bool(hndl), bool(sigs),
                mosca, y, z, internet_via is not None, deadline, radius, exact, views, pq_kex, internet_via)
