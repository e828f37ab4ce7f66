"""DMARC parser (RFC 7489 §6.3-6.4): policies, tag errors and random input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mps.scanner.mail_dmarc import parse_dmarc, select_dmarc


def test_full_record_parses_with_defaults() -> None:
    record = parse_dmarc(
        "v=DMARC1; p=reject; rua=mailto:d@example.no,mailto:e@example.no!10m"
    ).record
    assert record is not None
    assert (record.policy, record.subdomain_policy, record.pct) == ("reject", "reject", 100)
    assert record.rua == ("mailto:d@example.no", "mailto:e@example.no!10m")
    assert record.enforcing


def test_unknown_tags_are_ignored() -> None:
    assert parse_dmarc("v=DMARC1; p=quarantine; np=reject; future=1").record is not None


@pytest.mark.parametrize(
    ("record", "enforcing"),
    [
        ("v=DMARC1; p=none", False),
        ("v=DMARC1; p=reject; pct=99", False),
        ("v=DMARC1; p=quarantine; pct=100", True),
        ("v=DMARC1;p=reject;", True),
    ],
)
def test_enforcement(record: str, enforcing: bool) -> None:
    parsed = parse_dmarc(record).record
    assert parsed is not None
    assert parsed.enforcing is enforcing


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("v=DMARC1", "p= is missing"),
        ("v=DMARC1; p=block", "not none, quarantine or reject"),
        ("v=DMARC1; p=reject; sp=maybe", "sp="),
        ("v=DMARC1; p=reject; pct=101", "pct="),
        ("v=DMARC1; p=reject; pct=-5", "pct="),
        ("v=DMARC1; p=reject; adkim=x", "adkim="),
        ("v=DMARC1; p=reject; rua=d@example.no", "is not a URI"),
        ("v=DMARC1; p=reject; p=none", "more than once"),
        ("v=DMARC1; p=reject; garbage", "not tag=value"),
        ("v=DMARC1; p=reject; fo=2", "fo="),
        ("v=DMARC1; p=reject; ri=soon", "ri="),
        ("p=reject; v=DMARC1", "v=DMARC1"),
        ("v=dmarc1; p=reject", "v=DMARC1"),
    ],
)
def test_invalid_records_name_the_problem(record: str, reason: str) -> None:
    parsed = parse_dmarc(record)
    assert parsed.record is None
    assert reason in parsed.error


def test_select_dmarc_discards_other_txt() -> None:
    assert select_dmarc(["v=spf1 -all", "v=DMARC1; p=none", "v=DMARC10"]) == ["v=DMARC1; p=none"]


DMARC_TOKENS = st.sampled_from(
    ["v=DMARC1", ";", "; ", "p=", "sp=", "pct=", "rua=", "ruf=", "adkim=", "fo=", "ri=",
     "none", "reject", "quarantine", "r", "s", "100", "50", "-1", "mailto:a@b.no", ",", "!",
     "10m", "=", " ", "\t", "é", "\x00", "x"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(DMARC_TOKENS, max_size=25).map("".join))
def test_token_soup_never_raises(text: str) -> None:
    parsed = parse_dmarc(text)
    assert (parsed.record is None) == bool(parsed.error)
    if parsed.record is not None:
        assert parsed.record.policy in ("none", "quarantine", "reject")
        assert 0 <= parsed.record.pct <= 100


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    parsed = parse_dmarc("v=DMARC1; " + text)
    assert (parsed.record is None) == bool(parsed.error)
