"""Which text encoding a CSV file has, and the codecs that read Swedish files fast and safely.

auto: a UTF-16 byte-order mark gives utf-16 (Excel's "Unicode text"); otherwise the first MiB
decides. Valid UTF-8 there gives "utf8", Arrow's native path (the fast case); should an invalid
byte turn up later, the reader asks for the file to be read again (Reread) with the codec that a
scan of the whole file picks. High bytes that are never valid UTF-8 give cp1252 (what Swedish
Windows programs write), decoded by a charmap at C speed; a file with both gives a codec that
reads UTF-8 and decodes only the invalid bytes as cp1252 (slower, but correct for two exports
concatenated).
"""

from __future__ import annotations

import codecs
import re

from dashboard.ingest.errors import FileLevelError
from dashboard.ingest.sources import Source

CP1252 = "kontaktcenter-cp1252"          # cp1252; its five undefined bytes read as Latin-1
MIXED = "kontaktcenter-utf8-cp1252"      # UTF-8, invalid bytes as cp1252
HEAD_BYTES = 1 << 20
SCAN_CHUNK = 16 << 20
_VALID_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH = re.compile(rb"[\x80-\xff]")

_CP1252_TABLE = "".join(bytes([i]).decode("cp1252", errors="ignore") or chr(i) for i in range(256))


class Reread(Exception):
    """The optimistic UTF-8 guess failed mid-file: read the file again with `encoding`."""

    def __init__(self, encoding: str):
        super().__init__(encoding)
        self.encoding = encoding


def _one_byte_cp1252(err: UnicodeDecodeError):
    bad = err.object[err.start:err.end]
    return codecs.charmap_decode(bad, "strict", _CP1252_TABLE)[0], err.end


class _MixedDecoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(self, data, errors, final):
        return codecs.utf_8_decode(data, "kontaktcenter-cp1252", final)


class _Cp1252Decoder(codecs.IncrementalDecoder):
    def decode(self, data, final=False):
        return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]


def _search(name: str):
    name = name.replace("_", "-")
    if name == MIXED:
        return codecs.CodecInfo(
            name=MIXED, encode=codecs.utf_8_encode, incrementaldecoder=_MixedDecoder,
            decode=lambda data, errors="strict": (codecs.utf_8_decode(data, "kontaktcenter-cp1252", True)[0], len(data)))
    if name == CP1252:
        return codecs.CodecInfo(
            name=CP1252, encode=codecs.utf_8_encode, incrementaldecoder=_Cp1252Decoder,
            decode=lambda data, errors="strict": codecs.charmap_decode(data, errors, _CP1252_TABLE))
    return None


codecs.register_error("kontaktcenter-cp1252", _one_byte_cp1252)
codecs.register(_search)


def classify(chunks) -> str:
    """"utf8", "cp1252" or MIXED from byte chunks (a sequence split across chunks may count as
    invalid; harmless, as MIXED still reads UTF-8 correctly)."""
    high = valid = 0
    for chunk in chunks:
        high += len(_HIGH.findall(chunk))
        valid += sum(len(m) for m in _VALID_MULTIBYTE.findall(chunk))
    if high == valid:
        return "utf8"
    return CP1252 if valid == 0 else MIXED


def detect_encoding(source: Source) -> str:
    """The codec for a text file; "utf8" means Arrow's native UTF-8 path."""
    wanted = source.options.encoding.lower().replace("_", "-")
    if wanted in ("utf-8", "utf-8-sig"):
        return "utf8"
    if wanted == "cp1252":
        return CP1252
    if wanted != "auto":
        return wanted
    with source.open_binary() as stream:
        head = stream.read(HEAD_BYTES)
        if stream.failure:
            raise stream.failure.fresh()
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:65536]:
        raise FileLevelError(source.path, "Filen innehåller binära data och är ingen textfil (CSV).",
                             "Kontrollera att det är rätt fil; ange format under [file] om det är xlsx eller parquet.")
    if len(head) == HEAD_BYTES:
        head = head[: head.rfind(b"\n") + 1] or head   # do not judge a sequence cut at the end
    return classify([head])


def encoding_after_failure(source: Source) -> str:
    """The whole file decides once the first MiB proved misleading."""
    def chunks():
        with source.open_binary() as stream:
            while chunk := stream.read(SCAN_CHUNK):
                yield chunk
            if getattr(stream, "failure", None):
                raise stream.failure.fresh()
    found = classify(chunks())
    return MIXED if found == "utf8" else found


def decode_error(source: Source, exc: Exception) -> FileLevelError:
    detail = str(exc).splitlines()[0][:120]
    return FileLevelError(
        source.path,
        f"Filen kan inte avkodas som {source.options.encoding} ({detail}).",
        'Ta bort encoding under [file] så identifieras kodningen automatiskt, eller ange rätt, t.ex. encoding = "cp1252".',
    )
