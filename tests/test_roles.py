"""Roles and scope without a browser: the roles file, each role's access, and the door refusing
and narrowing results for a scoped person (every result kind, on the real sample store)."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import date, datetime, timedelta, timezone

import polars as pl
import pytest

from dashboard import privacy
from dashboard.auth import (ANALYTIKER, CHEF, FORVALTARE, SAMORDNARE, Person, RolesFileError,
                            load_roles, local_access, resolve)
from dashboard.auth.roles import parse_roles
from dashboard.auth.scope import lock_state, scope_view
from dashboard.config import Settings
from dashboard.export import audit
from dashboard.metrics import Filters
from dashboard.view import FilterOptions, FilterState

OWN = "Förskoleförvaltningen"
ROLES_TOML = f"""
contact = "Kontaktcenters analysgrupp, analys@example.org"

[[grant]]
role = "analytiker"
emails = ["Anna@Example.org"]

[[grant]]
role = "samordnare"
departments = ["{OWN}"]
groups = ["grp-forskola"]

[[grant]]
role = "chef"
departments = ["{OWN}", "Fritidsförvaltningen"]
emails = ["chef@example.org"]

[[grant]]
role = "forvaltare"
emails = ["drift@example.org", "anna@example.org"]
"""


@pytest.fixture
def roles_file(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES_TOML, encoding="utf-8")
    return path


def test_roles_by_email_and_group(roles_file):
    roles = load_roles(roles_file)
    assert roles.contact.startswith("Kontaktcenters analysgrupp")
    anna = resolve(roles, Person("anna@EXAMPLE.org"))
    assert anna.roles == {ANALYTIKER, FORVALTARE} and anna.departments is None
    assert anna.analyses and anna.packs and anna.administers and not anna.scoped
    sam = resolve(roles, Person("sara@example.org", groups=("other", "grp-forskola")))
    assert sam.roles == {SAMORDNARE} and sam.departments == (OWN,)
    assert sam.analyses and not sam.packs and not sam.administers and not sam.sees_quality
    chef = resolve(roles, Person("chef@example.org"))
    assert chef.roles == {CHEF} and chef.departments == (OWN, "Fritidsförvaltningen")
    assert chef.packs and not chef.administers
    drift = resolve(roles, Person("drift@example.org"))
    assert drift.roles == {FORVALTARE} and not drift.analyses and drift.administers
    nobody = resolve(roles, Person("okand@example.org", groups=("grp-annat",)))
    assert not nobody.has_role and nobody.contact == roles.contact
    assert not resolve(roles, Person(None)).has_role


def test_scoped_grants_add_up_and_analytiker_wins():
    roles = parse_roles({"grant": [
        {"role": "samordnare", "departments": ["A"], "groups": ["g1"]},
        {"role": "chef", "departments": ["B"], "groups": ["g2"]},
        {"role": "analytiker", "groups": ["g3"]},
    ]})
    assert resolve(roles, Person("x@y", ("g1", "g2"))).departments == ("A", "B")
    assert resolve(roles, Person("x@y", ("g1", "g3"))).departments is None


@pytest.mark.parametrize("grant, message", [
    ({"role": "admin", "emails": ["a@b"]}, "okänd roll"),
    ({"role": "samordnare", "emails": ["a@b"]}, "behöver departments"),
    ({"role": "analytiker", "emails": ["a@b"], "departments": ["A"]}, "ta bort departments"),
    ({"role": "chef", "departments": ["A"]}, "varken e-post eller grupp"),
    ({"role": "chef", "departments": ["A"], "emails": "a@b"}, "lista med texter"),
    ({"role": "chef", "departments": ["A"], "emails": ["a@b"], "mail": 1}, "okänd nyckel"),
])
def test_impossible_roles_are_refused(grant, message):
    with pytest.raises(RolesFileError, match=message):
        parse_roles({"grant": [grant]})


def test_missing_roles_file_grants_nothing(tmp_path):
    assert not resolve(load_roles(tmp_path / "nope.toml"), Person("anna@example.org")).has_role


def test_a_role_change_applies_on_the_next_read(roles_file):
    assert resolve(load_roles(roles_file), Person("x@example.org", ("grp-forskola",))).has_role
    before = roles_file.stat().st_mtime_ns
    roles_file.write_text(ROLES_TOML.replace('groups = ["grp-forskola"]', 'groups = ["grp-ny"]'),
                          encoding="utf-8")
    os.utime(roles_file, ns=(before + 10**9, before + 10**9))  # a coarse clock must not hide it
    assert not resolve(load_roles(roles_file), Person("x@example.org", ("grp-forskola",))).has_role


def test_local_mode_has_every_right():
    local = local_access()
    assert local.analyses and local.packs and local.administers and local.departments is None


def _banner_of_the_local_mode():
    from dashboard.auth import local_access
    from dashboard.ui.auth import banner

    banner(local_access())


def test_the_local_mode_banner_tells_a_user_whom_to_ask():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_banner_of_the_local_mode).run()   # no secrets: no sign-in
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("**Lokalt enanvändarläge.** Ingen inloggning är konfigurerad")
    assert "inloggning konfigureras av den som driver tjänsten" in warning
    assert "docs/" not in warning and ".md" not in warning   # no path a dashboard user cannot open


# --- the locked filter, pure -------------------------------------------------------------------


def _options(departments):
    return FilterOptions(earliest=date(2025, 1, 1), latest=date(2025, 6, 30), departments=departments)


def test_url_department_outside_the_scope_is_ignored_with_a_notice():
    options = _options((OWN, "Fritidsförvaltningen", "Serviceförvaltningen"))
    scoped = scope_view({"department": ["Serviceförvaltningen"], "period": ["month"]}, options, (OWN,))
    assert scoped.locked and scoped.options.departments == (OWN,)
    assert "department" not in scoped.params and scoped.params["period"] == ["month"]
    assert scoped.notices and "Serviceförvaltningen" in scoped.notices[0] and "behörighet" in scoped.notices[0]
    assert lock_state(FilterState(), (OWN,)).department == OWN  # no whole-city choice
    assert lock_state(FilterState(department="Serviceförvaltningen"), (OWN,)).department == OWN
    open_view = scope_view({"department": ["Serviceförvaltningen"]}, options, None)
    assert not open_view.locked and open_view.params == {"department": ["Serviceförvaltningen"]}


# --- the door, every kind, on the sample store ------------------------------------------------


def _departments(con) -> list[str]:
    return [r[0] for r in con.execute("select department from departments order by 1").fetchall()]


def _strings(value, out: set[str]) -> set[str]:
    if isinstance(value, pl.DataFrame):
        for col in value.columns:
            if value[col].dtype == pl.String:
                out.update(v for v in value[col].to_list() if v is not None)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _strings(getattr(value, f.name), out)
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _strings(v, out)
    elif isinstance(value, str):
        out.add(value)
    return out


PERIOD = dict(start=date(2025, 1, 1), end=date(2025, 3, 31))
KIND_OPTIONS = {privacy.METRICS: dict(metric_ids=("contacts", "answer_rate"), by=("department",)),
                privacy.FAILURE_DEMAND_BREAKDOWN: dict(by="department")}


@pytest.mark.parametrize("kind", privacy.KINDS, ids=lambda k: k.name)
@pytest.mark.parametrize("own", [False, True], ids=["city", "own"])
def test_a_scoped_result_never_names_another_department(sample_con, kind, own):
    departments = _departments(sample_con)
    assert OWN in departments and len(departments) > 5
    others = set(departments) - {OWN}
    filters = Filters(**PERIOD, departments=(OWN,) if own else (), scope=(OWN,))
    shown = privacy.fetch(kind, sample_con, filters, Settings(), **KIND_OPTIONS.get(kind, {}))
    assert not (_strings(shown.result, set()) & others)
    # ... while the same request without a scope does name them where the kind lists departments
    if kind in (privacy.METRICS, privacy.SERVICE_GAP_LEDGER, privacy.FAILURE_DEMAND_BREAKDOWN) and not own:
        wide = privacy.fetch(kind, sample_con, Filters(**PERIOD), Settings(), **KIND_OPTIONS.get(kind, {}))
        assert _strings(wide.result, set()) & others


def test_scoped_ranking_keeps_the_own_rows_unchanged(sample_con):
    """Removing others' rows changes nothing in the own department's published figures."""
    opts = KIND_OPTIONS[privacy.METRICS]
    wide = privacy.fetch(privacy.METRICS, sample_con, Filters(**PERIOD), Settings(), **opts).result
    narrow = privacy.fetch(privacy.METRICS, sample_con, Filters(**PERIOD, scope=(OWN,)), Settings(),
                           **opts).result
    assert narrow["department"].to_list() == [OWN]
    assert narrow.row(0, named=True) == wide.filter(pl.col("department") == OWN).row(0, named=True)


@pytest.mark.parametrize("kind", privacy.KINDS, ids=lambda k: k.name)
def test_a_department_outside_the_scope_is_refused(sample_con, kind):
    filters = Filters(**PERIOD, departments=("Fritidsförvaltningen",), scope=(OWN,))
    with pytest.raises(privacy.OutOfScope, match="ingår inte i din behörighet"):
        privacy.fetch(kind, sample_con, filters, Settings(), **KIND_OPTIONS.get(kind, {}))
    with pytest.raises(privacy.OutOfScope):  # one inside and one outside is outside too
        privacy.fetch(kind, sample_con, Filters(**PERIOD, departments=(OWN, "Fritidsförvaltningen"),
                                                scope=(OWN,)), Settings(), **KIND_OPTIONS.get(kind, {}))


def test_scorecard_department_option_cannot_widen_the_scope(sample_con):
    with pytest.raises(privacy.OutOfScope):
        privacy.fetch(privacy.SCORECARD, sample_con, Filters(**PERIOD, scope=(OWN,)), Settings(),
                      department="Fritidsförvaltningen")
    card = privacy.fetch(privacy.SCORECARD, sample_con, Filters(**PERIOD, scope=(OWN,)), Settings(),
                         department=OWN).result
    assert card.department == OWN


def test_scope_travels_into_derived_filters():
    f = Filters(**PERIOD, departments=(OWN,), scope=[OWN])
    assert f.scope == (OWN,)
    assert f.without("departments").scope == (OWN,)
    assert f.compared("previous").scope == (OWN,)
    assert Filters(**PERIOD) != Filters(**PERIOD, scope=(OWN,))  # cache keys differ


# --- audit ------------------------------------------------------------------------------------


def test_audit_events_name_person_and_role(tmp_path):
    log = tmp_path / "audit.jsonl"
    audit.event(log, "sign-in", user="sara@example.org", role="samordnare",
                details={"departments": [OWN]})
    audit.append(log, audit.entry_for("tabell", "csv", "x.csv", {"departments": [OWN]}, "dashboard",
                                      "sara@example.org", b"a;b\n", "samordnare"))
    audit.event(log, "sign-out", user="sara@example.org", role="samordnare")
    entries = audit.read(log)
    assert [e["event"] for e in entries] == ["sign-in", "export", "sign-out"]
    assert all(e["user"] == "sara@example.org" and e["role"] == "samordnare" for e in entries)
    assert entries[1]["status"] == "delivered" and entries[1]["bytes"] == 4
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    rows = audit.display_rows(entries)
    assert [r["Händelse"] for r in rows] == ["utloggning", "nedladdning/export", "inloggning"]


def test_audit_rows_fit_the_page_and_the_full_entry_is_kept(tmp_path):
    log = tmp_path / "audit.jsonl"
    winter, summer = datetime(2026, 1, 15, 11, 0, tzinfo=timezone.utc), datetime(2026, 7, 1, 11, 0, tzinfo=timezone.utc)
    audit.event(log, "sign-in", user="sara@example.org", role="samordnare", now=winter)
    audit.event(log, "sign-in", user="sara@example.org", role="samordnare", now=summer)
    entries = audit.read(log)
    rows = audit.display_rows(entries, newest_first=False)
    assert [r["Tid"] for r in rows] == ["2026-01-15 12:00:00", "2026-07-01 13:00:00"]  # CET, CEST
    assert set(rows[0]) == {"Tid", "Händelse", "Person", "Roll", "Vad", "Status", "Skrevs till"}
    assert json.loads(audit.entry_text(entries[0])) == entries[0]


def test_retention_drops_only_old_entries_and_keeps_writers(tmp_path):
    log = tmp_path / "audit.jsonl"
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    for days in (800, 400, 10):
        audit.event(log, "sign-in", user=f"p{days}", role="analytiker", now=now - timedelta(days=days))
    with log.open("a", encoding="utf-8") as fh:
        fh.write("inte json\n")
    assert audit.prune(log, 730, now=now) == 1
    assert [e.get("user") for e in audit.read(log)] == ["p400", "p10", None]
    assert audit.read(log)[-1] == {"unreadable": "inte json"}  # a damaged line stays visible
    assert audit.prune(log, 0, now=now) == 0
    audit.event(log, "sign-out", user="p10", role="analytiker")  # writing after a prune appends
    assert [e.get("user") for e in audit.read(log)][-1] == "p10"
    assert json.loads(log.read_text(encoding="utf-8").splitlines()[0])["user"] == "p400"


def test_the_shipped_example_and_the_documented_example_parse():
    from pathlib import Path
    import re
    import tomllib

    root = Path(__file__).resolve().parent.parent
    shipped = load_roles(root / "deploy" / "roles.example.toml")
    doc = (root / "docs" / "roles.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(# Whom a person.*?)```", doc, re.S).group(1)
    documented = parse_roles(tomllib.loads(block))
    assert shipped == documented  # the doc shows the file that ships
    assert {g.role for g in shipped.grants} == {ANALYTIKER, SAMORDNARE, CHEF, FORVALTARE}
