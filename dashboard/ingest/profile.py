"""Mapping profiles (TOML): how one source system's export maps onto the data contract.

Every key is documented in docs/ingest.md. Loading validates everything a file cannot change
(known keys, contract field names, contract values, formats), so a bad profile fails before any
file is opened.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashboard.domain import STOCKHOLM
from dashboard.ingest import fields as F
from dashboard.ingest import vocabulary as V
from dashboard.ingest.errors import ProfileError
from dashboard.formatting import os_reason

FORMATS = ("auto", "csv", "tsv", "xlsx", "parquet")
DELIMITERS = ("auto", ";", "\t", ",", "|")
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")
AMBIGUOUS = ("earliest", "latest", "quarantine")
NONEXISTENT = ("quarantine", "shift_forward")
DURATION_FORMATS = ("auto", "seconds", "hms")
TWO_PART = ("mm:ss", "h:mm")
UNITS = {"s": 1, "min": 60, "h": 3600}
ISO_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


@dataclass(frozen=True)
class FileOptions:
    format: str = "auto"
    delimiter: str = "auto"
    encoding: str = "auto"
    decimal: str = ","
    quote: str = '"'
    skip_lines: int = 0
    sheet: str | None = None
    missing: tuple[str, ...] = ()       # markers meaning "no value" in every column ("N/A", "-")
    batch_rows: int = 100_000
    max_columns: int = 1000
    max_uncompressed_mb: int = 4096
    max_expansion_ratio: int = 200


@dataclass(frozen=True)
class StartedAt:
    column: str | None = None           # one column holding date and time
    date_column: str | None = None      # or a date column ...
    time_column: str | None = None      # ... plus a time column
    formats: tuple[str, ...] = ()       # for `column`; ISO forms are always tried last
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    time_formats: tuple[str, ...] = ("%H:%M:%S", "%H:%M")
    timezone: str = STOCKHOLM
    ambiguous: str = "earliest"
    nonexistent: str = "quarantine"

    def source_columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.column, self.date_column, self.time_column) if c)


@dataclass(frozen=True)
class SkipRule:
    column: str
    equals: str | None = None
    matches: str | None = None
    empty: bool = False

    def describe(self) -> str:
        if self.empty:
            return f"{self.column} är tom"
        if self.equals is not None:
            return f"{self.column} = {self.equals!r}"
        return f"{self.column} matchar {self.matches!r}"


@dataclass(frozen=True)
class Profile:
    name: str
    source_system: str
    file: FileOptions = field(default_factory=FileOptions)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)   # source -> fields
    contact_id_columns: tuple[str, ...] = ()                            # [contact_id] columns
    contact_id_separator: str = "/"
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)   # source -> lower markers
    started_at: StartedAt = field(default_factory=StartedAt)
    duration_format: str = "auto"
    two_part: str = "mm:ss"
    duration_formats: dict[str, str] = field(default_factory=dict)      # field -> format
    two_parts: dict[str, str] = field(default_factory=dict)             # field -> two_part
    duration_units: dict[str, int] = field(default_factory=dict)         # field -> seconds per unit
    true_words: tuple[str, ...] = F.TRUE_WORDS
    false_words: tuple[str, ...] = F.FALSE_WORDS
    values: dict[str, dict[str, object]] = field(default_factory=dict)   # field -> {lower src: v}
    constants: dict[str, object] = field(default_factory=dict)
    identifiers: tuple[str, ...] = ()
    free_text: tuple[str, ...] = ()
    skip: tuple[SkipRule, ...] = ()
    drop: tuple[str, ...] = ()
    drop_agent_columns: bool = True
    optional: tuple[str, ...] = ()
    unknown_values: dict[str, str] = field(default_factory=lambda: dict(V.DEFAULT_POLICY))  # field -> policy
    vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> values to add
    digest: str = ""                                                    # sha256 of the TOML text

    @property
    def label(self) -> str:
        """Name plus content digest: the same file with an edited profile is read again."""
        return f"{self.name}@{self.digest[:12]}"

    @property
    def has_contact_id(self) -> bool:
        """The source names its contacts (one column or a composite); otherwise ids are derived."""
        return bool(self.contact_id_columns) or "contact_id" in self.field_sources()

    def duration_format_of(self, fld: str) -> str:
        return self.duration_formats.get(fld, self.duration_format)

    def two_part_of(self, fld: str) -> str:
        return self.two_parts.get(fld, self.two_part)

    def missing_markers(self, column: str) -> tuple[str, ...]:
        """Lower-cased values that mean "no value" in one source column ([file] missing + [missing])."""
        own = next((v for k, v in self.missing.items() if k.casefold() == column.strip().casefold()), ())
        return tuple(dict.fromkeys((*self.file.missing, *own)))

    def field_sources(self) -> dict[str, str]:
        """Contract field -> the source column that fills it."""
        return {f: src for src, targets in self.columns.items() for f in targets}

    def referenced_columns(self) -> tuple[str, ...]:
        """Every source column the profile names, in a stable order."""
        seen: dict[str, None] = {}
        for col in (*self.columns, *self.contact_id_columns, *self.started_at.source_columns(), *self.identifiers,
                    *self.free_text, *(r.column for r in self.skip)):
            seen.setdefault(col, None)
        return tuple(seen)


_TOP_KEYS = {"name", "source_system", "description", "file", "columns", "contact_id", "missing",
             "started_at", "durations", "booleans", "values", "constants", "identifiers", "free_text",
             "skip", "drop", "optional", "unknown_values", "vocabulary"}


def load_profile(path: Path | str) -> Profile:
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"Profilen {path} kan inte läsas ({os_reason(exc)}). Kontrollera sökvägen.")
    try:
        raw = tomllib.loads(text.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(
            f"Profilen {path.name} är inte giltig TOML ({exc}). Rätta raden eller skapa ett utkast "
            "med `kontaktcenter profile suggest FIL`."
        )
    return parse_profile(raw, default_name=path.stem, digest=hashlib.sha256(text).hexdigest())


def parse_profile(raw: dict, default_name: str = "profil", digest: str = "") -> Profile:
    _known(raw, _TOP_KEYS, "profilen")
    source_system = raw.get("source_system")
    if not isinstance(source_system, str) or not source_system.strip():
        raise ProfileError(
            'Profilen saknar source_system. Lägg till t.ex. source_system = "telefoni" överst.'
        )
    columns = _columns(raw.get("columns", {}))
    started_at = _started_at(raw.get("started_at", {}), columns)
    durations = _table(raw, "durations")
    _known(durations, {"format", "two_part", "unit"}, "[durations]")
    duration_format, duration_formats = _per_field(durations.get("format", "auto"), DURATION_FORMATS, "format")
    two_part, two_parts = _per_field(durations.get("two_part", "mm:ss"), TWO_PART, "two_part")
    units = {}
    for fld, unit in _table(durations, "unit").items():
        _choice(fld, F.DURATION_FIELDS, "[durations.unit]")
        _choice(unit, tuple(UNITS), f"[durations.unit] {fld}")
        units[fld] = UNITS[unit]
    booleans = _table(raw, "booleans")
    _known(booleans, {"true", "false"}, "[booleans]")
    true_words = F.TRUE_WORDS + tuple(str(w).strip().lower() for w in booleans.get("true", []))
    false_words = F.FALSE_WORDS + tuple(str(w).strip().lower() for w in booleans.get("false", []))
    clash = set(true_words) & set(false_words)
    if clash:
        raise ProfileError(f"[booleans]: {sorted(clash)} står både som sant och falskt. Ta bort dem ur en av listorna.")
    drop = _table(raw, "drop")
    _known(drop, {"columns", "agent_columns"}, "[drop]")
    profile = Profile(
        name=str(raw.get("name") or default_name),
        source_system=source_system.strip(),
        file=_file_options(_table(raw, "file")),
        columns=columns,
        **_contact_id(_table(raw, "contact_id"), columns),
        missing=_missing(_table(raw, "missing")),
        started_at=started_at,
        duration_format=duration_format,
        two_part=two_part,
        duration_formats=duration_formats,
        two_parts=two_parts,
        duration_units=units,
        true_words=true_words,
        false_words=false_words,
        values=_values(_table(raw, "values")),
        constants=_constants(_table(raw, "constants"), columns),
        identifiers=_names(_table(raw, "identifiers"), "[identifiers]"),
        free_text=_names(_table(raw, "free_text"), "[free_text]"),
        skip=_skip_rules(raw.get("skip", [])),
        drop=_str_list(drop.get("columns", []), "[drop] columns"),
        drop_agent_columns=bool(drop.get("agent_columns", True)),
        optional=_names(_table(raw, "optional"), "[optional]"),
        unknown_values=V.parse_unknown_values(raw.get("unknown_values", {})),
        vocabulary=V.parse_additions(raw.get("vocabulary", {})),
        digest=digest,
    )
    _check_roles(profile)
    return profile


def _per_field(value, allowed: tuple[str, ...], key: str) -> tuple[str, dict[str, str]]:
    """`[durations] key` is one value for every field or a table `{ handle_s = "seconds" }`; fields
    without an entry in the table use "auto" (format) or "mm:ss" (two_part)."""
    where = f"[durations] {key}"
    if isinstance(value, dict):
        per = {}
        for fld, choice in value.items():
            _choice(fld, F.DURATION_FIELDS, f"{where} (fält)")
            per[fld] = _choice(choice, allowed, f"{where} {fld}")
        return allowed[0], per
    return _choice(value, allowed, where), {}


def _contact_id(raw: dict, columns: dict[str, tuple[str, ...]]) -> dict:
    """[contact_id] columns = ["Samtals-ID", "Kö"]: the id is the parts joined by `separator`."""
    _known(raw, {"columns", "separator"}, "[contact_id]")
    if not raw:
        return {}
    names = _str_list(raw.get("columns", []), "[contact_id] columns")
    if not names:
        raise ProfileError("[contact_id] columns är tom. Ange kolumnerna som tillsammans identifierar en kontakt.")
    if any("contact_id" in targets for targets in columns.values()):
        raise ProfileError('contact_id anges både i [columns] och [contact_id]. Behåll en: en kolumn under '
                           '[columns] eller flera under [contact_id] columns.')
    separator = raw.get("separator", "/")
    if not isinstance(separator, str) or not separator:
        raise ProfileError('[contact_id] separator ska vara en icke-tom text, t.ex. "/".')
    return {"contact_id_columns": names, "contact_id_separator": separator}


def _missing(raw: dict) -> dict[str, tuple[str, ...]]:
    """[missing] "Kund-ID" = ["0", "-"]: values that mean "no value" in that column."""
    out = {}
    for column, markers in raw.items():
        out[column.strip()] = _markers(markers, f'[missing] "{column}"')
    return out


def _markers(value, where: str) -> tuple[str, ...]:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        raise ProfileError(f'{where} ska vara en lista med värden som betyder "saknas", t.ex. ["0", "-", "N/A"].')
    return tuple(str(v).strip().lower() for v in value)


def _known(table: dict, allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ProfileError(
            f"Okänd nyckel i {where}: {', '.join(sorted(unknown))}. "
            f"Giltiga: {', '.join(sorted(allowed))} (se docs/ingest.md)."
        )


def _table(raw: dict, key: str) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ProfileError(f"[{key}] ska vara en tabell, t.ex. [{key}] på en egen rad följd av nycklar.")
    return value


def _choice(value, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ProfileError(f"{where}: {value!r} är inte tillåtet. Välj ett av {shown}.")
    return value


def _str_list(value, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(f'{where} ska vara en lista med kolumnnamn, t.ex. ["Kolumn A", "Kolumn B"].')
    return tuple(v.strip() for v in value)


def _names(table: dict, where: str) -> tuple[str, ...]:
    _known(table, {"columns"}, where)
    return _str_list(table.get("columns", []), f"{where} columns")


def _file_options(raw: dict) -> FileOptions:
    _known(raw, set(FileOptions.__dataclass_fields__), "[file]")
    raw = dict(raw)
    if "missing" in raw:
        raw["missing"] = _markers(raw["missing"], "[file] missing")
    opts = FileOptions(**raw)
    _choice(opts.format, FORMATS, "[file] format")
    _choice(opts.delimiter, DELIMITERS, "[file] delimiter")
    if opts.encoding.lower().replace("_", "-") not in ENCODINGS:
        _choice(opts.encoding, ENCODINGS, "[file] encoding")
    _choice(opts.decimal, (",", "."), "[file] decimal")
    for key in ("skip_lines", "batch_rows", "max_columns", "max_uncompressed_mb", "max_expansion_ratio"):
        value = getattr(opts, key)
        if not isinstance(value, int) or value < (0 if key == "skip_lines" else 1):
            raise ProfileError(f"[file] {key} ska vara ett positivt heltal (fick {value!r}).")
    return opts


def _columns(raw: dict) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ProfileError('[columns] ska vara en tabell: "Källkolumn" = "kontraktsfält".')
    out: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for src, target in raw.items():
        targets = (target,) if isinstance(target, str) else tuple(target) if isinstance(target, list) else None
        if not targets:
            raise ProfileError(f'[columns] "{src}": ange ett kontraktsfält eller en lista av fält.')
        for fld in targets:
            if fld in ("caller_key", "note"):
                section = "[identifiers]" if fld == "caller_key" else "[free_text]"
                raise ProfileError(
                    f'[columns] "{src}" = "{fld}": {fld} fylls bara via {section} så att '
                    "personuppgifter alltid pseudonymiseras/tvättas. Flytta kolumnen dit."
                )
            _choice(fld, F.MAPPABLE, f'[columns] "{src}"')
            if fld in seen:
                raise ProfileError(
                    f'Fältet {fld} får värden från både "{seen[fld]}" och "{src}". Välj en källkolumn.'
                )
            seen[fld] = src
        out[src.strip()] = targets
    return out


def _started_at(raw: dict, columns: dict[str, tuple[str, ...]]) -> StartedAt:
    allowed = {"column", "date_column", "time_column", "format", "date_format", "time_format",
               "timezone", "ambiguous", "nonexistent"}
    _known(raw, allowed, "[started_at]")
    mapped = [src for src, targets in columns.items() if F.TIME_FIELD in targets]
    column = raw.get("column") or (mapped[0] if mapped else None)
    if mapped and raw.get("column") and raw["column"] != mapped[0]:
        raise ProfileError("started_at anges både i [columns] och [started_at] column. Behåll en.")
    date_col, time_col = raw.get("date_column"), raw.get("time_column")
    if column and (date_col or time_col):
        raise ProfileError("[started_at]: ange antingen column eller date_column (+ time_column), inte båda.")
    if time_col and not date_col:
        raise ProfileError("[started_at]: time_column kräver date_column.")
    formats = {k: _formats(raw[k], f"[started_at] {k}") for k in ("format", "date_format", "time_format") if k in raw}
    tz = raw.get("timezone", STOCKHOLM)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProfileError(f'[started_at] timezone {tz!r} är ingen känd tidszon. Använd t.ex. "Europe/Stockholm" eller "UTC".')
    defaults = StartedAt()
    return StartedAt(
        column=column,
        date_column=date_col,
        time_column=time_col,
        formats=formats.get("format", ()),
        date_formats=formats.get("date_format", defaults.date_formats),
        time_formats=formats.get("time_format", defaults.time_formats),
        timezone=tz,
        ambiguous=_choice(raw.get("ambiguous", "earliest"), AMBIGUOUS, "[started_at] ambiguous"),
        nonexistent=_choice(raw.get("nonexistent", "quarantine"), NONEXISTENT, "[started_at] nonexistent"),
    )


def _formats(value, where: str) -> tuple[str, ...]:
    formats = _str_list(value, where)
    for fmt in formats:
        if "%" not in fmt:
            raise ProfileError(f'{where}: {fmt!r} saknar %-koder. Skriv t.ex. "%Y-%m-%d" eller "%d/%m/%Y %H:%M".')
    return formats


def _values(raw: dict) -> dict[str, dict[str, object]]:
    out = {}
    for fld, mapping in raw.items():
        _choice(fld, (*F.TEXT_FIELDS, *F.ENUM_FIELDS, *F.BOOL_FIELDS, F.ANSWER_STATUS), "[values.FÄLT]")
        if not isinstance(mapping, dict):
            raise ProfileError(f'[values.{fld}] ska vara en tabell: "källvärde" = "kontraktsvärde".')
        out[fld] = {str(k).strip().lower(): _value(fld, v, f"[values.{fld}] {k!r}") for k, v in mapping.items()}
    return out


def _value(fld: str, value, where: str):
    if fld == F.ANSWER_STATUS:
        if isinstance(value, bool):   # true = answered, false = abandoned, as a yes/no column reads
            return F.ANSWER_STATES[0] if value else F.ANSWER_STATES[1]
        if value not in F.ANSWER_STATES:
            raise ProfileError(f"{where}: ange {', '.join(repr(v) for v in F.ANSWER_STATES)} (eller true/false).")
        return value
    if fld in F.BOOL_FIELDS:
        if not isinstance(value, bool):
            raise ProfileError(f"{where}: ange true eller false (utan citattecken).")
        return value
    if not isinstance(value, str):
        raise ProfileError(f"{where}: ange värdet som text inom citattecken.")
    if fld in F.ENUM_FIELDS and value not in F.ENUM_FIELDS[fld]:
        allowed = ", ".join(F.ENUM_FIELDS[fld])
        raise ProfileError(f"{where}: {value!r} finns inte i kontraktet. Tillåtna värden: {allowed}.")
    return value


def _constants(raw: dict, columns: dict[str, tuple[str, ...]]) -> dict[str, object]:
    mapped = {f for targets in columns.values() for f in targets}
    out = {}
    for fld, value in raw.items():
        _choice(fld, tuple(f for f in F.MAPPABLE if f not in ("contact_id", F.TIME_FIELD, F.ANSWER_STATUS)), "[constants]")
        if fld in mapped:
            raise ProfileError(f"[constants] {fld} finns också under [columns]. Behåll en av dem.")
        if fld in F.DURATION_FIELDS or fld in F.INT_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ProfileError(f"[constants] {fld}: ange ett heltal.")
            out[fld] = value
        else:
            out[fld] = _value(fld, value, f"[constants] {fld}")
    return out


def _skip_rules(raw) -> tuple[SkipRule, ...]:
    if not isinstance(raw, list):
        raise ProfileError('skip anges som [[skip]]-block med column och equals, matches eller empty.')
    rules = []
    for item in raw:
        _known(item, {"column", "equals", "matches", "empty"}, "[[skip]]")
        given = [k for k in ("equals", "matches", "empty") if k in item]
        if "column" not in item or len(given) != 1:
            raise ProfileError("[[skip]] behöver column och exakt en av equals, matches eller empty.")
        if "matches" in item:
            try:
                re.compile(item["matches"])
            except re.error as exc:
                raise ProfileError(f"[[skip]] matches {item['matches']!r} är inget giltigt reguljärt uttryck ({exc}).")
        rules.append(SkipRule(column=item["column"], equals=None if "equals" not in item else str(item["equals"]),
                              matches=item.get("matches"), empty=bool(item.get("empty", False))))
    return tuple(rules)


def _check_roles(p: Profile) -> None:
    """A column has one role: mapped, identifier, free text or dropped (never two)."""
    roles: dict[str, str] = {}
    # Parts of a composite id may also fill a field or the start time, never hide as an identifier.
    shared = {"[columns]", "[started_at]", "[contact_id]"}
    for role, names in (("[columns]", p.columns), ("[started_at]", p.started_at.source_columns()),
                        ("[contact_id]", p.contact_id_columns), ("[identifiers]", p.identifiers),
                        ("[free_text]", p.free_text), ("[drop]", p.drop)):
        for name in names:
            if name in roles and roles[name] != role and not {roles[name], role} <= shared:
                raise ProfileError(f'Kolumnen "{name}" står både under {roles[name]} och {role}. Välj en roll.')
            roles[name] = role
    if not (p.started_at.column or p.started_at.date_column):
        raise ProfileError(
            "Profilen anger inte var starttiden finns. Lägg till [started_at] med column = "
            '"Starttid" eller date_column = "Datum" och time_column = "Tid".'
        )
    both = {"answered", "abandoned"} & set(p.field_sources())
    if F.ANSWER_STATUS in p.field_sources() and both:
        raise ProfileError(
            f'"{p.field_sources()[F.ANSWER_STATUS]}" = "answer_status" fyller redan answered och abandoned; '
            f"ta bort {' och '.join(sorted(both))} ur [columns]."
        )
    if "channel" not in p.field_sources() and "channel" not in p.constants:
        raise ProfileError(
            'Profilen anger ingen kanal. Mappa en kolumn till "channel" under [columns] eller '
            'lägg till channel = "phone" (t.ex.) under [constants].'
        )
