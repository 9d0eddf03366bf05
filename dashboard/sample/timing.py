"""When contacts arrive: days (seasons, weekdays, holidays, trends), minutes of the day (opening
hours with a lunch dip), local Europe/Stockholm time to UTC, and the load each phone and chat
half hour carries (which drives waiting in queueing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from dashboard.calendar_se import calendar_rows
from dashboard.domain import STOCKHOLM
from dashboard.reference import OPENING_HOURS
from dashboard.sample.population import pick_rows
from dashboard.sample.topic_mix import TOPIC_MIX, seasonal_weight

SAMPLE_START = date(2024, 1, 1)
SAMPLE_END = date(2025, 12, 31)
_TAIL_DAYS = 45  # calendar beyond the end, for replies written after the last contact

CHANNELS = ("phone", "email", "chat", "e_service", "visit", "social", "outreach")
STAFFED = ("phone", "chat", "visit", "outreach")  # closed on non-working days
IS_STAFFED = np.array([c in STAFFED for c in CHANNELS])

# Arrivals per hour of day (index 0-23). Staffed channels are cut to their opening hours.
_HOURLY = {
    "phone": {8: 1.15, 9: 1.3, 10: 1.25, 11: 1.05, 12: 0.6, 13: 1.1, 14: 1.0, 15: 0.85, 16: 0.55},
    "chat": {9: 1.0, 10: 1.2, 11: 1.1, 12: 0.6, 13: 1.1, 14: 0.9},
    "visit": {10: 1.2, 11: 1.0, 12: 0.7, 13: 1.0, 14: 1.0, 15: 0.9, 16: 0.7, 17: 0.6},
    "outreach": {10: 1.0, 11: 1.0, 12: 0.8, 13: 1.0, 14: 0.9},
}
_WRITTEN_HOURLY = (0.15, 0.08, 0.05, 0.04, 0.05, 0.1, 0.35, 0.8, 1.2, 1.3, 1.25, 1.1,
                   0.9, 1.05, 1.0, 0.95, 0.9, 0.8, 0.7, 0.75, 0.8, 0.7, 0.5, 0.3)
_ESERVICE_HOURLY = (0.2, 0.1, 0.06, 0.05, 0.05, 0.1, 0.3, 0.6, 0.9, 1.0, 1.0, 0.95,
                    0.9, 0.95, 0.95, 0.9, 0.9, 0.95, 1.0, 1.1, 1.15, 1.0, 0.7, 0.4)
_STAFFED_WEEKDAY = np.array([1.25, 1.05, 1.0, 0.95, 0.8, 0, 0])      # Monday first
_DIGITAL_WEEKDAY = np.array([1.1, 1.05, 1.0, 1.0, 0.9, 0.5, 0.6])
_DIGITAL_HOLIDAY = 0.5   # e-mail and e-service on a public or de facto holiday vs a normal day
_AFTER_CLOSURE = 1.25    # first working day after three or more closed days
_DAY_NOISE_SIGMA = 0.05  # day-to-day variation shared by all topics


@dataclass(frozen=True)
class Timeline:
    """Day arrays over the sample period plus a tail, and per-channel arrival profiles."""

    dates: np.ndarray         # datetime64[D], period + tail
    n_days: int               # days in the sample period
    weekday: np.ndarray       # 0 = Monday
    working: np.ndarray       # bool
    next_open: np.ndarray     # index of the first working day on or after each day
    prev_open: np.ndarray     # index of the last working day on or before each day
    workday_seq: np.ndarray   # index of the n-th working day (n = position)
    workday_rank: np.ndarray  # how many working days up to and including each day
    day_mass: np.ndarray      # [topic, staffed?, day] P(day | topic, class), rows sum to 1
    hour_p: np.ndarray        # [channel, weekday, hour] P(hour | channel, weekday)
    utc_offset_s: np.ndarray  # [day, (midnight, noon)] Europe/Stockholm offset from UTC


def build_timeline(seed: int) -> Timeline:
    rows = calendar_rows(SAMPLE_START, SAMPLE_END + timedelta(_TAIL_DAYS))
    dates = np.array([r[0] for r in rows], dtype="datetime64[D]")
    n_days = (SAMPLE_END - SAMPLE_START).days + 1
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    working = np.array([r[3] for r in rows])
    closed_day = np.array([r[2] is not None for r in rows])  # public or de facto holiday
    idx = np.arange(len(dates))
    next_open = _fill_index(working, idx, forward=True)
    prev_open = _fill_index(working, idx, forward=False)
    rank = np.cumsum(working)
    doy = (dates - dates.astype("datetime64[Y]")).astype(np.int64) + 1
    general = _general_factor(doy, seed) * _after_closure(working)
    period = idx < n_days
    frac = idx / n_days
    staffed = _STAFFED_WEEKDAY[weekday] * working * (1.0 - 0.07 * frac) * general * period
    digital = (_DIGITAL_WEEKDAY[weekday] * np.where(closed_day, _DIGITAL_HOLIDAY, 1.0)
               * (1.0 + 0.30 * frac) * general * period)
    mass = np.empty((len(TOPIC_MIX), 2, len(dates)))
    for t, mix in enumerate(TOPIC_MIX):
        season = seasonal_weight(mix.season, doy.astype(np.float64))
        mass[t, 0] = season * digital
        mass[t, 1] = season * staffed
    mass /= mass.sum(axis=2, keepdims=True)
    return Timeline(dates, n_days, weekday, working, next_open, prev_open,
                    np.flatnonzero(working), rank, mass, _hour_profiles(), _utc_offsets(dates))


def _fill_index(working: np.ndarray, idx: np.ndarray, forward: bool) -> np.ndarray:
    if forward:
        marked = np.where(working, idx, len(idx) - 1)
        return np.minimum.accumulate(marked[::-1])[::-1]
    return np.maximum.accumulate(np.where(working, idx, 0))


def _general_factor(doy: np.ndarray, seed: int) -> np.ndarray:
    summer = (doy >= 182) & (doy <= 216)             # industrial holiday, July
    christmas = (doy >= 355) | (doy <= 6)
    factor = np.where(summer, 0.75, 1.0) * np.where(christmas, 0.8, 1.0)
    noise = np.random.default_rng([seed, 7]).lognormal(0.0, _DAY_NOISE_SIGMA, len(doy))
    return factor * noise


def _after_closure(working: np.ndarray) -> np.ndarray:
    closed_run = np.zeros(len(working), dtype=int)
    for i in range(1, len(working)):
        closed_run[i] = 0 if working[i - 1] else closed_run[i - 1] + 1
    return np.where(working & (closed_run >= 3), _AFTER_CLOSURE, 1.0)


def _hour_profiles() -> np.ndarray:
    p = np.zeros((len(CHANNELS), 7, 24))
    opening = {(c, wd - 1): (o.hour, cl.hour) for c, wd, o, cl in OPENING_HOURS}
    for c, channel in enumerate(CHANNELS):
        for wd in range(7):
            if channel in _HOURLY:
                if (channel, wd) not in opening:
                    p[c, wd, 9] = 1.0  # never drawn: staffed channels get no closed days
                    continue
                opens, closes = opening[(channel, wd)]
                for h in range(opens, closes):
                    p[c, wd, h] = _HOURLY[channel].get(h, 0.8)
            else:
                p[c, wd] = _ESERVICE_HOURLY if channel == "e_service" else _WRITTEN_HOURLY
            p[c, wd] /= p[c, wd].sum()
    return p


def draw_days(rng: np.random.Generator, tl: Timeline, topic: np.ndarray, channel: np.ndarray) -> np.ndarray:
    """Day index per contact given its topic and channel."""
    row = topic * 2 + IS_STAFFED[channel]
    return pick_rows(rng.random(len(topic)), row, tl.day_mass.reshape(-1, tl.day_mass.shape[2]))


def draw_seconds_of_day(rng: np.random.Generator, tl: Timeline, channel: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Local second of the day per contact, from its channel's profile for that weekday."""
    row = channel * 7 + tl.weekday[day]
    hour = pick_rows(rng.random(len(day)), row, tl.hour_p.reshape(-1, 24))
    return hour * 3600 + rng.integers(0, 3600, len(day))


