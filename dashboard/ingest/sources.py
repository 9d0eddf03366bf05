"""Open an input file safely: decide its format, unwrap .gz/.zip within size limits, find the encoding.

Format: the extension decides (or [file] format); the first bytes are checked so that a
mislabelled file gets a message saying what it really is. Compressed files are read through
a counter that refuses to expand beyond [file] max_uncompressed_mb, or beyond
max_expansion_ratio times the compressed size once past 64 MiB (a zip bomb stops early).
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dashboard.ingest.errors import FileLevelError
from dashboard.ingest.profile import FileOptions
from dashboard.formatting import os_reason

CSV_EXTS = {".csv", ".tsv", ".txt", ".tab"}
XLSX_EXTS = {".xlsx", ".xlsm"}
PARQUET_EXTS = {".parquet", ".pq"}
RATIO_FLOOR = 64 << 20          # below this many expanded bytes the ratio is not checked

MAGIC = {
    b"PK\x03\x04": "zip",
    b"PAR1": "parquet",
    b"\x1f\x8b": "gzip",
    b"\xd0\xcf\x11\xe0": "ole",
}
WHAT_IT_IS = {
    "zip": "en zip-fil (t.ex. en Excel-arbetsbok)",
    "parquet": "en Parquet-fil",
    "gzip": "en gzip-komprimerad fil",
    "ole": "en fil i gammalt Excel-format (.xls)",
}


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str                    # "csv", "xlsx" or "parquet"
    compression: str | None      # None, "gzip" or "zip"
    size: int                    # bytes on disk
    options: FileOptions

    def open_binary(self) -> "CountingReader":
        """A fresh stream of the (decompressed) bytes; raises FileLevelError past the limits."""
        if self.compression is None:
            return CountingReader(self.path.open("rb"), self, limit=False)
        if self.compression == "gzip":
            return CountingReader(gzip.open(self.path, "rb"), self, limit=True)
        archive = zipfile.ZipFile(self.path)
        return CountingReader(archive.open(_zip_member(self.path, archive)), self, limit=True, owner=archive)


class CountingReader(io.RawIOBase):
    """Counts bytes read (for progress) and enforces the expansion limits of compressed input."""

    def __init__(self, raw: BinaryIO, source: Source, limit: bool, owner=None):
        self._raw, self._source, self._limit, self._owner = raw, source, limit, owner
        self.bytes_read = 0
        self.failure: FileLevelError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        """The bytes themselves (RawIOBase.read would copy them through a buffer twice)."""
        if size is None or size < 0:
            return super().read(size)
        if self.failure is not None:
            return b""
        try:
            data = self._raw.read(size)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:   # truncated or corrupt archive
            self.failure = FileLevelError(
                self._source.path, f"Den komprimerade filen är trasig eller avkortad ({exc}).",
                "Hämta eller exportera filen på nytt; packa upp den själv för att se vad som saknas.")
            return b""
        self.bytes_read += len(data)
        if self._limit and self._over_limit():
            # End the stream here instead of raising inside Arrow's reader; the caller checks
            # `failure` and raises it (an exception through Arrow's C++ would keep objects alive).
            self.failure = expansion_error(self._source.path, self.bytes_read, self._source.size, self._source.options)
            return b""
        return data

    def _over_limit(self) -> bool:
        opts = self._source.options
        ratio = self.bytes_read / max(self._source.size, 1)
        return self.bytes_read > opts.max_uncompressed_mb << 20 or (
            self.bytes_read > RATIO_FLOOR and ratio > opts.max_expansion_ratio)

    def close(self) -> None:
        try:
            self._raw.close()
            if self._owner is not None:
                self._owner.close()
        finally:
            super().close()


def expansion_error(path: Path, expanded: int, packed: int, opts: FileOptions, declared: bool = False) -> FileLevelError:
    n = lambda v: f"{v:,}".replace(",", "\u00a0")  # noqa: E731  (Swedish thousands separator)
    limits = f"(gränser: {opts.max_uncompressed_mb} MiB, eller {opts.max_expansion_ratio} gånger den packade storleken)"
    if declared:
        problem = (f"Den komprimerade filen ({n(packed)} byte) uppger att den packas upp till {n(expanded)} byte "
                   f"{limits}. Den läses inte: det är antingen en så kallad zip-bomb eller en trasig, avkortad fil.")
    else:
        problem = (f"Den komprimerade filen ({n(packed)} byte) packas upp till mer än {n(expanded)} byte {limits}. "
                   "Den läses inte, eftersom den kan vara en så kallad zip-bomb.")
    return FileLevelError(
        path, problem,
        "Packa upp filen själv och kontrollera innehållet, eller höj max_uncompressed_mb/"
        "max_expansion_ratio under [file] i profilen om filen är betrodd.",
    )


def open_source(path: Path, opts: FileOptions) -> Source:
    """Decide what the file is, or raise FileLevelError naming what it really is and the fix."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise FileLevelError(path, f"Filen kan inte läsas ({os_reason(exc)}).",
                             "Kontrollera sökvägen och att du har läsrättighet.")
    if size == 0:
        raise FileLevelError(path, "Filen är tom (0 byte).",
                             "Exportera på nytt från källsystemet; en export utan kontakter har ändå en rubrikrad.")
    magic = next((kind for sig, kind in MAGIC.items() if head.startswith(sig)), None)
    suffixes = [s.lower() for s in path.suffixes]
    ext = suffixes[-1] if suffixes else ""
    if ext == ".xls" or magic == "ole":
        raise FileLevelError(path, "Filen är i det gamla Excel-formatet .xls, som inte kan läsas.",
                             "Öppna den i Excel och spara som .xlsx (eller exportera som CSV).")
    if ext in (".gz", ".zip"):
        return _compressed(path, opts, size, magic, ext, suffixes[-2] if len(suffixes) > 1 else "")
    kind = _kind(opts.format, ext, magic)
    _expect_magic(path, kind, magic)
    if kind == "xlsx":
        check_zip_sizes(path, opts, size)
    return Source(path, kind, None, size, opts)


