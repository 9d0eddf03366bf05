"""Cut a CSV byte stream into chunks of whole records, so each chunk parses on its own.

Why not Arrow's streaming CSV reader: it reads ahead without bound (hundreds of MiB on a large
export, whatever the consumer does). Here the reader takes one chunk at a time, so memory is
one chunk plus the batch being mapped.

A record ends at a newline that lies outside quotes. In standard CSV a quote inside a field is
doubled, so a position is outside quotes exactly when the number of quote characters before it
is even: counting quotes (bytes.count, C speed) finds the last complete record in a chunk.
Every stream here is UTF-8: other encodings are transcoded on the way in (UTF-16's newline is
two bytes, so cutting must happen after transcoding).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

MAX_RECORD = 64 << 20      # a single record larger than this is refused (see readers)


class RecordTooLarge(Exception):
    pass


class Utf8Stream:
    """read(n) -> UTF-8 bytes of the source stream, without a byte-order mark."""

    def __init__(self, raw: BinaryIO, encoding: str):
        self._raw = raw
        self._decoder = None if encoding == "utf8" else codecs.getincrementaldecoder(encoding)()
        self._pending = b""
        self._first = True

    def read(self, n: int) -> bytes:
        while len(self._pending) < n:
            data = self._raw.read(n)
            if self._decoder is not None:
                text = self._decoder.decode(data, final=not data)
                data_out = text.encode("utf-8")
            else:
                data_out = data
            if self._first and data_out:
                data_out = data_out.removeprefix(codecs.BOM_UTF8).removeprefix("\ufeff".encode())
                self._first = False
            self._pending += data_out
            if not data:
                break
        out, self._pending = self._pending[:n], self._pending[n:]
        return out

    def close(self) -> None:
        self._raw.close()


def record_ends(data: bytes, quote: bytes, limit: int | None = None) -> list[int]:
    """Offsets just after each record-ending newline in data (which starts at a record start),
    the first `limit` of them."""
    ends, start, quotes = [], 0, 0
    while limit is None or len(ends) < limit:
        nl = data.find(b"\n", start)
        if nl < 0:
            break
        quotes += data.count(quote, start, nl)
        if quotes % 2 == 0:
            ends.append(nl + 1)
        start = nl + 1
    return ends


def last_record_end(data: bytes, quote: bytes) -> int:
    """Offset just after the last complete record in data (0 if there is none)."""
    total = data.count(quote)
    pos = len(data)
    while True:
        nl = data.rfind(b"\n", 0, pos)
        if nl < 0:
            return 0
        if (total - data.count(quote, nl + 1)) % 2 == 0:
            return nl + 1
        pos = nl


def chunks(stream: Utf8Stream, first: bytes, size: int, quote: bytes) -> Iterator[bytes | memoryview]:
    """Chunks of about `size` bytes, each a run of whole records; `first` is already read."""
    carry = first
    while True:
        block = stream.read(size)
        data = carry + block
        if not block:
            if data.strip():
                yield data if data.endswith(b"\n") else data + b"\n"
            return
        cut = last_record_end(data, quote)
        if cut == 0:
            if len(data) > MAX_RECORD:
                raise RecordTooLarge()
            carry = data
            continue
        yield memoryview(data)[:cut]   # no copy; Arrow reads the buffer as it is
        carry = data[cut:]
