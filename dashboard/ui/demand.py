"""Onödig efterfrågan blocks: reasons (tagged and inferred apart) and self-service potential."""

from __future__ import annotations

import polars as pl

from dashboard import domain
from dashboard.charts import ranked_bars
from dashboard.ui import blocks
from dashboard.ui.figure import chart_block, table_block
from dashboard.ui.tables import HIDDEN_FLAG, Col, TableData, with_hidden_flag

REASON_LABELS = {**domain.FAILURE_REASONS, None: domain.label_for("failure_reason", None)}


def reasons(frame: pl.DataFrame, *, key: str) -> None:
    """Share of failure demand per reason, tagged first; inferred reasons in their own chart."""
    cols = (Col("reason", "Orsak", None, dimension="failure_reason"),
            Col("failures", "Kontakter", "count"), Col("basis", "Underlag", "count"),
            Col("share", "Andel av underlaget", "share"), Col("share_of_failure", "Andel av den onödiga efterfrågan", "share"))
    for inferred, title in ((False, "Orsaker till onödig efterfrågan (taggad)"),
                            (True, "Orsaker till onödig efterfrågan (härledd, otaggade kontakter)")):
        part = frame.filter(pl.col("inferred") == inferred)
        if part.is_empty():
            continue
        fig = ranked_bars(with_hidden_flag(part, cols[-1]), label="reason", value="share_of_failure",
                          title=title, unit="share", value_title="Andel av den onödiga efterfrågan",
                          labels=REASON_LABELS, hidden=HIDDEN_FLAG)
        chart_block(fig, TableData(title, part, cols, blocks.threshold()), key=f"{key}_{inferred}",
                    metric_ids=["failure_demand_share_inferred" if inferred else "failure_demand_share"])


def self_service(frame: pl.DataFrame, *, key: str) -> None:
    cols = (blocks.dim_col("topic"), blocks.dim_col("department"), Col("contacts", "Kontakter", "count"),
            Col("phone_share", "Andel via telefon", "share"), Col("e_service_share", "Andel via e-tjänst", "share"),
            Col("phone_handled_hours", "Telefontid (timmar)", "hours"),
            Col("mostly_phone", "Mest telefon", None, dimension="flag"))
    # every topic with an e-service, those mostly by phone first (the title said "mostly by
    # phone" of a table where most rows read "Mest telefon: Nej")
    table_block(TableData("Ärenden med e-tjänst, mest per telefon först", frame, cols,
                          blocks.threshold()), key=key, metric_ids=["digital_share"],
                caption="Alla ärendekategorier som har en e-tjänst. ”Mest telefon: Ja”: mer än hälften "
                        "av kontakterna kom per telefon; sedan flest telefonkontakter först. "
                        "Telefontiden är den tid som bättre vägledning till e-tjänsten kan frigöra.")
