"""`kontaktcenter profile suggest FILE`: draft a mapping profile for an export."""

from __future__ import annotations

import sys
from pathlib import Path

from dashboard.cli import CliError


def register(sub) -> None:
    p = sub.add_parser("profile", help="mappningsprofiler för inläsning")
    actions = p.add_subparsers(dest="profile_command", required=True, metavar="ACTION")
    s = actions.add_parser("suggest", help="skapa ett profilutkast från en exportfils rubriker och värden")
    s.add_argument("file", type=Path, metavar="FILE", help="exportfil (CSV, TSV, XLSX eller Parquet)")
    s.add_argument("--out", type=Path, default=None, metavar="PROFILE.toml", help="skriv till fil i stället för stdout")
    s.add_argument("--source-system", default=None, metavar="NAME", help="källsystemets namn i profilen")
    s.add_argument("--force", action="store_true", help="skriv över en befintlig --out-fil")
    s.set_defaults(handler=run)


def run(args) -> int:
    """Exit 0 with a draft, 1 with a draft that maps no column to a required field (warned on
    stderr, so that a script notices), 2 when there is no draft (CliError)."""
    from dashboard.ingest import IngestError
    from dashboard.ingest.suggest import draft_profile

    try:
        text, unmapped = draft_profile(args.file, source_system=args.source_system)
    except IngestError as exc:
        raise CliError(str(exc)) from None
    if args.out is None:
        print(text, end="")
    else:
        if args.out.exists() and not args.force:
            raise CliError(f"{args.out} finns redan. Välj ett annat namn eller lägg till --force för att skriva över.")
        args.out.write_text(text, encoding="utf-8")
        todo = text.count("ATT GÖRA")
        print(f"Profilutkastet skrevs till {args.out}. Gå igenom {todo} rad(er) märkta ATT GÖRA innan inläsning.")
    if not unmapped:
        return 0
    from dashboard.ingest.fields import LABELS_SV

    names = ", ".join(f"{LABELS_SV[f]} ({f})" for f in unmapped)
    print(f"Varning: obligatoriska fält som ingen kolumn i {args.file.name} kunde mappas till: {names}. "
          "Fyll i raderna märkta ATT GÖRA innan utkastet används för inläsning.", file=sys.stderr)
    return 1
