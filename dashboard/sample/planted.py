"""Known truths planted in the sample, so metrics can be tested against them.

Everything else in the generator is smooth: topic, channel, city area, language and customer
type are drawn independently of one another (the language mix varies by city area), outcomes
depend only on topic and channel, and seasons are wide Gaussian bumps. With plants=False no
city area, language or customer group is served differently and no topic spikes locally.
docs/sample-data.md states the values these produce in the shipped sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Incident:
    """A local incident: extra contacts about one topic from one stadsdel on a few days."""

    topic: str
    city_area: str
    first_day: date          # local dates, inclusive
    last_day: date
    multiplier: float        # volume on those days = multiplier x the expected baseline
    story: str


@dataclass(frozen=True)
class EquityGap:
    """One language served worse: of its handled contacts that would have been resolved by
    kontaktcenter, the share `1 - resolved_factor` is forwarded to the förvaltning instead."""

    language: str
    rate: str                # the registry metric that shows the gap
    resolved_factor: float   # P(resolved | language) = resolved_factor x P(resolved | others)
    moved_to: str            # the outcome the lost resolutions become


INCIDENT = Incident(
    topic="Felanmälan gata, park och trafik",
    city_area="Fosie",
    first_day=date(2025, 9, 16),   # Tuesday
    last_day=date(2025, 9, 19),    # Friday
    multiplier=10.0,
    story="Skyfall i Fosie: översvämmade gator och gångtunnlar vid Lindängen.",
)

EQUITY_GAP = EquityGap(
    language="ar",
    rate="resolved_rate",
    resolved_factor=0.55,
    moved_to="forwarded",
)
