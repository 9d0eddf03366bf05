"""Weekday × hour heatmap, with the value printed in each cell so colour is not the only cue."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.theme import SEQUENTIAL, base_figure, empty_figure, scale
from dashboard.formatting import format_hour, format_value, format_weekday


def weekday_hour_heatmap(
    frame: pl.DataFrame,
    *,
    value: str,
    title: str,
    unit: str | None,
    value_label: str,
    weekday: str = "weekday",
    hour: str = "hour",
) -> go.Figure:
    """Rows Monday..Sunday (ISO 1..7, only those present), columns the hours present.

    Null cells (suppressed or no contacts) stay blank and read 'dolt' in the hover.
    """
    if frame.is_empty():
        return empty_figure(title, "Inga kontakter för de valda filtren.")
    days = sorted(frame[weekday].unique().to_list())
    hours = sorted(frame[hour].unique().to_list())
    cells = {(r[weekday], r[hour]): r[value] for r in frame.select(weekday, hour, value).iter_rows(named=True)}
    z, text = [], []
    for d in days:
        row = [cells.get((d, h)) for h in hours]
        z.append(scale(row, unit))
        text.append(["" if v is None else format_value(v, unit) for v in row])
    hover = [[f"{format_weekday(d)} {format_hour(h)}: {t or 'dolt eller saknas'}" for h, t in zip(hours, trow)]
             for d, trow in zip(days, text)]
    fig = base_figure(
        title, x_title="Timme (start)", y_title=None, height=120 + 42 * len(days),
        alt=f"Värmekarta: {title}. {value_label} per veckodag och timme; värdet står i varje ruta.",
    )
    fig.add_trace(go.Heatmap(
        z=z,
        x=[f"{int(h):02d}" for h in hours],
        y=[format_weekday(d) for d in days],
        text=text,
        texttemplate="%{text}",
        textfont={"size": 11},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        colorscale=SEQUENTIAL,
        colorbar={"title": {"text": value_label, "side": "right"}, "thickness": 14},
        xgap=1, ygap=1,
    ))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False, type="category")
    return fig
