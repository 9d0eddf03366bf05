"""The dashboard in real headless Chromium (Debian's /usr/bin/chromium via Playwright).

One `streamlit run` subprocess on a free localhost port serves the sample store. Every page opens
without an error element, passes axe-core (WCAG 2.1 A/AA, serious and critical) in our content,
and is saved as a screenshot in test-artifacts/. A filter change redraws the charts and the URL;
the copied URL reproduces the view in a new browser context; the back button restores the previous
filters. Without chromium these tests FAIL (they never skip): ./dev.sh test installs it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from browser_support import (
    chart_signature,
    chromium,
    describe_violations,
    error_findings,
    new_page,
    overflow_findings,
    run_axe,
    screenshot,
    streamlit_server,
    wait_until_idle,
)
from dashboard.app import NAVIGATION

pytestmark = pytest.mark.browser

DEPARTMENT = "Förskoleförvaltningen"
PAGES = [(url if i else "", title) for i, (_, _, title, url, _) in enumerate(NAVIGATION)]
# Regions of the page that are our content: the page body and the filter sidebar.
OUR_CONTENT = ('[data-testid="stMain"]', '[data-testid="stSidebarUserContent"]')


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with streamlit_server(sample_db, log_path=log) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def page(server, browser):
    p = new_page(browser)
    p.goto(server + "/")
    wait_until_idle(p)
    return p


def _open(page, url: str) -> None:
    page.goto(url)
    wait_until_idle(page)


def _key_figures(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the sidebar selectbox labelled `label`, like a person would."""
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_until_idle(page)


def _query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_every_page_opens_clean_and_passes_axe(server, page, path, title):
    _open(page, f"{server}/{path}?department={DEPARTMENT}")
    assert page.locator("h1").first.inner_text().strip() == title
    assert error_findings(page) == []
    screenshot(page, f"sida-{path or 'oversikt'}")
    for region in OUR_CONTENT:
        violations = run_axe(page, include=region)
        assert violations == [], f"{title} ({region}):\n{describe_violations(violations)}"


def test_filter_change_redraws_and_the_copied_url_reproduces_the_view(server, page, browser):
    _open(page, f"{server}/tillganglighet")
    before = (chart_signature(page), _key_figures(page))
    _choose(page, "Förvaltning", DEPARTMENT)
    after = (chart_signature(page), _key_figures(page))
    assert after != before
    assert _query(page) == {"department": DEPARTMENT}
    assert error_findings(page) == []
    screenshot(page, "filter-forvaltning")
    copied = page.url
    other = new_page(browser)  # a colleague opens the link in a browser of their own
    _open(other, copied)
    assert (chart_signature(other), _key_figures(other)) == after
    chosen = other.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Förvaltning")
    assert chosen.input_value() == DEPARTMENT
    other.context.close()


def test_back_button_restores_the_previous_filters(server, page):
    _open(page, f"{server}/tillganglighet")
    first = _key_figures(page)
    _choose(page, "Förvaltning", DEPARTMENT)
    assert _key_figures(page) != first
    page.go_back()
    wait_until_idle(page)
    assert "department" not in _query(page)
    assert _key_figures(page) == first


def test_filters_follow_the_user_between_pages(server, page):
    _open(page, f"{server}/tillganglighet?department={DEPARTMENT}&compare=yoy")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Serviceglapp").click()
    wait_until_idle(page)
    assert urlparse(page.url).path.endswith("/serviceglapp")
    assert _query(page) == {"department": DEPARTMENT, "compare": "yoy"}
    assert page.locator('[data-testid="stCaptionContainer"]').first.inner_text().startswith(DEPARTMENT)


def test_a_malformed_url_shows_a_notice_not_an_error(server, page):
    _open(page, f"{server}/tillganglighet?period=decade&channel=fax&from=igår")
    assert error_findings(page) == []
    notices = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("decade" in n for n in notices) and any("fax" in n for n in notices)
    screenshot(page, "felaktig-adress")


# 1280 px with one förvaltning (its captions and city comparisons), 1920 px for the whole city.
@pytest.mark.parametrize(("width", "query"), [(1280, f"?department={DEPARTMENT}"), (1920, "")])
@pytest.mark.parametrize(("path", "title"), PAGES)
def test_no_text_of_ours_is_cut(server, page, path, title, width, query):
    page.set_viewport_size({"width": width, "height": 1000})
    try:
        _open(page, f"{server}/{path}{query}")
        screenshot(page, f"passar-{path or 'oversikt'}-{width}")
        assert overflow_findings(page) == [], f"{title} vid {width} px"
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


def test_the_overflow_check_sees_cut_text(server, page):
    """The check above can fail: a label cut with an ellipsis and a table wider than its box."""
    _open(page, f"{server}/tillganglighet")
    assert overflow_findings(page) == []
    page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"] [data-testid="stVerticalBlock"]');
        const p = document.createElement('p');
        p.style.cssText = 'width: 60px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis';
        p.textContent = 'Andel avbrutna utan korta avbrott';
        main.prepend(p);
    }""")
    found = overflow_findings(page)
    assert len(found) == 1 and found[0].startswith("avskuren: p: Andel avbrutna"), found


def test_the_document_is_swedish_and_a_first_deep_link_opens_its_page(sample_db, browser, tmp_path):
    """A fresh server (its first run is where Streamlit's page lookup used to fail), a sub-page
    opened first: the page itself, no 'Page not found', lang="sv", Streamlit's skip link in Swedish."""
    with streamlit_server(sample_db, log_path=tmp_path / "streamlit.log") as url:
        p = new_page(browser)
        _open(p, f"{url}/serviceglapp?department={DEPARTMENT}")
        body = p.locator("body").inner_text()
        assert p.locator("h1").first.inner_text().strip() == "Serviceglapp"
        assert "Page not found" not in body and "Sidan finns inte" not in body
        assert p.evaluate("document.documentElement.lang") == "sv"
        assert p.locator('[data-testid="stSkipToContent"]').text_content() == "Hoppa till huvudinnehållet"
        p.locator('[data-testid="stSidebar"]').get_by_text("Fler filter").click()
        p.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Kanal").click()
        listbox = p.get_by_role("listbox")
        assert listbox.get_by_text("Välj alla").count() == 1
        assert listbox.get_by_text("Select all").count() == 0
        p.keyboard.press("Escape")
        p.context.close()
