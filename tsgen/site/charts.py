"""Numbers -> SVG charts, made at build time: no JavaScript, no CDN, readable in light and dark palettes.

Why not a chart library: a Pareto chart needs bars and a cumulative line on a second axis in one
chart, which pygal (the maintained SVG library) cannot combine, and its SVG references a tooltip
script on a CDN by default. The geometry here is small; the markup lives in
templates/site/charts/combo.svg.j2. Colours come from CSS classes (tsgen.css), text uses
currentColor, and every chart carries <title>/<desc> and is followed by its numbers as a table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import jinja2

from tsgen.stats.formats import percent

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 56, 24, 64


@dataclass
class Series:
    """One series: bars use the left axis (counts); lines use the right axis (0-100 %) or the left one."""

    name: str
    values: list[float | None]
    kind: str = "bar"          # bar | line
    percent: bool = False      # a line of ratios 0..1 on the right axis
    css: str = "s1"
    too_few: list[bool] = field(default_factory=list)  # points left out: the denominator was below the minimum


@dataclass
class Chart:
    """A bar/line chart over categories, as the numbers the SVG template draws."""

    title: str
    desc: str
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    too_few_label: str = "too few"


def _nice_step(value: float, parts: int = 4) -> float:
    """A round tick step (1, 2 or 5 times a power of ten, at least 1) giving about `parts` ticks up to value."""
    raw = max(value / parts, 1)
    exp = 10 ** math.floor(math.log10(raw))
    return next(s * exp for s in (1, 2, 5, 10) if raw <= s * exp)


def layout(chart: Chart) -> dict[str, Any]:
    """Coordinates of every bar, point, tick and label."""
    n = max(len(chart.categories), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    counts = [v for s in chart.series if not s.percent for v in s.values if v is not None]
    step = _nice_step(max(counts, default=0))
    ymax = step * max(1, math.ceil(max(counts, default=0) / step))
    band = plot_w / n
    bars = [s for s in chart.series if s.kind == "bar"]
    bar_w = band * 0.7 / max(len(bars), 1)

    def y_count(v: float) -> float:
        return TOP + plot_h - (v / ymax) * plot_h

    def y_pct(v: float) -> float:
        return TOP + plot_h - v * plot_h

    shapes: list[dict[str, Any]] = []
    for bi, s in enumerate(bars):
        for i, v in enumerate(s.values):
            if v is None:
                continue
            x = LEFT + band * i + band * 0.15 + bar_w * bi
            y = y_count(v)
            shapes.append({"type": "rect", "x": round(x, 1), "y": round(y, 1), "w": round(bar_w, 1),
                           "h": round(TOP + plot_h - y, 1), "css": s.css, "label": f"{chart.categories[i]}: {s.name} {_fmt(v)}"})
    lines = []
    for li, s in enumerate(x for x in chart.series if x.kind == "line"):
        # A gap (no value) breaks the line: each run of values is its own polyline, so no line is
        # drawn across periods without data. Each line has its own dash pattern and marker size, so
        # lines that meet (say all at 100%) stay distinguishable.
        pts, runs, run = [], [], []
        few = []
        for i, v in enumerate(s.values):
            x = LEFT + band * i + band / 2
            if v is None:
                if run:
                    runs.append(run)
                    run = []
                if i < len(s.too_few) and s.too_few[i]:
                    few.append({"x": round(x, 1), "label": f"{chart.categories[i]}: {s.name} {chart.too_few_label}"})
                continue
            y = y_pct(v) if s.percent else y_count(v)
            point = {"x": round(x, 1), "y": round(y, 1),
                     "label": f"{chart.categories[i]}: {s.name} {percent(v) if s.percent else _fmt(v)}"}
            pts.append(point)
            run.append(point)
        if run:
            runs.append(run)
        lines.append({"css": s.css, "points": pts, "dash": li % 3, "r": (4.5, 3.2, 2.0)[li % 3],
                      "paths": [" ".join(f"{p['x']},{p['y']}" for p in r) for r in runs if len(r) > 1],
                      "too_few": few})
    ticks = [{"y": round(y_count(step * k), 1), "label": _fmt(step * k)}
             for k in range(int(round(ymax / step)) + 1)] if counts else []
    pct_ticks = [{"y": round(y_pct(k / 4), 1), "label": f"{k * 25}%"} for k in range(5)] \
        if any(s.percent for s in chart.series) else []
    every = max(1, math.ceil(n / 16))  # at most ~16 category labels
    labels = [{"x": round(LEFT + band * i + band / 2, 1), "text": c} for i, c in enumerate(chart.categories) if i % every == 0]
    dashes = iter(range(len(chart.series)))
    legend = [{"name": s.name, "css": s.css, "kind": s.kind, "x": LEFT + 150 * i,
               "dash": next(dashes) % 3 if s.kind == "line" else 0} for i, s in enumerate(chart.series)]
    return {"w": WIDTH, "h": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": TOP + plot_h,
            "shapes": shapes, "lines": lines, "ticks": ticks, "pct_ticks": pct_ticks, "labels": labels,
            "legend": legend, "legend_y": HEIGHT - 12}


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def render_svg(env: jinja2.Environment, chart: Chart, chart_id: str) -> str:
    """The chart as one line of inline SVG (no blank lines, so Markdown leaves it alone)."""
    svg = env.get_template("site/charts/combo.svg.j2").render(c=chart, g=layout(chart), cid=chart_id)
    return " ".join(line.strip() for line in svg.splitlines() if line.strip())
