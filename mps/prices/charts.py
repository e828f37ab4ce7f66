"""Server-rendered SVG for price pages: bars of a basket's price per vendor, index lines over time.

Plain Python, like mps.riskscore.charts: ``role="img"`` with a title and description, no inline
styles, every series labelled in text and drawn with its own dash pattern so no meaning depends
on colour; the page shows the same numbers in a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 48
PAD_RIGHT = 220
PAD_TOP = 12
PAD_BOTTOM = 26
DASHES = ("", "6 3", "2 3", "10 4 2 4", "1 1")
# Vertical room a line label needs; labels closer than this are pushed apart.
LABEL_GAP = 13
STROKES = ("#1f4e8c", "#8c3b1f", "#2d6a2d", "#5b3b8c", "#555555")


@dataclass
class Svg:
    svg: str
    summary: str


def _head(ident: str, width: int, height: int, title: str, summary: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart-svg" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(summary)}</desc>',
    ]


def bars(
    items: Sequence[tuple[str, float]],
    title: str,
    summary: str,
    unit: str,
    value_text: Callable[[float], str] = lambda v: f"{v:,.0f}".replace(",", " "),
) -> Svg:
    """Horizontal bars, longest = largest value, the value written beside each bar."""
    row_h = 26
    label_w = 180
    height = PAD_TOP * 2 + row_h * max(len(items), 1)
    top = max((v for _, v in items), default=0) or 1
    span = WIDTH - label_w - 120
    parts = _head("bars", WIDTH, height, title, summary)
    for i, (label, value) in enumerate(items):
        y = PAD_TOP + i * row_h
        w = span * max(value, 0) / top
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="#1f4e8c"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 17}" font-size="12">'
            f"{escape(value_text(value))} {escape(unit)}</text>"
        )
    parts.append("</svg>")
    return Svg("".join(parts), summary)


def lines(
    series: dict[str, list[tuple[date, float]]],
    title: str,
    summary: str,
    value_text: Callable[[float], str] = lambda v: f"{v:.1f}",
    step: bool = False,
) -> Svg:
    """One line per series on a shared value axis, named at its right end.

    With `step`, a value holds until the next point (a price list), drawn as steps, not slopes.
    """
    values = [v for points in series.values() for _, v in points]
    days = sorted({d for points in series.values() for d, _ in points})
    parts = _head("lines", WIDTH, HEIGHT, title, summary)
    if not values or not days:
        parts.append("</svg>")
        return Svg("".join(parts), summary)
    low, high = min(values), max(values)
    if high - low < 1:
        low, high = low - 1, high + 1
    first, last = days[0].toordinal(), days[-1].toordinal()
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(d: date) -> float:
        return PAD_LEFT + (
            plot_w * (d.toordinal() - first) / (last - first) if last > first else plot_w / 2
        )

    def y(v: float) -> float:
        return PAD_TOP + plot_h * (1 - (v - low) / (high - low))

    for v in (low, (low + high) / 2, high):
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{PAD_LEFT + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#bbb" stroke-dasharray="4 4"/>'
            f'<text x="{PAD_LEFT - 4}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{v:.0f}</text>'
        )
    labels: list[tuple[float, float, str, str, str]] = []  # (y, x, text, stroke, dash) per line
    for i, (name, points) in enumerate(sorted(series.items())):
        if not points:
            continue
        dash = DASHES[i % len(DASHES)]
        stroke = STROKES[i % len(STROKES)]
        drawn = list(points)
        if step:
            drawn = []
            for k, (d, v) in enumerate(points):
                if k:
                    drawn.append((d, points[k - 1][1]))
                drawn.append((d, v))
            drawn.append((days[-1], points[-1][1]))
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in drawn)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{stroke}" stroke-width="2"{dash_attr}/>'
        )
        end_d, end_v = drawn[-1]
        labels.append((y(end_v) + 4, x(end_d) + 6, f"{name} {value_text(end_v)}", stroke, dash))
    labels.sort()
    for k in range(1, len(labels)):
        if labels[k][0] - labels[k - 1][0] < LABEL_GAP:
            labels[k] = (labels[k - 1][0] + LABEL_GAP, *labels[k][1:])
    for label_y, label_x, text, stroke, dash in labels:
        # A sample of the line's dash pattern before its name: a legend that needs no colour.
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{label_x:.1f}" x2="{label_x + 18:.1f}" y1="{label_y - 4:.1f}" '
            f'y2="{label_y - 4:.1f}" stroke="{stroke}" stroke-width="2"{dash_attr}/>'
            f'<text x="{label_x + 22:.1f}" y="{label_y:.1f}" font-size="11">{escape(text)}</text>'
        )
    parts.append(
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 6}" font-size="11">{days[0].isoformat()}</text>'
        f'<text x="{PAD_LEFT + plot_w}" y="{HEIGHT - 6}" font-size="11" text-anchor="end">{days[-1].isoformat()}</text>'
    )
    parts.append("</svg>")
    return Svg("".join(parts), summary)
