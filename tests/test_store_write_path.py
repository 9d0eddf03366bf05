"""The write path on real store files: bounded memory (a setting), and a file that does not grow
by a third with a marts refresh (the first full rebuild after a store is built included)."""

from __future__ import annotations

import shutil

import pytest

from dashboard.config import load_settings
from dashboard.store import marts, open_store, writing
from store_support import cli_env, published_content, store_content  # noqa: F401 (cli_env: a fixture)


def _size(path) -> int:
    return path.stat().st_size + (path.with_name(path.name + ".wal").stat().st_size
                                  if path.with_name(path.name + ".wal").exists() else 0)


def _ingest_copies(con, rows: int, day: str, tag: str) -> str:
    """Land `rows` existing contacts again as new ones on `day` (new ids, a new ingest id), then
    refresh the marts, in one transaction like an ingest."""
    con.execute("begin transaction")
    newest = con.execute("select max(ingest_id) from contacts").fetchall()[0][0]
    con.execute(
        "insert into contacts by name select * replace ($tag || contact_id as contact_id, "
        "$id as ingest_id, cast($day as timestamp) + (started_at - date_trunc('day', started_at)) as started_at) "
        "from (select * from contacts where ingest_id <= $newest order by contact_id limit $n)",
        {"tag": tag, "id": newest + 1, "day": day, "newest": newest, "n": rows})
    done = marts.update_marts(con)
    con.execute("commit")
    return done


def test_the_first_full_rebuild_after_a_store_is_built_stays_inside_the_file(sample_db, cli_env):
    """`metrics --refresh-marts` right after `sample`: the old marts' blocks are freed (dropped,
    committed, checkpointed) before the new ones are written, so the file stays within a few per
    cent (one transaction grew it by about a half: 41.7 to 64.8 MB on the 200 000 sample), with
    the same marts as a build in one transaction."""
    from dashboard.cli import main

    db = cli_env / "store.duckdb"
    shutil.copy(sample_db, db)
    built = _size(db)
    assert main(["--db", str(db), "metrics", "--refresh-marts", "--metric", "offered",
                 "--format", "csv"]) == 0
    assert _size(db) <= built * 1.05, (built, _size(db))
    once = cli_env / "once.duckdb"   # the same rebuild in one transaction (as an ingest does it)
    shutil.copy(sample_db, once)
    with writing(once) as con:
        con.execute("begin transaction")
        marts.refresh_marts(con)
        con.execute("commit")
    assert store_content(db) == store_content(once)
    assert published_content(db) == published_content(once)


def test_refreshes_after_ingests_do_not_grow_the_file_beyond_the_new_rows(sample_db, tmp_path):
    db = tmp_path / "store.duckdb"
    shutil.copy(sample_db, db)
    with writing(db) as con:   # a full rebuild in one transaction (an ingest's) grows the file
        con.execute("begin transaction")
        marts.refresh_marts(con)
        con.execute("commit")
    rebuilt = _size(db)
    with writing(db) as con:
        con.execute("begin transaction")
        marts.refresh_marts(con)
        con.execute("commit")
    # the second full rebuild reuses the blocks the first one freed, and so does the standalone one
    assert _size(db) <= rebuilt * 1.05
    with writing(db) as con:
        marts.rebuild_marts(con)
    assert _size(db) <= rebuilt * 1.05
    stored = open_store(db, read_only=True)
    contacts = stored.execute("select count(*) from contacts").fetchall()[0][0]
    stored.close()
    for i in range(3):
        with writing(db) as con:
            assert _ingest_copies(con, 500, f"2025-12-{20 + i}", f"n{i}-") == "days"
    # 1 500 new contacts (2.5 % of the store): the file grows by a few per cent, not a third
    assert _size(db) <= rebuilt * 1.10, (rebuilt, _size(db))
    stored = open_store(db, read_only=True)
    assert stored.execute("select count(*) from contacts").fetchall()[0][0] == contacts + 1500
    assert stored.execute("select count(*) from contact_facts").fetchall()[0][0] == contacts + 1500
    stored.close()


def test_writers_run_within_the_configured_memory_and_spill_next_to_the_store(tmp_path, monkeypatch):
    db = tmp_path / "store.duckdb"
    with writing(db) as con:   # the default: 1.4 GB (1 400 000 000 bytes, 1.3 GiB)
        limit, temp = con.execute("select current_setting('memory_limit'), "
                                  "current_setting('temp_directory')").fetchall()[0]
    assert limit == "1.3 GiB" and temp == str(tmp_path / "store.duckdb.tmp")
    monkeypatch.setenv("KONTAKTCENTER_WRITE_MEMORY_LIMIT", "300MB")
    settings = load_settings(config_file=tmp_path / "none.toml")
    assert settings.write_memory_limit == "300MB"
    with writing(db, memory_limit=settings.write_memory_limit) as con:
        limit = con.execute("select current_setting('memory_limit')").fetchall()[0][0]
    assert limit == "286.1 MiB"   # 300 000 000 bytes
    monkeypatch.setenv("KONTAKTCENTER_WRITE_MEMORY_LIMIT", "a lot")
    with pytest.raises(ValueError, match="write_memory_limit"):
        load_settings(config_file=tmp_path / "none.toml")


