import pytest
from hypothesis import given
from hypothesis import strategies as st

from mps.organisations.orgnr import (
    InvalidOrgnr,
    check_digit,
    is_valid_orgnr,
    normalise_orgnr,
    synthetic_orgnr,
)
from mps.organisations.reference import municipalities


def test_every_shipped_municipality_number_is_valid():
    numbers = [m.orgnr for m in municipalities() if m.orgnr]
    assert len(numbers) == 356
    assert all(is_valid_orgnr(n) for n in numbers)


def test_wrong_check_digit_names_the_number_and_expected_digit():
    with pytest.raises(InvalidOrgnr) as exc:
        normalise_orgnr("958935421")  # Oslo's number with its last digit changed
    assert "958935421" in str(exc.value)
    assert "expected 0" in str(exc.value)


def test_remainder_one_means_no_valid_number_exists():
    first_eight = next(
        f"{n:08d}" for n in range(10_000_000, 10_001_000) if check_digit(f"{n:08d}") is None
    )
    for last in "0123456789":
        assert not is_valid_orgnr(first_eight + last)


@pytest.mark.parametrize("value", ["12345678", "1234567890", "95893542X", "", "958 935 42"])
def test_wrong_length_or_non_digits_are_invalid(value):
    assert not is_valid_orgnr(value)


def test_spaces_are_tolerated():
    assert normalise_orgnr("958 935 420") == "958935420"


@given(st.integers(min_value=0, max_value=999_999))
def test_synthetic_numbers_are_always_valid(seed):
    assert is_valid_orgnr(synthetic_orgnr(seed))


@given(st.integers(min_value=0, max_value=999_998))
def test_neighbouring_seeds_never_share_a_synthetic_number(seed):
    """1003 and 1004 once both gave 990010048, and the demo lost a vendor."""
    assert synthetic_orgnr(seed) != synthetic_orgnr(seed + 1)


def test_a_seed_outside_the_six_digits_is_refused():
    with pytest.raises(ValueError, match="seed 1000000"):
        synthetic_orgnr(1_000_000)


@given(st.text(max_size=20))
def test_any_text_is_either_valid_or_a_clear_error(value):
    try:
        assert len(normalise_orgnr(value)) == 9
    except InvalidOrgnr as exc:
        assert exc.reason
