"""The deterministic, vectorised sample generator: `generate_contacts` yields Polars frames of
contract rows (every column of `contacts` except ingest_id), chunk by chunk.

Each chunk is an independent draw from the same model with its own random stream
(seed, chunk number), so memory does not grow with the number of rows; everything that must
agree across chunks (day weights, staffing, persons) comes from the seed alone. The same
(rows, seed, plants, chunk_rows) always gives identical frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from dashboard.reference import SERVICE_POINTS, STADSDELAR, TOPICS
from dashboard.sample import outcomes as oc
from dashboard.sample.planted import INCIDENT
from dashboard.sample.population import (
    CUSTOMER_TYPES, LANGUAGE_CODES, UNKNOWN_AREA_P, AREA_P, CUSTOMER_P, key_digests, persons,
    person_ids_in_area, pick, pick_rows,
)
from dashboard.sample.queueing import QueueModel, build_queue_model, queue
from dashboard.sample.timing import (
    CHANNELS, IS_STAFFED, Timeline, build_timeline, draw_days, draw_seconds_of_day,
    local_to_utc,
)
from dashboard.sample.topic_mix import REASONS, TOPIC_MIX

DEFAULT_SEED = 20250401

SOURCE_SYSTEM = "sample"  # docs/data-contract.md: the generated sample's source_system
_BASE_CHANNEL = {"phone": 0.56, "email": 0.13, "chat": 0.06, "e_service": 0.22, "visit": 0.05,
                 "social": 0.02, "outreach": 0.03}
REPEAT_SHARE = 0.10          # rows that repeat an earlier contact's person and topic
_FAILURE_REPEATS = 4.0       # a failure-demand contact is this many times likelier to repeat
_REPEAT_GAP_P = 0.35         # days to the repeat ~ geometric(0.35), mean 2.9
_NO_TOPIC_P = 0.015          # topic never recorded
_PERSONS_PER_ROW = 0.6       # size of the person pool relative to the rows
# Share of contacts without a caller_key (hidden number, anonymous chat, walk-in visitors).
_KEYLESS_P = {"phone": 0.08, "chat": 0.5, "visit": 0.6, "outreach": 0.7, "email": 0.0,
              "social": 0.0, "e_service": 0.0}
_SPOKEN = ("phone", "visit", "outreach")
_LOCAL_POINT = {"Rosengård": "Servicepunkt Rosengård", "Hyllie": "Servicepunkt Holma/Kroksbäck",
                "Fosie": "Servicepunkt Lindängen", "Södra Innerstaden": "Servicepunkt Möllevången",
                "Centrum": "Kontaktcenter Stadshuset"}
POINTS = tuple(SERVICE_POINTS)
TOPIC_NAMES = tuple(t.topic for t in TOPIC_MIX)


@dataclass(frozen=True)
class Model:
    seed: int
    plants: bool
    pool: int
    tl: Timeline
    qm: QueueModel
    topic_p: np.ndarray      # [topic]
    channel_p: np.ndarray    # [topic, channel]
    incident_share: float    # rows per row that the incident adds (0 without plants)
    incident_days: np.ndarray


def channel_matrix() -> np.ndarray:
    has_e = {t[0]: t[2] for t in TOPICS}
    rows = []
    for mix in TOPIC_MIX:
        w = dict(_BASE_CHANNEL)
        w["e_service"] = w["e_service"] if has_e[mix.topic] else 0.0
        w["visit"] *= mix.local
        w["outreach"] *= mix.local
        rows.append([w[c] for c in CHANNELS])
    m = np.array(rows)
    return m / m.sum(axis=1, keepdims=True)


def build_model(rows: int, seed: int, plants: bool) -> Model:
    tl = build_timeline(seed)
    topic_p = np.array([t.weight for t in TOPIC_MIX])
    topic_p = topic_p / topic_p.sum()
    channel_p = channel_matrix()
    qm = build_queue_model(tl, channel_p, topic_p, seed)
    first = (np.datetime64(INCIDENT.first_day) - tl.dates[0]).astype(int)
    days = np.arange(first, (np.datetime64(INCIDENT.last_day) - tl.dates[0]).astype(int) + 1)
    share = _incident_share(tl, topic_p, channel_p, days) if plants else 0.0
    return Model(seed, plants, max(2_000, int(rows * _PERSONS_PER_ROW)), tl, qm, topic_p, channel_p,
                 share, days)


def _incident_share(tl: Timeline, topic_p, channel_p, days) -> float:
    """Extra rows per row so that the incident's days carry `multiplier` x their baseline."""
    t = TOPIC_NAMES.index(INCIDENT.topic)
    known = (1 - UNKNOWN_AREA_P) * (1 - CUSTOMER_P[CUSTOMER_TYPES.index("visitor")])
    p_area = known * AREA_P[STADSDELAR.index(INCIDENT.city_area)]
    in_window = sum(channel_p[t, c] * tl.day_mass[t, int(IS_STAFFED[c]), days].sum()
                    for c in range(len(CHANNELS)))
    return (INCIDENT.multiplier - 1) * topic_p[t] * p_area * in_window


