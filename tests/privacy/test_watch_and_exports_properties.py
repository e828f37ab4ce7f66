"""Properties: any text survives every spreadsheet format defused and nothing else changed;
snapshots round-trip; diffs are empty for equal snapshots and mirror when reversed."""

from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mps.privacy.dpfwatch import ChangeKind, diff_snapshots, parse_json, to_dict
from mps.privacy.exports import Activity, Article30Record, Party
from mps.privacy.exports.cells import FORMULA_STARTS, defuse, xml_safe
from mps.privacy.exports.csvfile import to_csv
from mps.privacy.exports.ods import to_ods
from mps.privacy.exports.xlsx import SHEET_CONTROLLER, to_xlsx

# Text as it reaches the record: no control characters outside tab/newline/CR (dropped
# before writing) and newlines normalised as a browser form sends them.
TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029"
    )
    | st.sampled_from("=+-@\t æøåÆØÅ"),
    max_size=40,
)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def record(name: str, purposes: str) -> Article30Record:
    return Article30Record(
        controller=Party("Eksempel kommune"),
        as_of=date(2026, 11, 29),
        activities=(Activity(name=name, purposes=purposes),),
    )


@given(TEXT)
def test_defused_text_never_starts_like_a_formula_and_only_gains_an_apostrophe(text: str) -> None:
    out = defuse(text)
    assert not out.startswith(FORMULA_STARTS)
    assert out in (xml_safe(text), "'" + xml_safe(text))


@SETTINGS
@given(TEXT, TEXT)
def test_csv_cells_read_back_as_the_defused_text(name: str, purposes: str) -> None:
    rows = list(
        csv.reader(
            io.StringIO(to_csv(record(name, purposes)).decode("utf-8-sig"), newline=""),
            delimiter=";",
        )
    )
    by_heading = dict(zip(rows[0], rows[1], strict=True))
    assert by_heading["Behandlingsaktivitet"] == defuse(name)
    assert by_heading["Formålene med behandlingen (art. 30 nr. 1 b)"] == defuse(purposes)


@SETTINGS
@given(TEXT)
def test_xlsx_cells_read_back_as_the_defused_text(name: str) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(to_xlsx(record(name, "x"))))[SHEET_CONTROLLER]
    last = list(ws.iter_rows(values_only=True))[-1]
    assert (last[1] or "") == defuse(name)


@SETTINGS
@given(TEXT.filter(lambda t: "\r" not in t))
def test_ods_cells_read_back_as_the_defused_text(name: str) -> None:
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    doc = load(io.BytesIO(to_ods(record(name, "x"))))
    (sheet,) = [
        t
        for t in doc.spreadsheet.getElementsByType(Table)
        if t.getAttribute("name") == SHEET_CONTROLLER
    ]
    last = sheet.getElementsByType(TableRow)[-1]
    cell = last.getElementsByType(TableCell)[1]
    assert "\n".join(teletype.extractText(p) for p in cell.childNodes) == defuse(name)


NAME = (
    st.text(alphabet="abcdeæø ,.", min_size=1, max_size=12)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
ORG = st.fixed_dictionaries(
    {
        "organisation": NAME,
        "covered_entities": st.lists(NAME, max_size=3),
        "eu_us": st.sampled_from(["active", "inactive"]),
        "uk_extension": st.sampled_from(["active", "inactive", None]),
        "swiss_us": st.sampled_from(["active", "inactive", None]),
        "hr": st.booleans(),
        "non_hr": st.booleans(),
        "original_certification": st.sampled_from([None, "2023-07-17"]),
        "next_due": st.sampled_from([None, "2026-12-01", "2027-06-30"]),
    }
)
SNAPSHOT = st.lists(ORG, max_size=6, unique_by=lambda o: o["organisation"]).map(parse_json)
MIRROR = {
    ChangeKind.ADDED: ChangeKind.REMOVED,
    ChangeKind.LAPSED: ChangeKind.REACTIVATED,
    ChangeKind.HR_DROPPED: ChangeKind.HR_ADDED,
    ChangeKind.NON_HR_DROPPED: ChangeKind.NON_HR_ADDED,
    ChangeKind.ENTITY_REMOVED: ChangeKind.ENTITY_ADDED,
}
MIRROR |= {v: k for k, v in MIRROR.items()}


@given(SNAPSHOT)
def test_snapshot_round_trips_and_equals_itself(snap) -> None:  # type: ignore[no-untyped-def]
    assert parse_json(to_dict(snap)) == snap
    assert diff_snapshots(snap, snap) == ()


@given(SNAPSHOT, SNAPSHOT)
def test_reversed_diff_mirrors_every_change(old, new) -> None:  # type: ignore[no-untyped-def]
    forward = {
        (c.organisation, MIRROR.get(c.kind, c.kind), c.before, c.after)
        for c in diff_snapshots(old, new)
    }
    backward = {(c.organisation, c.kind, c.after, c.before) for c in diff_snapshots(new, old)}
    assert forward == backward
