"""`kontaktcenter ingest` and `kontaktcenter profile suggest` as a user runs them."""

from __future__ import annotations

import io
import json
import os
import tomllib
from pathlib import Path

import duckdb
import pytest

from dashboard.cli import main
from dashboard.cli.ingest import ProgressPrinter
from dashboard.ingest import Progress
from ingest_fixtures import KEY, SMALL_HEADER, SMALL_PROFILE, header_csv, sid, small_row, telephony_frame, write_csv

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("KONTAKTCENTER_KEY", KEY.hex())
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    monkeypatch.delenv("KONTAKTCENTER_DB", raising=False)
    profile = tmp_path / "liten.toml"
    profile.write_text(SMALL_PROFILE, encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(header_csv(SMALL_HEADER, [small_row("C1"), small_row("C2", date="2024-02-30")]), encoding="utf-8")
    return tmp_path, profile, good


def cli(tmp_path, *args) -> int:
    return main(["--db", str(tmp_path / "store.duckdb"), *map(str, args)])


def test_ingest_prints_a_swedish_summary(env, capsys):
    tmp_path, profile, good = env
    assert cli(tmp_path, "ingest", good, "--profile", profile, "--quiet", "--max-quarantine-share", "0.5") == 0
    out = capsys.readouterr().out
    assert "good.csv: läst 2, inläst 1, karantän 1, dubbletter hoppade över 0" in out
    assert "Totalt: läst 2, inläst 1, karantän 1, dubbletter hoppade över 0." in out
    assert "quarantine" in out


def test_file_level_failure_exits_1_and_the_rest_lands(env, capsys):
    tmp_path, profile, good = env
    broken = tmp_path / "rapport.xlsx"
    broken.write_text("inte en arbetsbok", encoding="utf-8")
    assert cli(tmp_path, "ingest", good, broken, "--profile", profile, "-q",
               "--max-quarantine-share", "1") == 1
    captured = capsys.readouterr()
    # the problem and its fix once on stderr (the verdict), once in the summary on stdout
    assert captured.err.count("Filen ska vara en Excel-arbetsbok") == 1
    assert "- rapport.xlsx: filen kunde inte läsas. Filen ska vara en Excel-arbetsbok" in captured.err
    assert "Åtgärd:" in captured.err
    assert "Det som gick att läsa in är sparat; rätta felet och läs in filen igen." in captured.err
    assert "quarantine" not in captured.err
    assert "1 fil(er) kunde inte läsas alls; övriga filer lästes in." in captured.out
    con = duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True)
    assert con.execute("select contact_id from contacts").fetchall() == [(sid("C1"),)]


def test_a_missing_file_is_one_swedish_message_exit_2_and_nothing_is_read(env, capsys, monkeypatch):
    tmp_path, profile, good = env
    missing = tmp_path / "finns_inte.csv"
    assert cli(tmp_path, "ingest", missing, "--profile", profile, "-q") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"Fel: Filen {missing} finns inte. Kontrollera sökvägen; ingen fil "
                            "lästes in.\n")
    assert not (tmp_path / "store.duckdb").exists()   # no store made for a typo
    # with a file that exists: still one message, naming every missing file, and nothing lands
    other = tmp_path / "saknas.xlsx"
    assert cli(tmp_path, "ingest", good, missing, other, tmp_path, "--profile", profile, "-q") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"Fel: Filerna {missing}, {other} finns inte och {tmp_path} är en "
                            "katalog. Kontrollera sökvägarna; ingen fil lästes in.\n")
    assert not (tmp_path / "store.duckdb").exists()
    # checked before the key: the missing file is what the user has to fix first
    monkeypatch.delenv("KONTAKTCENTER_KEY")
    assert cli(tmp_path, "ingest", missing, "--profile", profile, "-q") == 2
    assert capsys.readouterr().err.startswith(f"Fel: Filen {missing} finns inte.")


def test_the_only_file_unreadable_says_nothing_landed(env, capsys):
    tmp_path, profile, _ = env
    broken = tmp_path / "rapport.xlsx"
    broken.write_bytes(b"PK\x03\x04 inte en hel arbetsbok")
    assert cli(tmp_path, "ingest", broken, "--profile", profile, "-q") == 1
    captured = capsys.readouterr()
    assert "1 fil(er) kunde inte läsas alls." in captured.out
    assert "övriga filer" not in captured.out
    assert captured.err.count("rapport.xlsx") == 1
    assert captured.err.endswith("Inget lästes in; rätta felet och läs in filen igen.\n")


def test_a_few_bad_rows_are_not_a_failure(env):
    tmp_path, profile, _ = env
    ok = tmp_path / "ok.csv"
    rows = [small_row(f"K{i}") for i in range(9)] + [small_row("X", date="2024-13-13")]
    ok.write_text(header_csv(SMALL_HEADER, rows), encoding="utf-8")
    assert cli(tmp_path, "ingest", ok, "--profile", profile, "-q") == 0   # 10 %: at the limit


