"""The append-only audit log: one JSON line per sign-in, sign-out, download and export.

It lives at `settings.audit_log`, outside the DuckDB store: the dashboard opens the store
read-only, and an audit trail must not depend on (or be rewritten by) a store rebuild. The file is
opened with O_APPEND for every entry, the line goes out in a single write, is fsynced, and the
file is never truncated, rewritten or read back by the writer. If the entry cannot be written the
export fails: an export that is not recorded is not handed out. Each line names the person
(`user`) and their role (`role`); an export line is written only once the file is built. A
dashboard download is handed to the browser with that line (`status: "delivered"`). The CLI
writes a file or a pipe after the line, so its line says `status: "started"` and a second line
(`outcome`) says how the writing ended, `"delivered"` or `"failed"` (a full disk, a reader
that went away): the log never calls an export delivered before it was. `out` is where the
CLI wrote it, the path as given or "stdout".

Retention (`settings.audit_retention_days`): `prune` drops entries older than that, by writing
the kept lines to a new file and renaming it over the log under the writers' lock; it runs when
the dashboard starts and with every CLI export. Nothing else ever removes a line.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from dashboard.formatting import os_reason
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

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
    role: str | None = None  # the person's role(s) (dashboard.auth), "lokal" without sign-in
    status: str = "delivered"  # one of STATUS_LABELS
    out: str | None = None  # where the CLI wrote it: the path as given, or "stdout"


# An export's status, and its word on the Granskningslogg page.
STATUS_LABELS = {"started": "påbörjad", "delivered": "lämnad ut", "failed": "misslyckad"}


def entry_for(what: str, fmt: str, file_name: str, filters: dict, via: str,
              user: str | None, content: bytes, role: str | None = None,
              status: str = "delivered", out: str | None = None) -> AuditEntry:
    return AuditEntry(what, fmt, file_name, filters, via, user, len(content),
                      hashlib.sha256(content).hexdigest(), role, status, out)


def os_user() -> str | None:
    """The operating-system user running the CLI, where the platform tells."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without USER); record unknown
        return None


def append(path: Path | str, entry: AuditEntry, *, now: datetime | None = None) -> dict:
    """Append one export entry; returns the record written."""
    record = {
        "at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "event": "export",
        "role": entry.role,
        "status": entry.status,
        "what": entry.what,
        "format": entry.format,
        "file": entry.file_name,
        "out": entry.out,
        "filter": entry.filters,
        "via": entry.via,
        "user": entry.user,
        "bytes": entry.size_bytes,
        "sha256": entry.sha256,
    }
    _write(Path(path), record)
    return record


def outcome(path: Path | str, started: dict, status: str, *,
            now: datetime | None = None) -> dict:
    """Append how a started export's writing ended ("delivered" or "failed"): the started
    record again (same file, filter, checksum, `out`) with its own time and status."""
    record = {**started, "at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
              "status": status}
    _write(Path(path), record)
    return record


def event(path: Path | str, kind: str, *, user: str | None, role: str | None,
          via: str = "dashboard", details: dict | None = None,
          now: datetime | None = None) -> dict:
    """Append a sign-in (`kind` "sign-in"), sign-out ("sign-out") or refusal ("no-role") entry."""
    record = {"at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
              "event": kind, "user": user, "role": role, "via": via, **(details or {})}
    _write(Path(path), record)
    return record


def _write(path: Path, record: dict) -> None:
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # owner only
    except OSError as exc:
        raise AuditError(
            f"Exportloggen {path} kan inte öppnas ({os_reason(exc)}). Exporten har inte skapats. "
            "Ge skrivrätt till katalogen eller ange en annan plats med KONTAKTCENTER_AUDIT_LOG."
        ) from exc
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # a prune may have renamed a new file over the log while we waited: write there
            while os.fstat(fd).st_ino != _inode(path):
                os.close(fd)
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX)
        data = line.encode("utf-8")
        written = os.write(fd, data)
        if written != len(data):
            raise OSError(0, "ofullständig skrivning")
        os.fsync(fd)
    except OSError as exc:
        raise AuditError(
            f"Exportloggen {path} kunde inte skrivas ({os_reason(exc)}). Exporten har inte skapats. "
            "Kontrollera diskutrymme och skrivrätt."
        ) from exc
    finally:
        os.close(fd)  # closing releases the lock


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def read(path: Path | str) -> list[dict]:
    """Every entry, oldest first (for the förvaltare's page); a line that is not JSON is kept
    as {"unreadable": text} so a damaged log is visible, not hidden."""
    path = Path(path)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            out.append({"unreadable": line})
    return out


def prune(path: Path | str, retention_days: int, *, now: datetime | None = None) -> int:
    """Drop entries older than `retention_days` (0: keep everything); returns how many went.
    Under the writers' lock, so no entry written meanwhile is lost."""
    path = Path(path)
    if retention_days <= 0 or not path.exists():
        return 0
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=retention_days)
    fd = os.open(path, os.O_RDWR | os.O_APPEND)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        lines = path.read_bytes().splitlines(keepends=True)
        kept = [ln for ln in lines if not _older(ln, cutoff)]
        if len(kept) == len(lines):
            return 0
        tmp = path.with_name(f".{path.name}.prune")
        tfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(tfd, b"".join(kept))
            os.fsync(tfd)
        finally:
            os.close(tfd)
        os.replace(tmp, path)
        return len(lines) - len(kept)
    finally:
        os.close(fd)


def _older(line: bytes, cutoff: datetime) -> bool:
    try:
        at = datetime.fromisoformat(json.loads(line)["at"])
    except (ValueError, KeyError, TypeError):
        return False  # an unreadable line is kept for a person to look at
    return at < cutoff


EVENT_LABELS = {"sign-in": "inloggning", "sign-out": "utloggning", "no-role": "inloggning utan roll",
                "role-change": "ändrad roll", "export": "nedladdning/export"}


def display_rows(entries: list[dict], newest_first: bool = True,
                 timezone_name: str = "Europe/Stockholm") -> list[dict]:
    """The entries as rows under Swedish headers, for the förvaltare's page: short columns that
    fit the page (the whole entry is shown when a row is chosen), times in local time."""
    rows = []
    for e in entries:
        if "unreadable" in e:
            rows.append({"Tid": "", "Händelse": "oläslig rad", "Person": "", "Roll": "",
                         "Vad": e["unreadable"][:200], "Status": "", "Skrevs till": ""})
            continue
        what = e.get("file") or ""
        written_to = ""
        if e.get("event", "export") == "export":
            what = f"{e.get('what', '')}: {what}"
            # a download goes to the person's browser; a CLI line names its --out
            written_to = e.get("out") or ("webbläsaren" if e.get("via") == "dashboard" else "")
        rows.append({
            "Tid": local_time_text(e.get("at", ""), timezone_name),
            "Händelse": EVENT_LABELS.get(e.get("event", "export"), e.get("event", "")),
            "Person": e.get("user") or "okänd",
            "Roll": e.get("role") or "",
            "Vad": what,
            "Status": STATUS_LABELS.get(e.get("status"), ""),
            "Skrevs till": written_to,
        })
    return rows[::-1] if newest_first else rows


def local_time_text(at: str, timezone_name: str) -> str:
    """'2026-12-02 01:15:00' in the reporting time zone from a stored UTC ISO time."""
    try:
        moment = datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return str(at or "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(timezone_name)).strftime("%Y-%m-%d %H:%M:%S")


def entry_text(entry: dict) -> str:
    """One entry in full, for the page's detail view (every field, Swedish-readable JSON)."""
    return json.dumps(entry, ensure_ascii=False, indent=2, default=str)
