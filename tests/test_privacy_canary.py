"""Canaries: an export in the shipped telefoni_export format carries personal data in every input
column of the contract (the contact id, every vocabulary column, the identifiers, the free text,
rows that go to quarantine) and in its own file name. After a real ingest (the `kontaktcenter
ingest` command with the shipped profile) none of it, in any of its written forms, appears in the
store file's bytes, on any page, in the CLI's grouped output for every dimension, in the CSV/XLSX
downloads, in the XLSX and PDF packs, in the logs or in the audit log.

Each output surface is read by one small function below (`*_text`), so a restructured output
side only needs those functions repointed.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import openpyxl
import pytest

from ingest_fixtures import KEY, luhn_digit

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "sample_data" / "profiles" / "telefoni_export.toml"
HEADER = ["Samtals-ID", "Datum", "Tid", "Kö", "Förvaltning", "Stadsdel", "Språk", "Tolk", "Kötid",
          "Samtalstid", "Besvarad", "Avbruten/Tappad", "Utfall", "Nöjdhet", "Telefonnummer",
          "Personnummer", "Kommentar", "Handläggare", "Kundnamn"]


def _pnr(yymmdd: str, serial: str) -> tuple[str, str]:
    """(12-digit form with dash, 10-digit form without) of a valid personnummer (test serials)."""
    ten = yymmdd + serial + luhn_digit(yymmdd + serial)
    return f"19{ten[:6]}-{ten[6:]}", ten


# Canaries: fake but valid in form, each unlike anything else in the sample.
PNR = {name: _pnr(yymmdd, serial) for name, yymmdd, serial in (
    ("id", "430404", "983"), ("area", "510612", "984"), ("queue", "620101", "985"),
    ("kotid", "700707", "986"), ("sat", "801224", "987"), ("ident", "550505", "988"),
    ("note", "600229", "989"), ("file", "721103", "990"), ("qid", "850315", "991"),
    ("broken", "330303", "992"))}
PHONE_QUEUE = "0701740642"               # "Återring 0701740642" as a queue name
PHONE_OUTCOME = "070-174 06 43"
PHONE_NOTE = "+46 70 174 06 44"
PHONE_TIME = "040-628 04 45"
EMAIL_DEPT = "kanarie.forvaltning@example.com"
EMAIL_PHONE_COLUMN = "kanarie.telefon@example.com"     # an e-mail in the phone column
EMAIL_NOTE = "kanarie.anteckning@example.com"
EMAIL_FILE = "kanarie.filnamn@example.com"
EMAIL_SAMTALSTID = "kanarie.samtalstid@example.com"
NAME_AREA = "Kanarie Fågelsson"
NAME_LANGUAGE = "Lisa Kanarisdotter"
NAME_TOLK = "Kalle Kanariesson"
NAME_DATUM = "Pelle Kanarieberg"
NAME_CUSTOMER = "Greta Kanariström"
NAME_AGENT = "Agent Kanariehandläggare"
URL_TOPIC = "[Klicka](https://kanarie-topic.example.org)"
URL_DEPT = "[Läs mer](https://kanarie-dept.example.org/x)"
URL_ANSWERED = "https://kanarie-answered.example.org"
NOTE_MARK = "Vaktordet"          # a harmless word that must survive: proves the byte scan sees text


def canary_values() -> list[str]:
    out = [PHONE_QUEUE, PHONE_OUTCOME, PHONE_NOTE, PHONE_TIME, EMAIL_DEPT, EMAIL_PHONE_COLUMN,
           EMAIL_NOTE, EMAIL_FILE, EMAIL_SAMTALSTID, NAME_AREA, NAME_LANGUAGE, NAME_TOLK, NAME_DATUM,
           NAME_CUSTOMER, NAME_AGENT, URL_TOPIC, URL_DEPT, URL_ANSWERED]
    return out + [p for pair in PNR.values() for p in pair]


def written_forms(value: str) -> set[str]:
    """Every form in which a canary could show: as given, digits only, 10-digit personnummer with
    and without dash, +46 and national phone forms, link targets, name parts."""
    forms = {value, value.lower()}
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) >= 7:
        forms |= {digits}
        if len(digits) == 12:                       # personnummer: 12 and 10 digits, with and without dash
            forms |= {digits[2:], f"{digits[2:8]}-{digits[8:]}", f"{digits[:8]}-{digits[8:]}"}
        if digits.startswith("0") and len(digits) == 10:       # national phone number
            forms |= {"+46" + digits[1:], "46" + digits[1:], f"{digits[:3]}-{digits[3:]}"}
        if digits.startswith("46"):
            forms |= {"0" + digits[2:], "+" + digits}
    if "://" in value:
        forms.add(value.split("://", 1)[1].split("/")[0].rstrip(")"))
    if "@" in value:
        forms.add(value.split("@")[0])
    for word in value.replace("(", " ").replace(")", " ").split():
        if word.startswith("Kanari") or word.endswith(("sson", "dotter", "ström", "berg")):
            forms.add(word)
    return {f for f in forms if len(f) >= 5}


FORMS = sorted({f for v in canary_values() for f in written_forms(v)})


def leaks(text: str) -> list[str]:
    low = text.lower()
    return sorted(f for f in FORMS if f.lower() in low)


# --------------------------------------------------------------------------- the export


def _row(cid: str, day: date, time: str = "10:15:00", **cells) -> list[str]:
    row = {"Samtals-ID": cid, "Datum": day.isoformat(), "Tid": time, "Kö": "Bygglov",
           "Förvaltning": "SBK", "Stadsdel": "Hyllie", "Språk": "svenska", "Tolk": "Nej",
           "Kötid": "0:45", "Samtalstid": "200", "Besvarad": "J", "Avbruten/Tappad": "N",
           "Utfall": "LÖST", "Nöjdhet": "4", "Telefonnummer": "040-628 04 77", "Personnummer": "",
           "Kommentar": f"{NOTE_MARK}, inget mer.", "Handläggare": NAME_AGENT, "Kundnamn": NAME_CUSTOMER}
    row.update(cells)
    return [row[h] for h in HEADER]


def write_canary_export(folder: Path, day: date) -> Path:
    """Rows 2-31: ordinary calls (so the pages have this source's contacts to show) and rows that
    carry a canary each; the file name holds a personnummer and an e-mail address."""
    pnr = {k: v[0] for k, v in PNR.items()}
    rows = [_row(f"K-{i:03d}", day, f"{9 + i % 7:02d}:{i:02d}:00") for i in range(20)]
    rows += [
        _row(pnr["id"], day),                                                   # contact id: lands, pseudonymised
        _row("K-100", day, **{"Kö": f"Återring {PHONE_QUEUE}"}),                # topic: stored as unknown
        _row("K-101", day, **{"Kö": URL_TOPIC}),                                # topic with a live link
        _row("K-102", day, **{"Förvaltning": EMAIL_DEPT}),                      # department: quarantine
        _row("K-103", day, **{"Förvaltning": URL_DEPT}),
        _row("K-104", day, **{"Stadsdel": f"{NAME_AREA} {pnr['area']}"}),       # city area: quarantine
        _row("K-105", day, **{"Språk": NAME_LANGUAGE}),                         # language: stored as unknown
        _row("K-106", day, **{"Tolk": NAME_TOLK}),                              # boolean: quarantine
        _row("K-107", day, **{"Kötid": pnr["kotid"]}),                          # duration: quarantine
        _row("K-108", day, **{"Samtalstid": EMAIL_SAMTALSTID}),
        _row("K-109", day, **{"Besvarad": URL_ANSWERED}),
        _row("K-110", day, **{"Utfall": PHONE_OUTCOME}),                        # closed vocabulary: quarantine
        _row("K-111", day, **{"Nöjdhet": PNR["sat"][1]}),                       # digits-only personnummer
        _row("K-112", day, **{"Datum": NAME_DATUM}),                            # date: quarantine
        _row("K-113", day, **{"Tid": PHONE_TIME}),
        _row("K-114", day, **{"Telefonnummer": EMAIL_PHONE_COLUMN}),            # misfiled identifier
        _row("K-115", day, **{"Personnummer": pnr["ident"], "Telefonnummer": ""}),
        _row("K-116", day, **{"Kommentar": f"{NOTE_MARK}: ring {PHONE_NOTE}, mejla {EMAIL_NOTE}, pnr {pnr['note']}."}),
        _row(pnr["qid"], day, **{"Förvaltning": "Okänd förvaltning X"}),        # quarantined, id is a personnummer
    ]
    text = "\r\n".join(";".join(r) for r in [HEADER, *rows])
    text += f"\r\nK-200;{day.isoformat()};10:00;{pnr['broken']};för;få;fält\r\n"   # wrong field count
    path = folder / f"samtal_{pnr['file']}_{EMAIL_FILE}.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


# ------------------------------------------------------------------------- the surfaces


def store_bytes_text(db: Path) -> str:
    # the store, its write-ahead log, and every published snapshot next to it
    files = [p for p in sorted(db.parent.glob(db.name + "*")) if p.is_file()]
    files += sorted(p for p in db.parent.glob(db.name + ".snapshots/**/*") if p.is_file())
    data = b"".join(p.read_bytes() for p in files)
    return data.decode("utf-8", "ignore") + "\n" + data.decode("cp1252", "ignore")


def page_texts(db: Path, monkeypatch) -> dict[str, str]:
    """Every page's rendered text (AppTest): every element's protobuf as UTF-8 text, plus each
    table's cells. Returns page file -> text."""
    from google.protobuf import text_format
    from streamlit.testing.v1 import AppTest

    from dashboard.app import NAVIGATION

    monkeypatch.setenv("KONTAKTCENTER_DB", str(db))
    app = str(ROOT / "dashboard" / "app.py")
    out = {}
    at = AppTest.from_file(app, default_timeout=120).run()
    for _, file, _, _, _ in NAVIGATION:
        at.switch_page(f"screens/{file}").run()
        assert not at.exception, [e.value for e in at.exception]
        parts: list[str] = []

        def walk(node) -> None:
            proto = getattr(node, "proto", None)
            if proto is not None:
                parts.append(text_format.MessageToString(proto, as_utf8=True))
            value = getattr(node, "value", None) if getattr(node, "type", "") in ("dataframe", "arrow_data_frame", "table") else None
            if value is not None:
                parts.append(value.to_csv())
            for child in getattr(node, "children", {}).values():
                walk(child)

        walk(at._tree)
        out[file] = "\n".join(parts)
    return out


def cli_text(db: Path, capsys, *args: str) -> str:
    from dashboard.cli import main

    code = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out + captured.err


def grouped_metrics_text(db: Path, capsys, start: date, end: date) -> str:
    from dashboard.metrics.filters import DIMENSIONS

    return "\n".join(cli_text(db, capsys, "metrics", "--from", start.isoformat(), "--to", end.isoformat(),
                              "--by", dim, "--format", fmt)
                     for dim in DIMENSIONS for fmt in ("table", "json"))


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None) + "\n" + "\n".join(book.sheetnames)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def pack_texts(db: Path, capsys, tmp_path: Path, start: date, end: date) -> dict[str, str]:
    out = {}
    for department in ("Stadsbyggnadskontoret", None):
        for fmt in ("xlsx", "pdf"):
            path = tmp_path / f"pack_{department or 'staden'}.{fmt}"
            args = ["export", "--from", start.isoformat(), "--to", end.isoformat(), "--format", fmt,
                    "--out", str(path)] + (["--department", department] if department else [])
            log = cli_text(db, capsys, *args)
            out[path.name] = (xlsx_text(path.read_bytes()) if fmt == "xlsx" else pdf_text(path)) + "\n" + log
    return out


