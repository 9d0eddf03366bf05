"""Generate docs/metrics.md from the registry: `python -m dashboard.metrics.docs > docs/metrics.md`.

tests/test_registry.py fails when the committed file differs from `render()`.
"""

from __future__ import annotations

import sys

from dashboard.config import Settings
from dashboard.metrics import gaps
from dashboard.store import marts
from dashboard.metrics.buckets import COARSE_LIMIT_S, FINE_LIMIT_S, MAX_WINDOW_DAYS, MEDIUM_LIMIT_S
from dashboard.metrics.filters import DIMENSIONS
from dashboard.metrics.metric import AREAS, RATE_MIN_N, UNITS
from dashboard.metrics.registry import REGISTRY

HEADER = """# Mått och definitioner

*Genererad från måttregistret (`dashboard/metrics/catalog_*.py`) med
`python -m dashboard.metrics.docs > docs/metrics.md`. Redigera inte för hand: ett test jämför.*

Varje mått har ett stabilt id (en del av gränssnittet för dashboard, export och CLI), en svensk
etikett, en definition som säger vilken variant som visas, en enhet, om högre är bättre, källan
till definitionen och det minsta antal som krävs för att värdet ska visas. Siffror i
definitionerna (sekunder, dagar, kronor) är standardinställningarna; de går att ändra
(docs/configuration.md) och definitionerna i dashboarden visar då de valda värdena.

Gemensamt för alla mått:

- **Period** är lokala datum (Europe/Stockholm), båda inklusive; en kontakt hör till den dag och
  timme den startade i lokal tid.
- **Hanterad kontakt** = inte avbruten i kö (besvarade samtal och chattar samt alla kontakter i
  kanaler utan kö).
- **Undertryckning**: antal under småcellsgränsen (standard {threshold}) visas inte. Andelar,
  medelvärden och percentiler visas bara när underlaget (kolumnen `{{id}}__n` i motorns svar) är
  minst kolumnen *min. antal*. Undertryckningen görs där siffrorna lämnar motorn (CLI, dashboard,
  export) med samma funktion.
- **Härledda** mått (märkta HÄRLEDD) bygger på regler, inte på taggar, och blandas aldrig med
  taggade siffror.
"""


def _bool(value: bool | None) -> str:
    return {True: "ja", False: "nej", None: "–"}[value]


def _area_section(area: str, settings: Settings) -> list[str]:
    metrics = [m for m in REGISTRY.values() if m.area == area]
    if not metrics:
        return []
    lines = [f"## {AREAS[area]}", "", "| id | etikett | enhet | högre är bättre | min. antal |",
             "| --- | --- | --- | --- | --- |"]
    for m in metrics:
        lines.append(f"| `{m.id}` | {m.label_for(settings)} | {UNITS[m.unit]} | "
                     f"{_bool(m.higher_is_better)} | {m.min_n_for(settings)} |")
    lines.append("")
    for m in metrics:
        lines += [f"### `{m.id}`: {m.label_for(settings)}", "", m.definition_for(settings), "",
                  f"Källa: {m.source}.", ""]
    return lines


def _marts_section() -> list[str]:
    lines = [
        "## Hur måtten räknas: marts och exakthet", "",
        "Sidorna läser inte råa kontakter. Vid varje inläsning byggs föraggregerade tabeller (marts) "
        "i samma transaktion (`dashboard.store.marts.refresh_marts`). Motorn väljer den minsta "
        "mart som täcker filtren och indelningen; `contact_facts` (en rad per kontakt) är reserven.",
        "", "| mart | en rad per |", "| --- | --- |",
        *(f"| `{m.name}` | {m.grain} |" for m in marts.MARTS), "",
        "Inställningsberoende mått (servicenivå, korta avbrott, upprepningsfönster) räknas ur "
        "fördelningar som sparas bredvid varje mart (`<mart>_dist`), så en ändrad inställning "
        "kräver ingen ombyggnad:", "",
        f"- **Väntetider** sparas per sekund under {FINE_LIMIT_S} s, i 10-sekundershinkar under "
        f"{MEDIUM_LIMIT_S} s, i 60-sekundershinkar under {COARSE_LIMIT_S} s och därefter i en "
        "öppen hink. Köttider är hela sekunder, så en gräns T (\"inom T s\") är exakt när "
        f"T < {FINE_LIMIT_S} s (och när T + 1 är en hinkgräns); annars räknas bara hinkar som "
        "helt ligger inom T. Median och 90:e percentil (närmaste rang: värdet på plats "
        f"⌈q·n⌉) är exakta under {FINE_LIMIT_S} s och annars hinkens lägsta värde (högst 9 s "
        "respektive 59 s för lågt).",
        f"- **Upprepningar** sparas som hela dagar (avrundat uppåt) till nästa och föregående "
        "kontakt från samma person om samma ärendekategori, så varje fönster på 0–"
        f"{MAX_WINDOW_DAYS} hela dagar är exakt.",
        "- **Svar inom arbetsdagar** och **utanför öppettid** beror inte på inställningar och "
        "räknas per kontakt vid inläsningen (kalendern och öppettiderna i databasen).", "",
    ]
    return lines


def _equity_section() -> list[str]:
    return [
        "## Jämlikhet: när en skillnad flaggas", "",
        "Varje grupp (stadsdel/stadsområde, språk, tolk, kundtyp) jämförs med resten av staden på "
        f"andelsmåtten {', '.join(f'`{m}`' for m in gaps.EQUITY_METRICS)}. Andelen får ett "
        "Wilson-intervall och skillnaden mot resten ett Newcombe-intervall (95 %). En grupp "
        "flaggas bara när skillnaden är:", "",
        "1. **statistiskt tydlig**: intervallet för skillnaden utesluter 0 efter "
        "Bonferroni-justering för alla jämförelser i samma vy (konfidens 1 − 0,05/antal "
        "jämförelser),",
        f"2. **tillräckligt stor för att spela roll**: minst {gaps.MIN_DIFFERENCE * 100:.0f} "
        "procentenheter, och",
        "3. **sämre** för gruppen enligt måttets riktning.", "",
        "Tolkbehov blir känt först när kontakten besvaras, så kömått jämförs inte per tolk. "
        "Kontakter per 1 000 invånare får ett Poisson-intervall. Lokala händelser "
        "(`dashboard/metrics/incidents.py`) flaggas mot en robust förväntad nivå "
        "(veckodagsjusterad rullande median och MAD); regeln står i docs/statistics.md.", "",
    ]


def _dimensions_section() -> list[str]:
    lines = ["## Indelningar", "", "Alla mått kan filtreras på period, förvaltning, kanal, "
             "stadsområde/stadsdel, ärendekategori, språk och kundtyp, och delas upp på:", "",
             "| dimension | betydelse |", "| --- | --- |"]
    lines += [f"| `{d}` | {label} |" for d, (_, _, label) in DIMENSIONS.items()]
    return lines + ["", "Tidsindelningarna använder lokal tid; `weekday` är ISO (1 = måndag), "
                    "`week` och `month` ges som periodens första dag.", ""]


def render(settings: Settings | None = None) -> str:
    settings = settings or Settings()
    lines = [HEADER.format(threshold=settings.small_cell_threshold)]
    for area in AREAS:
        lines += _area_section(area, settings)
    lines += _dimensions_section() + _marts_section() + _equity_section()
    lines += [f"Andelar, medelvärden och percentiler kräver minst {RATE_MIN_N} observationer "
              "(och aldrig färre än småcellsgränsen).", ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
