"""Erlang C staffing: how many agents an interval needs to reach a service-level target.

Traffic A = offered contacts x AHT / interval length (Erlang). P(wait) is Erlang C, computed from
Erlang B by the stable recurrence B(n) = A·B(n−1) / (n + A·B(n−1)), which never forms factorials
or powers, then C = N·B / (N − A·(1 − B)). With N agents:
    SL(t) = 1 − P(wait)·exp(−(N − A)·t / AHT),  ASA = P(wait)·AHT / (N − A),  occupancy = A / N.
With N ≤ A the queue grows without bound: P(wait) = 1, SL = 0, ASA = ∞, occupancy = 1.
Erlang C assumes nobody hangs up while waiting, so it slightly overstates the need (docs/staffing.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from dashboard.formatting import format_number

ABANDONMENT_NOTE = (
    "Erlang C räknar som om ingen lägger på medan de väntar i kön (avhopp ingår inte). "
    "Eftersom en del i verkligheten lägger på, överskattar beräkningen behovet något."
)

# Output columns `plan_intervals` adds, in order.
PLAN_COLUMNS = (
    "traffic_erlangs", "agents", "agents_scheduled", "prob_wait", "service_level", "asa_s", "occupancy",
)


@dataclass(frozen=True)
class StaffingResult:
    """What `agents_needed` found for one interval; inputs are echoed so the result stands alone."""

    offered: float
    interval_s: float
    aht_s: float
    target_answer_s: float
    target_sl: float
    shrinkage: float
    max_occupancy: float
    traffic_erlangs: float
    agents: int              # agents on the phones (in the queue, ready to answer)
    agents_scheduled: int    # agents to schedule so that `agents` remain after shrinkage
    prob_wait: float         # Erlang C: the share of contacts that must wait at all
    service_level: float     # share answered within target_answer_s
    asa_s: float             # mean wait over all answered contacts, seconds
    occupancy: float         # share of the agents' time spent handling contacts
    limited_by: str          # "service_level", "occupancy" (max occupancy needed more) or "none"
    note: str = ABANDONMENT_NOTE


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _shown(x) -> str:
    """A rejected input as the user would write it: 0.8 -> '0,8'."""
    return str(x).replace(".", ",") if isinstance(x, float) else repr(x)


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def validate_inputs(
    offered, interval_s, aht_s, target_answer_s, target_sl, shrinkage=0.0, max_occupancy=1.0,
) -> None:
    """Raise ValueError with a Swedish message naming the bad input and what is allowed."""
    _require(_finite(offered) and offered >= 0,
             f"Antal inkommande kontakter måste vara ett tal som är 0 eller större (fick {_shown(offered)}).")
    _require(_finite(interval_s) and interval_s > 0,
             f"Intervallets längd måste vara större än 0 sekunder (fick {_shown(interval_s)}).")
    _require(_finite(aht_s) and aht_s > 0,
             f"Genomsnittlig hanteringstid (AHT) måste vara större än 0 sekunder (fick {_shown(aht_s)}).")
    _require(_finite(target_answer_s) and target_answer_s >= 0,
             f"Svarstidsmålet måste vara 0 sekunder eller mer (fick {_shown(target_answer_s)}).")
    _require(_finite(target_sl) and 0 < target_sl < 1,
             f"Servicenivåmålet anges som andel större än 0 och mindre än 1, t.ex. 0,8 för 80 % "
             f"(fick {_shown(target_sl)}). 100 % går aldrig att nå enligt Erlang C.")
    _require(_finite(shrinkage) and 0 <= shrinkage < 1,
             f"Bortfallet (shrinkage) anges som andel från 0 till under 1, t.ex. 0,3 (fick {_shown(shrinkage)}).")
    _require(_finite(max_occupancy) and 0 < max_occupancy <= 1,
             f"Högsta beläggning anges som andel större än 0 och högst 1, t.ex. 0,85 (fick {_shown(max_occupancy)}).")


def traffic_erlangs(offered: float, interval_s: float, aht_s: float) -> float:
    """Offered load in Erlang: the number of agents that would be busy all the time on average."""
    return offered * aht_s / interval_s


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of an M/M/N/N system, by the recurrence (stable for large N and A)."""
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def _c_from_b(agents: int, traffic: float, b: float) -> float:
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(agents: int, traffic: float) -> float:
    """P(wait): the probability that an arriving contact has to queue. 1.0 when N ≤ A."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return _c_from_b(agents, traffic, erlang_b(agents, traffic))


def _sl_from_c(agents: int, traffic: float, aht_s: float, answer_s: float, c: float) -> float:
    sl = 1.0 - c * math.exp(-(agents - traffic) * answer_s / aht_s)
    return min(1.0, max(0.0, sl))


def _asa_from_c(agents: int, traffic: float, aht_s: float, c: float) -> float:
    return c * aht_s / (agents - traffic)


def service_level(agents: int, traffic: float, aht_s: float, answer_s: float) -> float:
    """Share of contacts answered within answer_s seconds with `agents` agents."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return _sl_from_c(agents, traffic, aht_s, answer_s, erlang_c(agents, traffic))


