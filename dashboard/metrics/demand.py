"""Avoidable demand (onödig efterfrågan): failure demand by reason, department and topic with
trend; self-service potential; the cost of avoidable demand in kronor and positions.

Tagged and inferred figures are never mixed: every output row or column says which it is
(`inferred`), and inferred rows only cover contacts without a tag.
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard.domain import FAILURE_REASONS
from dashboard.metrics.engine import compute, compute_inputs
from dashboard.metrics.filters import TIME_GRAINS, Filters

BREAKDOWNS = ("reason", "department", "topic")
REASON_COLUMNS = {f"failure_{r}_n": r for r in FAILURE_REASONS} | {"failure_no_reason_n": None}
# Inferred failure demand has two rules; each is reported as the reason it stands for.
INFERRED_REASONS = {"untagged_pc_n": "progress_chasing", "inferred_repeat_n": "repeat"}


def _grain_dims(grain: str | None) -> tuple[str, ...]:
    if grain is None:
        return ()
    if grain not in TIME_GRAINS:
        raise ValueError(f"Okänd tidsindelning {grain}. Giltiga: {', '.join(TIME_GRAINS)}.")
    return (grain,)


def failure_demand_breakdown(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                             by: str = "reason", grain: str | None = None,
                             settings: Settings | None = None) -> pl.DataFrame:
    """Failure demand split by reason, department or topic, optionally per time grain (trend).

    by="reason": [grain], reason (null = tagged without reason), inferred, failures, basis
    (tagged contacts, or untagged contacts for inferred rows), share (failures / basis) and
    share_of_failure (failures / all failures of the same kind).
    by="department"/"topic": [grain], the dimension, then failure_demand_share and
    failure_demand_share_inferred with their `__n`.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"Onödig efterfrågan delas per {', '.join(BREAKDOWNS)}, inte {by}.")
    filters = filters or Filters()
    time = _grain_dims(grain)
    if by != "reason":
        return compute(con, filters, ["failure_demand_share", "failure_demand_share_inferred"],
                       by=(*time, by), settings=settings)
    names = [*REASON_COLUMNS, *INFERRED_REASONS, "tagged_n", "untagged_n"]
    inputs = compute_inputs(con, filters, time, names, settings)
    tagged = _reason_rows(inputs, time, REASON_COLUMNS, "tagged_n", inferred=False)
    inferred = _reason_rows(inputs, time, INFERRED_REASONS, "untagged_n", inferred=True)
    rows = pl.concat([tagged, inferred], how="vertical_relaxed")
    over = [*time, "inferred"]
    rows = rows.with_columns(
        pl.when(pl.col("basis") > 0).then(pl.col("failures") / pl.col("basis")).alias("share"),
        pl.when(pl.col("failures").sum().over(over) > 0)
        .then(pl.col("failures") / pl.col("failures").sum().over(over)).alias("share_of_failure"),
    )
    # the reason-less tagged row is only kept when it has contacts
    rows = rows.filter(pl.col("reason").is_not_null() | (pl.col("failures") > 0))
    return rows.sort([*time, "inferred", "failures"], descending=[*[False] * len(time), False, True])


def _reason_rows(inputs: pl.DataFrame, time, columns: dict, basis: str, inferred: bool) -> pl.DataFrame:
    long = inputs.unpivot(index=[*time, basis], on=list(columns), variable_name="_col",
                          value_name="failures")
    return long.select(
        *time,
        pl.col("_col").replace_strict(columns, return_dtype=pl.String).alias("reason"),
        pl.lit(inferred).alias("inferred"),
        pl.col("failures").cast(pl.Int64),
        pl.col(basis).cast(pl.Int64).alias("basis"),
    )


def self_service_potential(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                           settings: Settings | None = None, min_phone_share: float = 0.5) -> pl.DataFrame:
    """Topics that have an e-service but whose contacts mostly come by phone.

    Columns: topic, department, contacts, phone, e_service, phone_share, e_service_share,
    phone_handled_hours, mostly_phone. Only topics with an e-service, most phone contacts first.
    """
    filters = (filters or Filters()).without("channels")
    frame = compute_inputs(con, filters, ("topic", "channel"), ["handle_sum"], settings)
    topics = con.sql("select topic, department, has_e_service from topics").pl()
    per_topic = frame.group_by("topic").agg(
        pl.col("contacts_n").sum().alias("contacts"),
        pl.col("contacts_n").filter(pl.col("channel") == "phone").sum().alias("phone"),
        pl.col("contacts_n").filter(pl.col("channel") == "e_service").sum().alias("e_service"),
        (pl.col("handle_sum").filter(pl.col("channel") == "phone").sum() / 3600.0)
        .alias("phone_handled_hours"),
    )
    out = per_topic.join(topics, on="topic", how="inner").filter(pl.col("has_e_service"))
    out = out.with_columns(
        (pl.col("phone") / pl.col("contacts")).alias("phone_share"),
        (pl.col("e_service") / pl.col("contacts")).alias("e_service_share"),
    ).with_columns((pl.col("phone_share") > min_phone_share).alias("mostly_phone"))
    return out.select(
        "topic", "department", pl.col("contacts", "phone", "e_service").cast(pl.Int64),
        "phone_share", "e_service_share", "phone_handled_hours", "mostly_phone",
    ).sort(["mostly_phone", "phone", "topic"], descending=[True, True, False])


COST_METRICS = ("failure_demand_hours", "failure_demand_cost_sek", "failure_demand_fte",
                "failure_demand_cost_sek_inferred")


def avoidable_cost(con: duckdb.DuckDBPyConnection, filters: Filters | None = None, by=(),
                   settings: Settings | None = None) -> pl.DataFrame:
    """Handled hours, kronor and full-time positions of tagged failure demand, with the inferred
    cost (untagged contacts) in its own column `failure_demand_cost_sek_inferred`."""
    return compute(con, filters, COST_METRICS, by=by, settings=settings)
