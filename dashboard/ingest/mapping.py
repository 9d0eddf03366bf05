"""Apply a profile to one raw batch: contract rows that can land, quarantine rows with reasons.

A Plan is made once per file from its header: which source column fills what, which columns
are identifiers, free text, dropped (agent columns by default) or unknown. map_batch then runs
only vectorised Polars expressions; raw identifiers never leave this module: the good rows carry
caller_key and contact_id (pseudonyms), note (scrubbed) and vocabulary values only (vocabulary.py),
the quarantine rows a JSON of the row without identifier, dropped or unknown columns and with
every value made safe (_safe_json_value).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard.ingest import convert as C
from dashboard.ingest import fields as F
from dashboard.ingest import pii, timeparse
from dashboard.ingest import vocabulary as V
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
    vocab: V.Vocabularies = field(default_factory=V.default_vocabularies)
    window: timeparse.Window = field(default_factory=timeparse.Window)   # plausible start dates

    def col(self, name: str) -> str:
        return self.cols[name]

    def json_columns(self) -> list[str]:
        """Columns a quarantine row may show: mapped and free-text ones, never identifiers."""
        p = self.profile
        keep = (*p.columns, *p.started_at.source_columns(), *p.free_text, *(r.column for r in p.skip))
        banned = set(p.identifiers) | set(p.drop)
        return list(dict.fromkeys(self.cols[c] for c in keep if c not in banned))


def make_plan(header: list[str], profile: Profile, path: Path, vocab: V.Vocabularies | None = None,
              window: timeparse.Window | None = None) -> Plan:
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
    plan = Plan(profile, path, cols, unknown, dropped, missing_optional, vocab or V.default_vocabularies(),
                window or timeparse.Window())
    _check_constants(plan)
    return plan


def _check_constants(plan: Plan) -> None:
    """A [constants] vocabulary value must be a value of its vocabulary, like any source value."""
    for fld, value in plan.profile.constants.items():
        if fld in V.MAPPED and isinstance(value, str) and plan.vocab.match(fld, value) is None:
            raise FileLevelError(
                plan.path, f"[constants] {fld} = {value!r} finns inte i vokabulären för {F.LABELS_SV[fld]}.",
                f"Rätta värdet eller lägg till det med `kontaktcenter vocabulary add {fld} \"…\"`.")


@dataclass
class Mapped:
    good: pl.DataFrame        # CONTRACT_SCHEMA columns (contact_id may be null: derive later) + LINE
    bad: pl.DataFrame         # LINE, reason, row_json
    skipped: int
    findings: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (field, column, kind) -> rows


def map_batch(frame: pl.DataFrame, plan: Plan, key: bytes) -> Mapped:
    p = plan.profile
    for name in plan.missing_optional:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(plan.cols[name]))
    frame = _apply_missing(frame, plan)
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
        timeparse.problems(naive, utc, problem, raw, window=plan.window).alias(TIME_PROBLEM),
        raw.alias(TIME_RAW),
    )
    checks = _checks(convs, plan)
    frame = frame.with_columns(pl.any_horizontal(*(bad.fill_null(False) for bad, _ in checks)).alias(BAD))
    good = frame.filter(~pl.col(BAD))
    bad = _safe_for_reasons(frame.filter(pl.col(BAD))).with_columns(
        pl.concat_str([pl.when(cond).then(why) for cond, why in checks], separator=" ", ignore_nulls=True).alias(REASON))
    findings = _unknown_findings(good, plan)
    caller_key, misfiled = _caller_key(good, plan, key)
    findings.update(misfiled)
    good = good.with_columns(caller_key.alias(OUT + "caller_key"), _note(good, plan).alias(OUT + "note"),
                             pii.contact_pseudonym(good[OUT + "contact_id"], key, p.source_system).alias(OUT + "contact_id"))
    contract = good.select(*(pl.col(OUT + f).alias(f) for f in CONTRACT_SCHEMA), LINE)
    return Mapped(contract, quarantine_rows(bad, plan, key), skipped, findings)


def _safe_for_reasons(bad: pl.DataFrame) -> pl.DataFrame:
    """The raw texts a quarantine reason quotes, made safe to store (pii.safe_echo)."""
    quoted = [c for c in bad.columns if c.startswith("__t_") or c == TIME_RAW]
    if not bad.height or not quoted:
        return bad
    return bad.with_columns(pii.safe_echo(bad[c]) for c in quoted)


def _unknown_findings(good: pl.DataFrame, plan: Plan) -> dict[tuple[str, str, str], int]:
    sources = plan.profile.field_sources()
    out = {}
    for fld in V.MAPPED:
        flag = V.UNKNOWN_FLAG + fld
        if flag in good.columns and (n := int(good[flag].sum())):
            out[(fld, sources[fld], "unknown_value")] = n
    return out


def _checks(convs: dict[str, C.Conv], plan: Plan) -> list[tuple[pl.Expr, pl.Expr]]:
    """Every (is_bad, reason) of a row: started_at first, then field by field, then required fields."""
    p = plan.profile
    source = plan.col(p.started_at.column or p.started_at.date_column)
    checks = [(pl.col(TIME_PROBLEM).is_not_null(),
               timeparse.reason_text(pl.col(TIME_PROBLEM), pl.col(TIME_RAW), p.started_at, source, plan.window))]
    checks += [check for conv in convs.values() for check in conv.checks]
    checks.append((pl.col(OUT + "channel").is_null(),
                   pl.lit("Kanal saknas; mappa en kolumn till channel eller ange [constants] channel.")))
    if p.has_contact_id:
        names = [plan.col(c) for c in p.contact_id_columns] or [plan.col(p.field_sources()["contact_id"])]
        where = f'kolumnen "{names[0]}"' if len(names) == 1 else "någon av kolumnerna " + ", ".join(f'"{n}"' for n in names)
        checks.append((pl.col(OUT + "contact_id").is_null(), pl.lit(
            f"Kontakt-id saknas i {where} (tom eller ett värde under [missing]); kontakt-id krävs när profilen mappar ett.")))
    return checks


def _apply_missing(frame: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """Values the profile declares as "no value" ([file] missing, [missing]) become null, in
    identifier columns too, so a placeholder such as customer id 0 never becomes one pseudonym."""
    exprs = []
    for name, header in plan.cols.items():
        markers = plan.profile.missing_markers(name)
        if markers and header in frame.columns:
            text = C.cleaned(header, frame.schema[header]).str.to_lowercase()
            exprs.append(pl.when(text.is_in(list(markers)).fill_null(False)).then(None)
                         .otherwise(pl.col(header)).alias(header))
    return frame.with_columns(exprs) if exprs else frame


def _field(fld: str, plan: Plan, schema) -> C.Conv:
    p = plan.profile
    src = p.field_sources().get(fld)
    if fld == "contact_id" and p.contact_id_columns:
        return C.composite_text([(plan.col(c), schema[plan.col(c)]) for c in p.contact_id_columns],
                                p.contact_id_separator)
    status = p.field_sources().get(F.ANSWER_STATUS)
    if fld in ("answered", "abandoned") and status is not None:
        col = plan.col(status)
        return C.answer_status_field(col, schema[col], fld, p.values.get(F.ANSWER_STATUS, {}),
                                     p.true_words, p.false_words, check=fld == "answered")
    if src is None:
        constant = p.constants.get(fld)
        if fld in V.MAPPED and isinstance(constant, str):
            constant = plan.vocab.match(fld, constant)
        return C.Conv(pl.lit(constant))
    col = plan.col(src)
    dtype = schema[col]
    mapping = p.values.get(fld, {})
    if fld in V.MAPPED:
        return V.vocabulary_field(col, dtype, fld, mapping, plan.vocab, p.unknown_values.get(fld, V.DEFAULT_POLICY[fld]))
    if fld in F.BOOL_FIELDS:
        return C.bool_field(col, dtype, fld, mapping, p.true_words, p.false_words)
    if fld in F.DURATION_FIELDS:
        unit = p.duration_units.get(fld, 1)
        return C.duration_field(col, dtype, fld, p.duration_format_of(fld), p.two_part_of(fld), unit, p.file.decimal)
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


def _caller_key(good: pl.DataFrame, plan: Plan, key: bytes) -> tuple[pl.Series, dict]:
    """The first filled identifier's pseudonym. A value that is not what its column claims (an
    e-mail address in the phone column) is pseudonymised as what it is and counted as a finding."""
    keys, findings = None, {}
    for name in plan.profile.identifiers:
        values = good[plan.col(name)].cast(pl.String)
        kind = identifier_kind(name)
        hashed = pii.pseudonymise(values, key, kind)
        wrong = pii.misfiled(values, kind)
        if n := int(wrong.sum()):
            findings[("caller_key", name, "misfiled_identifier")] = n
            hashed = pl.select(pl.when(wrong).then(pii.pseudonymise(values, key, None)).otherwise(hashed)).to_series()
        keys = hashed if keys is None else keys.fill_null(hashed)
    if keys is None:
        return pl.Series("caller_key", [None] * good.height, dtype=pl.String), findings
    return keys.alias("caller_key"), findings


def _note(good: pl.DataFrame, plan: Plan) -> pl.Series:
    cols = [plan.col(c) for c in plan.profile.free_text]
    if not cols:
        return pl.Series("note", [None] * good.height, dtype=pl.String)
    text = good.select(
        pl.concat_str([C.cleaned(c, good.schema[c]) for c in cols], separator=" | ", ignore_nulls=True)
    ).to_series()
    text = text.set(text == "", None)
    return pii.scrub_text(text).alias("note")


def quarantine_rows(bad: pl.DataFrame, plan: Plan, key: bytes) -> pl.DataFrame:
    """LINE, reason (scrubbed) and the row as JSON: allowed columns only, each made safe
    (_safe_json_value)."""
    if bad.height == 0:
        return pl.DataFrame(schema={LINE: pl.Int64, "reason": pl.String, "row_json": pl.String})
    cols = [c for c in plan.json_columns() if not c.startswith("__missing__")]
    scrubbed = {c: _safe_json_value(bad, c, plan, key) for c in cols}
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


def _safe_json_value(bad: pl.DataFrame, col: str, plan: Plan, key: bytes) -> pl.Series:
    """One column of quarantined rows as it may be stored: the contact id as its pseudonym (so
    `kontaktcenter find` finds the row), a vocabulary value as the value it matched or
    "[okänt värde]", free text scrubbed, anything else scrubbed and without words (pii.safe_echo)."""
    p = plan.profile
    targets = next((t for src, t in p.columns.items() if plan.cols.get(src) == col), ())
    raw = bad[col].cast(pl.String)
    if "contact_id" in targets:
        return pii.contact_pseudonym(raw, key, p.source_system).alias(col)
    vocab = [f for f in targets if f in V.MAPPED and C.helper(f, "v") in bad.columns]
    if vocab:
        matched = bad[C.helper(vocab[0], "v")]
        return pl.select(pl.when(matched.is_not_null()).then(matched)
                         .when(raw.str.strip_chars() != "").then(pl.lit("[okänt värde]"))).to_series().alias(col)
    if any(plan.cols.get(c) == col for c in p.free_text):
        return pii.scrub_text(raw)
    # Words the profile itself knows (ja/nej words, [values] spellings) are no one's data.
    known = [*p.true_words, *p.false_words, *(k for f in targets for k in p.values.get(f, {}))]
    return pl.select(pl.when(raw.str.strip_chars().str.to_lowercase().is_in(known)).then(raw)
                     .otherwise(pii.safe_echo(raw))).to_series().alias(col)
