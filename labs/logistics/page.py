"""The logistics lab page: the default case, the dispatcher's routes against optimised ones
and the student's own plan, side by side, with key figures, timelines and traffic by hour.

The pure helpers come first (unit-tested without a browser); the callbacks at the end only
convert inputs and call them. Uploaded and optimised plans live in server-side scratch
folders; the browser holds their tokens, and every score is recomputed from the files.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache, lru_cache

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from labs.logistics import LAB, baseline, plots, reference
from labs.logistics.evaluate import evaluate, validate
from labs.logistics.instance import Instance, load_instance, load_trips
from labs.logistics.submission import Plan, read_plan, write_plan
from workbench.app import uploads
from workbench.app.components import (
    claims_frame,
    grade_token,
    grade_view,
    message_figure,
    metrics_frame,
    upload_box,
    upload_callbacks,
)
from workbench.datasets import default_case
from workbench.grading import references
from workbench.i18n import N_, current_language, t
from workbench.lab import Case, SubmissionError

METHODS = {  # key → label, in the order the selectors list them
    "dispatcher": N_("Dispatcher (baseline)"),
    "time_aware": N_("Time-aware nearest neighbour"),
    "nearest": N_("Naive nearest neighbour"),
    "reference": N_("Optimised (reference)"),
    "optimised": N_("Your optimisation run"),
    "upload": N_("Your uploaded plan"),
}

BUILTIN = ("dispatcher", "time_aware", "nearest", "reference")
OPTIMISED_FILE = "optimised.json"
# Search budgets a class can try: too little search can leave the plan worse than it could be.
ITERATION_CHOICES = (200, 1000, 2500, 10000)
DEFAULT_ITERATIONS = reference.DEFAULT_ITERATIONS  # what the grading reference runs


@cache
def case() -> Case:
    return default_case(LAB)


@cache
def instance() -> Instance:
    return load_instance(case())


# ---- pure helpers ---------------------------------------------------------------------------

def builtin_plans(c: Case, inst: Instance) -> dict[str, Plan]:
    """The dispatcher, the two nearest-neighbour heuristics and the grading reference."""
    refs = references(LAB, c)  # the very plans the grading compares with
    return {
        "dispatcher": refs.baseline_solution,
        "time_aware": baseline.time_aware_nearest_neighbour(inst),
        "nearest": baseline.nearest_neighbour(inst),
        "reference": refs.reference_solution,
    }


def plan_in(token: object) -> Plan | None:
    """The readable plan stored under a scratch token, if any (unknown stops are not drawn;
    the grade lists them)."""
    path = uploads.stored_file(token)
    try:
        return read_plan(path) if path else None
    except SubmissionError:
        return None


def available_plans(builtins: dict[str, Plan], upload_token: object, optimised_token: object,
                    ) -> dict[str, Plan]:
    """Every plan that can be shown, by method key (see ``METHODS``)."""
    plans = dict(builtins)
    for key, token in (("optimised", optimised_token), ("upload", upload_token)):
        plan = plan_in(token)
        if plan is not None:
            plans[key] = plan
    return plans


def method_options(plans: dict[str, Plan]) -> list[dict[str, str]]:
    return [{"label": t(METHODS[key]), "value": key} for key in METHODS if key in plans]


def metrics_table(metrics_by_method: dict[str, dict[str, float]]) -> pd.DataFrame:
    """One row per lab metric, one column per method (by its label)."""
    return metrics_frame(LAB.metrics, {t(METHODS[m]): v for m, v in metrics_by_method.items()})


def claims_table(metrics_by_method: dict[str, dict[str, float]]) -> pd.DataFrame:
    """The case study's claims measured on this case: the reference against the dispatcher
    and against the competent time-aware heuristic (effects depend on the baseline)."""
    against = {t("Reference vs {baseline}", baseline=t(METHODS[k])): metrics_by_method[k]
               for k in ("dispatcher", "time_aware") if k in metrics_by_method}
    return claims_frame(LAB.claims, metrics_by_method["reference"], against)


def valid_metrics(inst: Instance, plans: dict[str, Plan]) -> dict[str, dict[str, float]]:
    """Metrics of every plan without problems (an invalid plan's figures would mislead)."""
    return {key: evaluate(inst, plan) for key, plan in plans.items() if not validate(inst, plan)}


def iterations_from(value: object) -> int:
    """The search budget chosen in the page; anything else falls back to the default."""
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_ITERATIONS
    return number if number in ITERATION_CHOICES else DEFAULT_ITERATIONS


def run_optimisation(inst: Instance, progress: Callable[[float, str], None],
                     iterations: int = DEFAULT_ITERATIONS) -> tuple[str, Plan]:
    """Solve with a fixed seed and iteration budget (reproducible) and store the plan."""
    plan = reference.solve(inst, seed=0, max_iterations=iterations, progress=progress)
    token, folder = uploads.new_folder()
    write_plan(plan, folder / OPTIMISED_FILE)
    return token, plan


# ---- layout ---------------------------------------------------------------------------------

def case_card(inst: Instance) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H5(t("The case")),
        html.Ul([html.Li(t("{n} customers", n=inst.n)),
                 html.Li(t("{k} vans, {q} parcels each", k=inst.vehicles, q=inst.capacity)),
                 html.Li(t("Shift {start}–{end}", start=plots.clock(inst.shift_start),
                           end=plots.clock(inst.shift_end)))], className="mb-0"),
    ]), class_name="mb-3")


