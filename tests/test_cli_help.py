"""`kontaktcenter … --help` as a user reads it: placeholders, percent signs, every option explained."""

from __future__ import annotations

import argparse
import re

import pytest

from dashboard.cli import build_parser, main

# The placeholders of the help, English as in the README's command table (one word per concept).
ENGLISH_METAVARS = {
    "ACTION", "ADDRESS", "AREA", "CHANNEL", "COMMAND", "CUSTOMER_TYPE", "DATE", "DB", "DEPARTMENT",
    "DIMENSION", "FILE", "ID", "LANGUAGE", "MINUTES", "N", "NAME", "PORT", "PROFILE.toml",
    "SECONDS", "SEED", "SHARE", "SHORT_NAME", "SOURCE_SYSTEM", "SPELLING", "TOPIC", "VALUE",
    "VOCABULARY", "CITY_AREA", "DISTRICT",
}


def _parsers(parser=None, name="kontaktcenter"):
    parser = parser or build_parser()
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


def _metavars(parser) -> set[str]:
    """What the usage line shows for each value: the metavar, or argparse's default (the dest)."""
    out = set()
    for action in parser._actions:
        if action.nargs == 0 or action.choices is not None and action.metavar is None:
            continue   # a flag, or {a,b,c} choices shown as they are
        out.add(action.metavar or (action.dest.upper() if action.option_strings else action.dest))
    return out


def test_every_placeholder_is_one_of_the_english_words():
    for name, parser in _parsers():
        assert _metavars(parser) <= ENGLISH_METAVARS, (name, _metavars(parser) - ENGLISH_METAVARS)


def test_every_option_and_argument_has_help():
    for name, parser in _parsers():
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (name, action.option_strings)


def test_staffing_help_shows_one_percent_sign(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["staffing", "--help"])
    assert exit_info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "%%" not in out
    assert "Andelar skrivs som 0,8 eller 80 %." in out
    assert re.search(r"--target-sl SHARE servicenivåmål som andel", out)


def test_find_explains_its_source_system(capsys):
    with pytest.raises(SystemExit):
        main(["find", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--source-system SOURCE_SYSTEM källsystemets namn" in out


def test_the_readme_command_table_names_every_staffing_option_with_its_placeholder():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `kontaktcenter staffing"))
    staffing = dict(_parsers())["kontaktcenter staffing"]
    for action in staffing._actions:
        flag = action.option_strings[-1]
        if flag in ("--help", "--db", "--verbose"):   # every command's (README's sentence)
            continue
        shown = f"{flag} {action.metavar}" if action.metavar else flag
        assert shown in row, shown
