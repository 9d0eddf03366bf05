"""Personal data out before anything is written: pseudonyms and free-text scrubbing.

- The secret HMAC key is found and checked by dashboard.ingest.pseudonym_key (`load_key`).
- `normalise_identifier` brings phone numbers, e-mail addresses, personnummer and customer ids to
  one canonical form, so the same person gets the same `caller_key` whatever the source wrote.
- `pseudonymise` is HMAC-SHA256 (hex) of that form; nulls and empty strings stay null.
- `scrub_text` / `scrub_one` replace identifiers in free text with tags like [PERSONNUMMER].

The scrub patterns are written once in syntax that Python's `re` and Polars' Rust regex read
alike (no look-arounds), so the vectorised and the one-string paths give identical results; only
personnummer candidates need Python, for the date and Luhn checks. docs/privacy.md explains it all.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

import polars as pl

from dashboard.ingest.pseudonym_key import MIN_KEY_BYTES, InvalidKeyError

KINDS = ("phone", "email", "personnummer", "customer_id")
TAGS = {
    "personnummer": "[PERSONNUMMER]", "phone": "[TELEFON]", "email": "[E-POST]", "address": "[ADRESS]",
}


# ------------------------------------------------------------------------ personnummer checks

def luhn_ok(digits: str) -> bool:
    """Luhn check over a string of digits (the 10-digit form of a personnummer)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_personnummer(ten: str) -> bool:
    """YYMMDDNNNC with a plausible month and day (samordningsnummer: day + 60) and a Luhn digit."""
    if len(ten) != 10 or not ten.isdigit():
        return False
    month, day = int(ten[2:4]), int(ten[4:6])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91) and luhn_ok(ten)


