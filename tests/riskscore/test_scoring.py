"""The scoring method: worked cases and property-based proofs of its promises."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mps.riskscore.scoring import (
    FACTOR_WEIGHTS,
    PENALTY,
    ScoredFinding,
    ScoringError,
    confidence,
    grade_for,
    score,
    top_fixes,
    top_fixes_by_rescoring,
)
from mps.scanner.model import Severity, Status

SETTINGS = settings(max_examples=200, deadline=None)


def finding(
    key,
    asset="a.test",
    check="http.hsts.missing",
    factor="web",
    severity=Severity.MEDIUM,
    status=Status.FAIL,
    waived=False,
):
    return ScoredFinding(key, asset, check, factor, severity, status, waived)


findings_st = st.lists(
    st.builds(
        ScoredFinding,
        key=st.just(""),
        asset=st.sampled_from(["a.test", "b.test", "c.test", "d.test"]),
        check=st.sampled_from(["c1", "c2", "c3", "c4", "c5"]),
        factor=st.sampled_from(list(FACTOR_WEIGHTS)),
        severity=st.sampled_from(list(Severity)),
        status=st.sampled_from(list(Status)),
        waived=st.booleans(),
    ),
    max_size=30,
).map(
    lambda fs: [
        ScoredFinding(f"f{i:03d}", f.asset, f.check, f.factor, f.severity, f.status, f.waived)
        for i, f in enumerate(fs)
    ]
)


def test_a_clean_footprint_scores_100_and_grade_a():
    result = score(
        [
            finding("1", status=Status.PASS),
            finding("2", factor="tls", check="tls.no_tls13", status=Status.PASS),
        ]
    )
    assert result.score == Decimal("100.00")
    assert result.grade == "A"
    assert result.deductions == ()


def test_nothing_measured_gives_no_score():
    result = score([finding("1", status=Status.INCONCLUSIVE)])
    assert result.score is None and result.grade is None


def test_one_failing_medium_on_a_single_asset_costs_its_weighted_penalty():
    result = score([finding("1")])  # only the web factor measured: weight 15/15
    assert result.score == Decimal(100 - PENALTY[Severity.MEDIUM])
    assert result.factor("web").score == Decimal(100 - PENALTY[Severity.MEDIUM])
    assert [d.key for d in result.deductions] == ["1"]


def test_a_large_footprint_is_not_punished_for_being_large():
    small = [finding("s1", asset="a.test"), finding("s2", asset="b.test", status=Status.PASS)]
    large = []
    for i in range(50):
        large.append(finding(f"l{i}a", asset=f"h{i:02d}.test"))
        large.append(finding(f"l{i}b", asset=f"g{i:02d}.test", status=Status.PASS))
    # Same share of failing assets: the same score, whatever the size.
    assert score(small).score == score(large).score


def test_one_critical_host_among_many_good_ones_still_costs_points():
    items = [
        finding(
            f"g{i}",
            asset=f"h{i:02d}.test",
            factor="services",
            check="service.exposed.rdp",
            status=Status.PASS,
        )
        for i in range(99)
    ]
    items.append(
        finding(
            "bad",
            asset="db.test",
            factor="services",
            check="service.exposed.redis",
            severity=Severity.CRITICAL,
        )
    )
    result = score(items)
    assert result.factor("services").score < 80
    assert result.factor("services").worst_asset == "db.test"


def test_penalties_on_one_asset_are_capped_at_the_factor():
    items = [finding(str(i), severity=Severity.CRITICAL, check=f"c{i}") for i in range(3)]
    assert score(items).factor("web").score == Decimal(0)


def test_an_approved_false_positive_leaves_the_score_and_an_accepted_risk_stays():
    assert score([finding("1", waived=True)]).score == Decimal(100)
    assert score([finding("1")]).score < 100  # accepted risk: not waived, still counted


def test_warn_costs_half_a_fail():
    fail = 100 - score([finding("1")]).score
    warn = 100 - score([finding("1", status=Status.WARN)]).score
    assert warn * 2 == fail


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (100, "A"),
        (90, "A"),
        (Decimal("89.99"), "B"),
        (80, "B"),
        (70, "C"),
        (60, "D"),
        (Decimal("59.99"), "F"),
        (0, "F"),
    ],
)
def test_grade_bands(value, grade):
    assert grade_for(value) == grade


def test_duplicate_keys_are_refused_with_the_key_named():
    with pytest.raises(ScoringError, match="'x'"):
        score([finding("x"), finding("x")])


def test_unknown_factor_is_refused_with_the_factor_named():
    with pytest.raises(ScoringError, match="'nonsense'"):
        score([finding("1", factor="nonsense")])


def test_top_fixes_ranks_by_points_gained_and_groups_by_check():
    items = [
        finding("1", asset="a.test", check="http.hsts.missing", severity=Severity.MEDIUM),
        finding("2", asset="b.test", check="http.hsts.missing", severity=Severity.MEDIUM),
        finding("3", asset="a.test", check="http.xcto.missing", severity=Severity.LOW),
        finding(
            "4",
            asset="a.test",
            factor="services",
            check="service.exposed.rdp",
            severity=Severity.HIGH,
        ),
        finding(
            "5",
            asset="a.test",
            factor="tls",
            check="tls.cert.expiring",
            severity=Severity.MEDIUM,
            status=Status.WARN,
        ),
    ]
    fixes = top_fixes(items)
    assert [f.check for f in fixes] == [
        "service.exposed.rdp",
        "http.hsts.missing",
        "tls.cert.expiring",
    ]
    assert fixes[1].assets == ("a.test", "b.test")
    base = score(items).score
    after = score([f.fixed() if f.check == "service.exposed.rdp" else f for f in items]).score
    assert after - base == fixes[0].gain


def test_confidence_is_the_share_of_freshly_measured_assets():
    now = datetime(2026, 11, 29, tzinfo=UTC)
    times = [
        now - timedelta(days=1),
        now - timedelta(days=8),
        None,
        now - timedelta(days=6, hours=23),
    ]
    assert confidence(times, now) == Decimal("0.50")
    assert confidence([], now) is None


@SETTINGS
@given(findings_st, st.randoms())
def test_the_score_is_deterministic_whatever_the_order(items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert score(items) == score(shuffled)
    assert top_fixes(items) == top_fixes(shuffled)


@SETTINGS
@given(findings_st, st.data())
def test_fixing_a_finding_never_lowers_the_score(items, data):
    base = score(items)
    if not items or base.score is None:
        return
    index = data.draw(st.integers(0, len(items) - 1))
    target = items[index]
    if target.status not in (Status.FAIL, Status.WARN):
        return
    after = score(items[:index] + [target.fixed()] + items[index + 1 :])
    assert after.score >= base.score
    for before_f, after_f in zip(base.factors, after.factors, strict=True):
        if before_f.score is not None:
            assert after_f.score >= before_f.score


@SETTINGS
@given(findings_st, st.data())
def test_a_fail_turning_into_a_warn_never_lowers_the_score(items, data):
    fails = [i for i, f in enumerate(items) if f.status == Status.FAIL]
    if not fails:
        return
    index = data.draw(st.sampled_from(fails))
    changed = list(items)
    f = items[index]
    changed[index] = ScoredFinding(
        f.key, f.asset, f.check, f.factor, f.severity, Status.WARN, f.waived
    )
    assert score(changed).score >= score(items).score


@SETTINGS
@given(findings_st, st.data())
def test_an_inconclusive_finding_never_counts(items, data):
    index = data.draw(st.integers(0, len(items)))
    f = data.draw(findings_st.filter(bool)).pop()
    extra = ScoredFinding(
        "zz-inconclusive", f.asset, f.check, f.factor, f.severity, Status.INCONCLUSIVE
    )
    with_it = items[:index] + [extra] + items[index:]
    result = score(with_it)
    assert result == score(items)
    assert all(d.key != "zz-inconclusive" for d in result.deductions)


@SETTINGS
@given(findings_st)
def test_every_lost_point_is_traced_to_a_finding_and_the_deductions_add_up(items):
    result = score(items)
    if result.score is None:
        assert result.deductions == ()
        return
    assert sum((d.points for d in result.deductions), Decimal(0)) == Decimal(100) - result.score
    by_key = {f.key: f for f in items}
    for d in result.deductions:
        assert by_key[d.key].status in (Status.FAIL, Status.WARN)
        assert not by_key[d.key].waived
    for factor in result.factors:
        if factor.score is not None:
            lost = sum(
                (d.factor_points for d in result.deductions if d.factor == factor.factor),
                Decimal(0),
            )
            assert lost == Decimal(100) - factor.score
    assert Decimal(0) <= result.score <= Decimal(100)
    # rounding of the total stays within half a hundredth of the exact loss
    assert abs(float(100 - result.score) - float(result.exact_loss)) <= 0.005 + 1e-9


@SETTINGS
@given(findings_st)
def test_waiving_a_finding_is_never_worse_than_keeping_it(items):
    for i, f in enumerate(items):
        if f.waived or f.status not in (Status.FAIL, Status.WARN):
            continue
        waived = (
            items[:i]
            + [ScoredFinding(f.key, f.asset, f.check, f.factor, f.severity, f.status, True)]
            + items[i + 1 :]
        )
        assert score(waived).score >= score(items).score
        break


def test_random_large_input_scores_quickly():
    rnd = random.Random(4)
    items = [
        ScoredFinding(
            f"k{i}",
            f"h{rnd.randrange(2000)}.test",
            f"c{rnd.randrange(60)}",
            rnd.choice(list(FACTOR_WEIGHTS)),
            rnd.choice(list(Severity)),
            rnd.choice(list(Status)),
        )
        for i in range(20_000)
    ]
    result = score(items)
    assert result.score is not None


@SETTINGS
@given(findings_st)
def test_top_fixes_gives_exactly_the_gains_of_scoring_each_fix_again(items):
    assert top_fixes(items, limit=99) == top_fixes_by_rescoring(items, limit=99)
