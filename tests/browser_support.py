"""Run the dashboard in a real `streamlit run` subprocess and drive Debian's chromium via Playwright.

Shared by the browser tests and bench/bench_dashboard.py. Never downloads a browser: chromium must
be /usr/bin/chromium (dev.sh installs Debian's package); without it the tests FAIL with a message.
axe-core comes from the PyPI package axe-playwright-python (installed with the `test` extra).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("KONTAKTCENTER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Streamlit's own elements that render a Python error; none may appear.
ERROR_SELECTORS = ('[data-testid="stException"]',)
# Our own Swedish error text (dashboard/ui/errors.py) and the busy-store message.
ERROR_TEXTS = ("Något gick fel när sidan skulle visas", "Traceback (most recent call last)")


def require_chromium() -> str:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        raise RuntimeError(
            f"Chromium saknas ({CHROMIUM}). Installera Debians paket: `apt-get install -y chromium` "
            "(./dev.sh test gör det), eller peka KONTAKTCENTER_CHROMIUM på en chromium-binär."
        )
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit avslutades direkt (kod {proc.returncode}).")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit svarade inte på {url} inom {timeout_s} s.")


@contextmanager
def streamlit_server(db: Path, *, log_path: Path | None = None, timeout_s: float = 60,
                     port: int | None = None, env: dict | None = None, args: tuple = ()):
    """Yield the base URL of `streamlit run dashboard/app.py` on a free localhost port (or
    `port`), with `env` added to the environment and `args` to streamlit's options."""
    port = port or free_port()
    env = dict(os.environ, KONTAKTCENTER_DB=str(db), PYTHONUNBUFFERED="1", **(env or {}))
    cmd = [sys.executable, "-m", "dashboard.ui.launch", "run", str(APP), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args]
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, timeout_s)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log_path:
            log.close()


@contextmanager
def chromium():
    """Debian's chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, viewport=(1400, 1000)):
    """A page in a fresh context (own cookies and history), Swedish locale and time zone."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  locale="sv-SE", timezone_id="Europe/Stockholm")
    return context.new_page()


@contextmanager
def browser_page(viewport=(1400, 1000)):
    with chromium() as browser:
        yield new_page(browser, viewport)


