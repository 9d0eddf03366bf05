"""Figure builders: traces, dash styles, Swedish labels, and no figure that relies on colour alone."""

from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard.charts import (
    add_incidents,
    alt_text,
    category_bars,
    empty_figure,
    ranked_bars,
    time_series,
    weekday_hour_heatmap,
)
from dashboard.charts.theme import OKABE_ITO, series_style

NBSP = "\u00a0"
DAYS = [date(2025, 3, 1) + timedelta(days=i) for i in range(5)]


def _daily(values):
    return pl.DataFrame({"day": DAYS, "value": values})


def test_time_series_draws_comparison_dashed_and_current_solid():
    fig = time_series(
        _daily([10, 12, None, 14, 1500]), x="day", y="value", title="Inkomna kontakter per dag",
        unit="count", y_title="Antal kontakter",
        comparison=_daily([9, 9, 9, 9, 9]), comparison_label="Föregående period",
    )
    current, comp = fig.data
    assert current.line.dash == "solid" and comp.line.dash == "dash"
    assert current.name == "Vald period" and comp.name == "Föregående period"
    assert current.y[2] is None  # a gap, not a zero
    assert current.customdata[4][1] == f"1{NBSP}500"  # Swedish hover text
    assert current.customdata[0][0] == "1 mar 2025"
    assert fig.layout.separators == "," + NBSP
    assert fig.layout.title.text == "Inkomna kontakter per dag"
    assert fig.layout.yaxis.title.text == "Antal kontakter"
    assert fig.layout.xaxis.title.text == "Datum"


def test_time_series_shares_are_drawn_in_percent_with_suffix():
    fig = time_series(_daily([0.5, 0.6, 0.7, 0.8, 0.9]), x="day", y="value", title="Svarsandel",
                      unit="share", y_title="Andel besvarade")
    assert list(fig.data[0].y) == pytest.approx([50, 60, 70, 80, 90])
    assert fig.layout.yaxis.ticksuffix == NBSP + "%"
    assert fig.data[0].customdata[0][1] == f"50,0{NBSP}%"


def test_series_differ_in_dash_and_marker_not_only_colour():
    frame = pl.DataFrame({
        "day": DAYS * 3,
        "channel": ["phone"] * 5 + ["email"] * 5 + ["chat"] * 5,
        "value": list(range(15)),
    })
    fig = time_series(frame, x="day", y="value", series="channel", title="Kontakter per kanal",
                      unit="count", y_title="Antal",
                      series_labels={"phone": "Telefon", "email": "E-post", "chat": "Chatt"})
    assert [t.name for t in fig.data] == ["Telefon", "E-post", "Chatt"]
    assert len({t.line.dash for t in fig.data}) == 3
    assert len({t.marker.symbol for t in fig.data}) == 3
    assert {t.line.color for t in fig.data} <= set(OKABE_ITO)


def test_intervals_become_error_bars():
    frame = pl.DataFrame({"day": DAYS[:2], "value": [0.5, 0.6], "lo": [0.4, 0.55], "hi": [0.65, 0.7]})
    fig = time_series(frame, x="day", y="value", title="t", unit="share", y_title="y", low="lo", high="hi")
    err = fig.data[0].error_y
    assert list(err.array) == pytest.approx([15, 10])
    assert list(err.arrayminus) == pytest.approx([10, 5])


def test_incidents_are_labelled_bands():
    fig = time_series(_daily([1, 2, 3, 4, 5]), x="day", y="value", title="t", unit="count", y_title="y")
    add_incidents(fig, pl.DataFrame({"start": [DAYS[1]], "end": [DAYS[3]], "label": ["Vattenläcka Öster"]}))
    (shape,) = fig.layout.shapes
    assert shape.type == "rect" and shape.xref == "x"
    assert any(a.text == "Händelse: Vattenläcka Öster" for a in fig.layout.annotations)


def test_empty_frame_says_so_in_words():
    fig = time_series(_daily([1, 2, 3, 4, 5]).clear(), x="day", y="value", title="t", unit="count", y_title="y")
    assert not fig.data
    assert fig.layout.annotations[0].text == "Inga kontakter för de valda filtren."
    assert "Inga kontakter" in alt_text(fig)