def _luhn_expr(ten: pl.Expr) -> pl.Expr:
    """Vectorised luhn_ok over a 10-digit string column (integer arithmetic, one pass)."""
    n = ten.cast(pl.Int64, strict=False)
    total = pl.lit(0, dtype=pl.Int64)
    for i in range(10):  # i = position from the right; odd positions are doubled
        d = (n // 10**i) % 10
        total = total + (d * 2 - 9 * (d > 4).cast(pl.Int64) if i % 2 else d)
    return total % 10 == 0


# --------------------------------------------------------------------------- normalisation

_PNR_FULL = r"^(18|19|20)?([0-9]{6})([-+]?)([0-9]{4})$"
_PHONE_LIKE = r"^\(?(?:\+|00|0)[0-9 ()\-/.\u00a0\u2013]{6,24}$"


def _normalise_email(s: pl.Expr) -> pl.Expr:
    return s.str.strip_chars().str.to_lowercase().str.strip_prefix("mailto:").str.strip_chars()


def _normalise_phone(s: pl.Expr) -> pl.Expr:
    """'+46701234567' from 070-123 45 67, +46 (0)70…, 0046 70…; a chain of single-pass regexes
    (a when/then chain would re-evaluate the cleaning once per branch)."""
    return (
        s.str.replace_all("(0)", "", literal=True)
        .str.replace_all(r"[^0-9+]", "")
        .str.replace(r"^00", "+")
        .str.replace(r"^0", "+46")
        .str.replace(r"^\+460", "+46")  # "+46 070…" is a common slip for "+46 70…"
    )


def _personnummer_parts(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns c (century), six, sep, four, ten and is_pnr (plausible date + Luhn), staged so
    each regex runs once per value."""
    frame = frame.with_columns(
        pl.col("v").str.strip_chars().str.replace_all("[ \u00a0]", "").alias("t")
    ).with_columns(pl.col("t").str.extract_groups(_PNR_FULL).alias("p")).with_columns(
        pl.col("p").struct.field("1").alias("c"),
        pl.col("p").struct.field("2").alias("six"),
        pl.col("p").struct.field("3").alias("sep"),
        (pl.col("p").struct.field("2") + pl.col("p").struct.field("4")).alias("ten"),
    )
    month = pl.col("six").str.slice(2, 2).cast(pl.Int32, strict=False)
    day = pl.col("six").str.slice(4, 2).cast(pl.Int32, strict=False)
    plausible = month.is_between(1, 12) & (day.is_between(1, 31) | day.is_between(61, 91))
    return frame.with_columns((plausible & _luhn_expr(pl.col("ten"))).fill_null(False).alias("is_pnr"))


def _normalise_personnummer(reference_year: int) -> pl.Expr:
    """12 digits YYYYMMDDNNNC (needs _personnummer_parts). Without a century: born within the
    100 years up to the reference year, or a century earlier with '+' (the person has turned 100)."""
    yy = pl.col("six").str.slice(0, 2).cast(pl.Int32, strict=False)
    year = reference_year - (reference_year - yy) % 100
    year = pl.when(pl.col("sep") == "+").then(year - 100).otherwise(year)
    full_year = pl.when(pl.col("c").is_not_null()).then(pl.col("c") + pl.col("six").str.slice(0, 2))
    full_year = full_year.otherwise(year.cast(pl.String).str.zfill(4))
    rest = pl.col("ten").str.slice(2)
    return pl.when(pl.col("six").is_null()).then(pl.col("t")).otherwise(full_year + rest)


def _detected_kind() -> pl.Expr:
    """Per value (needs _personnummer_parts): email, personnummer, phone or customer_id. A bare
    10-digit string starting with 0 and a non-zero digit counts as a phone number (far more common
    than a compact personnummer of someone born 2001–2009); pass kind="personnummer" for those."""
    v = pl.col("v")
    compact_phone = pl.col("t").str.contains(r"^0[1-9][0-9]{8}$")
    digit_count = v.str.count_matches(r"[0-9]")
    is_phone = v.str.strip_chars().str.contains(_PHONE_LIKE) & digit_count.is_between(7, 15)
    return (
        pl.when(v.str.contains("@", literal=True)).then(pl.lit("email"))
        .when(pl.col("is_pnr") & ~compact_phone).then(pl.lit("personnummer"))
        .when(is_phone).then(pl.lit("phone"))
        .otherwise(pl.lit("customer_id"))
    )


def _normalise_frame(frame: pl.DataFrame, kind: str | None, reference_year: int) -> pl.Series:
    """frame has one String column v; returns the normalised Series."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"Okänd identifierartyp {kind!r}. Giltiga: {', '.join(KINDS)}.")
    v = pl.col("v")
    if kind == "email":
        return frame.select(_normalise_email(v)).to_series()
    if kind == "phone":
        return frame.select(_normalise_phone(v)).to_series()
    if kind == "customer_id":
        return frame.select(v.str.strip_chars()).to_series()
    frame = _personnummer_parts(frame)
    if kind == "personnummer":
        return frame.select(_normalise_personnummer(reference_year)).to_series()
    frame = frame.with_columns(_detected_kind().alias("kind"))
    k = pl.col("kind")
    return frame.select(
        pl.when(k == "email").then(_normalise_email(v))
        .when(k == "personnummer").then(_normalise_personnummer(reference_year))
        .when(k == "phone").then(_normalise_phone(v))
        .otherwise(v.str.strip_chars())
    ).to_series()


def normalise_identifier(
    values: pl.Series, kind: str | None = None, *, reference_date: date | None = None
) -> pl.Series:
    """Canonical forms: phone '+46701234567', e-mail lower-case, personnummer 12 digits,
    customer id trimmed. kind=None detects the kind per value. Nulls stay null."""
    year = (reference_date or date.today()).year
    frame = pl.DataFrame({"v": values.cast(pl.String)})
    return _normalise_frame(frame, kind, year).alias(values.name)


def _hmac_hex(key: bytes, messages: list[str]) -> list[str]:
    """HMAC-SHA256 (RFC 2104) with the padded key hashed once: ~2x faster than hmac.digest."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    out = []
    for m in messages:
        i = inner.copy()
        i.update(m.encode("utf-8"))
        o = outer.copy()
        o.update(i.digest())
        out.append(o.hexdigest())
    return out


def pseudonymise(
    values: pl.Series, key: bytes, kind: str | None = None, *, reference_date: date | None = None
) -> pl.Series:
    """HMAC-SHA256 (64 hex characters) of the normalised value. Nulls and empty values stay null.

    Distinct raw values are normalised and hashed once, so repeat callers cost nothing extra."""
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise InvalidKeyError(f"Nyckeln måste vara minst {MIN_KEY_BYTES} byte (använd load_key).")
    year = (reference_date or date.today()).year
    raw = pl.DataFrame({"v": values.cast(pl.String)})
    distinct = raw.unique().drop_nulls()
    norm = _normalise_frame(distinct, kind, year).replace("", None)
    present = norm.is_not_null()
    hashes = pl.Series(_hmac_hex(key, norm.filter(present).to_list()), dtype=pl.String)
    lookup = distinct.filter(present).with_columns(hashes.alias("h"))
    joined = raw.join(lookup, on="v", how="left", maintain_order="left")
    return joined.get_column("h").alias(values.name)


# ---------------------------------------------------------------------------- scrubbing text
# One pattern text for Python `re` and Polars' Rust regex: no look-arounds, explicit [0-9], and
# ASCII word borders ({B}) - Rust's fast engines cannot do Unicode \b on text with å, ä, ö.

_D = "[0-9]"
_SP = "[ \u00a0]"  # a space (or no-break space) inside a number
_SEP = "[ \u00a0\u2013\\-]"  # space or dash
_AREA_SEP = f"(?:{_SP}?[\\-\u2013/]{_SP}?|{_SP})?"
_BORDER = {"python": r"(?a:\b)", "rust": r"(?-u:\b)"}

EMAIL_PATTERN = r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+"

# Swedish national numbers: trunk 0 + area code (1–3 digits, not starting with 0) + subscriber
# number, 8–10 digits in all (9–10 after a 4-digit code like 0411); one separator after the area
# code, spaces inside the subscriber number (so "08-03-2025" and "dnr 0123-4567" stay).
_NATIONAL = "|".join(
    f"{{B}}0[1-9]{_D}{{{{{n}}}}}{_AREA_SEP}{_D}(?:{_SP}?{_D}){{{{{lo},{hi}}}}}{{B}}"
    for n, lo, hi in ((0, 5, 7), (1, 4, 6), (2, 4, 5))
)
_PHONE = "|".join((
    # +46 / 0046 with an optional (0): "+46 (0)70-123 45 67", "0046 40 34 10 00"
    f"(?:\\+|{{B}}00){_SP}?46{_SEP}?(?:\\(0\\){_SEP}?)?[1-9](?:{_SEP}?{_D}){{{{6,8}}}}{{B}}",
    # other countries' numbers with a leading + (Danish numbers are common in Malmö)
    f"\\+{_SP}?[1-9](?:{_SEP}?{_D}){{{{6,13}}}}{{B}}",
    f"\\(0[1-9]{_D}{{{{0,3}}}}\\){_SP}?{_D}(?:{_SEP}?{_D}){{{{4,7}}}}{{B}}",  # "(040) 34 10 00"
    f"{{B}}0[1-9]{_D}{{{{1,2}}}}-{_D}{{{{2,3}}}}-{_D}{{{{2}}}}-{_D}{{{{2}}}}{{B}}",  # "070-123-45-67"
    _NATIONAL,
))

# Street suffixes. Those that are also common nouns (plan, plats, väg, ...) count only after a
# capital letter ("Dalaplan 3", not "detaljplan 3" or "på plan 3"). No border before the street:
# leftmost matching starts at the word's first letter anyway, also when it is Å, Ä or Ö.
_SUFFIX = ("gatan|gata|vägen|gränden|gränd|torget|alléen|allén|stigen|backen|leden|platsen|"
           "gången|kajen|esplanaden|promenaden|stråket|vallen|passagen")
_NOUN_SUFFIX = "väg|torg|allé|plan|stig|backe|led|plats"
_STREET = (
    f"(?:(?i:södra|norra|östra|västra|stora|lilla|gamla|nya|sankt|s:t){_SP}+)?"
    f"(?:[\\w\\-]+(?i:{_SUFFIX})|[A-ZÅÄÖ][\\w\\-]*(?i:{_NOUN_SUFFIX})"
    f"|[A-ZÅÄÖ][\\w\\-]*{_SP}+(?i:{_SUFFIX}|{_NOUN_SUFFIX}))"
)
_ADDRESS = (
    f"{_STREET}{_SP}+{_D}{{{{1,4}}}}(?:[\\-\u2013]{_D}{{{{1,4}}}})?(?:[A-Za-z]{{B}}|{_SP}[A-Z]{{B}}|{{B}})"
    f"(?:,?{_SP}*(?i:lgh|lägenhet){_SP}*\\.?{_SP}*{_D}{{{{4}}}}{{B}})?"
    f"(?:,{_SP}*{_D}{{{{3}}}}{_SP}?{_D}{{{{2}}}}{{B}})?"  # postcode after a comma
)
PHONE_PATTERN = _PHONE.format(B=_BORDER["rust"])  # for Polars
ADDRESS_PATTERN = _ADDRESS.format(B=_BORDER["rust"])

# Personnummer: 10 or 12 digits, '-', '+', a space or nothing before the last four.
PNR_CANDIDATE_PATTERN = "[0-9]{6}[\\-+ ]?[0-9]{4}"
_PNR_RE = re.compile(r"(?<![0-9])(?P<c>18|19|20)?(?P<d>[0-9]{6})(?P<s>[-+ ]?)(?P<n>[0-9]{4})(?![0-9])")

_EMAIL_RE = re.compile(EMAIL_PATTERN)
_PHONE_RE = re.compile(_PHONE.format(B=_BORDER["python"]))
_ADDRESS_RE = re.compile(_ADDRESS.format(B=_BORDER["python"]))


def _pnr_tag(m: re.Match) -> str:
    ten = m["d"] + m["n"]
    if not m["c"] and not m["s"] and ten[0] == "0" and ten[1] != "0":
        return m[0]  # "0701234567": left to the phone rule, which removes it as [TELEFON]
    return TAGS["personnummer"] if is_personnummer(ten) else m[0]


def _scrub_personnummer(text: str) -> str:
    return _PNR_RE.sub(_pnr_tag, text)


def scrub_one(text: str | None) -> str | None:
    """Scrub one text: e-mail, personnummer, phone numbers, street addresses (in that order)."""
    if text is None:
        return None
    text = _EMAIL_RE.sub(TAGS["email"], text)
    text = _scrub_personnummer(text)
    text = _PHONE_RE.sub(TAGS["phone"], text)
    return _ADDRESS_RE.sub(TAGS["address"], text)


def scrub_text(values: pl.Series) -> pl.Series:
    """Vectorised scrub_one: Polars regex replacement; Python only for the rows that hold a
    personnummer candidate (10 or 12 digits), for the date and Luhn checks.

    Free text repeats a lot (templates, "Kopplad till ..."): when at most half the values are
    distinct, each distinct value is scrubbed once and joined back (one hash pass, not four regexes)."""
    s = values.cast(pl.String)
    if len(s) >= _DEDUP_MIN_ROWS:
        distinct = s.unique().drop_nulls()
        if 2 * len(distinct) <= len(s):
            lookup = pl.DataFrame({"v": distinct, "o": _scrub_series(distinct)})
            joined = pl.DataFrame({"v": s}).join(lookup, on="v", how="left", maintain_order="left")
            return joined.get_column("o").alias(values.name)
    return _scrub_series(s).alias(values.name)


_DEDUP_MIN_ROWS = 1000


def _scrub_series(s: pl.Series) -> pl.Series:
    s = s.str.replace_all(EMAIL_PATTERN, TAGS["email"])
    rows = s.str.contains(PNR_CANDIDATE_PATTERN).arg_true()
    if len(rows):
        texts = s.gather(rows).to_list()
        done = {t: _scrub_personnummer(t) for t in set(texts)}
        s = s.scatter(rows, pl.Series([done[t] for t in texts], dtype=pl.String))
    s = s.str.replace_all(PHONE_PATTERN, TAGS["phone"])
    return s.str.replace_all(ADDRESS_PATTERN, TAGS["address"])


# ------------------------------------------------------------- the door in: what else may land

CONTACT_ID_DOMAIN = "kontaktcenter contact id v1"
CONTACT_ID_PREFIX = "k:"   # a keyed pseudonym; "h:" ids are derived from already-safe fields


def contact_pseudonym(values: pl.Series, key: bytes, source_system: str) -> pl.Series:
    """The source's contact id as a keyed pseudonym: HMAC-SHA256 in its own domain (the message
    starts with CONTACT_ID_DOMAIN and the source system), so it never equals a caller_key, and the
    same raw id of the same source always gives the same stored id (deduplication still works).
    The id is trimmed; nulls and blanks stay null. 32 hex characters (128 bits) are kept."""
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise InvalidKeyError(f"Nyckeln måste vara minst {MIN_KEY_BYTES} byte (använd load_key).")
    raw = pl.DataFrame({"v": values.cast(pl.String).str.strip_chars().replace("", None)})
    distinct = raw.unique().drop_nulls()
    prefix = f"{CONTACT_ID_DOMAIN}\x1f{source_system}\x1f"
    hashes = [CONTACT_ID_PREFIX + h[:32] for h in _hmac_hex(key, [prefix + v for v in distinct["v"].to_list()])]
    lookup = distinct.with_columns(pl.Series("h", hashes, dtype=pl.String))
    joined = raw.join(lookup, on="v", how="left", maintain_order="left")
    return joined.get_column("h").alias(values.name)


def contact_pseudonym_one(raw_id: str, key: bytes, source_system: str) -> str | None:
    return contact_pseudonym(pl.Series([raw_id], dtype=pl.String), key, source_system)[0]


def value_fingerprint(values: pl.Series, key: bytes, domain: str) -> pl.Series:
    """A short keyed fingerprint (8 hex) per value: lets a reader see that two hidden values are
    equal without seeing either."""
    raw = pl.DataFrame({"v": values.cast(pl.String)})
    distinct = raw.unique().drop_nulls()
    hashes = [h[:8] for h in _hmac_hex(key, [f"{domain}\x1f{v}" for v in distinct["v"].to_list()])]
    lookup = distinct.with_columns(pl.Series("h", hashes, dtype=pl.String))
    return raw.join(lookup, on="v", how="left", maintain_order="left").get_column("h").alias(values.name)


def scrub_file_name(name: str) -> str:
    """A file name as it may be stored and shown: identifiers replaced by tags. Separators that
    glue parts of a name together ("rapport_19850101-1234_anna@x.se.csv") are read as spaces for
    the scan, so a personnummer between underscores is still found."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,5}", ext):
        stem, dot, ext = name, "", ""
    scanned = stem.replace("_", " ")
    scrubbed = scrub_one(scanned)
    if scrubbed == scanned:
        return name
    return scrubbed.replace(" ", "_") + dot + ext


