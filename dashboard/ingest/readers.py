"""Stream a source file as bounded batches of raw columns (CSV/TSV, XLSX, Parquet).

Every reader yields RawBatch objects of at most [file] batch_rows rows: memory depends on the
batch size, never on the file size. `line` is the 1-based record number in the file, the
header being line 1 (XLSX: the sheet row number; lines above the header count too).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Iterator

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from dashboard.ingest.batch import LINE, RawBatch, check_width, unique_names
from dashboard.ingest.errors import FileLevelError
from dashboard.ingest.sources import Source
from dashboard.ingest.csvchunks import RecordTooLarge, Utf8Stream, chunks, record_ends
from dashboard.ingest.textcodecs import Reread, decode_error, detect_encoding, encoding_after_failure
from dashboard.ingest import xlsx_parquet

DELIMITER_CANDIDATES = (";", "\t", ",", "|")
SAMPLE_BYTES = 1 << 16


def open_reader(source: Source, encoding: str | None = None):
    """A reader with .columns, .batches(), .progress() and .close() for the file's kind.
    `encoding` overrides detection (after a Reread)."""
    if source.kind == "xlsx":
        return xlsx_parquet.XlsxReader(source)
    if source.kind == "parquet":
        return xlsx_parquet.ParquetReader(source)
    return CsvReader(source, encoding)


def sniff_delimiter(sample: str, skip_lines: int) -> str:
    """The candidate that splits the first records into the most, and most consistent, fields."""
    lines = sample.splitlines(keepends=True)[skip_lines:]
    text = "".join(lines)
    best, best_score = ";", (-1.0, 0)
    for delim in DELIMITER_CANDIDATES:
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=delim) if r][:50]
        if not rows:
            continue
        width = len(rows[0])
        same = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (same if width > 1 else 0.0, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def assign_lines(start: int, n: int, skipped: list[int]) -> np.ndarray:
    """Record numbers start, start+1, ... for n rows, stepping over records the parser rejected."""
    lines = np.arange(start, start + n, dtype=np.int64)
    for s in skipped:
        if n == 0 or s > lines[-1]:
            break
        if s >= lines[0]:
            lines[np.searchsorted(lines, s):] += 1
    return lines


class CsvReader:
    def __init__(self, source: Source, encoding: str | None = None):
        self.source = source
        opts = source.options
        self.encoding = encoding or detect_encoding(source)
        self.quote = opts.quote.encode("utf-8")
        stream = self._open()
        try:
            head = stream.read(SAMPLE_BYTES)
        finally:
            stream.close()
        sample = self._decode(head)
        if not sample.strip():
            raise FileLevelError(source.path, "Filen innehåller ingen text, inte ens en rubrikrad.",
                                 "Exportera på nytt från källsystemet med rubrikrad.")
        # Excel writes a first line "sep=;" when asked to; it names the delimiter and is skipped.
        hint = re.fullmatch(r"sep=(.)", sample.split("\n", 1)[0].strip())
        self.skip = opts.skip_lines + (1 if hint else 0)
        self.delimiter = opts.delimiter if opts.delimiter != "auto" else (
            hint.group(1) if hint else "\t" if opts.format == "tsv" else sniff_delimiter(sample, self.skip))
        ends = record_ends(head, self.quote)
        records = len(ends) + (1 if head[ends[-1] if ends else 0:].strip() else 0)
        if records <= self.skip:
            raise FileLevelError(source.path, f"Filen har ingen rubrikrad efter de {self.skip} rader som ska hoppas över.",
                                 "Minska skip_lines under [file] i profilen.")
        header_start = ends[self.skip - 1] if self.skip else 0
        self.data_start = ends[self.skip] if len(ends) > self.skip else len(head)
        header = next(csv.reader(io.StringIO(self._decode(head[header_start:self.data_start])),
                                 delimiter=self.delimiter, quotechar=opts.quote), [])
        self.columns = unique_names(header)
        check_width(self.columns, source)
        self.row_bytes = max(ends[-1] // len(ends), 16) if ends else max(len(head), 16)
        self.chunk_bytes = min(max(self.row_bytes * opts.batch_rows, 1 << 16), 32 << 20)
        self.rows_done = 0
        self._stream = None

    def _open(self) -> Utf8Stream:
        self._raw = self.source.open_binary()
        return Utf8Stream(self._raw, self.encoding)

    def _decode(self, data: bytes) -> str:
        try:
            return codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
        except UnicodeDecodeError as exc:
            if self.source.options.encoding == "auto":
                raise Reread(encoding_after_failure(self.source)) from None
            raise decode_error(self.source, exc) from None

    def batches(self) -> Iterator[RawBatch]:
        self._stream = stream = self._open()
        try:
            stream.read(self.data_start)   # title lines and the header
            next_line = self.skip + 2
            for chunk in chunks(stream, b"", self.chunk_bytes, self.quote):
                self._raise_stream_failure()
                frame, rejects = self._parse(chunk, next_line)
                next_line += frame.height + len(rejects)
                for start in range(0, max(frame.height, 1), self.source.options.batch_rows):
                    part = frame.slice(start, self.source.options.batch_rows)
                    self.rows_done += part.height
                    yield RawBatch(part, rejects if start == 0 else [])
            self._raise_stream_failure()
        except RecordTooLarge:
            self._raise_stream_failure()
            raise FileLevelError(self.source.path, "En post i filen är större än 64 MiB, troligen ett citattecken "
                                 "som aldrig stängs eller en fil utan radbrytningar.",
                                 "Kontrollera filen och quote under [file].") from None
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            self._raise_stream_failure()
            if self._is_decode_error(exc) and self.encoding == "utf8" and self.source.options.encoding == "auto":
                raise Reread(encoding_after_failure(self.source)) from None
            raise self._decode_error(exc) from None
        finally:
            self.close()

    def _parse(self, chunk: bytes, first_line: int) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
        """One chunk of whole records -> (frame with LINE, rejected records with their lines)."""
        invalid: list[tuple[int, str]] = []

        def on_invalid(row) -> str:
            invalid.append((first_line + row.number - 1, f"Raden har {row.actual_columns} fält men rubriken har "
                                                         f"{row.expected_columns}. Kontrollera citattecken och avgränsare."))
            return "skip"

        table = pacsv.read_csv(
            pa.py_buffer(chunk),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=len(chunk) + 1, column_names=self.columns),
            parse_options=pacsv.ParseOptions(delimiter=self.delimiter, quote_char=self.source.options.quote,
                                              newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in self.columns},
                                                 strings_can_be_null=True, null_values=[""]),
        )
        lines = assign_lines(first_line, table.num_rows, sorted(n for n, _ in invalid))
        frame = pl.from_arrow(table)
        if not isinstance(frame, pl.DataFrame) or frame.width == 0:
            frame = pl.DataFrame(schema={c: pl.String for c in self.columns})
        return frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64)), invalid

    def _raise_stream_failure(self) -> None:
        failure = getattr(self._raw, "failure", None)
        if failure is not None:
            raise failure.fresh()

    @staticmethod
    def _is_decode_error(exc: Exception) -> bool:
        text = str(exc)
        return isinstance(exc, UnicodeDecodeError) or "UTF8" in text or "utf-8" in text.lower()

    def _decode_error(self, exc: Exception) -> FileLevelError:
        text = str(exc)
        if self._is_decode_error(exc):
            return decode_error(self.source, exc)
        return FileLevelError(self.source.path, f"Filen kan inte tolkas som CSV ({text.splitlines()[0][:160]}).",
                              "Kontrollera avgränsare och citattecken (delimiter och quote under [file]).")

    def progress(self) -> float | None:
        """Share of the file read; estimated from rows and the sample's bytes per row."""
        if self.source.compression:
            return None
        return min(self.rows_done * self.row_bytes / max(self.source.size, 1), 0.99)

    def close(self) -> None:
        raw = getattr(self, "_raw", None)
        if raw is not None and not raw.closed:
            raw.close()
