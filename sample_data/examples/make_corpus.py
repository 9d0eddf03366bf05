"""Write the export corpus in sample_data/examples/ (deterministic; run from the repository root:
`python sample_data/examples/make_corpus.py`). Every value is invented: phone numbers from the
ranges reserved for fiction (070-174 06 xx, 040-628 04 xx), e-mail addresses at example.com,
personnummer that do not belong to anyone. The shapes imitate common exports; the column names
are the ones such systems are commonly seen with (docs/ingest.md, "The export corpus")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST_NAMES = ["Anna", "Erik", "Karin", "Lars", "Maria", "Johan", "Sara", "Ali", "Emma", "Olof"]


def phone(rng: random.Random) -> str:
    return rng.choice([f"070-174 06 {rng.randint(5, 99):02d}", f"040-628 04 {rng.randint(0, 99):02d}"])


def write(path: Path, header: list[str], rows: list[list], delimiter: str, encoding: str = "utf-8") -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def call_log_en() -> None:
    """An English call-centre log: comma-separated, Y/N flags, h:mm:ss talk times, decimal point,
    a customer id that is 0 when the caller was not identified, agent first names."""
    rng = random.Random(3)
    start = dt.datetime(2024, 5, 6, 8, 0)
    rows = []
    for i in range(48):
        t = start + dt.timedelta(minutes=37 * i + rng.randint(0, 20))
        answered = rng.random() < 0.8
        talk = rng.randint(40, 900) if answered else 0
        rows.append([
            f"C{24050600 + i}", t.strftime("%Y-%m-%d %H:%M:%S"), rng.choice(["Parking", "Building permits", "Waste"]),
            rng.randint(0, 400), f"{talk // 3600}:{talk % 3600 // 60:02d}:{talk % 60:02d}",
            "Y" if answered else "N", ("Y" if rng.random() < 0.6 else "N") if answered else "",
            f"{rng.randint(1, 5)}.0" if answered and rng.random() < 0.5 else "",
            "0" if rng.random() < 0.55 else str(rng.randint(100000, 100040)),
            phone(rng), rng.choice(FIRST_NAMES) if answered else "",
        ])
    write(HERE / "call_log_en.csv",
          ["Call ID", "Start Time", "Queue Name", "Wait Time (s)", "Talk Time", "Answered", "Resolved",
           "Satisfaction", "Customer ID", "Caller Number", "Agent"], rows, ",")


def archive_1997() -> None:
    """A tab-separated archive from the 1990s: YYMMDD dates, unpadded times, ANS/HUP/CB result
    codes, ring time in plain seconds, a call number unique only per exchange (Växel)."""
    rng = random.Random(5)
    rows = []
    day = dt.date(1997, 3, 3)
    for i in range(40):
        d = day + dt.timedelta(days=i // 10)
        hour, minute = 8 + (i % 10), rng.randint(0, 59)
        result = rng.choice(["ANS", "ANS", "ANS", "HUP", "CB"])
        rows.append([
            str(101 + i % 20), ["A", "B"][i // 20], d.strftime("%y%m%d"), f"{hour}:{minute:02d}",
            str(rng.randint(0, 240)), result, str(rng.randint(30, 600)) if result == "ANS" else "0",
            rng.choice(["Bygglov", "Renhållning", "Parkering"]), rng.choice(FIRST_NAMES) if result == "ANS" else "",
        ])
    write(HERE / "vaxel_arkiv_1997.txt", ["Samtal", "Växel", "Datum", "Kl", "Ringtid", "Res", "Längd", "Grupp", "Sign"],
          rows, "\t", "cp1252")


def sf311() -> None:
    """A 311-style service-request extract (SF311 column names): ISO timestamps with fractions,
    created and closed times, source channel codes, responsible agency."""
    rng = random.Random(7)
    start = dt.datetime(2024, 4, 2, 7, 0)
    rows = []
    for i in range(45):
        t = start + dt.timedelta(minutes=53 * i)
        closed = t + dt.timedelta(hours=rng.randint(1, 90)) if rng.random() < 0.7 else None
        rows.append([
            str(17800000 + i), t.strftime("%Y-%m-%dT%H:%M:%S.000"),
            closed.strftime("%Y-%m-%dT%H:%M:%S.000") if closed else "",
            "Closed" if closed else "Open", rng.choice(["Phone", "Phone", "Web", "Mobile/Open311", "Twitter", "Email"]),
            rng.choice(["Street and Sidewalk Cleaning", "Graffiti", "Parking Enforcement"]),
            rng.choice(["DPW Ops Queue", "PDR Queue", "MTA Queue"]),
            rng.choice(["Mission", "Tenderloin", "Sunset"]), f"{37.7 + rng.random() / 10:.6f}",
            f"{-122.5 + rng.random() / 10:.6f}",
        ])
    write(HERE / "sf311_cases.csv",
          ["service_request_id", "requested_datetime", "closed_date", "status_description", "source",
           "service_name", "agency_responsible", "neighborhoods_sffind_boundaries", "lat", "long"], rows, ",")


def chat() -> None:
    """A Swedish chat export: one start column, wait in seconds, chat length mm:ss, Ja/Nej
    answered, language names, rating 1-5, e-mail, the agent's first name."""
    rng = random.Random(11)
    start = dt.datetime(2024, 3, 11, 9, 0)
    rows = []
    for i in range(42):
        t = start + dt.timedelta(minutes=29 * i + rng.randint(0, 9), seconds=rng.randint(0, 59))
        answered = rng.random() < 0.85
        length = rng.randint(60, 1500) if answered else 0
        rows.append([
            f"CH-{9000 + i}", t.strftime("%Y-%m-%d %H:%M:%S"), str(rng.randint(0, 300)),
            f"{length // 60}:{length % 60:02d}" if answered else "", "Ja" if answered else "Nej",
            rng.choice(["Svenska", "Engelska", "Arabiska"]), str(rng.randint(1, 5)) if answered and rng.random() < 0.4 else "",
            f"kund{i % 15}@example.com", rng.choice(FIRST_NAMES) if answered else "",
        ])
    write(HERE / "chatt_export.csv",
          ["Chatt-ID", "Startad", "Väntetid (s)", "Chattlängd", "Besvarad", "Språk", "Betyg", "E-post", "Handläggare"],
          rows, ";")