def local_to_utc(tl: Timeline, day: np.ndarray, second: np.ndarray) -> np.ndarray:
    """UTC epoch seconds from local Europe/Stockholm day + second of day.

    Swedish clocks change at 02:00/03:00 local time, so a day's UTC offset is its midnight
    offset before 03:00 and its noon offset after. A local time that does not exist (02:00-03:00
    on the last Sunday of March) thus reads as one hour later, as a clock would show it; one that
    occurs twice (02:00-03:00 on the last Sunday of October) is taken as the first.
    """
    offset = np.where(second < 3 * 3600, tl.utc_offset_s[day, 0], tl.utc_offset_s[day, 1])
    local_s = tl.dates[day].astype("datetime64[s]").astype(np.int64) + second
    return local_s - offset


def _utc_offsets(dates: np.ndarray) -> np.ndarray:
    """[day, (midnight, noon)] UTC offset in seconds of Europe/Stockholm."""
    zone = ZoneInfo(STOCKHOLM)
    out = np.empty((len(dates), 2), dtype=np.int64)
    for i, d in enumerate(dates.astype(object)):
        for j, hour in enumerate((0, 12)):
            out[i, j] = datetime(d.year, d.month, d.day, hour, tzinfo=zone).utcoffset().total_seconds()
    return out


def half_hour_load(tl: Timeline, channel_p: np.ndarray, topic_p: np.ndarray, channel: int) -> np.ndarray:
    """Expected arrivals of one staffed channel per [day, half hour], up to a constant factor.

    The same for every chunk (it comes from the model, not from the drawn rows), so queueing
    is consistent however the rows are split into chunks.
    """
    per_day = (topic_p * channel_p[:, channel]) @ tl.day_mass[:, 1, :]
    hour = tl.hour_p[channel][tl.weekday]                     # [day, 24]
    return np.repeat(per_day[:, None] * hour / 2.0, 2, axis=1)  # [day, 48]
