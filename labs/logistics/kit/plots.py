"""Plotly figures of the logistics lab (pure functions of an instance, a plan or a table)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from labs.logistics.kit.evaluate import route_summary, schedule
from labs.logistics.kit.instance import Instance
from labs.logistics.kit.plan import Plan
from workbench.i18n import t

__all__ = ["clock", "kpi_comparison", "route_map", "timeline", "trips_profile"]

COLOURS = qualitative.Dark24
WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
KPI_METRICS = (
    "route_duration",
    "distance",
    "waiting_time",
    "vehicles_used",
    "load_factor",
    "on_time_rate",
)
KPI_LABELS = {
    "route_duration": "Route duration (min)",
    "distance": "Distance (km)",
    "waiting_time": "Waiting time (min)",
    "vehicles_used": "Vehicles used",
    "load_factor": "Load factor",
    "on_time_rate": "On-time rate",
}


def clock(minutes: float) -> str:
    """Minutes since midnight as hh:mm."""
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


def route_map(inst: Instance, plan: Plan, title: str = "") -> go.Figure:
    """Customers, depot and one coloured line per vehicle (depot → stops → depot)."""
    c = inst.customers.set_index("id")
    fig = go.Figure()
    for k, (vehicle, stops) in enumerate(plan.used().items()):
        known = [s for s in stops if s in c.index]
        xs = [inst.depot_x, *c.loc[known, "x"], inst.depot_x]
        ys = [inst.depot_y, *c.loc[known, "y"], inst.depot_y]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=vehicle,
                line={"color": COLOURS[k % len(COLOURS)], "width": 2},
                hoverinfo="name",
            )
        )
    hover = [
        t(
            "customer {id}: {demand} parcels, window {ready}–{due}",
            id=i,
            demand=int(r.demand),
            ready=clock(r.ready),
            due=clock(r.due),
        )
        for i, r in c.iterrows()
    ]
    fig.add_trace(
        go.Scatter(
            x=c["x"],
            y=c["y"],
            mode="markers",
            name=t("Customers"),
            marker={"size": 7, "color": "#444"},
            text=hover,
            hoverinfo="text",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[inst.depot_x],
            y=[inst.depot_y],
            mode="markers",
            name=t("Depot"),
            marker={"size": 16, "symbol": "star", "color": "#d62728"},
        )
    )
    fig.update_layout(
        title=title or t("Route map"),
        xaxis_title=t("x (km)"),
        yaxis_title=t("y (km)"),
        yaxis={"scaleanchor": "x"},
        template="plotly_white",
    )
    return fig


def _segments(inst: Instance, plan: Plan) -> pd.DataFrame:
    """Timeline bars: vehicle, kind (travel / wait / service), start, length."""
    stops, routes = schedule(inst, plan), route_summary(inst, plan).set_index("vehicle")
    rows = []
    for vehicle, group in stops.groupby("vehicle", sort=False):
        prev_end = routes.at[vehicle, "departure"]
        for s in group.itertuples():
            rows += [
                (vehicle, "Travel", prev_end, s.arrival - prev_end),
                (vehicle, "Wait", s.arrival, s.wait),
                (vehicle, "Service", s.start, s.end - s.start),
            ]
            prev_end = s.end
        rows.append((vehicle, "Travel", prev_end, routes.at[vehicle, "return_time"] - prev_end))
    return pd.DataFrame(rows, columns=["vehicle", "kind", "start", "length"])


def timeline(inst: Instance, plan: Plan, title: str = "") -> go.Figure:
    """Gantt chart of each vehicle's day: travel, waiting and service."""
    bars = _segments(inst, plan)
    colours = {"Travel": "#1f77b4", "Wait": "#ff7f0e", "Service": "#2ca02c"}
    fig = go.Figure()
    for kind, colour in colours.items():
        part = bars[(bars["kind"] == kind) & (bars["length"] > 1e-9)]
        fig.add_trace(
            go.Bar(
                y=part["vehicle"],
                x=part["length"],
                base=part["start"],
                orientation="h",
                name=t(kind),
                marker_color=colour,
                hovertemplate="%{base:.0f}+%{x:.1f} min<extra></extra>",
            )
        )
    ticks = list(range(int(inst.shift_start // 60) * 60, int(inst.shift_end) + 1, 60))
    fig.update_layout(
        title=title or t("Vehicle timelines"),
        barmode="overlay",
        xaxis={
            "title": t("Time of day"),
            "tickvals": ticks,
            "ticktext": [clock(v) for v in ticks],
            "range": [inst.shift_start, inst.shift_end],
        },
        yaxis={"title": t("Vehicle"), "autorange": "reversed"},
        template="plotly_white",
    )
    return fig


def kpi_comparison(metrics_by_method: Mapping[str, Mapping[str, float]]) -> go.Figure:
    """One small bar chart per key metric, one bar per method."""
    names = [m for m in KPI_METRICS if all(m in v for v in metrics_by_method.values())]
    cols = 3
    fig = make_subplots(
        rows=(len(names) + cols - 1) // cols,
        cols=cols,
        subplot_titles=[t(KPI_LABELS[m]) for m in names],
    )
    methods = list(metrics_by_method)
    for i, metric in enumerate(names):
        fig.add_trace(
            go.Bar(
                x=[t(m) for m in methods],
                y=[metrics_by_method[m][metric] for m in methods],
                marker_color=[COLOURS[k % len(COLOURS)] for k in range(len(methods))],
                showlegend=False,
                texttemplate="%{y:.4~r}",
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_layout(title=t("Key figures by method"), template="plotly_white")
    return fig


def trips_profile(trips: pd.DataFrame) -> go.Figure:
    """Median straight-line speed (km/h) by departure hour, per weekday: the rush hours."""
    speed = trips.assign(kmh=60 * trips["distance_km"] / trips["observed_minutes"])
    fig = go.Figure()
    days = sorted(speed["weekday"].unique(), key=lambda d: (WEEK.index(d) if d in WEEK else 9, d))
    for day in days:
        by_hour = speed[speed["weekday"] == day].groupby("departure_hour")["kmh"].median()
        fig.add_trace(
            go.Scatter(x=by_hour.index, y=by_hour.values, mode="lines+markers", name=t(str(day)))
        )
    overall = speed.groupby("departure_hour")["kmh"].median()
    fig.add_trace(
        go.Scatter(
            x=overall.index,
            y=overall.values,
            mode="lines",
            name=t("All days"),
            line={"color": "black", "width": 4},
        )
    )
    fig.update_layout(
        title=t("Travel speed by hour of departure"),
        xaxis_title=t("Departure hour"),
        yaxis_title=t("Median speed (km/h)"),
        template="plotly_white",
    )
    return fig
