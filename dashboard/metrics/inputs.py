"""Derived metric inputs: what the engine computes besides the additive mart columns.

- threshold inputs: counts (or handled seconds) in a distribution mart up to a setting's value;
- percentile inputs: nearest-rank percentiles of a distribution;
- totals over a dimension, `"{input}@{dimension}"`: the input summed over every value of that
  dimension (the filter on it dropped too), the denominator of shares such as `channel_share`;
- `population`: residents of the groups' city areas (or of the filtered areas / the whole city);
- `period_days`: days each group covers (the filter period clipped to a calendar grain).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.config import Settings
from dashboard.metrics.buckets import MAX_WINDOW_DAYS


class SettingOutOfRange(ValueError):
    """A setting the marts cannot answer exactly (message in Swedish)."""


@dataclass(frozen=True)
class Threshold:
    measure: str  # distribution in the marts (queries/marts/contact_dist.sql)
    setting: str  # Settings field giving the threshold
    offset: int = 0  # bucket_max <= setting + offset ("< S" is "<= S - 1" for whole seconds)
    value: str = "n"  # n (count) or handle_sum (handled seconds)

    def limit(self, settings: Settings) -> int:
        return int(getattr(settings, self.setting)) + self.offset


THRESHOLDS: dict[str, Threshold] = {
    "answered_within_sl": Threshold("wait_answered", "service_level_s"),
    "answered_within_alt": Threshold("wait_answered", "service_level_alt_s"),
    "short_abandoned": Threshold("wait_abandoned", "short_abandon_s", offset=-1),
    "followup_within": Threshold("followup", "repeat_window_days"),
    "resolved_followup_within": Threshold("followup_resolved", "repeat_window_days"),
    "inferred_repeat_n": Threshold("prior_inferable", "repeat_window_days"),
    "inferred_repeat_handle_sum": Threshold("prior_inferable", "repeat_window_days", value="handle_sum"),
}

PERCENTILES: dict[str, tuple[str, float]] = {
    "wait_median": ("wait_answered", 0.5),
    "wait_p90": ("wait_answered", 0.9),
}

SPECIAL = ("population", "period_days")


def is_total(name: str) -> bool:
    return "@" in name


def split_total(name: str) -> tuple[str, str]:
    base, dim = name.split("@")
    return base, dim


def percentile_base(name: str) -> str:
    """`wait_median__n` is delivered with `wait_median`."""
    return name.removesuffix("__n")


def check_settings(settings: Settings) -> None:
    if not 0 <= settings.repeat_window_days <= MAX_WINDOW_DAYS:
        raise SettingOutOfRange(
            f"Upprepningsfönstret är {settings.repeat_window_days} dagar; marts håller "
            f"upprepningar i högst {MAX_WINDOW_DAYS} dagar. Välj 0–{MAX_WINDOW_DAYS} "
            "(inställningen repeat_window_days)."
        )
    for name in ("service_level_s", "service_level_alt_s", "short_abandon_s"):
        if getattr(settings, name) < 0:
            raise SettingOutOfRange(f"Inställningen {name} kan inte vara negativ.")
