"""Charts drawn natively in the PDF (reportlab graphics): vector, searchable text, no browser.

Kaleido could rasterise the dashboard's Plotly figures, but it starts Chromium for every export
(about 2.5 s on this machine) and needs a browser on the server; vector charts print sharply and
their labels can be checked by tests for suppressed values. Hidden values are never drawn: the
bar is left out and labelled exactly as on screen ("<5"). Series are told apart by line style and
a legend, not by colour alone.
"""

from __future__ import annotations

import math
from datetime import date

from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from dashboard import formatting as f
from dashboard.export.cells import Figure, is_missing, is_number
from dashboard.privacy.cells import Hidden
from dashboard.export.fonts import BOLD, REGULAR
from dashboard.export.model import Chart
from dashboard.export.pdf_layout import fit_text

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
GRID = colors.HexColor("#D9D9D9")
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#555555")
FONT_SIZE = 7.5
TITLE_SIZE = 9.5
AXIS_TITLE_H = 12  # room for an axis title


def draw_chart(chart: Chart, width: float) -> Drawing:
    if chart.kind == "bar":
        return _bar(chart, width)
    return _series_chart(chart, width)


# ---------------------------------------------------------------- values and ticks

def _values(chart: Chart, key: str) -> list:
    j = chart.table.column_index(key)
    out = []
    for row in chart.table.rows:
        v = row[j]
        out.append(v.value if isinstance(v, Figure) else v)
    return out


def _unit(chart: Chart) -> str:
    return (chart.unit or "").lower()


def _categories(chart: Chart) -> list[str]:
    j = chart.table.column_index(chart.category)
    labels = []
    for row in chart.table.rows:
        v = row[j]
        labels.append(f.format_date_short(v) if isinstance(v, date) else str(v))
    return labels


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """0 up to at least `top` in 1-2-2.5-5 steps."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def tick_label(value: float, unit: str, step: float) -> str:
    if unit in ("share", "ratio", "percent"):
        return f.format_percent(value, 0 if step >= 0.01 else 1)
    decimals = 0 if float(step).is_integer() else (1 if round(step * 10, 9).is_integer() else 2)
    return f.format_number(value, decimals)


def value_label(value, unit: str) -> str:
    if isinstance(value, Hidden):
        return value.text
    return f.format_value(value, unit)


# ---------------------------------------------------------------- ranked horizontal bars

def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose starting font is DejaVu: reportlab starts every drawing in Helvetica and
    names it in the PDF (not embedded) though every string sets its own font."""
    return Drawing(width, height, initialFontName=REGULAR)


def _bar(chart: Chart, width: float) -> Drawing:
    cats = _categories(chart)
    series = [_values(chart, k) for k in chart.values]
    unit = _unit(chart)
    row_h = 11.0 * max(1, len(series)) + 5
    plot_h = row_h * max(1, len(cats))
    legend_h = 14 if len(series) > 1 else 0
    height = plot_h + 30 + legend_h + 14 + AXIS_TITLE_H
    d = _drawing(width, height)
    d.add(String(0, height - TITLE_SIZE, chart.title, fontName=BOLD, fontSize=TITLE_SIZE,
                 fillColor=INK))
    label_w = min(width * 0.38, max((stringWidth(c, REGULAR, FONT_SIZE) for c in cats),
                                    default=20) + 6)
    x0, x1 = label_w, width - 40
    top = max((v for s in series for v in s if is_number(v)), default=0)
    ticks = nice_ticks(top)
    scale = (x1 - x0) / (ticks[-1] or 1)
    y_top = height - TITLE_SIZE - 10
    y_bottom = y_top - plot_h
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    for t in ticks:
        x = x0 + t * scale
        d.add(Line(x, y_bottom, x, y_top, strokeColor=GRID, strokeWidth=0.5))
        d.add(String(x, y_bottom - 9, tick_label(t, unit, step), fontName=REGULAR,
                     fontSize=FONT_SIZE - 0.5, fillColor=MUTED, textAnchor="middle"))
    for i, cat in enumerate(cats):
        y = y_top - (i + 1) * row_h + 3
        d.add(String(x0 - 4, y + row_h / 2 - 4, fit_text(cat, FONT_SIZE, label_w - 6),
                     fontName=REGULAR, fontSize=FONT_SIZE, fillColor=INK, textAnchor="end"))
        for n, values in enumerate(series):
            v = values[i]
            by = y + (len(series) - 1 - n) * 11 + 1
            colour = colors.HexColor(PALETTE[n % len(PALETTE)])
            dashed = chart.values[n] in chart.dashed
            if is_number(v):
                w = max(0.0, float(v) * scale)
                d.add(Rect(x0, by, w, 9, fillColor=colors.white if dashed else colour,
                           strokeColor=colour, strokeWidth=0.8,
                           strokeDashArray=(2, 1.5) if dashed else None))
                end = x0 + w
            else:
                end = x0
            if not is_missing(v):
                d.add(String(end + 3, by + 2, value_label(v, unit), fontName=REGULAR,
                             fontSize=FONT_SIZE - 0.5, fillColor=INK))
    d.add(Line(x0, y_bottom, x0, y_top, strokeColor=MUTED, strokeWidth=0.7))
    d.add(String((x0 + x1) / 2, y_bottom - 20, chart.value_title, fontName=BOLD,
                 fontSize=FONT_SIZE - 0.5, fillColor=MUTED, textAnchor="middle"))
    d.add(String(x0 - 4, y_top + 1, fit_text(chart.category_title, FONT_SIZE - 0.5, label_w),
                 fontName=BOLD, fontSize=FONT_SIZE - 0.5, fillColor=MUTED, textAnchor="end"))
    if legend_h:
        _legend(d, chart, 0, 2, dashed_as_outline=True)
    return d


