"""The export corpus (sample_data/examples + sample_data/profiles) and a profile's decisions.

A decision is one thing a profile says about the file: a key such as `columns.Talk Time` with
its value. `profile suggest`'s draft and the reviewed profile are compared decision by decision;
what differs is what the review changed (docs/ingest.md lists it per file)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from dashboard.ingest import fields as F

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "sample_data" / "examples"
PROFILES = ROOT / "sample_data" / "profiles"

# file -> (source_system given to suggest, reviewed profile)
CORPUS = {
    "telefoni_export.csv": ("telefoni", "telefoni_export.toml"),
    "arende_export.tsv": ("arendesystem", "arende_export.toml"),
    "call_log_en.csv": ("call_log_en", "call_log_en.toml"),
    "vaxel_arkiv_1997.txt": ("vaxel_arkiv_1997", "vaxel_arkiv_1997.toml"),
    "sf311_cases.csv": ("sf311_cases", "sf311_cases.toml"),
    "chatt_export.csv": ("chatt_export", "chatt_export.toml"),
    "besok_servicepunkt.xlsx": ("besok_servicepunkt", "besok_servicepunkt.toml"),
    "kontakter_utc.parquet": ("kontakter_utc", "kontakter_utc.toml"),
    "servicenow_incidents.csv": ("servicenow_incidents", "servicenow_incidents.toml"),
}

# Keys that only describe (name, description) or restate a default are not decisions.
DEFAULTS = {"file.format": None, "file.encoding": None, "started_at.ambiguous": "earliest",
            "started_at.nonexistent": "quarantine", "drop.agent_columns": True,
            "started_at.timezone": "Europe/Stockholm", "durations.two_part": "mm:ss",
            "started_at.time_format": ["%H:%M:%S", "%H:%M"], "started_at.date_format": ["%Y-%m-%d"]}
IGNORED = {"name", "description", "file.format", "file.encoding"}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def decisions(profile: dict) -> dict[str, object]:
    """Flatten a parsed profile into {decision key: value}, defaults filled in, order kept only
    where it matters (identifiers: the first filled one wins; contact id parts)."""
    out: dict[str, object] = {}

    def put(key, value):
        if key not in IGNORED:
            out[key] = value

    for key, value in profile.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                if key == "values":
                    for src, code in v.items():
                        put(f"values.{sub}.{str(src).lower()}", code)
                elif key == "durations" and isinstance(v, dict) and sub == "unit":
                    for fld, unit in v.items():
                        put(f"durations.unit.{fld}", unit)
                elif key == "durations" and isinstance(v, dict):
                    for fld, fmt in v.items():
                        put(f"durations.{sub}.{fld}", fmt)
                elif key == "columns":
                    put(f"columns.{sub}", _as_list(v))
                elif key == "missing":
                    put(f"missing.{sub}", sorted(str(m).lower() for m in _as_list(v)))
                elif key in ("free_text", "drop") and sub == "columns":
                    put(f"{key}.columns", sorted(v))
                elif key == "booleans":
                    put(f"booleans.{sub}", sorted(str(w).lower() for w in v))
                elif key == "started_at" and sub in ("format", "date_format", "time_format"):
                    put(f"started_at.{sub}", _as_list(v))
                else:
                    put(f"{key}.{sub}", v)
        elif key == "skip":
            put("skip", sorted(str(sorted(rule.items())) for rule in value))
        else:
            put(key, value)
    # A value that is already the contract code or its Swedish label needs no [values] entry, and
    # the ingest always tries the ISO clock forms after the profile's time formats.
    for key in [k for k in out if k.startswith("values.")]:
        _, fld, src = key.split(".", 2)
        if fld in F.ENUM_FIELDS and F.enum_lookup(fld).get(src) == out[key]:
            out.pop(key)
    for key, default in DEFAULTS.items():
        if key not in IGNORED:
            out.setdefault(key, default)
    if "started_at.time_format" in out:
        out["started_at.time_format"] = sorted(set(out["started_at.time_format"]) | {"%H:%M:%S", "%H:%M"})
    if isinstance(out.get("durations.format"), str) and out["durations.format"] == "auto":
        out.pop("durations.format")
    for key in [k for k in out if k.startswith("booleans.") and out[k] == []]:
        out.pop(key)
    for key in ("free_text.columns", "drop.columns", "identifiers.columns"):
        if out.get(key) == []:
            out.pop(key)
    return out


def differences(suggested: str, reviewed: Path) -> dict[str, tuple[object, object]]:
    """Decision key -> (suggested value, reviewed value) where they differ."""
    a = decisions(tomllib.loads(suggested))
    b = decisions(tomllib.loads(reviewed.read_text(encoding="utf-8")))
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
