"""The dashboard's own warm-up at server start, overlapped with the first browser's page load.

`python -m dashboard.ui.launch` (what `kontaktcenter serve` runs) imports the heavy libraries
before the server accepts a connection, so two first sessions cannot race importing them. Once
Streamlit's runtime has started (this thread does not slow the server's own start down), while
the first browser fetches and compiles Streamlit's frontend (about a second in which the server
has nothing to do), a thread started here imports the dashboard's own modules, builds and
serializes one Plotly figure (Plotly loads its template and JSON writer on first use), opens
the store's published snapshot, puts what every first page reads first (whether the snapshot
has contacts, the filters' choices) into the shared cache and computes the default view's key
figures once, which brings the snapshot's pages into memory.

A session waits for that thread's imports before it imports anything of the dashboard (`wait()`,
first in dashboard/app.py), so no module is ever imported by two threads at once: the guarantee
the preload gives holds. It does not wait for the reads: a first session asking for the cached
choices meanwhile waits for that one computation (st.cache_data computes a key once) instead of
reading them a second time. Started by nothing else (AppTest, `streamlit run` of the app
itself), `wait()` returns at once. A failure here is only logged: the session meets it again and
shows its message.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

APP = Path(__file__).resolve().parent.parent / "app.py"
WAIT_S = 120.0  # a session never waits longer than this for the warm-up's imports
RUNTIME_WAIT_S = 30.0  # the warm-up waits this long at most for Streamlit's runtime to start

_imported = threading.Event()
_done = threading.Event()
_started = False


def start(app: str | Path) -> bool:
    """Warm up in a background thread when `app` is the dashboard's entrypoint."""
    global _started
    try:
        if Path(app).resolve() != APP:
            return False
    except OSError:
        return False
    _started = True
    threading.Thread(target=_run, name="dashboard-prewarm", daemon=True).start()
    return True


def wait(timeout: float = WAIT_S) -> None:
    """Return once the warm-up's imports are done (at once when none was started)."""
    if _started:
        _imported.wait(timeout)


def modules() -> list[str]:
    """The dashboard's UI modules (and, through their imports, what they use), not this one."""
    import dashboard.ui as ui

    skip = {"launch", "prewarm"}
    return [f"dashboard.ui.{m.name}" for m in pkgutil.iter_modules(ui.__path__) if m.name not in skip]


def _run() -> None:
    try:
        try:
            _wait_for_runtime()
            for name in modules():
                importlib.import_module(name)
            import plotly.graph_objects as go
            import plotly.io

            # the figure's template and the JSON writer st.plotly_chart uses (imported on first use)
            plotly.io.to_json(go.Figure(), validate=False)
        finally:
            _imported.set()
        _first_read()
    except Exception:  # noqa: BLE001 - the session shows whatever is wrong, in Swedish
        log.warning("the dashboard's warm-up failed", exc_info=True)
    finally:
        _done.set()


def _wait_for_runtime() -> None:
    """Until the server's runtime has started: its start is not slowed down by this thread, and
    the shared cache is the runtime's."""
    from streamlit import runtime
    from streamlit.runtime.runtime import RuntimeState

    deadline = time.monotonic() + RUNTIME_WAIT_S
    while time.monotonic() < deadline and not (
            runtime.exists() and runtime.get_instance().state != RuntimeState.INITIAL):
        time.sleep(0.02)


def _first_read() -> None:
    from dashboard import privacy
    from dashboard.metrics.filters import Filters
    from dashboard.ui import data
    from dashboard.periods import resolve_period
    from dashboard.view import FilterState

    settings = data.settings()
    if not Path(settings.db).exists():
        return
    snap = data.store().current()   # the same reader the sessions use (one per store and process)
    if not data.has_contacts(snap):
        return
    options = data.filter_options(snap)   # cached: the first session's filter frame reads it
    period = resolve_period(FilterState(), options.latest)
    with snap.cursor() as cur:
        privacy.fetch(privacy.METRICS, cur, Filters(start=period.start, end=period.end), settings,
                      metric_ids=("contacts", "answer_rate", "service_level", "asa_s"), by=())
