"""Pure Plotly figure builders: Polars DataFrame in, Figure out. No streamlit here."""

from dashboard.charts.bars import category_bars, ranked_bars, ranked_rows
from dashboard.charts.heatmap import weekday_hour_heatmap
from dashboard.charts.theme import alt_text, empty_figure, no_data_message
from dashboard.charts.timeseries import add_incidents, gap_message, gap_note, time_series

__all__ = [
    "add_incidents", "alt_text", "category_bars", "empty_figure", "gap_message", "gap_note", "no_data_message", "ranked_bars", "ranked_rows",
    "time_series",
    "weekday_hour_heatmap",
]
