"""Sign-in and roles end to end: a real OpenID Connect provider on loopback, the dashboard with
st.login configured against it, Debian's chromium. Each person signs in like a person would; for
each the test checks the pages, the locked filter, a tampered URL, a CSV download, the pack, and
that the audit log names them (docs/roles.md)."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import openpyxl
import pytest

from browser_support import (
    chart_signature, error_findings, new_page, overflow_findings, screenshot, wait_until_idle,
)
from oidc_support import sign_in, signed_in_setup

from dashboard.app import NAVIGATION

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OWN = "Förskoleförvaltningen"
SECOND = "Grundskoleförvaltningen"  # the chef's second förvaltning
OUTSIDE = "Fritidsförvaltningen"
PEOPLE = {
    "anna": {"email": "anna.analys@example.org", "groups": ["grp-analys"]},
    "sara": {"email": "sara.samordnare@example.org", "groups": ["grp-forskola"]},
    "carl": {"email": "carl.chef@example.org", "groups": []},
    "nils": {"email": "nils.nobody@example.org", "groups": ["grp-annat"]},
    "drift": {"email": "drift@example.org", "groups": []},
}
CONTACT = "Kontaktcenters analysgrupp, analys@example.org"


def _roles(sara_departments=(OWN,)) -> str:
    return f"""
contact = "{CONTACT}"

[[grant]]
role = "analytiker"
groups = ["grp-analys"]

[[grant]]
role = "samordnare"
departments = {json.dumps(list(sara_departments), ensure_ascii=False)}
groups = ["grp-forskola"]

[[grant]]
role = "chef"
departments = ["{OWN}", "{SECOND}"]
emails = ["carl.chef@example.org"]

[[grant]]
role = "forvaltare"
emails = ["drift@example.org"]
"""


@pytest.fixture(scope="module")
def setup(sample_db, tmp_path_factory):
    with signed_in_setup(sample_db, tmp_path_factory.mktemp("signin"), _roles(), PEOPLE) as setup:
        yield setup


def _person(setup, sub: str):
    page = new_page(setup["browser"])
    sign_in(page, setup["url"], sub, wait_until_idle)
    return page


def _open(page, url: str) -> None:
    page.goto(url)
    wait_until_idle(page)


def _nav(page) -> set[str]:
    """The page titles in the sidebar navigation (the icon's ligature name dropped)."""
    return {t.split("\n")[-1].strip()
            for t in page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()}


def _text(page) -> str:
    """Everything the page shows as text: the DOM's text and every chart's data (names, axes,
    labels), since Plotly draws some of it only on hover."""
    return page.locator('[data-testid="stApp"]').inner_text() + "\n" + chart_signature(page)


def _entries(setup, user: str) -> list[dict]:
    lines = setup["audit"].read_text(encoding="utf-8").splitlines() if setup["audit"].exists() else []
    return [e for e in map(json.loads, lines) if e.get("user") == PEOPLE[user]["email"]]


def _titles(files) -> set[str]:
    return {title for _, file, title, _, _ in NAVIGATION if file in files}


ANALYSIS = {"overview.py", "accessibility.py", "service_gaps.py", "failure_demand.py",
            "local_service.py", "department.py", "staffing.py", "about.py"}


def _csv_download(page) -> tuple[str, bytes]:
    page.locator('[data-testid="stPopover"] button', has_text="Ladda ner").first.click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="CSV", exact=True).first.click()
    dl = info.value
    return dl.suggested_filename, open(dl.path(), "rb").read()


def _no_other_department(setup, text: str, own: set[str]) -> list[str]:
    return [d for d in setup["departments"] if d not in own and d in text]


