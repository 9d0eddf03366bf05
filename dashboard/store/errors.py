"""The store's user-facing error (its own module so every part of the package can raise it)."""


class StoreError(RuntimeError):
    """A store problem a user can act on; the message is Swedish and names the fix."""