def download_texts(spied) -> dict[str, str]:
    """The CSV and XLSX downloads the pages offered while they were drawn, built as a click would."""
    out = {}
    for i, download in enumerate(spied):
        data = download.data() if callable(download.data) else download.data
        out[f"{i}:{download.file_name}"] = (xlsx_text(data) if download.file_name.endswith(".xlsx")
                                            else data.decode("utf-8-sig", "ignore")) + download.file_name
    return out


def spy_downloads(monkeypatch) -> list:
    """Record every download the pages build (the real function runs; nothing is replaced)."""
    import dashboard.ui.download as ui_download

    made = []
    real = ui_download.table_download

    def recording(*args, **kwargs):
        download = real(*args, **kwargs)
        made.append(download)
        return download

    monkeypatch.setattr(ui_download, "table_download", recording)
    return made


# ---------------------------------------------------------------------------------- test


def _last_local_date(db: Path) -> date:
    con = duckdb.connect(str(db), read_only=True)
    try:
        (last,) = con.execute("select max(started_at) from contacts").fetchone()
    finally:
        con.close()
    return last.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Stockholm")).date()


@pytest.fixture
def canary_store(sample_db, tmp_path, monkeypatch, capsys, caplog):
    """The sample store plus the canary export, ingested by the CLI with the shipped profile.
    Returns (db, the ingest command's output and logs, the canary day)."""
    db = tmp_path / "store.duckdb"   # (a file name holding a canary word would be in the catalog)
    shutil.copyfile(sample_db, db)
    day = _last_local_date(db) - timedelta(days=3)
    export = write_canary_export(tmp_path, day)
    monkeypatch.setenv("KONTAKTCENTER_KEY", KEY.hex())
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    # Strings stored uncompressed, so the byte scan would see any that landed.
    con = duckdb.connect(str(db))
    con.execute("set force_compression = 'uncompressed'")
    con.close()
    caplog.set_level(logging.DEBUG)
    from dashboard.cli import main

    code = main(["--db", str(db), "-v", "ingest", str(export), "--profile", str(PROFILE), "-q",
                 "--max-quarantine-share", "1"])   # the canary rows are meant for quarantine
    captured = capsys.readouterr()
    assert code == 0, captured.err
    con = duckdb.connect(str(db))
    con.execute("set force_compression = 'uncompressed'")
    con.execute("checkpoint")
    con.close()
    return db, captured.out + captured.err + caplog.text, day


