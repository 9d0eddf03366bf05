"""Published frames to pack tables: registry labels and units, Swedish dimension labels, hidden
cells.

Values are copied from the published result untouched; hidden cells become
`dashboard.privacy.Hidden` objects, which the writers draw as the screen does ("<5" for a count
hidden for being small, "Dolt" else), and values privacy flagged uncertain become
`dashboard.privacy.Uncertain` objects: a number all the same, drawn "100,0 % (osäker)" as the
screen's tables draw it (dashboard.ui.tables.cell_texts).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from dashboard import formatting as f
from dashboard.config import Settings
from dashboard.domain import dimension_label, dimension_text
from dashboard.export.cells import FIGURE, Figure
from dashboard.privacy.cells import Hidden, Uncertain
from dashboard.export.model import CITY, Column, Table
from dashboard.metrics import registry

TIME_DIMENSIONS = ("day", "week", "month")


def hidden(unit: str | None, threshold: int, reason: str | None = None) -> Hidden:
    return Hidden(reason, unit, threshold)


def shown_or_hidden(row: dict, key: str, unit: str | None, threshold: int,
                    min_n: int | None = None):
    """A frame cell as the pack shows it: the value, its hidden text when flagged hidden, or the
    value marked uncertain when flagged so (`min_n`: the basis it falls short of, for the note)."""
    return _published(row[key], row.get(f"{key}__suppressed"), row.get(f"{key}__reason"),
                      row.get(f"{key}__uncertain"), unit, threshold, min_n)


def _published(value, suppressed, reason, uncertain, unit, threshold: int, min_n: int | None):
    """A published value as a cell: Hidden when privacy hid it, Uncertain when it flagged it
    under the statistical minimum, else the value."""
    if suppressed:
        return hidden(unit, threshold, reason)
    if uncertain and value is not None:
        return Uncertain(value, min_n)
    return value


def scorecard_title(department: str | None) -> str:
    """The scorecard's title, on the Förvaltning page and in the pack: "Resultatkort för
    Kulturförvaltningen" (the whole city's for None)."""
    return f"Resultatkort för {department or CITY}"


def metric_column(metric_id: str, settings: Settings, label: str | None = None) -> Column:
    m = registry.get(metric_id)
    return Column(metric_id, label or m.label_for(settings), m.unit)


def dimension_column(dimension: str, label: str | None = None) -> Column:
    return Column(dimension, label or dimension_label(dimension))


def dimension_value(dimension: str, value):
    """Dates stay dates (spreadsheets sort them); weekdays, hours and codes read in Swedish."""
    if dimension in TIME_DIMENSIONS and isinstance(value, date):
        return value
    return dimension_text(dimension, value)


def frame_table(title: str, frame: pl.DataFrame, dims: Sequence[str], metric_ids: Sequence[str],
                settings: Settings, *, labels: dict[str, str] | None = None,
                note: str | None = None) -> Table:
    """One row per row of a published frame (dashboard.privacy): dimension columns, then each
    metric, hidden cells as `Hidden`. A frame without flags is refused: it did not come
    through the privacy package."""
    labels = labels or {}
    unflagged = [m for m in metric_ids if f"{m}__suppressed" not in frame.columns]
    if unflagged:
        raise ValueError(f"Tabellen {title!r} är inte publicerad: {', '.join(unflagged)} saknar "
                         "flaggor från integritetsskyddet.")
    columns = [dimension_column(d, labels.get(d)) for d in dims]
    columns += [metric_column(m, settings, labels.get(m)) for m in metric_ids]
    metrics = [registry.get(m) for m in metric_ids]
    rows = []
    for row in frame.iter_rows(named=True):
        cells = [dimension_value(d, row[d]) for d in dims]
        for m in metrics:
            cells.append(shown_or_hidden(row, m.id, m.unit, settings.small_cell_threshold,
                                         m.min_n_for(settings)))
        rows.append(tuple(cells))
    # the note names the rows of uncertain and hidden cells (Table.full_note)
    return Table(title, tuple(columns), tuple(rows), note)


