"""ingest_log details (migration 002): rows skipped by the profile and the key's fingerprint."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dashboard import store
from dashboard.ingest import load_profile
from dashboard.ingest.pseudonym_key import key_fingerprint
from ingest_fixtures import KEY, run_ingest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "sample_data" / "examples" / "telefoni_export.csv"
PROFILE = ROOT / "sample_data" / "profiles" / "telefoni_export.toml"


def _store_at_migration_001(db: Path) -> None:
    """A store as the first release left it: migration 001 only, one ingest already logged."""
    con = duckdb.connect(str(db))
    con.execute("create table schema_migrations ("
                " version integer primary key, name varchar not null, applied_at timestamp not null)")
    con.execute((store.MIGRATIONS_DIR / "001_contract.sql").read_text(encoding="utf-8"))
    con.execute("insert into schema_migrations values (1, 'contract', now()::timestamp)")
    con.execute("insert into ingest_log values (41, 'telefoni', 'gammal.csv', 'ab', 'p@1', 5, 5, 0, 0, "
                "timestamp '2025-01-01 08:00', timestamp '2025-01-01 08:01')")
    con.close()


def test_old_store_is_migrated_and_an_ingest_logs_skipped_rows_and_key_fingerprint(tmp_path):
    db = tmp_path / "gammal.duckdb"
    _store_at_migration_001(db)
    con = store.open_store(db)
    assert store.migrate(con) == []    # every later migration was applied by the open
    assert [r[0] for r in con.execute("select version from schema_migrations order by 1").fetchall()] == [
        v for v, _, _ in store.migrations()]
    old = con.execute("select rows_skipped, key_fingerprint from ingest_log where ingest_id = 41").fetchall()
    assert old == [(0, None)]          # earlier rows: nothing known to be skipped, key unknown

    summary = run_ingest(con, [EXAMPLE], load_profile(PROFILE))
    f = summary.files[0]
    assert f.skipped == 1              # the example's one test call (test_profile.py)
    logged = con.execute(
        "select rows_read, rows_landed, rows_quarantined, rows_duplicate, rows_skipped, key_fingerprint "
        "from ingest_log where ingest_id = $id", {"id": f.ingest_id}).fetchall()
    assert logged == [(f.rows_read, f.landed, f.quarantined, f.duplicates, 1, key_fingerprint(KEY))]
    assert f.rows_read == f.landed + f.quarantined + f.duplicates + f.skipped
    con.close()


def test_rotated_key_shows_as_another_fingerprint(tmp_path):
    from dashboard.ingest import ingest_files

    con = store.open_store(tmp_path / "s.duckdb")
    profile = load_profile(PROFILE)
    copy = tmp_path / "kopia.csv"
    copy.write_bytes(EXAMPLE.read_bytes() + b"\n")   # other bytes, so not "already ingested"
    run_ingest(con, [EXAMPLE], profile)
    other = b"en-annan-nyckel-efter-rotation-0123"
    ingest_files(con, [copy], profile, other)
    prints = [r[0] for r in con.execute("select key_fingerprint from ingest_log order by ingest_id").fetchall()]
    assert prints[0] == key_fingerprint(KEY)
    assert prints[-1] == key_fingerprint(other) != prints[0]