def test_no_canary_lands_anywhere(canary_store, tmp_path, monkeypatch, capsys, caplog):
    db, ingest_output, day = canary_store
    con = duckdb.connect(str(db), read_only=True)
    try:
        landed = con.execute("select count(*) from contacts where source_system = 'telefoni'").fetchone()[0]
        quarantined = con.execute("select count(*) from quarantine").fetchone()[0]
        findings = dict(((f, k), n) for f, k, n in con.execute(
            "select field, kind, rows from ingest_findings").fetchall())
        file_names = {r[0] for r in con.execute("select file_name from ingest_log union select file_name from quarantine").fetchall()}
    finally:
        con.close()
    # The canary rows went where the door sends them: 20 ordinary rows, the personnummer id, two
    # topics, the language, two identifier rows and the note land (27); the other 12 canary rows
    # and the broken record are quarantined (13).
    assert (landed, quarantined) == (27, 13)
    assert findings == {("topic", "unknown_value"): 2, ("language", "unknown_value"): 1,
                        ("caller_key", "misfiled_identifier"): 1}
    assert f"samtal_[PERSONNUMMER]_[E-POST].csv" in file_names

    surfaces: dict[str, str] = {"ingest output and logs": ingest_output}
    store_text = store_bytes_text(db)
    assert NOTE_MARK in store_text and "[TELEFON]" in store_text   # the scan does see stored text
    surfaces["store file bytes"] = store_text

    spied = spy_downloads(monkeypatch)
    surfaces.update({f"page {k}": v for k, v in page_texts(db, monkeypatch).items()})
    # The collector sees the data the pages draw, and the data-quality page shows the findings.
    assert "Förskoleförvaltningen" in surfaces["page department.py"] + surfaces["page overview.py"]
    quality = surfaces["page data_quality.py"]
    assert "Identifierare av annat slag" in quality and "Okänt värde, inläst som okänt" in quality
    downloads = download_texts(spied)
    assert any(k.endswith(".csv") for k in downloads) and any(k.endswith(".xlsx") for k in downloads)
    surfaces.update({f"download {k}": v for k, v in downloads.items()})

    start, end = day - timedelta(days=29), day + timedelta(days=3)
    surfaces["cli metrics --by every dimension"] = grouped_metrics_text(db, capsys, start, end)
    surfaces.update({f"pack {k}": v for k, v in pack_texts(db, capsys, tmp_path, start, end).items()})
    audit = tmp_path / "audit.jsonl"
    assert audit.exists()
    surfaces["audit log"] = audit.read_text(encoding="utf-8")
    surfaces["logs"] = caplog.text

    found = {where: leaks(text) for where, text in surfaces.items() if leaks(text)}
    assert found == {}
