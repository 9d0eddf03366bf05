"""Swedish throughout, and no verdict on a change nobody can see: the key-figure judgement, the
labels of boolean groups, and the CLI's argparse help and usage errors."""

from __future__ import annotations

import pytest

from dashboard.cli import build_parser, main
from dashboard.domain import label_for
from dashboard.formatting import format_delta
from dashboard.ui.kpi import judgement, shows_no_change


@pytest.mark.parametrize(("value", "previous", "unit", "expected"), [
    (0.5004, 0.5, "share", "oförändrat"),  # +0,04 points is shown as +0,0 procentenheter
    (0.512, 0.5, "share", "bättre"),  # +1,2 points, answer rate: higher is better
    (0.488, 0.5, "share", "sämre"),
    (0.5, 0.5, "share", "oförändrat"),
])
def test_a_change_that_rounds_to_zero_is_unchanged(value, previous, unit, expected):
    delta = format_delta(value, previous, unit)
    assert judgement("answer_rate", value, previous, delta) == expected


def test_unchanged_at_the_displayed_precision_for_every_unit():
    # waiting 47.3 s vs 47.1 s is shown as "0 s"; an index 61.04 vs 61.0 as "+0,0 indexenheter"
    assert format_delta(47.3, 47.1, "seconds").endswith("0\u00a0s")
    assert judgement("asa_s", 47.3, 47.1, format_delta(47.3, 47.1, "seconds")) == "oförändrat"
    index_delta = format_delta(61.04, 61.0, "index")
    assert shows_no_change(index_delta)
    assert judgement("satisfaction_index", 61.04, 61.0, index_delta) == "oförändrat"
    assert judgement("satisfaction_index", 62.0, 61.0, format_delta(62.0, 61.0, "index")) == "bättre"
    # a count that moved by 0,04 % still says so only as 0,0 %
    count_delta = format_delta(10_004, 10_000, "count")
    assert shows_no_change(count_delta) and not shows_no_change(format_delta(10_100, 10_000, "count"))


@pytest.mark.parametrize(("value", "label"), [
    (True, "Med tolk"), (False, "Utan tolk"), ("true", "Med tolk"), ("false", "Utan tolk"),
    ("True", "Med tolk"), (None, "Uppgift saknas"),
])
def test_interpreter_groups_are_labelled_in_swedish(value, label):
    # the equity engine carries its groups as text, so a boolean arrives as "true"/"false"
    assert label_for("interpreter", value) == label


def test_text_true_is_not_relabelled_outside_boolean_dimensions():
    assert label_for("topic", "true") == "true"


def test_cli_usage_error_is_swedish(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--finns-inte"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("användning: kontaktcenter")
    assert "kontaktcenter: fel: " in err
    # the unknown flag before the missing command (argparse alone would only name the command)
    assert "kontaktcenter: fel: okända argument: --finns-inte" in err
    assert "följande argument saknas" not in err
    for english in ("usage:", "error:", "the following arguments", "unrecognized arguments"):
        assert english not in err


def test_cli_invalid_choice_and_missing_value_are_swedish(capsys):
    with pytest.raises(SystemExit):
        main(["inget-sådant-kommando"])
    err = capsys.readouterr().err
    assert "okänt kommando 'inget-sådant-kommando'. Välj bland serve, sample, " in err
    with pytest.raises(SystemExit):
        main(["--db"])
    assert "flaggan --db behöver ett värde: databasfil" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["metrics", "--finns-inte"])
    assert "kontaktcenter metrics: fel: okända argument: --finns-inte" in capsys.readouterr().err


def test_a_misspelt_option_is_reported_before_a_missing_required_one(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--fromm", "2025-01-01"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "kontaktcenter export: fel: okända argument: --fromm 2025-01-01" in err
    assert "--out" not in err.splitlines()[-1]
    # with the option spelt right, what is really missing is named
    with pytest.raises(SystemExit):
        main(["export", "--from", "2025-01-01"])
    assert "kontaktcenter export: fel: följande argument saknas: --out" in capsys.readouterr().err
    # in a nested subcommand too, and nothing required stays optional afterwards
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["profile", "suggest", "--x"])
    assert "kontaktcenter profile suggest: fel: okända argument: --x" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(["profile", "suggest"])
    assert "kontaktcenter profile suggest: fel: följande argument saknas: FILE" in capsys.readouterr().err


