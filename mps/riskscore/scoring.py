"""The Cyber Risk Score method: from measured findings to factor scores, a score and a grade.

Plain Python with no Django import, so the method can be tested, benchmarked and explained on
its own. docs/scoring.md describes the method in words; every number here is a named constant
and a change to any of them bumps ``SCORING_VERSION`` (with a changelog line in the doc).

Arithmetic is exact (``fractions.Fraction``) until the very end, where the lost points are
rounded to hundredths with a largest-remainder split, so the listed deductions add up to
``100 - score`` exactly, to the hundredth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from mps.scanner.model import FACTORS, METHOD_VERSION, Severity, Status

# Version of the scoring method (docs/scoring.md, "Changelog"). The scanner's own method
# version is stamped beside it, so a score says both how it was measured and how it was counted.
SCORING_VERSION = "2026.11.0"

# Points one finding takes from its asset's factor score (0-100) when it fails.
# Our own scale, roughly doubling per step like the CVSS v3.1 qualitative bands (§5): a critical
# finding (an exposed database or SMB) alone empties the asset's factor; info never costs.
PENALTY: dict[Severity, int] = {
    Severity.CRITICAL: 100,
    Severity.HIGH: 40,
    Severity.MEDIUM: 15,
    Severity.LOW: 5,
    Severity.INFO: 0,
}

# A warning (e.g. a certificate expiring within 14 days) costs this share of the penalty:
# it is not yet broken, but needs action.
WARN_SHARE = Fraction(1, 2)

# Factor weights (sum 100). Our judgement, documented in docs/scoring.md: exposed services and
# TLS are the most direct routes to compromise or interception (NSM Grunnprinsipper 2.1: 2.2
# "Beskytt virksomhetens nettverk", 2.3 "Beskytt data i ro og i transport"); e-mail and web
# hardening next; DNS health and IPv6 matter but rarely lead to compromise by themselves.
FACTOR_WEIGHTS: dict[str, int] = {
    "tls": 20,
    "web": 15,
    "email": 15,
    "dns": 10,
    "ipv6": 5,
    "services": 25,
    "software": 10,
}

# Normalisation for footprint size: a factor's loss is this blend of the average asset's loss
# (so a large footprint is not punished for being large) and the worst asset's loss (so one
# badly exposed host cannot hide among a hundred good ones). Both terms are independent of the
# number of assets. See docs/scoring.md "Footprint size".
MEAN_SHARE = Fraction(3, 4)
WORST_SHARE = Fraction(1, 4)

# An asset's loss in one factor is capped here: a factor score never goes below 0.
ASSET_FACTOR_CAP = 100

# Grade bands (issue 4): lower bound of each grade; below the last band is F.
GRADE_BANDS: tuple[tuple[int, str], ...] = ((90, "A"), (80, "B"), (70, "C"), (60, "D"))
FAIL_GRADE = "F"

# Confidence counts an asset as freshly measured for this long (issue 4: "< 7 days").
FRESHNESS = timedelta(days=7)

# Statuses that count as a measurement (inconclusive means "could not measure").
CONCLUSIVE = frozenset({Status.PASS, Status.FAIL, Status.WARN, Status.INFO})

HUNDREDTH = Decimal("0.01")

assert sum(FACTOR_WEIGHTS.values()) == 100, "factor weights must sum to 100"
assert set(FACTOR_WEIGHTS) == set(FACTORS), "every scanner factor needs a weight"
assert MEAN_SHARE + WORST_SHARE == 1


class ScoringError(ValueError):
    """The input cannot be scored; the message names the offending item."""


@dataclass(frozen=True)
class ScoredFinding:
    """One finding as the score sees it. ``key`` identifies it in the explanation.

    ``waived`` is true for an approved dispute that removes the finding from the score (false
    positive, not ours, compensating control); it then counts like a pass. Accepted risks are
    not waived: they stay counted.
    """

    key: str
    asset: str
    check: str
    factor: str
    severity: Severity
    status: Status
    waived: bool = False

    @property
    def penalty(self) -> Fraction:
        """Points this finding takes from its asset's factor, before the cap."""
        if self.waived:
            return Fraction(0)
        if self.status == Status.FAIL:
            return Fraction(PENALTY[self.severity])
        if self.status == Status.WARN:
            return PENALTY[self.severity] * WARN_SHARE
        return Fraction(0)

    def fixed(self) -> ScoredFinding:
        """The same finding after the fix: it passes."""
        return replace(self, status=Status.PASS)


