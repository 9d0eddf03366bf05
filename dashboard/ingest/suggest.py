"""`kontaktcenter profile suggest FILE`: draft a mapping profile from headers and sample values.

Reads the file's first rows with the same readers as ingest, recognises Swedish and English
header names of common systems (headers.py), and looks at the values where the names do not
decide: compact and two-digit-year dates, unpadded times, Y/N and Ja/Nej flags, answer codes
(ANS/HUP), h:mm:ss and plain seconds, decimal separators (judged with the delimiter), free text,
phone numbers and e-mail addresses, staff first names, placeholders such as customer id 0.
It checks that the id is unique (and proposes a composite when not), refuses a file of totals,
and comments every decision: `# ...` says what was decided and why, `# ATT GÖRA` what is left.
The sections about the values of mapped columns are in suggest_sections.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from dashboard.ingest import fields as F
from dashboard.ingest import uniqueness
from dashboard.ingest.errors import IngestError
from dashboard.ingest.headers import role_of, unit_of
from dashboard.ingest.mapping import identifier_kind
from dashboard.ingest.profile import FileOptions
from dashboard.ingest.readers import CsvReader, open_reader
from dashboard.ingest.sources import open_source
from dashboard.ingest.suggest_sections import ValueSections, q
from dashboard.ingest.textcodecs import CP1252, MIXED, Reread
from dashboard.ingest.suggest_values import (
    answer_states, date_format, datetime_format, duration_style, identifier_like, is_yes_no,
    judge_decimal, looks_aggregate, placeholder, staff_names, time_formats,
)

SAMPLE_ROWS = 500
ENGLISH_HINTS = ("time", "date", "queue", "call", "agent", "answered", "resolved", "source", "request",
                 "created", "customer", "number", "name", "wait", "talk")


class NotContacts(IngestError):
    """The file holds totals, not one row per contact: no profile can make contacts of it."""



def suggest_profile(path: Path | str, source_system: str | None = None) -> str:
    return draft_profile(path, source_system)[0]


def draft_profile(path: Path | str, source_system: str | None = None) -> tuple[str, list[str]]:
    """The draft's text, and the required fields it maps to no column (their lines say ATT GÖRA;
    `channel` always gets at least a guessed constant, so only `started_at` can be left)."""
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
    text = text.select(pl.when(pl.all() != "").then(pl.all()).name.keep())
    aggregate = looks_aggregate(list(reader.columns), text)
    if aggregate:
        raise NotContacts(
            f"{path.name} ser inte ut som en kontaktlogg utan som en sammanställning: {aggregate}. "
            "Ingest behöver en rad per kontakt (samtal, ärende, chatt, besök). Exportera kontakterna "
            "själva från källsystemet; summerade rader skulle läsas som påhittade kontakter."
        )
    draft = _Draft(path, source_system, frame, text, reader)
    draft.file_section(source, reader)
    draft.started_at_section()
    draft.columns_section()
    draft.value_sections()
    draft.identifier_sections()
    started = set(draft.time_columns.values()) & {F.TIME_FIELD, "date"}
    return draft.render(), [] if started else [F.TIME_FIELD]


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


def _role(column: str, values: pl.Series, typed: pl.Series) -> tuple[str, str]:
    """(role, why) of one column: its name first, then its values."""
    role = role_of(column)
    if F.looks_like_agent_column(column) and role is None:
        return "agent", "rubriken ser ut som medarbetaruppgifter"
    if role is not None:
        return role, "rubriken"
    if typed.dtype in (pl.Datetime, pl.Date) or isinstance(typed.dtype, pl.Datetime):
        return "started_at", "kolumnen har tidsstämplar"
    if identifier_like(values):
        return "identifier", "värdena ser ut som telefonnummer, e-post eller personnummer"
    if staff_names(values):
        return "agent", "värdena ser ut som förnamn på medarbetare"
    non_null = values.drop_nulls()
    if len(non_null) and non_null.str.len_chars().mean() > 30 and non_null.str.contains(" ").mean() > 0.5:
        return "free_text", "värdena är längre fritext"
    if answer_states(values):
        return F.ANSWER_STATUS, "värdena är svarskoder"
    if len(non_null) and date_format(non_null)[0] and non_null.str.contains(r"^[0-9]{6,8}$").all():
        return "date", "värdena är kompakta datum"
    return "unknown", ""


class _Draft(ValueSections):
    def __init__(self, path: Path, source_system: str | None, frame: pl.DataFrame, text: pl.DataFrame, reader):
        self.path, self.frame, self.text = path, frame, text
        self.columns = list(reader.columns)
        self.roles: dict[str, tuple[str, str]] = {c: _role(c, text[c], frame[c]) for c in self.columns}
        self.english = sum(any(h in c.casefold() for h in ENGLISH_HINTS) for c in self.columns) >= len(self.columns) / 3
        self.lines: list[str] = []
        guess = source_system or re.sub(r"[^0-9a-z_]+", "_", path.stem.casefold()).strip("_") or "kalla"
        self.lines += [
            f"# Utkast till mappningsprofil för {path.name}, skapat av `kontaktcenter profile suggest`.",
            "# Varje beslut har en kommentar; rader märkta ATT GÖRA lämnas åt dig. Nycklarna: docs/ingest.md.",
            f"source_system = {q(guess)}" + ("  # från --source-system" if source_system
                                             else "  # ATT GÖRA: ett namn per källsystem"),
            "",
        ]
        self.mapped: dict[str, str] = {}      # column -> field
        self.time_columns: dict[str, str] = {}
        self.drop: list[tuple[str, str]] = []
        self.skips: list[tuple[str, str]] = []
        self._resolve_conflicts()

    # -- roles decided across columns ---------------------------------------------------------

    def _resolve_conflicts(self) -> None:
        roles = self.roles
        # A result column of answer codes (ANS/HUP) fills answered and abandoned, not outcome.
        for col, (role, _) in roles.items():
            if role == "outcome" and answer_states(self.text[col]):
                roles[col] = (F.ANSWER_STATUS, "värdena är svarskoder (besvarat/avbrutet), inte utfall")
        # One yes/no column for answered or abandoned fills both; two columns stay two fields.
        flags = [c for c, (r, _) in roles.items() if r in ("answered", "abandoned")]
        if len(flags) == 1:
            col = flags[0]
            roles[col] = (F.ANSWER_STATUS, f"en kolumn för {roles[col][0]}: fyller både answered och abandoned")
            self.status_from = "abandoned" if role_of(col) == "abandoned" else "answered"
        # Two-part start: a time-of-day column needs a date column, and vice versa.
        dates = [c for c, (r, _) in roles.items() if r == "date"]
        if not dates and any(r == "time" for r, _ in roles.values()):
            for col, (role, _) in roles.items():
                if role == "time":
                    roles[col] = ("unknown", "")

    # -- sections -----------------------------------------------------------------------------

    def file_section(self, source, reader) -> None:
        self.lines.append("[file]")
        delimiter = None
        if isinstance(reader, CsvReader):
            encoding = {"utf8": "utf-8", CP1252: "cp1252", MIXED: "auto"}.get(reader.encoding, reader.encoding)
            delimiter = reader.delimiter
            self.lines.append(f"delimiter = {q(reader.delimiter)}  # flest och jämnast antal fält per rad")
            self.lines.append(f"encoding = {q(encoding)}  # identifierad; \"auto\" fungerar också")
        else:
            self.lines.append(f"format = {q(source.kind)}  # filändelsen och filens första byte")
        if source.options.skip_lines:
            self.lines.append(f"skip_lines = {source.options.skip_lines}  # rader ovanför rubrikraden (titel)")
        numeric = [self.text[c] for c, (r, _) in self.roles.items() if r in (*F.DURATION_FIELDS, "satisfaction")]
        self.decimal, why = judge_decimal(delimiter, numeric)
        self.lines.append(f"decimal = {q(self.decimal)}  # {why}")
        markers = sorted({m for c in self.columns for m in ("N/A", "NULL", "-")
                          if (self.text[c] == m).any() and role_of(c) not in ("free_text",)})
        if markers:
            self.lines.append(f"missing = [{', '.join(q(m) for m in markers)}]  # betyder \"saknas\" i alla kolumner")
        self.lines.append("")

    def started_at_section(self) -> None:
        self.lines.append("[started_at]")
        by_role: dict[str, str] = {}
        for c, (r, _) in self.roles.items():
            by_role.setdefault(r, c)
        typed = None
        if "started_at" in by_role:
            col = by_role["started_at"]
            typed = self.frame[col].dtype
            if isinstance(typed, pl.Datetime) or typed == pl.Date:
                self.lines.append(f"column = {q(col)}  # typade tidsstämplar; inget format behövs")
                self.time_columns[col] = "started_at"
            else:
                typed = None
                self._time_column("column", col, "format", datetime_format, "started_at")
        elif "date" in by_role:
            self._time_column("date_column", by_role["date"], "date_format", date_format, "date")
            if "time" in by_role:
                tcol = by_role["time"]
                self.lines.append(f"time_column = {q(tcol)}  # klockslag i egen kolumn")
                tfmts = time_formats(self.text[tcol])
                if tfmts:
                    unpadded = self.text[tcol].drop_nulls().str.contains(r"^[0-9]:").any()
                    self.lines.append(f"time_format = [{', '.join(q(f) for f in tfmts)}]  # "
                                      + ("även oparade timmar som 8:05" if unpadded else "passar exempelvärdena"))
                self.time_columns[tcol] = "time"
            else:
                self.lines.append("# ingen klockslagskolumn hittades: kontakterna börjar vid midnatt")
        else:
            self.lines.append("# ATT GÖRA: ingen kolumn med starttid hittades; ange column = \"...\" "
                              "eller date_column och time_column")
            self.lines.append('column = "ANGE KOLUMN"')
        if isinstance(typed, pl.Datetime) and typed.time_zone:
            self.lines.append(f"# tidsstämplarna bär tidszonen {typed.time_zone}: timezone nedan gäller bara tider utan zon")
        if self.english and not (isinstance(typed, pl.Datetime) and typed.time_zone):
            self.lines.append('timezone = "Europe/Stockholm"  # ATT GÖRA: engelska rubriker; ange källans tidszon '
                              '(IANA-namn, t.ex. "Europe/London")')
        else:
            self.lines.append('timezone = "Europe/Stockholm"  # antaget: källans klocka går i svensk tid')
        self.lines.append('ambiguous = "earliest"      # dubbeltimmen i oktober räknas som sommartid')
        self.lines.append('nonexistent = "quarantine"  # klockslag som saknas i mars går till karantän')
        self.lines.append("")

    def _time_column(self, key: str, col: str, format_key: str, detect, role: str) -> None:
        fmt, note = detect(self.text[col])
        self.lines.append(f"{key} = {q(col)}  # {self.roles[col][1] or 'värdena'}")
        if fmt:
            self.lines.append(f"{format_key} = {q(fmt)}  # {note or 'passar exempelvärdena'}")
            parsed = self._parse_dates(col, fmt, role).drop_nulls()
            if parsed.len() and parsed.min().year < 2000:
                self.lines.append("# ATT GÖRA: datum före år 2000: sänk inställningen earliest_plausible_date "
                                  "(docs/configuration.md), annars hamnar raderna i karantän")
        else:
            self.lines.append(f"# ATT GÖRA: datumformatet kunde inte avgöras; ange {format_key}, t.ex. \"%Y-%m-%d %H:%M\"")
        self.time_columns[col] = role

    def _parse_dates(self, col: str, fmt: str, role: str):
        values = self.text[col].drop_nulls()
        if role == "date":
            return values.str.to_date(fmt, strict=False)
        return values.str.to_datetime(fmt, strict=False)

    def columns_section(self) -> None:
        self.lines.append("[columns]")
        taken: set[str] = set()
        for col, (role, why) in self.roles.items():
            if role in F.MAPPABLE and role != "started_at" and role not in taken and col not in self.time_columns:
                self.mapped[col] = role
                taken.add(role)
            elif role == "resolved" and "outcome" not in taken:
                self.mapped[col] = "outcome"
                taken.add("outcome")
        self.id_columns = None
        if "contact_id" in taken:
            self._check_id(next(c for c, f in self.mapped.items() if f == "contact_id"))
        for col, fld in self.mapped.items():
            if fld == "contact_id" and self.id_columns:
                continue
            self.lines.append(f"{q(col)} = {q(fld)}  # {self.roles[col][1]}")
        for col, (role, why) in self.roles.items():
            handled = col in self.mapped or col in self.time_columns
            if handled or role in ("identifier", "free_text", "personal", "agent"):
                continue
            if role == "unused":
                self.drop.append((col, "kontraktet har inget fält för den"))
            elif role == "resolved":
                self.drop.append((col, "ett utfall är redan mappat"))
            elif self.id_columns and col in self.id_columns:
                continue
            elif role in F.MAPPABLE and role in taken:
                other = next(c for c, f in self.mapped.items() if f == role)
                self.lines.append(f"# ATT GÖRA: {q(col)} ser också ut som {role}, som redan fylls av {q(other)}: "
                                  "byt kolumn eller lägg den under [drop]")
            else:
                what = "ja/nej-kolumn" if is_yes_no(self.text[col]) else "okänd kolumn"
                self.lines.append(f"# ATT GÖRA: {what} {q(col)}: mappa den (\"{col}\" = \"fält\") eller lägg den under [drop]")
        if "contact_id" not in taken:
            self.lines.append("# Ingen id-kolumn hittades: kontakt-id härleds som en hash av radens fält (docs/ingest.md).")
        self.lines.append("")
        if self.id_columns:
            self.lines += ["[contact_id]  # id-kolumnen är inte unik ensam; tillsammans med dessa är den det i exemplen",
                           f"columns = {uniqueness.toml_list(self.id_columns)}  # föreslagen sammansatt nyckel", ""]
        self._missing_section()
        if "channel" not in taken:
            guess, why = self._channel_guess()
            self.lines += ["[constants]", f"channel = {q(guess)}  # ATT GÖRA: gissning ({why}), kontrollera kanalen", ""]
        self._durations_section()

    def _check_id(self, col: str) -> None:
        """A non-unique id (rows that are not exact copies share it): propose a composite."""
        text = self.text
        if uniqueness.duplicated_rows(text.unique(), [col]) == 0:
            return
        banned = {c for c, (r, _) in self.roles.items() if r in ("identifier", "free_text", "personal", "agent")}
        candidates = [c for c in self.columns if c != col and c not in banned]
        proposal = uniqueness.propose_composite(text.select([col, *candidates]), [col], candidates)
        if proposal:
            self.id_columns = proposal
        else:
            self.lines.append(f"# ATT GÖRA: {q(col)} är inte unik och ingen kombination med en eller två andra "
                              "kolumner gör den unik; ange [contact_id] columns själv")

    def _missing_section(self) -> None:
        found = []
        for col, (role, _) in self.roles.items():
            # identifiers and ids only: a 0 in a duration or a count is a value, not a placeholder
            if role == "identifier" or self.mapped.get(col) == "contact_id":
                marker = placeholder(self.text[col])
                if marker is not None:
                    share = (self.text[col] == marker).mean()
                    found.append((col, marker, share))
        if found:
            self.lines.append("[missing]  # platshållare som betyder \"saknas\" (annars delar alla raderna ett värde)")
            for col, marker, share in found:
                self.lines.append(f"{q(col)} = [{q(marker)}]  # {round(share * 100)} % av exempelraderna")
            self.lines.append("")

    def _channel_guess(self) -> tuple[str, str]:
        names = " ".join(self.columns).casefold() + " " + self.path.stem.casefold()
        for words, channel in ((("chatt", "chat"), "chat"), (("besök", "servicepunkt", "visit"), "visit"),
                               (("samtal", "call", "växel", "ringtid", "talk"), "phone"),
                               (("e-post", "epost", "mail"), "email")):
            if any(w in names for w in words):
                return channel, f"rubrikerna eller filnamnet nämner {words[0]}"
        if any(r == "first_response_s" for r, _ in self.roles.values()):
            return "email", "svarstid i stället för kötid"
        return "phone", "inget tyder på annan kanal"

    def _durations_section(self) -> None:
        durations = {col: fld for col, fld in self.mapped.items() if fld in F.DURATION_FIELDS}
        if not durations:
            return
        styles = {fld: duration_style(self.text[c]) for c, fld in durations.items()}
        self.lines.append("[durations]")
        if len(set(styles.values())) == 1:
            style = next(iter(styles.values()))
            self.lines.append(f"format = {q(style)}  # {_style_note(style)}")
        else:
            inner = ", ".join(f"{fld} = {q(s)}" for fld, s in styles.items())
            self.lines.append(f"format = {{ {inner} }}  # olika per kolumn: "
                              + "; ".join(f"{fld} {_style_note(s)}" for fld, s in styles.items()))
        two_part = [c for c in durations if self.text[c].drop_nulls().str.contains(r"^[0-9]+:[0-9]{2}$").any()]
        if two_part:
            self.lines.append('two_part = "mm:ss"  # "5:49" läses som minuter:sekunder; ATT GÖRA om det är timmar:minuter')
        self.lines.append("")
        units = {fld: unit_of(c) for c, fld in durations.items() if unit_of(c) not in (None, "s")}
        if units:
            self.lines.append("[durations.unit]  # enheten i rubriken")
            self.lines += [f"{fld} = {q(u)}  # tal i {u}" for fld, u in units.items()]
            self.lines.append("")

    def identifier_sections(self) -> None:
        # Most stable identifier first: it decides caller_key when a row has several.
        rank = {"personnummer": 0, "customer_id": 1, "email": 2, "phone": 3}
        ids = sorted((c for c, (r, _) in self.roles.items() if r == "identifier"),
                     key=lambda c: rank.get(identifier_kind(c), 4))
        texts = [c for c, (r, _) in self.roles.items() if r == "free_text"]
        personal = [c for c, (r, _) in self.roles.items() if r == "personal"]
        agents = [c for c, (r, _) in self.roles.items() if r == "agent"]
        by_value = [c for c in agents if not F.looks_like_agent_column(c)]
        self.lines += ["[identifiers]  # första ifyllda blir caller_key (HMAC-pseudonym); råvärdet sparas aldrig",
                       f"columns = [{', '.join(q(c) for c in ids)}]  # "
                       + ("stabilast först: personnummer, kund-id, e-post, telefon" if ids else "inga identifierare hittades"), ""]
        self.lines += ["[free_text]  # blir note efter tvättning av personnummer, telefon, e-post och adresser",
                       f"columns = [{', '.join(q(c) for c in texts)}]  # "
                       + ("rubriken eller längre text" if texts else "ingen fritext hittades"), ""]
        drop = [(c, "personuppgift (namn, adress, position): läses aldrig in") for c in personal]
        drop += [(c, "förnamn på medarbetare: personuppgift om personalen") for c in by_value]
        drop += self.drop
        for col, value in self.skips:
            self.lines += [f"[[skip]]  # {q(value)} ser ut som testtrafik; ta bort blocket om det är riktiga kontakter",
                           f"column = {q(col)}  # kö-/kategorikolumnen", f"equals = {q(value)}  # testvärdet", ""]
        self.lines.append("[drop]")
        if drop:
            self.lines.append("columns = [")
            self.lines += [f"    {q(c)},  # {why}" for c, why in drop]
            self.lines.append("]")
        else:
            self.lines.append("columns = []  # inga namn, adresser eller oanvända kända kolumner")
        named = [c for c in agents if c not in by_value]
        self.lines.append("agent_columns = true  # " + (f"tas bort: {', '.join(named)}" if named else
                                                      "medarbetarkolumner tas bort om de finns"))

    def render(self) -> str:
        return "\n".join(self.lines) + "\n"


def _style_note(style: str) -> str:
    return {"hms": "klockform h:mm:ss eller mm:ss", "seconds": "tal utan kolon: sekunder (se [durations.unit])",
            "auto": "blandat: klockform och tal"}[style]
