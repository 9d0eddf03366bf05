"""Stream a source file as bounded batches of raw columns (CSV/TSV, XLSX, Parquet).

Every reader yields RawBatch objects of at most [file] batch_rows rows: memory depends on the
batch size, never on the file size. `line` is the 1-based record number in the file, the
header being line 1 (XLSX: the sheet row number; lines above the header count too).
"""

from __future__ import annotations

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
from dashboard.ingest.textcodecs import Reread, decode_error, decode_sample, detect_encoding, encoding_after_failure
from dashboard.ingest import xlsx_parquet

DELIMITER_CANDIDATES = (";", "\t", ",", "|")


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
        sample = decode_sample(source, self.encoding)
        if not sample.strip():
            raise FileLevelError(source.path, "Filen innehåller ingen text, inte ens en rubrikrad.",
                                 "Exportera på nytt från källsystemet med rubrikrad.")
        # Excel writes a first line "sep=;" when asked to; it names the delimiter and is skipped.
        hint = re.fullmatch(r"sep=(.)", sample.split("\n", 1)[0].strip().lstrip("\ufeff"))
        self.skip = opts.skip_lines + (1 if hint else 0)
        self.delimiter = opts.delimiter if opts.delimiter != "auto" else (
            hint.group(1) if hint else "\t" if opts.format == "tsv" else sniff_delimiter(sample, self.skip))
        records = list(csv.reader(io.StringIO(sample), delimiter=self.delimiter, quotechar=opts.quote))
        records = [r for r in records if r]
        header_at = self.skip
        if len(records) <= header_at:
            raise FileLevelError(source.path, f"Filen har ingen rubrikrad efter de {self.skip} rader som ska hoppas över.",
                                 "Minska skip_lines under [file] i profilen.")
        self.columns = unique_names(records[header_at])
        check_width(self.columns, source)
        data_rows = max(len(records) - header_at - 1, 1)
        row_bytes = max(len(sample.encode("utf-8")) // (data_rows + 1), 16)
        self.block_size = min(max(row_bytes * opts.batch_rows, 1 << 16), 64 << 20)
        self.row_bytes = row_bytes
        self.rows_done = 0
        self._stream = None
        self._invalid: list[tuple[int, str]] = []

    def _on_invalid(self, row) -> str:
        self._invalid.append((row.number, f"Raden har {row.actual_columns} fält men rubriken har "
                                          f"{row.expected_columns}. Kontrollera citattecken och avgränsare."))
        return "skip"

    def batches(self) -> Iterator[RawBatch]:
        opts = self.source.options
        # Plain files go to Arrow's native reader; compressed ones through the counting, limiting stream.
        self._stream = self.source.open_binary() if self.source.compression else pa.OSFile(str(self.source.path))
        reader = None
        try:
            reader = pacsv.open_csv(
                self._stream,
                read_options=pacsv.ReadOptions(
                    encoding=self.encoding, block_size=self.block_size, use_threads=False,
                    skip_rows=self.skip + 1, column_names=self.columns),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter, quote_char=opts.quote, newlines_in_values=True,
                    invalid_row_handler=self._on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in self.columns},
                    strings_can_be_null=True, null_values=[""]),
            )
            yield from self._read(reader)
            self._raise_stream_failure()
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            if getattr(self._stream, "failure", None):
                raise self._stream.failure.fresh() from None
            if self._is_decode_error(exc) and self.encoding == "utf8" and opts.encoding == "auto":
                raise Reread(encoding_after_failure(self.source)) from None
            raise self._decode_error(exc) from None
        finally:
            if reader is not None:
                reader.close()
            self.close()

    def _read(self, reader) -> Iterator[RawBatch]:
        next_line = self.skip + 2
        reported = 0
        for record_batch in reader:
            self._raise_stream_failure()
            for start in range(0, record_batch.num_rows, self.source.options.batch_rows):
                part = record_batch.slice(start, self.source.options.batch_rows)
                skipped = sorted(n for n, _ in self._invalid)
                lines = assign_lines(next_line, part.num_rows, skipped)
                next_line = int(lines[-1]) + 1 if len(lines) else next_line
                frame = pl.from_arrow(part).with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
                self.rows_done += part.num_rows
                rejects = self._invalid[reported:]
                reported = len(self._invalid)
                yield RawBatch(frame, rejects)
        rest = self._invalid[reported:]
        if rest:
            empty = pl.DataFrame(schema={**{c: pl.String for c in self.columns}, LINE: pl.Int64})
            yield RawBatch(empty, rest)

    def _raise_stream_failure(self) -> None:
        failure = getattr(self._stream, "failure", None)
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
        if "straddl" in text:
            return FileLevelError(self.source.path, "En post i filen är större än läsblocket (64 MiB), troligen "
                                  "ett citattecken som aldrig stängs eller en fil utan radbrytningar.",
                                  "Kontrollera filen och quote under [file]; minska inte batch_rows.")
        return FileLevelError(self.source.path, f"Filen kan inte tolkas som CSV ({text.splitlines()[0][:160]}).",
                              "Kontrollera avgränsare och citattecken (delimiter och quote under [file]).")

    def progress(self) -> float | None:
        """Share of the file read; estimated from rows and the sample's bytes per row."""
        if self.source.compression:
            return None
        return min(self.rows_done * self.row_bytes / max(self.source.size, 1), 0.99)

    def close(self) -> None:
        if self._stream is not None and not self._stream.closed:
            self._stream.close()
