"""Bar charts: ranked horizontal bars (service gaps, failure drivers, equity with intervals) and
category bars over an ordered axis (half hours, channels). Every bar carries its value as text."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.theme import (
    COMPARISON_COLOUR,
    OKABE_ITO,
    TEXT,
    axis_format,
    base_figure,
    count_ticks,
    RANKED_MARGIN,
    empty_figure,
    no_data_message,
    scale,
    series_style,
    vertical_line,
)
from dashboard.formatting import CHART_HIDDEN, MISSING, all_hidden_lines, format_value, wrap_label
from dashboard.privacy.text import as_plotly
from dashboard.ranking import ranked_rows  # the rule the pack ranks by too

# Said in words instead of empty axes when every bar is hidden (the heatmap's ALL_HIDDEN)
ALL_HIDDEN = "<br>".join(all_hidden_lines("staplar", "stapel"))


def _nothing_to_draw(title: str, value_title: str, values: list, hidden: list[bool]) -> go.Figure | None:
    """The figure that says why a bar chart has no bar at all: every value hidden ("Alla staplar
    är dolda …"), or every value missing with nothing hidden (no data); None when a bar has a
    value. A chart of "dolt" labels over an empty 0–1 axis told nothing."""
    if any(v is not None for v in values):
        return None
    return empty_figure(title, ALL_HIDDEN if any(hidden) else no_data_message(value_title))


def _texts(values, unit, hidden=None) -> list[str]:
    """A bar's text: its value; 'dolt' where privacy hid it, '–' where there is no value (with
    `hidden` flags, an unflagged None is no data; without them every None is taken as hidden)."""
    hidden = [v is None for v in values] if hidden is None else hidden
    return [format_value(v, unit) if v is not None else CHART_HIDDEN if h else MISSING
            for v, h in zip(values, hidden)]


LINE_WIDTH = 28  # characters per line of a bar's label; longer labels wrap, never cut
# Ranked bars, in pixels: a bar, a line of its label above it, the gap to the next row's label,
# and the title and value axis around them.
_BAR_PX, _LABEL_LINE_PX, _ROW_GAP_PX, _AXES_PX = 22, 17, 8, 130


def _axis_labels(labels: list[str]) -> list[str]:
    """Wrapped axis labels (Plotly breaks lines at <br>), kept distinct so equal names stay two bars."""
    out: list[str] = []
    for text in labels:
        label = "<br>".join(as_plotly(line) for line in wrap_label(text, LINE_WIDTH))
        while label in out:
            label += "\u200b"
        out.append(label)
    return out


def _name(names: Mapping, value) -> str:
    """A bar's label: the given name, else the value itself; a missing value (or name) is
    "Uppgift saknas", never a None that Plotly or the escaping cannot take."""
    name = names.get(value)
    if name is None:
        name = None if value is None else str(value)
    return "Uppgift saknas" if name is None else str(name)


def ranked_bars(
    frame: pl.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    unit: str | None,
    value_title: str,
    top: int = 15,
    low: str | None = None,
    high: str | None = None,
    reference: float | None = None,
    reference_label: str = "Hela staden",
    flag: str | None = None,
    labels: Mapping[str, str] | None = None,
    hidden: str | None = None,
) -> go.Figure:
    """Horizontal bars, largest at the top. Optional 95 % interval whiskers (`low`/`high`), a dashed
    reference line (e.g. the city), and a boolean `flag` column marking bars with a '▲' in the label.
    Null values get no bar: `hidden` names a boolean column marking the values privacy hid, which
    read 'dolt' (the table view says why); an unflagged null is no data and reads '–' (a
    satisfaction index without survey answers). Without `hidden` every null reads 'dolt'."""
    if frame.is_empty():
        return empty_figure(title, "Inga rader för de valda filtren.")
    ranked = ranked_rows(frame, value, top).reverse()
    subtitle = truncation_note(top, frame.height)
    names = labels or {}
    # data text drawn as text: Plotly would turn <a href> in a label into a link
    raw = ranked[label].to_list()
    full = [_name(names, v) for v in raw]  # escaped where drawn: axis labels and hover
    if flag:
        full = [f"▲ {y}" if f else y for y, f in zip(full, ranked[flag].to_list())]
    ys = _axis_labels(full)
    lines = [y.count("<br>") + 1 for y in ys]
    values = ranked[value].to_list()
    flags = ranked[hidden].fill_null(False).to_list() if hidden else [v is None for v in values]
    if (words := _nothing_to_draw(title, value_title, values, flags)) is not None:
        return words
    texts = _texts(values, unit, flags)
    drawn = scale(values, unit)
    error = None
    if low and high:
        lows, highs = scale(ranked[low].to_list(), unit), scale(ranked[high].to_list(), unit)
        error = {
            "type": "data", "symmetric": False, "color": TEXT, "thickness": 1.5, "width": 4,
            "array": [None if v is None or h is None else h - v for v, h in zip(drawn, highs)],
            "arrayminus": [None if v is None or lo is None else v - lo for v, lo in zip(drawn, lows)],
        }
    # Each label sits above its bar, from the plot's left edge: the bars keep the whole width
    # however long the labels (beside the bars, in a half-width column, they left the bars a
    # sliver). Every row gets the room of the longest label, as a category axis spaces rows alike.
    row_px = _BAR_PX + _LABEL_LINE_PX * max(lines) + _ROW_GAP_PX
    bar_width = _BAR_PX / row_px   # in rows: category i spans i - 0.5 .. i + 0.5
    height = max(220, _AXES_PX + row_px * len(ys) + _ROW_GAP_PX) + (_LABEL_LINE_PX if subtitle else 0)
    alt = (f"Stapeldiagram, rangordnat: {title}{f' ({subtitle.lower()})' if subtitle else ''}. "
           f"{value_title} per rad, störst överst.")
    if low and high:
        alt += " Strecken visar 95 % konfidensintervall."
    # With whiskers the value sits inside the bar (white on Okabe–Ito blue: 5.1:1), clear of them.
    # With negative bars (changes) the value joins the label: outside text would hit the labels.
    inside = error is not None
    diverging = any(v is not None and v < 0 for v in drawn)
    if diverging:
        ys = [f"{y}: {t}" for y, t in zip(ys, texts)]
    traces = [go.Bar(
        x=[0 if v is None else v for v in drawn], y=ys, orientation="h", width=bar_width,
        marker={"color": OKABE_ITO[0], "line": {"color": TEXT, "width": 0.5}},
        text=texts, cliponaxis=False, insidetextanchor="start",
        textposition=["none" if diverging else "inside" if inside and v is not None else "outside"
                      for v in values],
        textfont={"color": ["white" if inside and v is not None else TEXT for v in values]},
        # customdata: the full label for the hover, and the category's own value for a drill-down
        error_x=error, name=value_title,
        customdata=[[as_plotly(f), None if v is None else str(v)] for f, v in zip(full, raw)],
        hovertemplate="%{customdata[0]}: %{text}<extra></extra>", showlegend=False,
    )]
    layout = {"xaxis": {**axis_format(unit), "rangemode": "tozero"},
              "yaxis": {"type": "category", "showticklabels": False, "showgrid": False,
                        # from just below the lowest bar to above the highest bar's label
                        "range": [-bar_width / 2 - _ROW_GAP_PX / row_px, len(ys) - bar_width / 2]},
              "annotations": [{"text": y, "x": 0, "xref": "paper", "y": i + bar_width / 2,
                               "yref": "y", "xanchor": "left", "yanchor": "bottom",
                               "align": "left", "showarrow": False,
                               # over a diverging chart's zero line and the grid: readable
                               "bgcolor": "rgba(255,255,255,0.85)",
                               "font": {"color": TEXT, "size": 13}} for i, y in enumerate(ys)],
              "showlegend": reference is not None, "bargap": 0.3, "margin": RANKED_MARGIN}
    if reference is not None:
        ref = scale([reference], unit)[0]
        layout["shapes"] = [vertical_line(ref, dash="dash", color=COMPARISON_COLOUR, width=2)]
        # Named in the legend (not an annotation that could cover a bar).
        traces.append(go.Scatter(x=[None], y=[None], mode="lines", showlegend=True,
                                 name=f"{reference_label}: {format_value(reference, unit)}",
                                 line={"color": COMPARISON_COLOUR, "dash": "dash", "width": 2}))
    return base_figure(title, x_title=value_title, height=height, alt=alt, data=traces, layout=layout,
                       subtitle=subtitle)


def truncation_note(top: int, available: int) -> str | None:
    """What a ranked chart that draws only its `top` largest of `available` rows says under its
    title; None when it draws them all."""
    return f"De {top} största av {available}" if available > top else None


def category_bars(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str | list[str],
    title: str,
    unit: str | None,
    x_title: str,
    y_title: str,
    names: Mapping[str, str] | None = None,
    x_labels: Mapping | None = None,
    show_text: bool = True,
) -> go.Figure:
    """Vertical bars over an ordered category axis (kept in the frame's order). Several y columns
    become grouped bars, each with its own colour and fill pattern so they differ without colour.

    A null value is hidden and gets no bar: its "dolt" stands on the axis in its own bar's slot,
    upright beside the group's other bars (written along the bar as text, two hidden bars of a
    half hour ran together as "doltdolt"). When every value is hidden the chart says so in words."""
    if frame.is_empty():
        return empty_figure(title, "Inga rader för de valda filtren.")
    columns = [y] if isinstance(y, str) else list(y)
    every = [v for c in columns for v in frame[c].to_list()]
    if (words := _nothing_to_draw(title, y_title, every, [v is None for v in every])) is not None:
        return words
    names = names or {}
    xl = x_labels or {}
    xs = [as_plotly(xl.get(v, str(v))) for v in frame[x].to_list()]
    patterns = ("", "/", ".", "x", "-", "|")
    traces, hidden_labels = [], []
    for i, col in enumerate(columns):
        values = frame[col].to_list()
        texts = _texts(values, unit)
        style = series_style(i)
        traces.append(go.Bar(
            x=xs, y=[0 if v is None else v for v in scale(values, unit)], name=names.get(col, col),
            marker={"color": style["color"], "line": {"color": TEXT, "width": 0.5},
                    "pattern": {"shape": patterns[i % len(patterns)], "fillmode": "overlay",
                                "fgcolor": "white", "fgopacity": 0.7}},
            text=[t if v is not None else "" for t, v in zip(texts, values)] if show_text else None,
            customdata=texts,
            textposition="outside" if show_text else "none", cliponaxis=False,
            textfont={"color": TEXT, "size": 11},
            hovertemplate="%{x}: %{customdata}<extra>" + names.get(col, col) + "</extra>"
            if show_text else None,
        ))
        if show_text:
            hidden_labels += [_hidden_label(j, i, len(columns)) for j, v in enumerate(values) if v is None]
    return base_figure(title, x_title=x_title, y_title=y_title,
                       alt=f"Stapeldiagram: {title}. {y_title} per {x_title.lower()}.", data=traces,
                       layout={"xaxis": {"type": "category"},
                               "yaxis": {**axis_format(unit), "rangemode": "tozero",
                                         **count_ticks(unit, every)},
                               "annotations": hidden_labels,
                               "barmode": "group", "bargap": BARGAP, "showlegend": len(columns) > 1})


BARGAP = 0.2  # of a category's width between groups (Plotly's default, stated: the labels use it)


def _hidden_label(category: int, k: int, count: int) -> dict:
    """The "dolt" of the k-th of `count` grouped bars in the category at index `category`: at its
    bar's centre (a category axis places numbers by index), on the axis; upright when the bars are
    grouped, so it is no wider than its bar."""
    width = (1 - BARGAP) / count
    return {"text": CHART_HIDDEN, "x": category - (1 - BARGAP) / 2 + (k + 0.5) * width, "xref": "x",
            "y": 0, "yref": "y", "yanchor": "bottom", "showarrow": False,
            "textangle": -90 if count > 1 else 0, "font": {"color": TEXT, "size": 11}}