# ---------------------------------------------------------------- lines and columns over categories

def _series_chart(chart: Chart, width: float) -> Drawing:
    cats = _categories(chart)
    series = [_values(chart, k) for k in chart.values]
    unit = _unit(chart)
    height = 190.0
    d = _drawing(width, height)
    d.add(String(0, height - TITLE_SIZE, chart.title, fontName=BOLD, fontSize=TITLE_SIZE,
                 fillColor=INK))
    top = max((v for s in series for v in s if is_number(v)), default=0)
    ticks = nice_ticks(top)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    y_label_w = max(stringWidth(tick_label(t, unit, step), REGULAR, FONT_SIZE) for t in ticks) + 6
    x0, x1 = y_label_w + AXIS_TITLE_H, width - 8
    y0, y1 = 42.0 + AXIS_TITLE_H, height - TITLE_SIZE - 12
    scale = (y1 - y0) / (ticks[-1] or 1)
    for t in ticks:
        y = y0 + t * scale
        d.add(Line(x0, y, x1, y, strokeColor=GRID, strokeWidth=0.5))
        d.add(String(x0 - 4, y - 2.5, tick_label(t, unit, step), fontName=REGULAR,
                     fontSize=FONT_SIZE - 0.5, fillColor=MUTED, textAnchor="end"))
    n = max(1, len(cats))
    slot = (x1 - x0) / n
    every = max(1, math.ceil(n / max(1, int((x1 - x0) // 58))))
    for i, cat in enumerate(cats):
        if i % every == 0:
            d.add(String(x0 + slot * (i + 0.5), y0 - 10, fit_text(cat, FONT_SIZE - 0.5, slot * every),
                         fontName=REGULAR, fontSize=FONT_SIZE - 0.5, fillColor=MUTED,
                         textAnchor="middle"))
    for k, values in enumerate(series):
        colour = colors.HexColor(PALETTE[k % len(PALETTE)])
        dashed = chart.values[k] in chart.dashed
        if chart.kind == "column":
            _columns(d, values, k, len(series), x0, slot, y0, scale, colour, dashed, unit)
        else:
            _line(d, values, x0, slot, y0, scale, colour, dashed)
    d.add(Line(x0, y0, x1, y0, strokeColor=MUTED, strokeWidth=0.7))
    d.add(String((x0 + x1) / 2, y0 - 21, chart.category_title, fontName=BOLD,
                 fontSize=FONT_SIZE - 0.5, fillColor=MUTED, textAnchor="middle"))
    value_title = String(0, 0, fit_text(chart.value_title, FONT_SIZE - 0.5, y1 - y0),
                         fontName=BOLD, fontSize=FONT_SIZE - 0.5, fillColor=MUTED,
                         textAnchor="middle")
    turned = Group(value_title)
    turned.transform = (0, 1, -1, 0, FONT_SIZE, (y0 + y1) / 2)  # rotated 90°, reading upwards
    d.add(turned)
    _legend(d, chart, 0, 4, dashed_as_outline=chart.kind == "column")
    return d


def _columns(d, values, k, count, x0, slot, y0, scale, colour, dashed, unit) -> None:
    bar_w = slot * 0.8 / count
    for i, v in enumerate(values):
        x = x0 + slot * i + slot * 0.1 + k * bar_w
        if is_number(v):
            h = max(0.0, float(v) * scale)
            d.add(Rect(x, y0, bar_w, h, fillColor=colors.white if dashed else colour,
                       strokeColor=colour, strokeWidth=0.8,
                       strokeDashArray=(2, 1.5) if dashed else None))
        elif isinstance(v, Hidden):
            d.add(String(x + bar_w / 2, y0 + 2, v.text, fontName=REGULAR,
                         fontSize=FONT_SIZE - 1, fillColor=MUTED, textAnchor="middle"))


def _line(d, values, x0, slot, y0, scale, colour, dashed) -> None:
    """Connect consecutive shown points; a hidden or missing point breaks the line."""
    prev = None
    for i, v in enumerate(values):
        if not is_number(v):
            prev = None
            continue
        point = (x0 + slot * (i + 0.5), y0 + float(v) * scale)
        if prev is not None:
            d.add(Line(*prev, *point, strokeColor=colour, strokeWidth=1.6,
                       strokeDashArray=(4, 2.5) if dashed else None))
        prev = point


def _legend(d, chart: Chart, x: float, y: float, *, dashed_as_outline: bool) -> None:
    if len(chart.values) < 2:
        return
    for k, key in enumerate(chart.values):
        colour = colors.HexColor(PALETTE[k % len(PALETTE)])
        dashed = key in chart.dashed
        label = chart.table.columns[chart.table.column_index(key)].label
        if dashed_as_outline:
            d.add(Rect(x, y, 12, 7, fillColor=colors.white if dashed else colour,
                       strokeColor=colour, strokeDashArray=(2, 1.5) if dashed else None))
        else:
            d.add(Line(x, y + 3.5, x + 14, y + 3.5, strokeColor=colour, strokeWidth=1.6,
                       strokeDashArray=(4, 2.5) if dashed else None))
        d.add(String(x + 17, y + 1, label, fontName=REGULAR, fontSize=FONT_SIZE, fillColor=INK))
        x += 17 + stringWidth(label, REGULAR, FONT_SIZE) + 16