def _kind(fmt: str, ext: str, magic: str | None) -> str:
    if fmt != "auto":
        return "csv" if fmt == "tsv" else fmt
    if ext in XLSX_EXTS:
        return "xlsx"
    if ext in PARQUET_EXTS:
        return "parquet"
    if ext in CSV_EXTS:
        return "csv"
    return {"zip": "xlsx", "parquet": "parquet"}.get(magic or "", "csv")


def _expect_magic(path: Path, kind: str, magic: str | None) -> None:
    if kind == "xlsx" and magic != "zip":
        looks = WHAT_IT_IS.get(magic or "", "text (troligen CSV)")
        raise FileLevelError(path, f"Filen ska vara en Excel-arbetsbok (.xlsx) men är {looks}.",
                             "Byt filändelse till det filen är (t.ex. .csv) eller exportera på nytt som .xlsx.")
    if kind == "parquet" and magic != "parquet":
        looks = WHAT_IT_IS.get(magic or "", "text (troligen CSV)")
        raise FileLevelError(path, f"Filen ska vara en Parquet-fil men är {looks}.",
                             "Byt filändelse eller ange rätt format under [file] i profilen.")
    if kind == "csv" and magic in ("zip", "parquet", "gzip"):
        raise FileLevelError(path, f"Filen ska vara text (CSV) men är {WHAT_IT_IS[magic]}.",
                             "Byt filändelse till rätt typ (.xlsx, .parquet, .gz) eller ta bort format under [file].")


def _compressed(path: Path, opts: FileOptions, size: int, magic: str | None, ext: str, inner: str) -> Source:
    if ext == ".gz":
        if magic != "gzip":
            raise FileLevelError(path, "Filen har ändelsen .gz men är inte gzip-komprimerad.",
                                 "Byt filändelse till det filen är, t.ex. .csv.")
        check_sizes(path, opts, size, _gzip_declared_size(path), declared=True)
        kind = _kind(opts.format, inner, None)
        compression = "gzip"
    else:
        if magic != "zip":
            raise FileLevelError(path, "Filen har ändelsen .zip men är ingen zip-fil.",
                                 "Byt filändelse till det filen är, t.ex. .csv.")
        check_zip_sizes(path, opts, size)
        with zipfile.ZipFile(path) as archive:
            inner = Path(_zip_member(path, archive)).suffix.lower()
        kind = _kind(opts.format, inner, None)
        compression = "zip"
    if kind != "csv":
        raise FileLevelError(path, "Bara CSV/TSV-filer kan läsas komprimerade (.gz/.zip).",
                             "Packa upp filen; Excel- och Parquet-filer är redan komprimerade.")
    return Source(path, kind, compression, size, opts)


def _zip_member(path: Path, archive: zipfile.ZipFile) -> str:
    members = [i.filename for i in archive.infolist() if not i.is_dir()]
    if len(members) != 1:
        raise FileLevelError(path, f"Zip-filen innehåller {len(members)} filer; exakt en förväntas.",
                             "Packa upp den och läs in filerna var för sig.")
    return members[0]


def check_zip_sizes(path: Path, opts: FileOptions, size: int) -> None:
    """Refuse a zip container (also .xlsx) whose declared expanded size breaks the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile:
        raise FileLevelError(path, "Filen är en trasig zip-fil/Excel-arbetsbok och kan inte öppnas.",
                             "Exportera filen på nytt från källsystemet.")
    check_sizes(path, opts, size, expanded, declared=True)


def _gzip_declared_size(path: Path) -> int:
    """The expanded size a gzip file declares (its last four bytes, modulo 4 GiB). It can lie;
    the counting reader checks again while unpacking."""
    with path.open("rb") as fh:
        fh.seek(-4, 2)
        return int.from_bytes(fh.read(4), "little")


def check_sizes(path: Path, opts: FileOptions, packed: int, expanded: int, declared: bool = False) -> None:
    too_big = expanded > opts.max_uncompressed_mb << 20
    if too_big or (expanded > RATIO_FLOOR and expanded / max(packed, 1) > opts.max_expansion_ratio):
        raise expansion_error(path, expanded, packed, opts, declared)
