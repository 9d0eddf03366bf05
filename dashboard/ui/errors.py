"""No traceback reaches a user: page bodies run inside `guarded`, errors are logged, a Swedish message
names the problem and what to do."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard.metrics.inputs import SettingOutOfRange
from dashboard.store import StoreError

# Errors whose message is already Swedish and names the fix: shown as they are.
USER_ERRORS = (StoreError, SettingOutOfRange)

log = logging.getLogger("dashboard.ui")

GENERIC = (
    "Något gick fel när sidan skulle visas. Felet är loggat (felkod {code}). "
    "Prova att ladda om sidan eller välja andra filter; kvarstår felet, kontakta förvaltaren av "
    "dashboarden och uppge felkoden."
)


def show_error(exc: BaseException, where: str) -> None:
    """Log the exception with a short code and show the user a Swedish message with that code."""
    if isinstance(exc, USER_ERRORS):
        log.warning("%s: %s", where, exc)
        st.error(str(exc), icon=":material/database:")
        return
    code = uuid.uuid4().hex[:8]
    log.exception("%s failed (felkod %s)", where, code)
    st.error(GENERIC.format(code=code), icon=":material/error:")


@contextmanager
def guarded(where: str) -> Iterator[None]:
    """Run a block; any exception becomes a logged error and a Swedish message."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the whole point is to catch everything
        # st.rerun/st.stop raise BaseException subclasses, so they pass through untouched.
        show_error(exc, where)


def run_page(name: str, body: Callable[[], None]) -> None:
    with guarded(name):
        body()
