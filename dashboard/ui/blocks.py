"""Reusable page blocks: key figures, a trend with its comparison, a heatmap, a ranked breakdown.

Each block asks dashboard.privacy (through the cache) for published registry metrics, draws with a pure chart builder and goes through figure.chart_block (definition, table, download).
"""

from __future__ import annotations

from collections.abc import Sequence
import polars as pl

from dashboard.charts import (empty_figure, gap_message, gap_note, ranked_bars, ranked_rows, time_series,
                              weekday_hour_heatmap)
from dashboard.domain import dimension_label, label_for
from dashboard.metrics.registry import REGISTRY
from dashboard.ui import data, drill
from dashboard.ui.engine import CITY, COMPARE, metrics
from dashboard.ui.figure import GRID_FIT_PX, HALF_FIT_PX, chart_block
from dashboard.periods import (GRAIN_NAMES, HOUR_BIN_NAMES, HOUR_BINS, choose_hour_bin, grain_candidates,
                               grain_offset, too_gappy, too_gappy_to_draw)
from dashboard.view import View
from dashboard.formatting import format_period
from dashboard import privacy
from dashboard.export.pack_sections import card_rows, card_set, table_set
from dashboard.export.pack_tables import key_figures_table
from dashboard.ui.engine import for_view
from dashboard.ui.kpi import figures_of, key_figures
from dashboard.ui.tables import (HIDDEN_FLAG, Col, TableData, cells_hidden, hidden_mask, hidden_reasons,
                                 uncertain_mask, with_comparison, with_hidden_flag)


def label(metric_id: str) -> str:
    return REGISTRY[metric_id].label_for(data.settings())


def metric_col(metric_id: str, title: str | None = None) -> Col:
    m = REGISTRY[metric_id]
    return Col(metric_id, title or label(metric_id), m.unit, min_n=m.min_n_for(data.settings()))


def dim_col(dimension: str, title: str | None = None) -> Col:
    return Col(dimension, title or dimension_label(dimension), None, dimension=dimension)


def threshold() -> int:
    return data.settings().small_cell_threshold


def visible(frame: pl.DataFrame, metric_id: str, unit: str | None = None) -> list:
    """The column's values with hidden cells as None (what a chart may draw)."""
    col = metric_col(metric_id) if metric_id in REGISTRY else Col(metric_id, metric_id, unit)
    mask = hidden_mask(frame, col)
    return [None if h else v for v, h in zip(frame[metric_id].to_list(), mask)]


def _single(frame: pl.DataFrame | None, metric_id: str) -> tuple[float | None, bool]:
    if frame is None or frame.is_empty():
        return None, False
    hidden = hidden_mask(frame, metric_col(metric_id))[0]
    return frame[metric_id][0], hidden


def kpis(view: View, metric_ids: Sequence[str], *, columns: int = 4) -> None:
    """Key figures for the view, each the row of the pack's published key-figure table that holds
    it (export.pack_sections.card_set, export.pack_tables.key_figures_table): a card's value,
    change, better/worse word and hidden cells are the pack's for the same filter."""
    cards = {ids: for_view(privacy.SCORECARD, view, comparison=view.compared_with, metric_ids=ids,
                           drivers=False)  # the cards read the metrics only
             for ids in dict.fromkeys(card_set(m) for m in metric_ids)}
    rows = pl.concat([card_rows(cards[card_set(m)], [m]) for m in metric_ids], how="vertical_relaxed")
    with_comparison = next(iter(cards.values())).comparison is not None
    table = key_figures_table("Nyckeltal", rows, data.settings(),
                              with_city=view.department is not None, with_comparison=with_comparison)
    key_figures(figures_of(table, rows), compare_label=view.against,
                city_label="Hela staden" if view.department else None, columns=columns)


