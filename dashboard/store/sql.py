"""Load named queries from queries/ and run them with bound parameters.

Names are file stems relative to queries/ (e.g. "marts/daily_contacts"). Unknown names are
refused, so no caller can smuggle SQL text through this module; values are always bound.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from dashboard.store.database import QUERIES_DIR


class UnknownQuery(KeyError):
    pass


@cache
def available() -> frozenset[str]:
    return frozenset(
        p.relative_to(QUERIES_DIR).with_suffix("").as_posix()
        for p in QUERIES_DIR.rglob("*.sql")
        if "migrations" not in p.parts
    )


@cache
def text(name: str) -> str:
    if name not in available():
        raise UnknownQuery(f"Okänd fråga {name!r}. Kända: {', '.join(sorted(available()))}")
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> pl.DataFrame:
    """Run a named query with bound parameters and return a Polars frame."""
    return con.sql(text(name), params=params or {}).pl()


def execute(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> None:
    """Run a named statement (DDL/DML) with bound parameters."""
    con.execute(text(name), params or {})


def path(name: str) -> Path:
    text(name)
    return QUERIES_DIR / f"{name}.sql"