def safe_echo(values: pl.Series) -> pl.Series:
    """A rejected value as a quarantine reason or row may repeat it: scrubbed, and any value that
    still holds a word (three letters in a row, outside the scrubber's tags) replaced by
    "[text, N tecken]". Numbers, times and dates stay readable for follow-up; a name that a
    resident's data put in a duration or date column does not."""
    text = values.cast(pl.String)
    frame = pl.DataFrame({"raw": text, "s": scrub_text(text)})
    wordy = pl.col("s").str.replace_all(r"\[[A-ZÅÄÖ\-]+\]", "").str.contains(r"\p{L}{3,}")
    hidden = pl.concat_str([pl.lit("[text, "), pl.col("raw").str.len_chars().cast(pl.String), pl.lit(" tecken]")])
    return frame.select(pl.when(wordy).then(hidden).otherwise(pl.col("s"))).to_series().alias(values.name)


_MARKUP_RE = re.compile(r"(?i)https?://|www\.|\]\(|<[a-z/!]|javascript:|[\[\]<>{}`*|\\]")
_LONG_DIGITS_RE = re.compile(r"[0-9][0-9 \-]{4,}[0-9]")
# Swedish surnames mostly end in -sson or -dotter; a word with such an ending is read as a name.
_SURNAME_RE = re.compile(r"(?i)\b\w+(?:sson|dotter)\b")
MAX_VOCABULARY_CHARS = 120


