"""The marts refresh after an ingest touches only the days the new contacts change, and gives
exactly the marts a full rebuild from scratch gives.

The second implementation is the full build itself (`refresh_marts`) run on a second store that
holds the same contacts: after every randomised ingest every mart and distribution twin of the
incrementally refreshed store is compared row for row with it. The ingests are drawn to hit the
hard cases: files that overlap earlier ones, contacts from long before the store's last day,
the nights summer time starts and ends, and repeat chains (same caller, same topic) whose
neighbours lie on days the ingest does not otherwise touch, inside and just outside the 90-day
window.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from contact_fixtures import insert_contacts
from dashboard.store import marts, open_store
from dashboard.store.snapshot import published_tables

CHANNELS = ("phone", "phone", "chat", "email", "social", "visit", "e_service")
TOPICS = ("Ansökan om förskoleplats", "Status i ansökan om förskoleplats", "Ekonomiskt bistånd",
          "Status i ärende om ekonomiskt bistånd", None)
# UTC instants around the summer-time changes of 2025 (30 March, 26 October, at 01:00 UTC) and
# around local midnight, where a contact's local day differs from its UTC day.
HOT_SPOTS = (datetime(2025, 3, 30, 1, 0), datetime(2025, 10, 26, 1, 0), datetime(2025, 6, 14, 22, 0),
             datetime(2025, 12, 31, 23, 0))


def _mart_tables() -> list[str]:
    names = []
    for mart in marts.MARTS:
        names += [mart.name, mart.dist]
    return list(dict.fromkeys(names))


def _rows(con, table: str) -> list[tuple]:
    # table names are the marts' own list; sorted in Python so NULLs order deterministically
    return sorted(con.execute(f"select * from {table}").fetchall(), key=repr)


def _instant(rnd: random.Random, latest: datetime) -> datetime:
    pick = rnd.random()
    if pick < 0.4:   # near a summer-time change or local midnight, to the second
        base = rnd.choice(HOT_SPOTS)
        return base + timedelta(seconds=rnd.randint(-4 * 3600, 4 * 3600))
    if pick < 0.55:   # late-arriving: a year or more before the newest contacts
        return latest - timedelta(days=rnd.randint(300, 700), seconds=rnd.randint(0, 86_399))
    return latest - timedelta(days=rnd.randint(0, 120), seconds=rnd.randint(0, 86_399))


def _contact(rnd: random.Random, n: int, at: datetime, ingest_id: int) -> dict:
    channel = rnd.choice(CHANNELS)
    answered = rnd.random() < 0.8
    handled = rnd.random() < 0.7
    row = {
        "source_system": rnd.choice(("test", "other")), "contact_id": f"r{n}", "started_at": at,
        "channel": channel, "ingest_id": ingest_id,
        "caller_key": rnd.choice((None, "k1", "k2", "k3", "k4", "k5", "k6")),
        "topic": rnd.choice(TOPICS),
        "department": rnd.choice(("Förskoleförvaltningen", "Arbetsmarknads- och socialförvaltningen", None)),
        "city_area": rnd.choice(("Väster", "Norr", "Innerstaden", None)),
        "language": rnd.choice(("sv", "ar", None)),
        "customer_type": rnd.choice(("resident", "business", None)),
        "service_point": rnd.choice(("Rådhuset", None)),
        "outcome": rnd.choice(("resolved", "forwarded", "not_resolved", "unknown", None)),
        "demand_type": rnd.choice((None, None, "value", "failure")),
        "satisfaction": rnd.choice((None, 1, 3, 5)),
    }
    if row["demand_type"] == "failure":
        row["failure_reason"] = rnd.choice(("repeat", "progress_chasing", None))
    if channel in ("phone", "chat"):
        row.update(queue_s=rnd.choice((0, 5, 45, 299, 300, 1799, 4000, 9000)), answered=answered,
                   abandoned=not answered, handle_s=rnd.randint(30, 900) if answered else None)
    elif channel in ("email", "social"):
        row.update(first_response_s=rnd.choice((None, 600, 86_400, 200_000, 400_000)),
                   handle_s=rnd.randint(60, 600) if handled else None)
    else:
        row["handle_s"] = rnd.randint(60, 900)
    return row


def _chain_partner(rnd: random.Random, n: int, old: dict, ingest_id: int) -> dict:
    """A contact by the same caller on the same topic as a stored one, a few hours to just over
    the 90-day window away, so the stored contact's day changes (or, past 90 days, does not)."""
    gap = rnd.choice((timedelta(hours=3), timedelta(days=1), timedelta(days=89, hours=23),
                      timedelta(days=90), timedelta(days=90, seconds=1), timedelta(days=95)))
    row = _contact(rnd, n, old["started_at"] + rnd.choice((1, -1)) * gap, ingest_id)
    row.update(caller_key=old["caller_key"], topic=old["topic"])
    return row


