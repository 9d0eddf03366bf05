"""What happens to a handled contact: outcome, handle time, time to first written reply,
failure-demand tag, satisfaction and a (scrubbed-looking) note. Arrays in, arrays out.
"""

from __future__ import annotations

import numpy as np

from dashboard.reference import TOPICS
from dashboard.sample.planted import EQUITY_GAP
from dashboard.sample.population import LANGUAGE_CODES, pick
from dashboard.sample.timing import CHANNELS, Timeline
from dashboard.sample.topic_mix import REASONS, TOPIC_MIX, outcome_matrix, reason_matrix

OUTCOMES = ("resolved", "forwarded", "referred", "callback", "unknown")
_CALLBACK_P, _UNKNOWN_P = 0.02, 0.01
# Resolved odds by channel relative to the phone (visits solve a little more, social less).
_RESOLVE_BY_CHANNEL = {"phone": 1.0, "chat": 1.0, "email": 0.95, "social": 0.9,
                       "visit": 1.1, "outreach": 1.1, "e_service": 1.0}
_HANDLE_BY_CHANNEL = {"phone": 1.0, "chat": 1.4, "email": 1.1, "social": 0.6,
                      "visit": 1.6, "outreach": 2.0, "e_service": 1.0}
_HANDLE_SIGMA = 0.55
_INTERPRETER_HANDLE = 1.7
_OTHER_LANGUAGE_HANDLE = 1.15
TAGGED_P = 0.85              # share of handled contacts the agent tags with a demand type
_FIRST_FAILURE_SCALE = 0.75  # topic failure shares are of all contacts; first contacts fail less
_CHASING = np.array([{t[0]: t[3] for t in TOPICS}[m.topic] for m in TOPIC_MIX])  # progress chasing in itself
_REPEAT_FAILURE_P = 0.85
_REPEAT_REASONS = {"repeat": 0.5, "progress_chasing": 0.3, "not_done": 0.2}
SURVEY_P = 0.16              # of handled phone, chat, e-mail and visit contacts
_SURVEYED = ("phone", "chat", "email", "visit")
# Working days until the first written reply: 0 (same day), 1, 2, 3, 4, 5.
_REPLY_DAYS = {"email": [0.40, 0.33, 0.14, 0.07, 0.03, 0.03], "social": [0.60, 0.30, 0.06, 0.02, 0.01, 0.01]}
NOTE_P = 0.15

# Note templates per outcome: (text before the topic, text after it). Scrub tags stand where a
# source's free text had personal data; no template holds a raw identifier.
NOTE_TEMPLATES: tuple[tuple[int, str, str], ...] = (
    (0, "Besvarat direkt: ", "."),
    (0, "Gav information om ", " och länk till malmo.se."),
    (0, "Hjälpte till med e-tjänsten för ", ". Kvittens skickad till [E-POST]."),
    (1, "Överlämnat till handläggare: ", ". Återkoppling till [TELEFON]."),
    (1, "Ärendet om ", " skickat vidare till förvaltningen."),
    (1, "Väntar på besked om ", "; kontrollerat med [PERSONNUMMER], överlämnat."),
    (2, "Hänvisat utanför staden (", ")."),
    (3, "Ring upp [TELEFON] om ", "."),
    (4, "Samtalet bröts, ", "."),
)
_NOTE_BY_OUTCOME = [np.array([i for i, (o, _, _) in enumerate(NOTE_TEMPLATES) if o == k]) for k in range(5)]


def outcomes(rng: np.random.Generator, topic: np.ndarray, channel: np.ndarray, language: np.ndarray,
             handled: np.ndarray, plants: bool) -> np.ndarray:
    """Outcome index into OUTCOMES for handled rows, -1 elsewhere."""
    n = len(topic)
    p = outcome_matrix()[topic].copy()
    p[:, 0] *= np.array([_RESOLVE_BY_CHANNEL[c] for c in CHANNELS])[channel]
    out = _pick_each(rng.random(n), p)
    u = rng.random(n)
    out = np.where(u < _CALLBACK_P, 3, np.where(u < _CALLBACK_P + _UNKNOWN_P, 4, out))
    if plants:
        gap = (language == LANGUAGE_CODES.index(EQUITY_GAP.language)) & (out == 0)
        moved = gap & (rng.random(n) >= EQUITY_GAP.resolved_factor)
        out = np.where(moved, OUTCOMES.index(EQUITY_GAP.moved_to), out)
    return np.where(handled, out, -1)


