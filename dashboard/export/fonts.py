"""DejaVu Sans for the PDF: embedded (subset) so å, ä, ö and "−" render on every reader.

The fonts come from Debian's fonts-dejavu-core (dev.sh installs it); KONTAKTCENTER_FONT_DIR
points elsewhere on other systems. Nothing is downloaded at run time.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
)


class FontError(RuntimeError):
    """The PDF fonts are missing; the message is Swedish and names the fix."""


def _find(file_name: str) -> Path:
    dirs = [Path(os.environ["KONTAKTCENTER_FONT_DIR"])] if os.environ.get(
        "KONTAKTCENTER_FONT_DIR") else []
    for folder in (*dirs, *FONT_DIRS):
        if (folder / file_name).is_file():
            return folder / file_name
    raise FontError(
        f"Typsnittet {file_name} saknas, så PDF:en kan inte skapas med å, ä och ö. "
        "Installera det med `apt-get install fonts-dejavu-core` (eller ange katalogen med "
        "KONTAKTCENTER_FONT_DIR)."
    )


@cache
def register_fonts() -> None:
    """Register the three faces once per process."""
    for name, file_name in ((REGULAR, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf"),
                            (ITALIC, "DejaVuSans-Oblique.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(_find(file_name))))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD)
