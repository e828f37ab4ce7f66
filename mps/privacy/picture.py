"""The supplier chain as a picture: agency → processor → sub-processors (plain Python SVG).

Each box names the entity, its country, the transfer ground and the status in words, so
colour is never the only carrier of meaning (WCAG 2.1 SC 1.4.1); the page also shows the
same facts as a table. No inline styles (the CSP forbids them): presentation attributes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

BOX_W = 230
BOX_H = 62
GAP_X = 40
GAP_Y = 14
PAD = 10
LINE_H = 14

# Fill and stroke per status; the stroke colours reach 4.5:1 against white for the text.
COLOURS = {
    "ok": ("#e3f4e6", "#1b5e20"),
    "action": ("#fff4cc", "#6d5200"),
    "blocked": ("#fbe0e3", "#8e1020"),
    "root": ("#e8eef7", "#1f3b63"),
}


@dataclass(frozen=True)
class Node:
    id: str
    parent: str | None  # None: hangs under the root (the agency)
    lines: tuple[str, ...]  # up to four short lines of text
    status: str  # ok | action | blocked


def _depths(nodes: list[Node]) -> dict[str, int]:
    by_id = {n.id: n for n in nodes}
    depths: dict[str, int] = {}

    def depth(node: Node, seen: frozenset[str] = frozenset()) -> int:
        if node.id in depths:
            return depths[node.id]
        parent = by_id.get(node.parent or "")
        d = 1 if parent is None or parent.id in seen else depth(parent, seen | {node.id}) + 1
        depths[node.id] = d
        return d

    for n in nodes:
        depth(n)
    return depths


def _order(nodes: list[Node]) -> list[Node]:
    """Depth-first, so each sub-processor sits below the entity that engaged it."""
    children: dict[str | None, list[Node]] = {}
    ids = {n.id for n in nodes}
    for n in nodes:
        children.setdefault(n.parent if n.parent in ids else None, []).append(n)
    out: list[Node] = []
    seen: set[str] = set()

    def walk(parent: str | None) -> None:
        for n in children.get(parent, []):
            if n.id not in seen:
                seen.add(n.id)
                out.append(n)
                walk(n.id)

    walk(None)
    out.extend(n for n in nodes if n.id not in seen)
    return out


def _box(x: float, y: float, lines: tuple[str, ...], kind: str) -> str:
    fill, stroke = COLOURS.get(kind, COLOURS["root"])
    parts = [
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="2"/>'
    ]
    for i, text in enumerate(lines[:4]):
        weight = ' font-weight="bold"' if i == 0 else ""
        clipped = text if len(text) <= 34 else text[:33] + "…"
        parts.append(
            f'<text x="{x + 8}" y="{y + 16 + i * LINE_H}" font-size="12" fill="#111"{weight}>'
            f"{escape(clipped)}</text>"
        )
    return "".join(parts)


def chain_svg(root: str, nodes: list[Node], title: str, desc: str, uid: str = "chain") -> str:
    ordered = _order(nodes)
    depths = _depths(nodes)
    rows = max(len(ordered), 1)
    max_depth = max(depths.values(), default=1)
    width = PAD * 2 + (max_depth + 1) * BOX_W + max_depth * GAP_X
    height = PAD * 2 + rows * BOX_H + (rows - 1) * GAP_Y
    pos: dict[str | None, tuple[float, float]] = {None: (PAD, PAD)}
    for row, n in enumerate(ordered):
        pos[n.id] = (PAD + depths[n.id] * (BOX_W + GAP_X), PAD + row * (BOX_H + GAP_Y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chain-svg" '
        f'aria-labelledby="{uid}-title {uid}-desc">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]
    ids = {n.id for n in nodes}
    for n in ordered:
        px, py = pos[n.parent if n.parent in ids else None]
        x, y = pos[n.id]
        parts.append(
            f'<path d="M{px + BOX_W} {py + BOX_H / 2} H{x - GAP_X / 2} V{y + BOX_H / 2} H{x}" '
            f'fill="none" stroke="#555" stroke-width="1.5"/>'
        )
    parts.append(_box(PAD, PAD, (root,), "root"))
    for n in ordered:
        x, y = pos[n.id]
        parts.append(_box(x, y, n.lines, n.status))
    parts.append("</svg>")
    return "".join(parts)
