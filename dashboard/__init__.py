"""Kontaktcenter analytics for Malmö stad: store, ingest, metrics, charts, exports, dashboard."""

__version__ = "0.1.0"

import os as _os
import signal as _signal
import sys as _sys

INTERRUPTED = "Avbrutet. Inget halvfärdigt har skrivits."


def quiet_interrupts_while_importing(signum=None, frame=None) -> None:
    # Ctrl-C while the command is still importing: nothing is open yet, leave at once, quietly.
    # `kontaktcenter`'s main() replaces this handler before it opens anything.
    print(INTERRUPTED, file=_sys.stderr, flush=True)
    _os._exit(130)


def _is_the_command() -> bool:
    """`kontaktcenter ...` (the console script) or `python [flags] -m dashboard ...` (while the
    package is imported for -m, sys.argv[0] is still "-m": the original argv says which module)."""
    if _os.path.basename(_sys.argv[0] if _sys.argv else "") == "kontaktcenter":
        return True
    argv = list(getattr(_sys, "orig_argv", ()))
    return "-m" in argv and argv[argv.index("-m") + 1:argv.index("-m") + 2] == ["dashboard"]


ALLOCATOR_ENV, WRITE_ALLOCATOR = "_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0"
allocator_set_here = False

# Installed as early as possible, and only for the command (not for importers such as Streamlit
# or pytest).
if _is_the_command():
    _signal.signal(_signal.SIGINT, quiet_interrupts_while_importing)
    # Polars' allocator (jemalloc, read before polars loads) gives freed pages back at once
    # instead of keeping them for ten seconds: a sample build's chunks are drawn by numpy and
    # Polars while DuckDB holds its buffers, and memory one allocator keeps the others cannot use
    # (30 million contacts: peak 2.85 GB before, docs/architecture.md "Memory on the write path").
    if ALLOCATOR_ENV not in _os.environ:
        _os.environ[ALLOCATOR_ENV] = WRITE_ALLOCATOR
        allocator_set_here = True   # `serve` keeps it from the dashboard (cli/serve.py)
