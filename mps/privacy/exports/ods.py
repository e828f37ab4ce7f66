"""The record as ODS (OpenDocument spreadsheet), the open format Norwegian public bodies must
accept; same sheets and columns as the XLSX export. Written with odfpy."""

from __future__ import annotations

import io
from typing import Any

from mps.privacy.exports.cells import defuse
from mps.privacy.exports.record import Activity, Article30Record
from mps.privacy.exports.table import (
    CONTROLLER_COLUMNS,
    PROCESSOR_COLUMNS,
    TRANSFER_HEADINGS,
    Column,
    controller_lines,
    rows,
    transfer_rows,
)
from mps.privacy.exports.xlsx import SHEET_CONTROLLER, SHEET_PROCESSOR, SHEET_TRANSFERS

MEDIA_TYPE = "application/vnd.oasis.opendocument.spreadsheet"


def to_ods(record: Article30Record) -> bytes:
    from odf import teletype
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableCellProperties, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    bold = Style(name="Bold", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    bold.addElement(TableCellProperties(backgroundcolor="#dde6f0", wrapoption="wrap"))
    plain = Style(name="Wrap", family="table-cell")
    plain.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
    doc.automaticstyles.addElement(bold)
    doc.automaticstyles.addElement(plain)
    width_styles: dict[int, Any] = {}

    def width(chars: int) -> Any:
        if chars not in width_styles:
            style = Style(name=f"Col{chars}", family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{chars * 0.21:.2f}cm"))
            doc.automaticstyles.addElement(style)
            width_styles[chars] = style
        return width_styles[chars]

    def row(values: list[str], style: Any = plain) -> Any:
        tr = TableRow()
        if not values:
            tr.addElement(TableCell())  # ODF requires at least one cell per row
        for value in values:
            text = defuse(value)
            cell = TableCell(valuetype="string", stylename=style)
            for line in text.split("\n"):
                para = P()
                teletype.addTextToElement(para, line)  # keeps runs of spaces and tabs
                cell.addElement(para)
            tr.addElement(cell)
        return tr

    def table(name: str, widths: list[int]) -> Any:
        t = Table(name=name)
        for chars in widths:
            t.addElement(TableColumn(stylename=width(chars)))
        doc.spreadsheet.addElement(t)
        return t

    def sheet(name: str, columns: tuple[Column, ...], activities: tuple[Activity, ...]) -> None:
        t = table(name, [c.width for c in columns])
        t.addElement(row([record.title], bold))
        t.addElement(row([]))
        for label, value in controller_lines(record):
            t.addElement(row([label, value]))
        t.addElement(row([]))
        t.addElement(row([c.heading for c in columns], bold))
        for values in rows(activities, columns):
            t.addElement(row(values))

    sheet(SHEET_CONTROLLER, CONTROLLER_COLUMNS, record.controller_activities)
    if record.processor_activities:
        sheet(SHEET_PROCESSOR, PROCESSOR_COLUMNS, record.processor_activities)
    t = table(SHEET_TRANSFERS, [30, 30, 12, 40, 40, 14, 24])
    t.addElement(row(list(TRANSFER_HEADINGS), bold))
    for values in transfer_rows(record):
        t.addElement(row(values))
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()
