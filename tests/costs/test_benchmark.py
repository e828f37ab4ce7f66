"""Benchmarks between agencies: KPIs, percentiles, groups of at least five, anonymity."""

from __future__ import annotations

import pytest

from mps.costs import benchmark
from mps.costs.models import CostMonth
from mps.organisations.models import Organisation
from tests.conftest import synthetic_orgnr


def peers(world, n: int, opt_in: set[int] = frozenset()) -> list[Organisation]:
    """n more municipalities in Eksempel's group (25 000 residents: 'large')."""
    out = []
    for i in range(n):
        out.append(
            Organisation.objects.create(
                name=f"Peer {i} kommune",
                kind="agency",
                orgnr=synthetic_orgnr(100 + i),
                sector="municipality",
                population=21_000 + i * 1000,
                employees=1500,
                peer_opt_in=i in opt_in,
            )
        )
    return out


def month(org, effective: float, month: str = "2024-09", **kw: float) -> None:
    CostMonth.objects.create(
        organisation=org,
        month=month,
        effective_nok=effective,
        list_nok_ex_purchases=kw.get("list_ex", effective * 1.25),
        effective_nok_ex_purchases=effective,
        tagged_nok=kw.get("tagged", effective / 2),
        norway_nok=kw.get("norway", effective / 4),
        eea_nok=kw.get("eea", effective / 4),
    )


def test_percentiles_interpolate_between_ranks():
    assert benchmark.percentile([1, 2, 3, 4, 5], 0.5) == 3
    assert benchmark.percentile([10, 20, 30, 40], 0.25) == 17.5
    assert benchmark.percentile([10, 20, 30, 40], 0.75) == 32.5


@pytest.mark.django_db
def test_a_group_of_five_is_shown_with_the_agencys_position(world, django_assert_max_num_queries):
    others = peers(world, 4, opt_in={0})
    month(world.eksempel, 250_000.0)  # 10 NOK per resident
    for i, org in enumerate(others):
        month(org, 100_000.0 * (i + 1))
    with django_assert_max_num_queries(2):
        result = benchmark.benchmark_for(world.eksempel)
    assert result.shown and result.group_size == 5
    assert result.window == ("2023-10", "2024-09")
    per_employee = next(p for p in result.positions if p.kpi == "per_employee")
    # 250 000 / 2 000 and 100 000·k / 1 500 for k = 1…4: 66.67, 125, 133.33, 200, 266.67.
    assert per_employee.own == 125.0
    assert per_employee.median == 133.3333
    assert per_employee.rank_share == 0.25  # one of four peers is lower
    savings = next(p for p in result.positions if p.kpi == "savings_rate")
    assert savings.median == 0.2  # (1.25 − 1) / 1.25 for everyone
    names = [name for name, _value, _own in per_employee.values]
    assert "Peer 0 kommune" in names  # opted in
    assert "Peer 1 kommune" not in names and names.count(None) == 3
    assert "Eksempel kommune" in names


@pytest.mark.django_db
def test_a_group_of_four_is_never_shown(world):
    for i, org in enumerate(peers(world, 3)):
        month(org, 1000.0 * (i + 1))
    month(world.eksempel, 5000.0)
    result = benchmark.benchmark_for(world.eksempel)
    assert not result.shown and result.positions == []


@pytest.mark.django_db
def test_the_benchmark_page_shows_percentiles_and_hides_names(
    world, login, django_assert_max_num_queries
):
    for i, org in enumerate(peers(world, 5)):
        month(org, 100_000.0 * (i + 1))
    month(world.eksempel, 250_000.0)
    client = login(world.alice)
    with django_assert_max_num_queries(6):
        body = client.get(
            f"/kostnader/virksomhet/{world.eksempel.pk}/sammenligning/"
        ).content.decode()
    assert "Peer 1 kommune" not in body
    assert "Eksempel kommune" in body
    api = client.get(f"/api/v1/costs/organisations/{world.eksempel.pk}/benchmark").json()
    assert api["shown"] and api["group_size"] == 6