def upload_card() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H5(t("Your plan")),
        upload_box("logistics-upload", ".json,.csv",
                   t("A plan file: plan.json or plan.csv (vehicle → ordered stops)")),
        html.Div(id="logistics-upload-error", className="mt-3"),
        dcc.Loading(html.Div(id="logistics-grade", className="mt-3")),
    ]), class_name="h-100")


def optimise_card() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H5(t("Optimise")),
        html.P(t("Run the optimiser (PyVRP) on this case and watch it improve the plan.")),
        dbc.InputGroup([
            dbc.InputGroupText(t("Search effort")),
            dbc.Select(id="logistics-optimise-iterations", value=str(DEFAULT_ITERATIONS),
                       options=[{"label": t("{n} iterations", n=n), "value": str(n)}
                                for n in ITERATION_CHOICES]),
            dbc.Button(t("Optimise"), id="logistics-optimise-btn", color="primary"),
        ]),
        dbc.Progress(id="logistics-optimise-progress", value=0, striped=True, class_name="my-2"),
        html.Div(id="logistics-optimise-status"),
    ]))


def side(which: str, value: str) -> dbc.Col:
    label = t("Left") if which == "left" else t("Right")
    return dbc.Col(dbc.InputGroup([
        dbc.InputGroupText(label),
        dbc.Select(id=f"logistics-{which}-method", value=value,
                   options=[{"label": t(METHODS[k]), "value": k} for k in BUILTIN]),
    ]), md=6)


def two_graphs(kind: str) -> dbc.Row:
    return dbc.Row([dbc.Col(dcc.Loading(dcc.Graph(id=f"logistics-{which}-{kind}")), md=6)
                    for which in ("left", "right")])


def layout() -> html.Div:
    inst = instance()
    return html.Div([
        # per browser tab, so plans survive a language switch; only tokens, never scores
        dcc.Store(id="logistics-upload-token", storage_type="session"),
        dcc.Store(id="logistics-optimised-token", storage_type="session"),
        html.H2(t(LAB.title)),
        html.P(t(LAB.summary), className="lead"),
        dbc.Row([dbc.Col([case_card(inst), optimise_card()], md=5),
                 dbc.Col(upload_card(), md=7)], class_name="g-3 mb-3"),
        dbc.Row([side("left", "dispatcher"), side("right", "reference")], class_name="mb-2"),
        dbc.Tabs([
            dbc.Tab(two_graphs("map"), label=t("Route maps"), tab_id="maps"),
            dbc.Tab(two_graphs("timeline"), label=t("Vehicle timelines"), tab_id="timelines"),
            dbc.Tab([html.Div(id="logistics-kpi-table", className="mt-3"),
                     dcc.Graph(id="logistics-kpi-chart")], label=t("Key figures"), tab_id="kpis"),
            dbc.Tab([html.P(t("Past trips: median travel speed by hour of departure. Rush hours "
                              "are slow; a plan that ignores them will run late."),
                            className="mt-3"),
                     dcc.Graph(id="logistics-trips", figure=trips_figure())],
                    label=t("Traffic by hour"), tab_id="trips"),
        ], id="logistics-tabs", active_tab="maps"),
    ], id="logistics-page")


def trips_figure() -> go.Figure:
    trips = load_trips(case())
    return plots.trips_profile(trips) if trips is not None else message_figure(
        t("This case has no historical trips."))


# ---- callbacks: convert inputs, call the helpers above ----------------------------------------

_BUILTINS_LOCK = threading.Lock()


def _builtins() -> dict[str, Plan]:
    # Several callbacks ask at once on the first page load: solve the reference only once.
    with _BUILTINS_LOCK:
        return _builtins_cached()


@cache
def _builtins_cached() -> dict[str, Plan]:
    return builtin_plans(case(), instance())


def _plans(upload_token: object, optimised_token: object) -> dict[str, Plan]:
    return available_plans(_builtins(), upload_token, optimised_token)


@callback(Output("logistics-left-method", "options"), Output("logistics-right-method", "options"),
          Input("logistics-upload-token", "data"), Input("logistics-optimised-token", "data"))