@dataclass(frozen=True)
class Deduction:
    """Points one finding took from the overall score and from its factor's score."""

    key: str
    asset: str
    check: str
    factor: str
    severity: Severity
    status: Status
    points: Decimal
    factor_points: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "finding": self.key,
            "asset": self.asset,
            "check": self.check,
            "factor": self.factor,
            "severity": str(self.severity),
            "status": str(self.status),
            "points": float(self.points),
            "factor_points": float(self.factor_points),
        }


@dataclass(frozen=True)
class FactorScore:
    factor: str
    weight: int
    score: Decimal | None  # None: no asset was measured in this factor
    assets_measured: int
    worst_asset: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "weight": self.weight,
            "score": None if self.score is None else float(self.score),
            "assets_measured": self.assets_measured,
            "worst_asset": self.worst_asset,
        }


@dataclass(frozen=True)
class Fix:
    """Fixing one check everywhere it fails, and the points that would bring."""

    check: str
    factor: str
    severity: Severity
    assets: tuple[str, ...]
    gain: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "factor": self.factor,
            "severity": str(self.severity),
            "assets": list(self.assets),
            "gain": float(self.gain),
        }


@dataclass(frozen=True)
class ScoreResult:
    score: Decimal | None  # None: nothing measured yet, so no score
    grade: str | None
    factors: tuple[FactorScore, ...]
    deductions: tuple[Deduction, ...]
    scoring_version: str = SCORING_VERSION
    scanner_version: str = METHOD_VERSION
    exact_loss: Fraction = field(default=Fraction(0), compare=False)

    @property
    def method_version(self) -> str:
        return f"{self.scoring_version}+scanner.{self.scanner_version}"

    @property
    def scored(self) -> bool:
        return self.score is not None

    def factor(self, name: str) -> FactorScore:
        return next(f for f in self.factors if f.factor == name)

    def to_json(self) -> dict[str, Any]:
        return {
            "method_version": self.method_version,
            "score": None if self.score is None else float(self.score),
            "grade": self.grade,
            "factors": [f.to_json() for f in self.factors],
            "deductions": [d.to_json() for d in self.deductions],
        }


def grade_for(score: Decimal | float | None) -> str | None:
    """The letter grade of a score (bands in ``GRADE_BANDS``)."""
    if score is None:
        return None
    for lower, letter in GRADE_BANDS:
        if score >= lower:
            return letter
    return FAIL_GRADE


def _allocate(parts: Sequence[Fraction], keys: Sequence[str]) -> tuple[int, list[int]]:
    """Round ``sum(parts)`` to hundredths and split it over the parts (largest remainder).

    Returns the rounded total and each part's share, both in hundredths; the shares add up to
    the total exactly. Ties go to the smaller key so the split is deterministic.
    """
    exact = sum(parts, Fraction(0)) * 100
    total = round(exact)  # Fraction rounds half to even: deterministic
    floors: list[int] = []
    remainders: list[float] = []
    for p in parts:
        whole, rest = divmod(p.numerator * 100, p.denominator)
        floors.append(whole)
        remainders.append(rest / p.denominator)  # only orders the split; sums stay exact
    remainder = total - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: (-remainders[i], keys[i]))
    for i in order[: max(remainder, 0)]:
        floors[i] += 1
    return total, floors


def _hundredths(value: int) -> Decimal:
    return (Decimal(value) * HUNDREDTH).quantize(HUNDREDTH)


def _check_input(findings: Iterable[ScoredFinding]) -> list[ScoredFinding]:
    items = sorted(findings, key=lambda f: f.key)
    seen: set[str] = set()
    for f in items:
        if f.key in seen:
            raise ScoringError(f"finding key {f.key!r} appears twice")
        seen.add(f.key)
        if f.factor not in FACTOR_WEIGHTS:
            raise ScoringError(f"finding {f.key!r}: unknown factor {f.factor!r}")
        if f.severity not in PENALTY:
            raise ScoringError(f"finding {f.key!r}: unknown severity {f.severity!r}")
    return items


