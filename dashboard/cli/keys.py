"""The pseudonymisation key for the commands that need it (ingest, find, migrate)."""

from __future__ import annotations

from dashboard.cli import CliError


def key_for(settings, *, required: bool = True) -> bytes | None:
    """The key, or CliError with the Swedish message naming the fix. With required=False a
    missing key gives None (an unsafe key still stops the command)."""
    from dashboard.ingest.pseudonym_key import InvalidKeyError, MissingKeyError, load_key

    try:
        return load_key(settings)
    except InvalidKeyError as exc:
        raise CliError(str(exc)) from None
    except MissingKeyError as exc:
        if required:
            raise CliError(str(exc)) from None
        return None