def test_heatmap_prints_values_in_cells_with_swedish_weekdays():
    frame = pl.DataFrame({"weekday": [1, 1, 2, 7], "hour": [8, 9, 8, 9], "offered": [1200, 30, 5, None]})
    fig = weekday_hour_heatmap(frame, value="offered", title="Inkomna samtal", unit="count",
                               value_label="Antal")
    (hm,) = fig.data
    assert list(hm.y) == ["måndag", "tisdag", "söndag"]
    assert list(hm.x) == ["08", "09"]
    assert hm.texttemplate == "%{text}"
    assert list(hm.text[0]) == [f"1{NBSP}200", "30"]
    assert hm.text[1][1] == ""  # tuesday 09: no row and no opening hours given: blank
    assert hm.text[2][1] == "dolt"  # sunday 09: suppressed, said in words
    assert hm.customdata[0][0] == f"måndag 08–09: 1{NBSP}200"
    assert hm.colorscale is not None and fig.layout.xaxis.title.text == "Timme (start)"


def test_heatmap_spans_opening_hours_and_tells_zero_from_hidden_from_no_data():
    # phone open 8-10 Monday and Tuesday; a contact at 11 on Monday (after closing) is still drawn
    frame = pl.DataFrame({"weekday": [1, 1, 2, 1], "hour": [8, 9, 8, 11], "contacts": [40, 3, 12, 7],
                          "hidden": [False, True, False, False]})
    opening = {1: (8, 10), 2: (8, 10)}
    fig = weekday_hour_heatmap(frame, value="contacts", title="t", unit="count", value_label="Kontakter",
                               hidden="hidden", opening_hours=opening)
    (hm,) = fig.data
    assert list(hm.y) == ["måndag", "tisdag"]
    assert list(hm.x) == ["08", "09", "10", "11"]  # the hours between opening and the last contact
    assert list(hm.text[0]) == ["40", "dolt", "", "7"]  # 10: closed, no contacts
    assert list(hm.text[1]) == ["12", "0", "", ""]  # tuesday 09: open, no contacts = 0
    assert list(hm.z[1]) == [12, 0, None, None]
    assert hm.z[0][1] is None  # a hidden cell carries no colour
    assert hm.customdata[0][1] == "måndag 09–10: dolt (för få kontakter)"
    assert hm.customdata[0][2] == "måndag 10–11: stängt, inga kontakter"
    # a zero at night (rows another channel brings) does not widen the grid
    night = pl.concat([frame, pl.DataFrame({"weekday": [7], "hour": [2], "contacts": [0], "hidden": [False]})])
    fig = weekday_hour_heatmap(night, value="contacts", title="t", unit="count", value_label="Kontakter",
                               hidden="hidden", opening_hours=opening)
    assert list(fig.data[0].x) == ["08", "09", "10", "11"] and list(fig.data[0].y) == ["måndag", "tisdag"]
    # a rate with nothing to rest on is "no data", not 0
    rates = frame.with_columns(pl.col("contacts") / 100)
    fig = weekday_hour_heatmap(rates, value="contacts", title="t", unit="share", value_label="Andel",
                               hidden="hidden", opening_hours=opening)
    assert fig.data[0].text[1][1] == "–"


def test_a_heatmap_with_every_cell_hidden_says_so_in_words():
    frame = pl.DataFrame({"weekday": [1, 2], "hour": [8, 9], "contacts": [3, 2], "hidden": [True, True]})
    fig = weekday_hour_heatmap(frame, value="contacts", title="t", unit="count", value_label="Kontakter",
                               hidden="hidden", opening_hours={1: (8, 17)})
    assert not fig.data  # no empty axes
    assert fig.layout.annotations[0].text.startswith("Alla rutor är dolda")
    assert "Alla rutor är dolda" in alt_text(fig) and "<br>" not in alt_text(fig)


def test_a_heatmap_says_dolda_only_when_a_cell_is_hidden():
    # a rate over no contacts in every cell: no data, nothing hidden
    frame = pl.DataFrame({"weekday": [1, 2], "hour": [8, 9], "rate": [None, None],
                          "hidden": [False, False]}, schema_overrides={"rate": pl.Float64})
    fig = weekday_hour_heatmap(frame, value="rate", title="t", unit="share", value_label="Svarsandel",
                               hidden="hidden", opening_hours={1: (8, 17)})
    (words,) = [a.text for a in fig.layout.annotations]
    assert "dolda" not in words and words.startswith("Inget underlag för svarsandel")