def change(current, previous, unit: str) -> tuple[float | None, str | None, str]:
    """The change from previous to current as a number in its own unit and in Swedish words,
    by the screen's rule (formatting.format_delta): shares in percentage points, durations in
    seconds, an index or a score in its own units, everything else relative. A difference is
    worked out from the two values as they are shown (formatting.as_shown), so subtracting the
    shown figures gives the shown change; a relative change from the values themselves (as
    format_delta says why); rounded as shown, so a spreadsheet never prints "−0"."""
    text = f.format_delta(current, previous, unit) or f.MISSING
    if current is None or previous is None:
        return None, None, text
    if f.changes_by_difference(unit):
        current, previous = f.as_shown(current, unit), f.as_shown(previous, unit)
    if unit == "share":
        return round((current - previous) * 100, f.DECIMALS[unit]) + 0.0, "points", text
    if unit == "seconds":
        return round(current - previous) + 0.0, "seconds_delta", text
    if unit == "index":
        return round(current - previous, f.DECIMALS[unit]) + 0.0, "index_delta", text
    if unit == "score":
        return round(current - previous, f.DECIMALS[unit]) + 0.0, "score_delta", text
    if previous == 0:
        return None, None, text
    return round((current - previous) / abs(previous), 3) + 0.0, "relative", text


def verdict(metric_id: str, current, previous, unit: str) -> str | None:
    """'bättre', 'sämre' or 'oförändrat' for a change, by the metric's direction; None for a
    metric without one or without both values. A change that rounds to zero as shown is
    'oförändrat': the word never contradicts the number next to it."""
    m = registry.REGISTRY.get(metric_id)
    if m is None or m.higher_is_better is None or current is None or previous is None:
        return None
    value, _, _ = change(current, previous, unit)
    if value == 0 or current == previous:
        return "oförändrat"
    return "bättre" if (current > previous) == m.higher_is_better else "sämre"


def key_figures_table(title: str, card: pl.DataFrame, settings: Settings, *,
                      with_city: bool, with_comparison: bool = True,
                      note: str | None = None) -> Table:
    """The scorecard's long frame (metric, unit, value, previous, city, `__suppressed` flags) as
    one row per metric: the period, the comparison period and the change (when there is a
    comparison), and the whole city (for a department). A change next to a hidden value is
    hidden too: it would reveal it."""
    t = settings.small_cell_threshold
    columns = [Column("label", "Mått"), Column("value", "Perioden", FIGURE)]
    if with_comparison:
        columns += [Column("previous", "Jämförelseperioden", FIGURE),
                    Column("change", "Förändring", FIGURE), Column("verdict", "Bedömning")]
    if with_city:
        columns.append(Column("city", "Hela staden", FIGURE))
    rows = []
    for r in card.iter_rows(named=True):
        unit = r["unit"]
        min_n = registry.get(r["metric"]).min_n_for(settings)
        cells = [r["label"], _card_cell(r, "value", t, min_n)]
        if with_comparison:
            cells.append(_card_cell(r, "previous", t, min_n))
            if r["value_suppressed"] or r["previous_suppressed"]:
                cells += [hidden(None, t), None]
            else:
                value, delta_unit, _ = change(r["value"], r["previous"], unit)
                cells += [Figure(value, delta_unit),
                          verdict(r["metric"], r["value"], r["previous"], unit)
                          if value is not None else None]
        if with_city:
            cells.append(_card_cell(r, "city", t, min_n))
        rows.append(tuple(cells))
    if with_city:   # the scorecard leaves out a city value fixed by construction (metrics.scorecards)
        note = " ".join(filter(None, (note, registry.city_left_out_note(card["metric"], settings)))) or None
    return Table(title, tuple(columns), tuple(rows), note)


def _card_cell(r: dict, side: str, threshold: int, min_n: int | None = None):
    """One side (value, previous, city) of a scorecard row: a Figure or its hidden text; a value
    under its statistical minimum marked "(osäker)" (`min_n`, for the note), as in any table."""
    cell = _published(r[side], r[f"{side}_suppressed"], r.get(f"{side}_reason"),
                      r.get(f"{side}_uncertain"), r["unit"], threshold, min_n)
    return cell if isinstance(cell, Hidden) else Figure(cell, r["unit"])
