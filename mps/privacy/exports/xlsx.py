"""The record as XLSX, laid out like Datatilsynet's template for a record of processing
activities: the controller block at the top, then one row per activity with the Art. 30(1)
points as columns. Processor activities (Art. 30(2)) and the transfers get sheets of their
own. Written with openpyxl (MIT)."""

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

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_CONTROLLER = "Behandlingsansvarlig"
SHEET_PROCESSOR = "Databehandler"
SHEET_TRANSFERS = "Overføringer"


def to_xlsx(record: Article30Record) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    head_fill = PatternFill("solid", fgColor="DDE6F0")

    def put(ws: Any, row: int, col: int, text: str) -> Any:
        cell = ws.cell(row=row, column=col)
        cell.value = defuse(text)
        cell.data_type = "s"  # text, never a formula or a number
        cell.alignment = wrap
        return cell

    def table(
        ws: Any, top: int, headings: list[str], widths: list[int], body: list[list[str]]
    ) -> None:
        for col, (heading, width) in enumerate(zip(headings, widths, strict=True), start=1):
            cell = put(ws, top, col, heading)
            cell.font = bold
            cell.fill = head_fill
            ws.column_dimensions[get_column_letter(col)].width = width
        for r, values in enumerate(body, start=top + 1):
            for col, value in enumerate(values, start=1):
                put(ws, r, col, value)
        ws.freeze_panes = ws.cell(row=top + 1, column=3)
        last = get_column_letter(len(headings))
        ws.auto_filter.ref = f"A{top}:{last}{max(top, top + len(body))}"

    def sheet(ws: Any, columns: tuple[Column, ...], activities: tuple[Activity, ...]) -> None:
        put(ws, 1, 1, record.title).font = Font(bold=True, size=14)
        r = 3
        for label, value in controller_lines(record):
            put(ws, r, 1, label).font = bold
            put(ws, r, 2, value)
            r += 1
        table(
            ws,
            r + 1,
            [c.heading for c in columns],
            [c.width for c in columns],
            rows(activities, columns),
        )

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_CONTROLLER
    sheet(ws, CONTROLLER_COLUMNS, record.controller_activities)
    if record.processor_activities:
        sheet(wb.create_sheet(SHEET_PROCESSOR), PROCESSOR_COLUMNS, record.processor_activities)
    tws = wb.create_sheet(SHEET_TRANSFERS)
    table(tws, 1, list(TRANSFER_HEADINGS), [30, 30, 12, 40, 40, 14, 24], transfer_rows(record))
    wb.properties.title = defuse(record.title)
    wb.properties.creator = "mps"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
