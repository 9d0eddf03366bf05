"""Sign-in (Streamlit's OpenID Connect: st.login, st.user, st.logout) and the person's access.

`gate()` runs first on every rerun (app.py). With an `[auth]` section in `.streamlit/secrets.toml`
a person signs in; their claims (e-mail, groups) are matched against the roles file, read again
whenever it changes, so a role change applies on the next rerun. A person with no role sees one
Swedish page saying whom to ask, and nothing else. Without `[auth]` the dashboard runs in the local
single-user mode, with a banner saying so (`kontaktcenter serve` refuses a non-loopback address
then, unless `--allow-remote`). docs/roles.md describes all of it.
"""

from __future__ import annotations

import logging

import streamlit as st

from dashboard.auth import Access, Person, RolesFileError, load_roles, local_access, resolve
from dashboard.auth.roles import groups_claim
from dashboard.export import audit
from dashboard.privacy import as_markdown
from dashboard.ui import data
from dashboard.formatting import os_reason

log = logging.getLogger(__name__)
_ACCESS = "_access"
_SIGNED_IN = "_signed_in_as"


def signin_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current() -> Access:
    """The access of this run (set by gate(); the local mode when a page runs on its own)."""
    found = st.session_state.get(_ACCESS)
    return found if isinstance(found, Access) else local_access()


def scope() -> tuple[str, ...] | None:
    return current().departments


def _claims() -> Person:
    user = st.user
    email = user.get("email") or user.get("preferred_username") or user.get("upn")
    return Person(email=str(email).strip() if email else None,
                  groups=groups_claim(user.get("groups")), name=user.get("name"))


def _record(kind: str, access: Access, details: dict | None = None) -> None:
    try:
        audit.event(data.settings().audit_log, kind, user=access.who, role=access.role,
                    details=details)
    except audit.AuditError as exc:  # a sign-in is not refused for it; the operator must see it
        log.error("%s", exc)


def _hidden_page(body) -> None:
    """Draw one page and nothing else: no navigation, no filters, no other page by URL."""
    st.navigation([st.Page(body, title="Kontaktcenter – Malmö stad", url_path="start")],
                  position="hidden").run()
    st.stop()


def _sign_in() -> None:
    st.title("Kontaktcenter-analys")
    st.markdown("Logga in med ditt konto i Malmö stad för att se analyserna.")
    if st.button("Logga in", type="primary", icon=":material/login:"):
        st.login()


def _sign_out_button(access: Access, where=None) -> None:
    where = where or st.sidebar
    if where.button("Logga ut", icon=":material/logout:", key="auth_logout"):
        _record("sign-out", access)
        st.session_state.pop(_SIGNED_IN, None)
        st.session_state.pop(_ACCESS, None)
        st.logout()


def _no_role(access: Access) -> None:
    def body() -> None:
        st.title("Du har ingen behörighet ännu")
        st.markdown(
            f"Du är inloggad som **{as_markdown(access.who)}**, men ditt konto har ingen roll i "
            f"Kontaktcenter-analys. Kontakta {as_markdown(access.contact)} och be om behörighet "
            "(analytiker, samordnare eller chef för din förvaltning).")
        _sign_out_button(access, st)
    _hidden_page(body)


def gate() -> Access:
    """The person's access for this run; stops the run with the sign-in or the no-role page."""
    if not signin_configured():
        access = local_access()
        st.session_state[_ACCESS] = access
        return access
    if not st.user.is_logged_in:
        st.session_state.pop(_ACCESS, None)
        _hidden_page(_sign_in)
    try:
        roles = load_roles(data.settings().roles_file)
    except RolesFileError as exc:
        log.error("%s", exc)
        roles = None
    person = _claims()
    if roles is None:
        access = Access(who=person.who, roles=frozenset())
    else:
        access = resolve(roles, person)
    seen = st.session_state.get(_SIGNED_IN)
    stamp = (access.who, access.role, access.departments)
    if seen is None:
        _record("sign-in" if access.has_role else "no-role", access,
                {"departments": list(access.departments) if access.departments else None})
    elif seen != stamp:
        _record("role-change", access,
                {"departments": list(access.departments) if access.departments else None})
    st.session_state[_SIGNED_IN] = stamp
    st.session_state[_ACCESS] = access
    if not access.has_role:
        _no_role(access)
    return access


def banner(access: Access) -> None:
    """Who is signed in and in which role (sidebar); the local mode's warning."""
    if not signin_configured():
        st.warning("**Lokalt enanvändarläge.** Ingen inloggning är konfigurerad: alla som når "
                   "den här adressen ser allt. Använd det bara på den egna datorn. Ska fler "
                   "använda instrumentpanelen: inloggning konfigureras av den som driver "
                   "tjänsten, be hen om det.", icon=":material/lock_open:")
        return
    where = ", ".join(access.departments) if access.departments else "alla förvaltningar"
    st.sidebar.caption(as_markdown(f"Inloggad som {access.who} ({access.role}; {where})."))
    _sign_out_button(access)


def pruned_once() -> None:
    """Apply the audit log's retention once per dashboard process."""
    _prune(str(data.settings().audit_log), data.settings().audit_retention_days)


@st.cache_resource(show_spinner=False)
def _prune(path: str, days: int) -> int:
    try:
        return audit.prune(path, days)
    except OSError as exc:
        log.error("Granskningsloggen %s kunde inte gallras: %s", path, os_reason(exc))
        return 0