def test_a_gappy_line_says_dolda_only_for_hidden_points():
    from dashboard.charts import gap_message

    # four weeks of an answer rate over no calls: nothing hidden, no data
    text = gap_message("per vecka", "Svarsandel", [True] * 4, [False] * 4)
    assert "dolda" not in text and text.startswith("Inget underlag för svarsandel")
    # gaps without flags among values: no basis, nothing hidden
    text = gap_message("per vecka", "Svarsandel", [True, True, False], [False] * 3)
    assert "dolda" not in text and "inget är dolt" in text
    # two of three hidden: counted as they are
    text = gap_message("per dag", "Kontakter", [True, True, False], [True, True, False])
    assert "2 av 3 punkter är dolda." in text
    # one of eleven hidden (not more than a tenth), four with no basis: both counted
    gaps, hidden = [True] * 5 + [False] * 6, [True] + [False] * 10
    assert "1 av 11 punkter är dolda och 4 saknar kontakter att räkna på" in gap_message("per dag", "X", gaps, hidden)


def test_a_constant_heatmap_gets_a_non_negative_colour_scale():
    zeros = pl.DataFrame({"weekday": [1, 1, 2], "hour": [8, 9, 8], "calls": [0, 0, 0]})
    fig = weekday_hour_heatmap(zeros, value="calls", title="t", unit="count", value_label="Samtal",
                               opening_hours={1: (8, 10), 2: (8, 10)})
    (hm,) = fig.data
    assert (hm.zmin, hm.zmax) == (0, 1) and list(hm.colorbar.tickvals) == [0, 1]
    sevens = zeros.with_columns(pl.lit(7).alias("calls"))
    (hm,) = weekday_hour_heatmap(sevens, value="calls", title="t", unit="count",
                                 value_label="Samtal").data
    assert (hm.zmin, hm.zmax) == (0, 7)
    # a constant share is drawn in percent: 0..50
    half = zeros.with_columns(pl.lit(0.5).alias("calls"))
    (hm,) = weekday_hour_heatmap(half, value="calls", title="t", unit="share", value_label="Andel").data
    assert (hm.zmin, hm.zmax) == (0, 50)
    # values that differ keep Plotly's own min..max
    mixed = zeros.with_columns(pl.Series("calls", [0, 3, 9]))
    (hm,) = weekday_hour_heatmap(mixed, value="calls", title="t", unit="count", value_label="Samtal").data
    assert hm.zmin is None and hm.zmax is None and hm.colorbar.tickvals is None


def test_ranked_bars_sorted_with_text_reference_and_intervals():
    frame = pl.DataFrame({
        "topic": ["Bygglov", "Förskoleplats", "Parkering", "Avfall"],
        "rate": [0.2, 0.5, None, 0.35],
        "lo": [0.1, 0.4, None, 0.3],
        "hi": [0.3, 0.6, None, 0.4],
        "flagged": [False, True, False, False],
    })
    fig = ranked_bars(frame, label="topic", value="rate", title="Överlämnat per ärendekategori",
                      unit="share", value_title="Andel överlämnade", low="lo", high="hi",
                      reference=0.3, flag="flagged")
    bar = fig.data[0]
    # Largest at the top: plotly draws the last category on top.
    assert list(bar.y) == ["Parkering", "Bygglov", "Avfall", "▲ Förskoleplats"]
    assert bar.text[0] == "dolt"
    assert bar.text[-1] == f"50,0{NBSP}%"
    assert list(bar.error_x.array)[-1] == pytest.approx(10)
    (vline,) = fig.layout.shapes
    assert vline.line.dash == "dash"
    legend = fig.data[1]
    assert legend.name == f"Hela staden: 30,0{NBSP}%" and legend.line.dash == "dash"
    assert "konfidensintervall" in alt_text(fig)


def test_ranked_bars_keep_only_top_n():
    frame = pl.DataFrame({"t": [str(i) for i in range(30)], "v": list(range(30))})
    fig = ranked_bars(frame, label="t", value="v", title="t", unit="count", value_title="Antal", top=5)
    assert list(fig.data[0].y) == ["25", "26", "27", "28", "29"]