def score(findings: Iterable[ScoredFinding]) -> ScoreResult:
    """Score one organisation's findings (only validated assets should be passed in)."""
    items = _check_input(findings)
    # factor -> asset -> findings that measured something
    measured: dict[str, dict[str, list[ScoredFinding]]] = defaultdict(lambda: defaultdict(list))
    for f in items:
        if f.status in CONCLUSIVE:
            measured[f.factor][f.asset].append(f)

    weight_total = sum(FACTOR_WEIGHTS[name] for name in measured)
    contributions: dict[str, Fraction] = {}  # finding key -> share of the overall loss
    factor_parts: dict[str, dict[str, Fraction]] = {}  # factor -> key -> share of factor loss
    worst_of: dict[str, str | None] = {}
    for name in FACTORS:
        assets = measured.get(name)
        if not assets:
            continue
        losses: dict[str, Fraction] = {}
        scale: dict[str, Fraction] = {}
        for asset, found in assets.items():
            raw = sum((f.penalty for f in found), Fraction(0))
            losses[asset] = min(raw, Fraction(ASSET_FACTOR_CAP))
            scale[asset] = Fraction(1) if raw <= ASSET_FACTOR_CAP else ASSET_FACTOR_CAP / raw
        # Worst asset: highest loss, ties to the smallest name (deterministic).
        worst = min(losses, key=lambda a: (-losses[a], a))
        worst_of[name] = worst if losses[worst] > 0 else None
        parts: dict[str, Fraction] = {}
        for asset, found in assets.items():
            share = MEAN_SHARE / len(assets) + (WORST_SHARE if asset == worst else 0)
            for f in found:
                if f.penalty:
                    parts[f.key] = f.penalty * scale[asset] * share
        factor_parts[name] = parts
        weight = Fraction(FACTOR_WEIGHTS[name], weight_total)
        for key, part in parts.items():
            contributions[key] = part * weight

    if not measured:
        factors = tuple(FactorScore(name, FACTOR_WEIGHTS[name], None, 0, None) for name in FACTORS)
        return ScoreResult(score=None, grade=None, factors=factors, deductions=())

    keys = sorted(contributions)
    total, shares = _allocate([contributions[k] for k in keys], keys)
    overall = {k: s for k, s in zip(keys, shares, strict=True)}
    factor_points: dict[str, int] = {}
    factors_out = []
    for name in FACTORS:
        found_parts = factor_parts.get(name)
        if found_parts is None:
            factors_out.append(FactorScore(name, FACTOR_WEIGHTS[name], None, 0, None))
            continue
        fkeys = sorted(found_parts)
        ftotal, fshares = _allocate([found_parts[k] for k in fkeys], fkeys)
        factor_points.update(zip(fkeys, fshares, strict=True))
        factors_out.append(
            FactorScore(
                name,
                FACTOR_WEIGHTS[name],
                _hundredths(10000 - ftotal),
                len(measured[name]),
                worst_of[name],
            )
        )
    by_key = {f.key: f for f in items}
    deductions = [
        Deduction(
            key=k,
            asset=by_key[k].asset,
            check=by_key[k].check,
            factor=by_key[k].factor,
            severity=by_key[k].severity,
            status=by_key[k].status,
            points=_hundredths(overall[k]),
            factor_points=_hundredths(factor_points[k]),
        )
        for k in keys
    ]
    deductions.sort(key=lambda d: (-d.points, -d.factor_points, d.key))
    value = _hundredths(10000 - total)
    return ScoreResult(
        score=value,
        grade=grade_for(value),
        factors=tuple(factors_out),
        deductions=tuple(deductions),
        exact_loss=sum(contributions.values(), Fraction(0)),
    )


def _raw_losses(items: Sequence[ScoredFinding]) -> dict[str, dict[str, Fraction]]:
    """factor -> asset -> the sum of its findings' penalties (before the cap), measured only."""
    raws: dict[str, dict[str, Fraction]] = defaultdict(dict)
    for f in items:
        if f.status in CONCLUSIVE:
            per_asset = raws[f.factor]
            per_asset[f.asset] = per_asset.get(f.asset, Fraction(0)) + f.penalty
    return raws


def _factor_loss(raws: Iterable[Fraction]) -> Fraction:
    """A factor's exact loss (0-100): the blend of the mean and the worst capped asset loss.

    The same number ``score`` gets by summing the factor's parts: an asset's parts add up to its
    capped loss times its share (MEAN_SHARE / assets, plus WORST_SHARE for the worst asset).
    """
    losses = [min(raw, Fraction(ASSET_FACTOR_CAP)) for raw in raws]
    return MEAN_SHARE * sum(losses, Fraction(0)) / len(losses) + WORST_SHARE * max(losses)


