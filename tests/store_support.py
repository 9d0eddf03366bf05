"""Another process holding a store's writer lock, as a running ingest would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOLD = ("import sys, time; from dashboard.store.lock import writer_lock\n"
         "with writer_lock(sys.argv[1]):\n print('held', flush=True); time.sleep(float(sys.argv[2]))")


@contextmanager
def another_writer(db: Path, seconds: float = 120) -> Iterator[None]:
    """The writer lock of `db` held by another process until the block ends (at most `seconds`)."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(db), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()
