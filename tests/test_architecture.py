"""Layer rule: nothing below the UI imports streamlit, and SQL is never built with f-strings."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dashboard"
UI_LAYER = {"app.py", "pages", "ui"}


def _modules_below_ui():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] not in UI_LAYER:
            yield path


def _imported_roots(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module.split(".")[0]


def test_no_streamlit_import_below_the_ui_layer():
    offenders = [str(p.relative_to(PACKAGE)) for p in _modules_below_ui()
                 if "streamlit" in set(_imported_roots(p))]
    assert offenders == []


def _sql_calls_with_fstrings(tree):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"execute", "sql", "query", "executemany"}
                and node.args and isinstance(node.args[0], ast.JoinedStr)):
            yield node


def test_no_sql_call_takes_an_f_string_unless_it_formats_trusted_identifiers():
    """Values are always bound. A function may format table/column names from our own code
    only if it says so with a comment containing "trusted identifiers"."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        allowed = set()
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if "trusted identifiers" in (ast.get_source_segment(source, fn) or ""):
                    allowed |= {id(n) for n in _sql_calls_with_fstrings(fn)}
        offenders += [f"{path.relative_to(PACKAGE)}:{n.lineno}"
                      for n in _sql_calls_with_fstrings(tree) if id(n) not in allowed]
    assert offenders == []


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_store_ingest_and_sample_do_not_depend_on_the_layers_above():
    """The write side (store, ingest, sample) sits below the metric engine: a rename up there
    cannot make an ingest skip its marts refresh."""
    above = ("dashboard.metrics", "dashboard.ui", "dashboard.pages", "dashboard.charts",
             "dashboard.export", "dashboard.cli", "dashboard.app")
    offenders = [
        f"{path.relative_to(PACKAGE)}: {module}"
        for package in ("store", "ingest", "sample")
        for path in (PACKAGE / package).rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith(above)
    ]
    assert offenders == []


def test_no_issue_shorthand_in_code_or_docs():
    """Code and docs say what a rule is, never a ticket shorthand ("H3", "issue 2 §6")."""
    import re

    shorthand = re.compile(r"\bH\d{1,2}\b|\b[Ii]ssue \d|§ ?\d")
    root = PACKAGE.parent
    files = [p for d in ("dashboard", "tests", "bench", "docs", "queries") for p in (root / d).rglob("*")
             if p.suffix in {".py", ".md", ".sql", ".toml"}] + [root / "README.md"]
    offenders = [f"{p.relative_to(root)}:{i}" for p in files
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if shorthand.search(line) and "shorthand" not in line]
    assert offenders == []
