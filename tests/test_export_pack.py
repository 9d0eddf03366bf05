"""The förvaltning pack on the sample store: the engine's numbers, hidden cells, department
isolation, the CLI and the audit log. A small department in one month, so small cells occur.
The summary's ranking and the weekly table are checked on hand-made inputs as well."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pty
import re
import shlex
import stat
import subprocess
import sys
import threading
from datetime import date

import openpyxl
import pytest

from dashboard.cli import main as cli_main
from dashboard.config import Settings
from dashboard.export import audit
from dashboard.export.pack import build_pack, pack_download, render
from dashboard.metrics import Filters, compute, get
from test_export_render import charts_per_sheet

DEPT = "Kulturförvaltningen"
START, END = date(2025, 3, 1), date(2025, 3, 31)
FILTERS = Filters(start=START, end=END, departments=(DEPT,))
AREA_SHEETS = ("Tillgänglighet", "Rättighetsbaserad service", "Digitalisering", "Lokal service",
               "Samarbetsprocess")
COUNT_FORMAT = "#,##0"


@pytest.fixture(scope="module")
def con(sample_con):
    return sample_con


@pytest.fixture(scope="module")
def pack(con):
    return build_pack(con, FILTERS, settings=Settings())


@pytest.fixture(scope="module")
def workbook(pack):
    content = render(pack, "xlsx")
    return content, openpyxl.load_workbook(io.BytesIO(content))


@pytest.fixture(scope="module")
def pdf_pages(pack, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "pack.pdf"
    path.write_bytes(render(pack, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout
    return text.split("\f")[:-1]


def _rows(ws, title: str) -> dict[str, list]:
    """The table under a heading cell in column A: first cell -> the row's cells."""
    cells = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(cells) if r[0] == title)
    out = {}
    for row in cells[start + 2:]:
        if row[0] is None:
            break
        out[row[0]] = list(row)
    return out


def test_sheets_and_a_native_chart_on_every_area_sheet(workbook):
    content, wb = workbook
    # the month's small cells leave gaps in some charts: their numbers are on Diagramunderlag
    assert wb.sheetnames == ["Framsida", "Sammanfattning", *AREA_SHEETS, "Definitioner", "Data",
                             "Diagramunderlag"]
    charts = charts_per_sheet(content)
    assert all(charts[s] >= 1 for s in AREA_SHEETS), charts


def test_front_sheet_names_the_filter(workbook):
    ws = workbook[1]["Framsida"]
    pairs = {r[0]: r[1] for r in ws.iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert pairs["Förvaltning"] == DEPT
    assert pairs["Period"] == "1–31 mars 2025"
    assert pairs["Jämförelseperiod"] == "1–28 februari 2025"  # a whole month: the month before
    for name in ("Kanal", "Stadsdel/stadsområde", "Ärendekategori", "Språk", "Kundtyp"):
        assert pairs[name] == "alla"
    assert pairs["Dataversion"].isdigit()


def test_key_figures_equal_the_engine(workbook, con):
    ws = workbook[1]["Tillgänglighet"]
    rows = _rows(ws, "Nyckeltal")
    ids = ("contacts", "offered", "answered", "answer_rate", "service_level", "asa_s", "aht_s")
    now = compute(con, FILTERS, ids).row(0, named=True)
    before = compute(con, FILTERS.previous_period(), ids).row(0, named=True)
    city = compute(con, FILTERS.without("departments"), ids).row(0, named=True)
    settings = Settings()
    for mid in ids:
        m = get(mid)
        label = m.label_for(settings)
        for column, values in ((1, now), (2, before), (5, city)):  # 3, 4: change, verdict
            shown = rows[label][column]
            n, t = values[f"{mid}__n"], settings.small_cell_threshold
            # a proportion shown with its basis gives its numerator back (rate × n)
            num = round(values[mid] * n) if m.is_proportion and values[mid] is not None else 0
            if m.kind == "count" and 0 < n < t:
                assert shown == "<5", (mid, column)
            elif m.kind != "count" and (n < m.min_n_for(settings) or 0 < num < t):
                assert shown == "Dolt", (mid, column)
            else:
                assert shown == pytest.approx(values[mid], rel=1e-12), (mid, column)


def test_channel_table_equals_the_engine_with_small_counts_hidden(workbook, con):
    rows = _rows(workbook[1]["Tillgänglighet"], "Per kanal")
    engine = {r["channel"]: r for r in compute(con, FILTERS, ["contacts"], by=("channel",))
              .iter_rows(named=True)}
    labels = {"phone": "Telefon", "chat": "Chatt", "email": "E-post", "e_service": "E-tjänst",
              "visit": "Besök", "social": "Sociala medier", "outreach": "Uppsökande verksamhet"}
    hidden = 0
    for code, r in engine.items():
        cell = rows[labels[code]][1]
        if 0 < r["contacts"] < 5:
            assert cell == "<5"
            hidden += 1
        elif cell != "Dolt":  # shown cells are the engine's; a complementary one is "Dolt"
            assert cell == r["contacts"]
    assert hidden >= 2, "the fixture should exercise small cells"


def test_no_count_below_the_threshold_and_no_formulas_anywhere(workbook):
    for ws in workbook[1]:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate}"
                if isinstance(c.value, (int, float)) and c.number_format == COUNT_FORMAT:
                    assert c.value == 0 or c.value >= 5, f"{ws.title}!{c.coordinate}={c.value}"


