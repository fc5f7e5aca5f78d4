"""Plotly figure builders (pure functions of data frames; small payloads)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from workbench.i18n import t


def pchart_figure(chart: pd.DataFrame, title: str = "p-chart of AOI defects per shift"
                  ) -> go.Figure:
    """Shift defect rates per line against the plant's 3σ upper limit."""
    fig = go.Figure()
    chart = chart.sort_values(["date", "shift"])
    for line, g in chart.groupby("line"):
        x = g["date"] + " " + g["shift"]
        fig.add_scatter(x=x, y=g["p"], mode="lines+markers", name=line)
        alarms = g[g["alarm"]]
        fig.add_scatter(x=alarms["date"] + " " + alarms["shift"], y=alarms["p"], mode="markers",
                        marker={"symbol": "x", "size": 11, "color": "red"}, showlegend=False)
    ucl = chart.groupby(chart["date"] + " " + chart["shift"])["plant_ucl"].mean()
    fig.add_scatter(x=ucl.index, y=ucl.values, mode="lines", name=t("UCL (plant limit)"),
                    line={"dash": "dash", "color": "red"})
    fig.update_layout(title=title, yaxis_tickformat=".0%", height=380)
    return fig


def ewma_figure(chart: pd.DataFrame,
                title: str = "EWMA of each line's shift defect rate (σ units)") -> go.Figure:
    """Each line's EWMA of standardised shift rates against its upper limit; red crosses are
    alarms (``chart``: line, date, shift, ewma, ucl, alarm)."""
    fig = go.Figure()
    chart = chart.assign(when=chart["date"] + " " + chart["shift"])
    for line, g in chart.groupby("line"):
        fig.add_scatter(x=g["when"], y=g["ewma"], mode="lines+markers", name=line)
        alarms = g[g["alarm"]]
        fig.add_scatter(x=alarms["when"], y=alarms["ewma"], mode="markers",
                        marker={"symbol": "x", "size": 11, "color": "red"}, showlegend=False)
    limit = chart.groupby("when", sort=False)["ucl"].max()
    fig.add_scatter(x=limit.index, y=limit.values, mode="lines", name=t("upper limit"),
                    line={"dash": "dash", "color": "red"})
    fig.update_layout(title=title, height=380, yaxis_title=t("σ above the plant's median"))
    return fig


def pareto_figure(pareto: pd.DataFrame, title: str = "Pareto of defect codes") -> go.Figure:
    fig = go.Figure()
    fig.add_bar(x=pareto["code"], y=pareto["count"], name=t("count"))
    fig.add_scatter(x=pareto["code"], y=pareto["cumulative_share"], yaxis="y2",
                    mode="lines+markers", name=t("cumulative share"))
    fig.update_layout(title=title, height=340,
                      yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%",
                              "range": [0, 1.05]})
    return fig


def importance_figure(importance: pd.DataFrame, title: str = "Permutation importance (PR-AUC drop)"
                      ) -> go.Figure:
    name = "feature" if "feature" in importance else "group"
    data = importance.sort_values("importance")
    fig = go.Figure(go.Bar(x=data["importance"], y=data[name], orientation="h",
                           error_x={"type": "data", "array": data["std"]}))
    fig.update_layout(title=title, height=360)
    return fig


def dependence_figure(curve: pd.DataFrame, feature: str,
                      window: tuple[float | None, float | None] = (None, None)) -> go.Figure:
    fig = go.Figure(go.Scatter(x=curve["value"], y=curve["risk"], mode="lines"))
    for bound in window:
        if bound is not None:
            fig.add_vline(x=bound, line_dash="dash", line_color="green")
    fig.update_layout(title=t("Partial dependence of defect risk on {feature}", feature=feature),
                      xaxis_title=feature, yaxis_title=t("model risk"), height=340)
    return fig


def rates_figure(rates: Mapping[str, float], title: str = "Expected defect rate") -> go.Figure:
    fig = go.Figure(go.Bar(x=list(rates), y=list(rates.values()),
                           text=[f"{v:.2%}" for v in rates.values()], textposition="outside"))
    fig.update_layout(title=title, yaxis_tickformat=".1%", height=340)
    return fig
