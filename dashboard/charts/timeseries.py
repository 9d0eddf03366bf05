"""Time series: the chosen period solid, the comparison period dashed, incidents as labelled bands."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.theme import (
    COMPARISON_COLOUR,
    COMPARISON_DASH,
    INCIDENT_FILL,
    TEXT,
    axis_format,
    base_figure,
    TREND_MARGIN,
    top_margin,
    empty_figure,
    no_data_message,
    scale,
    series_style,
)
from dashboard.formatting import MONTHS_SHORT, format_date_short, format_value, wrap_label
from dashboard.privacy.text import as_plotly

MAX_TICKS = 8


def gap_message(per: str, what: str, gaps: list[bool], hidden: list[bool],
                compare_hidden: list[bool] = ()) -> str:
    """Why a line that is mostly gaps is not drawn (periods.too_gappy_to_draw), `per` the grain
    ("per vecka"), counted as they are: the points privacy hid ("dolda"), the points with nothing
    to rest on (no flag: the answer rate of a channel without calls, a closed Christmas Eve), and
    the comparison's hidden points (`compare_hidden`); "inget är dolt" only when neither line has
    a hidden point. A line of empty points only, nothing hidden, is no data."""
    n, n_hidden = len(gaps), sum(hidden)
    n_empty = sum(g and not h for g, h in zip(gaps, hidden))
    c_hidden = sum(compare_hidden)
    if not n_hidden and not c_hidden and all(gaps):
        return no_data_message(what)
    head = (f"För få kontakter {per} för att visa en linje:" if n_hidden
            else f"Inget underlag för en linje {per}:")
    counts = []
    if n_hidden:
        counts.append("alla punkterna är dolda" if n_hidden == n else f"{n_hidden} av {n} punkter är dolda")
    if n_empty:
        counts.append(f"{n_empty} saknar kontakter att räkna på" if counts
                      else f"{n_empty} av {n} punkter saknar kontakter att räkna på")
    lines = [head, " och ".join(counts) + ("" if n_hidden or c_hidden else " (inget är dolt)") + "."]
    if c_hidden:
        lines.append(f"I jämförelseperioden är {c_hidden} av {len(compare_hidden)} punkter dolda.")
    return "<br>".join([*lines, "Välj en längre period eller färre filter."])


def gap_note(gaps: list[bool], hidden: list[bool], compare_hidden: list[bool] = ()) -> str | None:
    """What a drawn line with gaps says under its title, so a missing point is explained: "1 av
    3 punkter utan underlag · jämförelsen: 2 av 3 dolda"; None without gaps."""
    n, n_hidden = len(gaps), sum(hidden)
    n_empty = sum(g and not h for g, h in zip(gaps, hidden))
    parts = []
    if n_hidden and n_empty:
        parts.append(f"{n_hidden} dolda och {n_empty} utan underlag av {n} punkter")
    elif n_hidden:
        parts.append(f"{n_hidden} av {n} punkter dolda")
    elif n_empty:
        parts.append(f"{n_empty} av {n} punkter utan underlag")
    if sum(compare_hidden):
        parts.append(f"jämförelsen: {sum(compare_hidden)} av {len(compare_hidden)} dolda")
    return " · ".join(parts) or None


def _x_text(value) -> str:
    if isinstance(value, (date, datetime)):
        return format_date_short(value)
    return str(value)