def _pick_each(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(p, axis=1)
    cdf /= cdf[:, -1:]
    return np.minimum((u[:, None] >= cdf).sum(axis=1), p.shape[1] - 1)


def handle_seconds(rng: np.random.Generator, topic: np.ndarray, channel: np.ndarray, language: np.ndarray,
                   interpreter: np.ndarray) -> np.ndarray:
    mean = np.array([t.handle_s for t in TOPIC_MIX])[topic]
    mean = mean * np.array([_HANDLE_BY_CHANNEL[c] for c in CHANNELS])[channel]
    mean = mean * np.where(interpreter, _INTERPRETER_HANDLE,
                           np.where(language == 0, 1.0, _OTHER_LANGUAGE_HANDLE))
    mu = np.log(mean) - _HANDLE_SIGMA**2 / 2
    return np.maximum(np.round(rng.lognormal(mu, _HANDLE_SIGMA)), 15).astype(np.int32)


def reply_local(rng: np.random.Generator, tl: Timeline, channel: np.ndarray, day: np.ndarray,
                second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local (day, second) of the first reply to written contacts: w working days after
    arrival (w = 0: the same working day, written after the contact arrived, before 17:00)."""
    n = len(day)
    w = np.zeros(n, dtype=np.int64)
    for name, probs in _REPLY_DAYS.items():
        sel = channel == CHANNELS.index(name)
        w[sel] = pick(rng.random(int(sel.sum())), np.array(probs))
    same_day_possible = tl.working[day] & (second < 16 * 3600 + 1800)
    w = np.where((w == 0) & ~same_day_possible, 1, w)
    reply_day = np.where(w == 0, day, tl.workday_seq[np.minimum(tl.workday_rank[day] + w - 1,
                                                                len(tl.workday_seq) - 1)])
    earliest = np.where(w == 0, np.maximum(second + 300, 8 * 3600), 8 * 3600)
    reply_second = earliest + (rng.random(n) * (17 * 3600 - earliest)).astype(np.int64)
    return reply_day, reply_second


def failure_p(topic: np.ndarray, is_repeat: np.ndarray) -> np.ndarray:
    """P(failure demand | tagged) per contact."""
    first = np.where(_CHASING, 1.0, _FIRST_FAILURE_SCALE) * np.array([t.failure for t in TOPIC_MIX])
    return np.where(is_repeat, _REPEAT_FAILURE_P, first[topic])


def demand(rng: np.random.Generator, topic: np.ndarray, handled: np.ndarray, is_repeat: np.ndarray,
           fail_u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(demand: -1 untagged, 0 value, 1 failure; reason index into REASONS or -1).
    fail_u: the uniform deciding failure, drawn earlier because failure drives repeats."""
    n = len(topic)
    tagged = handled & (rng.random(n) < TAGGED_P)
    failure = tagged & (fail_u < failure_p(topic, is_repeat))
    reason = _pick_each(rng.random(n), reason_matrix()[topic])
    repeat_p = np.array([_REPEAT_REASONS.get(r, 0.0) for r in REASONS])
    repeat_reason = pick(rng.random(n), repeat_p)
    chasing = _CHASING[topic]
    reason = np.where(is_repeat & ~chasing, repeat_reason, reason)
    return np.where(tagged, failure.astype(np.int8), -1), np.where(failure, reason, -1)


def satisfaction(rng: np.random.Generator, channel: np.ndarray, outcome: np.ndarray, queue_s: np.ndarray,
                 failure: np.ndarray) -> np.ndarray:
    """1-5 for surveyed contacts, 0 for none. Resolved and quick contacts rate higher."""
    n = len(channel)
    surveyed = (outcome >= 0) & np.isin(channel, [CHANNELS.index(c) for c in _SURVEYED])
    surveyed &= rng.random(n) < SURVEY_P
    latent = (rng.normal(0.0, 1.0, n) + np.where(outcome == 0, 0.6, -0.3)
              - np.minimum(np.nan_to_num(queue_s, nan=0.0) / 600.0, 1.0) - 0.4 * (failure == 1))
    score = 1 + np.searchsorted(np.array([-1.6, -1.0, -0.3, 0.5]), latent)
    return np.where(surveyed, score, 0).astype(np.int8)


def note_template(rng: np.random.Generator, outcome: np.ndarray) -> np.ndarray:
    """Index into NOTE_TEMPLATES, -1 for contacts without a note."""
    n = len(outcome)
    idx = np.full(n, -1)
    u = rng.random(n)
    for k, templates in enumerate(_NOTE_BY_OUTCOME):
        sel = (outcome == k) & (u < NOTE_P)
        idx[sel] = templates[rng.integers(0, len(templates), int(sel.sum()))]
    return idx
