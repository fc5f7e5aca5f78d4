"""Plotly figures of the accounting lab (pure functions of data; titles come in translated)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from labs.accounting.kit.plots import benford_figure, risk_figure

__all__ = ["benford_figure", "components_figure", "feedback_figures", "metric_bars",
           "race_figure", "risk_figure"]


def components_figure(components: Mapping[str, float], entry: str) -> go.Figure:
    """Why one entry is risky: each control point's weighted score."""
    s = pd.Series(components).sort_values()
    fig = go.Figure(go.Bar(x=s.to_numpy(), y=list(s.index), orientation="h", marker_color="#2c7fb8"))
    fig.update_layout(title=entry, height=380, margin={"l": 140})
    return fig


def race_figure(bot_seconds: float, manual_seconds: float, labels: tuple[str, str] = (
        "Bot (elapsed)", "Manual clerk (estimate)")) -> go.Figure:
    """The race clock: the bot's elapsed time against the clerk's estimated time, in minutes."""
    fig = go.Figure(go.Bar(x=[bot_seconds / 60, manual_seconds / 60], y=list(labels),
                           orientation="h", marker_color=["#27ae60", "#7f8c8d"],
                           text=[f"{bot_seconds / 60:.1f} min", f"{manual_seconds / 60:.0f} min"],
                           textposition="auto"))
    fig.update_layout(xaxis_title="minutes", xaxis_type="log", height=200,
                      margin={"t": 20, "b": 40, "l": 160})
    return fig


def metric_bars(metrics: Mapping[str, Mapping[str, float]], names: tuple[str, ...],
                title: str) -> go.Figure:
    """Grouped bars: one group per metric, one bar per solution."""
    fig = go.Figure()
    for solution, values in metrics.items():
        fig.add_bar(x=list(names), y=[values.get(n, np.nan) for n in names], name=solution)
    fig.update_layout(title=title, barmode="group", yaxis_range=[0, 1], height=380)
    return fig


def feedback_figures(case: Any, solutions: Mapping[str, Any]) -> list[go.Figure]:
    """Report accuracy (against materiality) and anomaly ranking of each solution (for the
    HTML feedback)."""
    from labs.accounting.evaluate import evaluate

    metrics = {name: evaluate(case, sol) for name, sol in solutions.items()}
    per_type = tuple(k for k in next(iter(metrics.values()), {}) if k.startswith("recall_")
                     and k != "recall_at_k")
    return [metric_bars(metrics, ("report_accuracy", "anomaly_ap", "precision_at_k", "recall_at_k"),
                        "Report and anomaly ranking"),
            metric_bars(metrics, per_type, "Recall per anomaly type among the k entries reviewed")]
