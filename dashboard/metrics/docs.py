"""Generate docs/metrics.md from the registry: `python -m dashboard.metrics.docs > docs/metrics.md`.

tests/test_registry.py fails when the committed file differs from `render()`.

Each metric's trail is part of the page: the catalog that declares it, every input with the SQL
file and column (or distribution) that computes it, and the tests that name the metric (found by
scanning tests/ for the id as a string). An input this module cannot place, or a column the SQL
file does not define, stops the generator, so the trail cannot point to the wrong place.
"""

from __future__ import annotations

import ast
import re
import sys
from functools import cache
from pathlib import Path

from dashboard.config import Settings
from dashboard.metrics import catalog_access, catalog_demand, gaps
from dashboard.metrics import inputs as inp
from dashboard.shipped import PACKAGE_DIR, shipped
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

- **Period** är lokala datum i rapportens tidszon (inställningen reporting_timezone, standard
  Europe/Stockholm), båda inklusive; en kontakt hör till den dag och timme den startade i lokal tid.
- **Hanterad kontakt** = inte avbruten i kö (besvarade samtal och chattar samt alla kontakter i
  kanaler utan kö).
- **Undertryckning**: antal under småcellsgränsen (standard {threshold}) visas inte, och inte
  heller det som skulle avslöja dem (andelar, summor, totaler). Andelar, medelvärden och
  percentiler med ett underlag (kolumnen `{{id}}__n` i motorns svar) under kolumnen *min. antal*
  visas men märks "(osäker)". Allt lämnar motorn genom integritetspaketet `dashboard/privacy`
  (CLI, dashboard, export), docs/privacy.md.
- **Härledda** mått (märkta HÄRLEDD) bygger på regler, inte på taggar, och blandas aldrig med
  taggade siffror.
- **Spåret** under varje mått: katalogen som deklarerar det, varje indata med SQL-filen och
  kolumnen (eller fördelningen) som räknar fram den, och testerna som nämner måttets id.
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
                  f"Källa: {m.source}.", "", *_trail(m), ""]
    return lines


# --- each metric's trail ---------------------------------------------------------------------

CATALOGS = {"dashboard/metrics/catalog_access.py": catalog_access.METRICS,
            "dashboard/metrics/catalog_demand.py": catalog_demand.METRICS}
FACTS_SQL = "queries/marts/contact_facts.sql"
DIST_SQL = "queries/marts/contact_dist.sql"
POPULATION_SQL = "queries/metrics/population.sql"
TESTS_DIR = PACKAGE_DIR.parent / "tests"


@cache
def _sql(relative: str) -> str:
    return (shipped("queries") / relative.removeprefix("queries/")).read_text(encoding="utf-8")


def _checked(relative: str, pattern: str, what: str) -> None:
    if not re.search(pattern, _sql(relative)):
        raise LookupError(f"{relative} defines no {what}; the metric trail would point nowhere")


def input_source(name: str) -> str:
    """Where an input is computed, in Swedish, naming the SQL file and column or distribution."""
    if inp.is_total(name):
        base, dim = inp.split_total(name)
        return f"{input_source(base)}, summerad över alla värden av `{dim}` (filtret på den släppt)"
    if name in inp.THRESHOLDS:
        t = inp.THRESHOLDS[name]
        _checked(DIST_SQL, rf"'{t.measure}'", f"distribution {t.measure}")
        what = "antal" if t.value == "n" else "hanterade sekunder (`handle_sum`)"
        return (f"`{DIST_SQL}`, fördelningen `{t.measure}`: {what} i hinkar upp till inställningen "
                f"`{t.setting}`" + (f" − {-t.offset} (strikt under gränsen)" if t.offset < 0 else ""))
    if name in inp.PERCENTILES:
        measure, q = inp.PERCENTILES[name]
        _checked(DIST_SQL, rf"'{measure}'", f"distribution {measure}")
        return f"`{DIST_SQL}`, fördelningen `{measure}`: percentil {format(q, '.2f').replace('.', ',')}"
    if name == "population":
        return f"`{POPULATION_SQL}` (invånare per stadsdel, tabellen `city_areas`)"
    if name == "period_days":
        return "dagar i perioden per grupp (`dashboard/metrics/engine.py`, `_with_period_days`)"
    if name.startswith("setting:"):
        return f"inställningen `{name.removeprefix('setting:')}` (docs/configuration.md)"
    _checked(FACTS_SQL, rf"\bas {re.escape(name)},", f"column {name}")
    return f"`{FACTS_SQL}`, kolumnen `{name}`"


def _catalog(metric_id: str) -> str:
    return next(path for path, metrics in CATALOGS.items() if any(m.id == metric_id for m in metrics))


@cache
def tests_naming() -> dict[str, dict[str, list[str]]]:
    """Metric id -> test file -> test functions whose body or decorators hold the id as a string."""
    if not TESTS_DIR.is_dir():
        raise FileNotFoundError("docs/metrics.md is generated from a checkout (tests/ is missing)")
    found: dict[str, dict[str, list[str]]] = {}
    ids = {m.id for metrics in CATALOGS.values() for m in metrics}
    for path in sorted(TESTS_DIR.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not (isinstance(fn, ast.FunctionDef) and fn.name.startswith("test_")):
                continue
            named = {n.value for n in ast.walk(fn) if isinstance(n, ast.Constant) and n.value in ids}
            for metric_id in named:
                found.setdefault(metric_id, {}).setdefault(f"tests/{path.name}", []).append(fn.name)
    return found


def _trail(m) -> list[str]:
    lines = [f"- **Deklareras i** `{_catalog(m.id)}`.", "- **Indata:**"]
    lines += [f"  - `{name}`: {input_source(name)}" for name in m.inputs]
    tests = tests_naming().get(m.id, {})
    if tests:
        lines.append("- **Tester som nämner måttet:** " + "; ".join(
            f"`{file}`: " + ", ".join(f"`{fn}`" for fn in sorted(set(fns))) for file, fns in tests.items()))
    else:
        lines.append("- **Tester som nämner måttet:** inga egna (registrets gemensamma tester i "
                     "`tests/test_registry.py` gäller alla mått).")
    return lines


def _marts_section() -> list[str]:
    lines = [
        "## Hur måtten räknas: marts och exakthet", "",
        "Sidorna läser inte råa kontakter. Vid varje inläsning uppdateras föraggregerade tabeller "
        "(marts) i samma transaktion (`dashboard.store.marts.update_marts`): bara de lokala dagar "
        "som de nya kontakterna hamnar på, och dagarna för samma uppringares närmaste kontakter i "
        "samma ärende inom 90 dagar, räknas om; resultatet är detsamma som en ombyggnad från grunden "
        "(`refresh_marts`). Motorn väljer den minsta "
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
    lines += [f"Andelar, medelvärden och percentiler med färre än {RATE_MIN_N} observationer "
              "(inställningen `rate_min_n`, aldrig färre än småcellsgränsen) märks som osäkra.",
              ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
