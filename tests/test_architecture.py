"""Layer rule: nothing below the UI imports streamlit, and SQL is never built with f-strings."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dashboard"
UI_LAYER = {"app.py", "screens", "ui"}


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


# ------------------------------------------------------------------ the privacy boundary

# Where figures are shown or written: they receive them only from dashboard.privacy.
SURFACES = {"app.py", "screens", "ui", "export", "cli"}
# Engine functions that return figures computed from the store, and the modules defining them.
RESULT_FUNCTIONS = {
    "compute", "compute_inputs", "service_gap_ledger", "equity", "contacts_per_residents",
    "failure_demand_breakdown", "self_service_potential", "avoidable_cost", "local_service",
    "incidents", "scorecard", "data_quality", "staffing_plan", "staffing_what_if",
    "detect_incidents",
}
RESULT_MODULES = {"engine", "gaps", "demand", "local", "scorecards", "quality", "planning",
                  "incidents", "query", "catalog_access", "catalog_demand"}
# What a surface may take from the privacy package: its public face and its cell objects.
PRIVACY_PUBLIC = {"dashboard.privacy", "dashboard.privacy.cells", "dashboard.privacy.text"}
ALLOWED: set[tuple[str, str, str]] = set()  # (module, imported from, name) exceptions


def _surface_modules():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in SURFACES:
            yield path


def _boundary_offences(path: Path) -> list[str]:
    rel = path.relative_to(PACKAGE).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if a.name == "dashboard.metrics" or (parts[:2] == ["dashboard", "metrics"]
                                                     and parts[2:3] and parts[2] in RESULT_MODULES):
                    out.append(f"{rel}:{node.lineno} import {a.name}")
                if parts[:2] == ["dashboard", "privacy"] and a.name not in PRIVACY_PUBLIC:
                    out.append(f"{rel}:{node.lineno} import {a.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            names = {a.name for a in node.names}
            if module == "dashboard" and "metrics" in names:
                out.append(f"{rel}:{node.lineno} from dashboard import metrics")
            parts = module.split(".")
            if parts[:2] == ["dashboard", "metrics"]:
                if parts[2:3] and parts[2] in RESULT_MODULES:
                    out.append(f"{rel}:{node.lineno} from {module} import ...")
                for name in sorted(names & RESULT_FUNCTIONS | names & RESULT_MODULES):
                    if (rel, module, name) not in ALLOWED:
                        out.append(f"{rel}:{node.lineno} from {module} import {name}")
            if parts[:2] == ["dashboard", "privacy"] and module not in PRIVACY_PUBLIC:
                out.append(f"{rel}:{node.lineno} from {module} import ...")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "getattr" and node.args
              and isinstance(node.args[1] if len(node.args) > 1 else None, ast.Name)):
            # getattr(module, name) with a computed name: results by strings
            target = node.args[0]
            if isinstance(target, ast.Name) and target.id in {"engine", "metrics", "privacy"}:
                out.append(f"{rel}:{node.lineno} getattr({target.id}, ...)")
    return out


def test_surfaces_receive_figures_only_through_the_privacy_package():
    """Pages, UI, downloads, exports and the CLI never call the engine's result functions (or
    the privacy package's internals): every figure they show comes from dashboard.privacy."""
    offenders = [o for p in _surface_modules() for o in _boundary_offences(p)]
    assert offenders == []


def test_the_boundary_check_catches_a_direct_engine_call(tmp_path):
    """The check itself can fail: a surface module calling the engine is reported."""
    bad = PACKAGE / "ui" / "_boundary_probe.py"
    assert not bad.exists()
    bad.write_text("from dashboard.metrics import scorecard\nimport dashboard.metrics as engine\n"
                   "from dashboard.privacy.rules import nothing_to_hide\n"
                   "x = getattr(engine, name)\n", encoding="utf-8")
    try:
        found = _boundary_offences(bad)
    finally:
        bad.unlink()
    assert len(found) == 4, found


def test_only_the_privacy_package_imports_the_suppression_internals():
    inside = PACKAGE / "privacy"
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if inside in path.parents:
            continue
        for root in _imported_modules(path):
            if root.startswith("dashboard.privacy.") and root not in PRIVACY_PUBLIC:
                offenders.append(f"{path.relative_to(PACKAGE)}: {root}")
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
    above = ("dashboard.metrics", "dashboard.ui", "dashboard.screens", "dashboard.charts",
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
