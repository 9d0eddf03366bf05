"""Charts drawn natively in the PDF (reportlab graphics): vector, searchable text, no browser.

Kaleido could rasterise the dashboard's Plotly figures, but it starts Chromium for every export
(about 2.5 s on this machine) and needs a browser on the server; vector charts print sharply and
their labels can be checked by tests for suppressed values. Hidden values are never drawn: the
bar is left out and labelled exactly as on screen ("<5"). Series are told apart by line style and
a legend, not by colour alone. No text is cut: titles, category labels and axis titles wrap
between words (formatting.wrap_label, the dashboard charts' rule, measured in points here) and
the chart grows to hold their lines.
"""

from __future__ import annotations

import math
from datetime import date

from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from dashboard import formatting as f
from dashboard.export.cells import (Figure, all_hidden_words, every_value_hidden, is_missing,
                                    is_number, unmarked)
from dashboard.privacy.cells import Hidden
from dashboard.export.fonts import BOLD, REGULAR
from dashboard.export.model import Chart

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
GRID = colors.HexColor("#D9D9D9")
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#555555")
FONT_SIZE = 7.5
TITLE_SIZE = 9.5
SMALL_SIZE = FONT_SIZE - 0.5  # ticks, axis titles, a column chart's categories
AXIS_TITLE_H = 12  # room for an axis title
LEAD = 1.2  # line height of wrapped text, in font sizes
LABEL_SHARE, WORD_SHARE = 0.38, 0.5  # of the width: the bar labels' column, and at most for a word
PLOT_H = 114.5  # the plot area's height in a line or column chart
MIN_SIZE = 5.0  # a word wider than its column shrinks to fit, down to this size


def draw_chart(chart: Chart, width: float) -> Drawing:
    if every_value_hidden(v for k in chart.values for v in _values(chart, k)):
        return _all_hidden_words(chart, width)
    if chart.kind == "bar":
        return _bar(chart, width)
    return _series_chart(chart, width)


def _all_hidden_words(chart: Chart, width: float) -> Drawing:
    """The title and, instead of axes, the dashboard's sentence for a chart whose every value is
    hidden (charts.bars.ALL_HIDDEN, charts.heatmap.ALL_HIDDEN)."""
    lines = [line for sentence in all_hidden_words(chart.kind) for line in text_lines(sentence, width)]
    title = _title_lines(chart, width)
    height = _title_h(title) + 10 + len(lines) * FONT_SIZE * LEAD + 6
    d = _drawing(width, height)
    _title(d, chart, width)
    _draw_lines(d, 0, height - _title_h(title) - 10 - FONT_SIZE, lines, FONT_SIZE)
    return d


# ---------------------------------------------------------------- values and ticks

def _values(chart: Chart, key: str) -> list:
    j = chart.table.column_index(key)
    out = []
    for row in chart.table.rows:
        v = unmarked(row[j])  # a bar for an uncertain value as for any (the table marks it)
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


# ---------------------------------------------------------------- wrapped text

def text_lines(text: str, room: float, size: float = FONT_SIZE, font: str = REGULAR) -> list[str]:
    """`text` as lines no wider than `room` points (a word wider than that keeps a line of its
    own: see fitted_size)."""
    return f.wrap_label(text, room, lambda t: stringWidth(t, font, size))


def fitted_size(lines: list[str], room: float, size: float, font: str = REGULAR) -> float:
    """The font size at which every line fits `room` (at most `size`): only a single word wider
    than its column needs a smaller one."""
    widest = max((stringWidth(line, font, size) for line in lines), default=0)
    return size if widest <= room else max(MIN_SIZE, size * room / widest)


def _draw_lines(d: Drawing, x: float, y: float, lines: list[str], size: float, *,
                font: str = REGULAR, colour=INK, anchor: str = "start") -> None:
    """Lines from the first baseline `y` downwards."""
    for j, line in enumerate(lines):
        d.add(String(x, y - j * size * LEAD, line, fontName=font, fontSize=size, fillColor=colour,
                     textAnchor=anchor))