def test_no_other_department_and_no_free_text(workbook, con, pdf_pages):
    others = [r[0] for r in con.sql("select department from departments").fetchall()
              if r[0] != DEPT]
    notes = [r[0] for r in con.sql("select distinct note from contacts where note is not null "
                                   "limit 200").fetchall()]
    strings = [c for ws in workbook[1] for row in ws.iter_rows(values_only=True) for c in row
               if isinstance(c, str)]
    text = "\n".join(strings) + "\n" + "\n".join(pdf_pages)
    for name in others:
        assert name not in text, name
    for note in notes:
        assert note not in text


def test_definitions_cover_every_metric_shown(workbook):
    ws = workbook[1]["Definitioner"]
    ids = {r[1] for r in ws.iter_rows(min_row=4, values_only=True) if r[1]}
    assert {"answer_rate", "forwarded_rate", "failure_demand_cost_sek",
            "handled_time_share"} <= ids


def test_pdf_pages_footers_and_hidden_cells(pdf_pages):
    assert len(pdf_pages) >= 8
    full = "\n".join(pdf_pages)
    for heading in ("Sammanfattning", "Tillgänglighet och serviceinriktat bemötande",
                    "Rättighetsbaserad service", "Lokal service", "Samarbetsprocess",
                    "Definitioner"):
        assert heading in full
    for i, page in enumerate(pdf_pages, start=1):
        footer = " ".join(page.strip().splitlines()[-3:])
        assert f"Sida {i} av {len(pdf_pages)}" in footer
        assert DEPT in footer and "Period 1–31 mars 2025" in footer and "Kundtyp: alla" in footer
    # the channel table: small channels read "<5", never their count
    channel_lines = [line for line in full.splitlines()
                     if re.match(r"\s*(Chatt|Besök|Sociala medier)\s+(<|\d)", line)]
    assert channel_lines and all("<5" in line for line in channel_lines), channel_lines
    assert "Kulturförvaltningen" in full and "Förändring" in full


def test_cli_writes_the_pack_and_logs_it(sample_db, tmp_path, monkeypatch):
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    out = tmp_path / "paket.xlsx"
    code = cli_main(["--db", str(sample_db), "export", "--department", DEPT, "--from",
                     "2025-03-01", "--to", "2025-03-31", "--out", str(out)])
    assert code == 0 and out.stat().st_size > 10_000
    started, done = _log(log)
    # recorded before it was written, then how the writing ended: the same export both times
    assert (started["status"], done["status"]) == ("started", "delivered")
    assert {k: v for k, v in started.items() if k not in ("at", "status")} == {
        k: v for k, v in done.items() if k not in ("at", "status")}
    assert started["via"] == "cli" and started["what"] == "forvaltningspaket"
    assert started["filter"]["departments"] == [DEPT] and started["format"] == "xlsx"
    assert started["bytes"] == out.stat().st_size and started["out"] == str(out)


