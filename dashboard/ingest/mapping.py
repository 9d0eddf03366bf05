"""Apply a profile to one raw batch: contract rows that can land, quarantine rows with reasons.

A Plan is made once per file from its header: which source column fills what, which columns
are identifiers, free text, dropped (agent columns by default) or unknown. map_batch then runs
only vectorised Polars expressions; raw identifiers never leave this module: the good rows carry
caller_key (pseudonym) and note (scrubbed), the quarantine rows a JSON of the row without
identifier, dropped or unknown columns and with every value scrubbed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard.ingest import convert as C
from dashboard.ingest import fields as F
from dashboard.ingest import pii, timeparse
from dashboard.ingest.batch import LINE
from dashboard.ingest.errors import FileLevelError
from dashboard.ingest.profile import Profile

REASON = "__reason"
BAD = "__bad"
TIME_PROBLEM = "__time_problem"
TIME_RAW = "__time_raw"
DERIVED = ("started_at", "caller_key", "note")   # not filled by a per-field parser
OUT = "__field_"   # prefix of mapped values, so a source column named like a field cannot clash
IDENT_KINDS = {"personnummer": "personnummer", "pnr": "personnummer", "personnr": "personnummer",
               "samordningsnummer": "personnummer", "e-post": "email", "epost": "email",
               "mail": "email", "telefon": "phone", "phone": "phone", "mobil": "phone",
               "a-nummer": "phone", "kundnummer": "customer_id", "kund-id": "customer_id",
               "customer": "customer_id"}
CONTRACT_SCHEMA = {
    "contact_id": pl.String, "started_at": pl.Datetime("us"), "channel": pl.String,
    **{f: pl.String for f in ("department", "topic", "city_area", "service_point", "customer_type",
                               "language", "outcome", "demand_type", "failure_reason")},
    **{f: pl.Boolean for f in F.BOOL_FIELDS},
    **{f: pl.Int64 for f in F.DURATION_FIELDS},
    "satisfaction": pl.Int8, "caller_key": pl.String, "note": pl.String,
}


def identifier_kind(name: str) -> str | None:
    low = name.casefold()
    return next((kind for part, kind in IDENT_KINDS.items() if part in low), None)


@dataclass
class Plan:
    profile: Profile
    path: Path
    cols: dict[str, str]                                   # profile name -> header name
    unknown: list[str] = field(default_factory=list)       # header columns nobody asked for
    dropped: list[str] = field(default_factory=list)       # [drop] and agent-looking columns
    missing_optional: list[str] = field(default_factory=list)

    def col(self, name: str) -> str:
        return self.cols[name]

    def json_columns(self) -> list[str]:
        """Columns a quarantine row may show: mapped and free-text ones, never identifiers."""
        p = self.profile
        keep = (*p.columns, *p.started_at.source_columns(), *p.free_text, *(r.column for r in p.skip))
        banned = set(p.identifiers) | set(p.drop)
        return list(dict.fromkeys(self.cols[c] for c in keep if c not in banned))


def make_plan(header: list[str], profile: Profile, path: Path) -> Plan:
    """Match profile columns to the header (case and surrounding spaces ignored) or fail the file."""
    by_key = {h.casefold(): h for h in header}
    cols, missing, missing_optional = {}, [], []
    for name in profile.referenced_columns():
        found = by_key.get(name.strip().casefold())
        if found is not None:
            cols[name] = found
        elif name in profile.optional:
            missing_optional.append(name)
            cols[name] = f"__missing__{name}"
        else:
            missing.append(name)
    if missing:
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, header, n=2, cutoff=0.6)
            hints.append(f'"{name}"' + (f" (menade du {' eller '.join(repr(c) for c in close)}?)" if close else ""))
        raise FileLevelError(
            path,
            f"Kolumner som profilen kräver saknas i filen: {', '.join(hints)}. Filen har: "
            f"{', '.join(header[:40])}{' …' if len(header) > 40 else ''}.",
            "Rätta kolumnnamnen i profilen, lägg kolumnen under [optional] om den får saknas, "
            "eller kontrollera att det är rätt fil och rätt avgränsare.",
        )
    used = {h.casefold() for h in cols.values()}
    explicit_drop = {d.casefold() for d in profile.drop}
    dropped = [h for h in header if h.casefold() not in used and (
        h.casefold() in explicit_drop or (profile.drop_agent_columns and F.looks_like_agent_column(h)))]
    unknown = [h for h in header if h.casefold() not in used and h not in dropped]
    return Plan(profile, path, cols, unknown, dropped, missing_optional)


@dataclass
class Mapped:
    good: pl.DataFrame        # CONTRACT_SCHEMA columns (contact_id may be null: derive later) + LINE
    bad: pl.DataFrame         # LINE, reason, row_json
    skipped: int


def map_batch(frame: pl.DataFrame, plan: Plan, key: bytes) -> Mapped:
    p = plan.profile
    for name in plan.missing_optional:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(plan.cols[name]))
    before = frame.height
    if p.skip:
        frame = frame.filter(~pl.any_horizontal(*[_skip_expr(r, plan) for r in p.skip]).fill_null(False))
    skipped = before - frame.height
    convs = {fld: _field(fld, plan, frame.schema) for fld in CONTRACT_SCHEMA if fld not in DERIVED}
    frame = C.apply(frame, convs)
    naive, with_offset, raw = timeparse.parse_local(frame, p.started_at, plan.cols)
    utc, problem = timeparse.to_utc(naive, with_offset, p.started_at)
    frame = frame.with_columns(
        *(conv.value.cast(CONTRACT_SCHEMA[fld]).alias(OUT + fld) for fld, conv in convs.items()),
        utc.alias(OUT + "started_at"),
        timeparse.problems(naive, utc, problem, raw).alias(TIME_PROBLEM),
        raw.alias(TIME_RAW),
    )
    checks = _checks(convs, plan)
    frame = frame.with_columns(pl.any_horizontal(*(bad.fill_null(False) for bad, _ in checks)).alias(BAD))
    good = frame.filter(~pl.col(BAD))
    bad = frame.filter(pl.col(BAD)).with_columns(
        pl.concat_str([pl.when(cond).then(why) for cond, why in checks], separator=" ", ignore_nulls=True).alias(REASON))
    good = good.with_columns(_caller_key(good, plan, key).alias(OUT + "caller_key"),
                             _note(good, plan).alias(OUT + "note"))
    contract = good.select(*(pl.col(OUT + f).alias(f) for f in CONTRACT_SCHEMA), LINE)
    return Mapped(contract, quarantine_rows(bad, plan), skipped)


def _checks(convs: dict[str, C.Conv], plan: Plan) -> list[tuple[pl.Expr, pl.Expr]]:
    """Every (is_bad, reason) of a row: started_at first, then field by field, then required fields."""
    p = plan.profile
    source = plan.col(p.started_at.column or p.started_at.date_column)
    checks = [(pl.col(TIME_PROBLEM).is_not_null(),
               timeparse.reason_text(pl.col(TIME_PROBLEM), pl.col(TIME_RAW), p.started_at, source))]
    checks += [check for conv in convs.values() for check in conv.checks]
    checks.append((pl.col(OUT + "channel").is_null(),
                   pl.lit("Kanal saknas; mappa en kolumn till channel eller ange [constants] channel.")))
    if "contact_id" in p.field_sources():
        column = plan.col(p.field_sources()["contact_id"])
        checks.append((pl.col(OUT + "contact_id").is_null(), pl.lit(f'Kontakt-id saknas i kolumnen "{column}".')))
    return checks


def _field(fld: str, plan: Plan, schema) -> C.Conv:
    p = plan.profile
    src = p.field_sources().get(fld)
    if src is None:
        return C.Conv(pl.lit(p.constants.get(fld)))
    col = plan.col(src)
    dtype = schema[col]
    mapping = p.values.get(fld, {})
    if fld in F.ENUM_FIELDS:
        return C.enum_field(col, dtype, fld, mapping)
    if fld in F.BOOL_FIELDS:
        return C.bool_field(col, dtype, fld, mapping, p.true_words, p.false_words)
    if fld in F.DURATION_FIELDS:
        unit = p.duration_units.get(fld, 1)
        return C.duration_field(col, dtype, fld, p.duration_format, p.two_part, unit, p.file.decimal)
    if fld == "satisfaction":
        return C.satisfaction_field(col, dtype, p.file.decimal)
    return C.text_field(col, dtype, mapping)


def _skip_expr(rule, plan: Plan) -> pl.Expr:
    col = pl.col(plan.col(rule.column)).cast(pl.String).str.strip_chars()
    if rule.empty:
        return col.is_null() | (col == "")
    if rule.equals is not None:
        return col == rule.equals
    return col.str.contains(rule.matches)


def _caller_key(good: pl.DataFrame, plan: Plan, key: bytes) -> pl.Series:
    keys = None
    for name in plan.profile.identifiers:
        values = good[plan.col(name)].cast(pl.String)
        hashed = pii.pseudonymise(values, key, identifier_kind(name))
        keys = hashed if keys is None else keys.fill_null(hashed)
    if keys is None:
        return pl.Series("caller_key", [None] * good.height, dtype=pl.String)
    return keys.alias("caller_key")


def _note(good: pl.DataFrame, plan: Plan) -> pl.Series:
    cols = [plan.col(c) for c in plan.profile.free_text]
    if not cols:
        return pl.Series("note", [None] * good.height, dtype=pl.String)
    text = good.select(
        pl.concat_str([C.cleaned(c, good.schema[c]) for c in cols], separator=" | ", ignore_nulls=True)
    ).to_series()
    text = text.set(text == "", None)
    return pii.scrub_text(text).alias("note")


def quarantine_rows(bad: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """LINE, reason (scrubbed) and the row as JSON: allowed columns only, every value scrubbed."""
    if bad.height == 0:
        return pl.DataFrame(schema={LINE: pl.Int64, "reason": pl.String, "row_json": pl.String})
    cols = [c for c in plan.json_columns() if not c.startswith("__missing__")]
    scrubbed = {c: pii.scrub_text(bad[c].cast(pl.String)) for c in cols}
    row_json = pl.DataFrame(scrubbed).select(pl.struct(pl.all()).struct.json_encode()).to_series() if cols else None
    return pl.DataFrame({
        LINE: bad[LINE],
        "reason": pii.scrub_text(bad[REASON]),
        "row_json": row_json if row_json is not None else pl.Series([None] * bad.height, dtype=pl.String),
    })


def reader_rejects(rejects: list[tuple[int, str]]) -> pl.DataFrame:
    """Records the reader could not split into fields; their text is not kept (it may hold identifiers)."""
    return pl.DataFrame({LINE: [r[0] for r in rejects], "reason": [r[1] for r in rejects],
                         "row_json": [None] * len(rejects)},
                        schema={LINE: pl.Int64, "reason": pl.String, "row_json": pl.String})
