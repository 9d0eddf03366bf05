"""Shared look of every figure: Okabe–Ito colours, dash styles and markers, Swedish number format.

Colour is never the only cue: each series also gets its own dash style and marker symbol, and the
comparison period is always dashed. Text colours meet WCAG 2.1 AA on white (#1f1f1f: 16:1,
#595959: 7:1).
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.formatting import NBSP, PLOTLY_SEPARATORS, wrap_label
from dashboard.privacy.text import as_plotly

# Okabe & Ito (2008), ordered so the first colours keep ≥3:1 contrast against white for lines.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9", "#F0E442")
DASHES = ("solid", "dot", "dashdot", "longdash", "longdashdot", "solid", "dot", "dashdot")
MARKERS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon")
COMPARISON_DASH = "dash"
COMPARISON_COLOUR = "#595959"
TEXT = "#1f1f1f"
MUTED_TEXT = "#595959"
GRID = "#d9d9d9"
INCIDENT_FILL = "rgba(213, 94, 0, 0.12)"  # light vermillion band, always with a text label
SEQUENTIAL = "Cividis"  # perceptually uniform and readable with colour-vision deficiencies
FONT = "Source Sans Pro, DejaVu Sans, Arial, sans-serif"

# Margins that already hold what a chart's axes put there (tick labels, axis title, legend), as
# measured in Chromium at half width: the axes keep automargin, but Plotly only grows a margin
# too small for them, and each growth is a second full draw of the chart in the browser (about
# half of its drawing time on every filter change). Larger than needed costs a few pixels.
TREND_MARGIN = {"l": 92, "r": 28, "b": 84}   # numbers up to "50 000" and a two-line axis title left, dates below
RANKED_MARGIN = {"l": 16, "r": 80, "b": 48}  # labels above the bars; the value axis and its title below
SHARE_UNITS = frozenset({"share", "percent"})


def series_style(i: int) -> dict:
    """Colour, dash and marker for the i-th series: distinct in all three."""
    return {
        "color": OKABE_ITO[i % len(OKABE_ITO)],
        "dash": DASHES[i % len(DASHES)],
        "symbol": MARKERS[i % len(MARKERS)],
    }


def axis_format(unit: str | None) -> dict:
    """Tick format for a value axis: shares are drawn in percent (values × 100) with ' %'."""
    # ",.1~f": one decimal where a tick needs it, none where it does not (",.0f" printed the
    # ticks of a small range as "1 %, 1 %, 2 %, 2 %")
    if unit in SHARE_UNITS:
        return {"ticksuffix": NBSP + "%", "tickformat": ",.1~f"}
    if unit in ("sek", "kr"):
        return {"ticksuffix": NBSP + "kr", "tickformat": ",.1~f"}
    if unit in ("seconds", "s"):
        return {"ticksuffix": NBSP + "s", "tickformat": ",.1~f"}
    if unit in ("ratio", "score"):
        return {"tickformat": ",.1f"}
    return {"tickformat": ",.1~f"}


COUNT_AXIS_UNITS = ("count", "integer", "antal")
WHOLE_TICKS_UP_TO = 10  # a count axis up to this draws a tick per whole number


def count_ticks(unit: str | None, values) -> dict:
    """Whole-number ticks for a count axis with a small range: Plotly's own steps gave "0,5 agenter"
    (Bemanning's agents per half hour for one förvaltning)."""
    top = max((v for v in values if v is not None), default=0)
    if unit in COUNT_AXIS_UNITS and top <= WHOLE_TICKS_UP_TO:
        return {"tickmode": "linear", "tick0": 0, "dtick": 1}
    return {}


def scale(values: list, unit: str | None) -> list:
    """Values as drawn: shares × 100 so the axis reads in percent."""
    if unit in SHARE_UNITS:
        return [None if v is None else v * 100 for v in values]
    return list(values)


# Characters a line of a chart's title and of its horizontal axis title: Plotly cuts, never
# wraps, a title wider than the chart. The axis title is centred on the plot, not the chart: in
# a half-width trend at 1280 px (plot 270 px from 92 px in) "Vecka (hela veckor, 8–28 december
# 2025)", 39 characters, ran past the chart's right edge.
TITLE_LINE, AXIS_TITLE_LINE = 40, 32
# A vertical axis title runs along the plot's height, which Plotly neither wraps nor shrinks: a
# 380 px trend's plot (232 px) holds about 26 characters of it, so longer titles ("Överlämnat
# till förvaltning", 27) take two lines, for which TREND_MARGIN keeps room.
Y_TITLE_LINE = 24
_TITLE_LINE_PX = 22
_TOP_PX = 60  # the top margin of a one-line title


# A legend above the plot starts at the plot's left edge (92 px into a trend) and grows upwards:
# at half width a trend's two entries ("Vald period", "Föregående period") take two rows, and
# the upper one covered the title. (From the chart's edge instead, `xref: container`, Plotly
# widened the left margin by the legend's width.)
LEGEND_ROW_PX = 22


def top_margin(title: str | None, subtitle: str | None = None, legend_rows: int = 1) -> int:
    """The top margin that holds the (wrapped) title, its subtitle line and a legend above the
    plot of `legend_rows` rows."""
    lines = (len(wrap_label(title, TITLE_LINE)) if title else 1) + (1 if subtitle else 0)
    return _TOP_PX + _TITLE_LINE_PX * (lines - 1) + LEGEND_ROW_PX * (legend_rows - 1)


# Plotly anchors a title of several lines by less than its height: in Chromium each line beyond
# the first raised the first line by about 12 px, so a two-line title began 4 px above the chart
# and lost the top of its letters (the dots of "ö" in "Besök"). The pad makes up for it.
_TITLE_PAD_PX, _TITLE_RAISE_PX = 12, 12


def title_pad(lines: int) -> int:
    """The title's top pad for a title of `lines` lines (the subtitle counted)."""
    return _TITLE_PAD_PX + _TITLE_RAISE_PX * (lines - 1)


def base_layout(title: str, *, x_title: str | None = None, y_title: str | None = None,
                alt: str | None = None, height: int = 380, subtitle: str | None = None) -> dict:
    """The shared layout as a plain dict (what base_figure draws with). `subtitle`: one line in
    smaller, muted text under the title (e.g. that a ranked chart shows only its largest rows)."""
    axis = {"gridcolor": GRID, "linecolor": MUTED_TEXT, "tickfont": {"color": TEXT}, "automargin": True}
    title_lines = [as_plotly(line) for line in wrap_label(title, TITLE_LINE)] if title else [title]
    if subtitle:
        title_lines.append(f'<span style="font-size:13px;color:{MUTED_TEXT}">{as_plotly(subtitle)}</span>')
    if x_title:
        x_title = "<br>".join(wrap_label(x_title, AXIS_TITLE_LINE))
    if y_title:
        y_title = "<br>".join(wrap_label(y_title, Y_TITLE_LINE))
    return {
        # from the top, so that a wrapped title pushes down into its margin, not into the legend
        "title": {"text": "<br>".join(title_lines), "font": {"size": 17, "color": TEXT}, "x": 0,
                  "xanchor": "left", "y": 1, "yref": "container", "yanchor": "top",
                  "pad": {"t": title_pad(len(title_lines))}},
        "font": {"family": FONT, "size": 13, "color": TEXT},
        "separators": PLOTLY_SEPARATORS,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 20, "t": top_margin(title, subtitle), "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                   "font": {"color": TEXT}},
        "hoverlabel": {"font": {"family": FONT}},
        "meta": {"alt": alt or title},
        "xaxis": {"title": {"text": x_title}, **axis},
        "yaxis": {"title": {"text": y_title}, **axis, "zerolinecolor": GRID},
    }


def merged(base: dict, changes: dict) -> dict:
    """`base` updated by `changes` as Plotly's update_layout does: nested dicts merge, the rest
    replaces."""
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def base_figure(title: str, *, x_title: str | None = None, y_title: str | None = None,
                alt: str | None = None, height: int = 380, data=(), layout: dict | None = None,
                subtitle: str | None = None) -> go.Figure:
    """A figure with the shared layout (`layout` merged over it) and `data` as its traces.
    `alt` becomes the chart's text alternative.

    Built in one constructor call: Plotly validates a whole layout dict several times faster
    than a series of update_layout/update_axes calls (about 50 ms a figure on a loaded core),
    for the same figure."""
    shared = base_layout(title, x_title=x_title, y_title=y_title, alt=alt, height=height,
                         subtitle=subtitle)
    return go.Figure(data=list(data), layout=merged(shared, layout or {}))


def alt_text(fig: go.Figure) -> str:
    """The text alternative stored by base_figure (for st.plotly_chart(alt=...))."""
    meta = fig.layout.meta
    if isinstance(meta, dict) and meta.get("alt"):
        return str(meta["alt"])
    return str(fig.layout.title.text or "Diagram")


def vertical_line(x, *, dash: str, color: str, width: float) -> dict:
    """The shape `fig.add_vline` draws: a line at x over the whole height of the plot."""
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
            "line": {"color": color, "dash": dash, "width": width}}


def no_data_message(what: str) -> str:
    """Why a chart with nothing hidden has nothing to draw either (a rate over no contacts: the
    answer rate of Sociala medier): said apart from "för få kontakter", since nothing is hidden."""
    return (f"Inget underlag för {what[:1].lower() + what[1:]} med de valda filtren:<br>"
            "inga kontakter som måttet räknas på (inget är dolt).")


# Characters a line of an empty figure's sentence holds in a half-width chart at 1280 px (15 px
# text in 370 px): Plotly cuts, never wraps, an annotation wider than the chart.
MESSAGE_LINE = 42


def empty_figure(title: str, message: str) -> go.Figure:
    """A figure that says in words why there is nothing to draw (`<br>` breaks its lines; each
    wraps at MESSAGE_LINE characters)."""
    lines = [part for line in message.split("<br>") for part in wrap_label(line, MESSAGE_LINE)]
    return base_figure(title, alt=f"{title}: {message.replace('<br>', ' ')}",
                       height=220 + 20 * max(0, len(lines) - 3), layout={
        "annotations": [{"text": "<br>".join(lines), "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                         "yref": "paper", "font": {"size": 15, "color": TEXT}}],
        "xaxis": {"visible": False}, "yaxis": {"visible": False}})
