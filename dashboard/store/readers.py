"""The dashboard's reads: published snapshots, never the store itself. No streamlit here.

`PublishedStore(db)` follows `<db>.snapshots/CURRENT` (dashboard/store/snapshot.py). `current()`
costs three `stat` calls when nothing changed; when the pointer moved it returns the new
snapshot, and sessions move to it on their next rerun. Each snapshot is opened read-only once per
process, with one cursor per thread (ThreadCursors); the `KEEP` newest stay open for sessions
still pinned to one, older ones are closed. A snapshot file is never written after it is
published, so any number of processes (on one machine or several sharing the directory) read it
at once and a writer never waits for them.

When the store changed since the last publish and no writer holds the lock (a writer killed
between commit and publish, a store built by hand in a test), the reader publishes itself
(`snapshot.catch_up`); while a writer runs it keeps serving the snapshot it has.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dashboard.store import snapshot
from dashboard.store.database import ThreadCursors, _applied_versions, _refuse_newer
from dashboard.store.errors import StoreError
from dashboard.store.snapshot import KEEP, Pointer

log = logging.getLogger(__name__)

# Cursors on published snapshots. A snapshot is never written after it is published, so what a
# reader checked about its contents (the marts' version) holds for as long as the cursor lives.
_SNAPSHOT_CURSORS: weakref.WeakSet = weakref.WeakSet()


# Cursor -> its snapshot, for facts about a snapshot's contents read once (`snapshot_fact`).
_SNAPSHOT_OF: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def on_snapshot(con) -> bool:
    """The cursor reads a published (immutable) snapshot."""
    return con in _SNAPSHOT_CURSORS


def snapshot_fact(con, name: str, read: Callable):
    """`read(con)`, once per published snapshot when `con` reads one (its contents never
    change: the population table, the dates with data); on any other connection every time."""
    snap = _SNAPSHOT_OF.get(con)
    if snap is None:
        return read(con)
    facts = snap._facts
    if name not in facts:
        facts[name] = read(con)
    return facts[name]


BUSY_MESSAGE = ("Databasen byggs just nu för första gången (en inläsning eller exempeldata "
                "pågår). Ladda om sidan om en stund.")


class Snapshot:
    """One published snapshot: its pointer (what caches key on) and its read-only connection."""

    def __init__(self, db: Path, pointer: Pointer):
        self.pointer = pointer
        self.path = snapshot.snapshot_dir(db) / pointer.file
        self._con = snapshot.open_published(db, pointer)
        try:   # published by a newer version of the program: refused, as the store would be
            _refuse_newer(_applied_versions(self._con), db)
        except StoreError:
            self._con.close()
            raise
        self._cursors = ThreadCursors(self._con)
        self._facts: dict = {}  # snapshot_fact's results

    @property
    def key(self) -> str:
        return self.pointer.key

    @property
    def data_version(self) -> int:
        return self.pointer.data_version

    @property
    def sample(self) -> bool:
        return self.pointer.sample

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._cursors.cursor()
        _SNAPSHOT_CURSORS.add(cur)
        _SNAPSHOT_OF[cur] = self
        yield cur

    def close(self) -> None:
        try:
            self._con.close()
        except duckdb.Error:  # already closed by the interpreter at exit
            log.debug("closing a snapshot failed", exc_info=True)


class PublishedStore:
    """The newest published snapshot of one store, checked on every call (cheaply)."""

    def __init__(self, path: Path | str, *, first_wait_s: float = 10.0):
        self.path = Path(path)
        self.first_wait_s = first_wait_s
        self._lock = threading.Lock()
        self._open: dict[str, Snapshot] = {}    # file name -> snapshot, newest last
        self._seen: tuple | None = None          # (pointer stamp, store stamp) last checked
        self._current: Snapshot | None = None
        self.opens = 0  # snapshots opened (tests read it)
        atexit.register(self.close)

    def current(self) -> Snapshot:
        with self._lock:
            seen = (_stamp(snapshot.snapshot_dir(self.path) / snapshot.POINTER),
                    snapshot.file_stamp(self.path))
            if self._current is not None and seen == self._seen:
                return self._current
            pointer = self._follow()
            self._seen = seen
            return self._switch(pointer)

    def _follow(self) -> Pointer:
        """The pointer to use now: published anew if stale and the lock is free."""
        pointer = snapshot.read_pointer(self.path)
        if snapshot.is_stale(self.path, pointer):
            try:
                pointer = snapshot.catch_up(self.path) or pointer
            except (duckdb.Error, OSError, StoreError):
                if pointer is None:
                    raise   # nothing to show: the message names the problem (StoreError)
                # e.g. this process holds the store open for writing: keep what is published
                log.warning("publishing a snapshot of %s failed", self.path, exc_info=True)
        deadline = time.monotonic() + self.first_wait_s
        while pointer is None:   # nothing published yet and a writer is at work
            if not self.path.exists():
                from dashboard.store.database import missing_store_message
                raise StoreError(missing_store_message(self.path))
            if time.monotonic() >= deadline:
                raise StoreError(BUSY_MESSAGE)
            time.sleep(0.2)
            pointer = snapshot.read_pointer(self.path) or snapshot.catch_up(self.path)
        return pointer

    def _switch(self, pointer: Pointer) -> Snapshot:
        snap = self._open.get(pointer.file)
        if snap is None:
            try:
                snap = Snapshot(self.path, pointer)
            except duckdb.IOException:
                # removed by a newer publish between reading CURRENT and opening: read it again
                pointer = snapshot.read_pointer(self.path) or pointer
                snap = self._open.get(pointer.file) or Snapshot(self.path, pointer)
            self.opens += 1
            self._open[pointer.file] = snap
        self._current = snap
        while len(self._open) > KEEP:   # the oldest: no session is pinned to it any more
            oldest = next(iter(self._open))
            self._open.pop(oldest).close()
        return snap

    def open_files(self) -> tuple[str, ...]:
        """The snapshots this process has open (a pinned one that is not here was closed)."""
        return tuple(self._open)

    def close(self) -> None:
        with self._lock:
            for snap in self._open.values():
                snap.close()
            self._open.clear()
            self._current = None


def _stamp(path: Path) -> tuple | None:
    try:
        s = path.stat()
    except FileNotFoundError:
        return None
    return (s.st_ino, s.st_mtime_ns, s.st_size)
