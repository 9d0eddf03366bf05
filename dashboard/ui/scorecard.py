"""The Förvaltning page's parts: the engine's scorecard as a table, its failure-demand drivers,
and all departments side by side when none is chosen."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard import domain
from dashboard.charts import ranked_bars
from dashboard.formatting import MISSING, format_delta, format_value
from dashboard.ui import blocks
from dashboard.ui.engine import CITY, metrics
from dashboard.ui.figure import chart_block, table_block
from dashboard.view import View
from dashboard.ui.kpi import judgement
from dashboard.ui.tables import Col, TableData, hidden_text

TEXT_COLUMNS = ("metric_label", "current", "previous_text", "change_text", "city_text")


def _text(unit: str, value, hidden: bool, reason: str | None = None) -> str:
    return hidden_text(Col("", "", unit), blocks.threshold(), reason) if hidden else format_value(value, unit)


def card_rows(card) -> pl.DataFrame:
    """One text row per metric; the flags come from the same rule the pack uses (hide_scorecard)."""
    rows = []
    for r in card.metrics.iter_rows(named=True):
        mid, unit = r["metric"], r["unit"]
        now_hidden, before_hidden = r["value_suppressed"], r["previous_suppressed"]
        change = None
        if card.comparison is not None and not (now_hidden or before_hidden):
            change = format_delta(r["value"], r["previous"], unit)
        verdict = judgement(mid, r["value"], r["previous"], change) if change else None
        rows.append({
            "metric_label": r["label"],
            "current": _text(unit, r["value"], now_hidden, r.get("value_reason")),
            "previous_text": (_text(unit, r["previous"], before_hidden, r.get("previous_reason"))
                              if card.comparison else MISSING),
            "change_text": f"{change} ({verdict})" if change and verdict else (change or MISSING),
            "city_text": _text(unit, r["city"], r["city_suppressed"], r.get("city_reason")),
        })
    return pl.DataFrame(rows, schema={c: pl.String for c in TEXT_COLUMNS})


def card(card, view: View, *, key: str) -> None:
    cols = (Col("metric_label", "Mått"), Col("current", "Perioden"), Col("previous_text", "Jämförelseperioden"),
            Col("change_text", "Förändring"), Col("city_text", "Hela staden"))
    table_block(TableData(f"Resultatkort för {view.who}", card_rows(card), cols, blocks.threshold()),
                key=key, metric_ids=card.metrics["metric"].to_list(),
                caption="Andelar jämförs i procentenheter, antal och belopp i procent.")


def drivers(card, *, key: str) -> None:
    """The five largest tagged sources of failure demand (topic and reason)."""
    tagged = card.drivers.filter(~pl.col("inferred"))
    title = "De fem största källorna till onödig efterfrågan"
    labels = [f"{t} – {domain.FAILURE_REASONS.get(r, 'utan orsak')}" for t, r in
              zip(tagged["topic"].to_list(), tagged["reason"].to_list())]
    frame = tagged.with_columns(pl.Series("driver", labels, dtype=pl.String))
    shown = frame.with_columns(pl.Series("failures", blocks.visible(frame, "failures", unit="count"),
                                         dtype=pl.Float64))
    fig = ranked_bars(shown, label="driver", value="failures", title=title, unit="count",
                      value_title="Kontakter med onödig efterfrågan", top=5)
    cols = (Col("rank", "Plats", "integer"), Col("topic", "Ärendekategori"),
            Col("reason", "Orsak", None, dimension="failure_reason"),
            Col("failures", "Kontakter", "count"),
            Col("share_of_failure", "Andel av onödig efterfrågan", "share"),
            Col("previous_failures", "Jämförelseperioden", "count"))
    chart_block(fig, TableData(title, frame, cols, blocks.threshold()), key=key,
                metric_ids=["failure_demand_share"])


def all_departments(view: View, metric_ids: Sequence[str], *, key: str) -> None:
    frame = metrics(view, metric_ids, by=["department"], scope=CITY)
    cols = (blocks.dim_col("department"), *(blocks.metric_col(m) for m in metric_ids))
    table_block(TableData("Alla förvaltningar", frame, cols, blocks.threshold()), key=key,
                metric_ids=metric_ids)
