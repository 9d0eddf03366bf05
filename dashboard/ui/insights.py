"""Översikt's "what changed" and "where to look" blocks: biggest changes, service gaps, incidents,
equity flags. Figures come from the engine; this only ranks and draws them."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.charts import ranked_bars
from dashboard.formatting import format_date_short, format_int, format_number
from dashboard.metrics.registry import REGISTRY
from dashboard.ui import blocks
from dashboard.ui.engine import COMPARE, for_view, metrics, structured
from dashboard.ui.figure import chart_block, table_block
from dashboard.ui.filters import View
from dashboard.ui.labels import dimension_label, label_for
from dashboard.ui.tables import Col, TableData

PENDING = "Visas när metrikmotorn har stöd för det ({name})."


def biggest_changes(view: View, metric_id: str, by: str, *, key: str, top: int = 8) -> None:
    """Groups whose count moved most against the comparison period (both periods from the engine)."""
    title = f"Största förändringar per {dimension_label(by).lower()}"
    if view.compare is None:
        st.info("Välj en jämförelse i filterpanelen för att se vad som har förändrats.")
        return
    now = metrics(view, [metric_id], by=[by])
    before = metrics(view, [metric_id], by=[by], scope=COMPARE)
    joined = now.join(before, on=by, how="full", coalesce=True, suffix="_before").with_columns(
        pl.col(metric_id).fill_null(0), pl.col(f"{metric_id}_before").fill_null(0),
    )
    # Hide a change when either side is a small cell: the difference would reveal it.
    small = blocks.threshold()
    joined = joined.with_columns(
        change=pl.when((pl.col(metric_id).is_between(1, small - 1))
                       | (pl.col(f"{metric_id}_before").is_between(1, small - 1)))
        .then(None).otherwise(pl.col(metric_id) - pl.col(f"{metric_id}_before")),
    )
    ranked = joined.sort(pl.col("change").abs(), descending=True, nulls_last=True).head(top)
    labels = {v: label_for(by, v) for v in ranked[by].to_list()}
    fig = ranked_bars(ranked, label=by, value="change", title=title, unit="count",
                      value_title=f"Förändring i {blocks.label(metric_id).lower()}", labels=labels, top=top)
    unit = REGISTRY[metric_id].unit
    cols = (blocks.dim_col(by), Col(metric_id, "Perioden", unit),
            Col(f"{metric_id}_before", "Jämförelseperioden", unit), Col("change", "Förändring", unit))
    chart_block(fig, TableData(title, ranked, cols, small), key=key, metric_ids=[metric_id],
                caption="Positiva staplar: fler än i jämförelseperioden; negativa: färre.")


def top_service_gaps(view: View, *, key: str, top: int = 5) -> None:
    """Topics kontaktcenter forwards most (the service-gap ledger when the engine has it)."""
    ledger = structured("service_gap_ledger")
    if ledger is None:
        blocks.ranked(view, "forwarded_rate", "topic", key=key, top=top,
                      title="Ärendekategorier som oftast överlämnas")
        return
    frame = for_view("service_gap_ledger", view)
    show_ledger(frame, key=key, top=top)


def show_ledger(frame: pl.DataFrame, *, key: str, top: int | None = None) -> None:
    title = "Serviceglapp: ärendekategorier som överlämnas"
    rows = frame.head(top) if top else frame
    cols = tuple(c for c in (
        blocks.dim_col("department"), blocks.dim_col("topic"),
        Col("forwarded", "Överlämnade", "count"), Col("forwarded_rate", "Andel överlämnade", "share"),
        Col("repeat_rate", "Återkommande kontakter", "share"),
    ) if c.key in rows.columns)
    table_block(TableData(title, rows, cols, blocks.threshold()), key=key,
                metric_ids=["forwarded_rate", "repeat_rate"])


def incident_periods(view: View) -> pl.DataFrame | None:
    """Flagged incident periods in the view (start, end, label) for marking trend charts."""
    fn = structured("incidents")
    if fn is None:
        return None
    frame = for_view("incidents", view)
    if frame is None or frame.is_empty():
        return None
    labels = [" · ".join(str(r.get(c)) for c in ("city_area", "topic") if r.get(c))
              for r in frame.iter_rows(named=True)]
    return frame.select("start", "end").with_columns(label=pl.Series(labels))


def incident_list(view: View, *, key: str) -> None:
    fn = structured("incidents")
    st.markdown("**Oönskade händelser (ovanligt många kontakter)**")
    if fn is None:
        st.caption(PENDING.format(name="incidents"))
        return
    frame = for_view("incidents", view)
    if frame is None or frame.is_empty():
        st.success("Inga perioder med ovanligt många kontakter i perioden.")
        return
    for r in frame.head(5).iter_rows(named=True):
        where = ", ".join(str(r[c]) for c in ("city_area", "topic") if r.get(c))
        st.markdown(f"- **{where}**: {format_date_short(r['start'])}–{format_date_short(r['end'])}, "
                    f"{format_int(r['contacts'])} kontakter mot väntat {format_int(r['expected'])}")
    cols = tuple(c for c in (blocks.dim_col("city_area"), blocks.dim_col("topic"),
                             Col("start", "Start"), Col("end", "Slut"),
                             Col("contacts", "Kontakter", "count"), Col("expected", "Väntat", "count"))
                 if c.key in frame.columns)
    from dashboard.ui.download import download
    download(TableData("Oönskade händelser", frame, cols, blocks.threshold()), key=key)


def equity_flags(view: View, *, key: str) -> None:
    fn = structured("equity")
    st.markdown("**Skillnader mellan grupper (likvärdig service)**")
    if fn is None:
        st.caption(PENDING.format(name="equity"))
        return
    frame = for_view("equity", view)
    flagged = frame.filter(pl.col("flagged")) if frame is not None and "flagged" in frame.columns else None
    if flagged is None or flagged.is_empty():
        st.success("Inga tydliga och betydande skillnader mellan grupper i perioden.")
        return
    for r in flagged.head(5).iter_rows(named=True):
        metric = REGISTRY.get(r.get("metric_id", ""), None)
        what = metric.label if metric else r.get("metric_id", "")
        dim = r.get("dimension", "")
        st.markdown(f"- **{label_for(dim, r.get('group'))}** ({dimension_label(dim).lower()}): "
                    f"{what.lower()} {format_number((r.get('difference') or 0) * 100, 1, sign=True)} "
                    "procentenheter mot resten av staden")
