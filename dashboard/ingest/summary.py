"""What an ingest did, per file and in total, and its Swedish summary text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dashboard.ingest.errors import FileLevelError
from dashboard.ingest.pii import scrub_file_name
from dashboard.ingest.uniqueness import toml_list


def fmt_int(n: int) -> str:
    """Swedish thousands separator (no-break space)."""
    return f"{n:,}".replace(",", "\u00a0")


def fmt_pct(share: float) -> str:
    """0.125 -> "12,5\u00a0%" (Swedish decimal comma, no-break space before the sign)."""
    text = f"{share * 100:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text}\u00a0%"


@dataclass
class FileSummary:
    path: Path
    rows_read: int = 0
    landed: int = 0
    quarantined: int = 0
    duplicates: int = 0
    skipped: int = 0                      # dropped by the profile's [[skip]] rules
    ingest_id: int | None = None
    already_ingested: int | None = None   # ingest_id of the earlier ingest of this very file
    unknown_columns: list[str] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    error: FileLevelError | None = None
    # (field, source column, kind) -> rows: unknown vocabulary values, misfiled identifiers
    findings: dict[tuple[str, str, str], int] = field(default_factory=dict)
    id_conflicts: int = 0                 # rows quarantined: their id belongs to another contact
    id_proposal: list[str] | None = None  # columns that make the id unique ([] = none found)
    top_reason: tuple[str, int] | None = None   # commonest quarantine reason and its count

    def quarantine_share(self) -> float:
        """Quarantined share of the rows the profile meant to read (skipped rows left out)."""
        considered = self.rows_read - self.skipped
        return self.quarantined / considered if considered > 0 else 0.0

    def verdict_sv(self, max_share: float) -> str | None:
        """Why this file counts as a failed ingest for a script (exit code 1), or None."""
        name = scrub_file_name(self.path.name)
        if self.error is not None:
            return f"{name}: filen kunde inte läsas. {self.error.problem} Åtgärd: {self.error.fix}"
        if self.already_ingested is not None or self.rows_read == 0:
            return None
        why = f" Vanligaste orsak ({fmt_int(self.top_reason[1])} rader): {self.top_reason[0]}" if self.top_reason else ""
        if self.landed == 0 and self.duplicates == 0 and self.quarantined:
            return f"{name}: ingen rad lästes in; alla {fmt_int(self.quarantined)} prövade rader hamnade i karantän.{why}"
        share = self.quarantine_share()
        if share > max_share:
            return (f"{name}: {fmt_pct(share)} av raderna hamnade i karantän, mer än gränsen {fmt_pct(max_share)} "
                    f"(--max-quarantine-share).{why}")
        return None

    def lines_sv(self) -> list[str]:
        name = scrub_file_name(self.path.name)
        if self.error is not None:
            return [f"{name}: FEL – {self.error.problem} Åtgärd: {self.error.fix} Inget från filen sparades."]
        if self.already_ingested is not None:
            return [f"{name}: filen är redan inläst med samma profil (inläsning {self.already_ingested}); "
                    f"alla {fmt_int(self.rows_read)} rader räknas som dubbletter och hoppas över."]
        out = [f"{name}: läst {fmt_int(self.rows_read)}, inläst {fmt_int(self.landed)}, "
               f"karantän {fmt_int(self.quarantined)}, dubbletter hoppade över {fmt_int(self.duplicates)}"
               + (f", överhoppade enligt profilens skip-regler {fmt_int(self.skipped)}" if self.skipped else "")]
        if self.rows_read == 0:
            out.append(f"{name}: filen har bara en rubrikrad, inga kontakter.")
        if self.unknown_columns:
            out.append(f"{name}: kolumner som profilen inte nämner lästes inte in: "
                       f"{', '.join(self.unknown_columns)}. Lägg dem under [columns] eller [drop] i profilen.")
        for (fld, column, kind), rows in sorted(self.findings.items()):
            if kind == "unknown_value":
                out.append(f'{name}: {fmt_int(rows)} rader hade ett okänt värde i kolumnen "{column}" och '
                           "lästes in som okänt; se Datakvalitet. Lägg till översättningar under "
                           f"[values.{fld}] eller nya värden med `kontaktcenter vocabulary add {fld} \"…\"`.")
            else:
                out.append(f'{name}: {fmt_int(rows)} värden i kolumnen "{column}" var inte vad kolumnen '
                           "anger (t.ex. en e-postadress bland telefonnummer); de pseudonymiserades ändå "
                           "och räknas på Datakvalitet.")
        if self.dropped_columns:
            out.append(f"{name}: kolumner som togs bort (medarbetaruppgifter eller [drop]): "
                       f"{', '.join(self.dropped_columns)}.")
        if self.id_conflicts:
            proposal = (f" Förslag: [contact_id] columns = {toml_list(self.id_proposal)}." if self.id_proposal
                        else " Ange fler kolumner under [contact_id] columns.")
            out.append(f"{name}: kontakt-id är inte unikt: {fmt_int(self.id_conflicts)} rader har samma id som en "
                       f"annan kontakt med annan starttid och lades i karantän i stället för att slås ihop.{proposal}")
        return out


def _total(name: str) -> property:
    """The sum of one FileSummary count over all files."""
    return property(lambda self: sum(getattr(f, name) for f in self.files))


@dataclass
class IngestSummary:
    files: list[FileSummary]
    data_version: int

    rows_read = _total("rows_read")
    landed = _total("landed")
    quarantined = _total("quarantined")
    duplicates = _total("duplicates")
    skipped = _total("skipped")

    @property
    def failed(self) -> list[FileSummary]:
        return [f for f in self.files if f.error is not None]

    def verdicts_sv(self, max_share: float) -> list[str]:
        """One line per file that a script should treat as failed (empty: success)."""
        return [v for f in self.files if (v := f.verdict_sv(max_share)) is not None]

    def lines_sv(self) -> list[str]:
        out = [line for f in self.files for line in f.lines_sv()]
        total = (f"Totalt: läst {fmt_int(self.rows_read)}, inläst {fmt_int(self.landed)}, "
                 f"karantän {fmt_int(self.quarantined)}, dubbletter hoppade över {fmt_int(self.duplicates)}")
        if self.skipped:
            total += f", överhoppade enligt skip-regler {fmt_int(self.skipped)}"
        out.append(total + ".")
        if self.quarantined:
            out.append("Rader i karantän finns i tabellen quarantine med fil, rad och orsak.")
        if self.failed:
            others = "; övriga filer lästes in" if len(self.failed) < len(self.files) else ""
            out.append(f"{len(self.failed)} fil(er) kunde inte läsas alls{others}.")
        return out