def date_ticks(xs: list) -> tuple[list, list[str]]:
    """Swedish tick labels for a date axis (Plotly would print English month names).

    At most MAX_TICKS ticks; '7 dec' for days, 'dec 2025' when every value is a month start;
    the year is added on the first tick and where it changes.
    """
    values = sorted({x for x in xs if isinstance(x, (date, datetime))})
    if not values:
        return [], []
    step = max(1, -(-len(values) // MAX_TICKS))
    ticks = values[::step]
    monthly = all(v.day == 1 for v in values) and len(values) > 1
    texts, last_year = [], None
    for v in ticks:
        month = MONTHS_SHORT[v.month - 1]
        text = f"{month} {v.year}" if monthly else f"{v.day} {month}"
        if not monthly and v.year != last_year:
            text += f" {v.year}"
        last_year = v.year
        texts.append(text)
    return ticks, texts


def _hover(xs, ys, unit) -> list[list[str]]:
    return [[_x_text(x), "dolt eller saknas" if y is None else format_value(y, unit)]
            for x, y in zip(xs, ys)]


def _line(xs, ys, unit, name, style, *, dash=None, hover_x=None, low=None, high=None) -> go.Scatter:
    error = None
    if low is not None and high is not None:
        error = {
            "type": "data", "symmetric": False, "color": style["color"], "thickness": 1.2,
            "array": [None if (h is None or y is None) else h - y for y, h in zip(scale(ys, unit), scale(high, unit))],
            "arrayminus": [None if (lo is None or y is None) else y - lo for y, lo in zip(scale(ys, unit), scale(low, unit))],
        }
    return go.Scatter(
        x=xs, y=scale(ys, unit), name=name, mode="lines+markers",
        line={"color": style["color"], "dash": dash or style["dash"], "width": 2.5},
        marker={"symbol": style["symbol"], "size": 7, "color": style["color"]},
        customdata=_hover(hover_x if hover_x is not None else xs, ys, unit),
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>" + name + "</extra>",
        error_y=error,
        connectgaps=False,
    )


def time_series(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    unit: str | None,
    y_title: str,
    x_title: str = "Datum",
    series: str | None = None,
    series_labels: Mapping[str, str] | None = None,
    current_label: str = "Vald period",
    comparison: pl.DataFrame | None = None,
    comparison_label: str = "Jämförelseperiod",
    comparison_x_actual: str | None = None,
    incidents: pl.DataFrame | None = None,
    low: str | None = None,
    high: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """One line per series (or one line), plus the comparison dashed on the same x positions.

    `comparison` holds the comparison period already aligned to the current x values; its real dates
    may be given in `comparison_x_actual` for the hover text. Null values are gaps (suppressed or
    missing), never zeros; `subtitle` (gap_note) says how many.
    """
    if frame.is_empty():
        return empty_figure(title, "Inga kontakter för de valda filtren.")
    labels = series_labels or {}
    frame = frame.sort(x)
    groups = [(None, frame)] if series is None else [
        (key, frame.filter(pl.col(series) == key)) for key in frame[series].unique(maintain_order=True)
    ]
    traces = []
    for i, (key, part) in enumerate(groups):
        name = current_label if key is None else labels.get(key, str(key))
        traces.append(_line(
            part[x].to_list(), part[y].to_list(), unit, name, series_style(i),
            low=part[low].to_list() if low else None, high=part[high].to_list() if high else None,
        ))
    if comparison is not None and not comparison.is_empty() and series is None:
        comp = comparison.sort(x)
        style = {"color": COMPARISON_COLOUR, "dash": COMPARISON_DASH, "symbol": "circle-open"}
        traces.append(_line(
            comp[x].to_list(), comp[y].to_list(), unit, comparison_label, style, dash=COMPARISON_DASH,
            hover_x=comp[comparison_x_actual].to_list() if comparison_x_actual else None,
        ))
    layout: dict = {"yaxis": {**axis_format(unit), "rangemode": "tozero"},
                    # what the axes' labels and the legend take (theme.TREND_MARGIN)
                    "margin": {**TREND_MARGIN, "t": top_margin(title, subtitle, legend_rows=_legend_rows(traces)) + 4}}
    tickvals, ticktext = date_ticks(frame[x].to_list())
    if tickvals:
        layout["xaxis"] = {"tickmode": "array", "tickvals": tickvals, "ticktext": ticktext}
    if incidents is not None and not incidents.is_empty():
        xs = frame[x].to_list()
        layout["shapes"], layout["annotations"] = incident_bands(incidents, x_range=(xs[0], xs[-1]))
    return base_figure(title, x_title=x_title, y_title=y_title,
                       alt=f"Linjediagram: {title}. {y_title} per {x_title.lower()}.",
                       data=traces, layout=layout, subtitle=subtitle)


def _legend_rows(traces) -> int:
    """Rows a trend's legend may take at half width: about one entry a row, at most three
    (theme.LEGEND_ROW_PX); one line has no legend."""
    return min(max(1, len(traces)), 3)


INCIDENT_LINE = 28  # characters per line of an incident's label (about 170 px at 12 px), as a bar's


def incident_bands(incidents: pl.DataFrame, *, start: str = "start", end: str = "end",
                   label: str | None = "label", x_range: tuple | None = None) -> tuple[list[dict], list[dict]]:
    """The shapes and annotations for each flagged incident period: a shaded band over the plot's
    height, labelled at its top (not colour alone).

    The label stands whole inside the plot: it names the incident's first part (its area,
    "Händelse: Fosie"), wrapped at INCIDENT_LINE characters, and the hover gives the whole label
    ("Händelse: Fosie · Felanmälan gata, park och trafik", which the page's incident list also
    names); a band in the right half of `x_range` (the x axis' first and last value) has it at
    its right edge, reading leftwards. From the band's left edge, a label near the plot's right
    edge was cut ("Händelse: Fosie ·"); the topic in lines of its own covered a half-width
    trend's top."""
    shapes, annotations = [], []
    for row in incidents.iter_rows(named=True):
        parts = ["Händelse"]
        if label and row.get(label):
            area, *rest = str(row[label]).split(" · ")
            parts = [f"Händelse: {area}", *rest]
        lines = [as_plotly(line) for line in wrap_label(parts[0], INCIDENT_LINE)]
        right = x_range is not None and _past_middle(row[start], x_range)
        shapes.append({"type": "rect", "x0": row[start], "x1": row[end], "xref": "x", "y0": 0, "y1": 1,
                       "yref": "y domain", "fillcolor": INCIDENT_FILL, "layer": "below",
                       "line": {"color": "#D55E00", "dash": "dot", "width": 1}})
        annotations.append({"text": "<br>".join(lines), "showarrow": False,
                            "x": row[end] if right else row[start], "xanchor": "right" if right else "left",
                            "align": "right" if right else "left", "xref": "x", "y": 1, "yanchor": "top",
                            "yref": "y domain", "font": {"color": TEXT, "size": 12},
                            "hovertext": as_plotly(" · ".join(parts))})
    return shapes, annotations


def _past_middle(value, x_range: tuple) -> bool:
    """Whether a date lies past the middle of the axis' first..last date."""
    first, last = (_days(v) for v in x_range)
    return last > first and _days(value) - first > (last - first) / 2


def _days(value) -> float:
    if isinstance(value, datetime):
        return value.toordinal() + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return value.toordinal() if isinstance(value, date) else float(value)


def add_incidents(fig: go.Figure, incidents: pl.DataFrame, *, start: str = "start",
                  end: str = "end", label: str | None = "label") -> go.Figure:
    """Mark flagged incident periods as shaded bands, each with a text label (not colour alone):
    incident_bands' bands, laid on a figure already built (its x range read from its traces)."""
    xs = [x for trace in fig.data for x in (trace.x or ()) if x is not None]
    shapes, annotations = incident_bands(incidents, start=start, end=end, label=label,
                                         x_range=(min(xs), max(xs)) if xs else None)
    for shape in shapes:
        fig.add_shape(shape)
    for annotation in annotations:
        fig.add_annotation(annotation)
    return fig
