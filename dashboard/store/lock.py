"""The writer lock: one writing process per store at a time, explicit and across processes.

Every command that writes the store (ingest, sample, migrate, the marts refresh, vocabulary
changes) holds `writer_lock(db)` for its whole run: an exclusive `flock` on `<db>.lock` next to
the store. A second writer waits for it (up to `LOCK_WAIT_S`, saying so once) and then stops with
a message naming the fix; the kernel releases the lock when the holder exits, even by SIGKILL, so
a killed writer never leaves it stuck. Whoever takes the lock next (any writer, or `serve`'s
start publishing a snapshot) removes the temporary files of a killed build. The sample builder
takes the same lock for the store it replaces, so it can no longer rename a new file over a
store while an ingest writes into it.

The dashboard never opens the store (it reads published snapshots, dashboard/store/snapshot.py),
so DuckDB's own file lock only matters for short-lived CLI readers (`metrics`, `export`, `find`):
a writable open still retries for a while when one of them has the file open.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import duckdb

from dashboard.store.errors import StoreError

# A writer waits this long for another writer (or a CLI reader) before giving up
# (environment KONTAKTCENTER_LOCK_WAIT_S overrides it, e.g. for tests).
LOCK_WAIT_S = float(os.environ.get("KONTAKTCENTER_LOCK_WAIT_S", "15"))
_LOCK_RETRY_S = 0.1


class StoreBusy(StoreError):
    """Another writer holds the store's writer lock."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def writer_lock(db: Path | str, wait_s: float | None = None,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the store's writer lock inside the with-block. wait_s=0 refuses at once."""
    db = Path(db)
    wait_s = LOCK_WAIT_S if wait_s is None else wait_s
    fd = _acquire(db, wait_s, on_wait)
    try:
        yield
    finally:
        os.close(fd)   # closing the descriptor releases the flock


def try_writer_lock(db: Path) -> int | None:
    """The lock's descriptor if it was free (release with os.close), else None. Never waits."""
    try:
        return _acquire(db, 0, lambda _line: None)
    except StoreBusy:
        return None


def _acquire(db: Path, wait_s: float, on_wait: Callable[[str], None] | None) -> int:
    if db.is_dir():
        raise StoreError(f"{db} är en katalog, inte en databasfil. Ange en fil med --db "
                         "(t.ex. --db data/kontaktcenter.duckdb).")
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o600)
    except PermissionError:
        raise StoreError(f"Katalogen {db.parent} är skrivskyddad: databasen {db.name} kan inte "
                         "skrivas här. Ge kontot skrivrätt till katalogen eller välj en annan "
                         "fil med --db.") from None
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            remove_leftovers(db)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise StoreBusy(
                    f"Ett annat kommando skriver just nu till databasen {db} (en inläsning, "
                    f"migrering eller exempeldata). Vänta tills det är klart och försök igen"
                    + (f"; väntade {wait_s:.0f} s." if wait_s >= 1 else ".")) from None
            if not told:
                (on_wait or _print_stderr)(
                    f"Ett annat kommando skriver till databasen {db}; väntar upp till "
                    f"{wait_s:.0f} s på att det blir klart …")
                told = True
            time.sleep(max(0.0, min(_LOCK_RETRY_S, deadline - time.monotonic())))


def building_files(db: Path) -> list[Path]:
    """A sample build's temporary store (and its WAL) next to `db`: `.<name>.building-<pid>`."""
    return sorted(db.parent.glob(f".{db.name}.building-*"))


def remove_leftovers(db: Path) -> None:
    """Remove what a killed build left behind. Only under the lock: then no build is running.
    (A killed snapshot publish leaves its own temporary file; the next publish removes it.)"""
    for p in building_files(db):
        p.unlink(missing_ok=True)


def connect_writable(path: Path, wait_s: float, on_wait: Callable[[str], None] | None,
                     config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """Connect read-write, waiting up to wait_s for another process to release the file.
    `config`: DuckDB settings for the connection (the write path's memory bound)."""
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            return duckdb.connect(str(path), config=config or {})
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc):
                raise
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"Databasen {path} är öppen i ett annat program (t.ex. `kontaktcenter metrics` "
                    f"eller `export`) och kunde inte öppnas för skrivning på {wait_s:.0f} s. Vänta "
                    "tills det är klart och försök igen."
                ) from None
            if not told:
                (on_wait or _print_stderr)(
                    f"Databasen {path} är öppen i ett annat program; "
                    f"väntar upp till {wait_s:.0f} s på att den släpps …")
                told = True
            time.sleep(max(0.0, min(0.25, deadline - time.monotonic())))


def _is_lock_conflict(exc: duckdb.IOException) -> bool:
    text = str(exc)
    return "Conflicting lock" in text or "Could not set lock" in text


def _print_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
