"""Start loading the browser's Plotly bundle at once.

Streamlit loads its 4.7 MB Plotly chunk only when the first chart arrives, so on a cold page the
browser starts that download and compile only after the server has computed everything above the
first chart. A 10-pixel empty chart sent first lets the browser fetch and compile the bundle while
the server works (bench/bench_dashboard.py measures the effect on cold start).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

_EMPTY = go.Figure(layout={"height": 10, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
                           "xaxis": {"visible": False}, "yaxis": {"visible": False}})


def preload_charts() -> None:
    st.plotly_chart(_EMPTY, height=10, config={"staticPlot": True, "displayModeBar": False},
                    alt="Tom yta utan innehåll (laddar diagramverktyget)", key="plotly_preload", theme=None)