def average_speed_of_answer(agents: int, traffic: float, aht_s: float) -> float:
    """ASA in seconds (mean wait over all contacts); infinite when N ≤ A."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return _asa_from_c(agents, traffic, aht_s, erlang_c(agents, traffic))


def occupancy(agents: int, traffic: float) -> float:
    """A / N, capped at 1 (with N ≤ A every agent is busy all the time)."""
    if agents <= 0:
        return 0.0
    return min(1.0, traffic / agents)


def scheduled_agents(agents: int, shrinkage: float) -> int:
    """ceil(N / (1 − shrinkage)); rounded first so 14 / 0.7 = 20.000000000000004 stays 20."""
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def _fewest_for_occupancy(traffic: float, max_occupancy: float) -> int:
    n = max(1, math.ceil(round(traffic / max_occupancy, 9)))
    while traffic / n > max_occupancy:
        n += 1
    return n


def _fewest_for_service_level(traffic: float, aht_s: float, answer_s: float, target_sl: float):
    """Smallest N > A reaching the target, with its Erlang C; one pass of the recurrence."""
    n, b = 0, 1.0
    while True:
        n += 1
        b = traffic * b / (n + traffic * b)
        if n <= traffic:
            continue
        c = _c_from_b(n, traffic, b)
        if _sl_from_c(n, traffic, aht_s, answer_s, c) >= target_sl:
            return n


def agents_needed(
    offered: float,
    interval_s: float,
    aht_s: float,
    target_answer_s: float,
    target_sl: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> StaffingResult:
    """Fewest agents with SL(target_answer_s) ≥ target_sl and occupancy ≤ max_occupancy.

    100 calls per 30 min, AHT 180 s, 80 % in 20 s -> 14 agents, SL 0.888, ASA 7.8 s, occupancy 0.714.
    """
    validate_inputs(offered, interval_s, aht_s, target_answer_s, target_sl, shrinkage, max_occupancy)
    a = traffic_erlangs(offered, interval_s, aht_s)
    echo = dict(offered=float(offered), interval_s=float(interval_s), aht_s=float(aht_s),
                target_answer_s=float(target_answer_s), target_sl=float(target_sl),
                shrinkage=float(shrinkage), max_occupancy=float(max_occupancy), traffic_erlangs=a)
    if a == 0:
        return StaffingResult(**echo, agents=0, agents_scheduled=0, prob_wait=0.0, service_level=1.0,
                              asa_s=0.0, occupancy=0.0, limited_by="none")
    n_sl = _fewest_for_service_level(a, aht_s, target_answer_s, target_sl)
    n_occ = _fewest_for_occupancy(a, max_occupancy)
    n = max(n_sl, n_occ)
    c = erlang_c(n, a)
    return StaffingResult(
        **echo,
        agents=n,
        agents_scheduled=scheduled_agents(n, shrinkage),
        prob_wait=c,
        service_level=_sl_from_c(n, a, aht_s, target_answer_s, c),
        asa_s=_asa_from_c(n, a, aht_s, c),
        occupancy=occupancy(n, a),
        limited_by="occupancy" if n_occ > n_sl else "service_level",
    )


def _plan_row(offered, aht_s, interval_s, target_answer_s, target_sl, shrinkage, max_occupancy) -> dict:
    """One plan row; None outputs where the interval cannot be computed (no AHT but contacts)."""
    if offered is not None and offered == 0:
        aht_s = aht_s if aht_s is not None and aht_s > 0 else 1.0  # irrelevant with no traffic
    if offered is None or aht_s is None or aht_s <= 0:
        return dict.fromkeys(PLAN_COLUMNS)
    r = agents_needed(offered, interval_s, aht_s, target_answer_s, target_sl, shrinkage, max_occupancy)
    return {col: getattr(r, col) for col in PLAN_COLUMNS}


def plan_intervals(
    frame: pl.DataFrame,
    *,
    interval_s: float = 1800,
    offered_col: str = "offered",
    aht_col: str = "aht_s",
    target_answer_s: float = 20,
    target_sl: float = 0.8,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> pl.DataFrame:
    """Add PLAN_COLUMNS to a frame with one row per interval (e.g. per half hour).

    Rows keep their order and their other columns. A row with contacts but no usable AHT (null or 0,
    e.g. every call abandoned) gets nulls; a row with 0 offered needs 0 agents. Erlang C runs once
    per distinct (offered, AHT) pair, so a year of half hours costs a few thousand evaluations.
    """
    validate_inputs(0.0, interval_s, 1.0, target_answer_s, target_sl, shrinkage, max_occupancy)
    missing = [c for c in (offered_col, aht_col) if c not in frame.columns]
    _require(not missing, f"Kolumnerna {', '.join(missing)} saknas i underlaget för bemanningsplanen.")
    keys = frame.select(
        pl.col(offered_col).cast(pl.Float64).alias("_offered"),
        pl.col(aht_col).cast(pl.Float64).alias("_aht"),
    )
    pairs = keys.unique()
    _require(all(o is None or o >= 0 for o in pairs["_offered"]),
             f"Kolumnen {offered_col} innehåller negativa antal; rätta underlaget.")
    rows = [
        _plan_row(o, h, interval_s, target_answer_s, target_sl, shrinkage, max_occupancy)
        for o, h in pairs.iter_rows()
    ]
    schema = {"traffic_erlangs": pl.Float64, "agents": pl.Int64, "agents_scheduled": pl.Int64,
              "prob_wait": pl.Float64, "service_level": pl.Float64, "asa_s": pl.Float64,
              "occupancy": pl.Float64}
    results = pl.concat([pairs, pl.DataFrame(rows, schema=schema)], how="horizontal")
    joined = keys.join(results, on=["_offered", "_aht"], how="left", nulls_equal=True,
                       maintain_order="left")
    return pl.concat([frame, joined.select(PLAN_COLUMNS)], how="horizontal")


# --- What-if: positions freed when failure demand falls (docs/staffing.md compares the two) ---

def fte_basis(working_hours_per_fte: float, period_days: float) -> str:
    """What one årsarbetare is in a what-if's figures: the hours are the period's and are divided
    by the hours a full-time position works in as many days, so the figure is positions at a
    yearly rate (a manager reading "0,1 årsarbetare" beside "9 h" for a month must not divide
    the hours by a whole year's)."""
    days = format_number(period_days)
    return (f"Timmarna gäller periodens {days} {'dag' if period_days == 1 else 'dagar'} och delas med en heltidstjänsts arbetstid "
            f"under lika många dagar ({format_number(working_hours_per_fte)} timmar per år × {days}/365 "
            f"= {format_number(_fte_hours(working_hours_per_fte, period_days), 1)} timmar): "
            "årsarbetare i årstakt, så många heltidstjänster om minskningen håller i sig ett helt år.")


def workload_note(working_hours_per_fte: float, period_days: float) -> str:
    return ("Räknat på hanterad tid. " + fte_basis(working_hours_per_fte, period_days)
            + " Kö och beläggning ingår inte; räknat med Erlang C per intervall blir siffran oftast "
            "något högre.")


def erlang_what_if_note(working_hours_per_fte: float, period_days: float) -> str:
    return ("Räknat med Erlang C per intervall: samma servicenivåmål med färre inkommande kontakter "
            "och oförändrad AHT; det är de schemalagda agenttimmar som frigörs. "
            + fte_basis(working_hours_per_fte, period_days)
            + " Hela agenter per intervall, så små minskningar kan frigöra noll. " + ABANDONMENT_NOTE)


@dataclass(frozen=True)
class FreedWorkload:
    """`freed_positions`: handled time that disappears, in hours and full-time positions."""

    reduction_share: float
    handled_hours_freed: float
    positions_freed: float
    note: str  # workload_note: how the hours become årsarbetare


@dataclass(frozen=True)
class StaffingWhatIf:
    """`freed_positions_erlang`: per-interval staffing before/after and the positions freed."""

    reduction_share: float
    intervals: pl.DataFrame          # input columns + WHAT_IF_COLUMNS
    scheduled_hours_freed: float     # Σ (scheduled before − after) × interval length, hours
    positions_freed: float
    note: str  # erlang_what_if_note


WHAT_IF_COLUMNS = (
    "offered_after", "agents_before", "agents_after", "scheduled_before", "scheduled_after",
    "scheduled_freed",
)


def _validate_what_if(reduction_share, working_hours_per_fte, period_days) -> None:
    _require(_finite(reduction_share) and 0 <= reduction_share <= 1,
             f"Minskningen anges som andel från 0 till 1, t.ex. 0,2 för 20 % (fick {_shown(reduction_share)}).")
    _require(_finite(working_hours_per_fte) and working_hours_per_fte > 0,
             f"Årsarbetstiden per heltidstjänst måste vara större än 0 timmar (fick {_shown(working_hours_per_fte)}).")
    _require(_finite(period_days) and period_days > 0,
             f"Periodens längd måste vara större än 0 dagar (fick {_shown(period_days)}).")


def _fte_hours(working_hours_per_fte: float, period_days: float) -> float:
    """Working hours one full-time position gives over the period (yearly hours pro rata)."""
    return working_hours_per_fte * period_days / 365.0


def freed_positions(
    failure_handled_seconds: float,
    reduction_share: float,
    working_hours_per_fte: float = 1600.0,
    *,
    period_days: float,
) -> FreedWorkload:
    """Positions freed if failure demand handled during `period_days` days falls by reduction_share.

    hours = failure_handled_seconds × reduction_share / 3600;
    positions = hours / (working_hours_per_fte × period_days / 365).
    """
    _validate_what_if(reduction_share, working_hours_per_fte, period_days)
    _require(_finite(failure_handled_seconds) and failure_handled_seconds >= 0,
             f"Hanterad tid för onödig efterfrågan måste vara 0 sekunder eller mer "
             f"(fick {_shown(failure_handled_seconds)}).")
    hours = failure_handled_seconds * reduction_share / 3600.0
    return FreedWorkload(
        reduction_share=float(reduction_share),
        handled_hours_freed=hours,
        positions_freed=hours / _fte_hours(working_hours_per_fte, period_days),
        note=workload_note(working_hours_per_fte, period_days),
    )


def freed_positions_erlang(
    frame: pl.DataFrame,
    *,
    reduction_share: float,
    period_days: float,
    interval_s: float = 1800,
    offered_col: str = "offered",
    failure_share_col: str = "failure_share",
    aht_col: str = "aht_s",
    target_answer_s: float = 20,
    target_sl: float = 0.8,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    working_hours_per_fte: float = 1600.0,
) -> StaffingWhatIf:
    """Re-run Erlang C per interval with offered × (1 − failure_share × reduction_share).

    `frame` has one row per interval over `period_days` days; failure_share_col is the share of
    that interval's offered contacts that is failure demand (of one department, or all).
    Positions = Σ scheduled agent-hours freed / (working_hours_per_fte × period_days / 365).
    """
    _validate_what_if(reduction_share, working_hours_per_fte, period_days)
    _require(failure_share_col in frame.columns,
             f"Kolumnen {failure_share_col} (andel onödig efterfrågan per intervall) saknas i underlaget.")
    shares = frame[failure_share_col].drop_nulls()
    _require(bool(((shares >= 0) & (shares <= 1)).all()),
             f"Kolumnen {failure_share_col} ska innehålla andelar mellan 0 och 1.")
    plan = dict(interval_s=interval_s, aht_col=aht_col, target_answer_s=target_answer_s,
                target_sl=target_sl, shrinkage=shrinkage, max_occupancy=max_occupancy)
    after_offered = (
        pl.col(offered_col) * (1 - pl.col(failure_share_col).fill_null(0.0) * reduction_share)
    ).alias("offered_after")
    keys = frame.select(offered_col, aht_col, after_offered)
    before = plan_intervals(keys.select(offered_col, aht_col), offered_col=offered_col, **plan)
    after = plan_intervals(keys.select("offered_after", aht_col), offered_col="offered_after", **plan)
    freed = pl.DataFrame({
        "offered_after": keys["offered_after"],
        "agents_before": before["agents"],
        "agents_after": after["agents"],
        "scheduled_before": before["agents_scheduled"],
        "scheduled_after": after["agents_scheduled"],
    }).with_columns(scheduled_freed=pl.col("scheduled_before") - pl.col("scheduled_after"))
    hours = float(freed["scheduled_freed"].sum() or 0) * interval_s / 3600.0
    return StaffingWhatIf(
        reduction_share=float(reduction_share),
        intervals=pl.concat([frame, freed], how="horizontal"),
        scheduled_hours_freed=hours,
        positions_freed=hours / _fte_hours(working_hours_per_fte, period_days),
        note=erlang_what_if_note(working_hours_per_fte, period_days),
    )
