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


def _section(metric_id: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"### `{metric_id}`:")
    ends = [i for i in (text.find("\n### ", start + 1), text.find("\n## ", start + 1)) if i > 0]
    return text[start:min(ends)]


def test_the_trail_of_service_level_gives_its_inputs_sql_and_tests():
    section = _section("service_level")
    assert "`dashboard/metrics/catalog_access.py`" in section
    assert ("`answered_within_sl`: `queries/marts/contact_dist.sql`, fördelningen `wait_answered`"
            in section)
    assert "`abandoned_n`: `queries/marts/contact_facts.sql`, kolumnen `abandoned_n`" in section
    assert "`test_service_level_denominator_drops_short_abandons_and_callbacks`" in section


def test_every_trail_column_is_a_column_of_the_facts_mart(sample_db):
    """Checked against the built store, independently of the generator's reading of the SQL."""
    from dashboard.metrics import inputs

    con = duckdb.connect(str(sample_db), read_only=True)
    columns = {r[0] for r in con.execute("describe contact_facts").fetchall()}
    measures = {r[0] for r in con.execute("select distinct measure from contact_dist").fetchall()}
    con.close()
    for metric in REGISTRY.values():
        for name in metric.inputs:
            base = inputs.split_total(name)[0] if inputs.is_total(name) else name
            if base in inputs.THRESHOLDS:
                assert inputs.THRESHOLDS[base].measure in measures
            elif base in inputs.PERCENTILES:
                assert inputs.PERCENTILES[base][0] in measures
            elif base not in inputs.SPECIAL and not base.startswith("setting:"):
                assert base in columns, (metric.id, base)
                assert f"kolumnen `{base}`" in _section(metric.id)


def test_an_input_the_sql_does_not_define_stops_the_generator():
    from dashboard.metrics.docs import input_source

    with pytest.raises(LookupError, match="no_such_n"):
        input_source("no_such_n")
