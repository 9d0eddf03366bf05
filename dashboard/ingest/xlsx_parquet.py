"""Streaming readers for XLSX (openpyxl read-only) and Parquet (pyarrow record batches)."""

from __future__ import annotations

import datetime as dt
import zipfile
from typing import Iterator

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.ingest.batch import LINE, RawBatch, check_width, unique_names
from dashboard.ingest.errors import FileLevelError
from dashboard.ingest.sources import Source

NOT_A_WORKBOOK_FIX = "Öppna filen i Excel och spara som .xlsx, eller exportera från källsystemet som CSV."


def cell_text(value) -> str | None:
    """One XLSX cell as text the mapping parses like CSV text (ISO dates, '.' decimals)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        total = int(round(value.total_seconds()))
        sign, total = ("-", -total) if total < 0 else ("", total)
        return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
    return str(value)


class XlsxReader:
    def __init__(self, source: Source):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self.source = source
        try:
            self._book = openpyxl.load_workbook(source.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise FileLevelError(source.path, f"Filen är ingen läsbar Excel-arbetsbok ({type(exc).__name__}: {exc}).",
                                 NOT_A_WORKBOOK_FIX)
        sheet = source.options.sheet
        if sheet and sheet not in self._book.sheetnames:
            self.close()
            raise FileLevelError(source.path, f"Bladet {sheet!r} finns inte (bladen heter {', '.join(self._book.sheetnames)}).",
                                 "Rätta sheet under [file] i profilen.")
        self._sheet = self._book[sheet] if sheet else self._book.worksheets[0]
        self._rows = self._sheet.iter_rows(values_only=True)
        self._row_number = 0
        header = None
        for _ in range(source.options.skip_lines + 1):
            header = next(self._rows, None)
            self._row_number += 1
        if header is None or all(v is None for v in header):
            self.close()
            raise FileLevelError(source.path, f"Bladet {self._sheet.title!r} har ingen rubrikrad på rad {self._row_number}.",
                                 "Kontrollera bladet (sheet) och skip_lines under [file].")
        names = list(header)
        while names and names[-1] is None:
            names.pop()
        self.columns = unique_names([cell_text(v) for v in names])
        check_width(self.columns, source)

    def batches(self) -> Iterator:
        width = len(self.columns)
        size = self.source.options.batch_rows
        try:
            cols: list[list] = [[] for _ in range(width)]
            lines: list[int] = []
            for row in self._rows:
                self._row_number += 1
                values = [cell_text(v) for v in row[:width]]
                if all(v is None or not v.strip() for v in values):
                    continue
                values += [None] * (width - len(values))
                for col, value in zip(cols, values):
                    col.append(value)
                lines.append(self._row_number)
                if len(lines) >= size:
                    yield RawBatch(self._frame(cols, lines, LINE))
                    cols, lines = [[] for _ in range(width)], []
            if lines:
                yield RawBatch(self._frame(cols, lines, LINE))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise FileLevelError(self.source.path, f"Arbetsboken är trasig och kan inte läsas vidare ({exc}).",
                                 NOT_A_WORKBOOK_FIX) from None
        finally:
            self.close()

    def _frame(self, cols, lines, line_name) -> pl.DataFrame:
        data = {name: pl.Series(name, col, dtype=pl.String) for name, col in zip(self.columns, cols)}
        data[line_name] = pl.Series(line_name, lines, dtype=pl.Int64)
        return pl.DataFrame(data)

    def progress(self) -> float | None:
        return None

    def close(self) -> None:
        self._book.close()


class ParquetReader:
    def __init__(self, source: Source):
        self.source = source
        try:
            self._file = pq.ParquetFile(source.path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileLevelError(source.path, f"Parquet-filen kan inte läsas ({exc}).",
                                 "Exportera filen på nytt; kontrollera att den inte är avkortad.")
        self._names = self._file.schema_arrow.names
        self.columns = unique_names(list(self._names))
        check_width(self.columns, source)
        self._done = 0

    def batches(self) -> Iterator:
        next_line = 2
        try:
            for batch in self._file.iter_batches(batch_size=self.source.options.batch_rows):
                frame = pl.from_arrow(batch.rename_columns(self.columns))
                frame = frame.with_columns(pl.col(pl.Categorical, pl.Enum).cast(pl.String))
                n = frame.height
                frame = frame.with_columns(pl.int_range(next_line, next_line + n, dtype=pl.Int64).alias(LINE))
                next_line += n
                self._done += n
                yield RawBatch(frame)
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileLevelError(self.source.path, f"Parquet-filen är trasig ({exc}).",
                                 "Exportera filen på nytt från källsystemet.") from None

    def progress(self) -> float | None:
        total = self._file.metadata.num_rows
        return self._done / total if total else None

    def close(self) -> None:
        self._file.close()
