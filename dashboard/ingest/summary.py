"""What an ingest did, per file and in total, and its Swedish summary text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dashboard.ingest.errors import FileLevelError
from dashboard.ingest.pii import scrub_file_name


def fmt_int(n: int) -> str:
    """Swedish thousands separator (no-break space)."""
    return f"{n:,}".replace(",", "\u00a0")


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
            out.append(f"{len(self.failed)} fil(er) kunde inte läsas alls; övriga filer lästes in.")
        return out