def visits_xlsx() -> None:
    """An XLSX report of visits with a title row above the header, no id column."""
    from openpyxl import Workbook

    rng = random.Random(13)
    wb = Workbook()
    ws = wb.active
    ws.title = "Besök"
    ws.append(["Besök på servicepunkterna, mars 2024"])
    ws.append(["Datum", "Klockslag", "Servicepunkt", "Ärende", "Förvaltning", "Tolk", "Stadsdel"])
    for i in range(36):
        d = dt.date(2024, 3, 4) + dt.timedelta(days=i // 6)
        ws.append([d, dt.time(9 + i % 6, rng.choice([0, 15, 30, 45])), rng.choice(["Rosengård", "Lindängen"]),
                   rng.choice(["Ekonomiskt bistånd", "Bostad", "Förskoleplats"]),
                   rng.choice(["Arbetsmarknads- och socialförvaltningen", "Förskoleförvaltningen"]),
                   rng.choice(["Ja", "Nej", "Nej"]), rng.choice(["Rosengård", "Fosie"])])
    wb.save(HERE / "besok_servicepunkt.xlsx")


def parquet_utc() -> None:
    """A Parquet file with typed columns: UTC timestamps, integer waits, float handle times."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(17)
    start = dt.datetime(2024, 10, 26, 22, 0, tzinfo=dt.UTC)   # over the end of summer time
    n = 40
    times = [start + dt.timedelta(minutes=23 * i) for i in range(n)]
    table = pa.table({
        "id": pa.array(list(range(5000, 5000 + n)), pa.int64()),
        "created_at": pa.array(times, pa.timestamp("us", tz="UTC")),
        "channel": [rng.choice(["chat", "email", "chat"]) for _ in range(n)],
        "wait_seconds": pa.array([rng.randint(0, 200) for _ in range(n)], pa.int64()),
        "handle_seconds": pa.array([float(rng.randint(30, 900)) for _ in range(n)], pa.float64()),
        "language": [rng.choice(["sv", "en", "ar"]) for _ in range(n)],
        "customer_email": [f"person{i % 12}@example.com" for i in range(n)],
    })
    pq.write_table(table, HERE / "kontakter_utc.parquet")


def servicenow() -> None:
    """A ServiceNow-style incident export: `number`, `opened_at` (US-style date and 12-hour clock
    written as the instance shows it, here ISO), contact_type codes, assignment group, close codes
    ("Solved (Permanently)", "Not Solved (Not Reproducible)"), the caller's e-mail, the agent."""
    rng = random.Random(19)
    start = dt.datetime(2024, 2, 12, 8, 0)
    rows = []
    for i in range(36):
        t = start + dt.timedelta(minutes=41 * i)
        rows.append([
            f"INC00{10040 + i}", t.strftime("%Y-%m-%d %H:%M:%S"),
            rng.choice(["phone", "email", "self-service", "walk-in", "chat"]),
            rng.choice(["Kontaktcenter", "Kontaktcenter", "Bygglov 2nd line"]), rng.choice(["Inquiry / Help", "Request"]),
            rng.choice(["Solved (Permanently)", "Solved (Work Around)", "Not Solved (Not Reproducible)",
                        "Not Solved (Too Costly)", "Closed/Resolved by Caller"]),
            f"invanare{i % 9}@example.com", rng.choice(["Vill ha besked om bygglov", "Fråga om faktura", "Felanmälan gata"]),
            f"{rng.choice(FIRST_NAMES)} {rng.choice(['Loo', 'Tuter', 'Anglin'])}",
        ])
    write(HERE / "servicenow_incidents.csv",
          ["number", "opened_at", "contact_type", "assignment_group", "category", "close_code", "caller_id",
           "short_description", "assigned_to"], rows, ",")


def monthly_totals() -> None:
    """Not contacts at all: one row per month of totals (profile suggest refuses it)."""
    rows = [[f"2024-{m:02d}", str(1800 + 37 * m), str(1500 + 30 * m), str(300 + 7 * m), f"{0.81 + m / 200:.2f}"]
            for m in range(1, 7)]
    write(HERE / "manadsrapport.csv", ["Månad", "Antal samtal", "Besvarade", "Tappade", "Svarsfrekvens"], rows, ";")


if __name__ == "__main__":
    for make in (call_log_en, archive_1997, sf311, chat, visits_xlsx, parquet_utc, servicenow, monthly_totals):
        make()
