"""Files the package reads at run time that live outside the Python tree: `queries/`, `docs/` and
`sample_data/`.

In a checkout they are at the repository root. A built wheel carries copies inside the package
(`dashboard/_shipped/`, written by the build step in setup.py), so `pip install .` into a fresh
environment works without the source tree. `tests/test_packaging.py` builds a wheel and checks it.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_DIRS = ("queries", "docs", "sample_data")


def shipped(name: str) -> Path:
    """The directory `name` (one of SHIPPED_DIRS): the installed copy if there is one, else the
    checkout's."""
    if name not in SHIPPED_DIRS:
        raise ValueError(f"{name!r} is not shipped with the package ({', '.join(SHIPPED_DIRS)})")
    inside = PACKAGE_DIR / "_shipped" / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name