def _title(d: Drawing, chart: Chart, width: float) -> None:
    _draw_lines(d, 0, d.height - TITLE_SIZE, _title_lines(chart, width), TITLE_SIZE, font=BOLD)


def _title_lines(chart: Chart, width: float) -> list[str]:
    return text_lines(chart.title, width, TITLE_SIZE, BOLD)


def _title_h(lines: list[str]) -> float:
    return TITLE_SIZE + (len(lines) - 1) * TITLE_SIZE * LEAD


# ---------------------------------------------------------------- ranked horizontal bars

def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose starting font is DejaVu: reportlab starts every drawing in Helvetica and
    names it in the PDF (not embedded) though every string sets its own font."""
    return Drawing(width, height, initialFontName=REGULAR)


def _label_width(cats: list[str], title: str, width: float) -> float:
    """The bar labels' column: the longest label, at most LABEL_SHARE of the width (longer
    labels wrap), but never narrower than the longest word of a label or of the axis title
    above them (up to WORD_SHARE)."""
    full = max((stringWidth(c, REGULAR, FONT_SIZE) for c in cats), default=14)
    word = max([stringWidth(w, REGULAR, FONT_SIZE) for c in cats for w in c.split()]
               + [stringWidth(w, BOLD, SMALL_SIZE) for w in title.split()], default=14)
    return max(min(full, width * LABEL_SHARE), min(word, width * WORD_SHARE)) + 6


def _bar(chart: Chart, width: float) -> Drawing:
    cats = _categories(chart)
    series = [_values(chart, k) for k in chart.values]
    unit = _unit(chart)
    label_w = _label_width(cats, chart.category_title, width)
    labels = [text_lines(c, label_w - 6) for c in cats]
    sizes = [fitted_size(lines, label_w - 6, FONT_SIZE) for lines in labels]
    bars_h = 11.0 * max(1, len(series))
    row_hs = [max(bars_h, len(lines) * FONT_SIZE * LEAD) + 5 for lines in labels] or [bars_h + 5]
    plot_h = sum(row_hs)
    x0, x1 = label_w, width - 40
    small_lead = SMALL_SIZE * LEAD
    category_title = text_lines(chart.category_title, label_w - 4, SMALL_SIZE, BOLD)
    value_title = text_lines(chart.value_title, x1 - x0, SMALL_SIZE, BOLD)
    legend_h = 14 if len(series) > 1 else 0
    title = _title_lines(chart, width)
    head = _title_h(title) + 4 + len(category_title) * small_lead + 2  # above the plot
    foot = 20 + (len(value_title) - 1) * small_lead + 10 + legend_h  # below it
    height = head + plot_h + foot
    d = _drawing(width, height)
    _title(d, chart, width)
    top = max((v for s in series for v in s if is_number(v)), default=0)
    ticks = nice_ticks(top)
    scale = (x1 - x0) / (ticks[-1] or 1)
    y_top = height - head
    y_bottom = y_top - plot_h
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    for t in ticks:
        x = x0 + t * scale
        d.add(Line(x, y_bottom, x, y_top, strokeColor=GRID, strokeWidth=0.5))
        d.add(String(x, y_bottom - 9, tick_label(t, unit, step), fontName=REGULAR,
                     fontSize=SMALL_SIZE, fillColor=MUTED, textAnchor="middle"))
    row_top = y_top
    for i, (lines, size) in enumerate(zip(labels, sizes)):
        middle = row_top - row_hs[i] / 2
        row_top -= row_hs[i]
        # the label's lines centred on the row, beside its bars (also centred)
        first = middle + (len(lines) / 2 - 1) * size * LEAD + (size * LEAD - 0.72 * size) / 2
        _draw_lines(d, x0 - 4, first, lines, size, anchor="end")
        for n, values in enumerate(series):
            v = values[i]
            by = middle - bars_h / 2 + (len(series) - 1 - n) * 11 + 1
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
                             fontSize=SMALL_SIZE, fillColor=INK))
    d.add(Line(x0, y_bottom, x0, y_top, strokeColor=MUTED, strokeWidth=0.7))
    _draw_lines(d, (x0 + x1) / 2, y_bottom - 20, value_title, SMALL_SIZE, font=BOLD,
                colour=MUTED, anchor="middle")
    _draw_lines(d, x0 - 4, y_top + 2 + (len(category_title) - 1) * small_lead, category_title,
                SMALL_SIZE, font=BOLD, colour=MUTED, anchor="end")
    if legend_h:
        _legend(d, chart, 0, 2, dashed_as_outline=True)
    return d


# ---------------------------------------------------------------- lines and columns over categories

def _series_chart(chart: Chart, width: float) -> Drawing:
    cats = _categories(chart)
    series = [_values(chart, k) for k in chart.values]
    unit = _unit(chart)
    small_lead = SMALL_SIZE * LEAD
    top = max((v for s in series for v in s if is_number(v)), default=0)
    ticks = nice_ticks(top)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    y_label_w = max(stringWidth(tick_label(t, unit, step), REGULAR, FONT_SIZE) for t in ticks) + 6
    # the value axis' title reads upwards along the plot, in as many lines as its height needs
    value_title = text_lines(chart.value_title, PLOT_H, SMALL_SIZE, BOLD)
    x0 = y_label_w + AXIS_TITLE_H + (len(value_title) - 1) * small_lead
    x1 = width - 8
    n = max(1, len(cats))
    slot = (x1 - x0) / n
    # dates may be thinned (every k-th week is labelled); a named category is always labelled
    dated = bool(chart.table.rows) and isinstance(
        chart.table.rows[0][chart.table.column_index(chart.category)], date)
    every = max(1, math.ceil(n / max(1, int((x1 - x0) // 58)))) if dated else 1
    room = slot * every - 4
    shown = [c if i % every == 0 else "" for i, c in enumerate(cats)]
    # one size for the row of labels: only a word wider than its slot makes it smaller
    size = fitted_size([w for c in shown for w in c.split()], room, SMALL_SIZE)
    labels = [text_lines(c, room, size) if c else [] for c in shown]
    label_h = (max((len(lines) for lines in labels), default=1) or 1) * size * LEAD
    category_title = text_lines(chart.category_title, x1 - x0, SMALL_SIZE, BOLD)
    title = _title_lines(chart, width)
    y0 = 42.0 + AXIS_TITLE_H + label_h - small_lead + (len(category_title) - 1) * small_lead
    height = y0 + PLOT_H + 12 + _title_h(title)
    d = _drawing(width, height)
    _title(d, chart, width)
    y1 = y0 + PLOT_H
    scale = (y1 - y0) / (ticks[-1] or 1)
    for t in ticks:
        y = y0 + t * scale
        d.add(Line(x0, y, x1, y, strokeColor=GRID, strokeWidth=0.5))
        d.add(String(x0 - 4, y - 2.5, tick_label(t, unit, step), fontName=REGULAR,
                     fontSize=SMALL_SIZE, fillColor=MUTED, textAnchor="end"))
    for i, lines in enumerate(labels):
        _draw_lines(d, x0 + slot * (i + 0.5), y0 - 10, lines, size, colour=MUTED,
                    anchor="middle")
    for k, values in enumerate(series):
        colour = colors.HexColor(PALETTE[k % len(PALETTE)])
        dashed = chart.values[k] in chart.dashed
        if chart.kind == "column":
            _columns(d, values, k, len(series), x0, slot, y0, scale, colour, dashed, unit)
        else:
            _line(d, values, x0, slot, y0, scale, colour, dashed)
    d.add(Line(x0, y0, x1, y0, strokeColor=MUTED, strokeWidth=0.7))
    _draw_lines(d, (x0 + x1) / 2, y0 - 21 - label_h + small_lead, category_title,
                SMALL_SIZE, font=BOLD, colour=MUTED, anchor="middle")
    for j, line in enumerate(value_title):
        turned = Group(String(0, 0, line, fontName=BOLD, fontSize=SMALL_SIZE, fillColor=MUTED,
                              textAnchor="middle"))
        # rotated 90°, reading upwards; the first line leftmost (on top as it is read)
        turned.transform = (0, 1, -1, 0, FONT_SIZE + j * small_lead, (y0 + y1) / 2)
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
