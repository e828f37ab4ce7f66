"""The record as CSV for Excel users in Norway.

Why UTF-8 *with* a byte order mark and semicolons: Excel opens a CSV file by double-click
in the system's ANSI code page unless the file starts with a UTF-8 BOM, which turns
"Behandlingsansvarlig for æøå" into mojibake; and with Norwegian regional settings the
decimal separator is the comma, so Excel expects fields separated by semicolons (the
list separator) and would put a comma-separated row in one column. LibreOffice and
scripts read this variant too (Python: ``encoding="utf-8-sig"``, ``delimiter=";"``).

CSV is flat, so each row repeats the controller and the DPO (Art. 30(1)(a)) and says
which part of Art. 30 it belongs to; processor activities follow controller activities.
Cells that could run as formulas are defused (see cells.py).
"""

from __future__ import annotations

import csv
import io

from mps.privacy.exports.cells import defuse
from mps.privacy.exports.record import Activity, Article30Record
from mps.privacy.exports.table import CONTROLLER_COLUMNS, PROCESSOR_COLUMNS, Column, rows

MEDIA_TYPE = "text/csv; charset=utf-8"
DELIMITER = ";"
BOM = "\ufeff"


def to_csv(record: Article30Record) -> bytes:
    keys = [c.key for c in CONTROLLER_COLUMNS]
    headings = {c.key: c.heading for c in CONTROLLER_COLUMNS}
    for c in PROCESSOR_COLUMNS:
        if c.key not in headings:
            keys.append(c.key)
            headings[c.key] = c.heading
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(
        [defuse(h) for h in ("Protokoll", "Behandlingsansvarlig", "Personvernombud")]
        + [defuse(headings[k]) for k in keys]
    )
    dpo = record.dpo.text() if record.dpo else ""

    def emit(part: str, activities: tuple[Activity, ...], columns: tuple[Column, ...]) -> None:
        index = [c.key for c in columns]
        for values in rows(activities, columns):
            by_key = dict(zip(index, values, strict=True))
            writer.writerow(
                [defuse(part), defuse(record.controller.text()), defuse(dpo)]
                + [defuse(by_key.get(k, "")) for k in keys]
            )

    emit("art. 30 nr. 1", record.controller_activities, CONTROLLER_COLUMNS)
    emit("art. 30 nr. 2", record.processor_activities, PROCESSOR_COLUMNS)
    return (BOM + out.getvalue()).encode("utf-8")