COMMANDS = "serve, sample, ingest, profile, vocabulary, metrics, staffing, export, migrate, find"


@pytest.mark.parametrize("argv, prog, said", [
    (["export", "--fromm", "2025-01-01"], "kontaktcenter export",
     "okända argument: --fromm 2025-01-01. Menade du --from?"),
    (["metrics", "--fromm=2025-01-01", "--deparment", "X"], "kontaktcenter metrics",
     "okända argument: --fromm=2025-01-01 --deparment X. Menade du --from (för --fromm) eller "
     "--department (för --deparment)?"),
    (["staffing", "--offered", "10", "--aht-sec", "180"], "kontaktcenter staffing",
     "okända argument: --aht-sec 180. Menade du --aht-s?"),
    (["profile", "suggest", "f.csv", "--fource"], "kontaktcenter profile suggest",
     "okända argument: --fource. Menade du --force?"),
    (["--verbsoe", "migrate"], "kontaktcenter", "okända argument: --verbsoe. Menade du --verbose?"),
    # a misspelt global flag before the command: argparse alone took its value for the command
    # ("ogiltigt val: 'x'")
    (["--bd", "x", "migrate"], "kontaktcenter", "okända argument: --bd x. Menade du --db?"),
    (["-db", "x", "migrate"], "kontaktcenter", "okända argument: -db x. Menade du --db?"),
    (["--DB", "x", "migrate"], "kontaktcenter", "okända argument: --DB x. Menade du --db?"),
    (["--bd=x", "migrate"], "kontaktcenter", "okända argument: --bd=x. Menade du --db?"),
    (["--bd", "migrate"], "kontaktcenter", "okända argument: --bd. Menade du --db?"),
    (["--db", "x", "--verbsoe", "migrate"], "kontaktcenter",
     "okända argument: --verbsoe. Menade du --verbose?"),
    (["migrate", "--bd", "x"], "kontaktcenter migrate", "okända argument: --bd x. Menade du --db?"),
    (["migrate", "--DB=x"], "kontaktcenter migrate", "okända argument: --DB=x. Menade du --db?"),
    # a flag without its value says what the value is
    (["--db"], "kontaktcenter", "flaggan --db behöver ett värde: databasfil (annars "
     "KONTAKTCENTER_DB eller standardplatsen i användarens datakatalog). Skriv --db DB."),
    (["migrate", "--db"], "kontaktcenter migrate", "flaggan --db behöver ett värde: databasfil "
     "(får stå före eller efter kommandot). Skriv --db DB."),
    (["--db", "migrate"], "kontaktcenter", "--db tog kommandot 'migrate' som sitt värde, så "
     "kommandot saknas. Skriv värdet efter --db: kontaktcenter --db DB migrate …"),
    ([], "kontaktcenter", f"ett kommando saknas. Välj bland {COMMANDS} (kontaktcenter --help "
     "beskriver dem)."),
    (["--db", "x"], "kontaktcenter", f"ett kommando saknas. Välj bland {COMMANDS} (kontaktcenter "
     "--help beskriver dem)."),
    (["migrat"], "kontaktcenter", f"okänt kommando 'migrat'. Menade du migrate? Välj bland {COMMANDS}."),
])
def test_an_unknown_option_is_reported_by_its_command_with_the_closest_option(capsys, argv, prog,
                                                                              said):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"användning: {prog} ")
    assert err.splitlines()[-1] == f"{prog}: fel: {said}"


def test_global_options_work_before_and_after_the_command(tmp_path, capsys):
    """`--verbose` and an abbreviation of it are the global flag's, before or after the command."""
    for argv in (["--verb", "--db", str(tmp_path / "a.duckdb"), "migrate"],
                 ["migrate", "-v", "--db", str(tmp_path / "b.duckdb")],
                 ["--db", str(tmp_path / "c.duckdb"), "migrate", "--verbose"]):
        assert main(argv) == 0, argv
        assert "schemaversion" in capsys.readouterr().out