def test_samordnare_sees_only_the_own_department_on_every_page(setup):
    page = _person(setup, "sara")
    url = setup["url"]
    assert _nav(page) == _titles(ANALYSIS)
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Förvaltning")
    assert box.is_disabled()  # locked: one förvaltning, no whole city
    assert OWN in page.locator('[data-testid="stSidebar"]').inner_text()
    # the locked förvaltning is no filter to remove: no "✕ Förvaltning: ..." button
    assert page.locator('.st-key-active_filters').get_by_role("button", name="Förvaltning").count() == 0
    for _, file, title, path, _ in NAVIGATION:
        if file not in ANALYSIS:
            continue
        _open(page, f"{url}/{path}?department={quote(OUTSIDE)}")  # a tampered URL
        text = _text(page)
        assert not error_findings(page), (title, error_findings(page))
        assert "ingår inte i din behörighet" in text, title
        assert f"Förvaltningen '{OUTSIDE}' ingår inte" in text
        leaked = [d for d in _no_other_department(setup, text, {OWN}) if d != OUTSIDE]
        assert not leaked, (title, leaked)
        # the notice names the tampered value; nothing else on the page may
        assert text.count(OUTSIDE) == 1, title
        if file == "department.py":
            assert "kan laddas ner av förvaltningens chef" in text
            assert page.get_by_role("button", name="Ladda ner paketet (Excel)").count() == 0
    # a page outside the role: not served
    _open(page, f"{url}/granskningslogg")
    assert "Granskningslogg" not in _nav(page) and "Varje inloggning" not in _text(page)
    _open(page, f"{url}/?department={quote(OUTSIDE)}")
    name, content = _csv_download(page)
    assert name.endswith(".csv") and content
    assert not _no_other_department(setup, content.decode("utf-8-sig"), {OWN})
    screenshot(page, "roles-samordnare")
    entries = _entries(setup, "sara")
    assert entries[0]["event"] == "sign-in" and entries[0]["role"] == "samordnare"
    assert entries[0]["departments"] == [OWN]
    export = [e for e in entries if e["event"] == "export"]
    assert export and export[-1]["file"] == name and export[-1]["role"] == "samordnare"
    assert export[-1]["status"] == "delivered" and export[-1]["filter"]["departments"] == [OWN]
    assert export[-1]["filter"]["scope"] == [OWN]


def test_a_role_change_applies_on_the_next_rerun_and_sign_out_works(setup):
    page = _person(setup, "sara")
    try:
        setup["roles"].write_text(_roles((SECOND,)), encoding="utf-8")
        # a rerun in the same session: choose no comparison
        page.locator('[data-testid="stSidebar"]').get_by_text("Ingen jämförelse").click()
        wait_until_idle(page)
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert SECOND in sidebar and OWN not in sidebar
        text = _text(page)  # the old förvaltning, still in the URL, is named only by the notice
        assert text.count(OWN) == 1 and f"'{OWN}' ingår inte i din behörighet" in text
    finally:
        setup["roles"].write_text(_roles(), encoding="utf-8")
    assert any(e["event"] == "role-change" and e["departments"] == [SECOND]
               for e in _entries(setup, "sara"))
    page.get_by_role("button", name="Logga ut").click()
    # st.logout ends the provider's session too (RP-initiated logout), which asks to confirm
    page.get_by_role("button", name="End session").click(timeout=60_000)
    page.wait_for_selector('button:has-text("Logga in")', timeout=60_000)
    _open(page, setup["url"] + "/forvaltning")
    assert page.get_by_role("button", name="Logga in").count() == 1
    assert not _nav(page) and "Filter" not in _text(page)
    assert _entries(setup, "sara")[-1]["event"] == "sign-out"


