"""Plotly figures of the accounting lab (pure functions of data; titles come in translated)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from labs.accounting.jet import BENFORD, benford_by_region


def benford_figure(entries: pd.DataFrame, title: str = "First digits by region vs Benford's law",
                   ) -> go.Figure:
    """Observed first-digit shares per region (lines) against Benford's expected shares (bars)."""
    bf = benford_by_region(entries)
    fig = go.Figure(go.Bar(x=list(range(1, 10)), y=BENFORD, name="Benford", marker_color="#bbb"))
    for region, grp in bf.groupby("region"):
        fig.add_scatter(x=grp["digit"], y=grp["observed"], mode="lines+markers",
                        name=f"{region} (MAD {grp['mad'].iloc[0]:.4f}, n={grp['n'].iloc[0]})")
    fig.add_annotation(text="MAD > 0.015: nonconformity (Nigrini)", xref="paper", yref="paper",
                       x=1, y=1.08, showarrow=False, font={"size": 11})
    fig.update_layout(title=title, xaxis_title="first digit", yaxis_title="share",
                      yaxis_tickformat=".0%", height=420, margin={"t": 70})
    return fig


def risk_figure(flags: pd.DataFrame, top: int = 25, title: str = "Highest risk entries") -> go.Figure:
    """The ``top`` entries by risk score, the strongest reason as hover text (only the order
    of the scores counts: an auditor reviews the first k)."""
    head = flags.head(top).iloc[::-1]
    fig = go.Figure(go.Bar(x=head["risk_score"], y=head["entry_id"], orientation="h",
                           hovertext=head["reason"], marker_color="#c0392b"))
    fig.update_layout(title=title, height=max(300, 22 * len(head) + 120),
                      margin={"l": 110})
    return fig


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