def test_ranked_bars_tell_a_hidden_value_from_no_value():
    """Satisfaction per channel: E-post hidden by privacy (over 3 answers), Chatt with no survey
    answers at all. With the flags, only the hidden one reads 'dolt'; no data reads '–'."""
    frame = pl.DataFrame({"channel": ["Telefon", "E-post", "Chatt"], "index": [67.5, None, None],
                          "hidden": [False, True, False]})
    fig = ranked_bars(frame, label="channel", value="index", title="Nöjdhet per kanal", unit="index",
                      value_title="Nöjdhetsindex", hidden="hidden")
    bar = fig.data[0]
    texts = dict(zip(bar.y, bar.text))
    assert texts == {"Telefon": "67,5", "E-post": "dolt", "Chatt": "–"}
    assert list(bar.x) == [0, 0, 67.5]  # neither gets a bar


def test_a_ranked_chart_that_draws_only_its_largest_says_of_how_many():
    frame = pl.DataFrame({"t": [str(i) for i in range(42)], "v": list(range(42))})
    cut = ranked_bars(frame, label="t", value="v", title="Andel överlämnade", unit="count",
                      value_title="Antal", top=15)
    whole = ranked_bars(frame.head(15), label="t", value="v", title="Andel överlämnade", unit="count",
                        value_title="Antal", top=15)
    assert len(cut.data[0].y) == 15
    assert cut.layout.title.text.startswith("Andel överlämnade<br>")
    assert "De 15 största av 42</span>" in cut.layout.title.text
    assert "(de 15 största av 42)" in alt_text(cut)
    assert whole.layout.title.text == "Andel överlämnade" and "största" not in alt_text(whole)
    # the subtitle line gets its own room: the plot does not shrink under it
    assert cut.layout.margin.t == whole.layout.margin.t + 22
    assert cut.layout.height > whole.layout.height


def test_a_long_vertical_axis_title_wraps_between_words():
    """A trend's plot is 232 px high: "Överlämnat till förvaltning" (27 characters) filled 91 % of
    it on one line; it takes two, each at most Y_TITLE_LINE characters. A short title stays."""
    from dashboard.charts.theme import Y_TITLE_LINE

    fig = time_series(_daily([0.3, 0.35, 0.4, 0.3, 0.2]), x="day", y="value",
                      title="Överlämnat till förvaltning per dag", unit="share",
                      y_title="Överlämnat till förvaltning")
    assert fig.layout.yaxis.title.text == "Överlämnat till<br>förvaltning"
    assert all(len(line) <= Y_TITLE_LINE for line in fig.layout.yaxis.title.text.split("<br>"))
    short = time_series(_daily([1, 2, 3, 4, 5]), x="day", y="value", title="t", unit="count",
                        y_title="Kontakter")
    assert short.layout.yaxis.title.text == "Kontakter"


def test_grouped_category_bars_differ_by_pattern():
    frame = pl.DataFrame({"slot": ["08:00", "08:30"], "needed": [12, 14], "offered": [90, 100]})
    fig = category_bars(frame, x="slot", y=["needed", "offered"], title="Bemanning", unit="count",
                        x_title="Halvtimme", y_title="Antal", names={"needed": "Agenter", "offered": "Kontakter"})
    shapes = [t.marker.pattern.shape for t in fig.data]
    assert len(set(shapes)) == 2
    assert [t.name for t in fig.data] == ["Agenter", "Kontakter"]
    assert list(fig.data[0].x) == ["08:00", "08:30"]


def test_a_small_count_axis_ticks_whole_numbers_only():
    """Agents per half hour for one förvaltning (0–3): no "0,5 agenter" tick; a large range keeps
    Plotly's own steps."""
    small = pl.DataFrame({"slot": ["08:00", "08:30"], "agents": [1, 3], "scheduled": [2, None]})
    fig = category_bars(small, x="slot", y=["agents", "scheduled"], title="Bemanning", unit="count",
                        x_title="Halvtimme", y_title="Antal agenter")
    assert (fig.layout.yaxis.tickmode, fig.layout.yaxis.tick0, fig.layout.yaxis.dtick) == ("linear", 0, 1)
    large = small.with_columns(pl.col("agents") * 10)
    fig = category_bars(large, x="slot", y=["agents"], title="Bemanning", unit="count",
                        x_title="Halvtimme", y_title="Antal agenter")
    assert fig.layout.yaxis.dtick is None and fig.layout.yaxis.tickmode is None
    shares = small.with_columns(pl.col("agents") / 10)
    fig = category_bars(shares, x="slot", y=["agents"], title="Andel", unit="share",
                        x_title="Halvtimme", y_title="Andel")
    assert fig.layout.yaxis.dtick is None