def test_chef_chooses_among_own_departments_and_downloads_the_pack(setup):
    page = _person(setup, "carl")
    url = setup["url"]
    assert _nav(page) == _titles(ANALYSIS)
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Förvaltning")
    assert not box.is_disabled()
    box.click()
    assert set(page.get_by_role("option").all_inner_texts()) == {OWN, SECOND}
    page.keyboard.press("Escape")
    _open(page, f"{url}/forvaltning?department={quote(OUTSIDE)}")
    text = _text(page)
    assert "ingår inte i din behörighet" in text and not error_findings(page)
    assert not [d for d in _no_other_department(setup, text, {OWN, SECOND}) if d != OUTSIDE]
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name="Ladda ner paketet (Excel)").click()
    dl = info.value
    book = openpyxl.load_workbook(io.BytesIO(open(dl.path(), "rb").read()), read_only=True)
    cells = " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                     for v in row if v is not None)
    assert OWN in cells
    assert not _no_other_department(setup, cells, {OWN, SECOND})
    name, content = _csv_download(page)
    assert not _no_other_department(setup, content.decode("utf-8-sig"), {OWN, SECOND})
    entries = _entries(setup, "carl")
    assert entries[0]["event"] == "sign-in" and entries[0]["role"] == "chef"
    packs = [e for e in entries if e["event"] == "export" and e["what"] == "forvaltningspaket"]
    assert packs and packs[-1]["file"] == dl.suggested_filename and packs[-1]["role"] == "chef"
    assert any(e.get("file") == name for e in entries)


def test_analytiker_sees_every_department(setup):
    page = _person(setup, "anna")
    url = setup["url"]
    assert _nav(page) == _titles(ANALYSIS | {"data_quality.py"})
    _open(page, f"{url}/forvaltning?department={quote(OUTSIDE)}")
    text = _text(page)
    assert "ingår inte i din behörighet" not in text and OUTSIDE in text
    with page.expect_download(timeout=180_000) as info:  # any förvaltning's pack
        page.get_by_role("button", name="Ladda ner paketet (Excel)").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("combobox", name="Förvaltning").click()  # the whole city: every förvaltning side by side
    page.get_by_role("option", name="Hela staden", exact=True).click()
    wait_until_idle(page)
    assert "Nedan jämförs alla förvaltningar" in _text(page)
    name, content = _csv_download(page)  # the table is drawn on a canvas: read its download
    assert len([d for d in setup["departments"] if d in content.decode("utf-8-sig")]) >= 10
    entries = _entries(setup, "anna")
    assert entries[0]["role"] == "analytiker"
    assert {e.get("what") for e in entries if e["event"] == "export"} >= {"tabell", "forvaltningspaket"}


def test_a_person_without_a_role_sees_whom_to_ask_and_nothing_else(setup):
    page = _person(setup, "nils")
    for path in ("", "forvaltning", "granskningslogg", f"?department={quote(OWN)}"):
        _open(page, f"{setup['url']}/{path}")
        text = _text(page)
        assert "Du har ingen behörighet ännu" in text and CONTACT in text
        assert PEOPLE["nils"]["email"] in text
        assert not _nav(page) and "Filter" not in text
        assert page.locator('[data-testid="stMetricValue"]').count() == 0
        assert not _no_other_department(setup, text, set())
    screenshot(page, "roles-no-role")
    assert _entries(setup, "nils")[0]["event"] == "no-role"


def test_forvaltare_reads_the_audit_log_naming_everyone(setup):
    page = _person(setup, "drift")
    assert _nav(page) == _titles({"data_quality.py", "about.py", "audit_log.py"})
    _open(page, setup["url"] + "/granskningslogg")
    assert not error_findings(page)
    grid = page.locator('[data-testid="stDataFrame"]')
    assert grid.count() == 1
    logged = {e["user"] for e in map(json.loads, setup["audit"].read_text("utf-8").splitlines())}
    assert {p["email"] for p in PEOPLE.values()} <= logged
    assert "poster i" in _text(page)
    page.set_viewport_size({"width": 1280, "height": 1000})
    wait_until_idle(page)
    assert overflow_findings(page) == []  # the table fits the page at 1280 px
    box = grid.bounding_box()  # choose the newest row (its selection box, left of the first row)
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    wait_until_idle(page)
    newest = json.loads(setup["audit"].read_text("utf-8").splitlines()[-1])
    shown = page.locator('[data-testid="stCode"]').inner_text()
    assert json.loads(shown) == newest  # the whole entry, every field
    screenshot(page, "roles-forvaltare-granskningslogg")
