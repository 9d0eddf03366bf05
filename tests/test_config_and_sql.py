"""Settings precedence and the named-query loader."""

from pathlib import Path

import pytest

from dashboard.store import sql
from dashboard.config import Settings, load_settings


def test_defaults_match_the_documented_values(monkeypatch, tmp_path):
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "none.toml"))
    for var in ("KONTAKTCENTER_DB", "KONTAKTCENTER_SERVICE_LEVEL_S"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings()
    assert (s.service_level_s, s.service_level_alt_s, s.short_abandon_s) == (60, 20, 5)
    assert (s.repeat_window_days, s.small_cell_threshold) == (7, 5)


def test_environment_beats_file_and_arguments_beat_environment(monkeypatch, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('service_level_s = 30\nsmall_cell_threshold = 10\ndb = "/tmp/fil.duckdb"\n')
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(cfg))
    monkeypatch.setenv("KONTAKTCENTER_SERVICE_LEVEL_S", "45")
    monkeypatch.delenv("KONTAKTCENTER_DB", raising=False)
    s = load_settings()
    assert s.service_level_s == 45 and s.small_cell_threshold == 10
    assert s.db == Path("/tmp/fil.duckdb")
    assert load_settings(db=Path("/x.duckdb")).db == Path("/x.duckdb")


def test_unknown_setting_is_refused_with_the_valid_names(monkeypatch, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("servicelevel = 30\n")
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(cfg))
    with pytest.raises(ValueError, match="service_level_s"):
        load_settings()


def test_unknown_query_names_are_refused():
    with pytest.raises(sql.UnknownQuery):
        sql.text("../migrations/001_contract")
    with pytest.raises(sql.UnknownQuery):
        sql.text("select 1")


def test_settings_are_hashable_for_cache_keys():
    assert hash(Settings()) == hash(Settings())