def _figures():
    d = _daily([1, 2, 3, 4, 5])
    yield time_series(d, x="day", y="value", title="a", unit="count", y_title="y", comparison=d)
    yield ranked_bars(d.with_columns(pl.col("day").cast(pl.String)), label="day", value="value",
                      title="b", unit="count", value_title="v")
    yield category_bars(d, x="day", y="value", title="c", unit="count", x_title="x", y_title="y")
    yield weekday_hour_heatmap(pl.DataFrame({"weekday": [1], "hour": [8], "v": [3]}), value="v",
                               title="d", unit="count", value_label="v")
    yield empty_figure("e", "Inga kontakter.")


@pytest.mark.parametrize("fig", list(_figures()))
def test_no_figure_relies_on_colour_alone(fig: go.Figure):
    """Every trace carries text values, or distinct dashes/markers, or is the single series."""
    assert alt_text(fig)
    lines = [t for t in fig.data if isinstance(t, go.Scatter)]
    if len(lines) > 1:
        assert len({(t.line.dash, t.marker.symbol) for t in lines}) == len(lines)
    for t in fig.data:
        if isinstance(t, (go.Bar, go.Heatmap)):
            assert t.text is not None and len(t.text) > 0


def test_series_style_is_distinct_for_the_first_eight():
    styles = [series_style(i) for i in range(8)]
    assert len({s["color"] for s in styles}) == 8
    assert len({s["symbol"] for s in styles}) == 8


def test_date_axis_has_swedish_ticks():
    fig = time_series(_daily([1, 2, 3, 4, 5]), x="day", y="value", title="t", unit="count", y_title="y")
    assert list(fig.layout.xaxis.ticktext) == ["1 mar 2025", "2 mar", "3 mar", "4 mar", "5 mar"]
    from dashboard.charts.timeseries import date_ticks

    months = [date(2024, m, 1) for m in range(1, 13)] + [date(2025, 1, 1)]
    vals, texts = date_ticks(months)
    assert len(vals) <= 8 and texts[0] == "jan 2024" and all("dec" not in t or "2024" in t for t in texts)


def test_long_labels_wrap_in_full_and_stay_distinct():
    long = "Ansökan om ekonomiskt bistånd och försörjningsstöd för hushåll"
    frame = pl.DataFrame({"t": [long, long + " B", long], "v": [1, 2, 3]})
    fig = ranked_bars(frame, label="t", value="v", title="t", unit="count", value_title="Antal")
    bar = fig.data[0]
    lines = [y.replace("\u200b", "").split("<br>") for y in bar.y]
    # every line fits; joined again, each label is the whole text (nothing cut, no ellipsis)
    assert all(len(line) <= 28 for ls in lines for line in ls)
    assert sorted(" ".join(ls) for ls in lines) == sorted([long, long + " B", long])
    assert len(set(bar.y)) == 3  # two equal names are still two bars
    assert {c[0] for c in bar.customdata} == {long, long + " B"}


def test_bar_customdata_carries_the_category_value_for_drill_down():
    frame = pl.DataFrame({"channel": ["phone", "chat"], "v": [5, 9]})
    fig = ranked_bars(frame, label="channel", value="v", title="t", unit="count", value_title="Antal",
                      labels={"phone": "Telefon", "chat": "Chatt"})
    bar = fig.data[0]
    assert list(bar.y) == ["Telefon", "Chatt"]  # largest on top (drawn last)
    assert [c[1] for c in bar.customdata] == ["phone", "chat"]


def test_whiskered_bars_put_values_inside_except_hidden_ones():
    frame = pl.DataFrame({"g": ["a", "b"], "r": [0.5, None], "lo": [0.4, None], "hi": [0.6, None]})
    fig = ranked_bars(frame, label="g", value="r", title="t", unit="share", value_title="Andel", low="lo", high="hi")
    bar = fig.data[0]
    assert list(bar.textposition) == ["outside", "inside"]  # hidden 'b' drawn first (bottom)
    assert bar.text[0] == "dolt"


