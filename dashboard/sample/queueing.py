"""Waiting in the phone and chat queues, consistent with load.

Staffing follows the average weekly pattern only partly (a blend of the weekday/half-hour mean
and the overall mean), so Monday mornings and seasonal peaks run hotter. Each half hour's
utilisation rho sets the mean potential wait (growing as rho^4); each caller has a patience and
abandons when the wait would outlast it, so abandonment grows with waiting. Long waits on the
phone offer a callback, which some callers take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.sample.timing import CHANNELS, Timeline, half_hour_load

_TARGET_RHO = 0.85           # load-weighted mean utilisation
_FOLLOW = 0.6                # how far staffing follows the weekday/half-hour demand pattern
_STAFF_SIGMA = 0.10          # day-to-day staffing variation (sickness, training)
_MEAN_WAIT_AT_RHO1 = {"phone": 180.0, "chat": 90.0}
_MAX_MEAN_WAIT = 1200.0
_PATIENCE = {"phone": 480.0, "chat": 300.0}
_IMMEDIATE_P = 0.15          # answered at once (a free agent)
_MISDIAL_P = 0.02            # hang up within five seconds whatever the wait
_CALLBACK_OFFER_S = 240.0    # phone: expected wait above which callback is offered
_CALLBACK_TAKE_P = 0.30


@dataclass(frozen=True)
class QueueModel:
    rho: dict[int, np.ndarray]   # channel index -> [day, half hour] utilisation


def build_queue_model(tl: Timeline, channel_p: np.ndarray, topic_p: np.ndarray, seed: int) -> QueueModel:
    staff_noise = np.random.default_rng([seed, 11]).lognormal(0.0, _STAFF_SIGMA, len(tl.dates))
    rho = {}
    for name in _MEAN_WAIT_AT_RHO1:
        c = CHANNELS.index(name)
        load = half_hour_load(tl, channel_p, topic_p, c)          # [day, 48]
        open_ = load > 0
        pattern = np.zeros((7, 48))
        for wd in range(5):
            days = (tl.weekday == wd) & tl.working
            pattern[wd] = load[days].mean(axis=0)
        overall = load[open_].mean()
        capacity = pattern ** _FOLLOW * overall ** (1 - _FOLLOW)
        cap = capacity[tl.weekday] / staff_noise[:, None]
        r = np.where(open_, load / np.where(cap > 0, cap, 1.0), 0.0)
        r *= _TARGET_RHO / (np.sum(r * load) / np.sum(load))
        rho[c] = r
    return QueueModel(rho)


def queue(rng: np.random.Generator, qm: QueueModel, channel: np.ndarray, day: np.ndarray,
          second: np.ndarray) -> dict[str, np.ndarray]:
    """queue_s, answered, abandoned, callback_requested for contacts of queued channels."""
    n = len(channel)
    mean_wait = np.zeros(n)
    patience_mean = np.zeros(n)
    for name, a in _MEAN_WAIT_AT_RHO1.items():
        c = CHANNELS.index(name)
        sel = channel == c
        rho = qm.rho[c][day[sel], second[sel] // 1800]
        mean_wait[sel] = np.minimum(a * rho ** 4, _MAX_MEAN_WAIT)
        patience_mean[sel] = _PATIENCE[name]
    wait = rng.gamma(1.5, mean_wait / 1.5)
    wait = np.where(rng.random(n) < _IMMEDIATE_P, rng.uniform(0, 5, n), wait)
    patience = rng.exponential(patience_mean)
    patience = np.where(rng.random(n) < _MISDIAL_P, rng.uniform(0, 5, n), patience)
    callback = ((channel == CHANNELS.index("phone")) & (mean_wait > _CALLBACK_OFFER_S)
                & (rng.random(n) < _CALLBACK_TAKE_P) & (patience > 60))
    abandoned = (patience < wait) & ~callback
    answered = ~abandoned & ~callback
    queue_s = np.where(abandoned, patience, wait)
    queue_s = np.where(callback, np.minimum(wait, rng.uniform(30, 90, n)), queue_s)
    return {
        "queue_s": np.round(queue_s).astype(np.int32),
        "answered": answered,
        "abandoned": abandoned,
        "callback_requested": callback,
        "mean_wait": mean_wait,
    }
