"""Vocabulary columns hold values of their lookup tables, nothing else (docs/ingest.md,
"Vocabularies").

A source value is matched case- and whitespace-insensitively against the lookup's values, their
Swedish labels, the store's aliases (`vocabulary_aliases`) and the profile's `[values.FIELD]`.
A value that matches nothing is never stored as given: per field the profile's `[unknown_values]`
either quarantines the row or stores the vocabulary's unknown value and counts a finding.
New values enter only through `add_value` (the `kontaktcenter vocabulary add` command, or a
profile's `[vocabulary]` section), which refuses anything that looks like personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from dashboard import reference
from dashboard.ingest import convert as C
from dashboard.ingest import fields as F
from dashboard.ingest import pii
from dashboard.ingest.errors import IngestError, ProfileError


@dataclass(frozen=True)
class Spec:
    table: str
    column: str
    label: str | None        # a second column whose text also matches (Swedish label, short name)
    closed: bool             # the contract fixes the codes: only aliases can be added
    swedish: str             # for messages


SPECS: dict[str, Spec] = {
    "department": Spec("departments", "department", "short_name", False, "förvaltning"),
    "topic": Spec("topics", "topic", None, False, "ärendekategori"),
    "city_area": Spec("city_areas", "city_area", None, False, "stadsdel/stadsområde"),
    "service_point": Spec("service_points", "service_point", None, False, "servicepunkt"),
    "language": Spec("languages", "language", "label", False, "språk"),
    "channel": Spec("channels", "channel", "label", True, "kanal"),
    "customer_type": Spec("customer_types", "customer_type", "label", True, "kundtyp"),
    "outcome": Spec("outcomes", "outcome", "label", True, "utfall"),
    "demand_type": Spec("demand_types", "demand_type", "label", True, "typ av efterfrågan"),
    "failure_reason": Spec("failure_reasons", "failure_reason", "label", True, "orsak till onödig efterfrågan"),
    "source_system": Spec("source_systems", "source_system", None, False, "källsystem"),
}
# Contract fields a source column fills that are vocabularies (source_system comes from the profile).
MAPPED = tuple(f for f in SPECS if f != "source_system")
# What an unknown value becomes under the "unknown" policy: the contract's own unknown code where
# it has one, otherwise null ("Uppgift saknas"), so missing-value shares stay right.
UNKNOWN_VALUE: dict[str, str | None] = {"outcome": "unknown"}
POLICIES = ("quarantine", "unknown")
# Department and city area decide whose figures a contact counts in, and the channel is required:
# an unknown value there quarantines the row. The closed vocabularies quarantine too, because an
# unknown code there is nearly always a missing [values] translation, best fixed before landing.
# Topic, service point and language are open and long; an unknown one is stored as unknown.
DEFAULT_POLICY: dict[str, str] = {
    "department": "quarantine", "city_area": "quarantine", "channel": "quarantine",
    "customer_type": "quarantine", "outcome": "quarantine", "demand_type": "quarantine",
    "failure_reason": "quarantine",
    "topic": "unknown", "service_point": "unknown", "language": "unknown",
}
UNKNOWN_FLAG = "__unknown_"   # + field: the row's value was unknown and stored as unknown


class VocabularyError(IngestError):
    """A vocabulary value cannot be added; str(exc) is Swedish and names the fix."""


def norm(text: str) -> str:
    """The matching key: whitespace collapsed, lower case."""
    return " ".join(str(text).split()).lower()


def norm_expr(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


@dataclass(frozen=True)
class Vocabularies:
    """Per field: matching key -> stored value."""
    lookups: dict[str, dict[str, str]]

    def lookup(self, fld: str) -> dict[str, str]:
        return self.lookups.get(fld, {})

    def match(self, fld: str, text: str) -> str | None:
        return self.lookup(fld).get(norm(text))


def _add(out: dict[str, str], value: str, *spellings) -> None:
    for spelling in (value, *spellings):
        if spelling:
            out.setdefault(norm(spelling), value)


def default_vocabularies() -> Vocabularies:
    """The vocabularies of a freshly seeded store (reference data), for tools without a store."""
    rows = reference.reference_rows()
    labelled = {"department": rows["departments"], "language": rows["languages"],
                "channel": rows["channels"], "customer_type": rows["customer_types"],
                "outcome": rows["outcomes"], "demand_type": rows["demand_types"],
                "failure_reason": rows["failure_reasons"]}
    lookups: dict[str, dict[str, str]] = {}
    for fld, pairs in labelled.items():
        lookups[fld] = {}
        for value, label in pairs:
            _add(lookups[fld], value, label)
    lookups["topic"] = {norm(t[0]): t[0] for t in rows["topics"]}
    lookups["city_area"] = {norm(a[0]): a[0] for a in rows["city_areas"]}
    lookups["service_point"] = {norm(p[0]): p[0] for p in rows["service_points"]}
    return Vocabularies(lookups)


def load_vocabularies(con: duckdb.DuckDBPyConnection) -> Vocabularies:
    """The store's vocabularies: lookup values, their labels, then the aliases."""
    lookups: dict[str, dict[str, str]] = {}
    for fld, spec in SPECS.items():   # trusted identifiers from SPECS
        cols = spec.column + (f", {spec.label}" if spec.label else ", null")
        lookups[fld] = {}
        for value, label in con.execute(f"select {cols} from {spec.table} order by 1").fetchall():
            _add(lookups[fld], value, label)
    aliases = con.execute("select vocabulary, alias_key, value from vocabulary_aliases order by all").fetchall()
    for fld, alias_key, value in aliases:
        lookups.setdefault(fld, {}).setdefault(alias_key, value)
    return Vocabularies(lookups)


