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
from playwright.sync_api import expect

from browser_support import (
    chart_signature,
    chromium,
    describe_violations,
    error_findings,
    new_page,
    open_dropdown,
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
def server_log(tmp_path_factory):
    return tmp_path_factory.mktemp("streamlit") / "streamlit.log"


@pytest.fixture(scope="module")
def server(sample_db, server_log):
    with streamlit_server(sample_db, log_path=server_log) as url:
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
    open_dropdown(page, page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label))
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


def test_an_impossible_date_and_a_misspelt_department_each_give_one_notice(server, page):
    """?from=2025-02-30&department=Forskola: one notice that the date does not exist (the
    default period shown), one with the closest förvaltning; no error, the whole city shown."""
    _open(page, f"{server}/tillganglighet?from=2025-02-30&department=Forskola")
    assert error_findings(page) == []
    notices = [n for n in page.locator('[data-testid="stAlert"]').all_inner_texts()
               if "2025-02-30" in n or "Forskola" in n]
    assert [n.split("\n")[-1] for n in notices] == [
        "Datumet '2025-02-30' i parametern 'from' finns inte (februari 2025 har 28 dagar); visar "
        "standardperioden (senaste 30 dagarna).",
        "Förvaltningen 'Forskola' finns inte i data; visar hela staden. Menade du "
        "'Förskoleförvaltningen'?"]
    assert page.locator('[data-testid="stCaptionContainer"]').first.inner_text().startswith("Hela staden")


