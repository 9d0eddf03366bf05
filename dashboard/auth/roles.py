"""The roles file and a person's access.

The roles file (TOML, `settings.roles_file`, example in docs/roles.md and
`deploy/roles.example.toml`) grants roles to people by their e-mail claim or by a group claim
(Entra ID group object ids):

    contact = "Kontaktcenters analysgrupp, kontaktcenter.analys@malmo.se"

    [[grant]]
    role = "samordnare"
    departments = ["Förskoleförvaltningen"]
    emails = ["sara.samordnare@malmo.se"]
    groups = ["3f2b...-group-object-id"]

A person matching several grants gets all their roles; an analytiker grant (every förvaltning)
wins over scoped grants, scoped grants add their förvaltningar up.
"""

from __future__ import annotations

import tomllib
from dashboard.formatting import os_reason
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ANALYTIKER, SAMORDNARE, CHEF, FORVALTARE = "analytiker", "samordnare", "chef", "forvaltare"
ROLES = (ANALYTIKER, SAMORDNARE, CHEF, FORVALTARE)
ROLE_LABELS = {ANALYTIKER: "analytiker", SAMORDNARE: "samordnare", CHEF: "chef",
               FORVALTARE: "förvaltare"}
SCOPED = (SAMORDNARE, CHEF)
LOCAL = "lokal"  # the local single-user mode's pseudo-role (no sign-in configured)
DEFAULT_CONTACT = "kontaktcenters analysgrupp (den som förvaltar Kontaktcenter-analys)"


class RolesFileError(ValueError):
    """The roles file cannot be read or says something impossible; the message is Swedish."""


@dataclass(frozen=True)
class Person:
    """A signed-in person as the identity provider describes them (claims)."""

    email: str | None
    groups: tuple[str, ...] = ()
    name: str | None = None

    @property
    def who(self) -> str:
        return self.email or self.name or "okänd"


@dataclass(frozen=True)
class Grant:
    role: str
    emails: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    departments: tuple[str, ...] = ()

    def matches(self, person: Person) -> bool:
        email = (person.email or "").strip().lower()
        return bool(email and email in self.emails) or bool(self.groups & set(person.groups))


@dataclass(frozen=True)
class RolesFile:
    grants: tuple[Grant, ...] = ()
    contact: str = DEFAULT_CONTACT


@dataclass(frozen=True)
class Access:
    """What one person may do. `departments` None: every förvaltning; a tuple: only those
    (the scope the door enforces, dashboard.privacy.scope)."""

    who: str
    roles: frozenset[str]
    departments: tuple[str, ...] | None = None
    contact: str = DEFAULT_CONTACT

    @property
    def has_role(self) -> bool:
        return bool(self.roles)

    @property
    def scoped(self) -> bool:
        return self.departments is not None

    @property
    def role(self) -> str:
        """The roles as one text, for the audit log and the banner."""
        return ", ".join(r for r in (*ROLES, LOCAL) if r in self.roles) or "ingen"

    @property
    def analyses(self) -> bool:
        """Sees the analysis pages (every role but a förvaltare alone)."""
        return bool(self.roles & {ANALYTIKER, SAMORDNARE, CHEF, LOCAL})

    @property
    def packs(self) -> bool:
        """May download the förvaltning pack."""
        return bool(self.roles & {ANALYTIKER, CHEF, LOCAL})

    @property
    def administers(self) -> bool:
        """Sees the data-quality page and the audit log."""
        return bool(self.roles & {FORVALTARE, LOCAL})

    @property
    def sees_quality(self) -> bool:
        return self.administers or ANALYTIKER in self.roles


def local_access() -> Access:
    """The local single-user mode: the operator on the server's own loopback, every right."""
    return Access(who="lokal användare", roles=frozenset({LOCAL}), departments=None)


def _strings(raw, what: str, index: int) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str) or not all(isinstance(v, str) for v in raw):
        raise RolesFileError(f"Behörighet nr {index} i rollfilen: {what} ska vara en lista med texter.")
    return tuple(v.strip() for v in raw if v.strip())


def parse_roles(data: dict, source: str = "rollfilen") -> RolesFile:
    unknown = set(data) - {"contact", "grant"}
    if unknown:
        raise RolesFileError(f"Okänd nyckel i {source}: {', '.join(sorted(unknown))}. "
                             "Giltiga: contact, grant.")
    grants = []
    for i, raw in enumerate(data.get("grant", []), start=1):
        extra = set(raw) - {"role", "emails", "groups", "departments"}
        if extra:
            raise RolesFileError(f"Behörighet nr {i} i {source}: okänd nyckel {', '.join(sorted(extra))}.")
        role = raw.get("role")
        if role not in ROLES:
            raise RolesFileError(f"Behörighet nr {i} i {source}: okänd roll {role!r}. "
                                 f"Giltiga: {', '.join(ROLES)}.")
        emails = frozenset(e.lower() for e in _strings(raw.get("emails"), "emails", i))
        groups = frozenset(_strings(raw.get("groups"), "groups", i))
        departments = _strings(raw.get("departments"), "departments", i)
        if not emails and not groups:
            raise RolesFileError(f"Behörighet nr {i} i {source} ({role}) nämner varken e-post "
                                 "eller grupp.")
        if role in SCOPED and not departments:
            raise RolesFileError(f"Behörighet nr {i} i {source}: rollen {role} behöver "
                                 "departments (vilka förvaltningar).")
        if role not in SCOPED and departments:
            raise RolesFileError(f"Behörighet nr {i} i {source}: rollen {role} gäller alla "
                                 "förvaltningar; ta bort departments.")
        grants.append(Grant(role, emails, groups, departments))
    contact = data.get("contact", DEFAULT_CONTACT)
    if not isinstance(contact, str) or not contact.strip():
        raise RolesFileError(f"contact i {source} ska vara en text.")
    return RolesFile(tuple(grants), contact.strip())


# Read again whenever the file changes (path, mtime, size), so a role change applies on the
# session's next rerun without a restart.
_CACHE: dict[Path, tuple[tuple[int, int], RolesFile]] = {}


def load_roles(path: Path | str) -> RolesFile:
    """The roles file, re-read when it has changed. A missing file grants nobody anything."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        return RolesFile()
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _CACHE.get(path)
    if hit and hit[0] == stamp:
        return hit[1]
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RolesFileError(f"Rollfilen {path} är inte giltig TOML: {exc}.") from None
    except OSError as exc:
        raise RolesFileError(f"Rollfilen {path} kan inte läsas ({os_reason(exc)}).") from None
    roles = parse_roles(data, f"rollfilen {path}")
    _CACHE[path] = (stamp, roles)
    return roles


def resolve(roles: RolesFile, person: Person) -> Access:
    """The person's access under the roles file (no role: `has_role` is False)."""
    matched = [g for g in roles.grants if g.matches(person)]
    names = frozenset(g.role for g in matched)
    departments: tuple[str, ...] | None = None
    if names & set(SCOPED) and ANALYTIKER not in names:
        departments = tuple(dict.fromkeys(d for g in matched if g.role in SCOPED
                                          for d in g.departments))
    return Access(who=person.who, roles=names, departments=departments, contact=roles.contact)


def groups_claim(value) -> tuple[str, ...]:
    """The groups claim as a tuple of strings (Entra ID sends a list; some providers a string)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return ()