# ------------------------------------------------------------------------------- profile keys

def parse_unknown_values(raw: dict) -> dict[str, str]:
    """[unknown_values]: field = "quarantine" | "unknown"; the defaults fill the rest."""
    if not isinstance(raw, dict):
        raise ProfileError('[unknown_values] ska vara en tabell, t.ex. topic = "quarantine".')
    out = dict(DEFAULT_POLICY)
    for fld, policy in raw.items():
        if fld not in MAPPED:
            raise ProfileError(f"[unknown_values] {fld!r} är inget vokabulärfält. Giltiga: {', '.join(MAPPED)}.")
        if policy not in POLICIES:
            raise ProfileError(f'[unknown_values] {fld}: ange "quarantine" eller "unknown" (fick {policy!r}).')
        if fld == "channel" and policy == "unknown":
            raise ProfileError('[unknown_values] channel: kanal måste alltid vara känd; bara "quarantine" går.')
        out[fld] = policy
    return out


def parse_additions(raw: dict) -> dict[str, tuple[str, ...]]:
    """[vocabulary]: field = ["new value", ...], each checked for personal data now."""
    if not isinstance(raw, dict):
        raise ProfileError('[vocabulary] ska vara en tabell, t.ex. topic = ["Ny kategori"].')
    out = {}
    for fld, values in raw.items():
        if fld not in SPECS or SPECS[fld].closed or fld == "source_system":
            open_ = [f for f, s in SPECS.items() if not s.closed and f != "source_system"]
            raise ProfileError(f"[vocabulary] {fld!r}: nya värden kan bara läggas till för {', '.join(open_)}.")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ProfileError(f'[vocabulary] {fld} ska vara en lista med text, t.ex. ["Ny kategori"].')
        for value in values:
            _refuse_personal(fld, value, "[vocabulary]")
        out[fld] = tuple(" ".join(v.split()) for v in values)
    return out


def _refuse_personal(fld: str, value: str, where: str) -> None:
    problem = pii.personal_data_problem(value)
    if problem:
        raise VocabularyError(
            f"{where}: värdet för {SPECS[fld].swedish} läggs inte till: {problem}. Vokabulärvärden "
            "visas på alla sidor och i alla exporter, så de får aldrig innehålla personuppgifter."
        )


def prepare(con: duckdb.DuckDBPyConnection, source_system: str, additions: dict[str, tuple[str, ...]]) -> Vocabularies:
    """At the start of an ingest, in its transaction: register the source system, add the
    profile's [vocabulary] values, and return the vocabularies the batches are matched against."""
    _refuse_personal("source_system", source_system, "source_system")
    con.execute("insert into source_systems values ($s) on conflict do nothing", {"s": source_system})
    for fld, values in additions.items():
        for value in values:
            add_value(con, fld, value)
    return load_vocabularies(con)


# ----------------------------------------------------------------------------- map a column

def vocabulary_field(col: str, dtype, fld: str, mapping: dict, vocab: Vocabularies, policy: str) -> C.Conv:
    """A vocabulary column: profile translation, then the lookup. The quarantine reason never
    repeats the value: an unknown value is exactly where personal data turns up."""
    t, v = pl.col(C.helper(fld, "t")), pl.col(C.helper(fld, "v"))
    key = norm_expr(t)
    translated = {norm(k): norm(str(val)) for k, val in mapping.items()}
    if translated:
        key = key.replace(list(translated), list(translated.values()))
    lookup = vocab.lookup(fld)
    if lookup:
        parse = key.replace_strict(list(lookup), list(lookup.values()), default=None, return_dtype=pl.String)
    else:
        parse = pl.lit(None, pl.String)
    unknown = t.is_not_null() & v.is_null()
    stages = [[C.cleaned(col, dtype).alias(C.helper(fld, "t"))], [parse.alias(C.helper(fld, "v"))]]
    if policy == "quarantine":
        why = pl.lit(
            f'Okänt värde för {F.LABELS_SV[fld]} i kolumnen "{col}" (värdet visas inte här, det kan '
            f"innehålla personuppgifter; se källfilen på raden). Lägg till en översättning under "
            f"[values.{fld}] i profilen eller ett nytt värde med `kontaktcenter vocabulary add {fld} \"…\"`.")
        return C.Conv(v, stages, [(unknown, why)])
    stages.append([unknown.alias(UNKNOWN_FLAG + fld)])
    return C.Conv(pl.when(pl.col(UNKNOWN_FLAG + fld)).then(pl.lit(UNKNOWN_VALUE.get(fld), pl.String)).otherwise(v), stages)



