"""Every page at 1280 px, whole (a viewport tall enough for the page), as an analyst and as a
samordnare for Förskoleförvaltningen, signed in like a person would (a real OpenID Connect
provider on loopback, docs/roles.md): saved under test-artifacts/ (`skarm-<person>-<page>.png`)
for people to look at, and each checked for error elements, cut text and, for the samordnare,
another förvaltning's name."""

from __future__ import annotations

import duckdb
import pytest

from browser_support import chart_signature, chromium, error_findings, new_page, overflow_findings, screenshot, wait_until_idle
from dashboard.app import NAVIGATION
from oidc_support import oidc_provider, sign_in, signed_in_dashboard
from test_roles_browser import PEOPLE as ROLE_PEOPLE, _roles

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OWN = "Förskoleförvaltningen"
PEOPLE = {"analytiker": ROLE_PEOPLE["anna"], "samordnare": ROLE_PEOPLE["sara"]}
ROLES = _roles((OWN,))
ANALYSIS = ("overview.py", "accessibility.py", "service_gaps.py", "failure_demand.py",
            "local_service.py", "department.py", "staffing.py", "data_quality.py", "about.py")
PAGES = [(url if i else "", file) for i, (_, file, _, url, _) in enumerate(NAVIGATION)
         if file.rsplit("/", 1)[-1] in ANALYSIS]  # the first page lives at "/"
WIDTH, TALL = 1280, 7000  # tall: Streamlit scrolls inside its own container, so show it all


@pytest.fixture(scope="module")
def setup(sample_db, tmp_path_factory):
    work = tmp_path_factory.mktemp("screens")
    roles_file = work / "roles.toml"
    roles_file.write_text(ROLES, encoding="utf-8")
    con = duckdb.connect(str(sample_db), read_only=True)
    departments = [r[0] for r in con.execute("select department from departments").fetchall()]
    con.close()
    with oidc_provider(work / "oidc.log") as provider:
        for sub, claims in PEOPLE.items():
            provider.set_user(sub, **claims)
        with signed_in_dashboard(sample_db, provider, work, roles_file=roles_file,
                                 audit_log=work / "audit.jsonl") as url:
            with chromium() as browser:
                pages = {}
                for sub in PEOPLE:
                    page = new_page(browser, viewport=(WIDTH, TALL))
                    sign_in(page, url, sub, wait_until_idle)
                    pages[sub] = page
                yield {"url": url, "pages": pages, "departments": departments}


@pytest.mark.parametrize("person", list(PEOPLE))
@pytest.mark.parametrize(("path", "file"), PAGES)
def test_every_page_whole_at_1280_px(setup, person, path, file):
    page = setup["pages"][person]
    page.goto(f"{setup['url']}/{path}")
    wait_until_idle(page)
    name = path or "oversikt"
    screenshot(page, f"skarm-{person}-{name}")
    assert error_findings(page) == [], (person, name)
    assert overflow_findings(page) == [], (person, name)
    if person == "samordnare":
        text = page.locator('[data-testid="stApp"]').inner_text() + chart_signature(page)
        assert [d for d in setup["departments"] if d != OWN and d in text] == [], name
