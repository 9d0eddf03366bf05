"""What a metric is: the `Metric` record and the constructors the catalogs declare metrics with.

A metric's value and its suppression count are Polars expressions over *inputs*: additive mart
columns (`offered_n`, `handle_sum`, ...) or derived inputs the engine computes (threshold counts
and percentiles from the distribution marts, totals over a dimension, population, period length).
Labels and definitions may name settings in braces (`{service_level_s}`); `label_for` and
`definition_for` fill them in.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import polars as pl

from dashboard.config import Settings
from dashboard.formatting import format_number

# Plan areas of "Vi svarar för Malmö" (key -> Swedish name), plus data quality.
AREAS: dict[str, str] = {
    "tillganglighet": "Tillgänglighet och serviceinriktat bemötande",
    "rattighetsbaserad": "Rättighetsbaserad service",
    "digitalisering": "Digitalisering och servicekommunikation (onödig efterfrågan)",
    "lokal": "Lokal service",
    "samarbete": "Samarbetsprocess (per förvaltning)",
    "datakvalitet": "Datakvalitet",
}

UNITS: dict[str, str] = {
    "count": "antal",
    "share": "andel (0–1)",
    "seconds": "sekunder",
    "hours": "timmar",
    "sek": "kronor",
    "fte": "årsarbetare",
    "score": "medelbetyg 1–5",
    "index": "index 0–100",
    "per_1000": "per 1 000 invånare",
    "ratio": "kvot",
}

# Rates, means and percentiles over fewer observations than this are marked uncertain: a
# statistical rule, the setting `rate_min_n` (docs/configuration.md); privacy hides by its own.
RATE_MIN_N = Settings.rate_min_n


class UnknownMetric(KeyError):
    """A metric id that is not in the registry; the message lists the valid ones."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0])


@dataclass(frozen=True, eq=False)
class Metric:
    id: str
    label: str
    definition: str
    unit: str
    higher_is_better: bool | None
    source: str
    area: str
    kind: str  # count, rate, mean, percentile, share, amount, ratio
    inputs: tuple[str, ...]
    value: pl.Expr
    n: pl.Expr  # the count suppression looks at (`{id}__n` in outputs)
    num: pl.Expr | None = None  # numerator of a proportion (equity tests need x and n)
    min_n: int | None = None  # None: the small-cell threshold (or `rate_min_n`, see statistical)
    inferred: bool = False  # inferred by rules, never mixed with tagged figures
    statistical: bool = False  # needs the setting `rate_min_n` observations to be reliable
    # Filters fields (`departments`, `topics`) that fix the value by construction: the share of
    # contacts without a förvaltning is 0 whenever the contacts are those of chosen förvaltningar.
    # Under such a filter the metric is not shown, and the page says why (`registry.applicable`).
    fixed_under: tuple[str, ...] = ()
    # Filters fields without which the value is fixed: a förvaltning's share of the city's handled
    # time is 100 % for the whole city. The city's value is then not shown.
    fixed_without: tuple[str, ...] = ()

    def min_n_for(self, settings: Settings) -> int:
        """The basis below which the value is too uncertain (never below the threshold)."""
        base = settings.rate_min_n if self.statistical and self.min_n is None else (self.min_n or 0)
        return max(base, settings.small_cell_threshold)

    def label_for(self, settings: Settings) -> str:
        return self.label.format(**_setting_values(settings))

    def definition_for(self, settings: Settings) -> str:
        return self.definition.format(**_setting_values(settings))

    def applies_to(self, filters) -> bool:
        """False when `filters` fix this metric's value: they choose values of a `fixed_under`
        field, or leave a `fixed_without` field open."""
        if filters is None:
            return True
        return (not any(getattr(filters, f) for f in self.fixed_under)
                and all(getattr(filters, f) for f in self.fixed_without))

    @property
    def is_proportion(self) -> bool:
        return self.num is not None


def _setting_values(settings: Settings) -> dict:
    """Settings as Swedish text for labels and definitions: 1600.0 -> '1 600', 12.5 -> '12,5'."""
    out = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = format_number(value, 0 if float(value).is_integer() else 2)
        out[f.name] = value
    return out


def _safe_div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num.cast(pl.Float64) / den).otherwise(None)


def _expr(x) -> pl.Expr:
    return pl.col(x) if isinstance(x, str) else x


def _names(*xs) -> tuple[str, ...]:
    out: list[str] = []
    for x in xs:
        if isinstance(x, str):
            out.append(x)
        else:
            out.extend(x.meta.root_names())
    return tuple(dict.fromkeys(out))


def count(id, *, col, **meta) -> Metric:
    c = pl.col(col)
    return Metric(id=id, kind="count", inputs=(col,), value=c.cast(pl.Float64), n=c, **meta)


def rate(id, *, num, den, **meta) -> Metric:
    """A proportion num/den; both are input names or expressions over inputs."""
    num_e, den_e = _expr(num), _expr(den)
    return Metric(id=id, kind="rate", inputs=_names(num, den), value=_safe_div(num_e, den_e),
                  n=den_e, num=num_e, statistical=True, **meta)


def mean(id, *, total, n, scale=None, **meta) -> Metric:
    """total/n, optionally transformed by `scale(expr)` (e.g. an index)."""
    value = _safe_div(pl.col(total), pl.col(n))
    if scale is not None:
        value = scale(value)
    return Metric(id=id, kind="mean", inputs=(total, n), value=value, n=pl.col(n),
                  statistical=True, **meta)


def percentile(id, *, name, **meta) -> Metric:
    return Metric(id=id, kind="percentile", inputs=(name,), value=pl.col(name),
                  n=pl.col(f"{name}__n"), statistical=True, **meta)


def amount(id, *, value, n, kind="amount", **meta) -> Metric:
    """A derived quantity (hours, kronor, positions, per-population rates) with its basis count."""
    return Metric(id=id, kind=kind, inputs=_names(value, n), value=value, n=_expr(n), **meta)