def test_an_ingest_command_honours_the_memory_setting(tmp_path, monkeypatch, capsys):
    """The limit reaches DuckDB from the setting through the CLI: a limit too small makes the
    ingest stop with a Swedish message naming the setting (no traceback), not grow."""
    from ingest_fixtures import KEY, TELEPHONY_PROFILE, telephony_frame, write_csv

    from dashboard.cli import main

    csv = write_csv(telephony_frame(300, seed=2), tmp_path / "a.csv")
    profile = tmp_path / "profil.toml"
    profile.write_text(TELEPHONY_PROFILE.format(batch_rows=100_000), encoding="utf-8")
    monkeypatch.setenv("KONTAKTCENTER_KEY", KEY.hex())
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "none.toml"))
    db = tmp_path / "store.duckdb"
    monkeypatch.setenv("KONTAKTCENTER_WRITE_MEMORY_LIMIT", "1MB")
    assert main(["--db", str(db), "ingest", "--profile", str(profile), "-q", str(csv)]) != 0
    err = capsys.readouterr().err
    assert "write_memory_limit = 1MB" in err and "Traceback" not in err
    monkeypatch.setenv("KONTAKTCENTER_WRITE_MEMORY_LIMIT", "2GB")
    assert main(["--db", str(db), "ingest", "--profile", str(profile), "-q", str(csv)]) == 0


def test_a_sample_build_honours_the_memory_setting(tmp_path, monkeypatch, capsys):
    """`sample` writes within the setting too: too little memory is the same Swedish message,
    with no half-built file left and no store created."""
    from dashboard.cli import main

    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("KONTAKTCENTER_WRITE_MEMORY_LIMIT", "1MB")
    db = tmp_path / "sample.duckdb"
    assert main(["--db", str(db), "sample", "--rows", "2000"]) != 0
    err = capsys.readouterr().err
    assert "write_memory_limit = 1MB" in err and "Traceback" not in err
    assert not db.exists() and not list(tmp_path.glob(".sample.duckdb.building-*"))
    monkeypatch.setenv("KONTAKTCENTER_WRITE_MEMORY_LIMIT", "300MB")
    assert main(["--db", str(db), "sample", "--rows", "2000"]) == 0
    assert db.exists()


def test_a_sample_build_leaves_room_for_the_generator(tmp_path, monkeypatch):
    """While the generator draws chunks beside DuckDB, DuckDB's limit is the setting less the
    generator's share (800 bytes a row of a chunk), never above the setting; the marts then get
    the whole setting back."""
    from dashboard.config import memory_bytes
    from dashboard.sample import store_build

    seen = {"insert": set(), "marts": set()}

    insert_frame, refresh = store_build._insert_frame, store_build.refresh_marts

    def spy_insert(con, frame, ingest_id):
        seen["insert"].add(con.execute("select current_setting('memory_limit')").fetchall()[0][0])
        insert_frame(con, frame, ingest_id)

    def spy_refresh(con):
        seen["marts"].add(con.execute("select current_setting('memory_limit')").fetchall()[0][0])
        refresh(con)

    monkeypatch.setattr(store_build, "_insert_frame", spy_insert)
    monkeypatch.setattr(store_build, "refresh_marts", spy_refresh)
    store_build.build_sample_store(tmp_path / "s.duckdb", 3000, chunk_rows=1000,
                                   memory_limit="1GB")
    # 1 000 000 000 - 800 * 1 000 bytes = 999 200 000 bytes = 952.9 MiB; the setting 953.6 MiB
    assert seen == {"insert": {"952.9 MiB"}, "marts": {"953.6 MiB"}}
    # a large chunk: 1.4 GB - 800 MB = 600 MB; a small setting is never exceeded
    assert store_build._insert_memory_limit("1.4GB", 1_000_000) == "600000000B"
    assert store_build._insert_memory_limit("1GB", 1_000_000) == "256000000B"
    assert store_build._insert_memory_limit("100MB", 1_000_000) == "100000000B"
    assert memory_bytes("512MiB") == 512 * 2**20 and memory_bytes("1,5 GB") is None
