"""Names people type (a link's `department=`, the command line's `--department`, `--channel`, ...)
matched to the names the store knows: the one matcher of the dashboard and the CLI.

Case and surrounding spaces never matter, and the store's own spelling is what comes back. A name
that matches none is not guessed at: the caller refuses it (or shows the whole city) and offers
the closest known names ("Menade du 'Förskoleförvaltningen'?"). Closeness is judged with the
Swedish letters folded (å, ä -> a, ö -> o: a link typed on a keyboard without them) and with the
known name's beginning weighed as well as the whole, so that a short form ("Forskola") finds the
long name it begins.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

CUTOFF = 0.6  # least similarity (0..1) of a suggestion
SUGGESTIONS = 2  # names offered at most
MARGIN = 0.1  # a second suggestion at most this much less similar than the first
MIN_PREFIX = 4  # a typed name this long is also compared with the beginning of each known name


def match(value: str, known: Sequence[str]) -> str | None:
    """`value` as spelled in `known`: exactly, else ignoring case and surrounding spaces; None
    when it is not there."""
    if value in known:
        return value
    folded = value.strip().casefold()
    return next((k for k in known if k.casefold() == folded), None)


def _plain(text: str) -> str:
    """Case, surrounding spaces and diacritics folded away: 'Förskola ' -> 'forskola'."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _similarity(typed: str, name: str) -> float:
    score = SequenceMatcher(None, typed, name).ratio()
    if len(typed) >= MIN_PREFIX and len(name) > len(typed):
        score = max(score, SequenceMatcher(None, typed, name[:len(typed)]).ratio())
    return score


def closest(value: str, known: Iterable[str], n: int = SUGGESTIONS) -> list[str]:
    """The known names `value` most likely meant, most similar first: at most `n`, none under
    CUTOFF, and none clearly further than the best (MARGIN), since names that share a long
    ending ("...förvaltningen") are all somewhat alike."""
    typed = _plain(value)
    scored = sorted(((_similarity(typed, _plain(k)), k) for k in dict.fromkeys(known) if k),
                    key=lambda pair: (-pair[0], pair[1]))
    best = scored[0][0] if scored else 0.0
    return [k for score, k in scored[:n] if score >= max(CUTOFF, best - MARGIN)]


def suggestion(names: Sequence[str]) -> str:
    """'Menade du 'A' eller 'B'?' for the closest names, '' for none."""
    if not names:
        return ""
    return f"Menade du {' eller '.join(repr(n) for n in names)}?"