def test_changes_with_negative_bars_carry_the_value_in_the_label():
    frame = pl.DataFrame({"t": ["Bygglov", "Parkering"], "change": [12, -7]})
    fig = ranked_bars(frame, label="t", value="change", title="Förändring", unit="count", value_title="Antal")
    bar = fig.data[0]
    assert list(bar.y) == [f"Parkering: \u22127", "Bygglov: 12"]
    assert set(bar.textposition) == {"none"}


# ---------------------------------------------------------------- every bar hidden: words, not axes

def _words(fig) -> str:
    """The sentence an empty figure says, its lines (wrapped to fit a half-width chart) joined."""
    (words,) = [a.text for a in fig.layout.annotations]
    return " ".join(words.split("<br>"))


def test_ranked_bars_with_every_bar_hidden_say_so_in_words_like_the_heatmap():
    frame = pl.DataFrame({"point": ["Fosie", "Rosengård", "Limhamn"], "n": [None, None, None],
                          "hidden": [True, True, True]}, schema_overrides={"n": pl.Float64})
    fig = ranked_bars(frame, label="point", value="n", title="Besök per servicepunkt", unit="count",
                      value_title="Besök", hidden="hidden")
    assert not fig.data  # no empty 0–1 axis with "dolt" labels
    assert _words(fig).startswith("Alla staplar är dolda: för få kontakter per stapel för att visas.")
    assert "se tabellen" in _words(fig) and "Alla staplar är dolda" in alt_text(fig)
    # the heatmap's wording, staplar for rutor
    heat = weekday_hour_heatmap(pl.DataFrame({"weekday": [1], "hour": [8], "v": [None]},
                                             schema_overrides={"v": pl.Float64}),
                                value="v", title="t", unit="count", value_label="Samtal")
    assert _words(heat).replace("rutor", "staplar").replace("ruta", "stapel") == _words(fig)
    # without flags every null is hidden; one value shown draws the bars
    assert _words(ranked_bars(frame.drop("hidden"), label="point", value="n", title="t",
                              unit="count", value_title="Besök")).startswith("Alla staplar")
    some = frame.with_columns(pl.Series("n", [3.0, None, None]), pl.Series("hidden", [False, True, True]))
    assert ranked_bars(some, label="point", value="n", title="t", unit="count", value_title="Besök",
                       hidden="hidden").data


def test_ranked_bars_with_no_value_and_nothing_hidden_say_no_data():
    frame = pl.DataFrame({"g": ["a", "b"], "index": [None, None], "hidden": [False, False]},
                         schema_overrides={"index": pl.Float64})
    fig = ranked_bars(frame, label="g", value="index", title="t", unit="index",
                      value_title="Nöjdhetsindex", hidden="hidden")
    assert not fig.data and "dolda" not in _words(fig)
    assert _words(fig).startswith("Inget underlag för nöjdhetsindex")


def test_category_bars_with_every_bar_hidden_say_so_in_words():
    frame = pl.DataFrame({"slot": ["08:00", "08:30"], "agents": [None, None], "scheduled": [None, None]},
                         schema_overrides={"agents": pl.Float64, "scheduled": pl.Float64})
    fig = category_bars(frame, x="slot", y=["agents", "scheduled"], title="Bemanning", unit="count",
                        x_title="Halvtimme", y_title="Antal agenter")
    assert not fig.data and _words(fig).startswith("Alla staplar är dolda")


def test_grouped_hidden_bars_label_each_bar_upright_in_its_own_slot():
    """Two hidden bars of a half hour read "doltdolt": their labels, written across two narrow
    bars, ran together. Each "dolt" now stands upright on the axis at its own bar's centre."""
    frame = pl.DataFrame({"slot": ["08:00", "08:30", "09:00"], "agents": [None, 4.0, None],
                          "scheduled": [None, 6.0, 7.0]})
    fig = category_bars(frame, x="slot", y=["agents", "scheduled"], title="Bemanning", unit="count",
                        x_title="Halvtimme", y_title="Antal agenter")
    # no "dolt" written across a bar; the hover still says it
    assert all(t != "dolt" for tr in fig.data for t in tr.text)
    assert list(fig.data[0].customdata) == ["dolt", "4", "dolt"]
    labels = [a for a in fig.layout.annotations if a.text == "dolt"]
    assert len(labels) == 3 and all(a.textangle == -90 and a.y == 0 for a in labels)
    # at the bars' centres: agents left of the slot's centre, scheduled right, 0.4 apart
    xs = sorted(a.x for a in labels)
    assert xs == pytest.approx([-0.2, 0.2, 1.8])
    # a single series: the bar is wide, the label reads across it, at the slot's centre
    one = category_bars(frame, x="slot", y="agents", title="t", unit="count", x_title="x", y_title="y")
    assert [(a.x, a.textangle) for a in one.layout.annotations] == [(0, 0), (2, 0)]


