"""Streamlit AppTest on the dashboard: open a page for a URL query, and what went wrong on it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def open_page(db, monkeypatch, page: str, query: dict) -> AppTest:
    """`screens/<page>` on the store `db`, opened with `query` in the URL."""
    monkeypatch.setenv("KONTAKTCENTER_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(f"screens/{page}")
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def problems(at: AppTest) -> list[str]:
    """The page's exceptions and error elements."""
    return [e.value for e in at.exception] + [e.value for e in at.error]
