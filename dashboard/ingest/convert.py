"""Vectorised value parsers: one source column (any dtype) -> a contract value and a reason.

Each parser returns (value expression, reason expression). The reason is a Swedish text when the
row must go to quarantine because of this field, else null. Raw text is trimmed and blank means
missing. No per-row Python runs here: everything is a Polars expression over a whole batch.
"""

from __future__ import annotations

import polars as pl

from dashboard.ingest import fields as F

Pair = tuple[pl.Expr, pl.Expr]


def cleaned(col: str, dtype: pl.DataType) -> pl.Expr:
    """The column as trimmed text, blank -> null (typed columns are cast to text)."""
    if dtype == pl.String:
        text = pl.col(col).str.strip_chars()
    elif dtype.is_float():
        # 12.0 -> "12", 12.5 -> "12.5": ids and codes stored as floats in Parquet/XLSX.
        value = pl.col(col)
        text = pl.when(value == value.round(0)).then(value.cast(pl.Int64).cast(pl.String)).otherwise(value.cast(pl.String))
    else:
        text = pl.col(col).cast(pl.String)
    return pl.when(text != "").then(text)


def reason(bad: pl.Expr, template: str, *values: pl.Expr) -> pl.Expr:
    """A Swedish reason where `bad` holds; `template` uses {} for each value (quoted)."""
    quoted = [pl.format('"{}"', v) for v in values]
    return pl.when(bad).then(pl.format(template, *quoted) if values else pl.lit(template))


def value_map(text: pl.Expr, mapping: dict[str, object], dtype=pl.String) -> pl.Expr:
    """Apply a profile value map (keys lower-case); unmapped values pass through unchanged."""
    if not mapping:
        return text
    lowered = text.str.to_lowercase()
    return lowered.replace_strict(list(mapping), list(mapping.values()), default=text, return_dtype=dtype)


def text_field(col: str, dtype, mapping: dict) -> Pair:
    return value_map(cleaned(col, dtype), mapping), pl.lit(None, pl.String)


def enum_field(col: str, dtype, fld: str, mapping: dict) -> Pair:
    text = cleaned(col, dtype)
    lookup = F.enum_lookup(fld)
    code = value_map(text, mapping).str.to_lowercase().replace_strict(lookup, default=None, return_dtype=pl.String)
    allowed = ", ".join(F.ENUM_FIELDS[fld])
    why = reason(
        text.is_not_null() & code.is_null(),
        f"Okänt värde {{}} för {F.LABELS_SV[fld]} i kolumnen {{}}. Tillåtna värden: {allowed}; "
        f"lägg till en översättning under [values.{fld}] i profilen.",
        text, pl.lit(col),
    )
    return code, why


def bool_field(col: str, dtype, fld: str, mapping: dict, true_words, false_words) -> Pair:
    if dtype == pl.Boolean:
        return pl.col(col), pl.lit(None, pl.String)
    text = cleaned(col, dtype)
    words = {w: True for w in true_words} | {w: False for w in false_words}
    words |= {k: bool(v) for k, v in mapping.items()}
    value = text.str.to_lowercase().replace_strict(list(words), list(words.values()), default=None, return_dtype=pl.Boolean)
    why = reason(
        text.is_not_null() & value.is_null(),
        f"Okänt ja/nej-värde {{}} för {F.LABELS_SV[fld]} i kolumnen {{}}. Lägg till ordet under "
        "[booleans] true/false i profilen.",
        text, pl.lit(col),
    )
    return value, why


def number(col: str, dtype, decimal: str) -> tuple[pl.Expr, pl.Expr]:
    """(float value, cleaned text) of a numeric column written with decimal comma or point."""
    text = cleaned(col, dtype)
    if dtype.is_numeric():
        return pl.col(col).cast(pl.Float64), text
    digits = text.str.replace_all(r"[\s\u00a0]", "")
    if decimal == ",":
        digits = digits.str.replace(",", ".", literal=True)
    return digits.cast(pl.Float64, strict=False), text


def duration_field(col: str, dtype, fld: str, fmt: str, two_part: str, unit: int, decimal: str) -> Pair:
    """Seconds from plain numbers (times `unit`), h:mm:ss or mm:ss (or h:mm); rounded to whole seconds."""
    label = F.LABELS_SV[fld]
    if dtype == pl.Duration or isinstance(dtype, pl.Duration):
        secs = pl.col(col).dt.total_seconds(fractional=True)
        text = pl.col(col).cast(pl.String)
    elif dtype.is_numeric():
        secs, text = number(col, dtype, decimal)
        secs = secs * unit
    else:
        plain, text = number(col, dtype, decimal)
        has_colon = text.str.contains(":", literal=True)
        negative = text.str.starts_with("-")
        parts = text.str.strip_chars_start("-").str.replace(",", ".", literal=True).str.split(":")
        n = parts.list.len()
        p = [parts.list.get(i, null_on_oob=True).cast(pl.Float64, strict=False) for i in range(3)]
        first, second = (60, 1) if two_part == "mm:ss" else (3600, 60)
        clock = (
            pl.when(n == 3).then(p[0] * 3600 + p[1] * 60 + p[2])
            .when(n == 2).then(p[0] * first + p[1] * second)
        )
        # Only the leading part may exceed 59 (e.g. 125:30 as minutes:seconds).
        bad_clock = (n == 3) & ((p[1] >= 60) | (p[2] >= 60)) | (n == 2) & (p[1] >= 60)
        clock = pl.when(bad_clock).then(None).otherwise(pl.when(negative).then(-clock).otherwise(clock))
        plain = plain * unit
        if fmt == "seconds":
            secs = pl.when(has_colon).then(None).otherwise(plain)
        elif fmt == "hms":
            secs = pl.when(has_colon).then(clock)
        else:
            secs = pl.when(has_colon).then(clock).otherwise(plain)
    expected = {"seconds": "sekunder", "hms": "h:mm:ss eller mm:ss"}.get(fmt, "sekunder, h:mm:ss eller mm:ss")
    why = pl.coalesce(
        reason(text.is_not_null() & secs.is_null(),
               f"Ogiltig tid {{}} för {label} i kolumnen {{}} (förväntat {expected}).", text, pl.lit(col)),
        reason(secs < 0, f"Negativ tid {{}} för {label} i kolumnen {{}}; tider kan inte vara negativa.",
               text, pl.lit(col)),
    )
    limit = F.MAX_SECONDS[fld]
    why = pl.coalesce(why, reason(secs > limit, f"Orimligt lång tid {{}} för {label} i kolumnen {{}} "
                                  f"(högst {limit // 3600} timmar); kontrollera enheten under [durations].",
                                  text, pl.lit(col)))
    return pl.when(secs.is_between(0, limit)).then(secs.round(0, mode="half_away_from_zero").cast(pl.Int64)), why


def satisfaction_field(col: str, dtype, decimal: str) -> Pair:
    value, text = number(col, dtype, decimal)
    why = pl.coalesce(
        reason(text.is_not_null() & value.is_null(),
               "Nöjdhet {} i kolumnen {} är inget tal (förväntat 1–5).", text, pl.lit(col)),
        reason((value < 1) | (value > 5) | (value != value.round(0)),
               "Nöjdhet {} i kolumnen {} ligger utanför skalan 1–5 (heltal).", text, pl.lit(col)),
    )
    return pl.when(value.is_between(1, 5) & (value == value.round(0))).then(value.cast(pl.Int8)), why