def test_a_trends_value_axis_title_fits_its_plot_at_1280_px(server, page):
    """Serviceglapp's "Överlämnat till förvaltning per …": the vertical axis title lies within the
    plot's height with room for a font a third wider than the one drawn (it filled 91 % of it on
    one line before), and the margin holds it without Plotly growing it (a second draw)."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    try:
        _open(page, f"{server}/serviceglapp")
        chart = page.locator(".js-plotly-plot").filter(has_text="Överlämnat till förvaltning per")
        chart.first.scroll_into_view_if_needed()
        box = chart.first.evaluate("""e => {
            const t = e.querySelector('.g-ytitle text').getBoundingClientRect();
            const f = e.getBoundingClientRect(), s = e._fullLayout._size;
            return {top: t.top - f.top, bottom: t.bottom - f.top, left: t.left - f.left,
                    plot_top: s.t, plot_bottom: s.t + s.h, l: s.l, margin_l: e._fullLayout.margin.l};
        }""")
        assert box["left"] >= 0 and box["plot_top"] <= box["top"] and box["bottom"] <= box["plot_bottom"], box
        assert (box["bottom"] - box["top"]) * 4 / 3 <= box["plot_bottom"] - box["plot_top"], box
        assert box["l"] == box["margin_l"], box
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


def _chart_texts(page) -> list[dict]:
    """Each chart's size and the boxes of its title, axis titles, legend entries and annotations
    (bar labels, incident labels, a chart's sentence in words), relative to the chart."""
    return page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(e => {
        const f = e.getBoundingClientRect();
        const box = el => { const r = el.getBoundingClientRect();
            return {l: r.left - f.left, r: r.right - f.left, t: r.top - f.top, b: r.bottom - f.top,
                    text: el.textContent}; };
        const texts = [...e.querySelectorAll(
            '.gtitle, .g-xtitle text, .g-ytitle text, .legendtext, .annotation-text')].map(box);
        const title = [...e.querySelectorAll('.gtitle')].map(box);
        const legend = [...e.querySelectorAll('.legendtext')].map(box);
        return {width: f.width, height: f.height, texts, title, legend};
    })""")


def _assert_inside(found: list[dict]) -> None:
    for chart in found:
        for t in chart["texts"]:
            assert t["l"] >= -1 and t["r"] <= chart["width"] + 1, (t["text"], t, chart["width"])
            assert t["t"] >= -1 and t["b"] <= chart["height"] + 1, t


@pytest.mark.parametrize("path", ["", "lokal-service"])
def test_every_charts_titles_and_legend_stand_whole_and_apart_for_one_forvaltning(server, page, path):
    """Översikt for one förvaltning at 1280 px (half-width charts, a weekly trend with its long
    axis title "Vecka (hela veckor, …)" and a two-entry legend), and Lokal service (titles of two
    lines, whose first line began 4 px above the chart and lost the dots of "ö"): every title,
    axis title, legend entry and annotation lies inside its chart, and no legend entry covers
    the chart's title."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    try:
        _open(page, f"{server}/{path}?department={DEPARTMENT}")
        found = _chart_texts(page)
        if not path:
            assert any("Vecka (hela veckor" in t["text"] for chart in found for t in chart["texts"])
        else:
            assert any(len(chart["title"]) and "Besök" in chart["title"][0]["text"] for chart in found)
        _assert_inside(found)
        for chart in found:
            for entry in chart["legend"]:
                for title in chart["title"]:
                    apart = (entry["b"] <= title["t"] or entry["t"] >= title["b"]
                             or entry["r"] <= title["l"] or entry["l"] >= title["r"])
                    assert apart, (entry, title)
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


def test_an_incident_label_stands_whole_inside_a_years_trend(server, page):
    """/?period=year at 1280 px: the planted Fosie incident, in September of the year's weeks,
    was labelled from its band onwards and cut at the chart's right edge ("Händelse: Fosie ·")."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    try:
        _open(page, f"{server}/?period=year")
        found = _chart_texts(page)
        screenshot(page, "handelse-ar-1280")
        labels = [t["text"] for chart in found for t in chart["texts"] if t["text"].startswith("Händelse")]
        assert any("Fosie" in text for text in labels), labels
        _assert_inside(found)
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


# 1280 px with one förvaltning (its captions and city comparisons) and for the whole city (its
# tables with a förvaltning column: the longest names), 1920 px for the whole city.
@pytest.mark.parametrize(("width", "query"), [(1280, f"?department={DEPARTMENT}"), (1280, ""),
                                              (1920, "")])
@pytest.mark.parametrize(("path", "title"), PAGES)
def test_no_text_of_ours_is_cut(server, page, path, title, width, query):
    page.set_viewport_size({"width": width, "height": 1000})
    try:
        _open(page, f"{server}/{path}{query}")
        screenshot(page, f"passar-{path or 'oversikt'}-{width}")
        assert overflow_findings(page) == [], f"{title} vid {width} px"
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


@pytest.mark.parametrize(("path", "table"), [("", "ov_trend"), ("tillganglighet", "acc_trend_answer"),
                                             ("tillganglighet", "acc_heat_offered")])
def test_a_chart_shown_as_a_table_fits_at_1280_px(server, page, path, table):
    """A trend's table (30 days, with its comparison period's dates and values under long
    headers, in half the page on Översikt) and a heatmap's (a long table in the grid)."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    try:
        _open(page, f"{server}/{path}?table={table}")
        screenshot(page, f"passar-tabell-{table}-1280")
        assert page.locator(f".st-key-tbl_{table}").count() == 1
        assert overflow_findings(page) == [], table
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
    # a word broken over two lines, and a key figure's value past its card, are found too; a
    # number and its unit joined by a no-break space count as one word
    page.evaluate("""() => {
        document.querySelector('[data-testid="stMain"] p').remove();
        const main = document.querySelector('[data-testid="stMain"] [data-testid="stVerticalBlock"]');
        const p = document.createElement('p');
        p.style.cssText = 'width: 90px; overflow-wrap: anywhere';
        p.textContent = 'Motsvarar 0,3\u00a0årsarbetare';
        main.prepend(p);
        const value = document.querySelector('[data-testid="stMetricValue"] p, [data-testid="stMetricValue"]');
        value.style.cssText = 'white-space: nowrap !important; font-size: 30px !important';
        value.textContent = '1\u00a0234\u00a0567,8\u00a0årsarbetare';
    }""")
    found = overflow_findings(page)
    assert sorted(f.split(":")[0] for f in found) == ["ord brutet mitt i", "utanför sin ruta"], found
    assert any("'0,3\u00a0årsarbetare'" in f for f in found), found


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
        # what screen readers read: Streamlit's own aria labels, in Swedish too
        english = p.evaluate("""() => Array.from(document.querySelectorAll('[aria-label], [placeholder]'))
            .flatMap(el => [el.getAttribute('aria-label'), el.getAttribute('placeholder')])
            .filter(l => /^(Help for |Main menu$|Link to heading$|Open$|Choose an option$)/.test(l || ''))""")
        assert english == [], english
        sidebar = p.locator('[data-testid="stSidebar"]')
        expect(sidebar.get_by_role("button", name="Hjälp om Förvaltning")).to_have_count(1)
        expect(p.get_by_role("button", name="Huvudmeny")).to_have_count(1)
        p.locator('[data-testid="stSidebar"]').get_by_text("Fler filter").click()
        open_dropdown(p, p.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Kanal"))
        listbox = p.get_by_role("listbox")
        expect(listbox.get_by_text("Välj alla")).to_have_count(1)   # the chrome script renames it as it opens
        assert listbox.get_by_text("Select all").count() == 0
        p.keyboard.press("Escape")
        p.context.close()
        # every other page as the first address of a new session; the start page by its own
        # path too (/oversikt), listed once in the sidebar
        for path, title in PAGES:
            if path == "serviceglapp":
                continue
            p = new_page(browser)
            _open(p, f"{url}/{path or 'oversikt'}")
            body = p.locator("body").inner_text()
            assert p.locator("h1").first.inner_text().strip() == title, path
            assert "Page not found" not in body and "Sidan finns inte" not in body, path
            if not path:
                nav = p.locator('[data-testid="stSidebarNav"]')
                links = nav.locator("a").all_inner_texts()
                assert [t.split()[-1] for t in links].count("Översikt") == 1, links
                assert len(links) == len(PAGES), links
            p.context.close()


def test_a_click_on_a_bar_drills_down_and_the_button_goes_back(server, page):
    _open(page, f"{server}/onodig-efterfragan")
    city = _key_figures(page)
    bars = page.locator('.st-key-fig_fd_department .js-plotly-plot .barlayer .point path')
    assert bars.count() > 3
    bars.last.click(force=True)  # the top bar: the förvaltning with the highest share
    wait_until_idle(page)
    department = _query(page).get("department")
    assert department, page.url
    assert _key_figures(page) != city
    chosen = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Förvaltning")
    assert chosen.input_value() == department
    back = page.locator(".st-key-active_filters").get_by_role("button", name=f"Förvaltning: {department}")
    screenshot(page, "drill-forvaltning")
    back.click()
    wait_until_idle(page)
    assert "department" not in _query(page)
    assert _key_figures(page) == city
    assert error_findings(page) == []


def _pick_segment(page, label: str, option: str) -> None:
    page.get_by_role("radiogroup", name=label).get_by_role("radio", name=option).click()
    wait_until_idle(page)


def _pick_main(page, label: str, option: str) -> None:
    open_dropdown(page, page.locator('[data-testid="stMain"]').get_by_role("combobox", name=label))
    # typed, as a person would with a long list: the dropdown draws only the options in view,
    # and it opens scrolled to the current choice (which an earlier test in this session set)
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_until_idle(page)


def _move_slider(page, label: str, steps: int) -> None:
    page.locator('[data-testid="stMain"]').get_by_role("slider", name=label).focus()
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
    wait_until_idle(page)


def _open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_until_idle(page)


def _show_table(page, chart_key: str) -> None:
    """Flip a chart's "Visa som tabell" switch, like a person would."""
    page.locator(f".st-key-tbl_{chart_key}").get_by_text("Visa som tabell").click()
    wait_until_idle(page)


# For each page: choices made as a person would (the page's own widgets, a "Visa som tabell"
# switch, a shared filter where the page has no widget of its own), and the URL keys that must
# then be in the address.
CHOICES = {
    "": (lambda p: (_choose(p, "Förvaltning", DEPARTMENT), _show_table(p, "ov_trend")),
         {"department", "table"}),
    "tillganglighet": (lambda p: (_choose(p, "Period", "Senaste hela kvartalet"),
                                  _show_table(p, "acc_channels")), {"period", "table"}),
    "serviceglapp": (lambda p: (_pick_segment(p, "Jämför grupper efter", "Språk"),
                                _pick_main(p, "Mått", "Återkommande kontakter"),
                                _show_table(p, "sg_topic")),
                     {"equity", "measure", "table"}),
    "onodig-efterfragan": (lambda p: (_choose(p, "Period", "Senaste hela månaden"),
                                      _show_table(p, "fd_topic")), {"period", "table"}),
    "lokal-service": (lambda p: (_pick_main(p, "Servicepunkt", "Servicepunkt Lindängen"),
                                 _show_table(p, "ls_point_hours")), {"point", "table"}),
    "forvaltning": (lambda p: (_choose(p, "Förvaltning", DEPARTMENT), _show_table(p, "dep_drivers")),
                    {"department", "table"}),
    "bemanning": (lambda p: (_move_slider(p, "Mål för servicenivå", 2),
                             _pick_segment(p, "Veckodag", "onsdag"),
                             _move_slider(p, "Minskning av onödig efterfrågan", 3),
                             _show_table(p, "st_plan")),
                  {"sl", "weekday", "reduction", "table"}),
    "datakvalitet": (lambda p: (_choose(p, "Period", "Senaste hela kvartalet"),
                                _show_table(p, "dq_trend")), {"period", "table"}),
    "om-data": (lambda p: _open_tab(p, "Inläsningar"), {"tab"}),
}
# The audit log has no view choice: the filters do not apply to it and a chosen row only opens
# its entry below the table, so a copied link has nothing of it to reproduce.
NO_CHOICES = {"granskningslogg"}
PAGES_WITH_CHOICES = [(path, title) for path, title in PAGES if path not in NO_CHOICES]


def test_every_page_has_its_choices_tested():
    assert {path for path, _ in PAGES} == set(CHOICES) | NO_CHOICES


def _view_of(page) -> tuple:
    """What a reader sees: the charts' data, key figures, the page's widget values, the open tab."""
    widgets = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="stMain"] input, [data-testid="stMain"] [role="slider"],'
        + ' [data-testid="stMain"] [role="radio"][aria-checked="true"],'
        + ' [data-testid="stMain"] [role="tab"][aria-selected="true"],'
        + ' [data-testid="stMain"] button[kind="segmented_controlActive"]'))
        .map(e => e.type === 'checkbox' ? String(e.checked)
                  : (e.getAttribute('aria-valuenow') || e.value || e.innerText))""")
    tables = page.locator('[data-testid="stMain"] [data-testid="stTable"]').all_inner_texts()
    return chart_signature(page), _key_figures(page), widgets, tables


@pytest.mark.parametrize(("path", "title"), PAGES_WITH_CHOICES)
def test_a_copied_link_reproduces_every_choice_on_the_page(server, page, browser, path, title):
    _open(page, f"{server}/{path}")
    before = _view_of(page)
    act, keys = CHOICES[path]
    act(page)
    assert keys <= set(_query(page)), (title, page.url)
    after = _view_of(page)
    assert after != before, title
    other = new_page(browser)  # a colleague opens the copied link in a browser of their own
    try:
        _open(other, page.url)
        assert _view_of(other) == after, title
        assert error_findings(other) == []
    finally:
        other.context.close()


def _click_cell(page, chart_key: str, column: int, row: int) -> tuple[int, int]:
    """Click the heatmap cell in grid column `column` and row `row`; its (weekday, hour)."""
    plot = page.locator(f".st-key-fig_{chart_key} .js-plotly-plot")
    plot.scroll_into_view_if_needed()
    box = page.evaluate("""(el) => {
        const area = el.querySelector('.nsewdrag').getBoundingClientRect();
        const heat = el.data.find(t => t.type === 'heatmap');
        return {x: area.x, y: area.y, w: area.width, h: area.height, nx: heat.x.length,
                ny: heat.y.length, cells: el.data.find(t => t.type === 'scatter').customdata};
    }""", plot.element_handle())
    page.mouse.click(box["x"] + (column + 0.5) * box["w"] / box["nx"],
                     box["y"] + (row + 0.5) * box["h"] / box["ny"])
    wait_until_idle(page)
    _, weekday, hour, _span = box["cells"][row * box["nx"] + column]
    return weekday, hour


def test_a_click_on_a_heatmap_cell_filters_to_it_and_the_button_goes_back(server, page):
    _open(page, f"{server}/tillganglighet")
    whole = _key_figures(page)
    weekday, hour = _click_cell(page, "acc_heat_offered", column=2, row=0)
    assert _query(page).get("day_of_week") == str(weekday) and _query(page).get("hour") == str(hour), page.url
    assert _key_figures(page) != whole
    outlined = page.evaluate("""() => document.querySelector('.st-key-fig_acc_heat_offered .js-plotly-plot')
                                .layout.shapes.length""")
    assert outlined == 1
    screenshot(page, "drill-ruta")
    buttons = page.locator(".st-key-active_filters")
    buttons.get_by_role("button", name="Veckodag:").click()
    wait_until_idle(page)
    buttons.get_by_role("button", name="Timme:").click()
    wait_until_idle(page)
    assert "day_of_week" not in _query(page) and "hour" not in _query(page)
    assert _key_figures(page) == whole
    assert error_findings(page) == []


def test_a_table_too_wide_for_the_grid_offers_its_rows_to_choose(server, page):
    """The city's ledger is text (its förvaltning and topic names and its headers cannot all stand
    whole in the grid's columns); its first row chosen by name filters to that förvaltning and
    topic, as a click on a grid's row does."""
    _open(page, f"{server}/serviceglapp")
    assert page.locator("[class*='st-key-df_sg_ledger'] [data-testid='stDataFrame']").count() == 0
    box = page.locator("[class*='st-key-df_sg_ledger']")
    open_dropdown(page, box.get_by_role("combobox", name="Filtrera sidan på en rad"))
    page.get_by_role("listbox").get_by_role("option").first.click()
    wait_until_idle(page)
    query = _query(page)
    assert query.get("department") and query.get("topic"), page.url
    screenshot(page, "drill-rad")
    buttons = page.locator(".st-key-active_filters")
    assert buttons.get_by_role("button", name=f"Förvaltning: {query['department']}").count() == 1
    buttons.get_by_role("button", name=f"Förvaltning: {query['department']}").click()
    wait_until_idle(page)
    assert "department" not in _query(page) and _query(page).get("topic") == query["topic"]
    assert error_findings(page) == []


