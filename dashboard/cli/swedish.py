"""argparse in Swedish: its help headings and usage errors, translated where argparse asks gettext.

argparse looks every message up through the module-level `_` (gettext) at the moment it prints, so
the CLI replaces that lookup with this table; a message missing from the table stays English rather
than failing. `SwedishParser` is the parser class of `kontaktcenter` and all its subcommands.

argparse checks for missing required arguments before it looks at the arguments it did not know,
so `export --fromm 2025-01-01` would only say that `--out` is missing. `SwedishParser` reports the
unknown arguments first: a misspelt flag is the likelier cause of what looks missing. Unknown
arguments are reported by the (sub)command that got them, with its usage, and a misspelt flag is
followed by the closest flag of that command ("Menade du --from?").

Before the subcommand, argparse would take a misspelt global flag's value for the command
(`--bd x migrate`: "ogiltigt val: 'x'"), so the top parser reads the words before the command
itself first: an unknown flag is named with the closest global flag, a misspelt command with the
closest command, and a flag that took the command as its value (`--db migrate`) is said to have.
A flag without its value names what the value is.
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


# What a value of a built-in type is, for "ogiltigt värde": argparse names the type itself ("int").
TYPE_WORDS = {"int": "ett heltal", "float": "ett tal"}


class SwedishParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and usage errors are Swedish; subparsers inherit the class."""

    def _check_value(self, action, value):
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            close = difflib.get_close_matches(str(value), [str(c) for c in action.choices or ()], n=1)
            if not close:
                raise
            raise argparse.ArgumentError(action, f"{exc.message}. Menade du {close[0]}?") from None

    def _get_value(self, action, arg_string):
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError:
            words = TYPE_WORDS.get(getattr(action.type, "__name__", None))
            if words is None:
                raise
            raise argparse.ArgumentError(
                action, f"ogiltigt värde: {arg_string!r} (ange {words})") from None

    def __init__(self, *args, **kwargs):
        install()  # before super(): the -h action's help text is looked up while it is added
        super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        self._outermost = True
        return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        self._arg_strings = list(sys.argv[1:] if args is None else args)
        if getattr(self, "_outermost", False):
            problem = self._before_command()
            if problem:
                super().error(problem)
        namespace, extras = super().parse_known_args(args, namespace)
        if extras and not getattr(self, "_outermost", False):
            # a subcommand: argparse would hand these to the top parser, which knows none of the
            # subcommand's flags to suggest and prints the top usage
            super().error(self._unrecognized(extras))
        return namespace, extras

    def error(self, message: str):
        needs_value = self._needs_value(message)
        if needs_value:
            super().error(needs_value)
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
        guesses = [(flag, m) for flag in (e.split("=", 1)[0] for e in extras)
                   for m in [self._closest_flag(flag)] if m]
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

    def _closest_flag(self, flag: str) -> str | None:
        """The known long flag closest to `flag` in any case and with one dash or two
        ('-db', '--DB', '--bd' -> '--db'); None for a word that is no flag or is far from all."""
        if not flag.startswith("-") or len(flag.lstrip("-")) < 2:
            return None
        known = {o.lower(): o for a in self._actions for o in a.option_strings if o.startswith("--")}
        typed = "--" + flag.lstrip("-").lower()
        found = difflib.get_close_matches(typed, list(known), n=1, cutoff=0.7)
        return known[found[0]] if found else None

    def _action_for(self, token: str) -> argparse.Action | None:
        """The action of a flag as argparse reads it: exact, or a unique abbreviation of a long
        flag ('--verb' for '--verbose'); None for an unknown flag."""
        flag = token.split("=", 1)[0]
        if flag in self._option_string_actions:
            return self._option_string_actions[flag]
        if self.allow_abbrev and flag.startswith("--"):
            actions = {a for o, a in self._option_string_actions.items() if o.startswith(flag)}
            if len(actions) == 1:
                return actions.pop()
        return None

    def _before_command(self) -> str | None:
        """What is wrong with the words before the subcommand, in Swedish, or None (also when
        -h asks for help, and for a parser without subcommands)."""
        sub = next((a for a in self._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None:
            return None
        commands = list(sub.choices)
        unknown: list[str] = []
        values: list[tuple[str, str]] = []   # (flag, the word it took as its value)
        words = self._arg_strings
        i = 0
        while i < len(words) and words[i].startswith("-") and words[i] not in ("-", "--"):
            action = self._action_for(words[i])
            if isinstance(action, argparse._HelpAction):
                return None
            last = i + 1 >= len(words) or words[i + 1].startswith("-")
            if action is None:
                unknown.append(words[i])
                # an unknown flag's value, as the subcommands report it (`migrate --bd x`):
                # the next word unless it is the command
                if not last and "=" not in words[i] and words[i + 1] not in commands:
                    unknown.append(words[i + 1])
                    i += 1
            elif action.nargs != 0 and "=" not in words[i]:
                if last:
                    return _value_missing(action, words[i])
                values.append((words[i], words[i + 1]))
                i += 1
            i += 1
        if unknown:
            return self._unrecognized(unknown)
        command = words[i] if i < len(words) else None
        if command is None or command in ("-", "--"):
            for flag, value in values:
                if value in commands:
                    metavar = _metavar(self._action_for(flag))
                    return (f"{flag} tog kommandot '{value}' som sitt värde, så kommandot saknas. "
                            f"Skriv värdet efter {flag}: {self.prog} {flag} {metavar} {value} …")
            return (f"ett kommando saknas. Välj bland {', '.join(commands)} "
                    f"({self.prog} --help beskriver dem).")
        if command not in commands:
            close = difflib.get_close_matches(command, commands, n=1, cutoff=0.6)
            hint = f" Menade du {close[0]}?" if close else ""
            return f"okänt kommando '{command}'.{hint} Välj bland {', '.join(commands)}."
        return None

    def _needs_value(self, message: str) -> str | None:
        """'flaggan --db behöver ett värde: databasfil (...). Skriv --db DB.' for argparse's
        'argumentet --db: ett värde behövs', else None."""
        for action in self._actions:
            for flag in action.option_strings:
                if message == gettext("argument %(argument_name)s: %(message)s") % {
                        "argument_name": "/".join(action.option_strings), "message":
                        gettext("expected one argument")}:
                    return _value_missing(action, flag)
        return None


def _metavar(action: argparse.Action) -> str:
    return action.metavar if isinstance(action.metavar, str) else action.dest.upper()


def _value_missing(action: argparse.Action, flag: str) -> str:
    """'flaggan --db behöver ett värde: databasfil (...). Skriv --db DB.'"""
    flag = flag.split("=", 1)[0]
    help_text = action.help if action.help and "%(" not in action.help else None
    what = f": {help_text}" if help_text else ""
    return f"flaggan {flag} behöver ett värde{what}. Skriv {flag} {_metavar(action)}."
