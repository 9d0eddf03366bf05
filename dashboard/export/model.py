"""The neutral shape every export renders: tables, charts, sections and the pack.

The pack builder (pack.py) fills these from the metric engine's outputs; the XLSX, PDF and CSV
writers only render them. So every writer shows the same numbers and the same hidden cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from dashboard.export.cells import FIGURE, Figure
from dashboard.privacy.cells import Hidden, Uncertain, hidden_note, uncertain_note

CITY = "Hela staden"  # who a pack or a table without a förvaltning is for


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # Swedish header
    unit: str | None = None  # registry unit (count, share, seconds, sek, fte, ...); None = text
    wrap: bool = False  # long text: wrapped in a wide column


@dataclass(frozen=True)
class Table:
    """Rows hold numbers, text, dates, None (no data), Hidden (hidden, shown as on screen) or
    Uncertain (a number under its statistical minimum, marked "(osäker)" as on screen)."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    note: str | None = None

    def column_index(self, key: str) -> int:
        for i, col in enumerate(self.columns):
            if col.key == key:
                return i
        raise KeyError(f"Kolumnen {key!r} finns inte i tabellen {self.title!r}.")

    @property
    def has_suppressed(self) -> bool:
        return any(isinstance(v, Hidden) for row in self.rows for v in row)

    def row_label_columns(self) -> list[int | None]:
        """Per column, the text column that names its rows in a note: the first of the run of
        text columns before it (the table's first text column; for a comparison period's
        figures, the column with that period's own dates)."""
        out, label, previous_text = [], None, False
        for j, col in enumerate(self.columns):
            text = col.unit is None
            if text and not previous_text:
                label = j
            out.append(label)
            previous_text = text
        return out

    @property
    def full_note(self) -> str | None:
        """The note the writers print under the table: its own note, then which values are
        uncertain ("(osäker)": per column, the rows they stand in), then why its hidden cells
        are hidden, by what they read and the rows they stand in. A "Dolt" beside a large
        count (a rate hidden so that a small count elsewhere cannot be worked out from the sums)
        would otherwise read as a fault."""
        labels = self.row_label_columns()
        unsure: dict[tuple, list[str]] = {}
        rows: dict[tuple, list[str]] = {}
        for row in self.rows:
            for j, value in enumerate(row):
                if isinstance(value, Figure):   # a key figure's cell carries its own unit
                    value = value.value
                if isinstance(value, Uncertain):
                    names = unsure.setdefault((self.columns[j].label, value.min_n), [])
                elif isinstance(value, Hidden) and value.reason:
                    names = rows.setdefault((value.text, value.reason, value.threshold), [])
                else:
                    continue
                name = "" if labels[j] is None or row[labels[j]] is None else str(row[labels[j]])
                if name and name not in names:
                    names.append(name)
        notes = [self.note] if self.note else []
        notes += [uncertain_note(label, min_n, names) for (label, min_n), names in unsure.items()]
        notes += [hidden_note(text, reason, threshold, names)
                  for (text, reason, threshold), names in rows.items()]
        return " ".join(notes) or None


@dataclass(frozen=True)
class Chart:
    """A chart drawn from one table of the same section: categories from one column, one series
    per value column. XLSX links the chart to the table's cells, so it stays editable."""

    title: str
    table: Table
    category: str  # column key
    values: tuple[str, ...]  # column keys, one series each
    kind: str = "bar"  # "bar" (horizontal, ranked), "column" or "line"
    dashed: tuple[str, ...] = ()  # series drawn dashed (the comparison period)

    @property
    def category_title(self) -> str:
        """The category axis' title: the category column's header."""
        return self.table.columns[self.table.column_index(self.category)].label

    @property
    def value_title(self) -> str:
        """The value axis' title: the one series' header, or the unit in words for several
        (their headers are the legend); shares say they are in percent."""
        from dashboard.metrics.metric import UNITS

        unit = self.unit
        if len(self.values) == 1:
            title = self.table.columns[self.table.column_index(self.values[0])].label
        else:
            title = {"share": "Andel", "count": "Antal"}.get(unit, UNITS.get(unit, "Värde"))
            title = title[:1].upper() + title[1:]
        return f"{title} (%)" if unit == "share" and "%" not in title else title

    @property
    def unit(self) -> str | None:
        """The value axis' unit: the first series' column unit, or its cells' when they carry
        their own (Figure)."""
        j = self.table.column_index(self.values[0])
        unit = self.table.columns[j].unit
        if unit == FIGURE:
            units = {row[j].unit for row in self.table.rows if isinstance(row[j], Figure)}
            return units.pop() if len(units) == 1 else None
        return unit


