"""Vectorised value parsers: one source column (any dtype) -> a contract value and its checks.

A parser returns a Conv: helper columns computed in stages (so an expensive parse such as
splitting "1:02:03" runs once, not once per use), the final value, and checks (is_bad,
Swedish reason). Reasons are only formatted for rows that fail a check. Raw text is trimmed and
blank means missing. No per-row Python: everything is a Polars expression over a whole batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from dashboard.ingest import fields as F

@dataclass
class Conv:
    value: pl.Expr
    stages: list[list[pl.Expr]] = field(default_factory=list)
    checks: list[tuple[pl.Expr, pl.Expr]] = field(default_factory=list)


def helper(fld: str, name: str) -> str:
    return f"__{name}_{fld}"


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


def sv_format(template: str, *values: pl.Expr) -> pl.Expr:
    """pl.format built from concat_str (pl.format nested in when/then panics on filtered frames
    in Polars 2.1)."""
    pieces = template.split("{}")
    assert len(pieces) == len(values) + 1, template
    parts: list[pl.Expr] = []
    for piece, value in zip(pieces, [*values, None]):
        if piece:
            parts.append(pl.lit(piece))
        if value is not None:
            parts.append(value)
    return pl.concat_str(parts)


def quoted(expr: pl.Expr) -> pl.Expr:
    return sv_format('"{}"', expr)


def value_map(text: pl.Expr, mapping: dict[str, object], dtype=pl.String) -> pl.Expr:
    """Apply a profile value map (keys lower-case); unmapped values pass through unchanged."""
    if not mapping:
        return text
    return text.str.to_lowercase().replace_strict(list(mapping), list(mapping.values()), default=text,
                                                  return_dtype=dtype)


def text_field(col: str, dtype, mapping: dict) -> Conv:
    return Conv(value_map(cleaned(col, dtype), mapping))


def enum_field(col: str, dtype, fld: str, mapping: dict) -> Conv:
    t, code = pl.col(helper(fld, "t")), pl.col(helper(fld, "v"))
    lookup = F.enum_lookup(fld)
    parse = value_map(t, mapping).str.to_lowercase().replace_strict(lookup, default=None, return_dtype=pl.String)
    allowed = ", ".join(F.ENUM_FIELDS[fld])
    why = sv_format(f"Okänt värde {{}} för {F.LABELS_SV[fld]} i kolumnen \"{col}\". Tillåtna värden: "
                    f"{allowed}; lägg till en översättning under [values.{fld}] i profilen.", quoted(t))
    return Conv(code, [[cleaned(col, dtype).alias(helper(fld, "t"))], [parse.alias(helper(fld, "v"))]],
                [(t.is_not_null() & code.is_null(), why)])


def bool_field(col: str, dtype, fld: str, mapping: dict, true_words, false_words) -> Conv:
    if dtype == pl.Boolean:
        return Conv(pl.col(col))
    t, value = pl.col(helper(fld, "t")), pl.col(helper(fld, "v"))
    words = {w: True for w in true_words} | {w: False for w in false_words} | {k: bool(v) for k, v in mapping.items()}
    parse = t.str.to_lowercase().replace_strict(list(words), list(words.values()), default=None, return_dtype=pl.Boolean)
    why = sv_format(f"Okänt ja/nej-värde {{}} för {F.LABELS_SV[fld]} i kolumnen \"{col}\". Lägg till ordet "
                    "under [booleans] true/false i profilen.", quoted(t))
    return Conv(value, [[cleaned(col, dtype).alias(helper(fld, "t"))], [parse.alias(helper(fld, "v"))]],
                [(t.is_not_null() & value.is_null(), why)])


def answer_status_field(col: str, dtype, which: str, mapping: dict, true_words, false_words,
                        check: bool) -> Conv:
    """`answered` or `abandoned` from one column of states ("answered", "abandoned", "other"):
    [values.answer_status] first, then yes/no words (yes = answered, no = abandoned). The
    conversion with `check` computes the shared helper columns and reports bad values; the
    other one only reads them."""
    fld = F.ANSWER_STATUS
    t, state = pl.col(helper(fld, "t")), pl.col(helper(fld, "v"))
    if dtype == pl.Boolean:
        value = pl.col(col) if which == "answered" else ~pl.col(col)
        return Conv(value)
    answered, abandoned = F.ANSWER_STATES[:2]
    words = {w: answered for w in true_words} | {w: abandoned for w in false_words} | dict(mapping)
    parse = t.str.to_lowercase().replace_strict(list(words), list(words.values()), default=None, return_dtype=pl.String)
    stages = [[cleaned(col, dtype).alias(helper(fld, "t"))], [parse.alias(helper(fld, "v"))]] if check else []
    why = sv_format(f"Okänt värde {{}} för besvarad/avbruten i kolumnen \"{col}\". Lägg till det under "
                    '[values.answer_status] som "answered", "abandoned" eller "other" i profilen.', quoted(t))
    checks = [(t.is_not_null() & state.is_null(), why)] if check else []
    return Conv(pl.when(state.is_not_null()).then(state == which), stages, checks)


def composite_text(cols: list[tuple[str, pl.DataType]], separator: str) -> Conv:
    """Parts joined by `separator`; missing when any part is missing (a half id would merge contacts)."""
    parts = [cleaned(c, dtype) for c, dtype in cols]
    return Conv(pl.concat_str(parts, separator=separator, ignore_nulls=False))


def _numeric_text(t: pl.Expr, decimal: str) -> pl.Expr:
    digits = t.str.replace_all(r"[\s\u00a0]", "")
    return digits.str.replace(",", ".", literal=True) if decimal == "," else digits


def duration_field(col: str, dtype, fld: str, fmt: str, two_part: str, unit: int, decimal: str) -> Conv:
    """Seconds from plain numbers (times `unit`), h:mm:ss or mm:ss (or h:mm); whole seconds."""
    label, limit = F.LABELS_SV[fld], F.MAX_SECONDS[fld]
    t, raw = pl.col(helper(fld, "t")), pl.col(helper(fld, "r"))
    if isinstance(dtype, pl.Duration):
        stages = [[pl.col(col).cast(pl.String).alias(helper(fld, "t")),
                   pl.col(col).dt.total_seconds(fractional=True).alias(helper(fld, "r"))]]
    elif dtype.is_numeric():
        stages = [[cleaned(col, dtype).alias(helper(fld, "t")), (pl.col(col).cast(pl.Float64) * unit).alias(helper(fld, "r"))]]
    else:
        n, g = pl.col(helper(fld, "n")), pl.col(helper(fld, "g"))
        neg, a, b, c, extra = (pl.col(helper(fld, x)) for x in ("neg", "a", "b", "c", "x"))
        first, second = (60, 1) if two_part == "mm:ss" else (3600, 60)
        clock = pl.when(c.is_not_null()).then(a * 3600 + b * 60 + c).when(b.is_not_null()).then(a * first + b * second)
        # Only the leading part may exceed 59 (e.g. 125:30 as minutes:seconds).
        clock = pl.when((b >= 60) | (c >= 60)).then(None).otherwise(clock)
        plain = pl.when(b.is_null()).then(a * unit)
        secs = {"seconds": plain, "hms": clock}.get(fmt, pl.coalesce(plain, clock))
        secs = pl.when(extra | (a < 0) | (b < 0) | (c < 0)).then(None).otherwise(secs)
        part = lambda i: g.struct.field(f"field_{i}").cast(pl.Float64, strict=False)  # noqa: E731
        stages = [
            [cleaned(col, dtype).alias(helper(fld, "t"))],
            [_numeric_text(t, decimal).alias(helper(fld, "n"))],
            [n.str.starts_with("-").alias(helper(fld, "neg")),
             n.str.strip_prefix("-").str.splitn(":", 4).alias(helper(fld, "g"))],
            [part(0).alias(helper(fld, "a")), part(1).alias(helper(fld, "b")), part(2).alias(helper(fld, "c")),
             # a part that is present but not a number, or a fourth part, spoils the value
             ((g.struct.field("field_1").is_not_null() & part(1).is_null())
              | (g.struct.field("field_2").is_not_null() & part(2).is_null())
              | g.struct.field("field_3").is_not_null()).alias(helper(fld, "x"))],
            [pl.when(neg).then(-secs).otherwise(secs).alias(helper(fld, "r"))],
        ]
    expected = {"seconds": "sekunder", "hms": "h:mm:ss eller mm:ss"}.get(fmt, "sekunder, h:mm:ss eller mm:ss")
    other = {"seconds": "hms", "hms": "seconds"}.get(fmt, "auto")
    # The message names the profile key to change (per field), not just the section.
    fix = (f'ändra [durations] format för fältet till t.ex. format = {{ {fld} = "{other}" }}' if fmt != "auto"
           else "rätta värdet i källan eller ange rätt format under [durations] format")
    unit_name = {1: "s", 60: "min", 3600: "h"}.get(unit, f"{unit} s")
    checks = [
        (t.is_not_null() & raw.is_null(),
         sv_format(f"Ogiltig tid {{}} för {label} i kolumnen \"{col}\" (förväntat {expected}; {fix}).", quoted(t))),
        (raw < 0, sv_format(f"Negativ tid {{}} för {label} i kolumnen \"{col}\"; tider kan inte vara negativa.", quoted(t))),
        (raw > limit, sv_format(f"Orimligt lång tid {{}} för {label} i kolumnen \"{col}\" (högst "
                                f"{limit // 3600} timmar, tal läses som {unit_name}); kontrollera "
                                f"[durations.unit] {fld} och [durations] two_part i profilen.", quoted(t))),
    ]
    value = pl.when(raw.is_between(0, limit)).then(raw.round(0, mode="half_away_from_zero").cast(pl.Int64))
    return Conv(value, stages, checks)


def satisfaction_field(col: str, dtype, decimal: str) -> Conv:
    fld = "satisfaction"
    t, raw = pl.col(helper(fld, "t")), pl.col(helper(fld, "r"))
    parse = pl.col(col).cast(pl.Float64) if dtype.is_numeric() else _numeric_text(t, decimal).cast(pl.Float64, strict=False)
    whole = raw.is_between(1, 5) & (raw == raw.round(0))
    checks = [
        (t.is_not_null() & raw.is_null(),
         sv_format(f"Nöjdhet {{}} i kolumnen \"{col}\" är inget tal (förväntat 1–5).", quoted(t))),
        (raw.is_not_null() & ~whole,
         sv_format(f"Nöjdhet {{}} i kolumnen \"{col}\" ligger utanför skalan 1–5 (heltal).", quoted(t))),
    ]
    return Conv(pl.when(whole).then(raw.cast(pl.Int8)),
                [[cleaned(col, dtype).alias(helper(fld, "t"))], [parse.alias(helper(fld, "r"))]], checks)


def apply(frame: pl.DataFrame, convs: dict[str, Conv]) -> pl.DataFrame:
    """Add every conversion's helper columns, stage by stage."""
    depth = max((len(c.stages) for c in convs.values()), default=0)
    for i in range(depth):
        exprs = [e for c in convs.values() if i < len(c.stages) for e in c.stages[i]]
        if exprs:
            frame = frame.with_columns(exprs)
    return frame


def evaluate(frame: pl.DataFrame, fld: str, conv: Conv) -> tuple[list, list]:
    """(values, reasons) of one conversion over a frame: the whole machinery, for tests and tools."""
    out = apply(frame, {fld: conv})
    reasons = pl.concat_str([pl.when(bad).then(why) for bad, why in conv.checks], separator=" ",
                            ignore_nulls=True) if conv.checks else pl.lit(None, pl.String)
    out = out.select(conv.value.alias("v"), reasons.alias("r"))
    return out["v"].to_list(), [r or None for r in out["r"].to_list()]
