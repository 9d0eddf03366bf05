"""Weekday × hour heatmap, with the value printed in each cell so colour is not the only cue."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.theme import GRID, SEQUENTIAL, base_figure, empty_figure, no_data_message, scale
from dashboard.formatting import (CHART_HIDDEN, MISSING, all_hidden_lines, format_hour, format_value,
                                  format_weekday)

NO_DATA_TEXT = MISSING
ALL_HIDDEN = "<br>".join(all_hidden_lines("rutor", "ruta"))


def weekday_hour_heatmap(
    frame: pl.DataFrame,
    *,
    value: str,
    title: str,
    unit: str | None,
    value_label: str,
    weekday: str = "weekday",
    hour: str = "hour",
    hidden: str | None = None,
    opening_hours: Mapping[int, tuple[int, int]] | None = None,
    clickable: bool = False,
    selected: Collection[tuple[int, int]] = (),
    span: int = 1,
) -> go.Figure:
    """Rows Monday..Sunday (ISO 1..7), columns whole hours (or blocks of `span` hours, the `hour`
    column then holding each block's first hour: dashboard.periods.HOUR_BINS), spanning the
    opening hours and every weekday and hour with data.

    `opening_hours` maps an ISO weekday to its (first hour, hour it closes); `hidden` names a
    boolean column marking suppressed cells (without it a None value is taken as hidden; with it
    an unflagged None is no data). A cell reads its value; "dolt" when hidden; for a
    count, 0 inside opening hours without contacts; "–" (no data) where a rate has nothing to
    rest on, and blank outside opening hours. When every cell with data is hidden the figure says
    so in words instead of drawing empty axes.

    `clickable` lays an invisible marker on every cell that carries its (weekday, hour) as
    customdata[1:3] and its span as customdata[3]: Plotly selects scatter points on a click but not
    heatmap cells, and the drill-down (dashboard.ui.drill) reads the selection. `selected` cells
    (weekday, hour) get a dark outline round the block that holds them.
    """
    if frame.is_empty():
        return empty_figure(title, "Inga kontakter för de valda filtren.")
    opening = dict(opening_hours or {})
    rows = frame.select(weekday, hour, value, *([hidden] if hidden else [])).iter_rows(named=True)
    cells, hidden_cells = {}, set()
    for r in rows:
        key = (int(r[weekday]), int(r[hour]))
        if (r[hidden] if hidden else r[value] is None):  # with flags, an unflagged None is no data
            hidden_cells.add(key)
        elif r[value] is not None:
            cells[key] = r[value]
    if not cells:  # "dolda" only when something is hidden; a rate over no contacts is no data
        return empty_figure(title, ALL_HIDDEN if hidden_cells else no_data_message(value_label))
    # zeros (rows other channels bring, e.g. night-time e-service for calls) do not widen the grid
    present = {k for k, v in cells.items() if v} | hidden_cells or set(cells)
    days = sorted({d for d, _ in present} | set(opening))
    open_hours = [h // span * span for first, closes in opening.values() for h in range(first, closes)]
    all_hours = [h for _, h in present] + open_hours
    hours = list(range(min(all_hours), max(all_hours) + 1, span))

    def is_open(d: int, h: int) -> bool:  # open in any hour of the block
        first, closes = opening.get(d, (0, 0))
        return any(first <= x < closes for x in range(h, h + span))

    z, text, hover = [], [], []
    for d in days:
        zrow, trow, hrow = [], [], []
        for h in hours:
            if (d, h) in cells:
                v = cells[(d, h)]
                shown, words = v, format_value(v, unit)
                t = words
            elif (d, h) in hidden_cells:
                shown, t, words = None, CHART_HIDDEN, f"{CHART_HIDDEN} (för få kontakter)"
            elif is_open(d, h) and unit == "count":
                shown, t, words = 0, format_value(0, unit), "inga kontakter"
            elif is_open(d, h):
                shown, t, words = None, NO_DATA_TEXT, "ingen data"
            else:
                shown, t, words = None, "", "stängt, inga kontakter"
            zrow.append(shown)
            trow.append(t)
            hrow.append(f"{format_weekday(d)} {format_hour(h, span)}: {words}")
        z.append(scale(zrow, unit))
        text.append(trow)
        hover.append(hrow)
    note = (" Ljusgrå rutor utan text: stängt." if opening else "")
    fixed = constant_range([v for row in z for v in row if v is not None])
    columns = [_column(h, span) for h in hours]
    heatmap = go.Heatmap(
        z=z,
        x=columns,
        y=[format_weekday(d) for d in days],
        text=text,
        texttemplate="%{text}",
        textfont={"size": 11},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        colorscale=SEQUENTIAL,
        colorbar={"title": {"text": value_label, "side": "right"}, "thickness": 14,
                  **({"tickmode": "array", "tickvals": list(fixed)} if fixed else {})},
        **({"zmin": fixed[0], "zmax": fixed[1]} if fixed else {}),
        xgap=1, ygap=1,
    )
    fig = base_figure(
        title, x_title={1: "Timme (start)", 12: "Förmiddag (00–12), eftermiddag (12–24)"}.get(
            span, f"Tid på dagen ({span} timmar per ruta)"),
        y_title=None, height=120 + 42 * len(days),
        alt=(f"Värmekarta: {title}. {value_label} per veckodag och "
             f"{'timme' if span == 1 else f'{span} timmar'}; värdet står i varje ruta, "
             f"'dolt' där det är för få kontakter, '–' där data saknas.{note}"),
        data=[heatmap],
        layout={"plot_bgcolor": GRID, "yaxis": {"autorange": "reversed", "showgrid": False},
                "xaxis": {"showgrid": False, "type": "category"}},
    )
    if clickable:
        _click_layer(fig, days, hours, hover, span)
    for d, h in {(d, h // span * span) for d, h in selected}:
        if d in days and h in hours:
            x, y = hours.index(h), days.index(d)
            fig.add_shape(type="rect", x0=x - 0.5, x1=x + 0.5, y0=y - 0.5, y1=y + 0.5,
                          xref="x", yref="y", line={"color": "#1f1f1f", "width": 3})
    return fig


def constant_range(values: list[float]) -> tuple[float, float] | None:
    """The colour range of a heatmap whose values are all equal, None otherwise (Plotly's own
    min..max). Plotly centres a constant on itself, so all zeros got a scale of −0,4..0,4 with
    negative ticks: a constant v gets 0..v instead, and zeros 0..1."""
    if not values or min(values) != max(values):
        return None
    v = values[0]
    return (min(v, 0), max(v, 0)) if v else (0, 1)


def _column(hour: int, span: int) -> str:
    """A column's label: the hour ('08'), the block ('08–10') or half the day ('förmiddag')."""
    if span == 12:
        return "förmiddag" if hour < 12 else "eftermiddag"
    return f"{int(hour):02d}" if span == 1 else format_hour(hour, span)


def _click_layer(fig: go.Figure, days: list[int], hours: list[int], hover: list[list[str]],
                 span: int) -> None:
    """One invisible square marker per cell, carrying the hover text and (weekday, hour); the
    heatmap itself then takes no hover, so the marker's label is the one shown."""
    xs, ys, data = [], [], []
    for i, d in enumerate(days):
        for j, h in enumerate(hours):
            xs.append(_column(h, span))
            ys.append(format_weekday(d))
            data.append([hover[i][j], d, h, span])
    fig.data[-1].hoverinfo = "skip"
    fig.data[-1].hovertemplate = None
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", customdata=data, hovertemplate="%{customdata[0]}<extra></extra>",
        marker={"symbol": "square", "size": 30, "opacity": 0}, showlegend=False,
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
        name="Klicka för att filtrera",
    ))