def update_choices(upload_token, optimised_token):
    options = method_options(_plans(upload_token, optimised_token))
    return options, options


@callback(Output("logistics-left-map", "figure"), Output("logistics-left-timeline", "figure"),
          Input("logistics-left-method", "value"), Input("logistics-upload-token", "data"),
          Input("logistics-optimised-token", "data"))
def draw_left(method, upload_token, optimised_token):
    return _draw(method, upload_token, optimised_token)


@callback(Output("logistics-right-map", "figure"), Output("logistics-right-timeline", "figure"),
          Input("logistics-right-method", "value"), Input("logistics-upload-token", "data"),
          Input("logistics-optimised-token", "data"))
def draw_right(method, upload_token, optimised_token):
    return _draw(method, upload_token, optimised_token)


def _draw(method: str, upload_token: object, optimised_token: object):
    if method in _builtins():  # the same for every student: draw once per language
        return _builtin_drawing(method, current_language())
    plan = _plans(upload_token, optimised_token).get(method)
    if plan is None:
        blank = message_figure(t("This plan cannot be drawn."))
        return blank, blank
    return _drawing(plan, t(METHODS[method]))


def _drawing(plan: Plan, title: str) -> tuple[dict, dict]:
    return (plots.route_map(instance(), plan, title=title).to_dict(),
            plots.timeline(instance(), plan, title=title).to_dict())


@lru_cache(maxsize=32)
def _builtin_drawing(method: str, language: str) -> tuple[dict, dict]:
    return _drawing(_builtins()[method], t(METHODS[method]))


@callback(Output("logistics-kpi-table", "children"), Output("logistics-kpi-chart", "figure"),
          Input("logistics-upload-token", "data"), Input("logistics-optimised-token", "data"))
def show_kpis(upload_token, optimised_token):
    plans = _plans(upload_token, optimised_token)
    if plans.keys() == _builtins().keys():  # nothing of the student's: the same for everyone
        return _builtin_kpis(current_language())
    return _kpis(plans)


@lru_cache(maxsize=4)
def _builtin_kpis(language: str):
    return _kpis(_builtins())


def _kpis(plans: dict[str, Plan]):
    metrics = valid_metrics(instance(), plans)
    table = dbc.Table.from_dataframe(metrics_table(metrics), size="sm", striped=True,
                                     class_name="kpi-table")
    claims = dbc.Table.from_dataframe(claims_table(metrics), size="sm", bordered=True,
                                      class_name="kpi-table", id="logistics-claims")
    chart = plots.kpi_comparison({t(METHODS[k]): v for k, v in metrics.items()})
    chart.update_layout(height=760)  # room for the slanted method names under each panel
    return [table, html.Small(t("Plans with problems are left out of this table."),
                              className="text-muted"),
            html.H5(t("The case study's claims on this case"), className="mt-4"), claims,
            html.P(t("Compare the two columns: the size of an improvement depends on the "
                     "baseline it is measured against."),
                   className="text-muted")], chart.to_dict()


upload_callbacks("logistics")


@callback(Output("logistics-grade", "children"), Input("logistics-upload-token", "data"))
def show_grade(token):
    report = grade_token(LAB, case(), token)
    return grade_view(report, "logistics-grade") if report else None


@callback(Output("logistics-optimised-token", "data"),
          Output("logistics-optimise-status", "children"),
          Input("logistics-optimise-btn", "n_clicks"),
          State("logistics-optimise-iterations", "value"),
          background=True,
          progress=[Output("logistics-optimise-progress", "value"),
                    Output("logistics-optimise-progress", "label")],
          running=[(Output("logistics-optimise-btn", "disabled"), True, False),
                   (Output("logistics-optimise-iterations", "disabled"), True, False),
                   (Output("logistics-optimise-progress", "animated"), True, False)],
          prevent_initial_call=True)
def optimise(set_progress, n_clicks, iterations):
    def report(fraction: float, message: str) -> None:
        set_progress((round(100 * fraction), f"{100 * fraction:.0f} %"))

    token, plan = run_optimisation(instance(), report, iterations_from(iterations))
    metrics = evaluate(instance(), plan)
    return token, dbc.Alert(
        t("Optimised plan ready: {vehicles} vans, total route duration {duration} min. It is now "
          "in the map selectors as “Your optimisation run”.",
          vehicles=int(metrics["vehicles_used"]), duration=f"{metrics['route_duration']:.0f}"),
        color="success", class_name="py-2", id="logistics-optimise-done")


def register() -> None:
    """Register the page with the Dash app (called by ``LAB.register_pages()``)."""
    dash.register_page(__name__, path="/logistics", name="Logistics", title="Logistics",
                       layout=layout)