def _ingest(con, rows: list[dict], incremental: bool) -> str:
    """Land the rows the store does not hold yet (an overlapping file's repeats are skipped, as
    the ingest does), then refresh the marts in the same transaction."""
    held = {tuple(r) for r in con.execute("select source_system, contact_id from contacts").fetchall()}
    fresh, seen = [], set()
    for row in rows:
        key = (row["source_system"], row["contact_id"])
        if key not in held and key not in seen:
            fresh.append(row)
            seen.add(key)
    con.execute("begin transaction")
    if fresh:
        insert_contacts(con, fresh)
    if incremental:
        done = marts.update_marts(con)
    else:
        marts.refresh_marts(con)
        done = "full"
    con.execute("commit")
    return done


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_refresh_of_random_ingests_equals_a_full_rebuild(tmp_path, seed):
    rnd = random.Random(seed)
    incremental = open_store(tmp_path / "incremental.duckdb")
    rebuilt = open_store(tmp_path / "rebuilt.duckdb")
    latest = datetime(2025, 11, 30, 12, 0)
    stored: list[dict] = []
    n = 0
    kinds = []
    for ingest_id in range(1, 7):
        rows = []
        for _ in range(rnd.randint(1, 60)):
            n += 1
            rows.append(_contact(rnd, n, _instant(rnd, latest), ingest_id))
        linked = [r for r in stored if r["caller_key"] and r["topic"]]
        for _ in range(rnd.randint(0, 8) if linked else 0):
            n += 1
            rows.append(_chain_partner(rnd, n, rnd.choice(linked), ingest_id))
        if stored:   # an overlapping file: some contacts again, with the same start times
            rows += rnd.sample(stored, min(len(stored), rnd.randint(0, 15)))
        rnd.shuffle(rows)
        kinds.append(_ingest(incremental, rows, incremental=True))
        _ingest(rebuilt, rows, incremental=False)
        stored += [r for r in rows if r["ingest_id"] == ingest_id]
        for table in _mart_tables():
            assert _rows(incremental, table) == _rows(rebuilt, table), (ingest_id, table)
        latest += timedelta(days=rnd.randint(0, 3))
    # the first ingest builds the marts; every later one recomputed days only
    assert kinds[0] == "full" and set(kinds[1:]) <= {"days", "none"} and "days" in kinds[1:]
    assert incremental.execute("select count(*) from contact_facts").fetchall() == \
        incremental.execute("select count(*) from contacts").fetchall()


def _day_total(con, day: str) -> int:
    return con.execute("select sum(contacts_n) from mart_day where local_date = $d", {"d": day}).fetchall()[0][0]


def _simple(contact_id: str, at: datetime, ingest_id: int, **fields) -> dict:
    row = {"source_system": "test", "contact_id": contact_id, "started_at": at, "channel": "phone",
           "ingest_id": ingest_id, "queue_s": 10, "answered": True, "abandoned": False, "handle_s": 60}
    row.update(fields)
    return row


def test_refresh_recomputes_the_new_days_and_repeat_neighbours_only(tmp_path):
    """Marks left in the marts show which days were recomputed: a day the new contacts do not
    touch keeps its (deliberately wrong) mark, the new contact's day and the day of its repeat
    neighbour are recomputed from `contacts`."""
    con = open_store(tmp_path / "store.duckdb")
    topic = "Ekonomiskt bistånd"
    _ingest(con, [
        _simple("a", datetime(2025, 5, 1, 8), 1, caller_key="k1", topic=topic),
        _simple("b", datetime(2025, 5, 20, 8), 1, caller_key="k1", topic=topic),   # b -> new: 40 days
        _simple("c", datetime(2025, 6, 1, 8), 1, caller_key="k2", topic=topic),
        _simple("d", datetime(2025, 1, 5, 8), 1, caller_key="k1", topic=topic),   # far before b
    ], incremental=True)
    before = {d: _day_total(con, d) for d in ("2025-05-01", "2025-05-20", "2025-06-01", "2025-01-05")}
    assert before == {"2025-05-01": 1, "2025-05-20": 1, "2025-06-01": 1, "2025-01-05": 1}
    con.execute("update mart_day set contacts_n = 100 where local_date in ('2025-05-01', '2025-05-20', "
                "'2025-06-01', '2025-01-05')")
    assert _ingest(con, [_simple("e", datetime(2025, 6, 29, 8), 2, caller_key="k1", topic=topic)],
                   incremental=True) == "days"
    after = {d: _day_total(con, d) for d in ("2025-05-01", "2025-05-20", "2025-06-01", "2025-01-05", "2025-06-29")}
    # b is e's neighbour (recomputed); a, c and d are not touched by e (their marks stay)
    assert after == {"2025-05-01": 100, "2025-05-20": 1, "2025-06-01": 100, "2025-01-05": 100, "2025-06-29": 1}
    followup = con.execute("select followup_days from contact_facts where local_date = '2025-05-20'").fetchall()
    assert followup == [(40,)]