def test_a_text_tables_figures_are_right_aligned_and_its_names_are_not(server, page):
    """Alla förvaltningar is drawn as text (its names wrap); its figure columns and their headers
    line up on the right, the förvaltning names on the left."""
    _open(page, f"{server}/forvaltning")
    aligned = page.evaluate("""() => {
        const table = [...document.querySelectorAll('[class*="st-key-tblfig-"] table')]
            .find(t => t.querySelector('th') && t.querySelector('th').textContent === 'Förvaltning');
        const row = table.querySelector('tbody tr');
        const align = e => getComputedStyle(e).textAlign;
        return {heads: [...table.querySelectorAll('thead th')].map(align),
                cells: [...row.querySelectorAll('td')].map(align),
                texts: [...row.querySelectorAll('td')].map(e => e.textContent)};
    }""")
    assert aligned["heads"][0] in ("left", "start") and aligned["cells"][0] in ("left", "start")
    assert set(aligned["heads"][1:]) == {"right"} and set(aligned["cells"][1:]) == {"right"}, aligned
    assert any(ch.isdigit() for ch in aligned["texts"][1])  # the second column is a figure


# Last in the module: by now the server has served every page, drill-downs and copied links.
def test_normal_reruns_leave_no_stack_trace_in_the_server_log(server, page, server_log):
    text = server_log.read_text(encoding="utf-8", errors="replace")
    # a raised exception ("Traceback") or a warning logged with stack_info (Streamlit's own)
    traces = [line for line in text.splitlines()
              if "Traceback (most recent call last)" in line or "Stack (most recent call last)" in line]
    assert not traces, text[-4000:]
