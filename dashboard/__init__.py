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


# Installed as early as possible, and only for the command (not for importers such as Streamlit).
if _os.path.basename(_sys.argv[0] if _sys.argv else "") in ("kontaktcenter", "__main__.py"):
    _signal.signal(_signal.SIGINT, quiet_interrupts_while_importing)