def test_an_incident_label_near_the_right_edge_reads_leftwards_from_the_bands_end():
    """On /?period=year the Fosie incident (September of a year's weeks) was labelled from its
    band's left edge onwards and cut at the chart's right edge ("Händelse: Fosie ·")."""
    from dashboard.charts.timeseries import INCIDENT_LINE

    weeks = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(51)]
    frame = pl.DataFrame({"week": weeks, "n": [100.0] * 51})
    label = "Fosie · Felanmälan gata, park och trafik"
    incidents = pl.DataFrame({"start": [date(2025, 9, 15), date(2025, 2, 3)],
                              "end": [date(2025, 9, 21), date(2025, 2, 9)], "label": [label, "Öster"]})
    fig = time_series(frame, x="week", y="n", title="Kontakter per vecka", unit="count",
                      y_title="Kontakter", incidents=incidents)
    late, early = fig.layout.annotations
    assert (late.x, late.xanchor, late.align) == (date(2025, 9, 21), "right", "right")
    assert (early.x, early.xanchor) == (date(2025, 2, 3), "left")
    # short: the area on the chart, the whole label in the hover
    assert late.text == "Händelse: Fosie" and late.hovertext == f"Händelse: {label}"
    long = incidents.with_columns(pl.Series("label", ["Fosie " * 9, "Öster"]))
    fig = time_series(frame, x="week", y="n", title="t", unit="count", y_title="y", incidents=long)
    assert all(len(line) <= INCIDENT_LINE for line in fig.layout.annotations[0].text.split("<br>"))
    # data text is drawn as text
    marked = incidents.with_columns(pl.Series("label", ["<b>Fosie</b>", "Öster"]))
    fig = time_series(frame, x="week", y="n", title="t", unit="count", y_title="y", incidents=marked)
    assert "<b>" not in fig.layout.annotations[0].text


def test_a_gappy_lines_message_counts_what_is_hidden_in_both_lines():
    """/tillganglighet?day_of_week=3&hour=10: the weeks' answer rates 78,1 %, 81,1 %, – against
    75,8 %, Dolt, Dolt said "de flesta punkterna saknar kontakter att räkna på (inget är dolt)":
    one of three lacked contacts, and two of the comparison's three were hidden."""
    from dashboard.charts import gap_message, gap_note

    text = gap_message("per vecka", "Svarsandel", [True, True, False], [False] * 3, [False, True, True])
    assert "inget är dolt" not in text and "de flesta" not in text
    assert "2 av 3 punkter saknar kontakter att räkna på." in text
    assert "I jämförelseperioden är 2 av 3 punkter dolda." in text
    # both kinds of gap in the line
    text = gap_message("per vecka", "X", [True, True, True, False], [True, False, False, False])
    assert "1 av 4 punkter är dolda och 2 saknar kontakter att räkna på." in text
    # a drawn line with gaps says how many under its title; none without gaps
    assert gap_note([False, False, True], [False] * 3, [False, True, True]) == (
        "1 av 3 punkter utan underlag · jämförelsen: 2 av 3 dolda")
    assert gap_note([True, False, False], [True, False, False]) == "1 av 3 punkter dolda"
    assert gap_note([False] * 3, [False] * 3, [False] * 3) is None
    fig = time_series(_daily([1, 2, None, 4, 5]), x="day", y="value", title="Svarsandel per dag",
                      unit="count", y_title="y", subtitle="1 av 5 punkter utan underlag")
    assert "1 av 5 punkter utan underlag" in fig.layout.title.text
    assert fig.layout.margin.t > time_series(_daily([1, 2, None, 4, 5]), x="day", y="value",
                                             title="Svarsandel per dag", unit="count",
                                             y_title="y").layout.margin.t
