"""Text from data is drawn as text: a value never becomes a link or markup.

Values from the store (topics, city areas, service points, department names) reach Markdown
(Streamlit's st.markdown, st.caption), Plotly's pseudo-HTML (labels, titles, hover) and
reportlab's Paragraph markup. Each renderer gets the value escaped for its own syntax here; the
XLSX writer writes strings as strings (no URL detection, dashboard/export/xlsx_common.py) and the
PDF's paragraphs escape XML (dashboard/export/pdf_layout.py).
"""

from __future__ import annotations

import re
from html import escape as _html_escape

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones
# Markdown, GitHub's extensions and Streamlit's directives (:red[...], :material/...:, $math$)
# give a meaning.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


def as_markdown(value: object) -> str:
    """A value as literal text inside Markdown: links, emphasis, HTML, autolinks (the ':' of
    'https://') and Streamlit's directives are escaped. Line breaks become spaces."""
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def as_plotly(value: object) -> str:
    """A value as literal text in a Plotly label, title or hover: Plotly reads a subset of HTML
    (<a href>, <b>, <br>), so '<', '>' and '&' become entities, which it draws as characters."""
    return _html_escape(str(value), quote=False)