def trend(view: View, metric_id: str, *, key: str, grain: str | None = None,
          incidents: pl.DataFrame | None = None, title: str | None = None,
          half_page: bool = False) -> None:
    """The metric over time in the period, with the comparison period dashed on the same axis.

    Without a fixed `grain`, the finest of day, week and month that fits the period and has few
    gaps, else the coarsest that is not mostly gaps, else the coarsest (dashboard.periods' grain
    rule); weeks and months are whole ones, named on the x axis. A line with gaps says how many
    under its title (charts.gap_note), one not drawn says why (charts.gap_message), both counting
    the comparison's hidden points too. A given `title` names the grain where it says "{per}"
    ("per vecka"). `half_page`: drawn in one of two columns (its table has half the room)."""
    m = REGISTRY[metric_id]
    tried = []
    for grain in (grain,) if grain else grain_candidates(view.period):
        shown_view = view.for_grain(grain)
        now = metrics(shown_view, [metric_id], by=[grain])
        values = visible(now, metric_id)
        tried.append((grain, shown_view, now, values))
        if not too_gappy([v is None for v in values]):
            break
    else:  # every grain has gaps: the coarsest that can be drawn, else the coarsest (said in words)
        grain, shown_view, now, values = next(
            (t for t in reversed(tried) if not too_gappy_to_draw([v is None for v in t[3]])), tried[-1])
    before = metrics(shown_view, [metric_id], by=[grain], scope=COMPARE)
    frame = now.with_columns(pl.Series(metric_id, values, dtype=pl.Float64))
    comparison = None
    if before is not None and not before.is_empty():
        offset = grain_offset(grain, view.period, view.compare)   # the chosen periods' shift
        p = shown_view.period
        comparison = before.with_columns(
            pl.Series(metric_id, visible(before, metric_id), dtype=pl.Float64),
            pl.col(grain).dt.offset_by(offset).alias("_aligned"), pl.col(grain).alias("_actual"),
        ).drop(grain).rename({"_aligned": grain}).filter(   # laid by whole weeks: some fall outside
            pl.col(grain).cast(pl.Date).is_between(p.start, p.end))
    compare_name = view.compare_name or "Jämförelseperiod"
    per = f"per {GRAIN_NAMES.get(grain, dimension_label(grain).lower())}"
    title = f"{label(metric_id)} {per}" if title is None else title.format(per=per)
    x_title = dimension_label(grain)
    if shown_view.period != view.period:  # the axis names the whole weeks (months) drawn
        p = shown_view.period
        x_title += f" (hela {'veckor' if grain == 'week' else 'månader'}, {format_period(p.start, p.end)})"
    gaps = [v is None for v in values]
    hidden = list(hidden_mask(now, metric_col(metric_id)))
    compare_hidden = [] if comparison is None else list(hidden_mask(comparison, metric_col(metric_id)))
    if too_gappy_to_draw(gaps):  # mostly gaps: say why in words, draw no scattered dots
        fig = empty_figure(title, gap_message(per, label(metric_id), gaps, hidden, compare_hidden))
    else:
        fig = time_series(frame, x=grain, y=metric_id, title=title, unit=m.unit, y_title=label(metric_id),
                          x_title=x_title, comparison=comparison,
                          comparison_label=compare_name,
                          comparison_x_actual="_actual", incidents=incidents,
                          subtitle=gap_note(gaps, hidden, compare_hidden))
    table = TableData(title, now, (dim_col(grain), metric_col(metric_id)), threshold())
    if comparison is not None:   # the table and its downloads carry the dashed line's points too
        c = shown_view.compare
        table = with_comparison(table, comparison, on=grain, actual="_actual", name=compare_name,
                                period=(c.start, c.end))
    chart_block(fig, table, key=key, metric_ids=[metric_id],
                fit=HALF_FIT_PX if half_page else GRID_FIT_PX)


