"""The append-only export audit log: one JSON line per export.

It lives at `settings.audit_log`, outside the DuckDB store: the dashboard opens the store
read-only, and an audit trail must not depend on (or be rewritten by) a store rebuild. The file is
opened with O_APPEND for every entry, the line goes out in a single write, is fsynced, and the
file is never truncated, rewritten or read back by the writer. If the entry cannot be written the
export fails: an export that is not recorded is not handed out.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

try:  # POSIX: serialise writers from several processes (CLI next to the dashboard).
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl; O_APPEND still appends
    fcntl = None


class AuditError(RuntimeError):
    """The audit log could not be written; the message is Swedish and names the fix."""


@dataclass(frozen=True)
class AuditEntry:
    what: str  # e.g. "forvaltningspaket", "tabell"
    format: str  # xlsx, pdf, csv
    file_name: str
    filters: dict  # the filter in force, in plain values
    via: str  # "cli" or "dashboard"
    user: str | None  # who, where known
    size_bytes: int
    sha256: str


def entry_for(what: str, fmt: str, file_name: str, filters: dict, via: str,
              user: str | None, content: bytes) -> AuditEntry:
    return AuditEntry(what, fmt, file_name, filters, via, user, len(content),
                      hashlib.sha256(content).hexdigest())


def os_user() -> str | None:
    """The operating-system user running the CLI, where the platform tells."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without USER); record unknown
        return None


def append(path: Path | str, entry: AuditEntry, *, now: datetime | None = None) -> dict:
    """Append one entry; returns the record written."""
    record = {
        "at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "what": entry.what,
        "format": entry.format,
        "file": entry.file_name,
        "filter": entry.filters,
        "via": entry.via,
        "user": entry.user,
        "bytes": entry.size_bytes,
        "sha256": entry.sha256,
    }
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n")
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # owner only
    except OSError as exc:
        raise AuditError(
            f"Exportloggen {path} kan inte öppnas ({exc.strerror}). Exporten har inte skapats. "
            "Ge skrivrätt till katalogen eller ange en annan plats med KONTAKTCENTER_AUDIT_LOG."
        ) from exc
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        data = line.encode("utf-8")
        written = os.write(fd, data)
        if written != len(data):
            raise OSError(0, "ofullständig skrivning")
        os.fsync(fd)
    except OSError as exc:
        raise AuditError(
            f"Exportloggen {path} kunde inte skrivas ({exc.strerror}). Exporten har inte skapats. "
            "Kontrollera diskutrymme och skrivrätt."
        ) from exc
    finally:
        os.close(fd)  # closing releases the lock
    return record