def _log(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _export_command(db, out: str) -> list[str]:
    return [sys.executable, "-m", "dashboard", "--db", str(db), "export", "--department", DEPT,
            "--from", START.isoformat(), "--to", END.isoformat(), "--format", "pdf", "--out", out]


def test_cli_export_into_a_pipe_whose_reader_goes_away_is_logged_failed(sample_db, tmp_path,
                                                                          monkeypatch):
    """`kontaktcenter export … --out - | head -c 100` in a real shell: head stops after 100
    bytes, the pack is not delivered, so the log says "failed" after "started" and the command
    fails with a short Swedish message, no traceback."""
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    whole = tmp_path / "whole.pdf"
    assert subprocess.run(_export_command(sample_db, str(whole)), capture_output=True).returncode == 0
    # more than a pipe holds (64 KiB) plus what head reads: the writer must meet the closed end
    assert whole.stat().st_size > 65_536 + 8192
    log.unlink()
    command = " ".join(shlex.quote(a) for a in _export_command(sample_db, "-"))
    run = subprocess.run(["bash", "-c", f"{command} | head -c 100 > {tmp_path / 'first'}; "
                          "exit ${PIPESTATUS[0]}"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "Exception" not in run.stderr, run.stderr
    assert run.stderr.splitlines()[-1] == (
        "Fel: Mottagaren av stdout slutade läsa innan hela paketet var skrivet. Exporten har "
        "inte lämnats ut; loggen säger det.")
    assert (tmp_path / "first").read_bytes() == whole.read_bytes()[:100]
    started, failed = _log(log)
    assert (started["status"], failed["status"]) == ("started", "failed")
    assert started["out"] == failed["out"] == "stdout"
    assert started["sha256"] == failed["sha256"] == hashlib.sha256(whole.read_bytes()).hexdigest()
    newest, oldest = audit.display_rows([started, failed])
    assert (newest["Status"], newest["Skrevs till"]) == ("misslyckad", "stdout")
    assert (oldest["Status"], oldest["Skrevs till"]) == ("påbörjad", "stdout")


def test_cli_export_to_stdout_read_to_the_end_is_delivered(sample_db, tmp_path, monkeypatch):
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    run = subprocess.run(_export_command(sample_db, "-"), capture_output=True, timeout=300)
    assert run.returncode == 0 and run.stdout.startswith(b"%PDF")
    started, delivered = _log(log)
    assert (started["status"], delivered["status"]) == ("started", "delivered")
    assert delivered["out"] == "stdout" and delivered["bytes"] == len(run.stdout)
    assert delivered["sha256"] == hashlib.sha256(run.stdout).hexdigest()
    assert "Klart: standard ut" in run.stderr.decode()
    # never into a terminal, and without a file name the format must be given
    leader, follower = pty.openpty()
    try:
        tty = subprocess.run(_export_command(sample_db, "-"), stdout=follower,
                             stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(leader)
        os.close(follower)
    assert tty.returncode == 2 and "som här är terminalen" in tty.stderr
    no_format = [a for a in _export_command(sample_db, "-") if a not in ("--format", "pdf")]
    run = subprocess.run(no_format, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "med --out - finns ingen filändelse" in run.stderr
    assert len(_log(log)) == 2  # the refused ones built nothing and logged nothing


def test_cli_export_writes_into_a_named_pipe_and_leaves_it_a_pipe(sample_db, tmp_path,
                                                                   monkeypatch):
    """A pipe or device given by name (a FIFO here; /dev/stdout is one) is written into: the
    export used to rename a new file over it (and asked for --force to)."""
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    fifo = tmp_path / "rör"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run = subprocess.run(_export_command(sample_db, str(fifo)), capture_output=True, text=True,
                         timeout=300)
    reader.join(timeout=30)
    if reader.is_alive():  # the command never opened the pipe: let the reader go
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert run.returncode == 0, run.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(b"%PDF")
    started, delivered = _log(log)
    assert delivered["status"] == "delivered" and delivered["out"] == str(fifo)
    assert delivered["sha256"] == hashlib.sha256(received[0]).hexdigest()


def test_cli_refuses_unknown_department_and_bad_dates(sample_db, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert cli_main(["--db", str(sample_db), "export", "--department", "Okänd", "--from",
                     "2025-03-01", "--to", "2025-03-31", "--out", str(out)]) == 2
    assert "Okänd förvaltning" in capsys.readouterr().err
    assert cli_main(["--db", str(sample_db), "export", "--from", "2025-03-31", "--to",
                     "2025-03-01", "--out", str(out)]) == 2
    assert "Byt plats" in capsys.readouterr().err
    assert not out.exists()


def _last_whole_month(db) -> tuple[date, date]:
    """Independently: the month before the latest contact's local month, unless that month is
    complete (the latest contact on its last day)."""
    import calendar

    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    (latest,) = con.execute("select max(timezone('Europe/Stockholm', timezone('UTC', started_at)))"
                            "::date from contacts").fetchone()
    con.close()
    if latest.day == calendar.monthrange(latest.year, latest.month)[1]:
        year, month = latest.year, latest.month
    else:
        year, month = (latest.year, latest.month - 1) if latest.month > 1 else (latest.year - 1, 12)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def test_cli_without_a_period_exports_the_last_whole_month(sample_db, tmp_path, monkeypatch,
                                                            capsys):
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    out = tmp_path / "paket.xlsx"
    assert cli_main(["--db", str(sample_db), "export", "--department", DEPT,
                     "--out", str(out)]) == 0
    start, end = _last_whole_month(sample_db)
    assert "senaste hela månaden" in capsys.readouterr().err
    entry = _log(tmp_path / "audit.jsonl")[0]
    assert (entry["filter"]["start"], entry["filter"]["end"]) == (start.isoformat(),
                                                                  end.isoformat())
    front = openpyxl.load_workbook(out)["Framsida"]
    pairs = {r[0]: r[1] for r in front.iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert pairs["Förvaltning"] == DEPT


def test_cli_warns_and_fails_for_a_period_without_contacts(sample_db, tmp_path, monkeypatch,
                                                           capsys):
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    out = tmp_path / "tomt.pdf"
    code = cli_main(["--db", str(sample_db), "export", "--from", "2031-01-01", "--to",
                     "2031-01-31", "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert "Varning: perioden 1–31 januari 2031 ligger helt utanför data (" in err
    assert not out.exists() and not log.exists()
    # only one of --from and --to is a usage error
    assert cli_main(["--db", str(sample_db), "export", "--from", "2025-03-01",
                     "--out", str(out)]) == 2
    assert "både --from och --to" in capsys.readouterr().err


def test_pack_download_is_lazy_and_audited(sample_db, tmp_path):
    settings = Settings(audit_log=tmp_path / "a.jsonl")
    dl = pack_download(sample_db, FILTERS, "pdf", comparison=(date(2024, 3, 1),
                                                              date(2024, 3, 31)),
                       settings=settings, user="kim")
    assert dl.mime == "application/pdf" and dl.file_name.endswith(".pdf")
    assert not settings.audit_log.exists()
    content = dl.data()
    assert content.startswith(b"%PDF")
    entry = json.loads(settings.audit_log.read_text(encoding="utf-8"))
    assert entry["user"] == "kim" and entry["via"] == "dashboard"
    assert entry["filter"]["comparison"] == ["2024-03-01", "2024-03-31"]


def test_city_pack_without_comparison(con, tmp_path):
    city = Filters(start=START, end=END)
    pack = build_pack(con, city, comparison=None)
    wb = openpyxl.load_workbook(io.BytesIO(render(pack, "xlsx")))
    front = {r[0]: r[1] for r in wb["Framsida"].iter_rows(min_row=3, max_col=2, values_only=True)
             if r[0]}
    assert front["Förvaltning"] == "Hela staden" and front["Jämförelseperiod"] == "Ingen"
    key = _rows(wb["Tillgänglighet"], "Nyckeltal")
    header = next(r for r in wb["Tillgänglighet"].iter_rows(values_only=True) if r[0] == "Mått")
    assert [h for h in header if h] == ["Mått", "Perioden"]  # no comparison, no city column
    engine = compute(con, city, ["contacts"]).row(0, named=True)
    assert key["Kontakter"][1] == engine["contacts"]
    per_department = _rows(wb["Samarbetsprocess"], "Per förvaltning")
    assert DEPT in per_department  # the city pack lists the departments
    path = tmp_path / "city.pdf"
    path.write_bytes(render(pack, "pdf"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "Ingen jämförelse" in text and "Ingen jämförelseperiod vald" in text


def _page_fill(pdf: bytes, tmp_path) -> list[float]:
    """Per page, the share of the body's height (between the margins, footer left out) its
    text spans, from pdftotext's word boxes."""
    from dashboard.export.pdf_layout import MARGIN_BOTTOM, MARGIN_TOP, PAGE_H

    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                           check=True, text=True).stdout
    body_end = PAGE_H - MARGIN_BOTTOM
    out = []
    for page in boxes.split("<page ")[1:]:
        ys = [(float(a), float(b)) for a, b in
              re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page)]
        body = [y for y in ys if y[1] < body_end]
        out.append((max(b for _, b in body) - min(a for a, _ in body))
                    / (body_end - MARGIN_TOP) if body else 0.0)
    return out


@pytest.mark.parametrize("departments", [(DEPT,), ()], ids=["department", "city"])
def test_no_near_empty_page_in_the_pdf(con, departments, tmp_path):
    pack = build_pack(con, Filters(start=START, end=END, departments=departments),
                      settings=Settings())
    fill = _page_fill(render(pack, "pdf"), tmp_path)
    # the last page ends the document wherever the text ends
    thin = [(i + 1, round(f, 2)) for i, f in enumerate(fill[:-1]) if f < 0.3]
    assert thin == [], f"pages under 30 % filled: {thin}"


def test_every_font_in_the_pdf_is_embedded(pack, tmp_path):
    """pdffonts on the real pack: one row per font, every one embedded DejaVu. (reportlab named
    its base font Helvetica, not embedded, for the page start, table cells and chart drawings.)"""
    path = tmp_path / "pack.pdf"
    path.write_bytes(render(pack, "pdf"))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True,
                             text=True).stdout.splitlines()
    header, rows = listing[0], listing[2:]
    emb = header.index(" emb ") + 1  # the column's start, from the header
    fonts = [(row.split()[0], row[emb:emb + 3]) for row in rows]
    assert len(fonts) >= 3, listing
    assert all(flag == "yes" for _, flag in fonts), listing
    assert all("DejaVuSans" in name and "Helvetica" not in name for name, _ in fonts), listing


def test_pdf_has_language_title_and_an_outline_of_its_headings(pack):
    pdf = render(pack, "pdf")
    assert b"/Lang (sv-SE)" in pdf and b"/DisplayDocTitle true" in pdf
    assert b"/Outlines" in pdf and b"/PageMode /UseOutlines" in pdf
    for section in pack.sections:
        title = section.title.encode("latin-1")  # ReportLab writes outline titles in PDFDocEncoding
        escaped = title.replace(b"(", b"\\(").replace(b")", b"\\)")
        octal = b"".join(bytes([c]) if c < 128 else b"\\%o" % c for c in escaped)
        assert b"/Title (" + octal + b")" in pdf or b"/Title (" + escaped + b")" in pdf, section.title


def test_every_chart_has_axis_titles_in_xlsx_and_pdf(pack, workbook, pdf_pages):
    import zipfile
    content, _ = workbook
    z = zipfile.ZipFile(io.BytesIO(content))
    charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    total = sum(len(s.charts) for s in pack.sections)
    assert len(charts) == total
    for name in charts:
        xml = z.read(name).decode("utf-8")
        axes = re.findall(r"<c:(?:valAx|catAx|dateAx)>.*?</c:(?:valAx|catAx|dateAx)>", xml, re.S)
        assert len(axes) == 2 and all("<c:title>" in a for a in axes), name
    text = re.sub(r"\s", "", "".join(pdf_pages))
    for section in pack.sections:
        for chart in section.charts:
            assert re.sub(r"\s", "", chart.value_title) in text, chart.title
            assert re.sub(r"\s", "", chart.category_title) in text, chart.title


# --- the summary's movers, on hand-made scorecard rows -------------------------------------------

def _card_row(metric: str, unit: str, value, previous, n, previous_n, *,
              previous_suppressed: bool = False) -> dict:
    return {"metric": metric, "label": metric, "unit": unit, "value": value, "previous": previous,
            "n": n, "previous_n": previous_n, "value_suppressed": False,
            "previous_suppressed": previous_suppressed}


def _summary_of(*cards: list[dict]):
    """pack._summary over scorecards holding `cards`' rows (no service gaps)."""
    from types import SimpleNamespace

    import polars as pl

    from dashboard.export import pack_sections as ps
    from dashboard.export.pack import _summary

    scorecards = [SimpleNamespace(metrics=pl.DataFrame(rows)) for rows in cards]
    ledger = pl.DataFrame(schema={"topic": pl.String, **{
        c: t for m in ("forwarded", "forwarded_rate", "repeat_rate")
        for c, t in ((m, pl.Float64), (f"{m}__suppressed", pl.Boolean))}})
    inp = ps.Inputs(None, Filters(), "previous", None, Settings())
    return _summary(scorecards, ledger, scorecards[-1], inp)


def test_movers_rank_by_contacts_concerned_and_leave_small_bases_out():
    """docs/exports.md: counts by the difference in contacts, shares by the difference in points
    times the period's base; derived units are not ranked; a base under 50 in either period or a
    hidden side takes no part. Shares are exact binary fractions so the products are exact."""
    access = [
        _card_row("contacts", "count", 1000, 900, 1000, 900),  # 100 contacts
        _card_row("answer_rate", "share", 0.75, 0.625, 480, 400),  # 0.125 × 480 = 60
        # +880 % on 49 contacts: the base is under 50 in the period
        _card_row("abandoned", "count", 49, 5, 49, 5),
        # 0.375 × 49 = 18.4 would rank, but 49 < 50
        _card_row("service_level", "share", 0.5, 0.875, 49, 1000),
        _card_row("abandon_rate", "share", 0.375, 0.125, 50, 50),  # at the minimum: 12.5
        # 200 contacts, the largest count change, but hidden in the comparison period
        _card_row("offered", "count", 800, 600, 800, 600, previous_suppressed=True),
        _card_row("answered", "count", 500, 500, 500, 500),  # no change: no mover
        _card_row("asa_s", "seconds", 300, 30, 1000, 900),  # a duration is not ranked
        _card_row("satisfaction_index", "index", 80, 40, 1000, 900),  # nor an index
        _card_row("repeat_rate", "share", 0.5, 0.25, None, 200),  # no base: none
    ]
    demand = [
        # a tiny derived cost with a huge relative change (5 000-fold): never ranked
        _card_row("failure_demand_cost_sek", "sek", 50_000, 10, 3, 1),
        _card_row("failure_demand_fte", "fte", 0.1, 0.0, 3, 1),
        # hours are derived too, whatever the base
        _card_row("failure_demand_hours", "hours", 500, 20, 800, 700),
        _card_row("failure_demand_share", "share", 0.75, 0.625, 800, 700),  # 0.125 × 800 = 100
    ]
    summary = _summary_of(access, demand)
    ranked = [(m.label, m.contacts) for m in summary.movers]
    # contacts and failure_demand_share tie at 100: both lead, in either order
    assert sorted(ranked[:2]) == [("contacts", 100), ("failure_demand_share", 100)]
    assert ranked[2:] == [("answer_rate", 60), ("abandon_rate", 12.5)]
    assert any("under 50 kontakter" in note for note in summary.notes)


# --- weekly figures over whole weeks, on a hand-made store ---------------------------------------

# Wednesday 7 – Tuesday 27 May 2025; the comparison is the three weeks before, Wednesday
# 16 April – Tuesday 6 May. Whole Monday–Sunday weeks: 12–18 and 19–25 May, 21–27 April and
# 28 April – 4 May.
WEEKLY_FILTERS = Filters(start=date(2025, 5, 7), end=date(2025, 5, 27), departments=(DEPT,))
# local day (and time) -> contacts
EDGE_DAYS = {"2025-05-07": 4, "2025-05-11": 3, "2025-05-26": 5, "2025-05-27": 2,  # cut weeks
             "2025-04-16": 3, "2025-04-20": 4, "2025-05-05": 2, "2025-05-06": 1}
WEEK_OF_12_MAY = {"2025-05-12 00:15": 2, "2025-05-14": 3, "2025-05-18 23:45": 2}  # 7
OTHER_WEEKS = {"2025-05-19": 4, "2025-05-23": 4, "2025-05-25": 3,  # 11
               "2025-04-22": 6,  # 6 in the week of 21 April
               "2025-05-01": 5, "2025-05-04": 3}  # 8 in the week of 28 April


def _weekly_table(empty_db, *days: dict[str, int]):
    """The pack's "Kontakter per vecka" for WEEKLY_FILTERS over a store with `days`' contacts."""
    from contact_fixtures import build, contact
    from dashboard.store import open_store

    rows = [contact(at if " " in at else f"{at} 10:00", department=DEPT)
            for d in days for at, n in d.items() for _ in range(n)]
    con = build(open_store(empty_db()), rows)
    try:
        pack = build_pack(con, WEEKLY_FILTERS, settings=Settings())
    finally:
        con.close()
    return next(t for s in pack.sections for t in s.tables if t.title == "Kontakter per vecka")


def test_weekly_table_holds_only_the_whole_weeks_of_both_periods(empty_db):
    """Contacts on the days of cut weeks (the period's Wednesday to Sunday, its last Monday and
    Tuesday, and alike in the comparison) count in no week; a Monday just after midnight and a
    Sunday just before it count by their local day."""
    table = _weekly_table(empty_db, EDGE_DAYS, WEEK_OF_12_MAY, OTHER_WEEKS)
    assert [c.key for c in table.columns] == ["week", "value", "previous"]
    assert table.rows == ((date(2025, 5, 12), 7, 6), (date(2025, 5, 19), 11, 8))
    assert "12–25 maj 2025" in table.note


def test_a_week_without_contacts_reads_zero_and_keeps_the_weeks_paired(empty_db):
    """With no contacts in the week of 12 May the engine has no row for it; the table still
    lists it (0 is shown, not a small cell) and sets 19 May against 28 April, not 21 April."""
    table = _weekly_table(empty_db, EDGE_DAYS, OTHER_WEEKS)
    assert table.rows == ((date(2025, 5, 12), 0, 6), (date(2025, 5, 19), 11, 8))


def test_cli_names_any_case_cuts_a_period_past_the_data_and_checks_the_format(
        sample_db, tmp_path, monkeypatch, capsys):
    """As the dashboard: a förvaltning in any case is the store's spelling, a misspelt one is
    refused with the closest names, a period reaching past the data is cut to it with a notice
    (its last weeks would otherwise read as a collapse), and --format must agree with the file."""
    import duckdb

    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    con = duckdb.connect(str(sample_db), read_only=True)
    (last,) = con.execute("select max(timezone('Europe/Stockholm', timezone('UTC', started_at)))"
                          "::date from contacts").fetchone()
    con.close()
    out = tmp_path / "paket.xlsx"
    start = date(last.year, last.month, 1)
    beyond = date(last.year + 1, 1, 31)
    assert cli_main(["--db", str(sample_db), "export", "--department", DEPT.upper(), "--from",
                     start.isoformat(), "--to", beyond.isoformat(), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "går utanför data" in err
    entry = _log(log)[0]
    assert entry["filter"]["departments"] == [DEPT]
    assert (entry["filter"]["start"], entry["filter"]["end"]) == (start.isoformat(), last.isoformat())

    assert cli_main(["--db", str(sample_db), "export", "--department", DEPT[:-2], "--out",
                     str(tmp_path / "y.xlsx")]) == 2
    err = capsys.readouterr().err
    assert f"Menade du '{DEPT}'" in err and not (tmp_path / "y.xlsx").exists()
    assert cli_main(["--db", str(sample_db), "export", "--format", "pdf", "--out",
                     str(tmp_path / "z.xlsx")]) == 2
    assert "slutar på .xlsx" in capsys.readouterr().err and not (tmp_path / "z.xlsx").exists()


def test_cli_metrics_match_names_in_any_case_and_refuse_unknown_ones(sample_db, capsys):
    args = ["--db", str(sample_db), "metrics", "--metric", "contacts", "--format", "csv",
            "--from", "2025-03-01", "--to", "2025-03-31"]
    assert cli_main([*args, "--department", DEPT]) == 0
    exact = capsys.readouterr().out
    assert cli_main([*args, "--department", DEPT.lower()]) == 0
    assert capsys.readouterr().out == exact
    assert cli_main([*args, "--department", DEPT + "x"]) == 2
    assert "Okänd förvaltning" in capsys.readouterr().err


def test_the_channel_table_says_why_phones_rates_are_hidden(empty_db, tmp_path):
    """A förvaltning where only phone and chat queue and chat's abandoned chats are few (2):
    chat's and phone's answered and abandoned hide together (docs/privacy.md, "Per kanal"),
    so phone's answer rate, waiting and handling time read "Dolt" beside its 30 contacts. The
    table says why under it, in the PDF and in the workbook."""
    from contact_fixtures import build, call, contact
    from dashboard.store import open_store

    def chat(answered: bool) -> dict:
        return contact("2025-03-11 10:00", "chat", queue_s=30, answered=answered,
                       abandoned=not answered, handle_s=200 if answered else None,
                       department=DEPT)

    rows = ([call("2025-03-10 10:00", wait=20, handle=180, department=DEPT) for _ in range(24)]
            + [call("2025-03-10 11:00", wait=90, answered=False, department=DEPT)
               for _ in range(6)]
            + [chat(True) for _ in range(8)] + [chat(False) for _ in range(2)]
            + [contact("2025-03-12 10:00", "email", handle_s=300, department=DEPT)
               for _ in range(12)])
    con = build(open_store(empty_db()), rows)
    try:
        pack = build_pack(con, FILTERS, comparison=None, settings=Settings())
    finally:
        con.close()
    table = next(t for s in pack.sections for t in s.tables if t.title == "Per kanal")
    by_channel = {row[0]: row for row in table.rows}
    rates = [table.column_index(m) for m in ("answer_rate", "asa_s", "aht_s")]
    assert by_channel["Telefon"][table.column_index("contacts")] == 30
    for channel in ("Telefon", "Chatt"):
        assert all(by_channel[channel][j].text == "Dolt" for j in rates), by_channel[channel]
    why = "”Dolt” (Telefon, Chatt): Dold så att en annan dold siffra inte kan räknas fram ur summan."
    assert why in table.full_note
    pdf = tmp_path / "paket.pdf"
    pdf.write_bytes(render(pack, "pdf"))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   check=True, text=True).stdout.split())
    assert why in text
    sheet = openpyxl.load_workbook(io.BytesIO(render(pack, "xlsx")))["Tillgänglighet"]
    assert any(why in str(c.value) for r in sheet.iter_rows() for c in r if c.value)


def test_cli_a_period_entirely_outside_the_data_names_the_datas_period(empty_db, tmp_path,
                                                                       monkeypatch, capsys):
    """As `metrics`: a pack for a period the data does not reach says which period it covers."""
    from contact_fixtures import build, contact
    from dashboard.store import open_store

    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    db = empty_db()
    build(open_store(db), [contact(f"2025-05-{d:02d} 10:00", department=DEPT)
                           for d in (12, 13, 20) for _ in range(8)]).close()
    out = tmp_path / "paket.xlsx"
    assert cli_main(["--db", str(db), "export", "--from", "2024-01-01", "--to", "2024-12-31",
                     "--out", str(out)]) == 1
    assert capsys.readouterr().err == (
        "Varning: perioden 1 januari–31 december 2024 ligger helt utanför data (12–20 maj 2025). "
        "Inget paket skapades; välj en period inom data.\n")
    assert not out.exists() and not log.exists()
    # inside the data's period, but no contact in it
    assert cli_main(["--db", str(db), "export", "--from", "2025-05-14", "--to", "2025-05-19",
                     "--out", str(out)]) == 1
    assert capsys.readouterr().err.startswith(
        "Varning: inga kontakter för hela staden 14–19 maj 2025 med de valda filtren. Inget paket "
        "skapades")
    assert not out.exists() and not log.exists()
