"""The logistics lab's panels on the framework's lab page (:mod:`workbench.app.labpage`): the
case, the optimiser, the dispatcher's routes against optimised ones and the student's own plan
side by side, key figures and traffic by hour. Pure helpers first (unit-tested without a
browser); callbacks at the end only convert inputs. Plans live in server-side scratch folders;
the browser holds their tokens, and every score is recomputed from the files.
"""

from __future__ import annotations

import threading
from functools import cache, lru_cache

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from labs.logistics import LAB, plots
from labs.logistics.compare import (
    BUILTIN,
    DEFAULT_ITERATIONS,
    ITERATION_CHOICES,
    METHODS,
    available_plans,
    builtin_plans,
    claims_table,
    iterations_from,
    method_options,
    metrics_table,
    run_optimisation,
    valid_metrics,
)
from labs.logistics.evaluate import evaluate
from labs.logistics.instance import Instance, load_instance, load_trips
from labs.logistics.submission import Plan
from workbench.app.components import message_figure
from workbench.app.labpage import LabPage, Panel
from workbench.datasets import default_case
from workbench.i18n import N_, current_language, t
from workbench.lab import Case


@cache
def case() -> Case:
    return default_case(LAB)


@lru_cache(maxsize=8)
def _instance(root: str) -> Instance:
    return load_instance(Case.load(root, LAB.slug))


def instance(c: Case | None = None) -> Instance:
    return _instance(str((c or case()).root))


# ---- panels ---------------------------------------------------------------------------------

def case_panel(c: Case) -> list:
    inst = instance(c)
    trips = load_trips(c)
    return [html.Ul([html.Li(t("{n} customers", n=inst.n)),
                     html.Li(t("{k} vans, {q} parcels each", k=inst.vehicles, q=inst.capacity)),
                     html.Li(t("Shift {start}–{end}", start=plots.clock(inst.shift_start),
                               end=plots.clock(inst.shift_end)))]),
            html.P(t("Past trips: median travel speed by hour of departure. Rush hours are "
                     "slow; a plan that ignores them will run late.")),
            dcc.Graph(id="logistics-trips", figure=plots.trips_profile(trips)
                      if trips is not None else message_figure(t("This case has no historical trips.")))]


def optimise_panel(_c: Case) -> list:
    return [dbc.InputGroup([
        dbc.InputGroupText(t("Search effort")),
        dbc.Select(id="logistics-optimise-iterations", value=str(DEFAULT_ITERATIONS),
                   options=[{"label": t("{n} iterations", n=n), "value": str(n)}
                            for n in ITERATION_CHOICES]),
        dbc.Button(t("Optimise"), id="logistics-optimise-btn", color="primary")]),
        dbc.Progress(id="logistics-optimise-progress", value=0, striped=True, class_name="my-2"),
        html.Div(id="logistics-optimise-status")]


def compare_panel(_c: Case) -> list:
    def side(which: str, value: str) -> dbc.Col:
        return dbc.Col([dbc.InputGroup([
            dbc.InputGroupText(t("Left") if which == "left" else t("Right")),
            dbc.Select(id=f"logistics-{which}-method", value=value,
                       options=[{"label": t(METHODS[k]), "value": k} for k in BUILTIN])]),
            dcc.Loading(dcc.Graph(id=f"logistics-{which}-map")),
            dcc.Loading(dcc.Graph(id=f"logistics-{which}-timeline"))], md=6)
    return [dbc.Row([side("left", "dispatcher"), side("right", "reference")])]


def kpi_panel(_c: Case) -> list:
    return [html.Div(id="logistics-kpi-table"), dcc.Graph(id="logistics-kpi-chart")]


PAGE = LabPage(LAB, name=N_("Logistics"), accept=".json,.csv,.py,.ipynb,.zip",
               upload_hint=N_("A plan file: plan.json or plan.csv (vehicle → ordered stops), "
                              "or your notebook or code"),
               default=lambda: case(), stores=("logistics-optimised-token",), key_figures=False,
               picture=lambda c: plots.route_map(instance(c), Plan({}), title=t("Customers and depot")),
               panels=(Panel("case", N_("The case"), case_panel),
                       Panel("optimise", N_("Optimise"), optimise_panel, N_(
                           "Run the optimiser (PyVRP) on this case and watch it improve the plan.")),
                       Panel("compare", N_("Route maps and vehicle timelines"), compare_panel),
                       Panel("kpis", N_("Key figures"), kpi_panel)))
layout = PAGE.layout
register = PAGE.register


# ---- callbacks: convert inputs, call the helpers above ----------------------------------------

_BUILTINS_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _builtins_of(root: str) -> dict[str, Plan]:
    c = Case.load(root, LAB.slug)
    return builtin_plans(c, instance(c))


