"""The sections of a `profile suggest` draft about the values of mapped columns: `[booleans]`
(yes/no words beyond the built-in ones), `[values.FIELD]` (answer codes, resolved flags, demand
flags, vocabulary and enum guesses, language codes) and the test traffic that becomes `[[skip]]`.

`ValueSections` is a part of the draft (dashboard.ingest.suggest): it reads the draft's `mapped`
columns, their `roles` and sample `text`, and appends to its `lines` and `skips`. `q` quotes a
TOML string for every section of the draft.
"""

from __future__ import annotations

import json

from dashboard.ingest import fields as F
from dashboard.ingest.suggest_values import (
    answer_states, boolean_words, department_guesses, enum_guesses, is_yes_no, language_guesses,
    test_values, vocabulary_guesses,
)


def q(text: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


class ValueSections:
    """The [booleans], [values.*] and skip-candidate part of the draft."""

    def value_sections(self) -> None:
        extra_true, extra_false, unknown = set(), set(), set()
        for col, fld in self.mapped.items():
            if fld in F.BOOL_FIELDS:
                t, f, u = boolean_words(self.text[col])
                extra_true |= t
                extra_false |= f
                unknown |= u
        if extra_true or extra_false or unknown:
            self.lines.append("[booleans]  # ja/nej-ord utöver de inbyggda")
            self.lines.append(f"true = [{', '.join(q(w) for w in sorted(extra_true))}]  # ord som börjar som ja")
            self.lines.append(f"false = [{', '.join(q(w) for w in sorted(extra_false))}]  # ord som börjar som nej")
            for word in sorted(unknown):
                self.lines.append(f"# ATT GÖRA: okänt ja/nej-värde {q(word)}: lägg det i true eller false")
            self.lines.append("")
        for col, fld in self.mapped.items():
            if fld == F.ANSWER_STATUS:
                self._answer_values(col)
                continue
            if fld == "outcome" and self.roles[col][0] == "resolved":
                self._resolved_values(col)
                continue
            if fld == "demand_type" and is_yes_no(self.text[col]):
                self._demand_values(col)
                continue
            if fld == "topic":
                for value in test_values(self.text[col]):
                    self.skips.append((col, value))
            if fld in ("department", "topic", "city_area", "service_point"):
                self._vocabulary_values(col, fld)
                continue
            if fld in F.ENUM_FIELDS:
                guesses = enum_guesses(self.text[col], fld)
                todo = f"välj ett av {', '.join(F.ENUM_FIELDS[fld])}"
            elif fld == "language":
                guesses = language_guesses(self.text[col])
                todo = "ange språkets kod enligt ISO 639-1 (t.ex. \"sv\") eller behåll namnet"
            else:
                continue
            if not guesses:
                continue
            self._mapping(f"[values.{fld}]  # värden i {col}", guesses, todo)

    def _answer_values(self, col: str) -> None:
        values = self.text[col].drop_nulls().unique(maintain_order=True).to_list()[:40]
        codes = answer_states(self.text[col]) or {}
        inverted = getattr(self, "status_from", "answered") == "abandoned"
        self.lines.append(f"[values.answer_status]  # {col}: besvarat, avbrutet eller annat (t.ex. återuppringning)")
        states = []
        for value in values:
            low = value.lower()
            state = codes.get(value)
            if state is None and low in F.TRUE_WORDS:
                state = "abandoned" if inverted else "answered"
            elif state is None and low in F.FALSE_WORDS:
                state = "answered" if inverted else "abandoned"
            states.append((value, state))
        self._mapping(None, states, '"answered", "abandoned" eller "other"')

    def _vocabulary_values(self, col: str, fld: str) -> None:
        """[values.FIELD] for values outside the store's vocabulary: abbreviations of
        departments, and the one vocabulary value that contains the source value."""
        skip = {v for c, v in self.skips if c == col}
        abbreviations = dict(department_guesses(self.text[col])) if fld == "department" else {}
        guesses = [(v, abbreviations.get(v) or code) for v, code in vocabulary_guesses(self.text[col], fld) if v not in skip]
        if not guesses:
            return
        policy = "går till karantän" if fld in ("department", "city_area") else "läses in som okänd"
        self._mapping(f"[values.{fld}]  # värden i {col} som inte finns i vokabulären; okända {policy}",
                      guesses, f"ett värde ur `kontaktcenter vocabulary list {fld}`")

    def _mapping(self, header: str | None, pairs, todo: str) -> None:
        """A [values.FIELD] section: `source = "code"` per pair, a commented TODO line where the
        code is unknown, then a blank line."""
        if header:
            self.lines.append(header)
        for value, code in pairs:
            if code:
                self.lines.append(f"{q(value)} = {q(code)}")
            else:
                self.lines.append(f'# {q(value)} = ""  # ATT GÖRA: {todo}')
        self.lines.append("")

    def _demand_values(self, col: str) -> None:
        failure = any(w in col.casefold() for w in ("onödig", "failure", "avoidable"))
        self.lines.append(f"[values.demand_type]  # {col} är en ja/nej-kolumn: "
                          + ("ja = onödig efterfrågan" if failure else "ATT GÖRA: betyder ja onödig eller värdeskapande?"))
        for value in self.text[col].drop_nulls().unique(maintain_order=True).to_list()[:20]:
            yes = value.lower() in F.TRUE_WORDS
            self.lines.append(f"{q(value)} = {q(('failure' if yes else 'value') if failure else ('value' if yes else 'failure'))}")
        self.lines.append("")

    def _resolved_values(self, col: str) -> None:
        self.lines.append(f"[values.outcome]  # {col} är en ja/nej-flagga: nej = ej löst av kontaktcenter (not_resolved)")
        for value in self.text[col].drop_nulls().unique(maintain_order=True).to_list()[:20]:
            low = value.lower()
            if low in F.TRUE_WORDS:
                self.lines.append(f"{q(value)} = \"resolved\"")
            elif low in F.FALSE_WORDS:
                self.lines.append(f"{q(value)} = \"not_resolved\"")
            else:
                self.lines.append(f'# {q(value)} = ""  # ATT GÖRA: välj ett utfall')
        self.lines.append("")
