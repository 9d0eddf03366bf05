"""The one name matcher (dashboard.names) of the dashboard's URL and the command line."""

import pytest

from dashboard.cli import CliError
from dashboard.cli.names import _resolve
from dashboard.names import closest, match, suggestion

DEPARTMENTS = ("Förskoleförvaltningen", "Grundskoleförvaltningen", "Miljöförvaltningen",
               "Stadsbyggnadskontoret", "Stadskontoret")


def test_a_name_matches_in_any_case_and_keeps_the_stores_spelling():
    assert match(" förskoleFÖRVALTNINGEN ", DEPARTMENTS) == "Förskoleförvaltningen"
    assert match("Forskoleforvaltningen", DEPARTMENTS) is None  # suggested, never guessed


@pytest.mark.parametrize(("typed", "meant"), [
    ("Forskola", ["Förskoleförvaltningen"]),            # a short form, without å ä ö
    ("grundskola", ["Grundskoleförvaltningen"]),
    ("Miljoforvaltningen", ["Miljöförvaltningen"]),      # only the letters folded
    ("Förskoleförvaltnigen", ["Förskoleförvaltningen"]),  # one letter left out
    ("stad", ["Stadsbyggnadskontoret", "Stadskontoret"]),  # both begin so
    ("Påhittade", []),
])
def test_the_closest_names_fold_swedish_letters_and_weigh_the_beginning(typed, meant):
    assert closest(typed, DEPARTMENTS) == meant


def test_the_command_line_refuses_a_misspelt_name_with_the_same_suggestion():
    pairs = [(d, None) for d in DEPARTMENTS]
    assert _resolve("Okänd förvaltning", pairs, ["MILJÖFÖRVALTNINGEN"]) == ("Miljöförvaltningen",)
    with pytest.raises(CliError) as refused:
        _resolve("Okänd förvaltning", pairs, ["Forskola"])
    assert str(refused.value).startswith(
        f"Okänd förvaltning 'Forskola'. {suggestion(['Förskoleförvaltningen'])} Giltiga: ")
    assert suggestion(["Förskoleförvaltningen"]) == "Menade du 'Förskoleförvaltningen'?"
    # a value and its label are one value: suggested once
    with pytest.raises(CliError) as refused:
        _resolve("Okänd kanal", [("phone", "Telefon"), ("chat", "Chatt")], ["telefn"])
    assert "Menade du 'phone'? Giltiga: chat, phone." in str(refused.value)
