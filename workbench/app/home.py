"""The home page: one card per installed lab and how each kind of user works with the
workbench."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from workbench.i18n import N_, t
from workbench.lab import Lab
from workbench.registry import labs

HOW_TO = (
    (N_("Students"),
     N_("Open a lab, study the case and the two methods, then upload your own plan or "
     "solution: the page scores it against the baseline and the reference at once and lists "
     "every problem it found.")),
    (N_("Instructors"),
     N_("Generate a different case for every student, collect their files or code, grade them "
     "in one batch and export the gradebook. The grade is always recomputed from the files.")),
    (N_("Teachers"),
     N_("In class, open a lab and compare the traditional method with the optimised one side "
     "by side; press Optimise to let the class watch the search improve the plan.")),
)


def lab_path(slug: str) -> str | None:
    """The URL of the first page a lab registered, if any."""
    for page in dash.page_registry.values():
        if not page.get("nav", True):  # a lab's handout page, reached from the lab page
            continue
        if page["module"] == f"labs.{slug}" or page["module"].startswith(f"labs.{slug}."):
            return page["relative_path"]
    return None


def lab_card(lab: Lab) -> dbc.Card:
    claims = [html.Li([html.Strong(t(claim.claimed)), " — ", t(claim.description)])
              for claim in lab.claims]
    path = lab_path(lab.slug)
    link = (dbc.Button(t("Open the lab"), href=path, color="primary", id=f"home-open-{lab.slug}")
            if path else None)
    return dbc.Card(dbc.CardBody([
        html.H4(t(lab.title), className="card-title"),
        html.P(t(lab.summary)),
        html.H6(t("What the case study claims")),
        html.Ul(claims),
        link,
    ]), class_name="h-100 lab-card", id=f"home-card-{lab.slug}")


def how_to() -> dbc.Row:
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([html.H5(t(who)), html.P(t(text))])), md=4)
                    for who, text in HOW_TO], class_name="g-3")


def layout() -> html.Div:
    cards = [dbc.Col(lab_card(lab), md=4) for lab in labs().values()]
    return html.Div([
        html.H2(t("Practical-training labs")),
        html.P(t("Each lab reproduces an industry case study: a traditional method (the control "
                 "class) against machine learning, RPA or optimisation (the experimental class). "
                 "Try your own approach and see it scored against both."), className="lead"),
        dbc.Row(cards, class_name="g-3 mb-4") if cards else dbc.Alert(t("No lab is installed.")),
        html.H3(t("How to use the workbench")),
        how_to(),
    ], id="home-page")


def register() -> None:
    dash.register_page(__name__, path="/", name=N_("Home"), title="Lab Workbench", layout=layout,
                       order=0)