def test_a_file_where_nothing_lands_exits_1_with_the_commonest_reason(env, capsys):
    tmp_path, profile, _ = env
    bad = tmp_path / "bad.csv"
    bad.write_text(header_csv(SMALL_HEADER, [small_row("X", date="1998-03-01"), small_row("Y", date="1997-01-02")]),
                   encoding="utf-8")
    assert cli(tmp_path, "ingest", bad, "--profile", profile, "-q") == 1
    err = capsys.readouterr().err
    assert "Inläsningen räknas som misslyckad" in err
    assert "bad.csv: ingen rad lästes in; alla 2 prövade rader hamnade i karantän." in err
    assert "Vanligaste orsak (2 rader): Orimligt datum" in err and "earliest_plausible_date" in err
    # the store is queryable, and `metrics` says there is no data yet
    assert cli(tmp_path, "metrics") == 0
    assert "inga kontakter ännu" in capsys.readouterr().out
    # a lower earliest_plausible_date reads the archive
    os.environ["KONTAKTCENTER_EARLIEST_PLAUSIBLE_DATE"] = "1990-01-01"
    try:
        assert cli(tmp_path, "ingest", bad, "--profile", profile, "-q") == 0
    finally:
        del os.environ["KONTAKTCENTER_EARLIEST_PLAUSIBLE_DATE"]


def test_quarantined_share_over_the_limit_exits_1(env, capsys):
    tmp_path, profile, good = env      # 1 of 2 rows quarantined
    assert cli(tmp_path, "ingest", good, "--profile", profile, "-q", "--max-quarantine-share", "0.4") == 1
    assert "good.csv: 50\u00a0% av raderna hamnade i karantän, mer än gränsen 40\u00a0%" in capsys.readouterr().err


def test_db_is_accepted_after_the_subcommand_too(env):
    tmp_path, profile, good = env
    db = tmp_path / "efter.duckdb"
    assert main(["ingest", str(good), "--profile", str(profile), "-q", "--db", str(db),
                 "--max-quarantine-share", "1"]) == 0
    assert duckdb.connect(str(db), read_only=True).execute("select count(*) from contacts").fetchone() == (1,)


def test_bad_profile_exits_2_with_the_fix(env, capsys):
    tmp_path, _, good = env
    bad = tmp_path / "fel.toml"
    bad.write_text('source_system = "x"\n[colums]\n', encoding="utf-8")
    assert cli(tmp_path, "ingest", good, "--profile", bad) == 2
    err = capsys.readouterr().err
    assert "Okänd nyckel i profilen: colums" in err and "docs/ingest.md" in err


def test_source_system_override(env):
    tmp_path, profile, good = env
    assert cli(tmp_path, "ingest", good, "--profile", profile, "--source-system", "vaxel2", "-q",
               "--max-quarantine-share", "1") == 0
    con = duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True)
    assert con.execute("select distinct source_system from contacts").fetchall() == [("vaxel2",)]
    assert con.execute("select distinct source_system from ingest_log").fetchall() == [("vaxel2",)]


def test_locked_store_is_explained(env, capsys):
    tmp_path, profile, good = env
    holder = duckdb.connect(str(tmp_path / "store.duckdb"))
    try:
        import subprocess
        import sys
        proc = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(tmp_path / "store.duckdb"),
                               "ingest", str(good), "--profile", str(profile)], capture_output=True, text=True,
                              timeout=120, env={**os.environ, "KONTAKTCENTER_LOCK_WAIT_S": "0.5"})
    finally:
        holder.close()
    assert proc.returncode == 2
    assert "väntar upp till" in proc.stderr                         # it waited for the lock first
    assert "kunde inte öppnas för skrivning" in proc.stderr and "Vänta tills det är klart" in proc.stderr


class FakeStream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_progress_lines_for_long_files(monkeypatch):
    clock = iter([0.0, 0.5, 2.5, 3.0, 4.0, 13.0])
    monkeypatch.setattr("dashboard.cli.ingest.time.monotonic", lambda: next(clock))
    stream = FakeStream(tty=False)
    printer = ProgressPrinter(stream)            # start = 0.0
    for i, fraction in enumerate([0.1, 0.2, 0.3, 0.4, 0.9]):
        printer(Progress(Path("stor.csv"), 1, 2, (i + 1) * 100_000, fraction, i + 1))
    printer(Progress(Path("stor.csv"), 1, 2, 500_000, 1.0, 5, done=True))
    lines = stream.getvalue().splitlines()
    # 0.5 s: too early; 2.5 s: first line; 3.0 and 4.0: within 10 s; 13.0: next line.
    assert lines == ["Läser stor.csv (fil 1 av 2): 200\u00a0000 rader (20 %)",
                     "Läser stor.csv (fil 1 av 2): 500\u00a0000 rader (90 %)"]


