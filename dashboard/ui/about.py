"""The 'Om data' page's parts: the registry as a table, the data contract, the ingest log."""

from __future__ import annotations


import polars as pl
import streamlit as st

from dashboard.metrics.metric import AREAS, UNITS
from dashboard.metrics.registry import REGISTRY
from dashboard.shipped import shipped
from dashboard.ui import data
from dashboard.ui.download import download
from dashboard.ui.figure import table_block
from dashboard.ui.tables import Col, TableData

DOCS = shipped("docs")
DIRECTION = {True: "Högre är bättre", False: "Lägre är bättre", None: "Ingen riktning"}


def registry_frame() -> pl.DataFrame:
    s = data.settings()
    rows = [{
        "area": AREAS.get(m.area, m.area), "id": m.id, "label": m.label_for(s),
        "definition": m.definition_for(s), "unit": UNITS.get(m.unit, m.unit),
        "direction": DIRECTION[m.higher_is_better], "min_n": m.min_n_for(s), "source": m.source,
    } for m in REGISTRY.values()]
    return pl.DataFrame(rows)


def registry_table() -> None:
    """Every metric, grouped by plan area, as readable text; the whole registry downloads as a table."""
    frame = registry_frame()
    for area in frame["area"].unique(maintain_order=True).to_list():
        rows = frame.filter(pl.col("area") == area)
        with st.expander(f"{area} ({rows.height} mått)"):
            st.markdown("\n\n".join(
                f"**{r['label']}** (id {r['id']}): {r['definition']}  \n"
                f"Enhet: {r['unit']}. {r['direction']}. Osäker under {r['min_n']}. "
                f"Källa: {r['source']}."
                for r in rows.iter_rows(named=True)))
    cols = (Col("area", "Planområde"), Col("label", "Mått"), Col("id", "Id"), Col("definition", "Definition"),
            Col("unit", "Enhet"), Col("direction", "Riktning"), Col("min_n", "Osäker under (antal)"),
            Col("source", "Källa"))
    with st.popover("Ladda ner registret", icon=":material/download:"):
        download(TableData("Måttregistret", frame, cols, data.settings().small_cell_threshold),
                 key="about_registry")


def data_contract() -> None:
    path = DOCS / "data-contract.md"
    if path.is_file():
        st.markdown(path.read_text(encoding="utf-8"))
    else:
        st.info("Datakontraktet (docs/data-contract.md) finns inte i den här installationen.")


def _ingest_log(cur) -> pl.DataFrame:
    return cur.sql(
        "select ingest_id, source_system, file_name, profile, rows_read, rows_landed, "
        "rows_quarantined, rows_duplicate, rows_skipped, key_fingerprint, finished_at from ingest_log order by ingest_id desc"
    ).pl()


def ingest_log() -> None:
    frame = data.cached("ingest_log", _ingest_log)
    cols = (Col("ingest_id", "Nr"), Col("source_system", "Källsystem"), Col("file_name", "Fil"),
            Col("profile", "Profil"), Col("rows_read", "Lästa rader", "integer"),
            Col("rows_landed", "Inlästa", "integer"), Col("rows_quarantined", "I karantän", "integer"),
            Col("rows_duplicate", "Dubbletter", "integer"), Col("rows_skipped", "Överhoppade (skip)", "integer"),
            Col("key_fingerprint", "Nyckel-id"), Col("finished_at", "Klar (UTC)"))
    table_block(TableData("Inläsningar", frame, cols, data.settings().small_cell_threshold),
                key="about_ingest",
                caption="Rader i karantän hölls tillbaka av valideringen; se `kontaktcenter ingest`.")
