"""What people contact kontaktcenter about in the sample: per-topic volume, season, outcome
mix, failure demand and handle time. Generator parameters only; the contract's facts about
topics (owning department, e-service) live in dashboard.reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.reference import TOPICS

REASONS = ("progress_chasing", "not_understood", "repeat", "wrong_channel", "info_missing", "not_done")
_REASON_CODES = dict(zip(("pc", "nu", "rp", "wc", "im", "nd"), REASONS))

# Seasonal bumps: (day of year of the peak, width in days (one sigma), height relative to 1).
SEASONS: dict[str, tuple[float, tuple[tuple[int, int, float], ...]]] = {
    # name: (base level, bumps)
    "flat": (1.0, ()),
    "preschool_queue": (1.0, ((46, 20, 1.6), (227, 15, 0.8))),  # applications Feb, start Aug
    "preschool_offers": (1.0, ((110, 25, 1.2), (152, 15, 0.8))),
    "new_year_fees": (1.0, ((25, 15, 1.5),)),
    "leaving": (1.0, ((145, 20, 1.5),)),
    "school_start": (1.0, ((230, 12, 2.0), (10, 10, 0.6))),
    "school_choice": (1.0, ((25, 12, 2.0), (230, 12, 1.0))),
    "upper_secondary": (1.0, ((36, 14, 1.5), (179, 14, 1.5))),
    "adult_education": (1.0, ((222, 15, 1.0), (344, 15, 0.8))),
    "winter_snow": (0.12, ((20, 25, 5.0),)),  # snow clearing: Dec-Feb, almost nothing in summer
    "summer": (1.0, ((186, 30, 1.2),)),
    "spring_summer": (1.0, ((135, 40, 0.9),)),
    "autumn": (1.0, ((288, 30, 0.6),)),
    "building_season": (1.0, ((110, 40, 0.7),)),
    "summer_activities": (0.6, ((161, 20, 2.5),)),
    "sports_booking": (1.0, ((237, 15, 1.2),)),
    "bathing": (1.0, ((176, 35, 1.2),)),
    "grant_rounds": (1.0, ((46, 12, 1.2), (258, 12, 0.8))),
    "december_travel": (1.0, ((344, 12, 0.5),)),
    "indoor_winter": (1.0, ((15, 35, 0.6),)),
}


@dataclass(frozen=True)
class TopicMix:
    topic: str
    weight: float            # relative volume
    season: str              # key of SEASONS
    resolved: float          # P(outcome = resolved | handled)
    forwarded: float
    referred: float
    failure: float           # P(demand_type = failure | tagged, first contact)
    reasons: dict[str, float]
    handle_s: float          # mean phone handle time
    local: float = 1.0       # boost of visits and outreach


def _t(topic, weight, season, res, fwd, ref, fail, reasons, handle_s, local=1.0) -> TopicMix:
    parsed = {}
    for part in reasons.split():
        code, w = part.split(":")
        parsed[_REASON_CODES[code]] = float(w)
    return TopicMix(topic, weight, season, res, fwd, ref, fail, parsed, handle_s, local)


TOPIC_MIX: tuple[TopicMix, ...] = (
    _t("Ansökan om förskoleplats", 3.0, "preschool_queue", .70, .28, 0, .30, "im:4 nu:2 wc:1", 300),
    _t("Status i ansökan om förskoleplats", 1.2, "preschool_offers", .55, .44, 0, .90, "pc:8 rp:1", 210),
    _t("Förskoleavgift och inkomstuppgift", 1.5, "new_year_fees", .72, .27, 0, .40, "nu:4 im:2", 280),
    _t("Uppsägning av förskoleplats", 0.6, "leaving", .80, .19, 0, .25, "im:3 wc:2", 200),
    _t("Pedagogisk omsorg och öppen förskola", 0.4, "flat", .75, .24, 0, .15, "im:1", 240),
    _t("Skolval och skolplacering", 1.8, "school_choice", .55, .44, 0, .35, "im:3 nu:2 pc:1", 330),
    _t("Fritidshem", 1.0, "school_start", .65, .34, 0, .30, "im:2 nd:1", 260),
    _t("Skolskjuts", 0.8, "school_start", .45, .54, 0, .45, "nd:3 pc:2", 300),
    _t("Modersmålsundervisning", 0.3, "school_start", .60, .39, 0, .25, "im:1", 240),
    _t("Skolmåltider och specialkost", 0.4, "school_start", .70, .29, 0, .20, "im:1", 220),
    _t("Gymnasieval och antagning", 0.9, "upper_secondary", .60, .38, 0, .30, "im:2 nu:1", 300),
    _t("Vuxenutbildning och sfi", 1.1, "adult_education", .62, .37, 0, .30, "im:2 pc:1", 310, 1.5),
    _t("Busskort för elever", 0.5, "school_start", .70, .29, 0, .40, "nd:2 im:1", 200),
    _t("Hemtjänst", 1.5, "flat", .40, .58, 0, .35, "nd:3 pc:1", 420, 1.5),
    _t("Särskilt boende för äldre", 0.6, "flat", .35, .63, 0, .30, "pc:2 im:1", 450),
    _t("Trygghetslarm", 0.5, "flat", .55, .44, 0, .35, "nd:2 im:1", 300),
    _t("Färdtjänst", 1.6, "december_travel", .55, .35, .08, .35, "nu:2 wc:2 im:1", 330),
    _t("Status i ärende om färdtjänst", 0.6, "december_travel", .50, .49, 0, .90, "pc:8 rp:1", 220),
    _t("Avgifter inom vård och omsorg", 0.5, "new_year_fees", .60, .39, 0, .45, "nu:4", 360),
    _t("LSS-insatser och personlig assistans", 0.7, "flat", .30, .68, .01, .30, "pc:2 nu:1", 420),
    _t("Ledsagarservice och kontaktperson", 0.3, "flat", .40, .59, 0, .25, "pc:1 im:1", 320),
    _t("Daglig verksamhet", 0.3, "flat", .40, .59, 0, .20, "im:1", 300),
    _t("Ekonomiskt bistånd", 3.0, "flat", .35, .62, .02, .40, "nu:3 pc:2 im:1", 450, 2.5),
    _t("Status i ärende om ekonomiskt bistånd", 1.5, "flat", .30, .69, 0, .90, "pc:8 rp:1", 260, 2.0),
    _t("Hemlöshet och akut boende", 0.6, "indoor_winter", .20, .75, .04, .15, "nd:1", 540, 2.0),
    _t("Stöd vid våld i nära relation", 0.3, "flat", .15, .75, .09, .05, "wc:1", 600),
    _t("Missbruk och beroende", 0.3, "flat", .20, .70, .09, .10, "wc:1", 480),
    _t("Arbetsmarknadsinsatser och jobbstöd", 0.6, "flat", .50, .45, .04, .20, "im:1 wc:1", 360, 2.0),
    _t("Budget- och skuldrådgivning", 0.5, "new_year_fees", .50, .47, .02, .20, "im:1", 400),
    _t("Familjerätt", 0.4, "flat", .35, .64, 0, .20, "pc:1 nu:1", 380),
    _t("Bibliotek och lån", 0.8, "flat", .85, .14, 0, .20, "im:2 wc:1", 180),
    _t("Kulturskolan", 0.4, "school_start", .70, .29, 0, .25, "im:1 pc:1", 220),
    _t("Kulturstöd och evenemang", 0.3, "spring_summer", .60, .39, 0, .20, "im:1", 260),
    _t("Bokning av idrottshallar och lokaler", 0.8, "sports_booking", .65, .34, 0, .30, "im:2 nd:1", 240),
    _t("Badhus och simskola", 0.6, "bathing", .80, .19, 0, .25, "im:2", 180),
    _t("Föreningsbidrag", 0.4, "grant_rounds", .55, .44, 0, .30, "nu:1 im:1", 300),
    _t("Sommarlovsaktiviteter", 0.5, "summer_activities", .80, .19, 0, .25, "im:2", 180, 1.5),
    _t("Felanmälan gata, park och trafik", 4.0, "autumn", .75, .24, 0, .30, "nd:3 rp:1", 210),
    _t("Status för felanmälan", 0.7, "autumn", .60, .39, 0, .90, "pc:6 nd:2", 180),
    _t("Snöröjning och halkbekämpning", 1.2, "winter_snow", .65, .34, 0, .50, "nd:4", 200),
    _t("Parkering och parkeringstillstånd", 2.0, "flat", .70, .25, .04, .30, "im:2 nu:1 wc:1", 260),
    _t("Felparkerade och övergivna fordon", 0.8, "flat", .70, .29, 0, .25, "nd:2", 200),
    _t("Träd, parker och lekplatser", 0.8, "spring_summer", .70, .29, 0, .25, "nd:2 im:1", 220),
    _t("Upplåtelse av offentlig plats", 0.5, "building_season", .55, .44, 0, .25, "im:2", 320),
    _t("Buller och störningar", 0.9, "summer", .55, .40, .04, .30, "nd:2 wc:1", 300),
    _t("Livsmedelskontroll och registrering", 0.4, "flat", .55, .44, 0, .20, "im:2", 330),
    _t("Skadedjur", 0.5, "autumn", .40, .30, .29, .35, "wc:3", 260),
    _t("Inomhusmiljö och fukt", 0.4, "indoor_winter", .45, .50, .04, .25, "wc:1 nd:1", 330),
    _t("Bygglov och anmälan", 2.0, "building_season", .55, .44, 0, .35, "im:3 nu:2", 380),
    _t("Status i ärende om bygglov", 1.0, "building_season", .45, .54, 0, .90, "pc:8 rp:1", 240),
    _t("Kartor, detaljplaner och fastighetsinformation", 0.6, "flat", .70, .29, 0, .20, "im:2", 300),
    _t("Bostadsanpassningsbidrag", 0.6, "flat", .45, .54, 0, .40, "pc:2 nu:1", 360),
    _t("Fakturor och betalningar till staden", 1.2, "new_year_fees", .75, .24, 0, .45, "nu:3 nd:1", 280),
    _t("Felanmälan i stadens lokaler", 0.4, "flat", .55, .44, 0, .30, "nd:2", 220),
    _t("Leverantörer och upphandling", 0.3, "flat", .50, .49, 0, .15, "im:1", 300),
    _t("Lediga jobb i Malmö stad", 0.8, "flat", .85, .14, 0, .20, "im:2", 200),
    _t("Allmän information och vägledning", 3.5, "flat", .90, .05, .04, .25, "im:3 wc:1", 180, 2.5),
    _t("Synpunkter och klagomål", 1.0, "flat", .40, .59, 0, .50, "nd:3 nu:1", 320),
    _t("Hjälp med e-tjänster och e-legitimation", 1.0, "flat", .80, .15, .04, .60, "wc:2 im:2 nu:1", 420, 3.0),
    _t("Allmänna handlingar och registratur", 0.4, "flat", .60, .39, 0, .15, "im:1", 260),
    _t("Vatten, avlopp och avfall (VA SYD)", 1.2, "flat", .15, .05, .79, .70, "wc:5 im:1", 150),
    _t("Kollektivtrafik (Skånetrafiken)", 0.8, "flat", .15, .03, .81, .70, "wc:5 im:1", 140),
    _t("Andra myndigheter", 1.0, "flat", .20, .03, .76, .60, "wc:4 im:1", 170, 1.5),
)

_BY_TOPIC = {m.topic: m for m in TOPIC_MIX}
if set(_BY_TOPIC) != {t[0] for t in TOPICS}:
    raise RuntimeError("every topic in dashboard.reference.TOPICS needs exactly one TOPIC_MIX row")


def seasonal_weight(season: str, day_of_year: np.ndarray) -> np.ndarray:
    """A smooth yearly shape: base + sum of circular Gaussian bumps (no sudden spikes)."""
    base, bumps = SEASONS[season]
    w = np.full(day_of_year.shape, base, dtype=np.float64)
    for peak, width, height in bumps:
        dist = np.abs(day_of_year - peak)
        dist = np.minimum(dist, 365.25 - dist)
        w += height * np.exp(-0.5 * (dist / width) ** 2)
    return w


def outcome_matrix() -> np.ndarray:
    """[topic, 3] probabilities of resolved, forwarded, referred (rows sum to 1)."""
    m = np.array([[t.resolved, t.forwarded, t.referred] for t in TOPIC_MIX])
    return m / m.sum(axis=1, keepdims=True)


def reason_matrix() -> np.ndarray:
    """[topic, 6] probabilities over REASONS for failure demand of a first contact."""
    m = np.array([[t.reasons.get(r, 0.0) for r in REASONS] for t in TOPIC_MIX])
    return m / m.sum(axis=1, keepdims=True)