# ------------------------------------------------------------------------- add and list values

def add_value(con: duckdb.DuckDBPyConnection, fld: str, value: str, aliases: tuple[str, ...] = (), *,
              department: str | None = None, stadsomrade: str | None = None,
              city_area: str | None = None, short_name: str | None = None, label: str | None = None) -> list[str]:
    """Add a value (if new) and its aliases to a vocabulary, after the personal-data check.
    Returns Swedish lines saying what changed. Closed vocabularies take aliases only."""
    if fld not in SPECS:
        raise VocabularyError(f"Okänt vokabulär {fld!r}. Giltiga: {', '.join(SPECS)}.")
    spec = SPECS[fld]
    value = " ".join(value.split())
    for text in (value, *aliases, *(x for x in (short_name, label) if x)):
        _refuse_personal(fld, text, f"vocabulary add {fld}")
    vocab = load_vocabularies(con)
    existing = vocab.match(fld, value)
    out = []
    if existing is None:
        if spec.closed:
            raise VocabularyError(
                f"{value!r} är ingen kod för {spec.swedish}; kontraktet har bara "
                f"{', '.join(F.ENUM_FIELDS[fld])}. Lägg till källans stavning som alias: "
                f'`kontaktcenter vocabulary add {fld} KOD --alias "…"`.')
        _insert_value(con, fld, value, department=department, stadsomrade=stadsomrade,
                      city_area=city_area, short_name=short_name, label=label)
        existing = value
        out.append(f"Nytt värde för {spec.swedish}: {value}.")
    elif existing != value and not aliases:
        out.append(f"{value!r} finns redan som {existing!r} för {spec.swedish}.")
    else:
        out.append(f"{existing} finns redan för {spec.swedish}.")
    for alias in aliases:
        key = norm(alias)
        taken = load_vocabularies(con).lookup(fld).get(key)
        if taken is not None and taken != existing:
            raise VocabularyError(f"Aliaset {alias!r} står redan för {taken!r} ({spec.swedish}). Välj ett annat.")
        if taken is None:
            con.execute("insert into vocabulary_aliases values ($f, $k, $v)", {"f": fld, "k": key, "v": existing})
            out.append(f"Alias {alias!r} -> {existing}.")
    return out


def _insert_value(con, fld: str, value: str, *, department, stadsomrade, city_area, short_name, label) -> None:
    if fld == "department":
        con.execute("insert into departments values ($v, $s)", {"v": value, "s": short_name or value})
    elif fld == "topic":
        if department is not None and load_vocabularies(con).match("department", department) is None:
            raise VocabularyError(f"Förvaltningen {department!r} finns inte; se `kontaktcenter vocabulary list department`.")
        con.execute("insert into topics (topic, department) values ($v, $d)",
                    {"v": value, "d": department and load_vocabularies(con).match("department", department)})
    elif fld == "city_area":
        areas = {norm(a): a for (a,) in con.execute("select city_area from city_areas where level = 'stadsomrade'").fetchall()}
        parent = areas.get(norm(stadsomrade or ""))
        if parent is None:
            raise VocabularyError(
                f"Ange vilket stadsområde {value!r} hör till med --stadsomrade ({', '.join(areas.values())}).")
        con.execute("insert into city_areas (city_area, level, stadsomrade) values ($v, 'stadsdel', $p)",
                    {"v": value, "p": parent})
    elif fld == "service_point":
        area = city_area and load_vocabularies(con).match("city_area", city_area)
        if city_area and area is None:
            raise VocabularyError(f"Stadsdelen {city_area!r} finns inte; se `kontaktcenter vocabulary list city_area`.")
        con.execute("insert into service_points values ($v, $a)", {"v": value, "a": area})
    elif fld == "language":
        con.execute("insert into languages values ($v, $l)", {"v": value, "l": label or value})
    else:   # source_system
        con.execute("insert into source_systems values ($v)", {"v": value})


def list_values(con: duckdb.DuckDBPyConnection, fld: str) -> pl.DataFrame:
    """value, label (where the vocabulary has one) and its aliases, sorted by value."""
    if fld not in SPECS:
        raise VocabularyError(f"Okänt vokabulär {fld!r}. Giltiga: {', '.join(SPECS)}.")
    spec = SPECS[fld]   # table and column names below: trusted identifiers from SPECS
    label = f"v.{spec.label}" if spec.label else "null"
    return con.sql(
        f"select v.{spec.column} as value, {label}::varchar as label, "
        "coalesce(list(a.alias_key order by a.alias_key) filter (where a.alias_key is not null), []) as aliases "
        f"from {spec.table} as v left join vocabulary_aliases as a "
        f"on a.vocabulary = $f and a.value = v.{spec.column} group by all order by 1",
        params={"f": fld}).pl()
