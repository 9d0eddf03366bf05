"""The metric registry: complete, documented, and computable on the sample."""

import re
from pathlib import Path

import duckdb
import pytest

from dashboard.config import Settings
from dashboard.metrics import Filters, compute
from dashboard.metrics.docs import render
from dashboard.metrics.metric import AREAS, UNITS
from dashboard.metrics.registry import REGISTRY

DOCS = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"

# Metric ids other code and users rely on (part of the interface).
INTERFACE_IDS = {
    "offered", "answered", "abandoned", "answer_rate", "service_level", "asa_s", "wait_median_s",
    "wait_p90_s", "abandon_rate", "abandon_rate_excl_short", "aht_s", "reply_within_1_workday",
    "reply_within_2_workdays", "channel_share", "digital_share", "outside_opening_hours_share",
    "satisfaction_mean", "satisfaction_index", "resolved_rate", "forwarded_rate", "referred_rate",
    "failure_demand_share", "repeat_rate", "contacts_per_resolved_matter",
}


def test_docs_metrics_md_is_generated_from_the_registry():
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/metrics.md is stale: run `python -m dashboard.metrics.docs > docs/metrics.md`")


def test_every_interface_metric_is_registered():
    assert INTERFACE_IDS <= set(REGISTRY)


@pytest.mark.parametrize("metric", REGISTRY.values(), ids=list(REGISTRY))
def test_every_metric_is_fully_described(metric):
    assert re.fullmatch(r"[a-z][a-z0-9_]*", metric.id)
    assert metric.area in AREAS and metric.unit in UNITS
    settings = Settings()
    for text in (metric.label_for(settings), metric.definition_for(settings), metric.source):
        assert text and "{" not in text
    assert metric.min_n_for(settings) >= settings.small_cell_threshold
    assert f"`{metric.id}`" in DOCS.read_text(encoding="utf-8")
    assert metric.inferred == ("HÄRLEDD" in metric.definition)


def test_every_metric_is_computable_on_the_sample(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    row = compute(con, Filters(), list(REGISTRY)).row(0, named=True)
    con.close()
    empty = [m for m in REGISTRY if row[m] is None or row[f"{m}__n"] is None]
    assert empty == []


def test_every_setting_is_documented_with_its_default():
    from dataclasses import fields
    from pathlib import Path as P

    text = (P(__file__).resolve().parent.parent / "docs" / "configuration.md").read_text(encoding="utf-8")
    defaults = Settings()
    for f in fields(Settings):
        assert f"| `{f.name}` |" in text, f.name
        value = getattr(defaults, f.name)
        if not isinstance(value, Path):
            assert f"| `{f.name}` | `{value}` |" in text, f.name