def test_the_installed_command_says_it_without_a_traceback(tmp_path):
    """The console script itself (what a person types), not only main()."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "kontaktcenter"
    done = subprocess.run([str(script), "--bd", "x", "migrate"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "kontaktcenter: fel: okända argument: --bd x. Menade du --db?"
    assert "Traceback" not in done.stderr


def test_an_unknown_option_far_from_every_option_gets_no_guess(capsys):
    with pytest.raises(SystemExit):
        main(["metrics", "--finns-inte"])
    assert capsys.readouterr().err.splitlines()[-1] == \
        "kontaktcenter metrics: fel: okända argument: --finns-inte"


def test_cli_help_headings_are_swedish(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("användning: kontaktcenter")
    assert "flaggor:" in out and "visa den här hjälptexten och avsluta" in out
    assert "options:" not in out and "show this help" not in out


def test_every_subcommand_help_is_swedish():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, subparser in sub.choices.items():
        text = subparser.format_help()
        assert text.startswith("användning: kontaktcenter " + name), name
        assert "show this help message" not in text and "options:" not in text, name


def test_the_data_contract_tab_names_every_contract_column_in_swedish():
    from dashboard.store.contract import CONTACT_COLUMN_TYPES
    from dashboard.ui.about import CONTRACT_COLUMNS_SV, TYPES_SV, contract_frame

    assert set(CONTRACT_COLUMNS_SV) == set(CONTACT_COLUMN_TYPES)
    assert set(CONTACT_COLUMN_TYPES.values()) <= set(TYPES_SV)
    frame = contract_frame()
    assert frame["column"].to_list() == list(CONTACT_COLUMN_TYPES)
    assert frame.filter(frame["column"] == "interpreter").row(0, named=True) == {
        "column": "interpreter", "name": "Tolk", "type": "ja/nej", "meaning": "Om tolk behövdes (ja/nej)."}


def test_export_compare_has_one_spelling_in_choices_help_error_and_docs(capsys):
    """`export --compare` listed eight choices mixing the URL's, the code's and the Swedish
    spellings; now the same three everywhere."""
    import re
    from pathlib import Path

    three = ("foregaende", "forra-aret", "ingen")
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    help_text = capsys.readouterr().out
    offered = {frozenset(m.split(",")) for m in re.findall(r"--compare \{([^}]*)\}", help_text)}
    assert offered == {frozenset(three)}
    described = " ".join(help_text.split("--compare {foregaende,forra-aret,ingen}")[-1].split("--channel")[0].split())
    assert described == ("jämförelseperiod: foregaende (föregående period, standard), forra-aret "
                         "(samma period förra året), ingen (ingen jämförelse)")
    from dashboard.cli.export import _compare_spelling

    # the code's and the URL's spellings are not offered, but a script written with them works
    for old, cli in (("prev", "foregaende"), ("previous", "foregaende"), ("yoy", "forra-aret"),
                     ("last_year", "forra-aret"), ("none", "ingen")):
        assert not re.search(rf"\b{old}\b", help_text), old
        assert _compare_spelling(old) == cli
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--out", "paket.xlsx", "--compare", "förra"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert ("argumentet --compare: ogiltigt val: 'förra' (välj bland 'foregaende', 'forra-aret', "
            "'ingen')") in err
    # a value of the wrong type is named in Swedish, not by Python's type name ("(int)")
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "abc"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argumentet --port: ogiltigt värde: 'abc' (ange ett heltal)" in err
    assert "(int)" not in err
    # a misspelt choice is followed by the closest one, as a misspelt flag is
    with pytest.raises(SystemExit) as exit_info:
        main(["vocabulary", "list", "topc"])
    assert exit_info.value.code == 2
    assert "ogiltigt val: 'topc'" in (err := capsys.readouterr().err) and "Menade du topic?" in err
    root = Path(__file__).resolve().parent.parent
    for doc in (root / "README.md", root / "docs" / "exports.md"):
        spelt = set(re.findall(r"--compare ([\w|\\-]+)", doc.read_text(encoding="utf-8")))
        assert spelt and {s.replace("\\|", "|") for s in spelt} <= {"foregaende|forra-aret|ingen", *three}, doc
