"""argparse in Swedish: its help headings and usage errors, translated where argparse asks gettext.

argparse looks every message up through the module-level `_` (gettext) at the moment it prints, so
the CLI replaces that lookup with this table; a message missing from the table stays English rather
than failing. `SwedishParser` is the parser class of `kontaktcenter` and all its subcommands.

argparse checks for missing required arguments before it looks at the arguments it did not know,
so `export --fromm 2025-01-01` would only say that `--out` is missing. `SwedishParser` reports the
unknown arguments first: a misspelt flag is the likelier cause of what looks missing. Unknown
arguments are reported by the (sub)command that got them, with its usage, and a misspelt flag is
followed by the closest flag of that command ("Menade du --from?").
"""

from __future__ import annotations

import argparse
import difflib
import sys

MESSAGES = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "show this help message and exit": "visa den här hjälptexten och avsluta",
    "show program's version number and exit": "visa programmets version och avsluta",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "the following arguments are required: %s": "följande argument saknas: %s",
    "one of the arguments %s is required": "ett av argumenten %s behövs",
    "unrecognized arguments: %s": "okända argument: %s",
    "not allowed with argument %s": "får inte användas tillsammans med %s",
    "ignored explicit argument %r": "värdet %r ignorerades",
    "expected one argument": "ett värde behövs",
    "expected at most one argument": "högst ett värde",
    "expected at least one argument": "minst ett värde behövs",
    "ambiguous option: %(option)s could match %(matches)s":
        "tvetydig flagga: %(option)s kan betyda %(matches)s",
    "unexpected option string: %s": "oväntad flagga: %s",
    "invalid %(type)s value: %(value)r": "ogiltigt värde (%(type)s): %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "okänt kommando %(parser_name)r (välj bland %(choices)s)",
    "can't open '%(filename)s': %(error)s": "kan inte öppna '%(filename)s': %(error)s",
}
PLURALS = {"expected %s argument": ("%s värde behövs", "%s värden behövs")}


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    forms = PLURALS.get(singular)
    if forms is None:
        return singular if n == 1 else plural
    return forms[0] if n == 1 else forms[1]


def install() -> None:
    """Route argparse's message lookups through the Swedish table (idempotent)."""
    argparse._ = gettext
    argparse.ngettext = ngettext


class SwedishParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and usage errors are Swedish; subparsers inherit the class."""

    def __init__(self, *args, **kwargs):
        install()  # before super(): the -h action's help text is looked up while it is added
        super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        self._outermost = True
        return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        self._arg_strings = list(sys.argv[1:] if args is None else args)
        namespace, extras = super().parse_known_args(args, namespace)
        if extras and not getattr(self, "_outermost", False):
            # a subcommand: argparse would hand these to the top parser, which knows none of the
            # subcommand's flags to suggest and prints the top usage
            super().error(self._unrecognized(extras))
        return namespace, extras

    def error(self, message: str):
        missing = (gettext("the following arguments are required: %s"),
                   gettext("one of the arguments %s is required"))
        unknown_prefix = gettext("unrecognized arguments: %s").split("%s")[0]
        if any(message.startswith(m.split("%s")[0]) for m in missing):
            unknown = self._unknown_arguments()
            if unknown:
                message = self._unrecognized(unknown)
        elif message.startswith(unknown_prefix):   # the top parser's own extras
            message = self._unrecognized(message[len(unknown_prefix):].split(" "))
        super().error(message)

    def _unrecognized(self, extras: list[str]) -> str:
        """'okända argument: …', then the closest known flag for each unknown one."""
        message = gettext("unrecognized arguments: %s") % " ".join(extras)
        known = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
        guesses = []
        for extra in extras:
            flag = extra.split("=", 1)[0]
            if flag.startswith("--"):
                guesses += [(flag, m) for m in difflib.get_close_matches(flag, known, n=1, cutoff=0.7)]
        if len(guesses) == 1:
            return f"{message}. Menade du {guesses[0][1]}?"
        if guesses:
            named = [f"{match} (för {flag})" for flag, match in guesses]
            return f"{message}. Menade du {', '.join(named[:-1])} eller {named[-1]}?"
        return message

    def _unknown_arguments(self) -> list[str]:
        """The arguments this parser does not know, parsed again with nothing required."""
        required = [a for a in self._actions if a.required]
        groups = [g for g in self._mutually_exclusive_groups if g.required]
        for item in (*required, *groups):
            item.required = False
        try:
            _, extras = super().parse_known_args(getattr(self, "_arg_strings", []), None)
        finally:
            for item in (*required, *groups):
                item.required = True
        return extras
