"""The page around our content: Swedish document language, Streamlit's own English in Swedish,
and the CSS that lets our texts wrap instead of being cut.

Streamlit has no locale setting: the document says `lang="en"`, and a few of its own controls
("Skip to main content", "Select all" in a multiselect, the "Page not found" dialog) are English
literals in its frontend. A small script, sent once per run with `st.html`, sets the language and
replaces those literals (texts and the labels screen readers read) whenever Streamlit draws them.
Only the exact strings in `STREAMLIT_TEXTS` are touched; anything else of Streamlit's is left.
"""

from __future__ import annotations

import json

import streamlit as st

# Streamlit's English -> our Swedish. Keys are the whole text of an element or attribute.
STREAMLIT_TEXTS = {
    "Skip to main content": "Hoppa till huvudinnehållet",
    "Select all": "Välj alla",
    "Page not found": "Sidan finns inte",
    "No results": "Inga träffar",
    "Choose an option": "Välj",   # an empty selectbox's placeholder
    "Clear all": "Rensa alla",
    "Fullscreen": "Helskärm",
    "Close fullscreen": "Stäng helskärm",
    "Download as CSV": "Ladda ner som CSV",
    "Search": "Sök",
    "Close": "Stäng",
    "Show password text": "Visa lösenordet",
    "Open sidebar": "Öppna sidopanelen",
    "Close sidebar": "Stäng sidopanelen",
    "Expand sidebar": "Fäll ut sidopanelen",
    "Collapse sidebar": "Fäll ihop sidopanelen",
    "View less": "Visa färre",
    "View more": "Visa fler",
    "Running...": "Arbetar …",
    # labels only screen readers read (aria-label): the menu, a heading's anchor, a list's arrow
    "Main menu": "Huvudmeny",
    "Link to heading": "Länk till rubriken",
    "Open": "Öppna",
    # the dialog's message for a page this person may not open (app.navigation serves only theirs)
    "The page that you have requested does not seem to exist. Running the app's main page.":
        "Sidan finns inte eller är inte öppen för din roll. Översikten visas i stället.",
}
# Texts with a variable part: (regular expression, replacement).
STREAMLIT_PATTERNS = (
    (r"^Select (\d+) matches$", "Välj $1 träffar"),
    (r"^View (\d+) more$", "Visa $1 till"),
    (r"^Help for (.+)$", "Hjälp om $1"),   # the (?) beside a widget's label
    (r"^You have requested page /(.+), but no corresponding file was found in the app's pages/ "
     r"directory\. Running the app's main page\.$",
     "Sidan /$1 finns inte eller är inte öppen för din roll. Översikten visas i stället."),
)
ATTRIBUTES = ("aria-label", "title", "placeholder")

_SCRIPT = """
(() => {
  const doc = document;
  doc.documentElement.lang = "sv";
  if (window.__kcSwedish) return;
  window.__kcSwedish = true;
  const texts = %(texts)s;
  const patterns = %(patterns)s.map(([re, to]) => [new RegExp(re), to]);
  const attributes = %(attributes)s;
  const swedish = (s) => {
    const t = s.trim();
    if (Object.prototype.hasOwnProperty.call(texts, t)) return s.replace(t, texts[t]);
    for (const [re, to] of patterns) if (re.test(t)) return s.replace(t, t.replace(re, to));
    return null;
  };
  const fix = (root) => {
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const s = swedish(n.nodeValue);
      if (s !== null && s !== n.nodeValue) n.nodeValue = s;
    }
    const els = root.querySelectorAll ? root.querySelectorAll("[" + attributes.join("],[") + "]") : [];
    for (const el of els) for (const a of attributes) {
      const v = el.getAttribute(a);
      const s = v && swedish(v);
      if (s && s !== v) el.setAttribute(a, s);
    }
  };
  fix(doc.body);
  new MutationObserver((records) => {
    if (doc.documentElement.lang !== "sv") doc.documentElement.lang = "sv";
    const roots = new Set();
    for (const r of records) {
      if (r.type === "characterData") {
        const s = swedish(r.target.nodeValue);
        if (s !== null && s !== r.target.nodeValue) r.target.nodeValue = s;
      } else if (r.type === "attributes") {
        roots.add(r.target.parentNode || doc.body);
      } else {
        for (const node of r.addedNodes) roots.add(node.nodeType === 1 ? node : node.parentNode || doc.body);
      }
    }
    // each changed subtree once, none already gone again, none inside a chart (Plotly's own)
    for (const root of roots) {
      if (root.isConnected && !(root.closest && root.closest(".js-plotly-plot"))) fix(root);
    }
  }).observe(doc.documentElement, {subtree: true, childList: true, characterData: true,
                                   attributes: true, attributeFilter: [...attributes, "lang"]});
})();
"""

