"""Read-only access to the store for long-lived readers (the dashboard). No streamlit here.

DuckDB lets one process write a file only while no other process has it open, even read-only
(tested: a writer gets "Conflicting lock"). A dashboard that kept its connection open for its whole
life would block every ingest. So `SharedStore` opens the file read-only on demand, hands each
thread its own cursor (ThreadCursors) while queries run, and closes the connection
after `idle_s` without use, which releases the lock for a writer. A file that changed on disk
(another process committed: new inode, mtime or size, of the file or its WAL) gets a fresh
connection, so the next query sees the commit; caches key on the data version read through it.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dashboard.store.database import ThreadCursors, data_version, open_store
from dashboard.store.errors import StoreError

log = logging.getLogger(__name__)

BUSY_MESSAGE = (
    "Databasen uppdateras just nu (en inläsning pågår). Vänta en stund och ladda om sidan."
)


def file_stamp(path: Path) -> tuple:
    """What identifies the file's committed content cheaply: inode, mtime and size of db and WAL."""
    stamp = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            s = p.stat()
            stamp.append((s.st_ino, s.st_mtime_ns, s.st_size))
        except FileNotFoundError:
            stamp.append(None)
    return tuple(stamp)


def _held_by_a_writer(exc: Exception) -> bool:
    """Another process holds the write lock, or this process has the file open read-write."""
    text = str(exc).lower()
    return "lock" in text or "different configuration" in text


class SharedStore:
    """One read-only connection per process (reopened when the file changes), a cursor per thread,
    closed when idle so writers can take the file."""

    def __init__(self, path: Path | str, *, idle_s: float = 2.0, busy_wait_s: float = 5.0):
        self.path = Path(path)
        self.idle_s = idle_s
        self.busy_wait_s = busy_wait_s
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._cursors: ThreadCursors | None = None
        self._stamp: tuple | None = None
        self._leases = 0
        self._timer: threading.Timer | None = None
        self._version: tuple[tuple, int] | None = None
        self.opens = 0  # how often a connection was opened (tests and the benchmark read it)
        atexit.register(self.close)  # close before the interpreter tears DuckDB down

    # -- connection lifecycle ------------------------------------------------------------------

    def _open(self) -> None:
        deadline = time.monotonic() + self.busy_wait_s
        while True:
            try:
                self._con = open_store(self.path, read_only=True)
                break
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                if not _held_by_a_writer(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreError(BUSY_MESSAGE) from exc
                time.sleep(0.1)
        self._cursors = ThreadCursors(self._con)
        self.opens += 1

    def _close(self) -> None:
        if self._con is not None:
            try:
                self._con.close()
            except duckdb.Error:  # already closed by the interpreter at exit
                log.debug("closing the store failed", exc_info=True)
        self._con = None
        self._cursors = None

    def _close_if_idle(self) -> None:
        with self._lock:
            if self._leases == 0:
                self._close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for this thread, valid inside the with-block."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            stamp = file_stamp(self.path)
            if self._con is not None and stamp != self._stamp and self._leases == 0:
                self._close()  # another process committed: reopen to see it
            if self._con is None:
                self._open()
                self._stamp = stamp
            self._leases += 1
            cursors = self._cursors
        try:
            yield cursors.cursor()
        finally:
            with self._lock:
                self._leases -= 1
                if self._leases == 0:
                    self._timer = threading.Timer(self.idle_s, self._close_if_idle)
                    self._timer.daemon = True
                    self._timer.start()

    # -- what caches key on ----------------------------------------------------------------------

    def data_version(self) -> int:
        """The store's data version, re-read only when the file changed on disk (a stat, no query)."""
        stamp = file_stamp(self.path)
        cached = self._version
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with self.cursor() as cur:
            version = data_version(cur)
        self._version = (stamp, version)
        return version

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._close()
