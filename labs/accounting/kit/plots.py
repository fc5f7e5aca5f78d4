"""Plotly figures a student can draw from their own data: Benford by region, top risks."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from labs.accounting.kit.benford import BENFORD, benford_by_region


def benford_figure(
    entries: pd.DataFrame,
    title: str = "First digits by region vs Benford's law",
) -> go.Figure:
    """Observed first-digit shares per region (lines) against Benford's expected shares (bars)."""
    bf = benford_by_region(entries)
    fig = go.Figure(go.Bar(x=list(range(1, 10)), y=BENFORD, name="Benford", marker_color="#bbb"))
    for region, grp in bf.groupby("region"):
        fig.add_scatter(
            x=grp["digit"],
            y=grp["observed"],
            mode="lines+markers",
            name=f"{region} (MAD {grp['mad'].iloc[0]:.4f}, n={grp['n'].iloc[0]})",
        )
    fig.add_annotation(
        text="MAD > 0.015: nonconformity (Nigrini)",
        xref="paper",
        yref="paper",
        x=1,
        y=1.08,
        showarrow=False,
        font={"size": 11},
    )
    fig.update_layout(
        title=title,
        xaxis_title="first digit",
        yaxis_title="share",
        yaxis_tickformat=".0%",
        height=420,
        margin={"t": 70},
    )
    return fig


def risk_figure(
    flags: pd.DataFrame, top: int = 25, title: str = "Highest risk entries"
) -> go.Figure:
    """The ``top`` entries by risk score, the strongest reason as hover text (only the order
    of the scores counts: an auditor reviews the first k)."""
    head = flags.head(top).iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=head["risk_score"],
            y=head["entry_id"],
            orientation="h",
            hovertext=head["reason"],
            marker_color="#c0392b",
        )
    )
    fig.update_layout(title=title, height=max(300, 22 * len(head) + 120), margin={"l": 110})
    return fig
