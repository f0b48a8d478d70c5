"""Charts drawn on the server as SVG: nothing fetched, nothing run in the browser. Each one has a
title for screen readers, and its figures are also given as text beside it."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from markupsafe import Markup

COLORS = {"added": "#1e8e3e", "changed": "#f9ab00", "removed": "#c5221f"}


def sparkline(points: list[tuple[datetime, int]], label: str, width: int = 120, height: int = 28) -> Markup:
    """People over time, as a line; one point draws a dot."""
    if not points:
        return Markup("")
    values = [v for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = width / max(len(values) - 1, 1)
    xy = [(round(i * step, 1), round(height - 3 - (v - low) / span * (height - 6), 1)) for i, v in enumerate(values)]
    title = f"{label}: {values[0]} to {values[-1]} people over {len(values)} check(s)"
    shape = (f'<polyline points="{" ".join(f"{x},{y}" for x, y in xy)}" fill="none" stroke="#c8232c" stroke-width="2"/>'
             if len(xy) > 1 else f'<circle cx="{width / 2}" cy="{xy[0][1]}" r="3" fill="#c8232c"/>')
    return Markup(f'<svg class="spark" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
                  f'<title>{escape(title)}</title>{shape}</svg>')


def weekly_bars(weeks: list[tuple[date, dict[str, int]]], width: int = 640, height: int = 160) -> Markup:
    """Changes per week, stacked: added, changed, removed."""
    if not weeks:
        return Markup("")
    totals = [sum(counts.values()) for _, counts in weeks]
    top = max(totals) or 1
    slot = width / len(weeks)
    bars = []
    for n, (week, counts) in enumerate(weeks):
        y = height - 18
        for kind in ("added", "changed", "removed"):
            h = counts[kind] / top * (height - 30)
            if h:
                y -= h
                bars.append(f'<rect x="{n * slot + 4:.1f}" y="{y:.1f}" width="{slot - 8:.1f}" height="{h:.1f}" '
                            f'fill="{COLORS[kind]}"><title>{week:%d %b}: {counts[kind]} {kind}</title></rect>')
        bars.append(f'<text x="{n * slot + slot / 2:.1f}" y="{height - 4}" text-anchor="middle" font-size="10" '
                    f'fill="#5f6368">{week:%d %b}</text>')
    title = "Changes per week: " + "; ".join(
        f"week of {week:%d %b}: {c['added']} added, {c['changed']} changed, {c['removed']} removed"
        for week, c in weeks if sum(c.values()))
    return Markup(f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
                  f'<title>{escape(title if "added" in title else "No changes in these weeks")}</title>{"".join(bars)}</svg>')
