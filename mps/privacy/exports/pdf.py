"""The record as PDF: an HTML page built here (every value escaped) rendered by WeasyPrint.

A 14-column table does not fit a page, so each activity gets its own block of
heading/value rows, in the order of Art. 30(1); transfers follow as one table. Nothing is
fetched while rendering: the page is self-contained.
"""

from __future__ import annotations

import html

from mps.privacy.exports.cells import xml_safe
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

MEDIA_TYPE = "application/pdf"

_CSS = """
@page { size: A4; margin: 1.8cm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 10pt; }
h2 { font-size: 12.5pt; margin: 16pt 0 6pt; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8pt; }
th, td { border: 0.5pt solid #999; padding: 3pt 5pt; vertical-align: top; text-align: left; }
th { background: #e8eef5; font-weight: bold; }
th[scope=row] { width: 34%; }
.activity { page-break-inside: avoid; }
"""


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"refusing to fetch {url!r} while rendering the record")


def _text(value: str) -> str:
    """Escaped, line breaks kept."""
    return "<br>".join(html.escape(xml_safe(line)) for line in value.split("\n"))


def _activity_blocks(activities: tuple[Activity, ...], columns: tuple[Column, ...]) -> list[str]:
    blocks = []
    for values in rows(activities, columns):
        number, name, rest = values[0], values[1], list(zip(columns[2:], values[2:], strict=True))
        body = "".join(
            f'<tr><th scope="row">{_text(c.heading)}</th><td>{_text(v) or "–"}</td></tr>'
            for c, v in rest
        )
        blocks.append(
            f'<section class="activity"><h3>{_text(number)}. {_text(name)}</h3>'
            f"<table>{body}</table></section>"
        )
    return blocks


def to_html(record: Article30Record) -> str:
    head = "".join(
        f'<tr><th scope="row">{_text(label)}</th><td>{_text(value) or "–"}</td></tr>'
        for label, value in controller_lines(record)
    )
    parts = [f"<h1>{_text(record.title)}</h1>", f"<table>{head}</table>"]
    if record.controller_activities:
        parts.append(
            "<h2>Behandlingsaktiviteter der vi er behandlingsansvarlig (art. 30 nr. 1)</h2>"
        )
        parts += _activity_blocks(record.controller_activities, CONTROLLER_COLUMNS)
    if record.processor_activities:
        parts.append("<h2>Behandlinger vi utfører som databehandler (art. 30 nr. 2)</h2>")
        parts += _activity_blocks(record.processor_activities, PROCESSOR_COLUMNS)
    transfers = transfer_rows(record)
    if transfers:
        heads = "".join(f'<th scope="col">{_text(h)}</th>' for h in TRANSFER_HEADINGS)
        body = "".join(
            "<tr>" + "".join(f"<td>{_text(v)}</td>" for v in row) + "</tr>" for row in transfers
        )
        parts.append("<h2>Overføringer til tredjeland</h2>")
        parts.append(f"<table><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>")
    return (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8">'
        f"<title>{_text(record.title)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def to_pdf(record: Article30Record) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=to_html(record), url_fetcher=_refuse_fetch).write_pdf())
