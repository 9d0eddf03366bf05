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


def test_no_sql_call_takes_an_f_string():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"execute", "sql", "query", "executemany"}
                    and node.args and isinstance(node.args[0], ast.JoinedStr)):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