def wait_until_idle(page, timeout_ms: int = 90_000) -> None:
    """Wait until Streamlit finished the script run and drew everything: the app reports
    'notRunning', no skeleton placeholder is left, and that holds for half a second."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    idle = """() => {
        const app = document.querySelector('[data-testid="stApp"]');
        return app && app.getAttribute('data-test-script-state') === 'notRunning'
            && !document.querySelector('[data-testid="stSkeleton"]');
    }"""
    for _ in range(3):
        page.wait_for_function(idle, timeout=timeout_ms)
        page.wait_for_timeout(500)  # plotly draws after the script finished; a rerun may follow
        if page.evaluate(idle):
            return


def open_dropdown(page, combobox) -> None:
    """Open a select or multiselect as a person does: it is in view and still when clicked.

    Playwright scrolls an element into view as part of its click. In a sidebar that is still
    settling (an expander just opened) the scroll goes on after the list has opened, and a
    scroll of the sidebar closes the list again (Streamlit 1.67); a person sees the box first
    and clicks it where it stays.
    """
    combobox.scroll_into_view_if_needed()
    still = None
    for _ in range(40):
        box = combobox.bounding_box()
        if box is not None and box == still:
            break
        still = box
        page.wait_for_timeout(100)
    combobox.click()
    page.get_by_role("listbox").wait_for()


OUR_CHARTS_JS = ("Array.from(document.querySelectorAll('.js-plotly-plot'))"
                 ".filter(el => !el.closest('.st-key-plotly_preload'))")  # not the preload chart


def chart_signature(page) -> str:
    """All chart data on the page, as a string: changes when any figure changes."""
    return page.evaluate(
        "() => " + OUR_CHARTS_JS + ".map(el => JSON.stringify((el.data || [])"
        ".map(t => [t.name, t.y, t.x, t.z, t.text]))).join('|')"
    )


def error_findings(page) -> list[str]:
    found = []
    for sel in ERROR_SELECTORS:
        n = page.locator(sel).count()
        if n:
            found.append(f"{n} × {sel}: {page.locator(sel).first.inner_text()[:300]}")
    body = page.locator("body").inner_text()
    found += [f"text '{t}'" for t in ERROR_TEXTS if t in body]
    return found


def run_axe(page, *, include: str = '[data-testid="stMain"]') -> list[dict]:
    """axe-core (bundled in axe-playwright-python) on our content; serious/critical violations."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        """async (include) => await axe.run({include: [include]},
               {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations']})""",
        include,
    )
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                   for n in v["nodes"][:3]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} noder, t.ex. {targets}")
    return "\n".join(lines)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def copy_store(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


# Text that does not fit: an element with its own text whose content is wider than its box while
# the box cuts it (overflow other than visible, or an ellipsis), text cut by an ancestor that hides
# overflow, text past the window's right edge, and a table (Streamlit's canvas grid) that scrolls
# sideways, i.e. whose right-hand columns are cut; a key figure's text past its card; and a word
# broken over two lines (text wraps between words only). Charts (SVG/canvas) are not text elements
# here. A grid draws its headers and cells on a canvas, cut with "…" where a column is too narrow:
# its texts (the grid's accessible table: headers and the rows drawn) are measured in the grid's
# font, and a grid whose columns, each as wide as its widest text and the cell padding, add up to
# more than the grid's whole width must be cutting some of them. Not the grids of SUMMARY_GRIDS
# (their keys): the audit log's rows are a summary, each opens whole below the grid when chosen.
SUMMARY_GRIDS = ("audit_rows",)
_OVERFLOW_JS = """([regions, summaries]) => {
  const found = [];
  const GRID_PAD_PX = 8;  // the grid's cell padding on each side
  const name = (el) => (el.getAttribute('data-testid') || el.tagName.toLowerCase())
      + ': ' + (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 80);
  const hidesX = (cs) => cs.overflowX === 'hidden' || cs.overflowX === 'clip';
  // A word drawn on two lines: text wraps between words only (a no-break space joins a number to
  // its unit, so '0,3 årsarbetare' is one word here); a hyphen ends a part of its own.
  const brokenWord = (el) => {
    for (const n of el.childNodes) {
      if (n.nodeType !== 3) continue;
      for (const m of n.nodeValue.matchAll(/(?:[^\\s-]|[\\u00a0\\u202f])+-?|-/g)) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const rects = Array.from(range.getClientRects()).filter(q => q.width > 0);
        if (rects.length > 1 && rects.some(q => q.top >= rects[0].bottom - 1)) return "'" + m[0] + "'";
      }
    }
    return null;
  };
  for (const sel of regions) for (const root of document.querySelectorAll(sel)) {
    for (const el of root.querySelectorAll('*')) {
      if (el.closest('svg, canvas, .js-plotly-plot, [data-testid="stDataFrameResizable"]')) continue;
      const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.nodeValue.trim());
      if (!own) continue;
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      if (cs.display === 'none' || cs.visibility === 'hidden' || r.width < 2 || r.height < 2) continue;
      if (el.offsetParent === null && cs.position !== 'fixed') continue;  // not rendered
      if ((hidesX(cs) || cs.textOverflow === 'ellipsis') && el.scrollWidth > el.clientWidth + 1) {
        found.push('avskuren: ' + name(el)); continue;
      }
      if (r.right > document.documentElement.clientWidth + 1) {
        found.push('utanför fönstret: ' + name(el)); continue;
      }
      const card = el.closest('[data-testid="stMetric"]');
      if (card) {  // a key figure's text spilling past its card (the card shows overflow)
        const text = document.createRange();
        text.selectNodeContents(el);
        const t = text.getBoundingClientRect(), c = card.getBoundingClientRect();
        if (t.right > c.right + 1 || t.left < c.left - 1) { found.push('utanför sin ruta: ' + name(el)); continue; }
      }
      const broken = brokenWord(el);
      if (broken) { found.push('ord brutet mitt i: ' + broken + ' i ' + name(el)); continue; }
      for (let a = el.parentElement; a && a !== root; a = a.parentElement) {
        const acs = getComputedStyle(a);
        if (!hidesX(acs)) continue;
        const ar = a.getBoundingClientRect();
        if (ar.width > 2 && (r.right > ar.right + 1 || r.left < ar.left - 1)) {
          found.push('dold av ' + (a.getAttribute('data-testid') || a.tagName.toLowerCase()) + ': ' + name(el));
        }
        break;
      }
    }
    for (const t of root.querySelectorAll('[data-testid="stTable"]')) {
      if (t.scrollWidth > t.clientWidth + 1) found.push('tabell bredare än sin ruta: ' + name(t));
    }
    const ctx = document.createElement('canvas').getContext('2d');
    for (const grid of root.querySelectorAll('[data-testid="stDataFrame"]')) {
      const scroller = grid.querySelector('.dvn-scroller');
      if (scroller && !summaries.some(k => grid.closest('.st-key-' + k))) {
        ctx.font = '14px ' + getComputedStyle(grid).fontFamily;
        const widest = {};
        for (const c of grid.querySelectorAll('[role="columnheader"], [role="gridcell"]')) {
          const col = c.getAttribute('aria-colindex'), w = ctx.measureText((c.textContent || '').trim()).width;
          widest[col] = Math.max(widest[col] || 0, w);
        }
        const cols = Object.values(widest), need = cols.reduce((a, w) => a + w + 2 * GRID_PAD_PX, 0);
        if (cols.length && need > scroller.scrollWidth + 1) {
          const head = grid.closest('[data-testid="stVerticalBlock"]');
          found.push('tabell med avskurna rubriker eller celler (' + Math.round(need) + ' > '
                     + scroller.scrollWidth + ' px): ' + (head ? head.innerText.trim().split('\\n')[0].slice(0, 80) : ''));
        }
      }
      if (scroller && scroller.scrollWidth > scroller.clientWidth + 1) {
        const head = grid.closest('[data-testid="stVerticalBlock"]');
        found.push('tabell bredare än sin ruta (' + scroller.scrollWidth + ' > ' + scroller.clientWidth
                   + ' px): ' + (head ? head.innerText.trim().split('\\n')[0].slice(0, 80) : ''));
      }
    }
  }
  return found;
}"""


def overflow_findings(page, regions=('[data-testid="stMain"]', '[data-testid="stSidebarUserContent"]')) -> list[str]:
    """Our text elements whose content does not fit (see _OVERFLOW_JS), as readable lines."""
    return page.evaluate(_OVERFLOW_JS, [list(regions), list(SUMMARY_GRIDS)])
