"""Översikt's "what changed" and "where to look" blocks: biggest changes, service gaps, incidents,
equity flags. Figures come from the engine; this only ranks and draws them."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import privacy
from dashboard.privacy import as_markdown
from dashboard.charts import ranked_bars
from dashboard.domain import dimension_label, label_for, rest_of_selection
from dashboard.formatting import format_date_short, format_int, format_percent
from dashboard.metrics.registry import REGISTRY
from dashboard.ui import blocks, data, drill
from dashboard.ui.engine import COMPARE, for_view, metrics
from dashboard.ui.figure import chart_block, table_block
from dashboard.view import SELECTION, View
from dashboard.ui.tables import (HIDDEN_FLAG, Col, TableData, hidden_text, period_label,
                                 with_hidden_flag)

LEDGER_IDS = ("contacts", "forwarded", "forwarded_rate", "repeat_rate", "resolved_rate")


def biggest_changes(view: View, metric_id: str, by: str, *, key: str, top: int = 8) -> None:
    """Groups whose count moved most against the comparison period (both periods from the engine)."""
    title = f"Största förändringar per {dimension_label(by).lower()}"
    if view.compare is None:
        st.info("Välj en jämförelse i filterpanelen för att se vad som har förändrats.")
        return
    now = metrics(view, [metric_id], by=[by])
    before = metrics(view, [metric_id], by=[by], scope=COMPARE)
    prev = f"{metric_id}_before"
    joined = privacy.period_changes(now, before, metric_id, by)
    ranked = joined.sort(pl.col("change").abs(), descending=True, nulls_last=True).head(top)
    labels = {v: label_for(by, v) for v in ranked[by].to_list()}
    unit = REGISTRY[metric_id].unit
    fig = ranked_bars(with_hidden_flag(ranked, Col("change", "Förändring", unit)), label=by,
                      value="change", title=title, unit="count", hidden=HIDDEN_FLAG,
                      value_title=f"Förändring i {blocks.label(metric_id).lower()}", labels=labels, top=top)
    what = blocks.label(metric_id)
    cols = (blocks.dim_col(by),
            Col(metric_id, period_label(what, "Vald period", (view.period.start, view.period.end)), unit),
            Col(prev, period_label(what, view.compare_name, (view.compare.start, view.compare.end)), unit),
            Col("change", "Förändring", unit))
    chart_block(fig, TableData(title, ranked, cols, blocks.threshold()), key=key, metric_ids=[metric_id],
                caption="Positiva staplar: fler än i jämförelseperioden; negativa: färre.",
                on_select=drill.on_bar(f"fig_{key}", by))


def top_service_gaps(view: View, *, key: str, top: int = 5) -> None:
    """The service-gap ledger's top rows: topics kontaktcenter forwards most."""
    ledger = for_view(privacy.SERVICE_GAP_LEDGER, view, top=top)
    value = "forwarded" if "forwarded" in ledger.columns else "forwarded_rate"
    title = "Mest överlämnade ärendekategorier"
    labels = {t: f"{t} ({d})" if d and not view.department else t
              for t, d in zip(ledger["topic"].to_list(), ledger["department"].to_list())}
    shown = with_hidden_flag(ledger, blocks.metric_col(value))
    fig = ranked_bars(shown, label="topic", value=value, title=title, unit=REGISTRY[value].unit,
                      value_title=blocks.label(value), top=top, labels=labels, hidden=HIDDEN_FLAG)
    cols = tuple(c for c in (blocks.dim_col("department"), blocks.dim_col("topic"),
                             *(blocks.metric_col(m) for m in LEDGER_IDS)) if c.key in ledger.columns)
    chart_block(fig, TableData(title, ledger, cols, blocks.threshold()), key=key,
                metric_ids=[m for m in LEDGER_IDS if m in ledger.columns],
                on_select=drill.on_bar(f"fig_{key}", "topic"))


def show_ledger(frame: pl.DataFrame, *, key: str, one_department: bool = False) -> None:
    """The ledger; for one förvaltning without its (repeated) name column."""
    title = "Serviceglappsregistret: ärendekategorier per förvaltning"
    cols = tuple(c for c in (Col("rank", "Plats", "integer"),
                             *(() if one_department else (blocks.dim_col("department"),)),
                             blocks.dim_col("topic"), *(blocks.metric_col(m) for m in LEDGER_IDS))
                 if c.key in frame.columns)
    table_block(TableData(title, frame, cols, blocks.threshold()), key=key,
                metric_ids=[m for m in LEDGER_IDS if m in frame.columns],
                caption="Rangordnat efter antal överlämnade, sedan efter andel återkommande kontakter.")


