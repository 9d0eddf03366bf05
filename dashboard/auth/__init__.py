"""Who may see what: the roles file, a signed-in person's access, the local single-user mode.

No Streamlit here (dashboard/ui/auth.py reads `st.user` and hands the claims in). The access's
scope travels into the engine inside `Filters.scope` and is enforced at the door
(dashboard.privacy.scope); docs/roles.md describes the roles and what a scoped role sees.
"""

from dashboard.auth.roles import (
    ANALYTIKER, CHEF, FORVALTARE, LOCAL, ROLE_LABELS, ROLES, SAMORDNARE, Access, Grant, Person,
    RolesFile, RolesFileError, load_roles, local_access, resolve,
)
from dashboard.auth.scope import ScopedView, scope_view

__all__ = [
    "ANALYTIKER", "CHEF", "FORVALTARE", "LOCAL", "ROLE_LABELS", "ROLES", "SAMORDNARE", "Access",
    "Grant", "Person", "RolesFile", "RolesFileError", "ScopedView", "load_roles", "local_access",
    "resolve", "scope_view",
]