def generate_contacts(rows: int, seed: int = DEFAULT_SEED, plants: bool = True,
                      chunk_rows: int = 1_000_000) -> Iterator[pl.DataFrame]:
    """Yield contract frames (CONTACT_COLUMNS) of at most chunk_rows rows, `rows` in total."""
    if rows < 0 or chunk_rows < 1:
        raise ValueError("rows must be >= 0 and chunk_rows >= 1")
    model = build_model(rows, seed, plants)
    offset = 0
    for k in range(0, (rows + chunk_rows - 1) // chunk_rows):
        n = min(chunk_rows, rows - offset)
        yield _chunk(model, np.random.default_rng([seed, 1_000 + k]), n, offset)
        offset += n


def _stochastic_round(rng: np.random.Generator, x: float) -> int:
    return int(np.floor(x) + (rng.random() < x - np.floor(x)))


def _draw_rows(m: Model, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Who contacts about what, when and how: first contacts, incident contacts, repeats."""
    n_rep = int(round(n * REPEAT_SHARE))
    n_inc = min(_stochastic_round(rng, n * m.incident_share), n - n_rep)
    n_base = n - n_rep - n_inc
    topic = np.concatenate([pick(rng.random(n_base), m.topic_p),
                            np.full(n_inc, TOPIC_NAMES.index(INCIDENT.topic))])
    pid = np.concatenate([rng.integers(0, m.pool, n_base),
                          person_ids_in_area(rng, n_inc, m.pool, STADSDELAR.index(INCIDENT.city_area), m.seed)])
    channel = pick_rows(rng.random(len(topic)), topic, m.channel_p)
    day = draw_days(rng, m.tl, topic, channel)
    if n_inc:
        inc = slice(n_base, n_base + n_inc)
        mass = m.tl.day_mass[topic[inc], IS_STAFFED[channel[inc]].astype(int)][:, m.incident_days]
        day[inc] = m.incident_days[pick_rows(rng.random(n_inc), np.arange(n_inc), mass)]
    # Repeats: the same person about the same topic a few days later; failure demand repeats
    # more (fail_u decides the failure tag later). Staffed channels move to the next open day.
    fail_u = rng.random(n)
    failing = fail_u[: n_base + n_inc] < oc.failure_p(topic, np.zeros(len(topic), dtype=bool))
    w = np.where(failing, _FAILURE_REPEATS, 1.0)
    parent = pick(rng.random(n_rep), w / w.sum())
    r_topic, r_pid = topic[parent], pid[parent]
    r_channel = pick_rows(rng.random(n_rep), r_topic, m.channel_p)
    gap = rng.geometric(_REPEAT_GAP_P, n_rep)
    r_day = day[parent] + gap
    r_day = np.where(r_day >= m.tl.n_days, day[parent] - gap, r_day)  # at the end: repeat comes first
    r_day = np.clip(r_day, 0, m.tl.n_days - 1)
    forward = m.tl.next_open[r_day]
    open_day = np.where(forward < m.tl.n_days, forward, m.tl.prev_open[r_day])
    r_day = np.where(IS_STAFFED[r_channel], open_day, r_day)
    topic = np.concatenate([topic, r_topic])
    channel = np.concatenate([channel, r_channel])
    day = np.concatenate([day, r_day])
    row = np.arange(n)
    return {
        "topic": topic, "pid": np.concatenate([pid, r_pid]), "channel": channel, "day": day,
        "second": draw_seconds_of_day(rng, m.tl, channel, day),
        "fail_u": fail_u, "is_repeat": row >= n_base + n_inc, "is_incident": (row >= n_base) & (row < n_base + n_inc),
    }


def _chunk(m: Model, rng: np.random.Generator, n: int, offset: int) -> pl.DataFrame:
    r = _draw_rows(m, rng, n)
    topic, channel, day, second = r["topic"], r["channel"], r["day"], r["second"]
    who = persons(r["pid"], m.seed)
    ch = {c: channel == i for i, c in enumerate(CHANNELS)}
    queued = ch["phone"] | ch["chat"]
    q = queue(rng, m.qm, channel[queued], day[queued], second[queued])
    answered = np.zeros(n, dtype=bool)
    callback = np.zeros(n, dtype=bool)
    answered[queued], callback[queued] = q["answered"], q["callback_requested"]
    handled = answered | ch["email"] | ch["social"] | ch["visit"] | ch["outreach"]
    queue_s = np.full(n, -1, dtype=np.int64)
    queue_s[queued] = q["queue_s"]
    outcome = oc.outcomes(rng, topic, channel, who["language"], handled, m.plants)
    outcome = np.where(callback, oc.OUTCOMES.index("callback"), outcome)
    interpreter = who["interpreter"] & handled & np.isin(channel, [CHANNELS.index(c) for c in _SPOKEN])
    started = local_to_utc(m.tl, day, second)
    written = handled & (ch["email"] | ch["social"])
    reply_day, reply_second = oc.reply_local(rng, m.tl, channel[written], day[written], second[written])
    first_response = np.full(n, -1, dtype=np.int64)
    first_response[written] = local_to_utc(m.tl, reply_day, reply_second) - started[written]
    demand, reason = oc.demand(rng, topic, handled, r["is_repeat"], r["fail_u"])
    recorded_topic = np.where((rng.random(n) < _NO_TOPIC_P) & ~r["is_incident"], -1, topic)
    a = {
        "started": started, "channel": channel, "topic": recorded_topic, "area": who["area"],
        "service_point": _service_points(rng, channel, who["area"]),
        "customer_type": who["customer_type"], "language": who["language"], "interpreter": interpreter,
        "queued": queued, "queue_s": queue_s, "answered": answered, "callback": callback,
        "handle_s": np.where(handled, oc.handle_seconds(rng, topic, channel, who["language"], interpreter), -1),
        "first_response": first_response, "outcome": outcome, "demand": demand, "reason": reason,
        "pid": r["pid"], "keyless": rng.random(n) < np.array([_KEYLESS_P[c] for c in CHANNELS])[channel],
        "satisfaction": oc.satisfaction(rng, channel, outcome, np.where(queue_s >= 0, queue_s, 0), demand),
        "note": oc.note_template(rng, outcome),
    }
    order = np.argsort(started, kind="stable")
    return _frame({k: v[order] for k, v in a.items()}, m.seed, offset)


def _frame(a: dict[str, np.ndarray], seed: int, offset: int) -> pl.DataFrame:
    """Contract columns from the coded arrays (already in started_at order)."""
    n = len(a["started"])
    dept = {t[0]: t[1] for t in TOPICS}
    queued = a["queued"]
    # One string per distinct person, gathered: no per-row Python strings.
    uniq, inverse = np.unique(a["pid"], return_inverse=True)
    key_code = np.where(a["keyless"], -1, inverse)
    return pl.DataFrame([
        pl.Series("source_system", [SOURCE_SYSTEM], dtype=pl.String).gather(np.zeros(n, dtype=np.int64)),
        pl.int_range(offset, offset + n, eager=True).cast(pl.String).str.zfill(9).alias("contact_id"),
        pl.Series("started_at", a["started"] * 1_000_000).cast(pl.Datetime("us")),
        _labels("channel", a["channel"], CHANNELS),
        _labels("department", a["topic"], [dept[t] for t in TOPIC_NAMES]),
        _labels("topic", a["topic"], TOPIC_NAMES),
        _labels("city_area", a["area"], STADSDELAR),
        _labels("service_point", a["service_point"], POINTS),
        _labels("customer_type", a["customer_type"], CUSTOMER_TYPES),
        _labels("language", a["language"], LANGUAGE_CODES),
        pl.Series("interpreter", a["interpreter"]),
        _nullable("queue_s", a["queue_s"], pl.Int32),
        _only(queued, "answered", a["answered"]),
        _only(queued, "abandoned", queued & ~a["answered"] & ~a["callback"]),
        _only(queued, "callback_requested", a["callback"]),
        _nullable("handle_s", a["handle_s"], pl.Int32),
        _nullable("first_response_s", a["first_response"], pl.Int64),
        _labels("outcome", a["outcome"], oc.OUTCOMES),
        _labels("demand_type", a["demand"], ("value", "failure")),
        _labels("failure_reason", a["reason"], REASONS),
        _labels("caller_key", key_code, key_digests(uniq, seed)),
        _nullable("satisfaction", np.where(a["satisfaction"] > 0, a["satisfaction"], -1), pl.Int8),
        _notes(a["note"], a["topic"]),
    ])


def _labels(name: str, codes: np.ndarray, values) -> pl.Series:
    """Integer codes (-1 = null) -> their labels."""
    table = pl.Series(name, [*values, None], dtype=pl.String)
    return table.gather(np.where(codes < 0, len(values), codes))


def _nullable(name: str, values: np.ndarray, dtype) -> pl.Series:
    return pl.Series(name, values).scatter(np.flatnonzero(values < 0), None).cast(dtype)


def _only(mask: np.ndarray, name: str, values: np.ndarray) -> pl.Series:
    return pl.Series(name, values).scatter(np.flatnonzero(~mask), None)


def _service_points(rng: np.random.Generator, channel: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Visits go to the home area's service point (or Stadshuset); outreach meets people locally."""
    n = len(channel)
    local = np.array([POINTS.index(_LOCAL_POINT[a]) if a in _LOCAL_POINT else -1 for a in STADSDELAR] + [-1])
    home = local[np.where(area < 0, len(STADSDELAR), area)]
    centre = POINTS.index("Kontaktcenter Stadshuset")
    mobile = POINTS.index("Mobil medborgarservice")
    u = rng.random(n)
    other_local = rng.integers(1, len(POINTS) - 1, n)  # the local points between Stadshuset and the mobile unit
    visit = np.where(home >= 0, np.where(u < 0.75, home, centre), np.where(u < 0.85, centre, other_local))
    outreach = np.where(home >= 0, home, mobile)
    return np.where(channel == CHANNELS.index("visit"), visit,
                    np.where(channel == CHANNELS.index("outreach"), outreach, -1))


def _notes(template: np.ndarray, topic: np.ndarray) -> pl.Series:
    """Note text: the template around the recorded topic ("ärendet" when none), or null."""
    topic_text = [t.lower() for t in TOPIC_NAMES] + ["ärendet"]
    parts = [
        _labels("a", template, [t[1] for t in oc.NOTE_TEMPLATES]),
        _labels("b", np.where(topic < 0, len(TOPIC_NAMES), topic), topic_text),
        _labels("c", template, [t[2] for t in oc.NOTE_TEMPLATES]),
    ]
    return pl.select(pl.concat_str(parts)).to_series().alias("note")