def personal_data_problem(value: str) -> str | None:
    """Why a proposed vocabulary value (or alias, or source-system name) must not be stored, in
    Swedish; None when it looks safe. Refused: anything the scrubber would change (personnummer,
    phone, e-mail, street address), runs of six or more digits, links, Markdown or HTML, words
    with a Swedish surname ending (-sson, -dotter), and overlong values. A first name alone is
    not detectable; that is why new values need this explicit, reviewed step."""
    text = value.strip()
    if not text:
        return "värdet är tomt"
    if len(text) > MAX_VOCABULARY_CHARS:
        return f"värdet är längre än {MAX_VOCABULARY_CHARS} tecken"
    if scrub_one(text) != text or "@" in text:
        return "värdet ser ut att innehålla ett personnummer, telefonnummer, en e-postadress eller en adress"
    if _LONG_DIGITS_RE.search(text):
        return "värdet innehåller en lång sifferföljd (kan vara ett personnummer eller telefonnummer)"
    if _MARKUP_RE.search(text):
        return "värdet innehåller en länk, Markdown eller HTML"
    if _SURNAME_RE.search(text):
        return "värdet ser ut att innehålla ett efternamn"
    return None


def detected_kinds(values: pl.Series) -> pl.Series:
    """Per value: email, personnummer, phone or customer_id (nulls stay null), by the same rules
    as pseudonymise with kind=None."""
    frame = _personnummer_parts(pl.DataFrame({"v": values.cast(pl.String)}))
    return frame.select(pl.when(pl.col("v").is_not_null()).then(_detected_kind())).to_series().alias(values.name)


def misfiled(values: pl.Series, claimed: str | None) -> pl.Series:
    """True where a value is not what its column claims (an e-mail address in a phone column).
    A compact personnummer that also reads as a phone number counts as either."""
    if claimed is None:
        return pl.Series(values.name, [False] * len(values), dtype=pl.Boolean)
    raw = pl.DataFrame({"v": values.cast(pl.String)})
    # Callers repeat: judge each distinct value once and join back.
    frame = _personnummer_parts(raw.unique().drop_nulls())
    frame = frame.with_columns(_detected_kind().alias("kind"))
    ok = pl.col("kind") == claimed
    if claimed == "personnummer":
        ok = ok | pl.col("is_pnr")
    verdict = frame.select("v", ((pl.col("v").str.strip_chars() != "") & ~ok).alias("w"))
    joined = raw.join(verdict, on="v", how="left", maintain_order="left")
    return joined.get_column("w").fill_null(False).alias(values.name)