def _builtins(choice: object = "") -> dict[str, Plan]:
    # Several callbacks ask at once on the first page load: solve the reference only once.
    with _BUILTINS_LOCK:
        return _builtins_of(str(PAGE.case_of(choice).root))


def _plans(upload_token: object, optimised_token: object, choice: object) -> dict[str, Plan]:
    return available_plans(_builtins(choice), upload_token, optimised_token)


TOKENS = (Input("logistics-upload-token", "data"), Input("logistics-optimised-token", "data"),
          State(PAGE.case_store, "data"))


@callback(Output("logistics-left-method", "options"), Output("logistics-right-method", "options"),
          *TOKENS)
def update_choices(upload_token, optimised_token, choice):
    options = method_options(_plans(upload_token, optimised_token, choice))
    return options, options


@callback(Output("logistics-left-map", "figure"), Output("logistics-left-timeline", "figure"),
          Input("logistics-left-method", "value"), *TOKENS)
def draw_left(method, upload_token, optimised_token, choice):
    return _draw(method, upload_token, optimised_token, choice)


@callback(Output("logistics-right-map", "figure"), Output("logistics-right-timeline", "figure"),
          Input("logistics-right-method", "value"), *TOKENS)
def draw_right(method, upload_token, optimised_token, choice):
    return _draw(method, upload_token, optimised_token, choice)


def _draw(method: str, upload_token: object, optimised_token: object, choice: object):
    root = str(PAGE.case_of(choice).root)
    if method in BUILTIN:  # the same for every student of a case: draw once per language
        return _builtin_drawing(root, method, current_language())
    plan = _plans(upload_token, optimised_token, choice).get(method)
    if plan is None:
        blank = message_figure(t("This plan cannot be drawn."))
        return blank, blank
    return _drawing(root, plan, t(METHODS[method]))


def _drawing(root: str, plan: Plan, title: str) -> tuple[dict, dict]:
    inst = _instance(root)
    return (plots.route_map(inst, plan, title=title).to_dict(),
            plots.timeline(inst, plan, title=title).to_dict())


@lru_cache(maxsize=32)
def _builtin_drawing(root: str, method: str, language: str) -> tuple[dict, dict]:
    return _drawing(root, _builtins_of(root)[method], t(METHODS[method]))


@callback(Output("logistics-kpi-table", "children"), Output("logistics-kpi-chart", "figure"),
          *TOKENS)
def show_kpis(upload_token, optimised_token, choice):
    plans = _plans(upload_token, optimised_token, choice)
    metrics = valid_metrics(instance(PAGE.case_of(choice)), plans)
    chart = plots.kpi_comparison({t(METHODS[k]): v for k, v in metrics.items()})
    chart.update_layout(height=760)  # room for the slanted method names under each panel
    return [dbc.Table.from_dataframe(metrics_table(metrics), size="sm", striped=True,
                                     class_name="kpi-table"),
            html.Small(t("Plans with problems are left out of this table."), className="text-muted"),
            html.H5(t("The case study's claims on this case"), className="mt-4"),
            dbc.Table.from_dataframe(claims_table(metrics), size="sm", bordered=True,
                                     class_name="kpi-table", id="logistics-claims"),
            html.P(t("Compare the two columns: the size of an improvement depends on the "
                     "baseline it is measured against."), className="text-muted")], chart.to_dict()


@callback(Output("logistics-optimised-token", "data"),
          Output("logistics-optimise-status", "children"),
          Input("logistics-optimise-btn", "n_clicks"),
          State("logistics-optimise-iterations", "value"), State(PAGE.case_store, "data"),
          background=True,
          progress=[Output("logistics-optimise-progress", "value"),
                    Output("logistics-optimise-progress", "label")],
          running=[(Output("logistics-optimise-btn", "disabled"), True, False),
                   (Output("logistics-optimise-iterations", "disabled"), True, False),
                   (Output("logistics-optimise-progress", "animated"), True, False)],
          prevent_initial_call=True)
def optimise(set_progress, n_clicks, iterations, choice):
    def report(fraction: float, message: str) -> None:
        set_progress((round(100 * fraction), f"{100 * fraction:.0f} %"))

    inst = instance(PAGE.case_of(choice))
    token, plan = run_optimisation(inst, report, iterations_from(iterations))
    metrics = evaluate(inst, plan)
    return token, dbc.Alert(
        t("Optimised plan ready: {vehicles} vans, total route duration {duration} min. It is now "
          "in the map selectors as “Your optimisation run”.",
          vehicles=int(metrics["vehicles_used"]), duration=f"{metrics['route_duration']:.0f}"),
        color="success", class_name="py-2", id="logistics-optimise-done")
