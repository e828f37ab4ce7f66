"""Server-rendered SVG charts for the cost pages, always shown with a table of the numbers.

No inline style attributes (the CSP forbids them): SVG presentation attributes only. Each
provider's bar segment carries a <title> with its name and amount, and the table under the chart
holds every number, so no meaning depends on colour (WCAG 2.1 SC 1.1.1, 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 720
HEIGHT = 240
PAD_LEFT = 70
PAD_BOTTOM = 28
PAD_TOP = 12
PAD_RIGHT = 10
# Distinguishable in greyscale too (dark to light), repeated beyond six providers.
FILLS = ("#1f4e8c", "#7a9cc6", "#2f6b3a", "#a4c58f", "#7a4a12", "#d8b27a")


@dataclass
class Svg:
    svg: str
    summary: str
    legend: list[tuple[str, str]]  # (fill, label)


def _money(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def stacked_months(
    months: list[str],
    series: list[tuple[str, list[float]]],
    title: str,
    summary: str,
    ident: str = "cost",
) -> Svg:
    """One bar per month, one segment per series (provider), the month's total written on top."""
    totals = [sum(values[i] for _, values in series) for i in range(len(months))]
    top = max(totals, default=0.0) or 1.0
    span_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(len(months), 1)
    bar_w = max(slot * 0.7, 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart-svg" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(summary)}</desc>',
        f'<line x1="{PAD_LEFT}" x2="{PAD_LEFT}" y1="{PAD_TOP}" y2="{HEIGHT - PAD_BOTTOM}" stroke="#555"/>',
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 10}" text-anchor="end" font-size="11">{_money(top)}</text>',
        f'<text x="{PAD_LEFT - 6}" y="{HEIGHT - PAD_BOTTOM}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, month in enumerate(months):
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        y = HEIGHT - PAD_BOTTOM
        for k, (name, values) in enumerate(series):
            h = span_h * max(values[i], 0.0) / top
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{FILLS[k % len(FILLS)]}" stroke="#fff" stroke-width="0.5">'
                f"<title>{escape(month)} {escape(name)}: {_money(values[i])} NOK</title></rect>"
            )
        if len(months) <= 24:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
                f'font-size="10">{escape(month[2:])}</text>'
            )
    parts.append("</svg>")
    legend = [(FILLS[k % len(FILLS)], name) for k, (name, _) in enumerate(series)]
    return Svg("".join(parts), summary, legend)


def hbars(
    bars: list[tuple[str, float]], title: str, summary: str, ident: str, unit: str = "NOK"
) -> Svg:
    """One horizontal bar per label from a zero line, negative values to the left; each bar's
    value is written beside it (for the effects of a change, percentiles and shares)."""
    label_w, value_w, row_h = 200, 110, 26
    height = PAD_TOP * 2 + row_h * max(len(bars), 1)
    span = WIDTH - label_w - value_w - PAD_RIGHT
    low = min(min((v for _, v in bars), default=0.0), 0.0)
    high = max(max((v for _, v in bars), default=0.0), 0.0)
    scale = span / ((high - low) or 1.0)
    zero = label_w + (0 - low) * scale
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="chart-svg" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(summary)}</desc>',
    ]
    for i, (label, value) in enumerate(bars):
        y = PAD_TOP + i * row_h
        x = zero + min(value, 0.0) * scale
        text = _money(value) if unit == "NOK" else f"{value * 100:.1f} %"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<rect x="{x:.1f}" y="{y + 4}" width="{max(abs(value) * scale, 1):.1f}" '
            f'height="{row_h - 8}" fill="{FILLS[0] if value >= 0 else FILLS[4]}">'
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
            f'<text x="{WIDTH - PAD_RIGHT}" y="{y + 17}" text-anchor="end" font-size="12">'
            f"{escape(text)}{' NOK' if unit == 'NOK' else ''}</text>"
        )
    parts.append(
        f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{PAD_TOP}" y2="{height - PAD_TOP}" '
        'stroke="#555"/></svg>'
    )
    return Svg("".join(parts), summary, [])
