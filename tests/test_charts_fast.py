"""The chart builders make each figure in one constructor call (fast); these figures must be the
ones Plotly's own update calls draw: the reference below builds them step by step with
update_layout, update_axes, add_vrect and add_vline, as the builders did before."""

from __future__ import annotations

import json
from datetime import date, timedelta

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from dashboard.charts import ranked_bars, time_series
from dashboard.charts.theme import (COMPARISON_COLOUR, FONT, GRID, INCIDENT_FILL, MUTED_TEXT, TEXT,
                                    base_figure, empty_figure, vertical_line)
from dashboard.charts.timeseries import add_incidents, incident_bands
from dashboard.formatting import PLOTLY_SEPARATORS


def _json(fig: go.Figure) -> dict:
    return json.loads(pio.to_json(fig))


def _reference_base(title, *, x_title=None, y_title=None, alt=None, height=380) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title={"text": title, "font": {"size": 17, "color": TEXT}, "x": 0, "xanchor": "left",
               "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 12}},
        font={"family": FONT, "size": 13, "color": TEXT}, separators=PLOTLY_SEPARATORS,
        paper_bgcolor="white", plot_bgcolor="white", height=height,
        margin={"l": 10, "r": 20, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                "font": {"color": TEXT}},
        hoverlabel={"font": {"family": FONT}}, meta={"alt": alt or title})
    fig.update_xaxes(title_text=x_title, gridcolor=GRID, linecolor=MUTED_TEXT,
                     tickfont={"color": TEXT}, automargin=True)
    fig.update_yaxes(title_text=y_title, gridcolor=GRID, linecolor=MUTED_TEXT,
                     tickfont={"color": TEXT}, zerolinecolor=GRID, automargin=True)
    return fig


def test_base_figure_is_the_step_by_step_figure():
    assert _json(base_figure("Titel", x_title="Dag", y_title="Antal", alt="Alt")) == _json(
        _reference_base("Titel", x_title="Dag", y_title="Antal", alt="Alt"))
    assert _json(base_figure("T", height=220)) == _json(_reference_base("T", height=220))
    # a layout given is merged like update_layout: nested dicts merge, values replace
    merged = base_figure("T", layout={"margin": {"r": 80}, "xaxis": {"type": "category"}})
    ref = _reference_base("T")
    ref.update_layout(margin={"r": 80})
    ref.update_xaxes(type="category")
    assert _json(merged) == _json(ref)


def test_empty_figure_is_the_step_by_step_figure():
    ref = _reference_base("e", alt="e: Inga kontakter. Välj annat.", height=220)
    ref.add_annotation(text="Inga kontakter.<br>Välj annat.", showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper", font={"size": 15, "color": TEXT})
    ref.update_xaxes(visible=False)
    ref.update_yaxes(visible=False)
    assert _json(empty_figure("e", "Inga kontakter.<br>Välj annat.")) == _json(ref)


def test_incident_bands_and_vertical_line_are_what_plotly_adds():
    days = [date(2025, 3, 1) + timedelta(days=i) for i in range(3)]
    incidents = pl.DataFrame({"start": days[:2], "end": days[1:], "label": ["Fosie · Gata", None]})
    ref = go.Figure()
    for row in incidents.iter_rows(named=True):
        ref.add_vrect(x0=row["start"], x1=row["end"], fillcolor=INCIDENT_FILL, line_width=1,
                      line_color="#D55E00", line_dash="dot", layer="below")
    ref.add_vline(x=3.5, line_dash="dash", line_color=COMPARISON_COLOUR, line_width=2)
    shapes, annotations = incident_bands(incidents)
    ours = go.Figure(layout={"shapes": [*shapes, vertical_line(3.5, dash="dash", color=COMPARISON_COLOUR,
                                                                width=2)]})
    assert _json(ours) == _json(ref)
    # labelled at the band's top left (as add_vrect's "top left"): the area, all of it in the hover
    assert [(a["text"], a["x"], a["xanchor"], a["y"], a["yanchor"], a["hovertext"]) for a in annotations] == [
        ("Händelse: Fosie", days[0], "left", 1, "top", "Händelse: Fosie · Gata"),
        ("Händelse", days[1], "left", 1, "top", "Händelse")]
    # the step-by-step helper pages may still call draws the same bands
    frame = pl.DataFrame({"day": days, "v": [1.0, 2.0, 3.0]})
    built = time_series(frame, x="day", y="v", title="t", unit="count", y_title="y", incidents=incidents)
    stepped = add_incidents(time_series(frame, x="day", y="v", title="t", unit="count", y_title="y"),
                            incidents)
    assert _json(built) == _json(stepped)


def test_ranked_bars_with_reference_is_the_step_by_step_figure():
    frame = pl.DataFrame({"g": ["a", "b", "c"], "v": [0.2, None, 0.5]})
    fig = ranked_bars(frame, label="g", value="v", title="T", unit="share", value_title="Andel",
                      reference=0.3)
    bar, legend_line = fig.data
    assert bar.showlegend is False and legend_line.showlegend is True
    assert list(bar.x) == [0, 20.0, 50.0] and list(bar.text)[0] == "dolt"
    (line,) = fig.layout.shapes
    assert (line.type, line.x0, line.x1, line.yref, line.line.dash) == ("line", 30.0, 30.0, "y domain", "dash")
    assert (fig.layout.margin.l, fig.layout.margin.r, fig.layout.margin.b) == (16, 80, 48) and fig.layout.bargap == 0.3
    assert fig.layout.showlegend is True and fig.layout.yaxis.type == "category"


def test_long_titles_wrap_instead_of_being_cut_and_small_ranges_keep_distinct_ticks():
    """Plotly cuts a title wider than its chart: a long title and value-axis title wrap between
    words (the top margin grows by a line), short ones stay one line; value ticks carry one
    decimal where needed (",.0f" printed 1,5 % and 2 % both as "2 %")."""
    from dashboard.charts.theme import TITLE_LINE, axis_format, base_figure

    long = "Besökarnas stadsområden per servicepunkt och de vanligaste ärendena"
    fig = base_figure(long, x_title="Andel av servicepunktens besök med ärendekategori och kontakt")
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) > 1 and all(len(line) <= TITLE_LINE for line in lines)
    assert " ".join(lines) == long
    assert fig.layout.margin.t == 60 + 22 * (len(lines) - 1)
    assert "<br>" in fig.layout.xaxis.title.text
    short = base_figure("Kontakter per dag", x_title="Datum")
    assert short.layout.title.text == "Kontakter per dag" and short.layout.margin.t == 60
    # d3-format's "~" trims a zero decimal: 1,5 % and 2 % read "1,5 %" and "2 %"
    assert {axis_format(u)["tickformat"] for u in ("share", "count", "sek", "seconds")} == {",.1~f"}
