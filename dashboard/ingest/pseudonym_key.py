"""The secret HMAC key of the pseudonyms: where it is found, what counts as a key, its fingerprint.

- `load_key` finds the key (env KONTAKTCENTER_KEY or settings.key_file, never the store) and
  refuses a passphrase, a short or repetitive key, and a key file that is a database.
- `key_fingerprint` is a short, non-secret id of a key for the ingest log.

The pseudonyms and the scrubbing that use the key are in dashboard.ingest.pii; docs/privacy.md
explains it all.
"""

from __future__ import annotations

import base64
import hmac
import logging
import os
import re
import stat
import sys
from pathlib import Path

from dashboard.formatting import os_reason

KEY_ENV = "KONTAKTCENTER_KEY"
MIN_KEY_BYTES = 16  # floor for a key handed to pseudonymise() in code
MIN_RANDOM_KEY_BYTES = 32  # a key from the environment or a key file (load_key)
MIN_DISTINCT_KEY_BYTES = 16  # 32 random bytes have about 30 distinct values; < 16 is repetition
_DUCKDB_MAGIC = b"DUCK"  # bytes 8..11 of every DuckDB database file


class MissingKeyError(Exception):
    """No usable pseudonymisation key; str(exc) is a Swedish message that names the fix."""


class InvalidKeyError(MissingKeyError):
    """A key was found but is unsafe (too short, too simple, or stored in the database itself)."""


def _read_reason(exc: Exception) -> str:
    return os_reason(exc) if isinstance(exc, OSError) else "filen är inte UTF-8-text"


def _generate_hint(path: Path) -> str:
    # The umask makes the file owner-only from its first byte (chmod afterwards leaves a window).
    return f'(umask 077 && python3 -c "import secrets; print(secrets.token_hex(32))" > {path})'


def load_key(settings) -> bytes:
    """The HMAC key: env KONTAKTCENTER_KEY first, else the file settings.key_file.

    A key is at least MIN_RANDOM_KEY_BYTES random bytes, written as hex or base64 (see
    _parse_key for what counts as a passphrase and is refused). The key must live outside the
    store: a key file that is the database (or its WAL file), or any DuckDB file, is refused. A
    key file that others than its owner may read is used, with a warning.
    """
    path = Path(settings.key_file).expanduser()
    raw = os.environ.get(KEY_ENV, "").strip()
    if raw:
        return _parse_key(raw, f"miljövariabeln {KEY_ENV}", path)
    _refuse_key_in_store(path, Path(settings.db).expanduser())
    if not path.is_file():
        raise MissingKeyError(
            f"Nyckel för pseudonymisering saknas: varken {KEY_ENV} eller nyckelfilen {path} finns. "
            "Utan nyckel kan personuppgifter inte ersättas med pseudonymer, så inget läses in. "
            f"Åtgärd: sätt {KEY_ENV} eller skapa nyckelfilen, t.ex. `{_generate_hint(path)}`. "
            "Spara nyckeln utanför databasen och ta säkerhetskopia på den: utan samma nyckel "
            "kan nya kontakter inte kopplas till tidigare."
        )
    try:
        raw = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidKeyError(
            f"Nyckelfilen {path} kan inte läsas ({_read_reason(exc)}). "
            "Åtgärd: kontrollera rättigheterna "
            f"(chmod 600 {path}) eller skapa en ny med `{_generate_hint(path)}`."
        ) from exc
    _warn_if_readable_by_others(path)
    return _parse_key(raw, f"nyckelfilen {path}", path)


def _warn_if_readable_by_others(path: Path) -> None:
    if sys.platform == "win32":  # no POSIX modes; NTFS rights are out of our reach here
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logging.getLogger(__name__).warning(
            "Nyckelfilen %s kan läsas eller ändras av andra än ägaren (rättigheter %04o). "
            "Åtgärd: chmod 600 %s", path, mode, path)


def _refuse_key_in_store(key_path: Path, db_path: Path) -> None:
    store_files = {db_path.resolve(), Path(str(db_path) + ".wal").resolve()}
    in_store = key_path.resolve() in store_files
    if not in_store and key_path.is_file():
        try:
            with key_path.open("rb") as fh:
                in_store = fh.read(12)[8:12] == _DUCKDB_MAGIC
        except OSError:
            in_store = False
    if in_store:
        raise InvalidKeyError(
            f"Nyckelfilen {key_path} är en databasfil. Nyckeln måste ligga utanför databasen, "
            "annars skyddar pseudonymerna ingenting. Åtgärd: ange en egen fil i key_file "
            f"(KONTAKTCENTER_KEY_FILE) och skapa den med `{_generate_hint(Path('<sökväg>'))}`."
        )


def _decode_key(raw: str) -> bytes | None:
    """Hex (an even number of hex digits) or base64 (standard or URL-safe, padding optional)
    with both upper- and lower-case letters; None for anything else. Random base64 of 32 bytes
    lacks one of the cases with probability about 4e-10, glued-together words of one case
    (and hex cut short) do not pass as base64."""
    if len(raw) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", raw):
        return bytes.fromhex(raw)
    if re.fullmatch(r"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}", raw) and re.search(
        "[a-z]", raw) and re.search("[A-Z]", raw):
        body = raw.rstrip("=")
        if len(body) % 4 != 1:
            return base64.b64decode(body.translate(str.maketrans("-_", "+/")) + "=" * (-len(body) % 4))
    return None


def _parse_key(raw: str, source: str, path: Path) -> bytes:
    """A passphrase is refused: text that is not hex or base64 (spaces, punctuation, å, ä, ö,
    words of one letter case), fewer than MIN_RANDOM_KEY_BYTES decoded bytes, or decoded bytes
    with fewer than MIN_DISTINCT_KEY_BYTES different values (repetition such as 00…00 or abab…)."""
    key = _decode_key(raw)
    if key is None or len(key) < MIN_RANDOM_KEY_BYTES or len(set(key)) < MIN_DISTINCT_KEY_BYTES:
        what = ("ser ut som en lösenfras, inte som slumpade byte i hex eller base64"
                if key is None else
                f"är {len(key)} byte" if len(key) < MIN_RANDOM_KEY_BYTES else
                "upprepar sig (för få olika byte för att vara slumpad)")
        raise InvalidKeyError(
            f"Nyckeln i {source} är för svag: den {what}. En nyckel ska vara minst "
            f"{MIN_RANDOM_KEY_BYTES} slumpade byte, skrivna som hex eller base64. Åtgärd: skapa "
            f"en ny, t.ex. `{_generate_hint(path)}`."
        )
    return key


def key_fingerprint(key: bytes) -> str:
    """A short, non-secret id of a key (for the ingest log): pseudonyms made with different
    fingerprints cannot be linked, so repeat detection must not cross that boundary."""
    return hmac.digest(key, b"kontaktcenter key fingerprint v1", "sha256").hex()[:12]
