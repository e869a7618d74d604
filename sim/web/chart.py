"""The escalation index as a small SVG drawn by hand: one bar a day, no library, no script.

The board redraws it on every change of the game, so it must be cheap (matplotlib would take
longer to import than the whole page takes to serve); the after-action review keeps its
matplotlib figures.
"""

from __future__ import annotations

import datetime as dt
from html import escape

WIDTH, HEIGHT, MARGIN = 720, 240, 36


def index_svg(points: list[tuple[dt.date, float]], days: int, start: dt.date) -> str:
    """The daily index so far as bars over the scenario's whole span (``days`` days)."""
    days = max(days, 1)
    top = max([v for _, v in points] + [1.0])
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    bar_w = plot_w / days
    bars = []
    for date, value in points:
        day = (date - start).days
        h = plot_h * value / top
        x = MARGIN + day * bar_w
        bars.append(f'<rect x="{x:.1f}" y="{MARGIN + plot_h - h:.1f}" width="'
                    f'{max(bar_w - 1, 1):.1f}" height="{h:.1f}" class="bar"><title>'
                    f'{date:%d %b}: {value:.1f}</title></rect>')
    end = start + dt.timedelta(days=days - 1)
    total = sum(v for _, v in points)
    labels = [
        f'<text x="{MARGIN}" y="{HEIGHT - 10}" class="axis">{start:%d %b}</text>',
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 10}" class="axis" text-anchor="end">'
        f'{end:%d %b}</text>',
        f'<text x="{MARGIN - 4}" y="{MARGIN + 4}" class="axis" text-anchor="end">{top:.0f}'
        '</text>',
        f'<text x="{MARGIN - 4}" y="{MARGIN + plot_h}" class="axis" text-anchor="end">0</text>',
        f'<line x1="{MARGIN}" y1="{MARGIN + plot_h}" x2="{WIDTH - MARGIN}" '
        f'y2="{MARGIN + plot_h}" class="baseline"/>',
    ]
    title = escape(f"Escalation index, day by day: {len(points)} days, total {total:.1f}")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-label="{title}" class="chart"><title>{title}</title>'
            + "".join(bars) + "".join(labels) + "</svg>")
