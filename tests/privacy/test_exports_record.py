"""The Article 30 record opens in ODS, XLSX, CSV, PDF and JSON with every activity, æøå intact and formulas defused."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from mps.privacy.exports import FORMATS, Article30Record, export_record
from mps.privacy.exports.cells import defuse, xml_safe
from mps.privacy.exports.csvfile import to_csv
from mps.privacy.exports.jsonfile import SCHEMA, to_dict, to_json
from mps.privacy.exports.ods import to_ods
from mps.privacy.exports.pdf import to_html, to_pdf
from mps.privacy.exports.table import CONTROLLER_COLUMNS, PROCESSOR_COLUMNS
from mps.privacy.exports.xlsx import SHEET_CONTROLLER, SHEET_PROCESSOR, SHEET_TRANSFERS, to_xlsx
from tests.privacy.exports_sample import HOSTILE, RECORD

NAMES = [a.name for a in RECORD.controller_activities]


@pytest.mark.parametrize("text", ["=1+1", "+47", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_could_run_as_a_formula_gets_an_apostrophe(text: str) -> None:
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("text", ["Åse", "1+1=2", "e-post", "", "'quoted"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert defuse(text) == text


def test_control_characters_are_dropped() -> None:
    assert xml_safe("a\x00b\x1bc\nd") == "abc\nd"


def test_headings_follow_article_30_1_in_order() -> None:
    points = [
        c.heading.split("art. 30 nr. 1 ")[1][0]
        for c in CONTROLLER_COLUMNS
        if "art. 30 nr. 1" in c.heading
    ]
    assert points == sorted(points) and set(points) == set("abcdefg")
    assert [c.heading.split("nr. 2 ")[1][0] for c in PROCESSOR_COLUMNS if "nr. 2" in c.heading] == [
        "a",
        "b",
        "c",
        "c",
        "d",
    ]


def xlsx_sheet(data: bytes, name: str) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(data))[name].iter_rows(values_only=True))


def test_xlsx_has_controller_block_headings_and_every_activity_row() -> None:
    rows = xlsx_sheet(to_xlsx(RECORD), SHEET_CONTROLLER)
    assert rows[0][0] == "Protokoll over behandlingsaktiviteter"
    block = {r[0]: r[1] for r in rows[2:8]}
    assert block["Behandlingsansvarlig"] == "Eksempel kommune"
    assert block["Personvernombud"].startswith("Åse Ødegård\n")
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Nr.")
    assert list(rows[header_at]) == [c.heading for c in CONTROLLER_COLUMNS]
    body = rows[header_at + 1 :]
    assert [r[1] for r in body] == [NAMES[0], NAMES[1], "'" + HOSTILE]
    assert [r[0] for r in body] == ["A-1", "2", "3"]
    first = dict(zip([c.key for c in CONTROLLER_COLUMNS], body[0], strict=True))
    assert "fødselsnummer" in first["data_categories"]
    assert "Acme Support India Pvt Ltd (IN)" in first["transfers"]
    assert "Acme Cloud Ireland Ltd" not in first["transfers"]  # EEA: no transfer
    assert (
        first["safeguards"] == "Acme Support India Pvt Ltd: SCC modul 3 (2026-01-10); TIA mangler"
    )


def test_xlsx_cells_are_text_and_never_formulas() -> None:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(to_xlsx(RECORD)))[SHEET_CONTROLLER]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)
    hostile = [c.value for c in cells if isinstance(c.value, str) and HOSTILE in c.value]
    assert hostile == ["'" + HOSTILE]
    texts = {c.value for c in cells}
    assert {"'+47 22 00 00 00", "'-minus først\n@SUM(A1:A9)", "'\tfane først"} <= texts


def test_xlsx_has_processor_and_transfer_sheets() -> None:
    data = to_xlsx(RECORD)
    processor = xlsx_sheet(data, SHEET_PROCESSOR)
    assert any(r[1] == "Drift av skoleportal for nabokommunen" for r in processor)
    transfers = xlsx_sheet(data, SHEET_TRANSFERS)
    assert [r[1] for r in transfers[1:]] == [
        "Acme Support India Pvt Ltd",
        "Acme Cloud, Inc.",
        "Globex Mail LLC",
    ]
    assert transfers[2][3] == "mangler overføringsgrunnlag" and transfers[2][5] == "stoppet"


def test_xlsx_without_processor_activities_has_no_processor_sheet() -> None:
    from openpyxl import load_workbook

    record = replace(RECORD, activities=RECORD.controller_activities)
    assert SHEET_PROCESSOR not in load_workbook(io.BytesIO(to_xlsx(record))).sheetnames


def ods_tables(data: bytes) -> dict[str, list[list[str]]]:
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    doc = load(io.BytesIO(data))
    out: dict[str, list[list[str]]] = {}
    for table in doc.spreadsheet.getElementsByType(Table):
        out[table.getAttribute("name")] = [
            [
                "\n".join(teletype.extractText(p) for p in cell.childNodes)
                for cell in row.getElementsByType(TableCell)
            ]
            for row in table.getElementsByType(TableRow)
        ]
    return out


def test_ods_opens_with_every_activity_and_norwegian_letters() -> None:
    tables = ods_tables(to_ods(RECORD))
    assert set(tables) == {SHEET_CONTROLLER, SHEET_PROCESSOR, SHEET_TRANSFERS}
    rows = tables[SHEET_CONTROLLER]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Nr.")
    assert rows[header_at] == [c.heading for c in CONTROLLER_COLUMNS]
    body = rows[header_at + 1 :]
    assert [r[1] for r in body] == [NAMES[0], NAMES[1], "'" + HOSTILE]
    assert body[0][
        CONTROLLER_COLUMNS.index(next(c for c in CONTROLLER_COLUMNS if c.key == "data_subjects"))
    ] == ("ansatte\ntidligere ansatte")
    assert ["Personvernombud", "Åse Ødegård\npersonvernombud@eksempel.kommune.no"] in rows
    assert any(r[1:2] == ["Drift av skoleportal for nabokommunen"] for r in tables[SHEET_PROCESSOR])


def test_ods_cells_are_strings_so_nothing_is_evaluated() -> None:
    from odf.opendocument import load
    from odf.table import TableCell

    doc = load(io.BytesIO(to_ods(RECORD)))
    cells = doc.spreadsheet.getElementsByType(TableCell)
    filled = [c for c in cells if c.childNodes]
    assert filled and all(c.getAttribute("valuetype") == "string" for c in filled)
    assert all(not c.getAttribute("formula") for c in cells)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_starts_with_a_bom_is_semicolon_separated_and_keeps_æøå() -> None:
    data = to_csv(RECORD)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data)
    assert rows[0][:4] == ["Protokoll", "Behandlingsansvarlig", "Personvernombud", "Nr."]
    assert [r[4] for r in rows[1:]] == [
        *NAMES[:2],
        "'" + HOSTILE,
        "Drift av skoleportal for nabokommunen",
    ]
    assert [r[0] for r in rows[1:]] == ["art. 30 nr. 1"] * 3 + ["art. 30 nr. 2"]
    assert all(r[2].startswith("Åse Ødegård") for r in rows[1:])
    assert len({len(r) for r in rows}) == 1


def test_csv_defuses_every_formula_like_cell() -> None:
    cells = [cell for row in csv_rows(to_csv(RECORD)) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'+47 22 00 00 00" in cells


def test_pdf_contains_every_activity_and_norwegian_letters() -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(to_pdf(RECORD)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for needle in (
        "Lønn og personaladministrasjon",
        "Postjournal og arkiv",
        "Åse Ødegård",
        "Drift av skoleportal",
        "Overføringer til tredjeland",
        "Acme Support India Pvt Ltd",
    ):
        assert needle in text


def test_html_escapes_values() -> None:
    page = to_html(
        replace(RECORD, controller=replace(RECORD.controller, name="<script>x</script>"))
    )
    assert "<script>x" not in page and "&lt;script&gt;x" in page


def test_json_keeps_lists_and_marks_eea_recipients_as_no_transfer() -> None:
    raw = json.loads(to_json(RECORD))
    assert raw["schema"] == SCHEMA and raw["as_of"] == "2026-11-29"
    assert [a["name"] for a in raw["activities"]][:3] == [*NAMES[:2], HOSTILE]
    assert raw["activities"][0]["data_subjects"] == ["ansatte", "tidligere ansatte"]
    assert [t["is_transfer"] for t in raw["activities"][0]["transfers"]] == [False, True, True]
    assert "Åse" in to_json(RECORD).decode("utf-8")
    assert to_dict(RECORD)["dpo"]["name"] == "Åse Ødegård"


def test_empty_record_exports_in_every_format() -> None:
    empty = Article30Record(controller=RECORD.controller, as_of=RECORD.as_of)
    for fmt in FORMATS:
        content, media_type, extension = export_record(empty, fmt)
        assert content and media_type and extension == fmt


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export_record(RECORD, "docx")