def heatmap(view: View, metric_id: str, *, key: str, title: str | None = None,
            channels: tuple[str, ...] = ()) -> None:
    """Weekday × hour; the grid spans the opening hours of `channels` (those chosen among them).

    Per hour, two or four hours: the finest bin that is not mostly hidden (dashboard.periods'
    hour-bin rule), each bin's cells published by privacy at that grain; a given `title` names
    the bin where it says "{bin}" ("timme", "2-timmarsintervall").

    A click on a cell filters the view to its weekday and hour(s) (dashboard.ui.drill.on_cell);
    the heatmap itself keeps the whole week, the chosen cell outlined, so it stays the way to choose."""
    chosen = tuple(c for c in view.state.channels if not channels or c in channels) or channels
    col = metric_col(metric_id)
    frames = {}

    def hidden_at(span: int) -> list[bool]:
        frames[span] = metrics(view.whole_week(), [metric_id], by=["weekday", HOUR_BINS[span]])
        return cells_hidden(frames[span], col)

    span = choose_hour_bin(hidden_at)
    frame, dim = frames[span], HOUR_BINS[span]
    shown = with_hidden_flag(frame, col)
    title = (title or f"{label(metric_id)} per veckodag och {{bin}}").format(bin=HOUR_BIN_NAMES[span])
    fig = weekday_hour_heatmap(shown, value=metric_id, title=title, unit=REGISTRY[metric_id].unit,
                               value_label=label(metric_id), hour=dim, hidden=HIDDEN_FLAG,
                               opening_hours=data.opening_hours(chosen), clickable=True,
                               selected=view.cells, span=span)
    table = TableData(title, frame, (dim_col("weekday"), dim_col(dim), col), threshold(),
                      totals=HEATMAP_TOTALS)
    chart_block(fig, table, key=key, metric_ids=[metric_id], on_select=drill.on_cell(f"fig_{key}"),
                click_hint=CELL_HINT)


# A heatmap's rows and columns add up to sums published elsewhere (the weekday and hour breakdowns,
# the key figures): its complementary cells are explained along them.
HEATMAP_TOTALS = "per veckodag (rad) och per tid på dagen (kolumn)"
CELL_HINT = "Klicka på en ruta för att filtrera sidan på den veckodagen och tiden (timmen eller timmarna)."


def ranked(view: View, metric_id: str, by: str, *, key: str, top: int = 15, title: str | None = None,
           with_city: bool = True, extra: Sequence[str] = (), choice: str | None = None) -> pl.DataFrame:
    """Groups of `by` ranked by the metric, the whole view's value as a reference line; a
    breakdown the pack publishes as one table is fetched as the pack does (pack_sections.table_set).

    A click on a bar filters the view to it (dashboard.ui.drill), or sets the page choice `choice`."""
    ids = [metric_id, *extra]
    frame = metrics(view, list(table_set(ids, by)), by=[by])  # the pack's table's cells
    shown = with_hidden_flag(frame, metric_col(metric_id))
    labels = {v: label_for(by, v) for v in frame[by].to_list()}
    total = metrics(view, [metric_id]) if with_city else None
    reference, hidden = _single(total, metric_id)
    m = REGISTRY[metric_id]
    title = title or f"{label(metric_id)} per {dimension_label(by).lower()}"
    fig = ranked_bars(shown, label=by, value=metric_id, title=title, unit=m.unit,
                      value_title=label(metric_id), top=top, labels=labels, hidden=HIDDEN_FLAG,
                      reference=None if (hidden or m.unit == "count") else reference,
                      reference_label=view.whole_name)
    cols = (dim_col(by), metric_col(metric_id), *(metric_col(e) for e in extra))
    select = drill.on_choice(f"fig_{key}", choice) if choice else drill.on_bar(f"fig_{key}", by)
    chart_block(fig, TableData(title, frame, cols, threshold()), key=key, metric_ids=ids,
                on_select=select, drawn=ranked_rows(frame, metric_id, top))
    return frame


def single_value(view: View, metric_id: str) -> float | None:
    """The metric over the whole view, or None when it is hidden."""
    value, hidden = _single(metrics(view, [metric_id]), metric_id)
    return None if hidden else value


def intervals(frame: pl.DataFrame, *, label: str, value: str, low: str, high: str, unit: str,
              key: str, title: str, metric_id: str, extra: Sequence[tuple[str, str, str]] = ()) -> None:
    """Ranked bars with 95 % interval whiskers, for an engine frame that carries its intervals."""
    labels = {v: label_for(label, v) for v in frame[label].to_list()}
    fig = ranked_bars(with_hidden_flag(frame, Col(value, value, unit)), label=label, value=value,
                      title=title, unit=unit, value_title=REGISTRY[metric_id].label_for(data.settings()),
                      low=low, high=high, labels=labels, hidden=HIDDEN_FLAG)
    cols = (dim_col(label), Col(value, REGISTRY[metric_id].label_for(data.settings()), unit),
            Col(low, "95 % intervall, nedre", unit), Col(high, "95 % intervall, övre", unit),
            *(Col(k, t, u) for k, t, u in extra))
    chart_block(fig, TableData(title, frame, cols, threshold()), key=key, metric_ids=[metric_id])