def test_refresh_falls_back_to_a_full_build_when_it_cannot_tell_what_changed(tmp_path):
    con = open_store(tmp_path / "store.duckdb")
    assert _ingest(con, [_simple("a", datetime(2025, 5, 1, 8), 1)], incremental=True) == "full"
    assert _ingest(con, [_simple("b", datetime(2025, 5, 2, 8), 2)], incremental=True) == "days"
    assert _ingest(con, [], incremental=True) == "none"
    # a contact written without a new ingest id (not by an ingest): the watermark cannot see it
    assert _ingest(con, [_simple("c", datetime(2025, 5, 3, 8), 1)], incremental=True) == "full"
    # a lookup the facts join changed (a topic now counts as progress chasing)
    con.execute("update topics set is_progress_chasing = true where topic = 'Ekonomiskt bistånd'")
    assert _ingest(con, [_simple("d", datetime(2025, 5, 4, 8), 3)], incremental=True) == "full"
    # the reporting time zone changed
    con.execute("insert into meta values ('reporting_timezone', 'Europe/Helsinki') "
                "on conflict (key) do update set value = excluded.value")
    assert _ingest(con, [_simple("e", datetime(2025, 5, 5, 8), 4)], incremental=True) == "full"
    assert con.execute("select count(*) from mart_day_channel").fetchall()[0][0] == 5


def test_a_real_ingest_of_overlapping_and_late_files_equals_a_full_rebuild(tmp_path):
    """The whole chain: CSV exports through the ingest (duplicates skipped, repeat chains from
    the callers' phone numbers) across the night summer time starts, then a late file of older
    dates, compared with a full rebuild of the same store's copy."""
    import datetime as dt
    import shutil

    from ingest_fixtures import profile_file, run_ingest, telephony_frame, write_csv

    frame = telephony_frame(900, seed=3, start=dt.datetime(2024, 3, 30, 18, 0))
    files = [write_csv(frame.slice(0, 400), tmp_path / "a.csv"),
             write_csv(frame.slice(300, 600), tmp_path / "b.csv"),   # rows 300-899: 100 overlap a.csv
             write_csv(telephony_frame(200, seed=4, start=dt.datetime(2024, 1, 2, 9, 0)), tmp_path / "old.csv")]
    profile = profile_file(tmp_path)
    con = open_store(tmp_path / "store.duckdb")
    for f in files:
        summary = run_ingest(con, [f], profile)
        assert summary.files[0].landed > 0
    assert con.execute("select count(*) from contacts").fetchall()[0][0] == 900 + 200   # 400 + 600 rows, 100 of them twice
    assert con.execute("select value from meta where key = 'marts_ingest_id'").fetchall()[0][0] == \
        str(con.execute("select max(ingest_id) from contacts").fetchall()[0][0])
    con.close()
    shutil.copy(tmp_path / "store.duckdb", tmp_path / "copy.duckdb")
    incremental = open_store(tmp_path / "store.duckdb", read_only=True)
    rebuilt = open_store(tmp_path / "copy.duckdb")
    rebuilt.execute("begin transaction")
    marts.refresh_marts(rebuilt)
    rebuilt.execute("commit")
    for table in _mart_tables():
        assert _rows(incremental, table) == _rows(rebuilt, table), table
    assert set(_mart_tables()) <= set(published_tables())


def _published(db, names, pointer=None) -> dict:
    """The tables `names` of the store `db`, or with `pointer` of its published snapshot."""
    from dashboard.store.snapshot import open_published

    con = open_published(db, pointer) if pointer else open_store(db, read_only=True)
    try:
        return {n: _rows(con, n) for n in names}
    finally:
        con.close()


def _recent_instant(rnd: random.Random, latest: datetime) -> datetime:
    """An instant of the last 25 days (a month's file): it and its repeat neighbours (up to 91
    days earlier) are on or after the snapshot's cutoff."""
    return latest - timedelta(days=rnd.randint(0, 25), seconds=rnd.randint(0, 86_399))


