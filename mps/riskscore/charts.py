"""Server-rendered SVG charts with a text alternative and the numbers as a table.

Plain Python (no Django), so the same charts go into PDF reports. The SVG carries ``role="img"``
and a ``<title>``/``<desc>``; the page shows the table too, so no meaning depends on colour or
on seeing the picture (WCAG 2.1 SC 1.1.1 and 1.4.1). No inline style attributes (the CSP forbids
them): only SVG presentation attributes and CSS classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from django.utils.html import format_html_join

WIDTH = 640
HEIGHT = 200
PAD_LEFT = 40
PAD_BOTTOM = 24
PAD_TOP = 10
PAD_RIGHT = 10
# Grade band lines drawn on the score axis (docs/scoring.md).
BAND_LINES = (90, 80, 70, 60)


@dataclass
class Chart:
    svg: str
    summary: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # table: label, value

    @property
    def rows_html(self) -> str:
        """The table body, escaped: built here because a year of daily rows through the template
        engine costs tens of milliseconds per page."""
        return format_html_join(
            "", '<tr><th scope="row">{}</th><td class="num">{}</td></tr>', self.rows
        )


def _x(i: int, n: int) -> float:
    span = WIDTH - PAD_LEFT - PAD_RIGHT
    return PAD_LEFT + (span * i / (n - 1) if n > 1 else span / 2)


def _y(value: float, top: float = 100.0) -> float:
    span = HEIGHT - PAD_TOP - PAD_BOTTOM
    return PAD_TOP + span * (1 - value / top)


def score_trend(points: Sequence[tuple[date, float]], title: str, summary: str) -> Chart:
    """A line of daily scores on a 0-100 axis with the grade bands marked."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart-svg" aria-labelledby="trend-title trend-desc">',
        f'<title id="trend-title">{escape(title)}</title>',
        f'<desc id="trend-desc">{escape(summary)}</desc>',
    ]
    for end in (100, 0):  # the axis ends, so the grade bands read as part of a 0-100 scale
        y = _y(end)
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#767676"/>'
            f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{end}</text>'
        )
    for band in BAND_LINES:
        y = _y(band)
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#bbb" stroke-dasharray="4 4"/>'
            f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{band}</text>'
        )
    if points:
        coords = " ".join(
            f"{_x(i, len(points)):.1f},{_y(v):.1f}" for i, (_, v) in enumerate(points)
        )
        parts.append(f'<polyline points="{coords}" fill="none" stroke="#1f4e8c" stroke-width="2"/>')
        last_x, last_y = _x(len(points) - 1, len(points)), _y(points[-1][1])
        parts.append(f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="4" fill="#1f4e8c"/>')
        parts.append(
            f'<text x="{PAD_LEFT}" y="{HEIGHT - 6}" font-size="11">{points[0][0].isoformat()}</text>'
            f'<text x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 6}" font-size="11" text-anchor="end">'
            f"{points[-1][0].isoformat()}</text>"
        )
    parts.append("</svg>")
    rows = [(d.isoformat(), f"{v:.1f}") for d, v in points]
    return Chart("".join(parts), summary, rows)


def bars(items: Sequence[tuple[str, float]], title: str, summary: str, top: float = 100.0) -> Chart:
    """Horizontal bars with the value written beside each (never colour alone)."""
    row_h = 22
    height = PAD_TOP * 2 + row_h * max(len(items), 1)
    label_w = 150
    span = WIDTH - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="chart-svg" aria-labelledby="bars-title bars-desc">',
        f'<title id="bars-title">{escape(title)}</title>',
        f'<desc id="bars-desc">{escape(summary)}</desc>',
    ]
    for i, (label, value) in enumerate(items):
        y = PAD_TOP + i * row_h
        w = span * max(0.0, min(value, top)) / top if top else 0
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="#1f4e8c"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">{value:g}</text>'
        )
    parts.append("</svg>")
    rows = [(label, f"{value:g}") for label, value in items]
    return Chart("".join(parts), summary, rows)
