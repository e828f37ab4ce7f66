"""Footprint names: normalisation, coverage, overlaps (pure, no network)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mps.riskscore.footprint import (
    AssetKind,
    AssetRef,
    FootprintError,
    candidate_parents,
    covers,
    display_name,
    names_from_certificates,
    normalise,
    overlap,
)


def test_an_idn_is_stored_as_punycode_in_lower_case_without_the_trailing_dot():
    assert normalise("domain", "Bærum.Kommune.NO.") == "xn--brum-voa.kommune.no"
    assert display_name("xn--brum-voa.kommune.no") == "bærum.kommune.no"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "empty"),
        ("a..no", "not a valid domain"),
        ("-x.no", "not a valid domain"),
        ("ex ample.no", "not a valid domain"),
        ("localhost", "two labels"),
        ("*.example.no", "wildcards"),
        ("10.0.0.1", "IP address"),
        ("a" * 64 + ".no", "not a valid domain"),
        ("example.123", "numeric"),
    ],
)
def test_an_invalid_name_gets_an_error_naming_the_value_and_the_problem(value, fragment):
    with pytest.raises(FootprintError, match=fragment) as info:
        normalise("domain", value)
    if value:
        assert repr(value)[:20] in str(info.value) or fragment == "not a valid domain"


def test_ip_and_cidr_values_are_normalised():
    assert normalise("ip", " 2001:DB8::0001 ") == "2001:db8::1"
    assert normalise("cidr", "192.0.2.0/24") == "192.0.2.0/24"


@pytest.mark.parametrize(
    ("kind", "value", "fragment"),
    [
        ("cidr", "192.0.2.1/24", "host bits"),
        ("cidr", "10.0.0.0/8", "too large"),
        ("ip", "300.1.1.1", "not an IP address"),
        ("url", "example.no", "unknown asset kind"),
    ],
)
def test_bad_addresses_and_kinds_are_refused_by_name(kind, value, fragment):
    with pytest.raises(FootprintError, match=fragment):
        normalise(kind, value)


def ref(kind, value, owner=1):
    return AssetRef(AssetKind(kind), value, owner)


def test_a_domain_covers_its_subdomains_but_not_lookalikes():
    assert covers(ref("domain", "example.no"), ref("host", "www.example.no"))
    assert covers(ref("domain", "example.no"), ref("domain", "a.b.example.no"))
    assert not covers(ref("domain", "example.no"), ref("host", "badexample.no"))
    assert not covers(ref("host", "www.example.no"), ref("host", "a.www.example.no"))


def test_kommune_no_never_covers_a_municipalitys_own_domain():
    assert not covers(ref("domain", "kommune.no"), ref("domain", "xn--brum-voa.kommune.no"))


def test_a_block_covers_its_addresses_and_smaller_blocks():
    assert covers(ref("cidr", "192.0.2.0/24"), ref("ip", "192.0.2.7"))
    assert covers(ref("cidr", "192.0.2.0/24"), ref("cidr", "192.0.2.128/25"))
    assert not covers(ref("cidr", "192.0.2.0/25"), ref("ip", "192.0.2.200"))
    assert not covers(ref("cidr", "192.0.2.0/24"), ref("ip", "2001:db8::1"))


def test_overlap_finds_coverage_in_either_direction():
    verified = [ref("domain", "other.no", 2), ref("cidr", "198.51.100.0/24", 2)]
    assert overlap(ref("host", "www.other.no"), verified) == verified[0]
    assert overlap(ref("ip", "198.51.100.9"), verified) == verified[1]
    assert overlap(ref("cidr", "198.51.100.0/23"), [ref("ip", "198.51.100.9", 2)]) is not None
    assert overlap(ref("host", "www.mine.no"), verified) is None


def test_candidate_parents_list_every_name_that_could_cover():
    assert candidate_parents(AssetKind.HOST, "a.b.example.no") == [
        "a.b.example.no",
        "b.example.no",
        "example.no",
    ]
    assert "192.0.2.0/24" in candidate_parents(AssetKind.IP, "192.0.2.9")
    assert "192.0.2.9" in candidate_parents(AssetKind.IP, "192.0.2.9")


def test_certificate_names_become_suggestions_without_wildcards():
    found = names_from_certificates(["*.example.no", "www.example.no", "bad name"], "example.no")
    assert [s.value for s in found] == ["example.no", "www.example.no"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_hostile_names_never_crash_normalisation(text):
    try:
        value = normalise("domain", text)
    except FootprintError:
        return
    assert value == value.lower() and not value.endswith(".")
    assert normalise("domain", value) == value  # idempotent
