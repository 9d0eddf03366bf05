"""Every page at 1280 px, whole (a viewport tall enough for the page), as an analyst and as a
samordnare for Förskoleförvaltningen, signed in like a person would (a real OpenID Connect
provider on loopback, docs/roles.md): saved under test-artifacts/ (`skarm-<person>-<page>.png`)
for people to look at, and each checked for error elements, cut text and, for the samordnare,
another förvaltning's name."""

from __future__ import annotations

import pytest

from browser_support import chart_signature, error_findings, new_page, overflow_findings, screenshot, wait_until_idle
from dashboard.app import NAVIGATION
from oidc_support import sign_in, signed_in_setup
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
    with signed_in_setup(sample_db, tmp_path_factory.mktemp("screens"), ROLES, PEOPLE) as setup:
        pages = {}
        for sub in PEOPLE:
            page = new_page(setup["browser"], viewport=(WIDTH, TALL))
            sign_in(page, setup["url"], sub, wait_until_idle)
            pages[sub] = page
        yield {**setup, "pages": pages}


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
    # a page outside the person's role opens Streamlit's "page not found" dialog: in Swedish
    body = page.locator("body").inner_text()
    assert "does not seem to exist" not in body and "main page" not in body, (person, name)
    if person == "samordnare" and file == "data_quality.py":   # not a samordnare's page
        assert "Översikten visas i stället" in body
    if person == "samordnare":
        text = page.locator('[data-testid="stApp"]').inner_text() + chart_signature(page)
        assert [d for d in setup["departments"] if d != OWN and d in text] == [], name
