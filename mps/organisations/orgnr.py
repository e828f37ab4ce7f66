"""Norwegian organisation numbers (organisasjonsnummer): nine digits with a MOD11 check digit.

Plain Python, no Django: used by validators, the Enhetsregisteret import and the demo.
"""

from __future__ import annotations

# Brønnøysundregistrene: weights for the first eight digits; the ninth is the check digit.
MOD11_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


class InvalidOrgnr(ValueError):
    """An organisation number that is not nine digits or whose check digit is wrong."""

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"Organisation number {value!r} is invalid: {reason}.")


def check_digit(first_eight: str) -> int | None:
    """The MOD11 check digit for eight digits, or None where no valid number exists (remainder 1)."""
    total = sum(int(d) * w for d, w in zip(first_eight, MOD11_WEIGHTS, strict=True))
    remainder = total % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def normalise_orgnr(value: str | int) -> str:
    """Return the nine-digit string or raise InvalidOrgnr naming the number and the reason."""
    text = str(value).replace(" ", "").strip()
    if len(text) != 9 or not text.isdigit():
        raise InvalidOrgnr(str(value), "it must be exactly nine digits")
    expected = check_digit(text[:8])
    if expected is None:
        raise InvalidOrgnr(str(value), "no valid check digit exists for its first eight digits")
    if int(text[8]) != expected:
        raise InvalidOrgnr(str(value), f"the check digit is {text[8]}, expected {expected}")
    return text


def is_valid_orgnr(value: str | int) -> bool:
    try:
        normalise_orgnr(value)
    except InvalidOrgnr:
        return False
    return True


def synthetic_orgnr(seed: int) -> str:
    """A valid-looking organisation number for fictitious demo entities.

    99 followed by the seed; where that has no check digit (remainder 1), 98 followed by the
    seed, which then has one (the prefix changes the weighted sum by 2). So distinct seeds below
    1,000,000 give distinct numbers: an earlier version moved on to the next seed and gave two
    demo vendors one number. Demo data marks such entities as synthetic as well; these are not
    registered numbers.
    """
    if not 0 <= seed < 1_000_000:
        raise ValueError(f"seed {seed} outside 0..999999")
    for prefix in ("99", "98"):
        first = f"{prefix}{seed:06d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise AssertionError("unreachable: one of the two prefixes always has a check digit")