class _Factor:
    """One factor's capped asset losses, kept so a fix's effect is found from the assets it touches."""

    def __init__(self, raws: dict[str, Fraction]) -> None:
        self.raws = raws
        self.losses = {a: min(r, Fraction(ASSET_FACTOR_CAP)) for a, r in raws.items()}
        self.total = sum(self.losses.values(), Fraction(0))
        self.order = sorted(self.losses, key=lambda a: -self.losses[a])
        self.loss = _factor_loss(raws.values())

    def loss_without(self, removed: dict[str, Fraction]) -> Fraction:
        """The factor's loss when ``removed`` penalty points are taken off those assets."""
        total = self.total
        worst = Fraction(0)
        for asset, points in removed.items():
            new = min(self.raws[asset] - points, Fraction(ASSET_FACTOR_CAP))
            total += new - self.losses[asset]
            worst = max(worst, new)
        untouched = next((a for a in self.order if a not in removed), None)
        if untouched is not None:
            worst = max(worst, self.losses[untouched])
        return MEAN_SHARE * total / len(self.losses) + WORST_SHARE * worst


def _score_of_loss(exact_loss: Fraction) -> Decimal:
    """The published score for an exact overall loss (rounded as ``score`` rounds it)."""
    return _hundredths(10000 - round(exact_loss * 100))


def top_fixes(findings: Iterable[ScoredFinding], limit: int = 3) -> list[Fix]:
    """The fixes that raise the score most: one fix is one check made to pass on every asset.

    The gain is exact even where the cap and the worst-asset term make the effect non-linear:
    fixing a check changes only the factors it fails in (a fixed finding still counts as
    measured, so the factor weights stay), so those factors' losses are recomputed from each
    asset's penalty sum less the fixed penalties, and the score is rounded as ``score`` does.
    """
    items = _check_input(findings)
    raws = _raw_losses(items)
    if not raws:
        return []
    weight_total = sum(FACTOR_WEIGHTS[name] for name in raws)
    state = {name: _Factor(assets) for name, assets in raws.items()}
    factor_loss = {name: st.loss for name, st in state.items()}

    def overall(losses: dict[str, Fraction]) -> Fraction:
        return sum(
            (Fraction(FACTOR_WEIGHTS[n], weight_total) * loss for n, loss in losses.items()),
            Fraction(0),
        )

    base_score = _score_of_loss(overall(factor_loss))
    failing: dict[str, list[ScoredFinding]] = defaultdict(list)
    for f in items:
        if f.penalty and f.status in CONCLUSIVE:
            failing[f.check].append(f)
    fixes = []
    for check, found in failing.items():
        removed: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
        for f in found:
            removed[f.factor][f.asset] += f.penalty
        after = dict(factor_loss)
        for name, assets in removed.items():
            after[name] = state[name].loss_without(assets)
        gain = _score_of_loss(overall(after)) - base_score
        if gain > 0:
            fixes.append(
                Fix(
                    check=check,
                    factor=found[0].factor,
                    severity=max((f.severity for f in found), key=lambda s: PENALTY[s]),
                    assets=tuple(sorted({f.asset for f in found})),
                    gain=gain,
                )
            )
    fixes.sort(key=lambda x: (-x.gain, x.check))
    return fixes[:limit]


def top_fixes_by_rescoring(findings: Iterable[ScoredFinding], limit: int = 3) -> list[Fix]:
    """The definition of ``top_fixes``, scoring everything again per fix (slow; tests compare)."""
    items = _check_input(findings)
    base = score(items)
    if base.score is None:
        return []
    failing: dict[str, list[ScoredFinding]] = defaultdict(list)
    for f in items:
        if f.penalty and f.status in CONCLUSIVE:
            failing[f.check].append(f)
    fixes = []
    for check, found in failing.items():
        keys = {f.key for f in found}
        after = score(f.fixed() if f.key in keys else f for f in items)
        assert after.score is not None
        gain = after.score - base.score
        if gain > 0:
            fixes.append(
                Fix(
                    check=check,
                    factor=found[0].factor,
                    severity=max((f.severity for f in found), key=lambda s: PENALTY[s]),
                    assets=tuple(sorted({f.asset for f in found})),
                    gain=gain,
                )
            )
    fixes.sort(key=lambda x: (-x.gain, x.check))
    return fixes[:limit]


def confidence(last_measured: Iterable[datetime | None], now: datetime) -> Decimal | None:
    """Share of assets (0-1, two decimals) with a measurement younger than ``FRESHNESS``."""
    values = list(last_measured)
    if not values:
        return None
    fresh = sum(1 for t in values if t is not None and now - t < FRESHNESS)
    return (Decimal(fresh) / Decimal(len(values))).quantize(HUNDREDTH)
