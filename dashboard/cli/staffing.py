"""`kontaktcenter staffing`: agents needed for one interval by Erlang C, in Swedish."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from dashboard.cli import CliError
from dashboard.formatting import NBSP, format_number, format_percent
from dashboard.metrics.staffing import StaffingResult, agents_needed


def _number(text: str) -> float:
    """A number written the Swedish way or not: '0,8', '0.8', '1 200'."""
    cleaned = text.strip().replace(NBSP, "").replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' är inget tal; skriv till exempel 120 eller 0,8") from None


def _share(text: str) -> float:
    """A share as '0,8' or '80%' / '80 %'."""
    stripped = text.strip()
    if stripped.endswith("%"):
        return _number(stripped[:-1]) / 100.0
    return _number(stripped)


def register(sub) -> None:
    p = sub.add_parser(
        "staffing",
        help="bemanningsbehov för ett intervall enligt Erlang C",
        description="Räknar ut hur många agenter som behövs för att nå ett servicenivåmål "
                    "(Erlang C). Andelar skrivs som 0,8 eller 80\u00a0%.",
    )
    p.add_argument("--offered", type=_number, required=True, metavar="N", help="inkommande kontakter per intervall")
    p.add_argument("--interval-min", type=_number, default=30.0, metavar="MINUTES",
                   help="intervallets längd i minuter (standard 30)")
    p.add_argument("--aht-s", type=_number, required=True, metavar="SECONDS",
                   help="genomsnittlig hanteringstid (AHT) i sekunder")
    p.add_argument("--target-answer-s", type=_number, default=20.0, metavar="SECONDS",
                   help="svarstidsmål i sekunder (standard 20)")
    p.add_argument("--target-sl", type=_share, default=0.8, metavar="SHARE", help="servicenivåmål som andel (standard 0,8)")
    p.add_argument("--shrinkage", type=_share, default=0.0, metavar="SHARE",
                   help="bortfall (shrinkage): andel av schemalagd tid utan telefon, t.ex. 0,3 (standard 0)")
    p.add_argument("--max-occupancy", type=_share, default=1.0, metavar="SHARE",
                   help="högsta tillåtna beläggning som andel, t.ex. 0,85 (standard 1)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="utdataformat (standard text)")
    p.set_defaults(handler=run)


def _plain(value: float) -> str:
    """Whole numbers without decimals, others with one: 100 -> '100', 12.5 -> '12,5'."""
    return format_number(value, 0 if float(value).is_integer() else 1)


def _seconds(value: float) -> str:
    return format_number(value, 1) + NBSP + "s"


def render_text(r: StaffingResult) -> str:
    """The result as Swedish lines with Swedish number formats."""
    target = f"{format_percent(r.target_sl, 0)} besvarade inom {_plain(r.target_answer_s)}{NBSP}s"
    lines = [
        "Bemanning enligt Erlang C",
        f"Inkommande: {_plain(r.offered)} kontakter per {_plain(r.interval_s / 60)}{NBSP}min, "
        f"AHT {_plain(r.aht_s)}{NBSP}s → trafik {format_number(r.traffic_erlangs, 2)} Erlang",
        f"Mål: {target}" + (f", högst {format_percent(r.max_occupancy, 0)} beläggning" if r.max_occupancy < 1 else ""),
        f"Agenter i telefon: {r.agents}",
        f"Agenter att schemalägga (bortfall {format_percent(r.shrinkage, 0)}): {r.agents_scheduled}",
        f"Uppnådd servicenivå: {format_percent(r.service_level)} inom {_plain(r.target_answer_s)}{NBSP}s",
        f"Genomsnittlig väntetid (ASA): {_seconds(r.asa_s)}",
        f"Andel som får vänta: {format_percent(r.prob_wait)}",
        f"Beläggning: {format_percent(r.occupancy)}",
    ]
    if r.limited_by == "occupancy":
        lines.append("Taket för beläggning kräver fler agenter än servicenivåmålet.")
    lines.append(f"Obs! {r.note}")
    return "\n".join(lines)


def run(args) -> int:
    try:
        result = agents_needed(
            offered=args.offered,
            interval_s=args.interval_min * 60.0,
            aht_s=args.aht_s,
            target_answer_s=args.target_answer_s,
            target_sl=args.target_sl,
            shrinkage=args.shrinkage,
            max_occupancy=args.max_occupancy,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.format == "json":
        print(json.dumps(asdict(result), ensure_ascii=False, indent=2))
    else:
        print(render_text(result))
    return 0
