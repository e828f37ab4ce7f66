"""Re-importing the DPF list yields typed changes and alerts exactly the agencies they touch."""

from __future__ import annotations

from pathlib import Path

from mps.privacy.dpfwatch import (
    ChangeKind,
    DpfChange,
    EntityUse,
    affected_agencies,
    diff_snapshots,
    impacts,
    parse_csv,
    parse_json,
)

FIXTURES = Path(__file__).parent / "fixtures"
OCTOBER = parse_json((FIXTURES / "dpf_snapshot_2026-10-01.json").read_text())
NOVEMBER = parse_csv((FIXTURES / "dpf_snapshot_2026-11-29.csv").read_text())
ACME = "Acme Cloud, Inc."


def kinds(changes: tuple[DpfChange, ...]) -> set[tuple[str, ChangeKind]]:
    return {(c.organisation, c.kind) for c in changes}


def test_diff_lists_every_kind_of_change_between_the_sample_snapshots() -> None:
    assert kinds(diff_snapshots(OCTOBER, NOVEMBER)) == {
        (ACME, ChangeKind.HR_DROPPED),
        (ACME, ChangeKind.ENTITY_REMOVED),
        ("Globex Mail LLC", ChangeKind.LAPSED),
        ("Globex Mail LLC", ChangeKind.UK_EXTENSION_CHANGED),
        ("Initech Corporation", ChangeKind.ENTITY_ADDED),
        ("Initech Corporation", ChangeKind.DUE_DATE_CHANGED),
        ("Umbrella Storage Ltd.", ChangeKind.REMOVED),
        ("Hooli Ærlig Data Inc.", ChangeKind.ADDED),
    }


def test_changes_carry_before_after_and_the_names_they_touch() -> None:
    changes = {(c.organisation, c.kind): c for c in diff_snapshots(OCTOBER, NOVEMBER)}
    hr = changes[(ACME, ChangeKind.HR_DROPPED)]
    assert (hr.before, hr.after, hr.data) == ("true", "false", "hr")
    assert hr.names == (ACME, "Acme Analytics LLC", "Acme Payments Inc.")
    removed = changes[(ACME, ChangeKind.ENTITY_REMOVED)]
    assert removed.names == ("Acme Payments Inc.",) and removed.worsens
    due = changes[("Initech Corporation", ChangeKind.DUE_DATE_CHANGED)]
    assert (due.before, due.after, due.worsens) == ("2026-12-01", "2027-12-01", False)
    lapsed = changes[("Globex Mail LLC", ChangeKind.LAPSED)]
    assert (lapsed.before, lapsed.after, lapsed.worsens) == ("active", "inactive", True)


def test_reverse_diff_turns_drops_into_additions() -> None:
    found = kinds(diff_snapshots(NOVEMBER, OCTOBER))
    assert (ACME, ChangeKind.HR_ADDED) in found
    assert ("Globex Mail LLC", ChangeKind.REACTIVATED) in found
    assert ("Hooli Ærlig Data Inc.", ChangeKind.REMOVED) in found
    assert ("Umbrella Storage Ltd.", ChangeKind.ADDED) in found


def test_identical_snapshots_have_no_changes() -> None:
    assert diff_snapshots(OCTOBER, OCTOBER) == ()


def test_non_hr_coverage_dropped_is_its_own_kind() -> None:
    before = parse_json([{"organisation": "X", "eu_us": "active", "hr": True, "non_hr": True}])
    after = parse_json([{"organisation": "X", "eu_us": "active", "hr": True, "non_hr": False}])
    (change,) = diff_snapshots(before, after)
    assert change.kind is ChangeKind.NON_HR_DROPPED and change.data == "non_hr"


USAGE = {
    ACME: ["eksempel", "annen"],
    "Acme Payments Inc.": ["tredje"],
    "Globex Mail LLC": ["fjerde"],
    "Initech Corporation": ["femte"],
    "Initech Support Inc.": ["femte"],
    "Umbrella Storage Ltd.": ["sjette"],
    "Hooli Ærlig Data Inc.": ["sjuende"],
    "Acme Cloud Inc": ["near-name-only"],
}


def test_affected_agencies_are_exactly_those_relying_on_a_worsened_name() -> None:
    changes = diff_snapshots(OCTOBER, NOVEMBER)
    assert affected_agencies(changes, USAGE) == {"eksempel", "annen", "tredje", "fjerde", "sjette"}


def test_other_kinds_can_be_asked_for() -> None:
    changes = diff_snapshots(OCTOBER, NOVEMBER)
    assert affected_agencies(changes, USAGE, kinds=[ChangeKind.DUE_DATE_CHANGED]) == {"femte"}
    assert affected_agencies(changes, USAGE, kinds=[ChangeKind.ADDED]) == {"sjuende"}


def test_hr_drop_leaves_out_agencies_whose_hop_never_reaches_hr_data() -> None:
    changes = diff_snapshots(OCTOBER, NOVEMBER)
    uses = [
        EntityUse(ACME, "eksempel", chain="lønn", categories=("hr", "contact")),
        EntityUse(ACME, "annen", chain="e-post", categories=("contact",)),
        EntityUse("Acme Payments Inc.", "tredje", categories=("contact",)),
        EntityUse("Globex Mail LLC", "fjerde"),
        EntityUse("Initech Corporation", "femte", categories=("hr",)),
    ]
    found = impacts(changes, uses)
    assert set(found) == {"eksempel", "tredje", "fjerde"}
    ((use, change),) = found["eksempel"]
    assert use.chain == "lønn" and change.kind is ChangeKind.HR_DROPPED


def test_non_hr_drop_touches_hops_with_other_data_or_no_categories() -> None:
    before = parse_json([{"organisation": "X", "eu_us": "active", "hr": True, "non_hr": True}])
    after = parse_json([{"organisation": "X", "eu_us": "active", "hr": True, "non_hr": False}])
    uses = [
        EntityUse("X", "hr-only", categories=("hr",)),
        EntityUse("X", "mixed", categories=("hr", "health")),
        EntityUse("X", "none-declared", categories=()),
        EntityUse("X", "unknown"),
    ]
    assert set(impacts(diff_snapshots(before, after), uses)) == {
        "mixed",
        "none-declared",
        "unknown",
    }


def test_every_change_is_described_in_bokmål_and_english() -> None:
    from mps.privacy.dpfwatch import describe

    changes = {(c.organisation, c.kind): c for c in diff_snapshots(OCTOBER, NOVEMBER)}
    lapsed = describe(changes[("Globex Mail LLC", ChangeKind.LAPSED)])
    assert lapsed.nb.startswith(
        "Sertifiseringen til Globex Mail LLC under EU–US-rammeverket er ikke lenger aktiv"
    )
    assert "lost their ground" in lapsed.en
    uk = describe(changes[("Globex Mail LLC", ChangeKind.UK_EXTENSION_CHANGED)])
    assert "fra aktiv til inaktiv" in uk.nb and "from active to inactive" in uk.en
    removed = describe(changes[(ACME, ChangeKind.ENTITY_REMOVED)])
    assert (
        removed.en
        == "Acme Payments Inc. is no longer listed as covered by Acme Cloud, Inc.'s certification."
    )
    joined = describe(DpfChange(ChangeKind.SWISS_US_CHANGED, "X", ("X",), None, "active"))
    assert (
        "fra deltar ikke til aktiv" in joined.nb and "from not participating to active" in joined.en
    )
    for kind in ChangeKind:
        text = describe(DpfChange(kind, "X", ("X",), None, None))
        assert text.nb and text.en and "{" not in text.nb + text.en
