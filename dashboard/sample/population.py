"""Synthetic residents: every attribute of a person is a pure function of (seed, person id), so
one caller_key always has one city area, language and customer type across contacts and chunks.
"""

from __future__ import annotations

import hashlib

import numpy as np

from dashboard.reference import STADSDELAR, STADSOMRADEN

CUSTOMER_TYPES = ("resident", "business", "association", "visitor", "other")
CUSTOMER_P = np.array([0.86, 0.06, 0.02, 0.03, 0.03])
UNKNOWN_AREA_P = 0.08  # residents whose address the source does not know

# Contacts per resident relative to the city (social needs differ between areas).
_PER_CAPITA = {
    "Rosengård": 1.35, "Fosie": 1.15, "Hyllie": 1.10, "Södra Innerstaden": 1.05,
    "Kirseberg": 1.0, "Centrum": 1.0, "Husie": 0.9, "Västra Innerstaden": 0.9,
    "Oxie": 0.9, "Limhamn-Bunkeflo": 0.8,
}
_POPULATION = {part: pop for parts in STADSOMRADEN.values() for part, pop in parts.items()}
AREA_P = np.array([_POPULATION[a] * _PER_CAPITA[a] for a in STADSDELAR])
AREA_P = AREA_P / AREA_P.sum()

LANGUAGE_CODES = ("sv", "ar", "hbs", "pl", "da", "en", "fi", "so", "fa", "tr", "sq", "uk", "ti")
# Share of contacts not in Swedish, and how those split, by stadsdel.
_NON_SWEDISH = {
    "Rosengård": 0.45, "Fosie": 0.25, "Hyllie": 0.25, "Södra Innerstaden": 0.20,
    "Kirseberg": 0.15, "Centrum": 0.12, "Husie": 0.10, "Västra Innerstaden": 0.10,
    "Oxie": 0.07, "Limhamn-Bunkeflo": 0.06,
}
#                         ar    hbs   pl    da    en    fi    so    fa    tr    sq    uk    ti
_MIX_EAST = np.array([0.40, 0.14, 0.07, 0.02, 0.04, 0.03, 0.08, 0.06, 0.04, 0.05, 0.04, 0.03])
_MIX_CENTRAL = np.array([0.22, 0.12, 0.12, 0.12, 0.17, 0.05, 0.03, 0.05, 0.03, 0.03, 0.05, 0.01])
_EAST = {"Rosengård", "Fosie", "Hyllie"}
# Organisations and visitors: [sv, ar, ..., ti] in LANGUAGE_CODES order.
_LANG_ORG = np.array([0.90, 0, 0, 0.01, 0.04, 0.05, 0, 0, 0, 0, 0, 0, 0])
_LANG_VISITOR = np.array([0.40, 0, 0, 0.05, 0.25, 0.25, 0, 0, 0, 0, 0, 0.05, 0])
# P(needs an interpreter when speaking) per language; Finnish has Finnish-speaking staff
# (Malmö belongs to the Finnish administrative area), Danish and English need none.
INTERPRETER_P = np.array([0, 0.35, 0.20, 0.15, 0, 0, 0, 0.45, 0.35, 0.30, 0.30, 0.40, 0.50])


def _language_matrix() -> np.ndarray:
    """[area (stadsdelar, then unknown), language] probabilities for residents."""
    rows = []
    for area in STADSDELAR:
        mix = _MIX_EAST if area in _EAST else _MIX_CENTRAL
        ns = _NON_SWEDISH[area]
        rows.append(np.concatenate([[1 - ns], ns * mix / mix.sum()]))
    city = (AREA_P[:, None] * np.array(rows)).sum(axis=0)
    rows.append(city)
    return np.array(rows)


LANGUAGE_BY_AREA = _language_matrix()


def _splitmix(x: np.ndarray) -> np.ndarray:
    # uint64 arithmetic wraps on purpose (a hash, not arithmetic).
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def person_uniform(pid: np.ndarray, seed: int, salt: int) -> np.ndarray:
    """A uniform [0, 1) number per person id, fixed for (seed, salt)."""
    mixed = _splitmix(pid.astype(np.uint64) ^ np.uint64((seed * 1_000_003 + salt) % 2**63))
    return (mixed >> np.uint64(11)).astype(np.float64) * 2.0**-53


def pick(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Inverse-CDF choice: index into p for each uniform u (p sums to 1)."""
    cdf = np.cumsum(p)
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(p) - 1)


def pick_rows(u: np.ndarray, row: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Inverse-CDF choice per row of a probability matrix p[row_kind, k]."""
    cdf = np.cumsum(p, axis=1)
    cdf = cdf / cdf[:, -1:]
    k = p.shape[1]
    flat = (cdf + np.arange(p.shape[0])[:, None]).ravel()
    idx = np.searchsorted(flat, u + row, side="right") - row * k
    return np.clip(idx, 0, k - 1)


def persons(pid: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Attributes of persons: customer type, area (index into STADSDELAR, -1 unknown),
    language (index into LANGUAGE_CODES) and whether they need an interpreter."""
    ctype = pick(person_uniform(pid, seed, 1), CUSTOMER_P)
    area = pick(person_uniform(pid, seed, 2), AREA_P)
    unknown = (person_uniform(pid, seed, 3) < UNKNOWN_AREA_P) | (ctype == CUSTOMER_TYPES.index("visitor"))
    area = np.where(unknown, -1, area)
    u_lang = person_uniform(pid, seed, 4)
    row = np.where(area < 0, len(STADSDELAR), area)
    lang = pick_rows(u_lang, row, LANGUAGE_BY_AREA)
    org = np.isin(ctype, [CUSTOMER_TYPES.index("business"), CUSTOMER_TYPES.index("association")])
    lang = np.where(org, pick(u_lang, _LANG_ORG), lang)
    visitor = ctype == CUSTOMER_TYPES.index("visitor")
    lang = np.where(visitor, pick(u_lang, _LANG_VISITOR), lang)
    needs_interpreter = person_uniform(pid, seed, 5) < INTERPRETER_P[lang]
    return {"customer_type": ctype, "area": area, "language": lang, "interpreter": needs_interpreter}


def person_ids_in_area(rng: np.random.Generator, n: int, pool: int, area: int, seed: int) -> np.ndarray:
    """n person ids (from the pool) whose home is the given stadsdel index."""
    found = np.empty(0, dtype=np.int64)
    while len(found) < n:
        cand = rng.integers(0, pool, size=max(4 * n, 64) * 8)
        found = np.concatenate([found, cand[persons(cand, seed)["area"] == area]])
    return found[:n]


def sample_key(seed: int) -> bytes:
    """The pseudonymisation key of a sample: generated from the seed, used for nothing else."""
    return hashlib.sha256(f"kontaktcenter-sample-key/{seed}".encode()).digest()


def caller_keys(pid: np.ndarray, seed: int) -> np.ndarray:
    """HMAC-SHA256 (hex) of each synthetic person id, computed once per distinct id."""
    uniq, inverse = np.unique(pid, return_inverse=True)
    return np.array(key_digests(uniq, seed), dtype=object)[inverse]


def key_digests(uniq: np.ndarray, seed: int) -> list[str]:
    """HMAC-SHA256 (hex) of each (distinct) person id, in order."""
    key = sample_key(seed).ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    digests = []
    for value in uniq.tolist():  # hmac.new(key, ..., sha256) with the pads precomputed
        h = inner.copy()
        h.update(b"person-%d" % value)
        o = outer.copy()
        o.update(h.digest())
        digests.append(o.hexdigest())
    return digests