# Our texts wrap: key-figure labels and their change ("+1,2 procentenheter (bättre)") were cut
# with an ellipsis in a 1280 px window; tables and code blocks never push the page sideways.
# They wrap between words only, never inside one ("årsarbet-are" in a key figure at 1280 px): a
# no-break space keeps a number with its unit, and a key-figure value too long for its card at
# the usual size gets a smaller one instead (`value_fit_key`).
_CSS = """
[data-testid="stMetric"], [data-testid="stMetric"] div { overflow: visible !important; }
[data-testid="stMetric"] .stMarkdownEllipsis, [data-testid="stMetric"] .stMarkdownEllipsis *,
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] *,
[data-testid="stMetricDeltaDescription"], [data-testid="stMetricDeltaDescription"] * {
  white-space: normal !important; text-overflow: clip !important;
}
[data-testid="stMetric"] div:has(> [data-testid="stMetricDelta"]) {
  flex-wrap: wrap !important; height: auto !important; row-gap: 0.25rem;
}
[data-testid="stMetricLabel"], [data-testid="stMetricDelta"] { height: auto !important; }
[data-testid="stTable"] td, [data-testid="stTable"] th { white-space: normal !important; }
/* 5 px a side, not 6: Serviceglapp's city ledger (nine columns) fits the main column at 1280 px */
[data-testid="stTable"] td, [data-testid="stTable"] th { padding-left: 5px !important; padding-right: 5px !important; }
[data-testid="stMetric"], [data-testid="stMetric"] *, [data-testid="stCaptionContainer"],
[data-testid="stMarkdownContainer"], [data-testid="stTable"] td, [data-testid="stTable"] th {
  overflow-wrap: normal !important; word-break: normal !important; hyphens: manual;
}
"""

# A key figure's value of FIT_CHARS characters or more is drawn at a size that fits that many
# characters into its card's text box (container units, so at any window size), never above
# Streamlit's own size (1em of the value's box). Source Sans measured 0,42 em a character for
# "0,3 årsarbetare" in Chromium; EM_PER_CHAR leaves room for wider digits.
FIT_CHARS = range(10, 41)
EM_PER_CHAR = 0.45
_CSS += '[data-testid="stMetric"] > div { container-type: inline-size; }\n' + "".join(
    f'[class*="st-key-kpi_fit{n}_"] [data-testid="stMetricValue"] * '
    f'{{ font-size: min(1em, {100 / (EM_PER_CHAR * n):.1f}cqi) !important; }}\n'
    for n in FIT_CHARS)

# A text table's figure columns are right-aligned: its container's key names them
# (`figure_columns_key`), since Streamlit's table takes no per-column alignment (a table
# drawn with hide_index: column i is cell i + 1 of its row).
FIGURE_COLUMNS = range(24)
_CSS += "".join(
    f'[class*="st-key-tblfig-"][class*="-c{i}-"] [data-testid="stTable"] '
    f':is(td, th):nth-child({i + 1}) '
    '{ text-align: right !important; }\n' for i in FIGURE_COLUMNS)


def figure_columns_key(columns: list[int], key: str) -> str:
    """The key of the container a text table is drawn in: its figure columns' positions (the
    CSS above right-aligns them) and the table's own key, unique on a page."""
    return "tblfig-" + "".join(f"c{i}-" for i in columns if i in FIGURE_COLUMNS) + "_" + key


def value_fit_key(value: str, index: int) -> str:
    """The key of the container a key-figure card is drawn in: it names the value's length when
    the value is long enough to need a smaller size (the CSS above), and is unique on a page."""
    n = min(len(value), FIT_CHARS[-1])
    return f"kpi_fit{n}_{index}" if n >= FIT_CHARS[0] else f"kpi_{index}"


def chrome_script() -> str:
    """The language script's text: constant, so deploy/nginx's content security policy allows it
    by its sha256 hash (tests/test_deploy_nginx.py checks the hash there)."""
    return _SCRIPT % {"texts": json.dumps(STREAMLIT_TEXTS, ensure_ascii=False),
                      "patterns": json.dumps(STREAMLIT_PATTERNS),
                      "attributes": json.dumps(ATTRIBUTES)}


def swedish_chrome() -> None:
    """Send the language script and our CSS (cheap: one small element per run)."""
    st.html(f"<style>{_CSS}</style><script>{chrome_script()}</script>", unsafe_allow_javascript=True)
