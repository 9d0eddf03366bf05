"""The 'Om data' page's parts: the registry as a table, the data contract, the ingest log."""

from __future__ import annotations


import polars as pl
import streamlit as st

from dashboard.metrics.metric import AREAS, UNITS
from dashboard.metrics.registry import REGISTRY
from dashboard.ui import data
from dashboard.ui.download import download
from dashboard.ui.figure import table_block
from dashboard.ui.tables import Col, TableData

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


# The contacts table's columns in Swedish, for the Datakontraktet tab; a test checks that every
# column of the contract (dashboard/store/contract.py) has one, so the tab cannot fall behind.
CONTRACT_COLUMNS_SV: dict[str, tuple[str, str]] = {
    "source_system": ("Källsystem", "Systemet raden kom från; tillsammans med kontakt-id radens nyckel."),
    "contact_id": ("Kontakt-id", "Källans id som nyckelbaserad pseudonym (aldrig källans eget id)."),
    "started_at": ("Start", "När kontakten började, i UTC (källornas svenska tid räknas om vid inläsning)."),
    "channel": ("Kanal", "Telefon, e-post, chatt, e-tjänst, besök, sociala medier eller uppsökande verksamhet."),
    "department": ("Förvaltning", "Förvaltningen som äger ärendet; tom tills den är känd."),
    "topic": ("Ärendekategori", "Ärendets kategori, ett namn ur listan över ärendekategorier."),
    "city_area": ("Stadsdel eller stadsområde", "Invånarens stadsdel, eller stadsområde när bara det är känt."),
    "service_point": ("Servicepunkt", "Den lokala servicepunkten, för besök och uppsökande verksamhet."),
    "customer_type": ("Kundtyp", "Invånare, företag, förening, besökare eller annan."),
    "language": ("Språk", "Kontaktens språk, som språkkod (sv, ar, fi …)."),
    "interpreter": ("Tolk", "Om tolk behövdes (ja/nej)."),
    "queue_s": ("Kötid (sekunder)", "Väntan före svar eller avbrott; telefon och chatt."),
    "answered": ("Besvarad", "Om en handläggare svarade (ja/nej); telefon och chatt."),
    "abandoned": ("Avbruten", "Om invånaren lämnade kön före svar (ja/nej)."),
    "callback_requested": ("Återuppringning begärd", "Om invånaren bad om att bli uppringd i stället för att vänta."),
    "handle_s": ("Hanteringstid (sekunder)", "Samtal, parkering och efterarbete för en hanterad kontakt."),
    "first_response_s": ("Tid till första svar (sekunder)", "Från ankomst till första svaret; skriftliga kanaler."),
    "outcome": ("Utfall", "Löst av kontaktcenter, överlämnat till förvaltning, hänvisat utanför staden, återuppringning eller okänt."),
    "demand_type": ("Typ av efterfrågan", "Värdeskapande eller onödig efterfrågan; tom när den inte är taggad."),
    "failure_reason": ("Orsak till onödig efterfrågan", "Bara när efterfrågan är onödig, t.ex. frågar efter status i ärende."),
    "caller_key": ("Person-nyckel", "Pseudonym för personen (HMAC med en nyckel utanför databasen), aldrig en identitet."),
    "satisfaction": ("Nöjdhet", "Enkätsvar 1–5; kan saknas."),
    "note": ("Anteckning", "Fritext efter att personnummer, telefonnummer, e-post och gatuadresser tagits bort."),
    "ingest_id": ("Inläsning", "Den inläsning som skrev raden (se fliken Inläsningar)."),
}
TYPES_SV = {"VARCHAR": "text", "TIMESTAMP": "tidpunkt", "BOOLEAN": "ja/nej", "INTEGER": "heltal",
            "BIGINT": "heltal", "TINYINT": "heltal"}


def contract_frame() -> pl.DataFrame:
    from dashboard.store.contract import CONTACT_COLUMN_TYPES

    return pl.DataFrame([{
        "column": column, "name": CONTRACT_COLUMNS_SV[column][0],
        "type": TYPES_SV.get(kind, kind.lower()), "meaning": CONTRACT_COLUMNS_SV[column][1],
    } for column, kind in CONTACT_COLUMN_TYPES.items()])


def data_contract() -> None:
    """The data contract in Swedish: one row per contact, its fields, and the coded values' labels
    (docs/data-contract.md is the full technical version, in English, for developers)."""
    st.subheader("En rad per kontakt")
    st.markdown("Alla källor (telefoni, e-post och ärendesystem, chatt, e-tjänster, besöksregister) "
                "läses in till en och samma tabell, `contacts`, med en rad per kontakt. Koder är "
                "engelska i databasen och visas med svenska namn; namn på förvaltningar, "
                "ärendekategorier, stadsdelar och servicepunkter är de svenska namnen själva.")
    cols = (Col("name", "Fält"), Col("column", "Kolumn i databasen"), Col("type", "Typ"),
            Col("meaning", "Betydelse"))
    table_block(TableData("Fälten i kontakttabellen", contract_frame(), cols,
                          data.settings().small_cell_threshold),
                key="about_contract", static=True,
                caption="Den fullständiga tekniska beskrivningen (på engelska) finns i "
                        "docs/data-contract.md.")


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
