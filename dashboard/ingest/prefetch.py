"""Run an iterator one step ahead in a worker thread, through a bounded queue.

Ingest reads and maps batch k+1 (Arrow and Polars, which release the GIL) while DuckDB lands
batch k. The queue holds at most `depth` finished items, so memory stays bounded. Exceptions in
the worker are raised in the consumer; a consumer that stops early stops the worker.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_DONE, None))
        except BaseException as exc:   # handed to the consumer, raised there
            put((None, exc))

    worker = threading.Thread(target=work, name="ingest-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, exc = q.get()
            if exc is not None:
                raise exc
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)
        close = getattr(items, "close", None)
        if close is not None and not worker.is_alive():
            close()