@dataclass(frozen=True)
class Section:
    """One plan area: a sheet in the XLSX, a chapter in the PDF."""

    key: str
    title: str
    sheet_name: str  # at most 31 characters (Excel's limit)
    intro: str
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    metric_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Definition:
    metric_id: str
    label: str
    definition: str
    unit: str
    higher_is_better: bool | None
    source: str
    min_count: int | None = None


@dataclass(frozen=True)
class Mover:
    """A figure that moved between the comparison period and the period."""

    label: str
    unit: str
    current: float | None
    previous: float | None
    change: float | None  # in change_unit: points (shares), relative (fraction), seconds
    change_unit: str | None
    change_text: str  # Swedish, e.g. "+2,1 procentenheter"
    verdict: str | None = None  # "bättre", "sämre", "oförändrat" (None: no direction)
    contacts: float | None = None  # contacts the change concerns (the ranking key)


@dataclass(frozen=True)
class Summary:
    movers: tuple[Mover, ...]
    top_gaps: Table
    avoidable_cost_sek: float | Hidden | None
    avoidable_fte: float | Hidden | None
    avoidable_hours: float | Hidden | None
    notes: tuple[str, ...] = ()

    def movers_table(self, *, change_as_text: bool = False) -> Table:
        """Spreadsheets keep the change as a signed number; documents print it in words."""
        return Table(
            "Tal som förändrats mest jämfört med jämförelseperioden",
            (Column("label", "Mått"), Column("current", "Perioden", FIGURE),
             Column("previous", "Jämförelseperioden", FIGURE),
             Column("change", "Förändring", FIGURE), Column("verdict", "Bedömning")),
            tuple((m.label, Figure(m.current, m.unit), Figure(m.previous, m.unit),
                   m.change_text if change_as_text else Figure(m.change, m.change_unit),
                   m.verdict)
                  for m in self.movers),
            " ".join(self.notes) if self.movers
            else "Ingen jämförelseperiod vald, eller inga jämförbara tal.",
        )

    def cost_table(self) -> Table:
        return Table(
            "Kostnad för onödig efterfrågan",
            (Column("what", "Mått"), Column("value", "Värde", FIGURE)),
            (("Handlagd tid för onödig efterfrågan (timmar)", Figure(self.avoidable_hours, "hours")),
             ("Kostnad", Figure(self.avoidable_cost_sek, "sek")),
             ("Motsvarar årsarbetare", Figure(self.avoidable_fte, "fte"))),
        )


@dataclass(frozen=True)
class Context:
    """Who, what and when: printed on the cover, the front sheet and every PDF footer."""

    title: str
    department: str | None  # None = the whole city
    period: tuple[date, date]
    comparison: tuple[date, date] | None
    filters: tuple[tuple[str, str], ...]  # (Swedish filter name, value in words), every filter
    data_version: int
    generated_at: datetime
    threshold: int
    # the engine's filter fields and values, for the audit log (machine-readable)
    filter_values: tuple[tuple[str, object], ...] = ()

    @property
    def scope(self) -> str:
        return self.department or CITY


@dataclass(frozen=True)
class DataInfo:
    sources: Table  # source systems and their row counts
    ingests: Table  # ingest log
    quality: Table  # data-quality shares per source


@dataclass(frozen=True)
class Pack:
    context: Context
    summary: Summary
    sections: tuple[Section, ...]
    definitions: tuple[Definition, ...]
    data: DataInfo
    notes: tuple[str, ...] = field(default_factory=tuple)