def test_progress_on_a_terminal_rewrites_one_line(monkeypatch):
    clock = iter([0.0, 3.0, 3.5, 4.2])
    monkeypatch.setattr("dashboard.cli.ingest.time.monotonic", lambda: next(clock))
    stream = FakeStream(tty=True)
    printer = ProgressPrinter(stream)
    printer(Progress(Path("a.csv"), 1, 1, 10, None, 1))
    printer(Progress(Path("a.csv"), 1, 1, 20, None, 2))
    printer(Progress(Path("a.csv"), 1, 1, 30, None, 3))
    printer(Progress(Path("a.csv"), 1, 1, 30, 1.0, 3, done=True))
    assert stream.getvalue() == "\rLäser a.csv (fil 1 av 1): 10 rader\rLäser a.csv (fil 1 av 1): 30 rader\n"


def test_profile_suggest_to_stdout_and_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    export = write_csv(telephony_frame(40, seed=21), tmp_path / "vaxel.csv", encoding="cp1252")
    assert main(["profile", "suggest", str(export), "--source-system", "vaxel"]) == 0
    text = capsys.readouterr().out
    assert tomllib.loads(text)["source_system"] == "vaxel"
    out = tmp_path / "vaxel.toml"
    assert main(["profile", "suggest", str(export), "--out", str(out)]) == 0
    assert "ATT GÖRA" in capsys.readouterr().out and out.read_text(encoding="utf-8").startswith("# Utkast")
    assert main(["profile", "suggest", str(export), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["profile", "suggest", str(export), "--out", str(out), "--force"]) == 0


def test_profile_suggest_on_a_broken_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    assert main(["profile", "suggest", str(empty)]) == 2
    assert "Filen är tom" in capsys.readouterr().err


def test_profile_suggest_without_a_start_time_prints_the_draft_warns_and_exits_1(tmp_path, capsys,
                                                                                 monkeypatch):
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    export = tmp_path / "okand.csv"
    export.write_text("Kolumn A;Kolumn B\nabc;12\ndef;34\n", encoding="utf-8")
    assert main(["profile", "suggest", str(export)]) == 1
    captured = capsys.readouterr()
    draft = tomllib.loads(captured.out)   # the draft is still printed, and is TOML
    assert draft["started_at"]["column"] == "ANGE KOLUMN"
    assert "Varning: obligatoriska fält som ingen kolumn i okand.csv kunde mappas till: " \
           "starttid (started_at)." in captured.err
    out = tmp_path / "okand.toml"
    assert main(["profile", "suggest", str(export), "--out", str(out)]) == 1
    assert tomllib.loads(out.read_text(encoding="utf-8"))["started_at"]["column"] == "ANGE KOLUMN"
    assert "starttid (started_at)" in capsys.readouterr().err
    # with a start time the same kind of file gives a draft and exit 0, without the warning
    export.write_text("Starttid;Kolumn B\n2025-03-01 08:00;12\n2025-03-01 08:05;34\n", encoding="utf-8")
    assert main(["profile", "suggest", str(export)]) == 0
    captured = capsys.readouterr()
    assert tomllib.loads(captured.out)["started_at"]["column"] == "Starttid"
    assert "Varning" not in captured.err


def test_shipped_example_through_the_cli(env, capsys):
    tmp_path = env[0]
    code = cli(tmp_path, "ingest", ROOT / "sample_data/examples/telefoni_export.csv",
               "--profile", ROOT / "sample_data/profiles/telefoni_export.toml", "-q")
    assert code == 0
    out = capsys.readouterr().out
    assert "läst 43, inläst 41, karantän 1, dubbletter hoppade över 0, överhoppade enligt profilens skip-regler 1" in out


def test_profile_suggest_refuses_a_file_of_totals_with_exit_2(env, capsys):
    tmp_path, _, _ = env
    assert cli(tmp_path, "profile", "suggest", ROOT / "sample_data/examples/manadsrapport.csv") == 2
    assert "sammanställning" in capsys.readouterr().err


def test_default_metrics_show_counts_aht_and_satisfaction(env, capsys):
    tmp_path, _, _ = env
    example = ROOT / "sample_data/examples/call_log_en.csv"
    assert cli(tmp_path, "ingest", example, "--profile", ROOT / "sample_data/profiles/call_log_en.toml", "-q") == 0
    capsys.readouterr()
    assert cli(tmp_path, "metrics", "--format", "json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    for metric in ("answered", "abandoned", "aht_s", "satisfaction_mean", "resolved_rate"):
        assert metric in row, metric