def show_equity(frame: pl.DataFrame, dimension: str, metric_id: str, *, key: str, city: float | None,
                department: str | None) -> None:
    """One metric's groups with 95 % intervals; ▲ marks a difference that is clear and material.
    `department`: the förvaltning in view (its groups are compared with the rest of it)."""
    rest = rest_of_selection(department)
    # the difference between the group's share and the rest's, in percentage points (the pack's)
    rows = frame.filter(pl.col("metric") == metric_id).with_columns(
        (pl.col("difference") * 100).alias("difference_points"))
    title = f"{blocks.label(metric_id)} per {dimension_label(dimension).lower()}"
    labels = {g: label_for(dimension, g) for g in rows["group"].to_list()}
    fig = ranked_bars(rows, label="group", value="rate", title=title, unit="share",
                      value_title=blocks.label(metric_id), low="rate_lo", high="rate_hi", flag="flagged",
                      labels=labels, reference=city, reference_label=SELECTION, top=30)
    cols = (Col("group", dimension_label(dimension), None, dimension=dimension),
            Col("rate", "Andel", "share"), Col("rate_lo", "95 % intervall, nedre", "share"),
            Col("rate_hi", "95 % intervall, övre", "share"), Col("rest_rate", rest.capitalize(), "share"),
            Col("difference_points", "Skillnad", "points"),
            Col("trials", "Underlag (kontakter)", "count"), Col("flagged", "Flaggad", None, dimension="flag"))
    chart_block(fig, TableData(title, rows, cols, blocks.threshold()), key=key, metric_ids=[metric_id],
                on_select=drill.on_bar(f"fig_{key}", dimension),
                caption=f"▲ = skillnaden mot {rest} är både statistiskt tydlig (95 % intervall, "
                        "justerat för antal jämförelser) och tillräckligt stor för att spela roll. "
                        + equity_minimum_note(metric_id))


def equity_minimum_note(metric_id: str) -> str:
    """Why a group can be missing from a comparison (dashboard.privacy.rules.equity)."""
    minimum = REGISTRY[metric_id].min_n_for(data.settings())
    return (f"Grupper med färre än {format_int(minimum)} kontakter i underlaget visas inte: för "
            "få för en säker jämförelse.")


def incident_periods(view: View) -> pl.DataFrame | None:
    """Flagged incident periods in the view (start, end, label) for marking trend charts."""
    frame = for_view(privacy.INCIDENTS, view)
    if frame is None or frame.is_empty():
        return None
    labels = [" · ".join(str(r.get(c)) for c in ("city_area", "topic") if r.get(c))
              for r in frame.iter_rows(named=True)]
    return frame.select("start", "end").with_columns(label=pl.Series(labels))


def incident_list(view: View, *, key: str) -> None:
    st.markdown("**Oönskade händelser (ovanligt många kontakter)**")
    frame = for_view(privacy.INCIDENTS, view)
    if frame is None or frame.is_empty():
        st.success("Inga perioder med ovanligt många kontakter i perioden.")
        return
    for r in frame.head(5).iter_rows(named=True):
        where = as_markdown(", ".join(str(r[c]) for c in ("city_area", "topic") if r.get(c)))
        st.markdown(f"- **{where}**: {format_date_short(r['start'])}–{format_date_short(r['end'])}, "
                    f"{_count(r, 'contacts')} kontakter mot väntat {_count(r, 'expected')}")
    cols = tuple(c for c in (blocks.dim_col("city_area"), blocks.dim_col("topic"),
                             Col("start", "Start"), Col("end", "Slut"),
                             Col("contacts", "Kontakter", "count"), Col("expected", "Väntat", "count"))
                 if c.key in frame.columns)
    from dashboard.ui.download import download  # late: download reads the current view
    with st.popover("Ladda ner", icon=":material/download:"):
        download(TableData("Oönskade händelser", frame, cols, blocks.threshold()), key=key)


def _count(row: dict, key: str) -> str:
    if row.get(f"{key}__suppressed"):
        return hidden_text(Col(key, key, "count"), blocks.threshold(), row.get(f"{key}__reason"))
    return format_int(row[key])


def equity_flags(view: View, *, key: str) -> None:
    st.markdown("**Skillnader mellan grupper (likvärdig service)**")
    frame = for_view(privacy.EQUITY, view)
    flagged = frame.filter(pl.col("flagged")) if frame is not None else None
    if flagged is None or flagged.is_empty():
        st.success("Inga tydliga och betydande skillnader mellan grupper i perioden.")
        return
    rest = rest_of_selection(view.department)
    for r in flagged.sort(pl.col("difference").abs(), descending=True).head(5).iter_rows(named=True):
        dim = r["dimension"]
        st.markdown(f"- **{as_markdown(label_for(dim, r['group']))}** ({dimension_label(dim).lower()}): "
                    f"{r['label'].lower()} {format_percent(r['rate'])} mot "
                    f"{format_percent(r['rest_rate'])} i {rest}")
    cols = (Col("label", "Mått"), Col("dimension", "Dimension"), Col("group", "Grupp"),
            Col("rate", "Andel", "share"), Col("rest_rate", rest.capitalize(), "share"),
            Col("difference", "Skillnad", "share"), Col("trials", "Underlag", "count"))
    from dashboard.ui.download import download  # late: download reads the current view
    with st.popover("Ladda ner", icon=":material/download:"):
        download(TableData("Flaggade skillnader mellan grupper", flagged, cols, blocks.threshold()), key=key)
