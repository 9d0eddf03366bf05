"""One typed settings object, read from the environment and an optional TOML file.

Precedence (highest first): explicit arguments, environment variables, the TOML file
(`KONTAKTCENTER_CONFIG`, default `<config dir>/config.toml`), the defaults below.
Every default is documented in docs/configuration.md.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "KONTAKTCENTER_"


def user_data_dir() -> Path:
    """Per-user data directory (XDG on Linux, LOCALAPPDATA on Windows, ~/Library on macOS)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "kontaktcenter"


def user_config_dir() -> Path:
    if sys.platform == "win32" or sys.platform == "darwin":
        return user_data_dir()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "kontaktcenter"


@dataclass(frozen=True)
class Settings:
    # Where the DuckDB store lives.
    db: Path = field(default_factory=lambda: user_data_dir() / "kontaktcenter.duckdb")
    # The pseudonymisation key: a file outside the store (or KONTAKTCENTER_KEY in the environment).
    key_file: Path = field(default_factory=lambda: user_config_dir() / "pseudonym.key")
    # Append-only export audit log; outside the store because the dashboard opens it read-only.
    audit_log: Path = field(default_factory=lambda: user_data_dir() / "export-audit.jsonl")
    # Days an audit entry is kept (sign-ins, downloads, exports); 0 keeps everything.
    audit_retention_days: int = 730
    # Who may see what when sign-in is configured (docs/roles.md).
    roles_file: Path = field(default_factory=lambda: user_config_dir() / "roles.toml")
    # Metric settings (docs/metrics.md explains each).
    service_level_s: int = 60
    service_level_alt_s: int = 20
    short_abandon_s: int = 5
    repeat_window_days: int = 7
    cost_per_handled_minute_sek: float = 12.0
    working_hours_per_fte: float = 1600.0
    small_cell_threshold: int = 5
    # Statistical, not privacy: a rate, mean or percentile over fewer observations is marked
    # "osäker" (uncertain). Never below small_cell_threshold in effect.
    rate_min_n: int = 20
    # Time zone of the report: local days, hours and weekdays in the marts follow it (a store
    # holds UTC instants; the marts are rebuilt when this changes).
    reporting_timezone: str = "Europe/Stockholm"
    # Ingest: start times before this date, or more than this many days ahead, are quarantined
    # as implausible (lower the date for an old archive).
    earliest_plausible_date: dt.date = dt.date(2000, 1, 1)
    plausible_days_ahead: int = 1
    # Ingest exits non-zero when a file's quarantined share of its rows exceeds this
    # (`kontaktcenter ingest --max-quarantine-share` overrides it).
    ingest_max_quarantine_share: float = 0.1
    # Memory a writing command (ingest, sample, migrate, refresh, vocabulary, the publish of a
    # snapshot) may use; DuckDB spills the rest to `<db>.tmp` next to the store. DuckDB's limit
    # covers its buffers only: 1.4 GB kept a full rebuild of 30 million contacts at a 1.7 GB peak
    # (2 GB gave 2.3), inside the 2 GB a write may take (docs/architecture.md).
    write_memory_limit: str = "1.4GB"

    def with_overrides(self, **values) -> "Settings":
        return replace(self, **{k: v for k, v in values.items() if v is not None})


_MEMORY_UNITS = {"K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
                 "KI": 2**10, "MI": 2**20, "GI": 2**30, "TI": 2**40}


def memory_bytes(text: str) -> int | None:
    """A memory amount as DuckDB reads it ("1.4GB" = 1.4e9 bytes, "512MiB"), or None."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]i?)B\s*", text, re.IGNORECASE)
    return int(float(m[1]) * _MEMORY_UNITS[m[2].upper()]) if m else None


def _coerce(name: str, raw, default):
    if isinstance(default, dt.date):
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError(f"Inställningen {name} ska vara ett datum ÅÅÅÅ-MM-DD (fick {raw!r}).") from None
    if isinstance(default, Path):
        return Path(raw).expanduser()
    if isinstance(default, bool):
        return str(raw).lower() in {"1", "true", "yes", "ja"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_settings(config_file: Path | None = None, **overrides) -> Settings:
    """Build Settings from defaults, the TOML file, the environment and explicit overrides."""
    base = Settings()
    values: dict = {}
    path = config_file or Path(os.environ.get(ENV_PREFIX + "CONFIG", user_config_dir() / "config.toml"))
    if path.is_file():
        with path.open("rb") as fh:
            values.update(tomllib.load(fh))
    for f in fields(Settings):
        env = os.environ.get(ENV_PREFIX + f.name.upper())
        if env not in (None, ""):
            values[f.name] = env
    known = {f.name: getattr(base, f.name) for f in fields(Settings)}
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(
            f"Okänd inställning i {path}: {', '.join(sorted(unknown))}. "
            f"Giltiga: {', '.join(sorted(known))}."
        )
    coerced = {k: _coerce(k, v, known[k]) for k, v in values.items()}
    settings = replace(base, **coerced).with_overrides(**overrides)
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    try:
        ZoneInfo(settings.reporting_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"reporting_timezone {settings.reporting_timezone!r} är ingen känd tidszon; "
                         'använd ett IANA-namn som "Europe/Stockholm" eller "UTC".') from None
    if memory_bytes(settings.write_memory_limit) is None:
        raise ValueError(f"write_memory_limit {settings.write_memory_limit!r} är ingen minnesmängd; "
                         'skriv t.ex. "2GB" eller "512MB".')
    if not 0 <= settings.ingest_max_quarantine_share <= 1:
        raise ValueError("ingest_max_quarantine_share ska ligga mellan 0 och 1 (t.ex. 0.1 för 10 %).")
