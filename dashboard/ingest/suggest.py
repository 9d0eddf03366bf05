"""`kontaktcenter profile suggest FILE`: draft a mapping profile from headers and sample values.

Reads the file's first rows with the same readers as ingest, recognises Swedish and English
header names (headers.py), and looks at the values: date/time formats, boolean words, duration
style, decimal comma, identifier-looking values (phone, e-mail, personnummer). What it cannot
decide is written as a TOML comment starting with "# ATT GÖRA".
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl

from dashboard.ingest import fields as F
from dashboard.ingest.errors import IngestError
from dashboard.ingest.headers import role_of
from dashboard.ingest.mapping import identifier_kind
from dashboard.ingest.profile import FileOptions
from dashboard.ingest.readers import CsvReader, open_reader
from dashboard.ingest.sources import open_source
from dashboard.ingest.textcodecs import CP1252, MIXED, Reread
from dashboard.ingest.suggest_values import (
    boolean_words, date_format, datetime_format, decimal_style, duration_style, enum_guesses,
    identifier_like, language_guesses, time_formats,
)

SAMPLE_ROWS = 500


def q(text: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def suggest_profile(path: Path | str, source_system: str | None = None) -> str:
    path = Path(path)
    source, reader = _open_at_header(path)
    try:
        sample = next(iter(reader.batches()), None)
    except Reread as again:
        reader = open_reader(source, again.encoding)
        sample = next(iter(reader.batches()), None)
    finally:
        reader.close()
    frame = sample.frame.drop("__line") if sample is not None else pl.DataFrame(
        schema={c: pl.String for c in reader.columns})
    text = frame.select(pl.all().cast(pl.String).str.strip_chars())
    roles = {c: _role(c, text[c]) for c in reader.columns}
    out = _Draft(path, source_system)
    out.file_section(source, reader, text, roles)
    out.started_at_section(text, roles)
    out.columns_section(text, roles)
    out.value_sections(text, roles)
    out.identifier_sections(roles)
    return out.render()


def _open_at_header(path: Path):
    """Skip title lines above the header: the first row with two or more named columns."""
    first = None
    for skip in range(6):
        source = open_source(path, FileOptions(batch_rows=SAMPLE_ROWS, skip_lines=skip))
        try:
            reader = open_reader(source)
        except IngestError:
            if first is None:
                raise
            break
        if len(reader.columns) >= 2 and not any(re.fullmatch(r"Kolumn \d+", c) for c in reader.columns):
            if first is not None:
                first[1].close()
            return source, reader
        if first is None:
            first = (source, reader)
        else:
            reader.close()
    return first


def _role(column: str, values: pl.Series) -> str:
    if F.looks_like_agent_column(column) and role_of(column) is None:
        return "agent"
    role = role_of(column)
    if role is not None:
        return role
    if identifier_like(values):
        return "identifier"
    non_null = values.drop_nulls()
    if len(non_null) and non_null.str.len_chars().mean() > 30 and non_null.str.contains(" ").mean() > 0.5:
        return "free_text"
    return "unknown"


class _Draft:
    def __init__(self, path: Path, source_system: str | None):
        self.path = path
        self.lines: list[str] = []
        guess = source_system or re.sub(r"[^0-9a-z_]+", "_", path.stem.casefold()).strip("_") or "kalla"
        self.lines += [
            f"# Utkast till mappningsprofil för {path.name}, skapat av `kontaktcenter profile suggest`.",
            "# Gå igenom raderna märkta ATT GÖRA; alla nycklar beskrivs i docs/ingest.md.",
            f"source_system = {q(guess)}" + ("" if source_system else "  # ATT GÖRA: ett namn per källsystem"),
            "",
        ]
        self.mapped: dict[str, str] = {}      # column -> field
        self.time_columns: dict[str, str] = {}

    def file_section(self, source, reader, text: pl.DataFrame, roles) -> None:
        self.lines.append("[file]")
        if isinstance(reader, CsvReader):
            encoding = {"utf8": "utf-8", CP1252: "cp1252", MIXED: "auto"}.get(reader.encoding, reader.encoding)
            self.lines.append(f"delimiter = {q(reader.delimiter)}")
            self.lines.append(f"encoding = {q(encoding)}  # identifierad; \"auto\" fungerar också")
        else:
            self.lines.append(f"format = {q(source.kind)}")
        if source.options.skip_lines:
            self.lines.append(f"skip_lines = {source.options.skip_lines}  # rader ovanför rubrikraden")
        numeric = [text[c] for c, r in roles.items() if r in (*F.DURATION_FIELDS, "satisfaction")]
        self.decimal = decimal_style(numeric)
        self.lines.append(f"decimal = {q(self.decimal)}")
        self.lines.append("")

    def started_at_section(self, text: pl.DataFrame, roles) -> None:
        self.lines.append("[started_at]")
        by_role = {r: c for c, r in reversed(list(roles.items()))}
        if "started_at" in by_role:
            self._time_column("column", by_role["started_at"], "format", datetime_format, "started_at", text)
        elif "date" in by_role:
            self._time_column("date_column", by_role["date"], "date_format", date_format, "date", text)
            if "time" in by_role:
                tcol = by_role["time"]
                self.lines.append(f"time_column = {q(tcol)}")
                tfmts = time_formats(text[tcol])
                if tfmts:
                    self.lines.append(f"time_format = [{', '.join(q(f) for f in tfmts)}]")
                self.time_columns[tcol] = "time"
        else:
            self.lines.append("# ATT GÖRA: ingen kolumn med starttid hittades; ange column = \"...\" "
                              "eller date_column och time_column")
            self.lines.append('column = "ANGE KOLUMN"')
        self.lines.append('timezone = "Europe/Stockholm"')
        self.lines.append('ambiguous = "earliest"      # dubbeltimmen i oktober räknas som sommartid')
        self.lines.append('nonexistent = "quarantine"  # klockslag som saknas i mars går till karantän')
        self.lines.append("")

    def _time_column(self, key: str, col: str, format_key: str, detect, role: str, text: pl.DataFrame) -> None:
        fmt, note = detect(text[col])
        self.lines.append(f"{key} = {q(col)}")
        if fmt:
            self.lines.append(f"{format_key} = {q(fmt)}" + (f"  # {note}" if note else ""))
        else:
            self.lines.append(f"# ATT GÖRA: datumformatet kunde inte avgöras; ange {format_key}, t.ex. \"%Y-%m-%d %H:%M\"")
        self.time_columns[col] = role

    def columns_section(self, text: pl.DataFrame, roles) -> None:
        self.lines.append("[columns]")
        taken: set[str] = set()
        for col, role in roles.items():
            if role in F.MAPPABLE and role != "started_at" and role not in taken and col not in self.time_columns:
                self.lines.append(f"{q(col)} = {q(role)}")
                self.mapped[col] = role
                taken.add(role)
        for col, role in roles.items():
            handled = col in self.mapped or col in self.time_columns
            if not handled and role not in ("identifier", "free_text", "personal", "agent"):
                self.lines.append(f"# ATT GÖRA: okänd kolumn {q(col)}: mappa den (\"{col}\" = \"fält\") eller lägg den under [drop]")
        if "contact_id" not in taken:
            self.lines.append("# Ingen id-kolumn hittades: kontakt-id härleds som en hash av radens fält (docs/ingest.md).")
        self.lines.append("")
        if "channel" not in taken:
            guess = "email" if any(r == "first_response_s" for r in roles.values()) else "phone"
            self.lines += ["[constants]", f"channel = {q(guess)}  # ATT GÖRA: gissning, kontrollera kanalen", ""]
        durations = {col: role for col, role in self.mapped.items() if role in F.DURATION_FIELDS}
        if durations:
            styles = {duration_style(text[c]) for c in durations}
            style = styles.pop() if len(styles) == 1 else "auto"
            self.lines += ["[durations]", f"format = {q(style)}"
                           + ("  # tal utan kolon tolkas som sekunder; ange [durations.unit] om det är minuter"
                              if style != "hms" else ""), ""]

    def value_sections(self, text: pl.DataFrame, roles) -> None:
        extra_true, extra_false, unknown = set(), set(), set()
        for col, fld in self.mapped.items():
            if fld in F.BOOL_FIELDS:
                t, f, u = boolean_words(text[col])
                extra_true |= t
                extra_false |= f
                unknown |= u
        if extra_true or extra_false or unknown:
            self.lines.append("[booleans]")
            self.lines.append(f"true = [{', '.join(q(w) for w in sorted(extra_true))}]")
            self.lines.append(f"false = [{', '.join(q(w) for w in sorted(extra_false))}]")
            for word in sorted(unknown):
                self.lines.append(f"# ATT GÖRA: okänt ja/nej-värde {q(word)}: lägg det i true eller false")
            self.lines.append("")
        for col, fld in self.mapped.items():
            if fld in F.ENUM_FIELDS:
                guesses = enum_guesses(text[col], fld)
                todo = f"välj ett av {', '.join(F.ENUM_FIELDS[fld])}"
            elif fld == "language":
                guesses = language_guesses(text[col])
                todo = "ange språkets kod enligt ISO 639-1 (t.ex. \"sv\") eller behåll namnet"
            else:
                continue
            if not guesses:
                continue
            self.lines.append(f"[values.{fld}]  # värden i {col}")
            for value, code in guesses:
                if code:
                    self.lines.append(f"{q(value)} = {q(code)}")
                else:
                    self.lines.append(f"# {q(value)} = \"\"  # ATT GÖRA: {todo}")
            self.lines.append("")

    def identifier_sections(self, roles) -> None:
        # Most stable identifier first: it decides caller_key when a row has several.
        rank = {"personnummer": 0, "customer_id": 1, "email": 2, "phone": 3}
        ids = sorted((c for c, r in roles.items() if r == "identifier"),
                     key=lambda c: rank.get(identifier_kind(c), 4))
        texts = [c for c, r in roles.items() if r == "free_text"]
        personal = [c for c, r in roles.items() if r == "personal"]
        agents = [c for c, r in roles.items() if r == "agent"]
        self.lines += ["[identifiers]  # första ifyllda blir caller_key (HMAC-pseudonym); råvärdet sparas aldrig",
                       f"columns = [{', '.join(q(c) for c in ids)}]", ""]
        self.lines += ["[free_text]  # blir note efter tvättning av personnummer, telefon, e-post och adresser",
                       f"columns = [{', '.join(q(c) for c in texts)}]", ""]
        self.lines.append("[drop]")
        self.lines.append(f"columns = [{', '.join(q(c) for c in personal)}]  # namn och adresser läses aldrig in")
        self.lines.append("agent_columns = true" + (f"  # tas bort: {', '.join(agents)}" if agents else ""))

    def render(self) -> str:
        return "\n".join(self.lines) + "\n"
