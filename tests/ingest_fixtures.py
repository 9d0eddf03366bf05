"""Write Swedish-style contact-centre export files for ingest tests and the benchmark.

Everything is synthetic and obviously fake, yet valid in form: phone numbers from the ranges
PTS reserves for fiction (070-174 06 xx, 040-628 04 xx), e-mail addresses at example.com,
personnummer with Skatteverket's test serials (980-999) and a correct Luhn digit. Generation is
vectorised (numpy + Polars), so a million rows take about a second.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

FICTION_PHONES = [f"070-174 06 {i:02d}" for i in range(5, 100)] + [f"040-628 04 {i:02d}" for i in range(0, 100)]
FIRST = ["Anna", "Erik", "Fatima", "Mohammed", "Karin", "Lars", "Zeynep", "Jovana", "Piotr", "Aino"]
LAST = ["Andersson", "Testsson", "Exempelsson", "Provsson", "Fiktivsson", "Låtsasdotter"]
QUEUES = ["Bygglov", "Parkering", "Förskoleplats", "Snöröjning", "Ekonomiskt bistånd", "Avfall", "Felanmälan gata"]
DEPARTMENTS = ["Stadsbyggnadskontoret", "Fastighets- och gatukontoret", "Förskoleförvaltningen",
               "Arbetsmarknads- och socialförvaltningen", "Miljöförvaltningen"]
AREAS = ["Limhamn-Bunkeflo", "Hyllie", "Västra Innerstaden", "Södra Innerstaden", "Centrum", "Kirseberg",
         "Fosie", "Oxie", "Rosengård", "Husie"]
LANGUAGES = ["svenska", "arabiska", "engelska", "bosniska", "polska", "finska"]
OUTCOMES = ["LÖST", "ÖVL", "HÄNV", "ÅTER"]
OUTCOME_MAP = {"LÖST": "resolved", "ÖVL": "forwarded", "HÄNV": "referred", "ÅTER": "callback"}
# The test profiles' [values.topic]: queue names -> the city's topics (dashboard/reference.py).
QUEUE_TOPICS = {"Bygglov": "Bygglov och anmälan", "Parkering": "Parkering och parkeringstillstånd",
                "Förskoleplats": "Ansökan om förskoleplats", "Snöröjning": "Snöröjning och halkbekämpning",
                "Ekonomiskt bistånd": "Ekonomiskt bistånd", "Avfall": "Vatten, avlopp och avfall (VA SYD)",
                "Felanmälan gata": "Felanmälan gata, park och trafik"}
QUEUE_TOPICS_TOML = "[values.topic]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in QUEUE_TOPICS.items())
STREETS = ["Storgatan 12", "Södra Förstadsgatan 4B", "Amiralsgatan 20", "Lantmannagatan 7"]


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def test_personnummer(i: int) -> str:
    """A valid-form personnummer with a test serial (980-999): YYYYMMDD-NNNC."""
    year, month, day = 1940 + i % 60, 1 + i % 12, 1 + i % 28
    serial = f"{980 + i % 20}"
    yymmdd = f"{year % 100:02d}{month:02d}{day:02d}"
    return f"{year}{month:02d}{day:02d}-{serial}{luhn_digit(yymmdd + serial)}"


PERSONNUMMER = [test_personnummer(i) for i in range(40)]
EMAILS = [f"{f.lower()}.{l.lower().replace('å', 'a')}@example.com" for f in FIRST for l in LAST[:2]]
NAMES = [f"{f} {l}" for f in FIRST for l in LAST]
AGENTS = ["Agent Agda Handläggarsson", "Agent Bertil Svararsson", "Agent Cecilia Köman"]

# Notes: prefix + identifier + suffix; the kind says which identifier list fills the middle.
NOTE_TEMPLATES = [
    ("Ringde om bygglov för altan, vill bli uppringd på ", "phone", " efter lunch."),
    ("Frågade om status i ärendet, skickar svar till ", "email", "."),
    ("Invånaren uppgav personnummer ", "pnr", " och ville ha besked om bistånd."),
    ("Snö ligger kvar utanför ", "street", ", ingen har plogat."),
    ("Kopplad till förskoleförvaltningen om plats i höst, inget mer.", None, ""),
    ("Frågade om parkeringstillstånd, hänvisades till e-tjänsten.", None, ""),
]


class _Draw:
    """Vectorised random picks as Polars Series (a million rows in well under a second)."""

    def __init__(self, n: int, seed: int):
        self.n, self.rng = n, np.random.default_rng(seed)

    def pick(self, values: list[str]) -> pl.Series:
        return pl.Series(values, dtype=pl.String).gather(self.rng.integers(0, len(values), self.n))

    def chance(self, p: float) -> pl.Series:
        return pl.Series(self.rng.random(self.n) < p)

    def ints(self, low: int, high: int) -> pl.Series:
        return pl.Series(self.rng.integers(low, high, self.n))

    def started(self, start: dt.datetime, days: int) -> pl.Series:
        minutes = np.sort(self.rng.integers(0, 60 * 24 * days, self.n))
        return pl.lit(start, dtype=pl.Datetime("us")) + pl.duration(minutes=pl.Series(minutes))

    def notes(self) -> pl.Series:
        """Swedish notes, most embedding a fake identifier (phone, e-mail, personnummer, street)."""
        kinds = self.rng.integers(0, len(NOTE_TEMPLATES), self.n)
        fills = {"phone": FICTION_PHONES, "email": EMAILS, "pnr": PERSONNUMMER, "street": STREETS}
        frame = pl.DataFrame({"k": kinds})
        middle = pl.lit("")
        for k, (_, kind, _) in enumerate(NOTE_TEMPLATES):
            if kind:
                middle = pl.when(pl.col("k") == k).then(self.pick(fills[kind])).otherwise(middle)
        prefix = pl.Series([t[0] for t in NOTE_TEMPLATES]).gather(kinds)
        suffix = pl.Series([t[2] for t in NOTE_TEMPLATES]).gather(kinds)
        return frame.select(pl.concat_str(prefix, middle, suffix)).to_series()


def _ids(prefix: str, n: int, width: int) -> pl.Expr:
    return pl.lit(prefix) + pl.int_range(0, n).cast(pl.String).str.zfill(width)


def telephony_frame(n: int, seed: int = 7, start: dt.datetime = dt.datetime(2024, 3, 4, 8, 0)) -> pl.DataFrame:
    """n rows of a telephony export as text columns with Swedish headers and formats."""
    d = _Draw(n, seed)
    answered = d.chance(0.85)
    queue = d.ints(0, 900)
    empty_sat = d.chance(0.6)
    with_pnr = d.chance(0.3)
    started = d.started(start, 60)
    columns = {
        "Samtals-ID": _ids(f"S{seed:02d}-", n, 7),
        "Datum": started.dt.strftime("%Y-%m-%d"),
        "Tid": started.dt.strftime("%H:%M:%S"),
        "Kö": d.pick(QUEUES),
        "Förvaltning": d.pick(DEPARTMENTS),
        "Stadsdel": d.pick(AREAS),
        "Språk": d.pick(LANGUAGES),
        "Tolk": pl.when(d.chance(0.05)).then(pl.lit("Ja")).otherwise(pl.lit("Nej")),
        "Kötid": pl.format("{}:{}", queue // 60, (queue % 60).cast(pl.String).str.zfill(2)),
        "Samtalstid": pl.when(answered).then(d.ints(30, 1800)).otherwise(0).cast(pl.String),
        "Besvarad": pl.when(answered).then(pl.lit("J")).otherwise(pl.lit("N")),
        "Avbruten/Tappad": pl.when(answered).then(pl.lit("N")).otherwise(pl.lit("J")),
        "Utfall": d.pick(OUTCOMES),
        "Nöjdhet": pl.when(empty_sat).then(pl.lit("")).otherwise(d.ints(1, 6).cast(pl.String)),
        "Telefonnummer": d.pick(FICTION_PHONES),
        "Personnummer": pl.when(with_pnr).then(d.pick(PERSONNUMMER)).otherwise(pl.lit("")),
        "Kommentar": d.notes(),
        "Handläggare": d.pick(AGENTS),
        "Kundnamn": d.pick(NAMES),
    }
    return _frame(n, columns)


def _frame(n: int, columns: dict) -> pl.DataFrame:
    return pl.select(**{name: (value if isinstance(value, pl.Expr) else pl.lit(value)) for name, value in columns.items()})


def write_csv(frame: pl.DataFrame, path: Path, *, delimiter: str = ";", encoding: str = "utf-8",
              bom: bool = False, line_end: str = "\r\n") -> Path:
    """Write text columns as a Swedish system would: ';' or tab, CRLF, cp1252 or UTF-8 (+BOM)."""
    frame = frame.with_columns(pl.col(pl.String).replace("", None))   # empty fields, not ""
    text = frame.write_csv(separator=delimiter, line_terminator=line_end, quote_style="necessary")
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_csv_fast(frame: pl.DataFrame, path: Path, *, delimiter: str = ";") -> Path:
    """Large UTF-8 files straight from Polars (the benchmark's million rows)."""
    frame.write_csv(path, separator=delimiter, line_terminator="\r\n")
    return path


def write_xlsx(frame: pl.DataFrame, path: Path, typed: bool = True) -> Path:
    """An XLSX export; with typed=True dates, times and numbers are real Excel values."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Samtal")
    sheet.append(["Samtalsrapport, export från växeln"])
    sheet.append(frame.columns)
    for row in frame.iter_rows(named=True):
        values = list(row.values())
        if typed:
            values = [_typed(name, v) for name, v in row.items()]
        sheet.append(values)
    book.save(path)
    return path


def _typed(name: str, value):
    if value in (None, ""):
        return None
    if name == "Datum":
        return dt.date.fromisoformat(value)
    if name == "Tid":
        return dt.time.fromisoformat(value)
    if name in ("Samtalstid", "Nöjdhet"):
        return int(value)
    return value


def identifier_values(frame: pl.DataFrame) -> list[str]:
    """Every raw identifier and name in a fixture frame (for the byte scans)."""
    values: set[str] = set()
    for col in ("Telefonnummer", "Personnummer", "Handläggare", "Kundnamn", "E-post", "Avsändare"):
        if col in frame.columns:
            values |= {v for v in frame[col].to_list() if v}
    text = " ".join(v for v in frame["Kommentar"].to_list() if v) if "Kommentar" in frame.columns else ""
    for pool in (FICTION_PHONES, EMAILS, PERSONNUMMER, STREETS):
        values |= {v for v in pool if v in text}
    return sorted(values)


ERRAND_CHANNELS = ["E-post", "E-post", "Chatt", "E-tjänst", "Sociala medier"]
ERRAND_CATEGORIES = ["Bygglov", "Förskoleplats", "Avfall", "Parkering", "Ekonomiskt bistånd"]
CUSTOMER_TYPES = ["Privatperson", "Privatperson", "Företag", "Förening"]
STATUSES = ["Avslutat - löst", "Överlämnat till förvaltning", "Hänvisat", "Avslutat - löst"]
REASONS = ["", "", "Frågar efter status", "Information saknas på webben", "Upprepad kontakt"]


def errand_frame(n: int, seed: int = 11, start: dt.datetime = dt.datetime(2024, 3, 4, 7, 0)) -> pl.DataFrame:
    """n rows of an e-mail/ärende export: one datetime column, reply time in hours with decimal comma."""
    d = _Draw(n, seed)
    reasons = d.pick(REASONS)
    quarter_hours = d.ints(1, 400)
    columns = {
        "Ärendenummer": _ids(f"E{seed:02d}-", n, 6),
        "Inkommet": d.started(start, 30).dt.strftime("%Y-%m-%d %H:%M"),
        "Kanal": d.pick(ERRAND_CHANNELS),
        "Ärendekategori": d.pick(ERRAND_CATEGORIES),
        "Förvaltning": d.pick(DEPARTMENTS),
        "Kundtyp": d.pick(CUSTOMER_TYPES),
        "Svarstid (h)": (quarter_hours / 4).round(2).cast(pl.String).str.replace(".", ",", literal=True),
        "Status": d.pick(STATUSES),
        "Onödig efterfrågan": pl.when(reasons == "").then(pl.lit("Nej")).otherwise(pl.lit("Ja")),
        "Orsak": reasons,
        "Avsändare": d.pick(EMAILS),
        "Ämne": d.pick(["Fråga om " + c.lower() for c in ERRAND_CATEGORIES]),
        "Meddelande": d.notes(),
        "Handläggare": d.pick(AGENTS),
    }
    return _frame(n, columns)


# --- helpers shared by the ingest tests ---------------------------------------------------------

KEY = b"kontaktcenter-testnyckel-2024-abcdef"

TELEPHONY_PROFILE = """
name = "telefoni_test"
source_system = "telefoni"

[file]
batch_rows = {batch_rows}

[started_at]
date_column = "Datum"
time_column = "Tid"

[columns]
"Samtals-ID" = "contact_id"
"Kö" = "topic"
"Förvaltning" = "department"
"Stadsdel" = "city_area"
"Språk" = "language"
"Tolk" = "interpreter"
"Kötid" = "queue_s"
"Samtalstid" = "handle_s"
"Besvarad" = "answered"
"Avbruten/Tappad" = "abandoned"
"Utfall" = "outcome"
"Nöjdhet" = "satisfaction"

[values.outcome]
"LÖST" = "resolved"
"ÖVL" = "forwarded"
"HÄNV" = "referred"
"ÅTER" = "callback"

""" + QUEUE_TOPICS_TOML + """
[values.language]
"svenska" = "sv"
"arabiska" = "ar"
"engelska" = "en"
"bosniska" = "bs"
"polska" = "pl"
"finska" = "fi"

[constants]
channel = "phone"

[identifiers]
columns = ["Personnummer", "Telefonnummer"]

[free_text]
columns = ["Kommentar"]

[drop]
columns = ["Kundnamn"]
"""


def profile_file(tmp_path: Path, text: str | None = None, name: str = "profil.toml", batch_rows: int = 100_000):
    """Write a profile (default: the telephony test profile) and load it."""
    from dashboard.ingest import load_profile

    path = tmp_path / name
    path.write_text(text if text is not None else TELEPHONY_PROFILE.format(batch_rows=batch_rows), encoding="utf-8")
    return load_profile(path)


def open_test_store(tmp_path: Path, name: str = "store.duckdb"):
    from dashboard.store import open_store

    return open_store(tmp_path / name)


def run_ingest(con, files, profile, progress=None):
    from dashboard.ingest import ingest_files

    return ingest_files(con, [Path(f) for f in files], profile, KEY, progress)


def store_state(con) -> tuple:
    """Everything an ingest may change, for before/after comparisons."""
    return (
        con.execute("select * from contacts order by source_system, contact_id").fetchall(),
        con.execute("select * from quarantine order by ingest_id, line").fetchall(),
        con.execute("select ingest_id, file_name, rows_read from ingest_log order by ingest_id").fetchall(),
        con.execute("select value from meta where key = 'data_version'").fetchall(),
    )


def quarantine(con) -> list[tuple]:
    return con.execute("select file_name, line, reason, row_json from quarantine order by file_name, line").fetchall()


def header_csv(columns: list[str], rows: list[list[str]], delimiter: str = ";") -> str:
    """A tiny hand-written CSV (no quoting needed in the values given)."""
    lines = [delimiter.join(columns)] + [delimiter.join(r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


# A small telephony export written by hand: every expected value below is computed by hand.
SMALL_HEADER = ["Samtals-ID", "Datum", "Tid", "Kö", "Kötid", "Samtalstid", "Besvarad", "Utfall",
                "Nöjdhet", "Telefonnummer", "Kommentar", "Handläggare"]
SMALL_PROFILE = """
name = "liten"
source_system = "vaxel"

[started_at]
date_column = "Datum"
time_column = "Tid"

[columns]
"Samtals-ID" = "contact_id"
"Kö" = "topic"
"Kötid" = "queue_s"
"Samtalstid" = "handle_s"
"Besvarad" = "answered"
"Utfall" = "outcome"
"Nöjdhet" = "satisfaction"

[values.outcome]
"LÖST" = "resolved"
"ÖVL" = "forwarded"

""" + QUEUE_TOPICS_TOML + """
[constants]
channel = "phone"

[identifiers]
columns = ["Telefonnummer"]

[free_text]
columns = ["Kommentar"]
"""


def small_row(cid: str, date: str = "2024-03-04", time: str = "08:15", queue: str = "0:45",
              talk: str = "200", answered: str = "J", outcome: str = "LÖST", sat: str = "",
              phone: str = "070-174 06 05", note: str = "", agent: str = "Agent Agda") -> list[str]:
    return [cid, date, time, "Bygglov", queue, talk, answered, outcome, sat, phone, note, agent]


def sid(raw: str, source_system: str = "vaxel") -> str:
    """The stored contact id of a source's raw id: the keyed pseudonym ingest computes."""
    from dashboard.ingest.pii import contact_pseudonym_one

    return contact_pseudonym_one(raw, KEY, source_system)


def raw_ids(stored: list[str], candidates, source_system: str = "vaxel") -> list[str]:
    """Stored contact ids read back as raw ids (each must be one of the candidates), sorted."""
    back = {sid(c, source_system): c for c in candidates}
    return sorted(back.get(s, s) for s in stored)
