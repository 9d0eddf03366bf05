"""The Förvaltning page's parts: the engine's scorecard as a table, its failure-demand drivers,
and all departments side by side when none is chosen."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard import domain
from dashboard.charts import ranked_bars, ranked_rows
from dashboard.export.pack_tables import key_figures_table, scorecard_title
from dashboard.ui import blocks, data
from dashboard.ui.engine import CITY, metrics
from dashboard.ui.figure import chart_block, export_block, table_block
from dashboard.view import View
from dashboard.ui.tables import HIDDEN_FLAG, Col, TableData, with_hidden_flag

def card(card, view: View, *, key: str) -> None:
    """The scorecard as the pack prints it (export.pack_tables.key_figures_table: one table for
    both), drawn in Swedish formats; its download keeps the numbers as numbers."""
    table = key_figures_table(scorecard_title(view.department), card.metrics, data.settings(),
                              with_city=view.department is not None,
                              with_comparison=card.comparison is not None)
    export_block(table, key=key, metric_ids=card.metrics["metric"].to_list(),
                 caption="Andelar jämförs i procentenheter, index i indexenheter, tider i "
                         "sekunder, antal och belopp i procent.")


def drivers(card, *, key: str) -> None:
    """The five largest tagged sources of failure demand (topic and reason)."""
    tagged = card.drivers.filter(~pl.col("inferred"))
    title = "De fem största källorna till onödig efterfrågan"
    labels = [f"{t} – {domain.label_for('failure_reason', r)}" for t, r in
              zip(tagged["topic"].to_list(), tagged["reason"].to_list())]
    frame = tagged.with_columns(pl.Series("driver", labels, dtype=pl.String))
    shown = with_hidden_flag(frame, Col("failures", "Kontakter", "count"))
    fig = ranked_bars(shown, label="driver", value="failures", title=title, unit="count",
                      value_title="Kontakter med onödig efterfrågan", top=5, hidden=HIDDEN_FLAG)
    cols = (Col("rank", "Plats", "integer"), Col("topic", "Ärendekategori"),
            Col("reason", "Orsak", None, dimension="failure_reason"),
            Col("failures", "Kontakter", "count"),
            Col("share_of_failure", "Andel av onödig efterfrågan", "share"),
            Col("previous_failures", "Jämförelseperioden", "count"))
    chart_block(fig, TableData(title, frame, cols, blocks.threshold()), key=key,
                metric_ids=["failure_demand_share"], drawn=ranked_rows(shown, "failures", 5))


def all_departments(view: View, metric_ids: Sequence[str], *, key: str) -> None:
    frame = metrics(view, metric_ids, by=["department"], scope=CITY)
    cols = (blocks.dim_col("department"), *(blocks.metric_col(m) for m in metric_ids))
    table_block(TableData("Alla förvaltningar", frame, cols, blocks.threshold()), key=key,
                metric_ids=metric_ids)