def test_publish_after_an_ingest_copies_the_changed_days_onto_the_previous_snapshot(tmp_path):
    """Each snapshot equals the store in every published table. After an incremental refresh of
    recent days its top is built from the previous top plus the rewritten days and it reads the
    same base (a mart row of an untouched recent day, altered in the store behind the change
    log's back, keeps its published value); a late-arriving old day, or a full rebuild, writes
    a new base and top whole."""
    from dashboard.store import writing
    from dashboard.store.snapshot import open_published, read_pointer

    db = tmp_path / "store.duckdb"
    rnd = random.Random(7)
    latest = datetime(2025, 11, 30, 12)
    names = [t for t in published_tables() if t not in ("schema_migrations",)]
    n = 0
    pointers = []
    for ingest_id in range(1, 6):
        with writing(db) as con:
            rows = []
            for _ in range(30):
                n += 1
                at = _instant(rnd, latest) if ingest_id in (1, 5) else _recent_instant(rnd, latest)
                rows.append(_contact(rnd, n, at, ingest_id))
            _ingest(con, rows, incremental=True)
        pointer = read_pointer(db)
        pointers.append(pointer)
        assert _published(db, names, pointer) == _published(db, names), ingest_id
    assert [p.delta for p in pointers] == [False, True, True, True, False]
    assert len({p.base for p in pointers[:4]}) == 1 and pointers[4].base != pointers[0].base
    # the base holds the days before the cutoff, the first of a month 123 to 153 days before
    # the newest day (1 January 2026, a summer-time change's neighbourhood in _instant)
    assert pointers[0].cutoff == "2025-08-01"

    with writing(db) as con:   # behind the change log's back: not a refresh
        untouched = con.execute("select min(local_date) from mart_day where local_date >= "
                                "'2025-10-01'").fetchall()[0][0]
        con.execute("update mart_day set contacts_n = 77 where local_date = $d", {"d": untouched})
    with writing(db) as con:
        assert _ingest(con, [_simple("x", datetime(2025, 11, 30, 8), 9)], incremental=True) == "days"
    pointer = read_pointer(db)
    assert pointer.delta and pointer.base == pointers[4].base
    snap_con = open_published(db, pointer)
    assert 77 not in {r[0] for r in snap_con.execute(
        "select contacts_n from mart_day where local_date = $d", {"d": untouched}).fetchall()}
    assert snap_con.execute("select sum(contacts_n) from mart_day where local_date = '2025-11-30'"
                            ).fetchall()[0][0] >= 1
    snap_con.close()

    with writing(db) as con:
        con.execute("begin transaction")
        marts.refresh_marts(con)
        con.execute("commit")
    pointer = read_pointer(db)
    assert not pointer.delta
    assert _published(db, ["mart_day"], pointer) == _published(db, ["mart_day"])


def test_a_recent_part_grown_past_its_span_moves_the_cutoff_and_old_bases_go(tmp_path, monkeypatch):
    """Days newer than the cutoff + RECENT_MAX_DAYS move the cutoff (a new base); a base that no
    kept snapshot reads is removed with them, one that a kept snapshot reads stays."""
    from dashboard.store import snapshot, writing

    monkeypatch.setattr(snapshot, "KEEP", 1)
    monkeypatch.setattr(snapshot, "KEEP_S", 0.0)
    db = tmp_path / "store.duckdb"
    with writing(db) as con:
        _ingest(con, [_simple("a", datetime(2025, 1, 10, 8), 1),
                      _simple("b", datetime(2025, 5, 20, 8), 1)], incremental=True)
    first = snapshot.read_pointer(db)
    assert first.cutoff == "2025-01-01"   # 20 May − 123 days = 17 January
    with writing(db) as con:   # 214 days after the cutoff: still the same base
        _ingest(con, [_simple("c", datetime(2025, 8, 3, 8), 2)], incremental=True)
    second = snapshot.read_pointer(db)
    assert second.delta and second.base == first.base
    with writing(db) as con:   # 215 days after it: a new base
        _ingest(con, [_simple("d", datetime(2025, 8, 4, 8), 3)], incremental=True)
    third = snapshot.read_pointer(db)
    assert not third.delta and third.base != first.base and third.cutoff == "2025-04-01"
    names = [t for t in published_tables() if t not in ("schema_migrations",)]
    assert _published(db, names, third) == _published(db, names)
    files = {p.name for p in snapshot.snapshot_dir(db).glob("*.duckdb")}
    assert files == {third.file, third.base}
