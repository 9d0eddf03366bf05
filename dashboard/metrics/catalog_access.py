"""Catalog: accessibility metrics (Tillgänglighet och serviceinriktat bemötande)."""

from __future__ import annotations

import polars as pl

from dashboard.metrics.metric import amount, count, mean, percentile, rate

A = "tillganglighet"
SRC_QUEUE = "Branschpraxis för kontaktcenter (ICMI/COPC); varianten anges i definitionen"
SRC_KKIK = "SKR/Kolada: Kommunens kvalitet i korthet och servicemätningen (svar på e-post inom arbetsdagar)"
SRC_GOVUK = "GOV.UK Service Manual: digital take-up"
SRC_INTERNAL = "Kontaktcenters egen definition (Vi svarar för Malmö)"
# Service-level denominator: answered + abandoned - short abandons (callbacks left out).
SL_DENOMINATOR = pl.col("answered_n") + pl.col("abandoned_n") - pl.col("short_abandoned")

METRICS = (
    count(
        "contacts", col="contacts_n", label="Kontakter", unit="count", higher_is_better=None,
        area=A, source=SRC_INTERNAL,
        definition="Antal kontakter i alla kanaler (samtal, e-post, chatt, e-tjänst, besök, "
        "sociala medier, uppsökande verksamhet) som startade under perioden, lokal tid.",
    ),
    count(
        "offered", col="offered_n", label="Inkomna samtal och chattar", unit="count",
        higher_is_better=None, area=A, source=SRC_QUEUE,
        definition="Antal samtal och chattar som kom in i kön (kanalerna telefon och chatt), "
        "oavsett om de besvarades, avbröts eller blev återuppringning.",
    ),
    count(
        "answered", col="answered_n", label="Besvarade", unit="count", higher_is_better=True,
        area=A, source=SRC_QUEUE,
        definition="Antal samtal och chattar som besvarades av en medarbetare.",
    ),
    count(
        "abandoned", col="abandoned_n", label="Avbrutna i kö", unit="count",
        higher_is_better=False, area=A, source=SRC_QUEUE,
        definition="Antal samtal och chattar där invånaren lade på eller lämnade kön före svar "
        "(korta avbrott inräknade).",
    ),
    rate(
        "answer_rate", num="answered_n", den="offered_n", label="Svarsandel", unit="share",
        higher_is_better=True, area=A, source=SRC_QUEUE,
        definition="Besvarade / inkomna samtal och chattar. Nämnaren är alla som kom in i kön, "
        "även korta avbrott och återuppringningar.",
    ),
    rate(
        "service_level", num="answered_within_sl",
        den=SL_DENOMINATOR,
        label="Servicenivå ({service_level_s} s)", unit="share", higher_is_better=True, area=A,
        source=SRC_QUEUE + "; SF311 rapporterar inom 60 s",
        definition="Besvarade inom {service_level_s} sekunders väntan / (besvarade + avbrutna − "
        "korta avbrott). Korta avbrott är avbrott efter under {short_abandon_s} sekunder; de "
        "räknas bort ur nämnaren. Väntan lika med gränsen räknas som inom.",
    ),
    rate(
        "service_level_alt", num="answered_within_alt",
        den=SL_DENOMINATOR,
        label="Servicenivå ({service_level_alt_s} s)", unit="share", higher_is_better=True,
        area=A, source=SRC_QUEUE + "; vanligt mål 80 % inom 20 s",
        definition="Som servicenivå men med gränsen {service_level_alt_s} sekunder: besvarade "
        "inom {service_level_alt_s} s / (besvarade + avbrutna − korta avbrott under "
        "{short_abandon_s} s).",
    ),
    mean(
        "asa_s", total="answered_wait_sum", n="answered_wait_n",
        label="Genomsnittlig väntetid till svar (ASA)", unit="seconds", higher_is_better=False,
        area=A, source=SRC_QUEUE + " (Average Speed of Answer)",
        definition="Summa väntetid för besvarade samtal och chattar / antal besvarade. Bara "
        "besvarade räknas, i både täljare och nämnare (att dela med alla kontakter är ett "
        "klassiskt fel som ger för låg väntetid).",
    ),
    percentile(
        "wait_median_s", name="wait_median", label="Median väntetid till svar", unit="seconds",
        higher_is_better=False, area=A, source=SRC_QUEUE,
        definition="Medianen (50:e percentilen, närmaste rang) av väntetiden för besvarade samtal "
        "och chattar. Exakt på sekunden under 300 s, därefter avrundad nedåt till 10 s (under "
        "30 min) eller 60 s.",
    ),
    percentile(
        "wait_p90_s", name="wait_p90", label="Väntetid som 90 % av de besvarade klarar sig inom",
        unit="seconds", higher_is_better=False, area=A, source=SRC_QUEUE,
        definition="90:e percentilen (närmaste rang) av väntetiden för besvarade samtal och "
        "chattar. Samma upplösning som medianen.",
    ),
    rate(
        "abandon_rate", num="abandoned_n", den="offered_n", label="Andel avbrutna",
        unit="share", higher_is_better=False, area=A, source=SRC_QUEUE,
        definition="Avbrutna / inkomna samtal och chattar, korta avbrott inräknade.",
    ),
    rate(
        "abandon_rate_excl_short", num=pl.col("abandoned_n") - pl.col("short_abandoned"),
        den=pl.col("offered_n") - pl.col("short_abandoned"),
        label="Andel avbrutna utan korta avbrott", unit="share", higher_is_better=False, area=A,
        source=SRC_QUEUE,
        definition="(Avbrutna − korta avbrott) / (inkomna − korta avbrott). Korta avbrott är "
        "avbrott efter under {short_abandon_s} sekunder (felringningar); de tas bort ur både "
        "täljare och nämnare.",
    ),
    mean(
        "aht_s", total="handle_sum", n="handle_n", label="Genomsnittlig handläggningstid (AHT)",
        unit="seconds", higher_is_better=None, area=A, source=SRC_QUEUE + " (Average Handle Time)",
        definition="Summa handläggningstid (samtal + parkering + efterarbete) / antal hanterade "
        "kontakter med registrerad tid. Hanterad = inte avbruten i kö; alla kanaler.",
    ),
    rate(
        "reply_within_1_workday", num="reply_1wd_n", den="written_n",
        label="Skriftliga svar inom en arbetsdag", unit="share", higher_is_better=True, area=A,
        source=SRC_KKIK,
        definition="Andel e-post och meddelanden i sociala medier med första svar senast samma "
        "klockslag nästa arbetsdag. Kommer kontakten en helgdag börjar klockan 00.00 nästa "
        "arbetsdag. Arbetsdagar enligt svensk helgdagskalender. Obesvarade räknas som inte inom.",
    ),
    rate(
        "reply_within_2_workdays", num="reply_2wd_n", den="written_n",
        label="Skriftliga svar inom två arbetsdagar", unit="share", higher_is_better=True,
        area=A, source=SRC_KKIK + " (tidigare mått)",
        definition="Som svar inom en arbetsdag men med två arbetsdagar: första svar senast samma "
        "klockslag andra arbetsdagen efter ankomst.",
    ),
    amount(
        "channel_share", value=pl.when(pl.col("contacts_n@channel") > 0).then(
            pl.col("contacts_n").cast(pl.Float64) / pl.col("contacts_n@channel")),
        n="contacts_n", kind="share", label="Kanalandel", unit="share", higher_is_better=None,
        area=A, source=SRC_GOVUK,
        definition="Kontakter i kanalen (eller de valda kanalerna) / kontakter i alla kanaler med "
        "samma övriga urval. Delas per kanal när kanal är en dimension.",
    ),
    rate(
        "digital_share", num="e_service_n", den="contacts_n", label="Andel via e-tjänst",
        unit="share", higher_is_better=True, area=A, source=SRC_GOVUK,
        definition="Kontakter via e-tjänst / alla kontakter i urvalet (digital take-up).",
    ),
    rate(
        "outside_opening_hours_share", num="outside_hours_n", den="contacts_n",
        label="Andel utanför öppettid", unit="share", higher_is_better=None, area=A,
        source=SRC_INTERNAL,
        definition="Kontakter som startade när kanalen var stängd / alla kontakter. Kanalens "
        "öppettider per veckodag; kanaler utan egna öppettider (e-tjänst, e-post, sociala "
        "medier) jämförs med telefonens. Helgdagar räknas som stängt.",
    ),
    mean(
        "satisfaction_mean", total="satisfaction_sum", n="satisfaction_n",
        label="Nöjdhet (medel 1–5)", unit="score", higher_is_better=True, area=A,
        source=SRC_KKIK, definition="Medelvärde av enkätsvaren 1–5 bland kontakter som svarade.",
    ),
    mean(
        "satisfaction_index", total="satisfaction_sum", n="satisfaction_n",
        scale=lambda m: (m - 1.0) * 25.0, label="Nöjdhetsindex (0–100)", unit="index",
        higher_is_better=True, area=A, source=SRC_KKIK + " (bemötandeindex)",
        definition="Enkätsvaren omräknade till index: 5 = 100, 4 = 75, 3 = 50, 2 = 25, 1 = 0, "
        "medelvärde bland kontakter som svarade.",
    ),
)
