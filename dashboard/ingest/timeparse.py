"""started_at: parse local date/time columns and convert to UTC, with a stated daylight-saving rule.

Rule (docs/ingest.md): a local time that occurs twice (autumn, 02:00–03:00 on the last Sunday
of October) is read as the first occurrence (summer time, +02:00) unless the profile says
ambiguous = "latest" or "quarantine", or the value itself carries an offset. A local time that
does not exist (spring, 02:00–03:00 on the last Sunday of March) goes to quarantine unless
the profile says nonexistent = "shift_forward", which reads it with the offset in force just
before the change (02:30 -> 03:30 summer time = 01:30 UTC), as a clock not yet adjusted meant.
Formats are tried in the profile's order, then ISO forms; a value with an offset (%z) is
converted directly. Dates outside the plausible window (settings earliest_plausible_date and
plausible_days_ahead, default 2000-01-01 to one day ahead) are quarantined as implausible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from dashboard.ingest.convert import sv_format
from dashboard.ingest.profile import ISO_DATETIME_FORMATS, StartedAt

OFFSET_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%.f%z")
EARLIEST = dt.datetime(2000, 1, 1)


@dataclass(frozen=True)
class Window:
    """Plausible start times: from `earliest` (UTC) to `days_ahead` days after now."""
    earliest: dt.datetime = EARLIEST
    days_ahead: int = 1

    @classmethod
    def from_settings(cls, settings) -> "Window":
        return cls(dt.datetime.combine(settings.earliest_plausible_date, dt.time()), settings.plausible_days_ahead)


HUMAN = {"%Y": "ÅÅÅÅ", "%y": "ÅÅ", "%m": "MM", "%d": "DD", "%H": "tt", "%M": "mm", "%S": "ss",
         "%z": "+hhmm", "%.f": ".ffffff", "%f": "ffffff"}


def human_format(fmt: str) -> str:
    """"%Y-%m-%d %H:%M" -> "ÅÅÅÅ-MM-DD tt:mm" for messages."""
    for code, text in HUMAN.items():
        fmt = fmt.replace(code, text)
    return fmt


def _first_match(text: pl.Series, formats, parse) -> pl.Series:
    """Parse with each format in turn, only for values still unparsed (cheap when the first fits)."""
    out = None
    for fmt in dict.fromkeys(formats):
        todo = text.is_not_null() if out is None else text.is_not_null() & out.is_null()
        if not todo.any():
            break
        parsed = parse(text, fmt)
        out = parsed if out is None else out.fill_null(parsed)
    return out


def _strptime(kind):
    def parse(text: pl.Series, fmt: str) -> pl.Series:
        if kind == "datetime":
            return text.str.to_datetime(fmt, strict=False, time_unit="us")
        if kind == "date":
            return text.str.to_date(fmt, strict=False)
        return text.str.to_time(fmt, strict=False)
    return parse


def _clean(s: pl.Series) -> pl.Series:
    if s.dtype != pl.String:
        return s
    s = s.str.strip_chars()
    return s.set(s == "", None)


def parse_local(frame: pl.DataFrame, spec: StartedAt, cols: dict[str, str]) -> tuple[pl.Series, pl.Series, pl.Series]:
    """(naive local datetime, UTC datetime from values that carry an offset, raw text for messages)."""
    if spec.column:
        raw = _clean(frame[cols[spec.column]])
        if raw.dtype == pl.Datetime and raw.dtype.time_zone is not None:
            utc = raw.dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.cast_time_unit("us")
            return pl.Series([None] * len(raw), dtype=pl.Datetime("us")), utc, raw.cast(pl.String)
        if raw.dtype in (pl.Datetime, pl.Date):
            return raw.cast(pl.Datetime("us")), _nulls(len(raw)), raw.cast(pl.String)
        raw = raw.cast(pl.String)
        naive = _first_match(raw, (*spec.formats, *ISO_DATETIME_FORMATS), _strptime("datetime"))
        with_offset = _offset(raw, naive)
        return naive, with_offset, raw
    date_raw = _clean(frame[cols[spec.date_column]])
    if date_raw.dtype in (pl.Datetime, pl.Date):
        date = date_raw.cast(pl.Date)
    else:
        date_raw = date_raw.cast(pl.String)
        date = _first_match(date_raw, spec.date_formats, _strptime("date"))
        iso = date.is_null() & date_raw.is_not_null()
        if iso.any():  # XLSX dates arrive as "2024-03-01 00:00:00"
            date = date.fill_null(_first_match(date_raw, ISO_DATETIME_FORMATS, _strptime("datetime")).dt.date())
    if not spec.time_column:
        return date.cast(pl.Datetime("us")), _nulls(len(date)), date_raw.cast(pl.String)
    time_raw = _clean(frame[cols[spec.time_column]])
    if time_raw.dtype == pl.Time:
        time = time_raw
    else:
        time_raw = time_raw.cast(pl.String)
        time = _first_match(time_raw, (*spec.time_formats, "%H:%M:%S", "%H:%M", "%H:%M:%S%.f"), _strptime("time"))
        if (time.is_null() & time_raw.is_not_null()).any():
            time = time.fill_null(_first_match(time_raw, ISO_DATETIME_FORMATS, _strptime("datetime")).dt.time())
    naive = pl.DataFrame({"d": date, "t": time}).select(
        pl.when(pl.col("t").is_not_null()).then(pl.col("d").dt.combine(pl.col("t")))
    ).to_series().cast(pl.Datetime("us"))
    text = pl.DataFrame({"d": date_raw.cast(pl.String), "t": time_raw.cast(pl.String)}).select(
        pl.when(pl.col("d").is_not_null()).then(pl.concat_str("d", "t", separator=" ", ignore_nulls=True))
    ).to_series()
    return naive, _nulls(len(naive)), text


def _nulls(n: int) -> pl.Series:
    return pl.Series([None] * n, dtype=pl.Datetime("us"))


def _offset(raw: pl.Series, naive: pl.Series) -> pl.Series:
    todo = naive.is_null() & raw.is_not_null()
    if not todo.any():
        return _nulls(len(raw))
    utc = None
    for fmt in OFFSET_FORMATS:
        parsed = raw.str.to_datetime(fmt, strict=False, time_unit="us")
        parsed = parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        utc = parsed if utc is None else utc.fill_null(parsed)
    return utc


def to_utc(naive: pl.Series, with_offset: pl.Series, spec: StartedAt) -> tuple[pl.Series, pl.Series]:
    """(UTC naive datetimes, problem) where problem is "nonexistent" or "ambiguous" for refused rows."""
    first = naive.dt.replace_time_zone(spec.timezone, ambiguous="earliest", non_existent="null")
    last = naive.dt.replace_time_zone(spec.timezone, ambiguous="latest", non_existent="null")
    nonexistent = first.is_null() & naive.is_not_null()
    ambiguous = first != last
    local = last if spec.ambiguous == "latest" else first
    if spec.ambiguous == "quarantine":
        local = local.set(ambiguous.fill_null(False), None)
    if spec.nonexistent == "shift_forward" and nonexistent.any():
        shifted = (naive + dt.timedelta(hours=1)).dt.replace_time_zone(spec.timezone, non_existent="null")
        local = local.zip_with(~nonexistent, shifted)
        nonexistent = nonexistent & shifted.is_null()
    utc = local.dt.convert_time_zone("UTC").dt.replace_time_zone(None).fill_null(with_offset)
    problem = pl.DataFrame({"n": nonexistent, "a": ambiguous.fill_null(False), "u": utc}).select(
        pl.when(pl.col("u").is_not_null()).then(None)
        .when(pl.col("n")).then(pl.lit("nonexistent"))
        .when(pl.col("a")).then(pl.lit("ambiguous"))
    ).to_series()
    return utc, problem


def problems(naive: pl.Series, utc: pl.Series, problem: pl.Series, raw: pl.Series,
             now: dt.datetime | None = None, window: Window = Window()) -> pl.Series:
    """Per row: null, or why started_at cannot be used (missing, invalid, ambiguous, nonexistent,
    implausible). Cheap codes for every row; reason_text formats them for failing rows only."""
    latest = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)) + dt.timedelta(days=window.days_ahead)
    df = pl.DataFrame({"naive": naive, "utc": utc, "raw": raw, "problem": problem})
    n, u = pl.col("naive"), pl.col("utc")
    return df.select(
        pl.when(pl.col("raw").is_null()).then(pl.lit("missing"))
        .when(n.is_null() & u.is_null()).then(pl.lit("invalid"))
        .when(pl.col("problem").is_not_null()).then(pl.col("problem"))
        .when(u.is_null()).then(pl.lit("invalid"))
        .when((u < window.earliest) | (u > latest)).then(pl.lit("implausible"))
    ).to_series()


def reason_text(code: pl.Expr, raw: pl.Expr, spec: StartedAt, source: str, window: Window = Window()) -> pl.Expr:
    """The Swedish reason for a problem code (see problems)."""
    formats = " eller ".join(human_format(f) for f in (spec.formats or spec.date_formats))
    value = sv_format('"{}"', raw)
    return (
        pl.when(code == "missing")
        .then(pl.lit(f"Starttid saknas (kolumnen \"{source}\" är tom); starttid krävs."))
        .when(code == "invalid")
        .then(sv_format(f"Ogiltigt eller omöjligt datum/klockslag {{}} i \"{source}\" (förväntat format {formats}).", value))
        .when(code == "ambiguous")
        .then(sv_format(f"Lokal tid {{}} i \"{source}\" inträffar två gånger (sommartid slutar) och profilen "
                        "säger ambiguous = \"quarantine\".", value))
        .when(code == "nonexistent")
        .then(sv_format(f"Lokal tid {{}} i \"{source}\" finns inte (klockan ställs fram vid sommartid). Rätta "
                        "källan eller ange nonexistent = \"shift_forward\" under [started_at].", value))
        .when(code == "implausible")
        .then(sv_format(f"Orimligt datum {{}} i \"{source}\" (före {window.earliest:%Y-%m-%d} eller mer än "
                        f"{window.days_ahead} dag(ar) fram i tiden). Ett äldre arkiv läses in om inställningen "
                        "earliest_plausible_date sänks (docs/configuration.md).", value))
    )
