"""SPF parser (RFC 7208): valid records, each kind of syntax error, and random input."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mps.scanner.mail_spf import parse_spf, select_spf, walk_lookups

from .conftest import DnsNet


@pytest.mark.parametrize(
    "record",
    [
        "v=spf1 -all",
        "v=spf1",
        "V=SPF1 mx -all",
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx ~all",
        "v=spf1 a:mail.example.no/24//64 mx/28 -all",
        "v=spf1 include:_spf.example.no exists:%{i}._spf.example.no ?all",
        "v=spf1 redirect=_spf.example.no",
        "v=spf1 include:example.no exp=explain.example.no -all",
        "v=spf1  mx   -all",
        "v=spf1 unknown-mod=anything -all",
    ],
)
def test_valid_records_parse(record: str) -> None:
    parsed = parse_spf(record)
    assert parsed.record is not None, parsed.error
    assert parsed.error == ""


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("v=spf1 foo:bar -all", "unknown mechanism"),
        ("v=spf1 ip4:999.1.1.1 -all", "not an IP address"),
        ("v=spf1 ip4:192.0.2.0/33 -all", "prefix"),
        ("v=spf1 ip6:192.0.2.1 -all", "wrong address family"),
        ("v=spf1 include -all", "needs ':domain'"),
        ("v=spf1 include:nodots -all", "fully qualified"),
        ("v=spf1 all:x", "takes no argument"),
        ("v=spf1 redirect=a.example.no redirect=b.example.no", "more than once"),
        ("v=spf1 exists:%{z}.example.no -all", "malformed macro"),
        ("v=spf1 mx -all é", "US-ASCII"),
        ("v=spf10 -all", "v=spf1"),
        ("spf1 -all", "v=spf1"),
    ],
)
def test_invalid_records_name_the_problem(record: str, reason: str) -> None:
    parsed = parse_spf(record)
    assert parsed.record is None
    assert reason in parsed.error


def test_all_qualifier_and_redirect() -> None:
    record = parse_spf("v=spf1 mx ?all redirect=x.example.no").record
    assert record is not None
    assert record.all_qualifier == "?"
    assert record.redirect is None  # RFC 7208 §6.1: redirect is ignored when all is present
    redirect = parse_spf("v=spf1 mx redirect=x.example.no").record
    assert redirect is not None and redirect.redirect == "x.example.no"


def test_lookup_terms_are_the_dns_querying_ones() -> None:
    text = "v=spf1 a mx ptr exists:x.example.no include:y.example.no ip4:192.0.2.1 -all"
    record = parse_spf(text).record
    assert record is not None
    assert [t.name for t in record.lookup_terms] == ["a", "mx", "ptr", "exists", "include"]


def test_select_spf_keeps_only_spf_records() -> None:
    assert select_spf(["google-site-verification=x", "v=spf1 -all", "v=spf1x"]) == ["v=spf1 -all"]


def test_walk_counts_includes_through_the_resolver(dnsnet: DnsNet) -> None:
    record = parse_spf("v=spf1 include:spf-many.test -all").record
    assert record is not None
    walk = asyncio.run(walk_lookups(dnsnet.config, "example.test", record))
    assert walk.too_many


def test_walk_reports_include_without_spf(dnsnet: DnsNet) -> None:
    record = parse_spf("v=spf1 include:unsigned.test -all").record
    assert record is not None
    walk = asyncio.run(walk_lookups(dnsnet.config, "example.test", record))
    assert walk.errors == ["include:unsigned.test has no SPF record"]
    assert walk.lookups == 1


SPF_TOKENS = st.sampled_from(
    ["v=spf1", "-all", "+all", "~all", "?all", "all", "mx", "a", "ptr", "include:", "exists:",
     "ip4:", "ip6:", "redirect=", "exp=", "/", "//", ":", "=", "%{", "}", "%", ".", "example.no",
     "192.0.2.1", "::1", "/24", " ", "  ", "\t", "é", "\x00", "-", "+", "~", "?"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(SPF_TOKENS, max_size=20).map("".join))
def test_token_soup_never_raises(text: str) -> None:
    parsed = parse_spf(text)
    assert (parsed.record is None) != (parsed.error == "")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    parsed = parse_spf("v=spf1 " + text)
    assert (parsed.record is None) == bool(parsed.error)
    if parsed.record is not None:
        assert all(t.qualifier in "+-~?" for t in parsed.record.terms)


def test_absurdly_long_record_is_rejected_quickly() -> None:
    parsed = parse_spf("v=spf1 " + "a " * 10_000)
    assert parsed.record is None and "characters long" in parsed.error


def test_non_text_input_is_an_error_not_a_crash() -> None:
    assert parse_spf(b"v=spf1 -all").error == "record is not text"  # type: ignore[arg-type]
